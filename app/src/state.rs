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
use crate::protocol::{End, FromWorker, PointInfo, Role, SampleSet, ToWorker};

/// Models shown at once: one, or an AE and a VAE side by side.
pub const MAX_MODELS: usize = 2;

/// Fixed test images then their reconstructions (`[k * 784]` each), and k.
pub type Recons = (Arc<Vec<f32>>, usize);

/// A decoded latent point.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub z: Vec<f32>,
    /// One image per model.
    pub pixels: Vec<Vec<f32>>,
    /// When a data point was clicked: its original and each model's reconstruction.
    pub point: Option<PointInfo>,
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

/// A decoded manifold: `tiles²` images over `region` (`[x0, y0, x1, y1]`).
#[derive(Debug, Clone, PartialEq)]
pub struct Manifold {
    pub region: [f32; 4],
    pub tiles: usize,
    pub images: Arc<Vec<f32>>,
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
    /// Train an AE and a VAE side by side (instead of `kind` alone).
    pub compare: RwSignal<bool>,
    /// KL warm-up: β rises linearly from 0 over this many steps.
    pub warmup: RwSignal<u64>,
    /// Index into [`PRESETS`].
    pub preset: RwSignal<usize>,
    pub lr: RwSignal<f64>,
    pub batch: RwSignal<usize>,
    pub beta: RwSignal<f32>,
    pub seed: RwSignal<u64>,
    pub batches_per_epoch: RwSignal<usize>,
    /// Per model: fixed test images and their reconstructions (`[k * 784]` each, concatenated) and k.
    pub recons: [RwSignal<Option<Recons>>; MAX_MODELS],
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
    /// Per model: latent codes of the map's points (`[n * 2]`) and the step they come from.
    pub latents: [RwSignal<(Arc<Vec<f32>>, u64)>; MAX_MODELS],
    pub decoded: RwSignal<Option<Decoded>>,
    /// Per model: (step, recon, kl) per training step.
    pub history: [RwSignal<Vec<[f32; 3]>>; MAX_MODELS],
    /// Per model: the latest step's figures (its batch digest shows both saw the same batches).
    pub stats: RwSignal<Vec<model::StepStats>>,
    pub samples: RwSignal<Option<Samples>>,
    pub interpolation: RwSignal<Option<Interpolation>>,
    /// Ends picked so far for the next interpolation (picking while `Some`).
    pub picking: RwSignal<Option<Vec<End>>>,
    /// Paint each map's background with decodes of its visible region.
    pub manifold_on: RwSignal<bool>,
    pub manifold: [RwSignal<Option<Manifold>>; MAX_MODELS],
    /// Per model: the region each map shows (`[x0, y0, x1, y1]`), for the manifold.
    pub regions: [RwSignal<[f32; 4]>; MAX_MODELS],
    workers: StoredValue<Workers, LocalStorage>,
}

impl AppState {
    pub fn new() -> Self {
        let dataset = crate::js::query("dataset").and_then(|d| DatasetName::from_id(&d)).unwrap_or_default();
        Self {
            dataset: RwSignal::new(dataset),
            kind: RwSignal::new(Kind::Ae),
            compare: RwSignal::new(crate::js::query("compare").is_some_and(|v| v == "1")),
            warmup: RwSignal::new(0),
            preset: RwSignal::new(0),
            lr: RwSignal::new(1e-3),
            batch: RwSignal::new(128),
            beta: RwSignal::new(1.0),
            seed: RwSignal::new(crate::js::query("seed").and_then(|s| s.parse().ok()).unwrap_or(42)),
            batches_per_epoch: RwSignal::new(0),
            recons: [RwSignal::new(None), RwSignal::new(None)],
            running: RwSignal::new(false),
            step: RwSignal::new(0),
            loss: RwSignal::new(None),
            samples_per_s: RwSignal::new(0.0),
            epoch: RwSignal::new(0.0),
            backend: RwSignal::new(String::new()),
            backend_reason: RwSignal::new(String::new()),
            status: RwSignal::new("Loading…".into()),
            labels: RwSignal::new(Arc::new(Vec::new())),
            latents: [RwSignal::new((Arc::new(Vec::new()), 0)), RwSignal::new((Arc::new(Vec::new()), 0))],
            decoded: RwSignal::new(None),
            history: [RwSignal::new(Vec::new()), RwSignal::new(Vec::new())],
            stats: RwSignal::new(Vec::new()),
            samples: RwSignal::new(None),
            interpolation: RwSignal::new(None),
            picking: RwSignal::new(None),
            manifold_on: RwSignal::new(false),
            manifold: [RwSignal::new(None), RwSignal::new(None)],
            regions: [RwSignal::new([0.0; 4]), RwSignal::new([0.0; 4])],
            workers: StoredValue::new_local(Workers::default()),
        }
    }

