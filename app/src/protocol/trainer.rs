//! The trainer worker's protocol: page → trainer ([`ToTrainer`]) and trainer → page ([`FromTrainer`]).
//! The trainer's weights go to the view over their own channel ([`super::Weights`]), not to the page.

use model::train::Progress;
use model::{DatasetName, NetConfig, TrainConfig};
use serde::{Deserialize, Serialize};

use super::{Fault, Init};

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
    /// Continue from the page's last snapshot of every model after the trainer before this one
    /// stopped: their parameters one after the other in `Parts::data`, `nets[i]` at `steps[i]`, as run
    /// `run`. Answers `Started { loaded: false }`.
    Restore { run: u32, dataset: DatasetName, nets: Vec<NetConfig>, train: TrainConfig, steps: Vec<u64> },
    /// Send every model's current weights as `Export` (a download, the autosave, or the page's snapshot).
    Export { purpose: ExportFor },
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
    /// The page's heartbeat: answered with `Pong` between steps.
    Ping,
    /// A test's fault (see [`Fault`]).
    Fault { fault: Fault },
}

/// What a weights export is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExportFor {
    Download,
    Autosave,
    /// Only the page's in-memory snapshot, from which a replacement trainer carries on.
    Snapshot,
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
    /// The weights of model `model` (in `Parts::data`) with its settings; for a download, and for the
    /// autosave of model 0, also its model file (in `Parts::bytes`, built by the trainer).
    Export { model: usize, net: NetConfig, train: TrainConfig, step: u64, purpose: ExportFor },
    /// The models now are those of run `run` (a setup, or a loaded file when `loaded`): the nets and
    /// their start steps (pretrained or loaded steps > 0).
    Started { run: u32, dataset: DatasetName, nets: Vec<NetConfig>, steps: Vec<u64>, loaded: bool },
    /// Warm-up benchmark result: the first step and the mean of the timed ones (ms).
    BenchDone { first_ms: f64, ms_per_step: f64 },
    /// Something the user should know, shown in the status line.
    Notice { msg: String },
    /// Something failed; the state before it is kept.
    Error { msg: String },
    /// The heartbeat's answer, with the worker's wasm memory in bytes.
    Pong { wasm_bytes: f64 },
    /// The WebGPU device was lost (the browser's reason): the page carries on on the CPU.
    DeviceLost { reason: String },
    /// The worker panicked and is unusable from now on: the page replaces it.
    Crashed { msg: String },
}
