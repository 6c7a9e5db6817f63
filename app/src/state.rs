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

use crate::protocol::{FromWorker, Role, ToWorker};

/// A decoded latent point.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub z: Vec<f32>,
    pub pixels: Vec<f32>,
}

#[derive(Default)]
struct Workers {
    trainer: Option<Worker>,
    view: Option<Worker>,
    next_decode: u32,
}

/// Everything the panels show, as signals, plus the handles of the workers.
#[derive(Clone, Copy)]
pub struct AppState {
    pub dataset: RwSignal<DatasetName>,
    pub kind: RwSignal<Kind>,
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
        let seed = crate::js::query("seed").and_then(|s| s.parse().ok()).unwrap_or(42);
        (
            NetConfig { kind: self.kind.get_untracked(), ..NetConfig::default() },
            TrainConfig { seed, ..TrainConfig::default() },
        )
    }

    fn setup(&self, role: Role) -> ToWorker {
        let (net, train) = self.configs();
        ToWorker::Setup { role, dataset: self.dataset.get_untracked(), net, train }
    }

    /// Chooses the backend and starts both workers.
    pub fn start(self) {
        leptos::task::spawn_local(async move {
            let choice = crate::backend::choose().await;
            self.backend_reason.set(choice.reason);
            self.spawn(Role::View, false);
            self.spawn(Role::Trainer, choice.gpu);
        });
    }

    fn spawn(self, role: Role, gpu: bool) {
        let url = if gpu { "./worker_gpu_loader.js" } else { "./worker_loader.js" };
        let opts = WorkerOptions::new();
        opts.set_type(WorkerType::Module);
        let worker = match Worker::new_with_options(url, &opts) {
            Ok(w) => w,
            Err(e) => return self.status.set(format!("could not start a worker ({url}): {e:?}")),
        };
        let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            match crate::protocol::decode::<FromWorker>(ev.data()) {
                Ok((msg, data)) => self.handle(role, gpu, msg, data),
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
        self.workers.update_value(|w| match role {
            Role::Trainer => w.trainer = Some(worker),
            Role::View => w.view = Some(worker),
        });
    }

    fn post(&self, role: Role, msg: &ToWorker, data: Option<&Float32Array>) {
        let Ok((value, transfer)) = crate::protocol::encode(msg, data) else { return };
        self.workers.with_value(|w| {
            let worker = match role {
                Role::Trainer => w.trainer.as_ref(),
                Role::View => w.view.as_ref(),
            };
            if let Some(worker) = worker {
                let _ = worker.post_message_with_transfer(&value, &transfer);
            }
        });
    }

    fn handle(self, role: Role, gpu: bool, msg: FromWorker, data: Option<Float32Array>) {
        match msg {
            FromWorker::Ready { backend, detail } => {
                if role == Role::Trainer {
                    self.backend.set(backend);
                    self.status
                        .set(format!("{} — {detail}. Loading data…", self.backend_reason.get_untracked()));
                }
                self.post(role, &self.setup(role), None);
            }
            FromWorker::DataLoaded { dataset, train, test, labels } => {
                if role == Role::View {
                    self.labels.set(Arc::new(labels));
                } else {
                    self.status
                        .set(format!("{}: {train} training images loaded. Press Train.", dataset.id()));
                }
                let _ = test;
            }
            FromWorker::Progress { stats, samples_per_s, running, history, .. } => {
                self.step.set(stats.step);
                self.loss.set((stats.step > 0).then_some(stats.loss));
                self.samples_per_s.set(samples_per_s);
                self.epoch.set(stats.epoch);
                self.running.set(running);
                if stats.step == 0 {
                    self.history.set(Vec::new());
                } else {
                    self.history.update(|h| h.extend(history));
                }
            }
            FromWorker::Weights { net, step } => {
                self.post(Role::View, &ToWorker::Weights { net, step }, data.as_ref())
            }
            FromWorker::Latents { step, .. } => {
                if let Some(d) = data {
                    expose_map(step, &d, &self.labels.get_untracked());
                    self.latents.set((Arc::new(d.to_vec()), step));
                }
            }
            FromWorker::Decoded { z, pixels, .. } => self.decoded.set(Some(Decoded { z, pixels })),
            FromWorker::Notice { msg } => self.status.set(msg),
            FromWorker::Error { msg } => {
                if role == Role::Trainer && gpu && self.backend.get_untracked().is_empty() {
                    // WebGPU did not initialise: carry on with the CPU worker.
                    self.workers.update_value(|w| w.trainer.take().into_iter().for_each(|t| t.terminate()));
                    self.backend_reason.set(format!("CPU: {msg}"));
                    self.spawn(Role::Trainer, false);
                } else {
                    self.status.set(format!("Error: {msg}"));
                }
            }
        }
    }

    /// Starts or pauses training.
    pub fn set_running(&self, on: bool) {
        self.running.set(on);
        let backend = self.backend.get_untracked();
        self.status.set(if on { format!("Training on {backend}…") } else { "Paused.".into() });
        self.post(Role::Trainer, &ToWorker::Run { on }, None);
    }

    /// One optimiser step.
    pub fn single_step(&self) {
        self.post(Role::Trainer, &ToWorker::Step, None);
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
        self.status.set(format!("Loading {}…", self.dataset.get_untracked().id()));
        self.post(Role::View, &self.setup(Role::View), None);
        self.post(Role::Trainer, &self.setup(Role::Trainer), None);
    }

    /// Asks the view worker to decode latent point `z` (a newer request replaces a pending one).
    pub fn decode(&self, z: [f32; 2]) {
        let mut id = 0;
        self.workers.update_value(|w| {
            w.next_decode += 1;
            id = w.next_decode;
        });
        self.post(Role::View, &ToWorker::Decode { id, z: z.to_vec() }, None);
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
