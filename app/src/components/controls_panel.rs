//! Controls: dataset, model, train / pause, single step, reset, and the upload of IDX files.

use leptos::prelude::*;
use model::{Dataset, DatasetName, Kind};
use wasm_bindgen_futures::JsFuture;

use crate::state::AppState;

/// Reads the chosen files and validates them as IDX images (+ labels) with the model crate's parser.
async fn check_upload(files: web_sys::FileList) -> Result<String, String> {
    let mut bytes = Vec::new();
    for i in 0..files.length() {
        let Some(file) = files.item(i) else { continue };
        let buf = JsFuture::from(file.array_buffer())
            .await
            .map_err(|_| format!("could not read {}", file.name()))?;
        bytes.push((file.name(), js_sys::Uint8Array::new(&buf).to_vec()));
    }
    let (images, labels): (Vec<_>, Vec<_>) = bytes.iter().partition(|(name, _)| !name.contains("label"));
    let (name, img) = images.first().ok_or("choose an IDX images file (and optionally its labels)")?;
    let data = Dataset::from_idx(img, labels.first().map(|(_, l)| l.as_slice()))
        .map_err(|e| format!("{name}: {e}"))?;
    Ok(format!("{name}: {} valid 28×28 images", data.len()))
}

/// The control bar.
#[component]
pub fn ControlsPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let on_dataset = move |ev| {
        if let Some(d) = DatasetName::from_id(&event_target_value(&ev)) {
            state.dataset.set(d);
            state.restart();
        }
    };
    let on_model = move |ev| {
        state.kind.set(if event_target_value(&ev) == "vae" { Kind::Vae } else { Kind::Ae });
        state.restart();
    };
    let on_upload = move |ev: web_sys::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(files) = input.files() else { return };
        leptos::task::spawn_local(async move {
            state.status.set(match check_upload(files).await {
                Ok(msg) => msg,
                Err(msg) => format!("Upload rejected: {msg}. Nothing was changed."),
            });
        });
    };
    let ready = move || !state.backend.get().is_empty();
    view! {
        <section class="controls" aria-label="Controls">
            <label>"Dataset "
                <select data-testid="dataset-select" on:change=on_dataset
                    prop:value=move || state.dataset.get().id().to_string()>
                    <option value="mnist">"MNIST digits"</option>
                    <option value="fashion-mnist">"Fashion-MNIST"</option>
                </select>
            </label>
            <label>"Model "
                <select data-testid="model-select" on:change=on_model>
                    <option value="ae">"Autoencoder (AE)"</option>
                    <option value="vae">"Variational AE (VAE)"</option>
                </select>
            </label>
            <button data-testid="train-toggle" class="primary" disabled=move || !ready()
                on:click=move |_| state.set_running(!state.running.get_untracked())>
                {move || if state.running.get() { "Pause" } else { "Train" }}
            </button>
            <button data-testid="step-button" disabled=move || !ready() || state.running.get()
                on:click=move |_| state.single_step()>"Step"</button>
            <button data-testid="reset-button" disabled=move || !ready() on:click=move |_| state.restart()>"Reset"</button>
            <label class="upload">"Your IDX files "
                <input data-testid="file-input" type="file" multiple on:change=on_upload />
            </label>
        </section>
    }
}
