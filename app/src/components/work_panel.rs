//! Keeping work: resume the autosave, start from scratch instead of the pretrained model, save / load a model file,
//! export the map (PNG), the test points' codes (CSV) and the decoded manifold (PNG), and replay how
//! the map formed with a slider.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::latent_panel::map_png;
use crate::state::{AppState, kind_name};

/// The latent codes of the test points as CSV: index, label, one column per latent dimension.
fn latents_csv(state: &AppState) -> String {
    let (codes, _) = state.maps[0].latents.get_untracked();
    let labels = state.explore.labels.get_untracked();
    let mut out = String::from("index,label,z1,z2\n");
    for (i, (p, l)) in codes.chunks_exact(2).zip(labels.iter()).enumerate() {
        out += &format!("{i},{l},{},{}\n", p[0], p[1]);
    }
    out
}

/// The decoded manifold of the first map as a PNG data URL (20 × 20 tiles of 28 × 28 pixels).
fn manifold_png(state: &AppState) -> Option<String> {
    let m = state.maps[0].manifold.get_untracked()?;
    let doc = web_sys::window()?.document()?;
    let canvas: web_sys::HtmlCanvasElement = doc.create_element("canvas").ok()?.dyn_into().ok()?;
    super::paint_grid(&canvas, &m.images, m.tiles);
    canvas.to_data_url_with_type("image/png").ok()
}

fn file_stem(state: &AppState) -> String {
    let mode = state.settings.mode.get_untracked();
    let kind = if mode.compare() { "compare" } else { mode.kind(0).map_or("ae", kind_name) };
    format!(
        "{}-{}-step{}",
        state.settings.dataset.get_untracked().id(),
        kind.to_lowercase(),
        state.training.step.get_untracked()
    )
}

