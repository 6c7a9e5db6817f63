//! Controls: dataset, model, train / pause, single step, reset, and the upload of IDX files.

use leptos::prelude::*;
use model::{Dataset, DatasetName, Kind};
use wasm_bindgen_futures::JsFuture;

use crate::state::{AppState, PRESETS};

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
        let v = event_target_value(&ev);
        state.compare.set(v == "compare");
        state.kind.set(if v == "vae" { Kind::Vae } else { Kind::Ae });
        state.restart();
    };
    let on_warmup = move |ev| match event_target_value(&ev).parse::<u64>() {
        Ok(v) => {
            state.warmup.set(v);
            state.reconfigure();
        }
        Err(_) => {
            state.status.set("The KL warm-up is a whole number of steps ≥ 0; kept the previous one.".into())
        }
    };
    let on_manifold = move |ev| {
        state.manifold_on.set(event_target_checked(&ev));
        state.request_manifold();
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
    let on_preset = move |ev| {
        state.preset.set(event_target_value(&ev).parse().unwrap_or(0));
        state.custom_hidden.set(None);
        state.restart();
    };
    let on_lr = move |ev| {
        if let Ok(v) = event_target_value(&ev).parse::<f64>() {
            state.lr.set(v);
            state.reconfigure();
        }
    };
    let on_batch = move |ev| {
        state.batch.set(event_target_value(&ev).parse().unwrap_or(128));
        state.restart();
    };
    let on_beta = move |ev| match event_target_value(&ev).parse::<f32>() {
        Ok(v) if v.is_finite() && v >= 0.0 => {
            state.beta.set(v);
            state.reconfigure();
        }
        _ => state.status.set("β must be a number ≥ 0; kept the previous value.".into()),
    };
    let on_seed = move |ev| match event_target_value(&ev).parse::<u64>() {
        Ok(v) => {
            state.seed.set(v);
            state.restart();
        }
        Err(_) => state.status.set("The seed must be a whole number ≥ 0; kept the previous one.".into()),
    };
    let is_vae = move || state.kinds().contains(&Kind::Vae);
    let model_value = move || {
        if state.compare.get() {
            "compare"
        } else if state.kind.get() == Kind::Vae {
            "vae"
        } else {
            "ae"
        }
    };
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
                <select data-testid="model-select" on:change=on_model prop:value=model_value>
                    <option value="ae">"Autoencoder (AE)"</option>
                    <option value="vae">"Variational AE (VAE)"</option>
                    <option value="compare">"AE and VAE side by side"</option>
                </select>
            </label>
            <label>"Layers "
                <select data-testid="preset-select" on:change=on_preset prop:value=move || state.preset.get().to_string()>
                    {PRESETS.iter().enumerate().map(|(i, (name, _))| view! { <option value=i.to_string()>{*name}</option> }).collect_view()}
                </select>
            </label>
            <label>"Learning rate "
                <select data-testid="lr-select" on:change=on_lr>
                    <option value="0.0003">"0.0003"</option>
                    <option value="0.001" selected>"0.001"</option>
                    <option value="0.003">"0.003"</option>
                    <option value="0.01">"0.01"</option>
                </select>
            </label>
            <label>"Batch "
                <select data-testid="batch-select" on:change=on_batch>
                    <option value="32">"32"</option>
                    <option value="64">"64"</option>
                    <option value="128" selected>"128"</option>
                    <option value="256">"256"</option>
                </select>
            </label>
            <label style:display=move || if is_vae() { "inline" } else { "none" }>"β "
                <input data-testid="beta-input" type="number" min="0" step="0.1" value="1" size="4" on:change=on_beta />
            </label>
            <label style:display=move || if is_vae() { "inline" } else { "none" }
                title="β rises linearly from 0 to its value over this many steps">"KL warm-up "
                <input data-testid="warmup-input" type="number" min="0" step="100" size="5"
                    prop:value=move || state.warmup.get().to_string() on:change=on_warmup />
            </label>
            <label title="Paint each map's background with decodes of a 20×20 grid over the visible region">
                <input data-testid="manifold-toggle" type="checkbox" prop:checked=move || state.manifold_on.get()
                    on:change=on_manifold />" decoded manifold"
            </label>
            <label>"Seed "
                <input data-testid="seed-input" type="number" min="0" step="1" size="6"
                    prop:value=move || state.seed.get().to_string() on:change=on_seed />
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