    /// The kinds of the models being trained: one, or an AE and a VAE.
    pub fn kinds(&self) -> Vec<Kind> {
        if self.compare.get() { vec![Kind::Ae, Kind::Vae] } else { vec![self.kind.get()] }
    }

    /// The networks (same sizes) and training settings the controls describe.
    fn configs(&self) -> (Vec<NetConfig>, TrainConfig) {
        let hidden = PRESETS[self.preset.get_untracked() % PRESETS.len()].1.to_vec();
        let kinds = untrack(|| self.kinds());
        let nets =
            kinds.into_iter().map(|kind| NetConfig { kind, hidden: hidden.clone(), ..NetConfig::default() });
        (nets.collect(), self.train_config())
    }

    fn train_config(&self) -> TrainConfig {
        TrainConfig {
            lr: self.lr.get_untracked(),
            batch_size: self.batch.get_untracked(),
            beta: self.beta.get_untracked(),
            kl_warmup: self.warmup.get_untracked(),
            seed: self.seed.get_untracked(),
            ..TrainConfig::default()
        }
    }

    /// Sends changed hyperparameters that need no new model (learning rate, β) to the trainer.
    pub fn reconfigure(&self) {
        self.post(Slot::Trainer, &ToWorker::Configure { train: self.train_config() }, None);
    }

