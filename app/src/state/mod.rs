//! The page's state, split by concern: the controls' settings, training progress, one [`MapState`]
//! per map, what the user is exploring, kept work, the screen's layout and when training stops by
//! itself. Only [`dispatch`] turns worker messages into signals; only [`pool`] talks to the workers.
//!
//! Two workers: the trainer (CPU or WebGPU) steps the optimiser and sends its weights straight to the
//! view worker (CPU, the other core), which encodes the test points for the maps and decodes clicks,
//! so a click never waits for a training step.

use std::sync::Arc;

use leptos::prelude::*;
use model::{Arch, DatasetName, Kind, NetConfig, Noise, StepStats, TrainConfig};

mod actions;
mod autostop;
mod dispatch;
mod drawing;
mod faults;
mod first_map;
mod lectures;
mod map;
mod mode;
mod own;
mod pool;
mod records;
mod recovery;
mod screen;
mod work;

pub use autostop::AutoStop;
pub use drawing::Drawing;
pub use lectures::{Answer, Curve, CurvePoint, Item, Lectures};
pub use map::MapState;
pub use mode::{MapMode, kind_name};
pub use screen::{Fit, Screen};
pub use work::Upload;

use crate::protocol::view::{End, SampleSet};
use pool::Pool;

/// Maps shown at once: one, or two side by side.
pub const MAX_MODELS: usize = 2;

/// A map snapshot for the replay: the step and each model's codes of the test points.
pub type Snapshot = (u64, [Option<Arc<Vec<f32>>>; MAX_MODELS]);

/// Fixed test images then their reconstructions (`[k * 784]` each), and k.
pub type Recons = (Arc<Vec<f32>>, usize);

/// The test point under a click: index, label, original pixels and each model's reconstruction.
#[derive(Debug, Clone, PartialEq)]
pub struct PointInfo {
    pub index: usize,
    pub label: u8,
    pub original: Vec<f32>,
    pub recons: Vec<Vec<f32>>,
}

/// A decoded latent point.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// Per model the map point decoded (None: that model was left out).
    pub zs: Vec<Option<[f32; 2]>>,
    /// One image per model (empty: left out).
    pub pixels: Vec<Vec<f32>>,
    /// When a data point was clicked: its original and each model's reconstruction.
    pub point: Option<PointInfo>,
}

/// The worst-reconstructed test images of a model: (index, label, error) and their pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct Worst {
    pub items: Vec<(usize, u8, f32)>,
    pub images: Arc<Vec<f32>>,
}

/// Decoded samples: the sets (one per model and source) and their images (`[n * 784]` per set).
#[derive(Debug, Clone, PartialEq)]
pub struct Samples {
    pub sets: Vec<SampleSet>,
    pub images: Arc<Vec<f32>>,
}

/// An interpolation: per model the path `[xa, ya, xb, yb]` and the strip of decodes.
#[derive(Debug, Clone, PartialEq)]
pub struct Interpolation {
    pub paths: Vec<[f32; 4]>,
    pub steps: usize,
    pub images: Arc<Vec<f32>>,
}

/// A decoded manifold: `tiles²` images over `region` (`[x0, y0, x1, y1]`), and the same images as
/// one grid of soft pixels for the map's background ([`crate::plot::manifold_pixels`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Manifold {
    pub region: [f32; 4],
    pub tiles: usize,
    pub images: Arc<Vec<f32>>,
    pub pixels: Arc<Vec<[u8; 4]>>,
    /// Each image's width and height.
    pub tile: (usize, usize),
}

impl Manifold {
    pub fn new(region: [f32; 4], tiles: usize, images: Vec<f32>) -> Self {
        let shape = crate::components::image_shape();
        let pixels = Arc::new(crate::plot::manifold_pixels(tiles, &images, shape));
        Self { region, tiles, images: Arc::new(images), pixels, tile: (shape.0, shape.1) }
    }
}

/// The batch sizes the settings offer (`?batch=N` picks one).
pub const BATCHES: [usize; 4] = [32, 64, 128, 256];

/// Network shape presets: (label, hidden widths).
pub const PRESETS: [(&str, &[usize]); 3] = [
    ("784-512-256-2 (reference)", &[512, 256]),
    ("784-256-2 (small, fast)", &[256]),
    ("784-1024-512-2 (wide)", &[1024, 512]),
];

/// What the controls set: data, models, network and hyperparameters.
#[derive(Clone, Copy)]
pub struct Settings {
    pub dataset: RwSignal<DatasetName>,
    pub mode: RwSignal<MapMode>,
    /// Index into [`PRESETS`].
    pub preset: RwSignal<usize>,
    /// Hidden widths of a loaded model that match no preset.
    pub custom_hidden: RwSignal<Option<Vec<usize>>>,
    /// MLP or convolutional networks.
    pub arch: RwSignal<Arch>,
    /// Latent dimensions (2..=32); above 2 the maps show a PCA plane of the codes.
    pub latent: RwSignal<usize>,
    pub lr: RwSignal<f64>,
    pub batch: RwSignal<usize>,
    pub beta: RwSignal<f32>,
    /// KL warm-up: β rises linearly from 0 over this many steps.
    pub warmup: RwSignal<u64>,
    /// Input corruption (denoising AE) and the L1 weight on the code (sparse AE).
    pub noise: RwSignal<Noise>,
    pub l1: RwSignal<f32>,
    pub seed: RwSignal<u64>,
    /// Open with the shipped pretrained models (`?pretrained=0` turns it off; "From scratch" too).
    pub pretrained: RwSignal<bool>,
}

