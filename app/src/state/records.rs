//! What the page records on `window` for tests, the bench and a person in the console: slow message
//! handling, decode latency, the current maps.

use js_sys::Float32Array;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

use crate::protocol::trainer::FromTrainer;
use crate::protocol::view::FromView;

/// The variant name of a trainer message (for diagnostics).
pub(super) fn trainer_message_name(msg: &FromTrainer) -> &'static str {
    match msg {
        FromTrainer::Ready { .. } => "Ready",
        FromTrainer::DataLoaded { .. } => "DataLoaded",
        FromTrainer::Progress(_) => "Progress",
        FromTrainer::Export { .. } => "Export",
        FromTrainer::Started { .. } => "Started",
        FromTrainer::BenchDone { .. } => "BenchDone",
        FromTrainer::Notice { .. } => "Notice",
        FromTrainer::Error { .. } => "Error",
        FromTrainer::Pong { .. } => "Pong",
        FromTrainer::DeviceLost { .. } => "DeviceLost",
        FromTrainer::Crashed { .. } => "Crashed",
    }
}

/// The variant name of a view message (for diagnostics).
pub(super) fn view_message_name(msg: &FromView) -> &'static str {
    match msg {
        FromView::Ready { .. } => "Ready",
        FromView::DataLoaded { .. } => "DataLoaded",
        FromView::Latents { .. } => "Latents",
        FromView::Worst { .. } => "Worst",
        FromView::Decoded { .. } => "Decoded",
        FromView::Probed { .. } => "Probed",
        FromView::UploadRecons { .. } => "UploadRecons",
        FromView::Recons { .. } => "Recons",
        FromView::Samples { .. } => "Samples",
        FromView::Manifold { .. } => "Manifold",
        FromView::Interpolated { .. } => "Interpolated",
        FromView::Lecture { .. } => "Lecture",
        FromView::Notice { .. } => "Notice",
        FromView::Opened { .. } => "Opened",
        FromView::Error { .. } => "Error",
        FromView::Pong { .. } => "Pong",
        FromView::Crashed { .. } => "Crashed",
    }
}

/// Keeps a record of worker messages whose handling (with the redraws it triggers) took over 20 ms,
/// as `window.lsxSlow = [[name, ms], …]`, so a test or a person in the console can see what is slow.
pub(super) fn record_slow(what: &str, ms: f64) {
    if ms <= 20.0 {
        return;
    }
    crate::js::push_record("lsxSlow", &js_sys::Array::of2(&what.into(), &ms.into()));
}

/// Records, for the bench, the time from a decode request to the next animation frame after its image
/// arrived (the decode panel is painted by then) in `window.lsxDecodeMs`, and its parts in
/// `window.lsxDecodeParts` as `[worker compute, request → image in the page, image drawn → frame]` ms.
pub(super) fn record_decode_latency(sent: f64, arrived: f64, worker_ms: f64) {
    let Some(w) = web_sys::window() else { return };
    let frame = Closure::once_into_js(move || {
        let now = crate::js::now();
        crate::js::push_record("lsxDecodeMs", &(now - sent).into());
        let parts = js_sys::Array::of3(&worker_ms.into(), &(arrived - sent).into(), &(now - arrived).into());
        crate::js::push_record("lsxDecodeParts", &parts);
    });
    let _ = w.request_animation_frame(frame.unchecked_ref());
}

/// Publishes the latest decode's first map point and image (floats in 0..1), and the first model's
/// clicked image's index and reconstruction (-1 and empty without one), as
/// `window.lsxDecoded = {z, pixels, index, recon}`, for tests that compare it with another framework's decode (the
/// canvas holds only 8 bits).
pub(super) fn expose_decoded(z: [f32; 2], pixels: &[f32], point: Option<(usize, &[f32])>) {
    let obj = js_sys::Object::new();
    let index = point.map_or(-1.0, |p| p.0 as f64);
    let recon = Float32Array::from(point.map(|p| p.1).unwrap_or_default());
    let _ = js_sys::Reflect::set(&obj, &"index".into(), &index.into());
    let written = js_sys::Reflect::set(&obj, &"z".into(), &Float32Array::from(&z[..]).into()).is_ok()
        && js_sys::Reflect::set(&obj, &"pixels".into(), &Float32Array::from(pixels).into()).is_ok()
        && js_sys::Reflect::set(&obj, &"recon".into(), &recon.into()).is_ok();
    if written {
        crate::js::set_global("lsxDecoded", &obj);
    }
}

/// Publishes a map's data read-only as `window.lsxMap = {step, points, labels, errors, uploads}`
/// (model 0) and `window.lsxMap1` (model 1) for tests and the bench.
pub(super) fn expose_map(
    model: usize,
    step: u64,
    points: &[f32],
    labels: &[u8],
    (errors, uploads): (&[f32], &[f32]),
) {
    let Some(w) = web_sys::window() else { return };
    let obj = js_sys::Object::new();
    let key = if model == 0 { "lsxMap".to_string() } else { format!("lsxMap{model}") };
    let fields: [(&str, wasm_bindgen::JsValue); 5] = [
        ("step", (step as f64).into()),
        ("points", Float32Array::from(points).into()),
        ("labels", js_sys::Uint8Array::from(labels).into()),
        ("errors", Float32Array::from(errors).into()),
        ("uploads", Float32Array::from(uploads).into()),
    ];
    // Diagnostics only: a failed property write leaves the record incomplete, nothing else.
    let written = fields.iter().all(|(k, v)| js_sys::Reflect::set(&obj, &(*k).into(), v).is_ok());
    if !(written && js_sys::Reflect::set(&w, &key.as_str().into(), &obj).is_ok()) {
        web_sys::console::warn_1(&format!("could not publish window.{key}").into());
    }
}

/// Records memory for the soak and a person in the console as `window.lsxMemory`: the page's JS heap
/// (Chromium's `performance.memory`, 0 elsewhere) and wasm memory, and each worker's wasm memory from
/// its last heartbeat (trainer, view), in bytes.
pub(super) fn record_memory([trainer, view]: [f64; 2]) {
    let heap = web_sys::window()
        .and_then(|w| w.performance())
        .and_then(|p| js_sys::Reflect::get(&p, &"memory".into()).ok())
        .and_then(|m| js_sys::Reflect::get(&m, &"usedJSHeapSize".into()).ok())
        .and_then(|v| v.as_f64())
        .unwrap_or(0.0);
    let record = js_sys::Object::new();
    for (k, v) in [
        ("pageHeap", heap),
        ("pageWasm", crate::js::wasm_bytes()),
        ("trainerWasm", trainer),
        ("viewWasm", view),
    ] {
        let _ = js_sys::Reflect::set(&record, &k.into(), &v.into());
    }
    crate::js::set_global("lsxMemory", &record);
}

/// Appends a status message to `window.lsxSaid`.
pub(super) fn record_said(msg: &str) {
    crate::js::push_record("lsxSaid", &msg.into());
}