    fn setup(&self, slot: Slot) -> ToWorker {
        let (nets, train) = self.configs();
        ToWorker::Setup { role: slot.role(), dataset: self.dataset.get_untracked(), nets, train }
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
                Ok((msg, data)) => {
                    let (t0, what) = (crate::js::now(), message_name(&msg));
                    self.handle(slot, gpu, msg, data);
                    record_slow(what, crate::js::now() - t0);
                }
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
            FromWorker::Progress { stats: all, samples_per_s, history, batches_per_epoch, .. } => {
                let Some(stats) = all.first().copied() else { return };
                self.batches_per_epoch.set(batches_per_epoch);
                self.step.set(stats.step);
                self.loss.set((stats.step > 0).then_some(stats.loss));
                self.samples_per_s.set(samples_per_s);
                // Train/Pause is the page's own state: a Progress in flight when the user paused must
                // not flip the button back; the worker stops by itself only on an error (see below).
                self.epoch.set(stats.epoch);
                for (i, h) in self.history.iter().enumerate() {
                    if stats.step == 0 {
                        h.set(Vec::new());
                    } else if let Some(new) = history.get(i) {
                        h.update(|h| h.extend_from_slice(new));
                    }
                }
                self.stats.set(all);
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
            FromWorker::Weights { model, net, step } => {
                self.post(Slot::View, &ToWorker::Weights { model, net, step }, data.as_ref())
            }
            FromWorker::Latents { model, step, .. } => {
                if let (Some(d), Some(signal)) = (data, self.latents.get(model)) {
                    expose_map(model, step, &d, &self.labels.get_untracked());
                    signal.set((Arc::new(d.to_vec()), step));
                }
            }
            FromWorker::Decoded { z, pixels, point, .. } => {
                self.decoded.set(Some(Decoded { z, pixels, point }))
            }
            FromWorker::Recons { model, count, .. } => {
                if let (Some(d), Some(signal)) = (data, self.recons.get(model)) {
                    signal.set(Some((Arc::new(d.to_vec()), count)));
                }
            }
            FromWorker::Samples { sets } => {
                let images = Arc::new(data.map(|d| d.to_vec()).unwrap_or_default());
                self.status.set("Samples decoded and measured.".into());
                self.samples.set(Some(Samples { sets, images }));
            }
            FromWorker::Manifold { model, region, tiles, .. } => {
                if let (Some(d), Some(signal)) = (data, self.manifold.get(model))
                    && self.manifold_on.get_untracked()
                {
                    signal.set(Some(Manifold { region, tiles, images: Arc::new(d.to_vec()) }));
                }
            }
            FromWorker::Interpolated { paths, steps } => {
                let images = Arc::new(data.map(|d| d.to_vec()).unwrap_or_default());
                self.interpolation.set(Some(Interpolation { paths, steps, images }));
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
        self.stats.set(Vec::new());
        for i in 0..MAX_MODELS {
            self.history[i].set(Vec::new());
            self.latents[i].set((Arc::new(Vec::new()), 0));
            self.recons[i].set(None);
            self.manifold[i].set(None);
        }
        self.decoded.set(None);
        self.samples.set(None);
        self.interpolation.set(None);
        self.picking.set(None);
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

    /// Decodes `n` samples from the prior (and the AE's code box) with every model and measures them.
    pub fn sample(&self, n: usize) {
        self.status.set(format!("Decoding {n} samples per model and comparing them with the test set…"));
        let seed = self.seed.get_untracked() ^ self.step.get_untracked();
        self.post(Slot::View, &ToWorker::Sample { n, seed }, None);
    }

    /// Adds an interpolation end; the second one asks the view worker for the strip.
    pub fn pick(&self, end: End) {
        let mut ends = self.picking.get_untracked().unwrap_or_default();
        ends.push(end);
        if let [a, b] = &ends[..] {
            self.picking.set(None);
            let msg = ToWorker::Interpolate { a: a.clone(), b: b.clone(), steps: INTERP_STEPS };
            self.post(Slot::View, &msg, None);
        } else {
            self.picking.set(Some(ends));
        }
    }

    /// Asks for (or stops) the decoded manifold behind each map, over the regions they show.
    pub fn request_manifold(&self) {
        let regions =
            self.manifold_on.get_untracked().then(|| self.regions.map(|r| r.get_untracked()).to_vec());
        if regions.is_none() {
            self.manifold.iter().for_each(|m| m.set(None));
        }
        self.post(Slot::View, &ToWorker::Manifold { regions, tiles: MANIFOLD_TILES }, None);
    }
}

/// Decodes along an interpolation path.
pub const INTERP_STEPS: usize = 10;
/// Tiles per side of the decoded manifold.
pub const MANIFOLD_TILES: usize = 20;

impl Default for AppState {
    fn default() -> Self {
        Self::new()
    }
}

/// The variant name of a worker message (for diagnostics).
fn message_name(msg: &FromWorker) -> &'static str {
    match msg {
        FromWorker::Ready { .. } => "Ready",
        FromWorker::DataLoaded { .. } => "DataLoaded",
        FromWorker::Progress { .. } => "Progress",
        FromWorker::Weights { .. } => "Weights",
        FromWorker::Latents { .. } => "Latents",
        FromWorker::Decoded { .. } => "Decoded",
        FromWorker::Recons { .. } => "Recons",
        FromWorker::Samples { .. } => "Samples",
        FromWorker::Manifold { .. } => "Manifold",
        FromWorker::Interpolated { .. } => "Interpolated",
        FromWorker::BenchDone { .. } => "BenchDone",
        FromWorker::Notice { .. } => "Notice",
        FromWorker::Error { .. } => "Error",
    }
}

/// Keeps a record of worker messages whose handling (with the redraws it triggers) took over 20 ms,
/// as `window.lsxSlow = [[name, ms], …]`, so a test or a person in the console can see what is slow.
fn record_slow(what: &str, ms: f64) {
    if ms <= 20.0 {
        return;
    }
    let Some(w) = web_sys::window() else { return };
    let key = wasm_bindgen::JsValue::from_str("lsxSlow");
    let arr = js_sys::Reflect::get(&w, &key).ok().filter(js_sys::Array::is_array).unwrap_or_else(|| {
        let a = js_sys::Array::new();
        let _ = js_sys::Reflect::set(&w, &key, &a);
        a.into()
    });
    arr.unchecked_into::<js_sys::Array>().push(&js_sys::Array::of2(&what.into(), &ms.into()));
}

/// Publishes a map's data read-only as `window.lsxMap = {step, points, labels}` (model 0) and
/// `window.lsxMap1` (model 1) for tests and the bench.
fn expose_map(model: usize, step: u64, points: &Float32Array, labels: &[u8]) {
    let Some(w) = web_sys::window() else { return };
    let obj = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&obj, &"step".into(), &(step as f64).into());
    let _ = js_sys::Reflect::set(&obj, &"points".into(), points);
    let _ = js_sys::Reflect::set(&obj, &"labels".into(), &js_sys::Uint8Array::from(labels));
    let key = if model == 0 { "lsxMap".to_string() } else { format!("lsxMap{model}") };
    let _ = js_sys::Reflect::set(&w, &key.into(), &obj);
}
