//! Lessons beyond the plain AE: denoising (input noise), sparse codes (L1 on the code), anomaly
//! detection (colour by reconstruction error) and your own IDX images (onto the map, or to train on).

use leptos::prelude::*;
use model::Noise;
use wasm_bindgen_futures::JsFuture;

use crate::state::{AppState, Upload};

/// Reads the chosen files and validates them as IDX images (+ labels) with the model crate's parser.
async fn check_upload(files: web_sys::FileList) -> Result<Upload, String> {
    let mut bytes = Vec::new();
    for i in 0..files.length() {
        let Some(file) = files.item(i) else { continue };
        let buf = JsFuture::from(file.array_buffer())
            .await
            .map_err(|_| format!("could not read {}", file.name()))?;
        bytes.push((file.name(), js_sys::Uint8Array::new(&buf).to_vec()));
    }
    let (images, labels): (Vec<_>, Vec<_>) = bytes.into_iter().partition(|(name, _)| !name.contains("label"));
    let (name, images) =
        images.into_iter().next().ok_or("choose an IDX images file (and optionally its labels)")?;
    let labels = labels.into_iter().next().map(|(_, l)| l);
    Upload::from_idx(name, &images, labels.as_deref())
}

/// The noise setting from the two controls.
fn noise(kind: &str, level: f32) -> Noise {
    match kind {
        "gaussian" => Noise::Gaussian { std: level },
        "mask" => Noise::Mask { p: level },
        _ => Noise::None,
    }
}

/// The lessons bar.
#[component]
pub fn LessonsPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    // The kind follows the settings (the tour sets them too); the level is kept across kinds.
    let kind = move || match state.settings.noise.get() {
        Noise::None => "none",
        Noise::Gaussian { .. } => "gaussian",
        Noise::Mask { .. } => "mask",
    };
    let level = RwSignal::new(0.3f32);
    let apply_noise = move |kind: &str| {
        state.settings.noise.set(noise(kind, level.get_untracked()));
        state.reconfigure();
    };
    let on_level = move |ev| match event_target_value(&ev).parse::<f32>() {
        Ok(v) if (0.0..=1.0).contains(&v) => {
            level.set(v);
            apply_noise(untrack(kind));
        }
        _ => state.status.set("The noise level is a number from 0 to 1; kept the previous one.".into()),
    };
    let on_l1 = move |ev| match event_target_value(&ev).parse::<f32>() {
        Ok(v) if v.is_finite() && v >= 0.0 => {
            state.settings.l1.set(v);
            state.reconfigure();
        }
        _ => state.status.set("The L1 weight must be a number ≥ 0; kept the previous one.".into()),
    };
    let on_upload = move |ev: web_sys::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(files) = input.files() else { return };
        leptos::task::spawn_local(async move {
            match check_upload(files).await {
                Ok(u) => {
                    state.status.set(format!(
                        "{}: {} valid 28×28 images, shown as ◆ on the map. Train on them to fit the model to them.",
                        u.name, u.count
                    ));
                    state.explore.upload.set(Some(u));
                    state.send_upload(false);
                }
                Err(msg) => state.status.set(format!("Upload rejected: {msg}. Nothing was changed.")),
            }
        });
    };
    let level_label = move || if kind() == "mask" { "share masked" } else { "σ" };
    view! {
        <section class="controls lessons" aria-label="Lessons">
            <label title="Train on corrupted inputs against the clean images (a denoising autoencoder)">"Input noise "
                <select data-testid="noise-select" prop:value=kind on:change=move |ev| apply_noise(&event_target_value(&ev))>
                    <option value="none">"none"</option>
                    <option value="gaussian">"Gaussian"</option>
                    <option value="mask">"masking"</option>
                </select>
            </label>
            <label style:display=move || if kind() == "none" { "none" } else { "inline" }>{level_label} " "
                <input data-testid="noise-level" type="number" min="0" max="1" step="0.05" size="4"
                    prop:value=move || level.get().to_string() on:change=on_level />
            </label>
            <label title="Weight of an L1 penalty on the code: pushes code units to zero (a sparse autoencoder)">"L1 on code "
                <input data-testid="l1-input" type="number" min="0" step="0.01" size="4"
                    prop:value=move || state.settings.l1.get().to_string() on:change=on_l1 />
            </label>
            <label title="Colour each test point by how badly it is reconstructed; the worst are listed">
                <input data-testid="error-toggle" type="checkbox" prop:checked=move || state.explore.by_error.get()
                    on:change=move |ev| state.set_by_error(event_target_checked(&ev)) />" colour by reconstruction error"
            </label>
            <label class="upload">"Your IDX images "
                <input data-testid="file-input" type="file" multiple on:change=on_upload />
            </label>
            <button data-testid="upload-train" style:display=move || if state.explore.upload.with(Option::is_some) { "inline" } else { "none" }
                title="Train on your images from now on, instead of the dataset's training split"
                on:click=move |_| state.send_upload(true)>
                {move || state.explore.upload.with(|u| u.as_ref().map(|u| format!("Train on your {} images", u.count)).unwrap_or_default())}
            </button>
        </section>
    }
}
