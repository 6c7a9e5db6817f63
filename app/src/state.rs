//! The one app state: signals the panels read, and the only place where worker messages become signals.
//!
//! Two workers: the trainer (CPU or WebGPU) steps the optimiser; the view worker (CPU, the other core)
//! holds a copy of the weights, encodes the test points for the map and decodes clicks, so a click
//! never waits for a training step.

use std::sync::Arc;

use js_sys::Float32Array;
use leptos::prelude::*;
use model::{DatasetName, Kind, NetConfig, TrainConfig};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};

use crate::backend::Mode;
use crate::protocol::{FromWorker, Role, ToWorker};

/// A decoded latent point.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub z: Vec<f32>,
    pub pixels: Vec<f32>,
    /// When a data point was clicked: (test index, label, original, reconstruction).
    pub point: Option<(usize, u8, Vec<f32>, Vec<f32>)>,
}

/// Network shape presets: (label, hidden widths); all have a 2-D code.
pub const PRESETS: [(&str, &[usize]); 3] = [
    ("784-512-256-2 (reference)", &[512, 256]),
    ("784-256-2 (small, fast)", &[256]),
    ("784-1024-512-2 (wide)", &[1024, 512]),
];

/// The page's workers: the trainer, the view, and during a backend race the WebGPU candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Trainer,
    View,
    Candidate,
}

impl Slot {
    fn role(self) -> Role {
        if self == Slot::View { Role::View } else { Role::Trainer }
    }
}

#[derive(Default)]
struct Workers {
    trainer: Option<Worker>,
    view: Option<Worker>,
    candidate: Option<Worker>,
    /// A backend race is running; holds the CPU's warm-up ms/step once measured.
    race: Option<Option<f64>>,
    next_decode: u32,
}

/// Everything the panels show, as signals, plus the handles of the workers.
#[derive(Clone, Copy)]
pub struct AppState {
    pub dataset: RwSignal<DatasetName>,
    pub kind: RwSignal<Kind>,
    /// Index into [`PRESETS`].
    pub preset: RwSignal<usize>,
    pub lr: RwSignal<f64>,
    pub batch: RwSignal<usize>,
    pub beta: RwSignal<f32>,
    pub seed: RwSignal<u64>,
    pub batches_per_epoch: RwSignal<usize>,
    /// Fixed test images and their reconstructions (`[k * 784]` each, concatenated) and k.
    pub recons: RwSignal<Option<(Arc<Vec<f32>>, usize)>>,
    pub running: RwSignal<bool>,
    pub step: RwSignal<u64>,
    pub loss: RwSignal<Option<f32>>,
    pub samples_per_s: RwSignal<f64>,
    pub epoch: RwSignal<f64>,
    /// `cpu` or `webgpu` once the trainer runs; empty before.
    pub backend: RwSignal<String>,
    pub backend_reason: RwSignal<String>,
    pub status: RwSignal<String>,
    /// Test labels of the map's points, in order.
    pub labels: RwSignal<Arc<Vec<u8>>>,
    /// Latent codes of the map's points (`[n * 2]`) and the step they come from.
    pub latents: RwSignal<(Arc<Vec<f32>>, u64)>,
    pub decoded: RwSignal<Option<Decoded>>,
    /// (step, recon, kl) per training step.
    pub history: RwSignal<Vec<[f32; 3]>>,
    workers: StoredValue<Workers, LocalStorage>,
}

impl AppState {
    pub fn new() -> Self {
        let dataset = crate::js::query("dataset").and_then(|d| DatasetName::from_id(&d)).unwrap_or_default();
        Self {
            dataset: RwSignal::new(dataset),
            kind: RwSignal::new(Kind::Ae),
            preset: RwSignal::new(0),
            lr: RwSignal::new(1e-3),
            batch: RwSignal::new(128),
            beta: RwSignal::new(1.0),
            seed: RwSignal::new(crate::js::query("seed").and_then(|s| s.parse().ok()).unwrap_or(42)),
            batches_per_epoch: RwSignal::new(0),
            recons: RwSignal::new(None),
            running: RwSignal::new(false),
            step: RwSignal::new(0),
            loss: RwSignal::new(None),
            samples_per_s: RwSignal::new(0.0),
            epoch: RwSignal::new(0.0),
            backend: RwSignal::new(String::new()),
            backend_reason: RwSignal::new(String::new()),
            status: RwSignal::new("Loading…".into()),
            labels: RwSignal::new(Arc::new(Vec::new())),
            latents: RwSignal::new((Arc::new(Vec::new()), 0)),
            decoded: RwSignal::new(None),
            history: RwSignal::new(Vec::new()),
            workers: StoredValue::new_local(Workers::default()),
        }
    }

    /// The network and training settings the controls describe.
    fn configs(&self) -> (NetConfig, TrainConfig) {
        let hidden = PRESETS[self.preset.get_untracked() % PRESETS.len()].1.to_vec();
        let net = NetConfig { kind: self.kind.get_untracked(), hidden, ..NetConfig::default() };
        (net, self.train_config())
    }

