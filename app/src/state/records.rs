//! What the page records on `window` for tests, the bench and a person in the console: slow message
//! handling, decode latency, the current maps.

use js_sys::Float32Array;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

use crate::protocol::FromWorker;

/// The variant name of a worker message (for diagnostics).
pub(super) fn message_name(msg: &FromWorker) -> &'static str {
    match msg {
        FromWorker::Ready { .. } => "Ready",
        FromWorker::DataLoaded { .. } => "DataLoaded",
        FromWorker::Progress { .. } => "Progress",
        FromWorker::Weights { .. } => "Weights",
        FromWorker::Latents { .. } => "Latents",
        FromWorker::Worst { .. } => "Worst",
        FromWorker::Decoded { .. } => "Decoded",
        FromWorker::Recons { .. } => "Recons",
        FromWorker::Samples { .. } => "Samples",
        FromWorker::Started { .. } => "Started",
        FromWorker::Export { .. } => "Export",
        FromWorker::Manifold { .. } => "Manifold",
        FromWorker::Interpolated { .. } => "Interpolated",
        FromWorker::BenchDone { .. } => "BenchDone",
        FromWorker::Notice { .. } => "Notice",
        FromWorker::Error { .. } => "Error",
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

/// Publishes a map's data read-only as `window.lsxMap = {step, points, labels, errors, uploads}`
/// (model 0) and `window.lsxMap1` (model 1) for tests and the bench.
pub(super) fn expose_map(
    model: usize,
    step: u64,
    points: &Float32Array,
    labels: &[u8],
    (errors, uploads): (&[f32], &[f32]),
) {
    let Some(w) = web_sys::window() else { return };
    let obj = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&obj, &"step".into(), &(step as f64).into());
    let _ = js_sys::Reflect::set(&obj, &"points".into(), points);
    let _ = js_sys::Reflect::set(&obj, &"labels".into(), &js_sys::Uint8Array::from(labels));
    let _ = js_sys::Reflect::set(&obj, &"errors".into(), &Float32Array::from(errors));
    let _ = js_sys::Reflect::set(&obj, &"uploads".into(), &Float32Array::from(uploads));
    let key = if model == 0 { "lsxMap".to_string() } else { format!("lsxMap{model}") };
    let _ = js_sys::Reflect::set(&w, &key.into(), &obj);
}
