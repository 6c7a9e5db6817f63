//! The view worker's protocol: page → view ([`ToView`]) and view → page ([`FromView`]). The view
//! also hears [`super::Weights`] from the trainer over their channel.

use model::data::degrade::Half;
use model::latent::Metric;
use model::{DatasetName, NetConfig, Noise};
use serde::{Deserialize, Serialize};

use super::{Fault, Init};

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
    /// The sampled latent points' map positions, `[n * 2]` (n ≤ 100: small enough for serde).
    pub points: Vec<f32>,
    /// Share of decodes as close to a real test image as the model's own reconstructions are.
    pub share: f32,
    pub threshold: f32,
}

/// What the view measured on one map.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct MapInfo {
    /// Latent dimensions of the codes.
    pub dim: usize,
    /// For more than two dimensions: the share of the codes' variance on the map's PCA plane.
    pub plane_share: Option<f32>,
    /// Leave-one-out 5-NN label accuracy of the map's 2-D points (first 1,000 test points).
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

/// The clicked test point of a decode: its index and label (its images travel in `Parts::data`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClickedPoint {
    pub index: usize,
    pub label: u8,
}

/// One item of the lectures panel, asked of the view; kept and served again whenever a model's
/// weights change. `index`: a test image, or None for the user's drawing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "item", rename_all = "lowercase")]
pub enum Lecture {
    /// Model 0's nearest test images by code (`metric`) beside the nearest by pixels.
    Neighbours { index: Option<usize>, metric: Metric },
    /// Model 0's decodes as one code unit (`unit`; None: every unit) sweeps its range, the others fixed.
    Traverse { index: Option<usize>, unit: Option<usize> },
    /// Each model's posterior of the image: μ, σ and decoded draws z = μ + σ·ε (an AE: its one code).
    Posterior { index: Option<usize> },
    /// The image with `half` hidden (with `painted`, the mask in `Parts::bytes`: 784 bytes, 1 = hidden).
    Complete { index: Option<usize>, half: Half, painted: bool },
    /// The image at 1/`factor` of its resolution.
    Superres { index: Option<usize>, factor: u8 },
    /// Each model's test reconstruction error at its code size.
    Compression,
    /// Linear probes on each model's codes of training images, and on PCA of their pixels.
    Probe,
}

/// One unit's sweep: the range swept, how much the unit varies over the test codes, and how much the
/// decodes change along the sweep (mean |first − last| per pixel).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct UnitSweep {
    pub unit: usize,
    pub lo: f32,
    pub hi: f32,
    pub variance: f32,
    pub change: f32,
}

/// One model's posterior of the image on its map: μ, the covariance `[xx, xy, yy]` of the Gaussian
/// on the map's axes (None: an AE), the draws' map positions (`[n * 2]`) and σ per code unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelPosterior {
    pub model: usize,
    pub mean: [f32; 2],
    pub cov: Option<[f32; 3]>,
    pub draws: Vec<f32>,
    pub sigma: Vec<f32>,
}

/// One model's output on a degraded input: its error on the shown image and its mean error over
/// the first test images, beside a plain model's (the shipped one, never trained on the
/// degradation; None when there is none of this shape).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Repair {
    pub model: usize,
    pub output: f32,
    pub set_output: f32,
    pub set_plain: Option<f32>,
}

/// One linear probe's test accuracy on `dim` features (`model` None: PCA of the pixels).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ProbeFigure {
    pub model: Option<usize>,
    pub dim: usize,
    pub accuracy: f32,
    pub train: usize,
    pub test: usize,
}