    fn train_config(&self) -> TrainConfig {
        TrainConfig {
            lr: self.lr.get_untracked(),
            batch_size: self.batch.get_untracked(),
            beta: self.beta.get_untracked(),
            seed: self.seed.get_untracked(),
            ..TrainConfig::default()
        }
    }

    /// Sends changed hyperparameters that need no new model (learning rate, β) to the trainer.
    pub fn reconfigure(&self) {
        self.post(Slot::Trainer, &ToWorker::Configure { train: self.train_config() }, None);
    }

    fn setup(&self, slot: Slot) -> ToWorker {
        let (net, train) = self.configs();
        ToWorker::Setup { role: slot.role(), dataset: self.dataset.get_untracked(), net, train }
    }

    /// Chooses the backend and starts both workers.
    pub fn start(self) {
        leptos::task::spawn_local(async move {
            let choice = crate::backend::choose().await;
            self.backend_reason.set(choice.reason);
            if choice.mode == Mode::Race {
                self.workers.update_value(|w| w.race = Some(None));
            }
            self.spawn(Slot::View, false);
            self.spawn(Slot::Trainer, choice.mode == Mode::Gpu);
        });
    }

    fn spawn(self, slot: Slot, gpu: bool) {
        let url = if gpu { "./worker_gpu_loader.js" } else { "./worker_loader.js" };
        let opts = WorkerOptions::new();
        opts.set_type(WorkerType::Module);
        let worker = match Worker::new_with_options(url, &opts) {
            Ok(w) => w,
            Err(e) => return self.status.set(format!("could not start a worker ({url}): {e:?}")),
        };
        let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            match crate::protocol::decode::<FromWorker>(ev.data()) {
                Ok((msg, _)) if slot == Slot::Candidate => self.handle_candidate(msg),
                Ok((msg, data)) => self.handle(slot, gpu, msg, data),
                Err(e) => self.status.set(format!("bad message from a worker: {e}")),
            }
        });
        worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        onmessage.forget();
        let onerror = Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |ev: web_sys::ErrorEvent| {
            self.status.set(format!("worker error: {}", ev.message()));
        });
        worker.set_onerror(Some(onerror.as_ref().unchecked_ref()));
        onerror.forget();
        self.workers.update_value(|w| match slot {
            Slot::Trainer => w.trainer = Some(worker),
            Slot::View => w.view = Some(worker),
            Slot::Candidate => w.candidate = Some(worker),
        });
    }

    fn post(&self, slot: Slot, msg: &ToWorker, data: Option<&Float32Array>) {
        let Ok((value, transfer)) = crate::protocol::encode(msg, data) else { return };
        self.workers.with_value(|w| {
            let worker = match slot {
                Slot::Trainer => w.trainer.as_ref(),
                Slot::View => w.view.as_ref(),
                Slot::Candidate => w.candidate.as_ref(),
            };
            if let Some(worker) = worker {
                let _ = worker.post_message_with_transfer(&value, &transfer);
            }
        });
    }

    fn racing(&self) -> bool {
        self.workers.with_value(|w| w.race.is_some())
    }

    fn handle(self, slot: Slot, gpu: bool, msg: FromWorker, data: Option<Float32Array>) {
        match msg {
            FromWorker::Ready { backend, detail } => {
                if slot == Slot::Trainer {
                    if !self.racing() {
                        self.backend.set(backend);
                    }
                    self.status
                        .set(format!("{} — {detail}. Loading data…", self.backend_reason.get_untracked()));
                }
                self.post(slot, &self.setup(slot), None);
            }
            FromWorker::DataLoaded { dataset, train, test, labels } => {
                if slot == Slot::View {
                    self.labels.set(Arc::new(labels));
                } else if self.racing() {
                    self.status.set("Comparing the CPU and WebGPU in a short warm-up…".into());
                    self.post(Slot::Trainer, &ToWorker::Bench { steps: crate::backend::RACE_STEPS }, None);
                } else {
                    self.status
                        .set(format!("{}: {train} training images loaded. Press Train.", dataset.id()));
                }
                let _ = test;
            }
            FromWorker::Progress { stats, samples_per_s, history, batches_per_epoch, .. } => {
                self.batches_per_epoch.set(batches_per_epoch);
                self.step.set(stats.step);
                self.loss.set((stats.step > 0).then_some(stats.loss));
                self.samples_per_s.set(samples_per_s);
                // Train/Pause is the page's own state: a Progress in flight when the user paused must
                // not flip the button back; the worker stops by itself only on an error (see below).
                self.epoch.set(stats.epoch);
                if stats.step == 0 {
                    self.history.set(Vec::new());
                } else {
                    self.history.update(|h| h.extend(history));
                }
            }
            FromWorker::BenchDone { ms_per_step, .. } => {
                // The CPU's warm-up is done: now the WebGPU candidate's, with a deadline.
                self.workers.update_value(|w| w.race = Some(Some(ms_per_step)));
                self.spawn(Slot::Candidate, true);
                let deadline = Closure::once_into_js(move || self.finish_race(None));
                if let Some(w) = web_sys::window() {
                    let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
                        deadline.unchecked_ref(),
                        crate::backend::RACE_DEADLINE_MS,
                    );
                }
            }
            FromWorker::Weights { net, step } => {
                self.post(Slot::View, &ToWorker::Weights { net, step }, data.as_ref())
            }
            FromWorker::Latents { step, .. } => {
                if let Some(d) = data {
                    expose_map(step, &d, &self.labels.get_untracked());
                    self.latents.set((Arc::new(d.to_vec()), step));
                }
            }
            FromWorker::Decoded { z, pixels, point, .. } => {
                self.decoded.set(Some(Decoded { z, pixels, point }))
            }
            FromWorker::Recons { count, .. } => {
                if let Some(d) = data {
                    self.recons.set(Some((Arc::new(d.to_vec()), count)));
                }
            }
            FromWorker::Notice { msg } => self.status.set(msg),
            FromWorker::Error { msg } => {
                if slot == Slot::Trainer && gpu && self.backend.get_untracked().is_empty() {
                    // WebGPU did not initialise: carry on with the CPU worker.
                    self.workers.update_value(|w| w.trainer.take().into_iter().for_each(|t| t.terminate()));
                    self.backend_reason.set(format!("CPU: {msg}"));
                    self.spawn(Slot::Trainer, false);
                } else {
                    if slot == Slot::Trainer {
                        self.running.set(false);
                    }
                    self.status.set(format!("Error: {msg}"));
                }
            }
        }
    }

    /// Messages of the WebGPU candidate in a backend race: set up, warm up, report.
    fn handle_candidate(self, msg: FromWorker) {
        match msg {
            FromWorker::Ready { .. } => self.post(Slot::Candidate, &self.setup(Slot::Candidate), None),
            FromWorker::DataLoaded { .. } => {
                self.post(Slot::Candidate, &ToWorker::Bench { steps: crate::backend::RACE_STEPS }, None)
            }
            FromWorker::BenchDone { ms_per_step, .. } => self.finish_race(Some(ms_per_step)),
            FromWorker::Error { .. } => self.finish_race(None),
            _ => {}
        }
    }

    /// Ends a backend race: keeps the faster worker, stops the other, and starts it from step 0.
    fn finish_race(self, gpu_ms: Option<f64>) {
        let Some(Some(cpu_ms)) = self.workers.with_value(|w| w.race) else { return };
        let (use_gpu, reason) = crate::backend::verdict(cpu_ms, gpu_ms);
        self.workers.update_value(|w| {
            w.race = None;
            let loser = match (use_gpu, w.candidate.take()) {
                (true, Some(gpu)) => w.trainer.replace(gpu),
                (_, other) => other,
            };
            loser.into_iter().for_each(|l| l.terminate());
        });
        self.backend.set(if use_gpu { "webgpu" } else { "cpu" }.into());
        self.backend_reason.set(reason);
        self.restart();
    }

    /// Starts or pauses training.
    pub fn set_running(&self, on: bool) {
        self.running.set(on);
        let backend = self.backend.get_untracked();
        self.status.set(if on { format!("Training on {backend}…") } else { "Paused.".into() });
        self.post(Slot::Trainer, &ToWorker::Run { on }, None);
    }

    /// One optimiser step.
    pub fn single_step(&self) {
        self.post(Slot::Trainer, &ToWorker::Step, None);
    }

    /// Rebuilds the model from the current controls (dataset or model changed, or Reset): training
    /// restarts cleanly from step 0 and nothing else is lost.
    pub fn restart(&self) {
        self.running.set(false);
        self.step.set(0);
        self.loss.set(None);
        self.history.set(Vec::new());
        self.latents.set((Arc::new(Vec::new()), 0));
        self.decoded.set(None);
        self.recons.set(None);
        self.status.set(format!("Loading {}…", self.dataset.get_untracked().id()));
        self.post(Slot::View, &self.setup(Slot::View), None);
        self.post(Slot::Trainer, &self.setup(Slot::Trainer), None);
    }

    /// Asks the view worker to decode latent point `z` (a newer request replaces a pending one).
    /// With `index`, the point is test image `index` (its original and reconstruction come back too).
    pub fn decode(&self, z: [f32; 2], index: Option<usize>) {
        let mut id = 0;
        self.workers.update_value(|w| {
            w.next_decode += 1;
            id = w.next_decode;
        });
        self.post(Slot::View, &ToWorker::Decode { id, z: z.to_vec(), index }, None);
    }
}

impl Default for AppState {
    fn default() -> Self {
        Self::new()
    }
}

/// Publishes the map's data read-only as `window.lsxMap = {step, points, labels}` for tests and the bench.
fn expose_map(step: u64, points: &Float32Array, labels: &[u8]) {
    let Some(w) = web_sys::window() else { return };
    let obj = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&obj, &"step".into(), &(step as f64).into());
    let _ = js_sys::Reflect::set(&obj, &"points".into(), points);
    let _ = js_sys::Reflect::set(&obj, &"labels".into(), &js_sys::Uint8Array::from(labels));
    let _ = js_sys::Reflect::set(&w, &"lsxMap".into(), &obj);
}