impl Settings {
    fn new() -> Self {
        let query = crate::js::query;
        Self {
            dataset: RwSignal::new(
                query("dataset").and_then(|d| DatasetName::from_id(&d)).unwrap_or_default(),
            ),
            mode: RwSignal::new(MapMode::from_query(query).unwrap_or_default()),
            preset: RwSignal::new(0),
            custom_hidden: RwSignal::new(None),
            arch: RwSignal::new(Arch::Mlp),
            latent: RwSignal::new(2),
            lr: RwSignal::new(1e-3),
            // 64, not 128: measured over 4 seeds (native, fast start), a 2-D map from scratch reaches
            // k-NN(5) 0.6 in as many steps at half the images per step, ≈ 25 % sooner.
            batch: RwSignal::new(
                query("batch").and_then(|b| b.parse().ok()).filter(|b| BATCHES.contains(b)).unwrap_or(64),
            ),
            beta: RwSignal::new(1.0),
            warmup: RwSignal::new(0),
            noise: RwSignal::new(Noise::None),
            l1: RwSignal::new(0.0),
            seed: RwSignal::new(query("seed").and_then(|s| s.parse().ok()).unwrap_or(42)),
            pretrained: RwSignal::new(query("pretrained").is_none_or(|v| v != "0")),
        }
    }

    /// The networks (same sizes, one per trained kind) the controls describe.
    pub fn nets(&self) -> Vec<NetConfig> {
        let preset = PRESETS[self.preset.get_untracked() % PRESETS.len()].1.to_vec();
        let hidden = self.custom_hidden.get_untracked().unwrap_or(preset);
        let (arch, latent) = (self.arch.get_untracked(), self.latent.get_untracked());
        let kinds = self.mode.get_untracked().kinds();
        kinds
            .into_iter()
            .map(|kind| NetConfig { kind, arch, latent, hidden: hidden.clone(), ..NetConfig::default() })
            .collect()
    }

    /// The training settings the controls describe.
    pub fn train(&self) -> TrainConfig {
        TrainConfig {
            lr: self.lr.get_untracked(),
            batch_size: self.batch.get_untracked(),
            beta: self.beta.get_untracked(),
            kl_warmup: self.warmup.get_untracked(),
            seed: self.seed.get_untracked(),
            l1: self.l1.get_untracked(),
            noise: self.noise.get_untracked(),
            // The page's runs start fast (a sorted map sooner); files and the CLI keep what they say.
            fast_start: true,
        }
    }
}

/// How training goes, as the trainer reports it.
#[derive(Clone, Copy)]
pub struct Training {
    pub running: RwSignal<bool>,
    pub step: RwSignal<u64>,
    /// The step the current models started from (> 0: pretrained or loaded from a file).
    pub start_step: RwSignal<u64>,
    pub loss: RwSignal<Option<f32>>,
    pub samples_per_s: RwSignal<f64>,
    pub epoch: RwSignal<f64>,
    pub batches_per_epoch: RwSignal<usize>,
    /// Per model: the latest step's figures (its batch digest shows both saw the same batches).
    pub stats: RwSignal<Vec<StepStats>>,
    /// `cpu` or `webgpu` once the trainer runs; empty before.
    pub backend: RwSignal<String>,
    pub backend_reason: RwSignal<String>,
    /// The WebGPU trainer failed and the CPU took over; WebGPU can be tried again.
    pub gpu_lost: RwSignal<bool>,
}

impl Training {
    fn new() -> Self {
        Self {
            running: RwSignal::new(false),
            step: RwSignal::new(0),
            start_step: RwSignal::new(0),
            loss: RwSignal::new(None),
            samples_per_s: RwSignal::new(0.0),
            epoch: RwSignal::new(0.0),
            batches_per_epoch: RwSignal::new(0),
            stats: RwSignal::new(Vec::new()),
            backend: RwSignal::new(String::new()),
            backend_reason: RwSignal::new(String::new()),
            gpu_lost: RwSignal::new(false),
        }
    }
}