/// The view's answer to a [`Lecture`], at model 0's step `step`. Images in `Parts::data`, as each
/// variant says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "item", rename_all = "lowercase")]
pub enum LectureResult {
    /// (index, label, distance) each, nearest first. Images: the query, the code neighbours, the
    /// pixel neighbours.
    Neighbours { label: Option<u8>, by_code: Vec<(usize, u8, f32)>, by_pixels: Vec<(usize, u8, f32)> },
    /// Images: the query, then `steps` decodes per unit in `units` order.
    Traverse { units: Vec<UnitSweep>, steps: usize },
    /// Images: the query, then per model its draws' decodes (an AE: its reconstruction).
    Posterior { models: Vec<ModelPosterior> },
    /// `input`: the degraded image's error; `set_input`: over the first test images. Images: the
    /// original, the degraded input, then each model's output in `models` order.
    Degraded { input: f32, set_input: f32, images: usize, models: Vec<Repair> },
    /// (model, code size, test MSE over `images` test images) per network model.
    Compression { models: Vec<(usize, usize, f32)>, images: usize },
    /// Each network model's probe, then the pixel PCA's with as many dimensions as model 0's code.
    Probe { probes: Vec<ProbeFigure>, ms: f64 },
}

/// Page → view.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "t")]
pub enum ToView {
    /// The channel from the trainer (its port in `Parts::port`), replacing any earlier one.
    Connect,
    /// Load `dataset`'s test split and expect the weights of run `run`'s `nets` (the shipped
    /// pretrained ones are loaded here at once with `init: Pretrained`). With `pixels_pca`, a PCA of
    /// the test images' pixels is shown as the last model, with as many components as the first net's
    /// latent size. `noise` corrupts the reconstruction panel's inputs (denoising).
    Setup { run: u32, dataset: DatasetName, nets: Vec<NetConfig>, init: Init, noise: Noise, pixels_pca: bool },
    /// Decode map point `zs[m]` with model `m` (None: leave that model out); only the latest pending
    /// request is served. A map point of a model with more than two latent dimensions is on its PCA
    /// plane and is mapped back. With `index`, the click hit test point `index`: its original and
    /// reconstructions come back too.
    Decode { id: u32, zs: Vec<Option<[f32; 2]>>, index: Option<usize> },
    /// The reconstruction panel's input corruption changed.
    Configure { noise: Noise },
    /// Colour the maps by reconstruction error (per-point errors and the worst images come with each
    /// map pass) or not.
    Errors { on: bool },
    /// The user's images, encoded onto every map: `count` images' pixels (`[count * 784]` bytes) then
    /// their labels (`[count]`) in `Parts::bytes`, already checked by the page.
    Upload { name: String, count: usize },
    /// The user's drawing (784 bytes, MNIST-like, in `Parts::bytes`; none: the pad was cleared): kept
    /// and encoded by every model, again whenever a model's weights change.
    Probe,
    /// Decode `n` samples from the prior (and, for an AE, from its codes' box) and measure them.
    Sample { n: usize, seed: u64 },
    /// Keep painting the decoded manifold, `tiles` × `tiles` decodes over each model's region
    /// `[x0, y0, x1, y1]` (None = stop). The latest request replaces the previous one.
    Manifold { regions: Option<Vec<[f32; 4]>>, tiles: usize },
    /// Decodes of `steps` points on the segment between two ends, for every model.
    Interpolate { a: End, b: End, steps: usize },
    /// Keep serving this lectures item (None: stop).
    Lecture { lecture: Option<Lecture> },
    /// Explore a model opened from ONNX files in place of the run's models (until the next `Setup`):
    /// `Parts::bytes` holds the encoder's `encoder` bytes, then the decoder's. `scaling`: how the
    /// model takes pixels (`0-1`, `-1-1`, or `mean/std` as `0.5/0.25`). Only the ONNX view worker
    /// opens them; the others say so.
    Open { name: String, encoder: usize, scaling: String },
    /// The opened model's images, mapped in place of the test set: `count` images of the model's
    /// size in `Parts::bytes` (`h × w × c` bytes each, channels interleaved), then a label byte each.
    OwnImages { name: String, count: usize },
    /// Codes to map for a decoder opened alone: `count` codes of `dim` numbers in `Parts::data`.
    OwnCodes { name: String, count: usize, dim: usize, labels: Vec<u8> },
    /// The page's heartbeat: answered with `Pong` at once.
    Ping,
    /// A test's fault (see [`Fault`]).
    Fault { fault: Fault },
}

