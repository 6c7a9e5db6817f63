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

/// One end of an interpolation: a test point (each model uses its own code of it) or a latent point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum End {
    Point(usize),
    At([f32; 2]),
}

/// A measured set of decoded samples of one model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleSet {
    pub model: usize,
    /// `prior` (N(0, I)) or `box` (uniform in the box the model's codes occupy).
    pub source: String,
    /// The sampled latent points, `[n * 2]`.
    pub points: Vec<f32>,
    /// Share of decodes as close to a real test image as the model's own reconstructions are.
    pub share: f32,
    pub threshold: f32,
}

/// Where a setup's weights come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Init {
    /// Seeded random weights.
    Fresh,
    /// The shipped pretrained file `weights/<dataset>-<kind>.lsxw` of each model (fresh where none fits).
    Pretrained,
}

/// Page → worker.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "t")]
pub enum ToWorker {
    /// Load `dataset` and build models, one per entry of `nets`, all trained on the same batches
    /// (trainer), or expect their weights (view; it loads pretrained ones itself). Paused after.
    /// With `pixels_pca`, the view also shows a PCA of the test images' pixels as the last model, with
    /// as many components as the first net's latent size.
    Setup {
        role: Role,
        dataset: DatasetName,
        nets: Vec<NetConfig>,
        train: TrainConfig,
        init: Init,
        #[serde(default)]
        pixels_pca: bool,
    },
    /// Trainer: continue from a model file's weights (in `data`) of shape `net` at `step`.
    Load { dataset: DatasetName, net: NetConfig, train: TrainConfig, step: u64 },
    /// Trainer: send every model's current weights as `Export` (for a download, or the autosave).
    Export { download: bool },
    /// Start (`true`) or pause training.
    Run { on: bool },
    /// One optimiser step (of every model), then pause.
    Step,
    /// New hyperparameters that need no new model (lr, β, warm-up, L1, noise); the view worker uses
    /// the noise for its denoising panel.
    Configure { train: TrainConfig },
    /// Warm-up benchmark: one untimed step (shader compiles happen here), then `steps` timed ones.
    Bench { steps: u32 },
    /// View: new weights (in `data`) of model `model`, of shape `net`, at `step`.
    Weights { model: usize, net: NetConfig, step: u64 },
    /// View: decode map point `zs[m]` with model `m` (None: leave that model out); only the latest
    /// pending request is served. A map point of a model with more than two latent dimensions is on
    /// its PCA plane and is mapped back (the mean in every other direction). With `index`, the click
    /// hit test point `index`: its original and reconstructions come back too.
    Decode { id: u32, zs: Vec<Option<[f32; 2]>>, index: Option<usize> },
    /// View: colour the maps by reconstruction error (per-point errors and the worst images come with
    /// each map pass) or not.
    Errors { on: bool },
    /// Your own IDX images (and labels): the view encodes them onto every map; with `train`, the
    /// trainer trains on them from now on (instead of the dataset's training split).
    Upload {
        name: String,
        #[serde(with = "serde_bytes")]
        images: Vec<u8>,
        labels: Option<serde_bytes::ByteBuf>,
        train: bool,
    },
    /// View: decode `n` samples from the prior (and, for an AE, from its codes' box) and measure them.
    Sample { n: usize, seed: u64 },
    /// View: keep painting the decoded manifold, `tiles` × `tiles` decodes over each model's region
    /// `[x0, y0, x1, y1]` (None = stop). The latest request replaces the previous one.
    Manifold { regions: Option<Vec<[f32; 4]>>, tiles: usize },
    /// View: decodes of `steps` points on the segment between two ends, for every model.
    Interpolate { a: End, b: End, steps: usize },
}

/// The test point under a click: index, label, original pixels and each model's reconstruction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointInfo {
    pub index: usize,
    pub label: u8,
    pub original: Vec<f32>,
    pub recons: Vec<Vec<f32>>,
}

/// What the view measured on one map.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct MapInfo {
    /// Latent dimensions of the codes.
    pub dim: usize,
    /// For more than two dimensions: the share of the codes' variance on the map's PCA plane.
    pub plane_share: Option<f32>,
    /// Leave-one-out 5-NN label accuracy of the map's 2-D points (first 2,000 test points).
    pub knn: f32,
    /// Mean |z| over all code units, and the share of units with |z| < 0.1.
    pub mean_abs: f32,
    pub near_zero: f32,
}

/// A denoising measurement on the reconstruction panel's images (MSE against the clean images).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Denoise {
    pub noisy_mse: f32,
    pub output_mse: f32,
}

/// Worker → page.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "t")]
pub enum FromWorker {
    /// The worker runs; `backend` is `cpu` or `webgpu`, `detail` says what it found.
    Ready { backend: String, detail: String },
    /// The dataset is loaded; the view also sends the test labels (in map order).
    DataLoaded { dataset: DatasetName, train: usize, test: usize, labels: Vec<u8> },
    /// Training progress (at most ~10 a second): each model's latest step, the throughput (samples of
    /// all models per second) and each model's (step, recon, kl) history since the last one.
    Progress {
        stats: Vec<StepStats>,
        samples_per_s: f64,
        batches_per_epoch: usize,
        running: bool,
        history: Vec<Vec<[f32; 3]>>,
    },
    /// Trainer: current weights (in `data`) of model `model` for the view worker.
    Weights { model: usize, net: NetConfig, step: u64 },
    /// Trainer: the weights of model `model` (in `data`) for a download, with its settings.
    Export { model: usize, net: NetConfig, train: TrainConfig, step: u64, download: bool },
    /// Trainer: the models now are those of a setup or a loaded file: kinds and start step per model
    /// (pretrained steps > 0).
    /// `loaded` is true after a `Load`.
    Started { dataset: DatasetName, nets: Vec<NetConfig>, steps: Vec<u64>, loaded: bool },
    /// View: the map of model `model` at `step`: in `data`, the test points' 2-D map positions
    /// (`[n * 2]`), then with `errors` their reconstruction errors (`[n]`), then `uploads` uploaded
    /// images' positions (`[u * 2]`).
    Latents { model: usize, step: u64, info: MapInfo, errors: bool, uploads: usize },
    /// View: the `items` (index, label, error) worst-reconstructed test images of model `model`, worst
    /// first; their images (`[k * 784]`) in `data`.
    Worst { model: usize, step: u64, items: Vec<(usize, u8, f32)> },
    /// View: per model its decoded image (784 floats in 0..1; empty when left out) of request `id`.
    /// `worker_ms`: the view worker's time from picking the request up to posting this answer.
    Decoded {
        id: u32,
        zs: Vec<Option<[f32; 2]>>,
        pixels: Vec<Vec<f32>>,
        point: Option<PointInfo>,
        worker_ms: f64,
    },
    /// View: the fixed test images (`[k * 784]`), with `noisy` their corrupted copies (`[k * 784]`),
    /// and model `model`'s reconstructions (of the corrupted copies when noisy) in `data`.
    Recons { model: usize, step: u64, count: usize, noisy: Option<Denoise> },
    /// View: sample sets; their decodes (`[n * 784]` each, in order) are in `data`.
    Samples { sets: Vec<SampleSet> },
    /// View: the decoded manifold of model `model` over `region`, `tiles²` images row by row from the
    /// top left, in `data`.
    Manifold { model: usize, region: [f32; 4], tiles: usize, step: u64 },
    /// View: per model the path's two ends `[xa, ya, xb, yb]`; decodes (`models × steps × 784`) in `data`.
    Interpolated { paths: Vec<[f32; 4]>, steps: usize },
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
