//! Typed messages between the page and its workers (serde-wasm-bindgen), with big f32 arrays sent
//! as transferred `Float32Array`s under the key `data` instead of being copied through serde.

use js_sys::{Array, Float32Array, Object, Reflect};
use model::{DatasetName, NetConfig, StepStats, TrainConfig};
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};

/// What a worker does: train (owns the optimiser) or view (encodes the map and decodes clicks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    Trainer,
    View,
}

/// Page → worker.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "t")]
pub enum ToWorker {
    /// Load `dataset` and build a fresh model (trainer) or expect its weights (view). Paused after.
    Setup { role: Role, dataset: DatasetName, net: NetConfig, train: TrainConfig },
    /// Start (`true`) or pause training.
    Run { on: bool },
    /// One optimiser step, then pause.
    Step,
    /// New hyperparameters that need no new model (lr, β, warm-up, L1, noise).
    Configure { train: TrainConfig },
    /// Warm-up benchmark: one untimed step (shader compiles happen here), then `steps` timed ones.
    Bench { steps: u32 },
    /// View: new weights (in `data`) of a network of shape `net` at `step`.
    Weights { net: NetConfig, step: u64 },
    /// View: decode latent point `z`; only the latest pending request is served. With `index`, the
    /// click hit test point `index`: its original image and reconstruction come back too.
    Decode { id: u32, z: Vec<f32>, index: Option<usize> },
}

/// Worker → page.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "t")]
pub enum FromWorker {
    /// The worker runs; `backend` is `cpu` or `webgpu`, `detail` says what it found.
    Ready { backend: String, detail: String },
    /// The dataset is loaded; the view also sends the test labels (in map order).
    DataLoaded { dataset: DatasetName, train: usize, test: usize, labels: Vec<u8> },
    /// Training progress (at most ~10 a second): latest step, throughput, loss history since the last one.
    Progress {
        stats: StepStats,
        samples_per_s: f64,
        batches_per_epoch: usize,
        running: bool,
        history: Vec<[f32; 3]>,
    },
    /// Trainer: current weights (in `data`) for the view worker.
    Weights { net: NetConfig, step: u64 },
    /// View: latent codes of the test points (in `data`, `[n * dim]`), computed from the weights of `step`.
    Latents { step: u64, dim: usize },
    /// View: the decoded image (784 floats in 0..1) of request `id` at `z`; for a data point, also
    /// (test index, label, original pixels, reconstruction pixels).
    Decoded { id: u32, z: Vec<f32>, pixels: Vec<f32>, point: Option<(usize, u8, Vec<f32>, Vec<f32>)> },
    /// View: the fixed test images (`[k * 784]`) and their reconstructions (`[k * 784]`) in `data`, at `step`.
    Recons { step: u64, count: usize },
    /// Warm-up benchmark result: the first step and the mean of the timed ones (ms).
    BenchDone { first_ms: f64, ms_per_step: f64 },
    /// Something the user should know, shown in the status line.
    Notice { msg: String },
    /// Something failed; the state before it is kept.
    Error { msg: String },
}

/// Serialises `msg` and attaches `data` (transferred, not copied) when given.
pub fn encode<T: Serialize>(msg: &T, data: Option<&Float32Array>) -> Result<(JsValue, Array), JsValue> {
    let value = serde_wasm_bindgen::to_value(msg).map_err(JsValue::from)?;
    let transfer = Array::new();
    if let Some(arr) = data {
        Reflect::set(&value, &"data".into(), arr)?;
        transfer.push(&arr.buffer());
    }
    Ok((value, transfer))
}

/// Parses a message, taking its `data` array out first.
pub fn decode<T: for<'de> Deserialize<'de>>(value: JsValue) -> Result<(T, Option<Float32Array>), String> {
    let data = Reflect::get(&value, &"data".into()).ok().and_then(|d| d.dyn_into::<Float32Array>().ok());
    if data.is_some() {
        let _ = Reflect::delete_property(value.unchecked_ref::<Object>(), &"data".into());
    }
    let msg = serde_wasm_bindgen::from_value(value).map_err(|e| e.to_string())?;
    Ok((msg, data))
}