/// What the user explores on the maps: the test labels, decodes, samples, interpolation, manifold,
/// colouring by error and their own images.
#[derive(Clone, Copy)]
pub struct Explore {
    /// Test labels of the map's points, in order.
    pub labels: RwSignal<Arc<Vec<u8>>>,
    pub decoded: RwSignal<Option<Decoded>>,
    pub samples: RwSignal<Option<Samples>>,
    pub interpolation: RwSignal<Option<Interpolation>>,
    /// Ends picked so far for the next interpolation (picking while `Some`).
    pub picking: RwSignal<Option<Vec<End>>>,
    /// Paint each map's background with decodes of its visible region.
    pub manifold_on: RwSignal<bool>,
    /// Colour the maps by reconstruction error instead of label.
    pub by_error: RwSignal<bool>,
    /// The last valid upload, and its first images with each model's reconstructions (count, pixels).
    pub upload: RwSignal<Option<Upload>>,
    pub upload_recons: RwSignal<Option<(usize, Arc<Vec<f32>>)>>,
    /// The user's drawing and what the models made of it; the pad shown instead of the decodes.
    pub drawing: RwSignal<Option<Drawing>>,
    pub draw_open: RwSignal<bool>,
}

impl Explore {
    fn new() -> Self {
        Self {
            labels: RwSignal::new(Arc::new(Vec::new())),
            decoded: RwSignal::new(None),
            samples: RwSignal::new(None),
            interpolation: RwSignal::new(None),
            picking: RwSignal::new(None),
            manifold_on: RwSignal::new(false),
            by_error: RwSignal::new(false),
            upload: RwSignal::new(None),
            upload_recons: RwSignal::new(None),
            drawing: RwSignal::new(None),
            draw_open: RwSignal::new(false),
        }
    }
}

/// Kept work: replay snapshots and the autosave.
#[derive(Clone, Copy)]
pub struct Work {
    /// Map snapshots taken as training goes (about every tenth of an epoch), for the replay.
    pub snapshots: RwSignal<Vec<Snapshot>>,
    /// The snapshot being replayed (None = live).
    pub replay: RwSignal<Option<usize>>,
    /// An autosave from an earlier visit that can be resumed: its step.
    pub resumable: RwSignal<Option<u64>>,
    /// The step of the last autosave of this visit.
    pub autosaved: RwSignal<Option<u64>>,
    /// Why autosave is off in this tab (storage unavailable or full), once it is.
    pub autosave_off: RwSignal<Option<String>>,
    /// A worker's panic, shown in the error panel until dismissed.
    pub crash: RwSignal<Option<String>>,
    /// A model opened from ONNX files is shown: its files and what the view found in them.
    pub own: RwSignal<Option<String>>,
    /// The opened model's own classes (from its images' folders or its codes' metadata).
    pub own_classes: RwSignal<Option<Vec<String>>>,
    /// This tab has said that another tab saves here too.
    pub told_other_tab: StoredValue<bool>,
}

impl Work {
    fn new() -> Self {
        Self {
            snapshots: RwSignal::new(Vec::new()),
            replay: RwSignal::new(None),
            resumable: RwSignal::new(None),
            autosaved: RwSignal::new(None),
            autosave_off: RwSignal::new(None),
            crash: RwSignal::new(None),
            own: RwSignal::new(None),
            own_classes: RwSignal::new(None),
            told_other_tab: StoredValue::new(false),
        }
    }
}

/// Everything the panels show, as signals grouped by concern, plus the worker pool.
#[derive(Clone, Copy)]
pub struct AppState {
    pub settings: Settings,
    pub training: Training,
    pub maps: [MapState; MAX_MODELS],
    pub explore: Explore,
    pub lectures: Lectures,
    pub work: Work,
    pub screen: Screen,
    pub autostop: AutoStop,
    /// The status line: notices and errors, each shown once.
    pub status: RwSignal<String>,
    pool: StoredValue<Pool, LocalStorage>,
}

impl AppState {
    pub fn new() -> Self {
        Self {
            settings: Settings::new(),
            training: Training::new(),
            maps: [MapState::new(), MapState::new()],
            explore: Explore::new(),
            lectures: Lectures::new(),
            work: Work::new(),
            screen: Screen::new(),
            autostop: AutoStop::new(),
            status: RwSignal::new("Loading…".into()),
            pool: StoredValue::new_local(Pool::default()),
        }
    }

    /// The map mode (tracked).
    pub fn mode(&self) -> MapMode {
        self.settings.mode.get()
    }

    /// Whether two maps are shown (tracked).
    pub fn two_maps(&self) -> bool {
        self.mode().maps() == 2
    }

    /// The names of the map's classes (an opened model's own, else the dataset's), tracked.
    pub fn class_names(&self) -> Vec<String> {
        match self.work.own_classes.get() {
            Some(own) => own,
            None => self.settings.dataset.get().class_names().iter().map(|s| s.to_string()).collect(),
        }
    }

    /// The kind of map `map`'s network (None: the pixel PCA), tracked.
    pub fn kind(&self, map: usize) -> Option<Kind> {
        self.mode().kind(map)
    }

    /// Shows an error or notice in the status line (and keeps it in `window.lsxSaid`,
    /// for tests and a person in the console: a message is often replaced within a second).
    pub fn say(&self, msg: impl Into<String>) {
        let msg = msg.into();
        records::record_said(&msg);
        self.status.set(msg);
    }
}

impl Default for AppState {
    fn default() -> Self {
        Self::new()
    }
}
