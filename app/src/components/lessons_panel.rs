//! Lessons beyond the plain AE: denoising (input noise), sparse codes (L1 on the code), anomaly
//! detection (colour by reconstruction error) and your own IDX images (onto the map, or to train on).

use leptos::prelude::*;
use model::Noise;

use crate::state::AppState;

/// The noise setting from the two controls.
fn noise(kind: &str, level: f32) -> Noise {
    match kind {
        "gaussian" => Noise::Gaussian { std: level },
        "mask" => Noise::Mask { p: level },
        "hide" => Noise::Hide { half: model::data::degrade::Half::Any },
        "lowres" => Noise::LowRes { factor: 4 },
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
        Noise::Hide { .. } => "hide",
        Noise::LowRes { .. } => "lowres",
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
        let Some(list) = input.files() else { return };
        let files: Vec<web_sys::File> = (0..list.length()).filter_map(|i| list.item(i)).collect();
        let dataset = state.settings.dataset.get_untracked();
        leptos::task::spawn_local(async move {
            let loaded = crate::images::load(files, dataset).await;
            let refused = loaded.refused.join("; ");
            match loaded.upload {
                Some(u) => {
                    let also = if refused.is_empty() { String::new() } else { format!(" Refused: {refused}.") };
                    state.status.set(format!(
                        "{}: {} images ({} labelled), shown as ◆ on the map. Train on them to fit the model to them.{also}",
                        u.name, u.count, loaded.labelled
                    ));
                    crate::js::set_global("lsxUploadNames", &serde_wasm_bindgen::to_value(&*u.names).unwrap_or_default());
                    state.explore.upload.set(Some(u));
                    state.send_upload(false);
                }
                None if refused.is_empty() => state.status.set(
                    "Choose images (PNG, JPEG, WebP, GIF), a folder of them, or an IDX images file (and its labels).".into(),
                ),
                None => state.status.set(format!("Upload rejected: {refused}. Nothing was changed.")),
            }
        });
    };
    // A folder picker (`webkitdirectory`, which Leptos has no attribute for).
    let folder = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(f) = folder.get()
            && let Err(e) = f.set_attribute("webkitdirectory", "")
        {
            web_sys::console::warn_2(&"no folder picker:".into(), &e);
        }
    });
    let level_label = move || if kind() == "mask" { "share masked" } else { "σ" };
    view! {
        <section class="controls lessons" aria-label="Lessons">
            <label title="Train on corrupted inputs against the clean images (a denoising autoencoder)">"Input noise "
                <select data-testid="noise-select" prop:value=kind on:change=move |ev| apply_noise(&event_target_value(&ev))>
                    <option value="none">"none"</option>
                    <option value="gaussian">"Gaussian"</option>
                    <option value="mask">"masking"</option>
                    <option value="hide">"a hidden half (completion)"</option>
                    <option value="lowres">"low resolution (super-resolution)"</option>
                </select>
            </label>
            <label style:display=move || if matches!(kind(), "gaussian" | "mask") { "inline" } else { "none" }>{level_label} " "
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
            <label class="upload" title="PNG, JPEG, WebP or GIF (a digit on any plain background), or IDX; labels from a folder named by the class or a file name starting with it">"Your images "
                <input data-testid="file-input" type="file" multiple on:change=on_upload />
            </label>
            <label class="upload">"or a folder "
                <input data-testid="folder-input" type="file" multiple node_ref=folder on:change=on_upload />
            </label>
            <button data-testid="upload-train" style:display=move || if state.explore.upload.with(Option::is_some) { "inline" } else { "none" }
                title="Train on your images from now on, instead of the dataset's training split"
                on:click=move |_| state.send_upload(true)>
                {move || state.explore.upload.with(|u| u.as_ref().map(|u| format!("Train on your {} images", u.count)).unwrap_or_default())}
            </button>
            <UploadRecons />
        </section>
    }
}

/// The first uploaded images as the models saw them (top row) and each model's reconstructions.
#[component]
fn UploadRecons() -> impl IntoView {
    let state = expect_context::<AppState>();
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    Effect::new(move |_| {
        let Some(c) = canvas.get() else { return };
        state.explore.upload_recons.with(|r| {
            if let Some((count, images)) = r {
                super::paint_grid(&c, images, *count);
            }
        });
    });
    let shown = move || if state.explore.upload_recons.with(Option::is_some) { "block" } else { "none" };
    let legend = move || {
        format!("Your first images (top), then each model's output: {}", state.mode().names().join(", "))
    };
    view! {
        <figure class="upload-recons" style:display=shown>
            <canvas data-testid="upload-recons" class="grid" node_ref=canvas></canvas>
            <figcaption>{legend}</figcaption>
        </figure>
    }
}
