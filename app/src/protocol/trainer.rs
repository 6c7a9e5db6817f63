//! The trainer worker's protocol: page → trainer ([`ToTrainer`]) and trainer → page ([`FromTrainer`]).
//! The trainer's weights go to the view over their own channel ([`super::Weights`]), not to the page.

use model::train::Progress;
use model::{DatasetName, NetConfig, TrainConfig};
use serde::{Deserialize, Serialize};

use super::Init;

/// Page → trainer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "t")]
pub enum ToTrainer {
    /// The channel to the view worker (its port in `Parts::port`): weights go there from now on.
    Connect,
    /// Load `dataset` and build models, one per entry of `nets`, all trained on the same batches,
    /// for the page's run `run`. Paused after; answers `Started`.
    Setup { run: u32, dataset: DatasetName, nets: Vec<NetConfig>, train: TrainConfig, init: Init },
    /// Continue from a model file's weights (in `Parts::data`) of shape `net` at `step`, as run `run`.
    /// Answers `Started { loaded: true }`, or `Error` (and keeps the current run).
    Load { run: u32, dataset: DatasetName, net: NetConfig, train: TrainConfig, step: u64 },
    /// Send every model's current weights as `Export` (for a download, or the autosave).
    Export { download: bool },
    /// Start (`true`) or pause training.
    Run { on: bool },
    /// One optimiser step (of every model), then pause.
    Step,
    /// New hyperparameters that need no new model (lr, β, warm-up, L1, noise).
    Configure { train: TrainConfig },
    /// Warm-up benchmark: one untimed step (shader compiles happen here), then `steps` timed ones.
    Bench { steps: u32 },
    /// Train on the user's images from now on: `count` 28×28 images, their pixels (`[count * 784]`
    /// bytes) and then their labels (`[count]`) in `Parts::bytes` (already checked by the page).
    TrainOn { name: String, count: usize },
}

/// Trainer → page.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "t")]
pub enum FromTrainer {
    /// The worker runs; `backend` is `cpu` or `webgpu`, `detail` says what it found.
    Ready { backend: String, detail: String },
    /// The training set is loaded (`train` images).
    DataLoaded { dataset: DatasetName, train: usize },
    /// Training progress (at most ~10 a second, and once at a start).
    Progress(Progress),
    /// The weights of model `model` (in `Parts::data`) for a download or the autosave, with its settings.
    Export { model: usize, net: NetConfig, train: TrainConfig, step: u64, download: bool },
    /// The models now are those of run `run` (a setup, or a loaded file when `loaded`): the nets and
    /// their start steps (pretrained or loaded steps > 0).
    Started { run: u32, dataset: DatasetName, nets: Vec<NetConfig>, steps: Vec<u64>, loaded: bool },
    /// Warm-up benchmark result: the first step and the mean of the timed ones (ms).
    BenchDone { first_ms: f64, ms_per_step: f64 },
    /// Something the user should know, shown in the status line.
    Notice { msg: String },
    /// Something failed; the state before it is kept.
    Error { msg: String },
}