/// View → page.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "t")]
pub enum FromView {
    /// The worker runs; `backend` is `cpu`, `detail` says what it found.
    Ready { backend: String, detail: String },
    /// The test split is loaded: `test` images; the map's labels (in map order) in `Parts::bytes`.
    DataLoaded { dataset: DatasetName, test: usize },
    /// The map of model `model` at `step`: in `Parts::data`, the test points' 2-D map positions
    /// (`[n * 2]`), then with `errors` their reconstruction errors (`[n]`), then `uploads` uploaded
    /// images' positions (`[u * 2]`).
    Latents { model: usize, step: u64, info: MapInfo, errors: bool, uploads: usize },
    /// The `items` (index, label, error) worst-reconstructed test images of model `model`, worst
    /// first; their images (`[k * 784]`) in `Parts::data`.
    Worst { model: usize, step: u64, items: Vec<(usize, u8, f32)> },
    /// The answer to decode request `id`. `decoded[m]` says whether model `m` decoded its point; in
    /// `Parts::data` come those models' images (784 floats in 0..1 each, in model order), then with
    /// `point` the clicked test image and one reconstruction of it per entry of `decoded`.
    /// `worker_ms`: the view worker's time from picking the request up to posting this answer.
    Decoded {
        id: u32,
        zs: Vec<Option<[f32; 2]>>,
        decoded: Vec<bool>,
        point: Option<ClickedPoint>,
        worker_ms: f64,
    },
    /// The drawing encoded: its map position on each model (None: no weights yet) and model 0's
    /// `nearest` test images by distance between codes (index, label, distance), nearest first. In
    /// `Parts::data`: each model's reconstruction of the drawing (784 floats, blank without weights),
    /// then the nearest test images.
    Probed { points: Vec<Option<[f32; 2]>>, nearest: Vec<(usize, u8, f32)> },
    /// The first `count` uploaded images as the models saw them, then each model's reconstructions
    /// of them (`[count * 784]` each; blank without weights), in `Parts::data`.
    UploadRecons { count: usize },
    /// The fixed test images (`[k * 784]`), with `noisy` their corrupted copies (`[k * 784]`), and
    /// model `model`'s reconstructions (of the corrupted copies when noisy), in `Parts::data`.
    Recons { model: usize, step: u64, count: usize, noisy: Option<Denoise> },
    /// Sample sets; their decodes (`[n * 784]` each, in order) in `Parts::data`.
    Samples { sets: Vec<SampleSet> },
    /// The decoded manifold of model `model` over `region`, `tiles²` images row by row from the top
    /// left, in `Parts::data`.
    Manifold { model: usize, region: [f32; 4], tiles: usize, step: u64 },
    /// Per model the path's two ends `[xa, ya, xb, yb]`; decodes (`models × steps × 784`) in `Parts::data`.
    Interpolated { paths: Vec<[f32; 4]>, steps: usize },
    /// The answer to lectures request `lecture`, at model 0's step.
    Lecture { step: u64, lecture: Lecture, result: LectureResult },
    /// A model opened from files is explored now: `summary` says what was found (layout, image size,
    /// code size, μ and log σ²); `latent` is its code size.
    /// `shape` is its images' `[w, h, c]`; `encoder`: it has one; `mapped`: the test set is mapped
    /// (else the page sends the model's own images or codes).
    Opened {
        name: String,
        summary: String,
        latent: usize,
        log_var: bool,
        shape: [usize; 3],
        encoder: bool,
        mapped: bool,
    },
    /// Something the user should know, shown in the status line.
    Notice { msg: String },
    /// Something failed; the state before it is kept.
    Error { msg: String },
    /// The heartbeat's answer, with the worker's wasm memory in bytes.
    Pong { wasm_bytes: f64 },
    /// The worker panicked and is unusable from now on: the page replaces it.
    Crashed { msg: String },
}