/// The panel.
#[component]
pub fn WorkPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let on_load = move |ev: web_sys::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.item(0)) else { return };
        input.set_value("");
        leptos::task::spawn_local(async move {
            match JsFuture::from(file.array_buffer()).await {
                Ok(buf) => state.load_file(&file.name(), &js_sys::Uint8Array::new(&buf).to_vec()),
                Err(_) => state.status.set(format!("Could not read {}. Nothing was changed.", file.name())),
            }
        });
    };
    let scaling = RwSignal::new("0-1".to_string());
    // A folder (the model's files and its images in a folder per class): `webkitdirectory`, which
    // Leptos has no attribute for.
    let folder = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(f) = folder.get()
            && let Err(e) = f.set_attribute("webkitdirectory", "")
        {
            web_sys::console::warn_2(&"no folder picker:".into(), &e);
        }
    });
    let on_onnx = move |ev: web_sys::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(list) = input.files() else { return };
        let files = (0..list.length()).filter_map(|i| list.item(i)).collect();
        input.set_value("");
        state.open_onnx(files, scaling.get_untracked());
    };
    let export_map = move |_| {
        let ratio = super::dpr().max(2.0) as f32;
        match map_png(&state, 0, ratio) {
            Some(url) => crate::js::download_url(&format!("map-{}.png", file_stem(&state)), &url),
            None => state.status.set("There is no map to export yet.".into()),
        }
    };
    let export_csv = move |_| {
        let csv = latents_csv(&state);
        crate::js::download_bytes(&format!("latents-{}.csv", file_stem(&state)), csv.as_bytes(), "text/csv");
    };
    let export_manifold = move |_| match manifold_png(&state) {
        Some(url) => crate::js::download_url(&format!("manifold-{}.png", file_stem(&state)), &url),
        None => state.status.set("Turn on “decoded manifold” first: the export is its current grid.".into()),
    };
    // Replay: the slider's last position is "live".
    let count = move || state.work.snapshots.with(Vec::len);
    let position = move || state.work.replay.get().unwrap_or(count().saturating_sub(1));
    let on_slide = move |ev| {
        let i: usize = event_target_value(&ev).parse().unwrap_or(0);
        state.work.replay.set((i + 1 < count()).then_some(i));
    };
    let playing = RwSignal::new(false);
    let play = move |_| {
        if count() < 2 || playing.get_untracked() {
            return;
        }
        playing.set(true);
        state.work.replay.set(Some(0));
        leptos::task::spawn_local(async move {
            loop {
                crate::js::sleep_ms(120).await;
                let next = state.work.replay.get_untracked().map_or(usize::MAX, |i| i + 1);
                if next + 1 >= count() || !playing.get_untracked() {
                    state.work.replay.set(None);
                    playing.set(false);
                    return;
                }
                state.work.replay.set(Some(next));
            }
        });
    };
    let ready = move || state.maps[0].latents.with(|l| !l.0.is_empty());
    view! {
        <section class="panel work" aria-label="Keep your work">
            <h2>"Your work " <small>{move || match state.training.start_step.get() {
                0 => "started untrained".to_string(),
                s => format!("started from a trained model (step {s})"),
            }}</small></h2>
            <div class="row" style:display=move || if state.work.resumable.get().is_some() { "flex" } else { "none" }>
                <button data-testid="resume-button" class="primary" on:click=move |_| state.resume()>
                    {move || format!("Resume where you left off (step {})", state.work.resumable.get().unwrap_or(0))}</button>
                "an autosave from your last visit"
            </div>
            <div class="row">
                <button data-testid="scratch-button" on:click=move |_| state.from_scratch()>"From scratch"</button>
                <button data-testid="save-button" disabled=move || !ready() on:click=move |_| state.save()>"Save model"</button>
                <label class="upload">"Load model " <input data-testid="model-input" type="file" accept=".lsxw" on:change=on_load /></label>
                <small data-testid="autosave-status">{move || match (state.work.autosave_off.get(), state.work.autosaved.get()) {
                    (Some(_), _) => "autosave off".to_string(),
                    (None, Some(s)) => format!("autosaved at step {s}"),
                    (None, None) => String::new(),
                }}</small>
            </div>
            <div class="row">
                <label class="upload" title="An encoder and a decoder exported to ONNX (PyTorch, Keras), with your images to map, or a TSV of codes for a decoder alone">"Open your ONNX model (encoder + decoder, and images) "
                    <input data-testid="onnx-input" type="file" accept=".onnx,.tsv,.csv,.txt,image/*" multiple on:change=on_onnx /></label>
                <label class="upload">"or a folder "
                    <input data-testid="onnx-folder" type="file" multiple node_ref=folder on:change=on_onnx /></label>
                <label>"pixels as " <select data-testid="onnx-scaling" aria-label="How the model takes pixel values"
                    on:change=move |ev| {
                        scaling.set(event_target_value(&ev));
                        state.rescale_own(scaling.get_untracked());
                    }>
                    <option value="0-1" selected>"0…1"</option>
                    <option value="-1-1">"−1…1"</option>
                    <option value="0.1307/0.3081">"MNIST mean/std"</option>
                    <option value="0.2860/0.3530">"Fashion mean/std"</option>
                </select></label>
                <small data-testid="own-model">{move || state.work.own.get().unwrap_or_default()}</small>
            </div>
            <div class="row">
                "Export: "
                <button data-testid="export-map" disabled=move || !ready() on:click=export_map>"map PNG"</button>
                <button data-testid="export-csv" disabled=move || !ready() on:click=export_csv>"codes CSV"</button>
                <button data-testid="export-manifold" disabled=move || state.maps[0].manifold.with(Option::is_none) on:click=export_manifold>"manifold PNG"</button>
            </div>
            <div class="row">
                <label for="replay-slider">"Replay "</label>
                <input id="replay-slider" data-testid="replay-slider" type="range"
                    aria-label="Replay: which training snapshot the maps show" min="0" max=move || count().saturating_sub(1).to_string()
                    prop:value=move || position().to_string() on:input=on_slide disabled=move || count() < 2 />
                <button data-testid="replay-play" disabled=move || count() < 2 on:click=play>
                    {move || if playing.get() { "Playing…" } else { "▶ Play" }}</button>
                <small>{move || format!("{} snapshots", count())}</small>
            </div>
        </section>
    }
}
