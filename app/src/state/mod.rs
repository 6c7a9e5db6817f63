//! The one app state: signals the panels read, and the only place where worker messages become signals.
//!
//! Two workers: the trainer (CPU or WebGPU) steps the optimiser; the view worker (CPU, the other core)
//! holds a copy of the weights, encodes the test points for the map and decodes clicks, so a click
//! never waits for a training step.

use std::sync::Arc;

use js_sys::Float32Array;
use leptos::prelude::*;
use model::{Arch, DatasetName, Kind, NetConfig, Noise, TrainConfig};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};

mod records;
mod work;

use records::{expose_map, message_name, record_decode_latency, record_slow};
use work::AUTOSAVE_MS;

use crate::backend::Mode;
use crate::plot::LatentView;
use crate::protocol::{Denoise, End, FromWorker, Init, MapInfo, PointInfo, Role, SampleSet, ToWorker};

/// Models shown at once: one, or an AE and a VAE side by side.
pub const MAX_MODELS: usize = 2;

/// Map snapshots kept for the replay slider (older ones are thinned out beyond this).
const MAX_SNAPSHOTS: usize = 120;

/// A map snapshot for the replay: the step and each model's codes of the test points.
pub type Snapshot = (u64, [Option<Arc<Vec<f32>>>; MAX_MODELS]);

/// Fixed test images then their reconstructions (`[k * 784]` each), and k.
pub type Recons = (Arc<Vec<f32>>, usize);

/// A decoded latent point.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// Per model the map point decoded (None: that model was left out).
    pub zs: Vec<Option<[f32; 2]>>,
    /// One image per model.
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

/// An upload kept for "Train on them": file name, IDX image bytes, label bytes, image count.
#[derive(Debug, Clone)]
pub struct Upload {
    pub name: String,
    pub images: Vec<u8>,
    pub labels: Option<Vec<u8>>,
    pub count: usize,
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
    /// When the last autosave was asked for (ms).
    last_autosave: f64,
    next_decode: u32,
    /// When the latest decode request was sent (id, ms).
    decode_sent: (u32, f64),
    /// The trainer was set up and has not reported its start step yet (it loads the training set
    /// first, while the view worker may already have drawn the pretrained map).
    awaiting_start: bool,
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
    /// Per model: the user's pan/zoom (None = fit the points), in CSS pixels per latent unit.
    pub views: [RwSignal<Option<LatentView>>; MAX_MODELS],
    /// Open with the shipped pretrained models (`?pretrained=0` turns it off; "From scratch" too).
    pub pretrained: RwSignal<bool>,
    /// The step the current models started from (> 0: pretrained or loaded from a file).
    pub start_step: RwSignal<u64>,
    /// Hidden widths of a loaded model that match no preset.
    pub custom_hidden: RwSignal<Option<Vec<usize>>>,
    /// Map snapshots taken as training goes (about every tenth of an epoch), for the replay.
    pub snapshots: RwSignal<Vec<Snapshot>>,
    /// The snapshot being replayed (None = live).
    pub replay: RwSignal<Option<usize>>,
    /// An autosave from an earlier visit that can be resumed: its step.
    pub resumable: RwSignal<Option<u64>>,
    /// The step of the last autosave of this visit.
    pub autosaved: RwSignal<Option<u64>>,
    workers: StoredValue<Workers, LocalStorage>,
    /// The loss history of an autosave being resumed, applied once the trainer accepts its weights.
    pending_history: StoredValue<Option<Vec<[f32; 3]>>>,
    /// The name of a model file the trainer is checking.
    pending_load: StoredValue<Option<String>>,
    /// MLP or convolutional networks.
    pub arch: RwSignal<Arch>,
    /// Latent dimensions (2..=32); above 2 the maps show a PCA plane of the codes.
    pub latent: RwSignal<usize>,
    /// Input corruption (denoising AE) and the L1 weight on the code (sparse AE).
    pub noise: RwSignal<Noise>,
    pub l1: RwSignal<f32>,
    /// Show a PCA of the pixels beside the model.
    pub pca_mode: RwSignal<bool>,
    /// Colour the maps by reconstruction error instead of label.
    pub by_error: RwSignal<bool>,
    /// Per map: what the view measured on it, the points' reconstruction errors (when colouring by
    /// them), the worst images, the uploaded images' positions and the denoising measurement.
    pub info: [RwSignal<MapInfo>; MAX_MODELS],
    pub errors: [RwSignal<Option<Arc<Vec<f32>>>>; MAX_MODELS],
    pub worst: [RwSignal<Option<Worst>>; MAX_MODELS],
    pub upload_points: [RwSignal<Arc<Vec<f32>>>; MAX_MODELS],
    pub denoise: [RwSignal<Option<Denoise>>; MAX_MODELS],
    /// The last valid upload.
    pub upload: RwSignal<Option<Upload>>,
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
            views: [RwSignal::new(None), RwSignal::new(None)],
            pretrained: RwSignal::new(crate::js::query("pretrained").is_none_or(|v| v != "0")),
            start_step: RwSignal::new(0),
            custom_hidden: RwSignal::new(None),
            snapshots: RwSignal::new(Vec::new()),
            replay: RwSignal::new(None),
            resumable: RwSignal::new(None),
            autosaved: RwSignal::new(None),
            workers: StoredValue::new_local(Workers::default()),
            pending_history: StoredValue::new(None),
            pending_load: StoredValue::new(None),
            arch: RwSignal::new(Arch::Mlp),
            latent: RwSignal::new(2),
            noise: RwSignal::new(Noise::None),
            l1: RwSignal::new(0.0),
            pca_mode: RwSignal::new(crate::js::query("pca").is_some_and(|v| v == "1")),
            by_error: RwSignal::new(false),
            info: [RwSignal::new(MapInfo::default()), RwSignal::new(MapInfo::default())],
            errors: [RwSignal::new(None), RwSignal::new(None)],
            worst: [RwSignal::new(None), RwSignal::new(None)],
            upload_points: [RwSignal::new(Arc::new(Vec::new())), RwSignal::new(Arc::new(Vec::new()))],
            denoise: [RwSignal::new(None), RwSignal::new(None)],
            upload: RwSignal::new(None),
        }
    }

    /// Whether two maps are shown (AE and VAE, or a model and the pixel PCA).
    pub fn two_maps(&self) -> bool {
        self.compare.get() || self.pca_mode.get()
    }

    /// The name of each map's model.
    pub fn names(&self) -> Vec<&'static str> {
        let mut names: Vec<&'static str> =
            self.kinds().into_iter().map(crate::components::model_name).collect();
        if self.pca_mode.get() && !self.compare.get() {
            names.push("PCA");
        }
        names
    }

    /// The kinds of the models being trained: one, or an AE and a VAE.
    pub fn kinds(&self) -> Vec<Kind> {
        if self.compare.get() { vec![Kind::Ae, Kind::Vae] } else { vec![self.kind.get()] }
    }

    /// The networks (same sizes) and training settings the controls describe.
    fn configs(&self) -> (Vec<NetConfig>, TrainConfig) {
        let preset = PRESETS[self.preset.get_untracked() % PRESETS.len()].1.to_vec();
        let hidden = self.custom_hidden.get_untracked().unwrap_or(preset);
        let kinds = untrack(|| self.kinds());
        let (arch, latent) = (self.arch.get_untracked(), self.latent.get_untracked());
        let nets = kinds.into_iter().map(|kind| NetConfig {
            kind,
            arch,
            latent,
            hidden: hidden.clone(),
            ..NetConfig::default()
        });
        (nets.collect(), self.train_config())
    }

    fn train_config(&self) -> TrainConfig {
        TrainConfig {
            lr: self.lr.get_untracked(),
            batch_size: self.batch.get_untracked(),
            beta: self.beta.get_untracked(),
            kl_warmup: self.warmup.get_untracked(),
            seed: self.seed.get_untracked(),
            l1: self.l1.get_untracked(),
            noise: self.noise.get_untracked(),
        }
    }

    /// Sends changed hyperparameters that need no new model (learning rate, β, L1, noise) to the
    /// trainer, and the noise to the view (for the denoising panel).
    pub fn reconfigure(&self) {
        let msg = ToWorker::Configure { train: self.train_config() };
        self.post(Slot::Trainer, &msg, None);
        self.post(Slot::View, &msg, None);
    }

    /// Colours the maps by reconstruction error (with a gallery of the worst) or by label.
    pub fn set_by_error(&self, on: bool) {
        self.by_error.set(on);
        if !on {
            self.errors.iter().for_each(|e| e.set(None));
            self.worst.iter().for_each(|w| w.set(None));
        }
        self.post(Slot::View, &ToWorker::Errors { on }, None);
    }

    /// Sends a validated upload to the view (encoded onto every map) and, with `train`, to the trainer.
    pub fn send_upload(&self, train: bool) {
        let Some(u) = self.upload.get_untracked() else { return };
        let labels = u.labels.clone().map(serde_bytes::ByteBuf::from);
        let msg = ToWorker::Upload { name: u.name.clone(), images: u.images.clone(), labels, train };
        self.post(if train { Slot::Trainer } else { Slot::View }, &msg, None);
    }

    fn setup(&self, slot: Slot) -> ToWorker {
        let (nets, train) = self.configs();
        let init = if self.pretrained.get_untracked() { Init::Pretrained } else { Init::Fresh };
        let pixels_pca = self.pca_mode.get_untracked() && !self.compare.get_untracked();
        ToWorker::Setup {
            role: slot.role(),
            dataset: self.dataset.get_untracked(),
            nets,
            train,
            init,
            pixels_pca,
        }
    }

    /// Chooses the backend and starts both workers.
    pub fn start(self) {
        crate::hash::restore(&self);
        self.check_autosave();
        // The view worker is always on the CPU: start it first, so a pretrained map is drawn while
        // the backend is still being chosen.
        self.spawn(Slot::View, false);
        leptos::task::spawn_local(async move {
            let choice = crate::backend::choose().await;
            self.backend_reason.set(choice.reason);
            if choice.mode == Mode::Race {
                self.workers.update_value(|w| w.race = Some(None));
            }
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
                if slot != Slot::View {
                    self.workers.update_value(|w| w.awaiting_start = true);
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
                // A start report (pretrained, loaded or fresh) has no loss yet.
                self.loss.set((stats.step > 0 && stats.loss > 0.0).then_some(stats.loss));
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
                let due = self.workers.with_value(|w| crate::js::now() - w.last_autosave > AUTOSAVE_MS);
                if self.running.get_untracked() && due {
                    self.request_autosave();
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
            FromWorker::Weights { model, net, step } => {
                self.post(Slot::View, &ToWorker::Weights { model, net, step }, data.as_ref())
            }
            FromWorker::Latents { model, step, info, errors, uploads } => {
                // A pretrained map before the trainer's start report: the status bar shows its step.
                let early = self.workers.with_value(|w| w.awaiting_start) && self.pretrained.get_untracked();
                if early && model == 0 && step > self.step.get_untracked() {
                    self.start_step.set(step);
                    self.step.set(step);
                }
                if let (Some(d), Some(signal)) = (data, self.latents.get(model)) {
                    let mut all = d.to_vec();
                    let up = all.split_off(all.len().saturating_sub(2 * uploads));
                    let n = all.len() / if errors { 3 } else { 2 };
                    let errs = all.split_off(2 * n);
                    let codes = Float32Array::from(all.as_slice());
                    expose_map(model, step, &codes, &self.labels.get_untracked(), (&errs, &up));
                    let codes = Arc::new(all);
                    self.snapshot(model, step, codes.clone());
                    signal.set((codes, step));
                    self.info[model].set(info);
                    self.upload_points[model].set(Arc::new(up));
                    if errors && self.by_error.get_untracked() {
                        self.errors[model].set(Some(Arc::new(errs)));
                    }
                }
            }
            FromWorker::Worst { model, items, .. } => {
                if let (Some(d), Some(signal), true) =
                    (data, self.worst.get(model), self.by_error.get_untracked())
                {
                    signal.set(Some(Worst { items, images: Arc::new(d.to_vec()) }));
                }
            }
            FromWorker::Decoded { id, zs, pixels, point, worker_ms } => {
                let arrived = crate::js::now();
                self.decoded.set(Some(Decoded { zs, pixels, point }));
                let (sent_id, sent) = self.workers.with_value(|w| w.decode_sent);
                if id == sent_id {
                    record_decode_latency(sent, arrived, worker_ms);
                }
            }
            FromWorker::Recons { model, count, noisy, .. } => {
                if let (Some(d), Some(signal)) = (data, self.recons.get(model)) {
                    signal.set(Some((Arc::new(d.to_vec()), count)));
                    self.denoise[model].set(noisy);
                }
            }
            FromWorker::Started { dataset, nets, steps, loaded } => {
                self.workers.update_value(|w| w.awaiting_start = false);
                let step = steps.first().copied().unwrap_or(0);
                self.start_step.set(step);
                self.step.set(step);
                if loaded {
                    // A model file was accepted: the controls now describe it, and the view follows.
                    self.pending_load.set_value(None);
                    self.adopt(dataset, &nets);
                    if let Some(h) = self.pending_history.try_update_value(Option::take).flatten() {
                        self.history[0].set(h);
                    }
                    self.post(Slot::View, &self.setup(Slot::View), None);
                    self.status.set(format!(
                        "Loaded a {} model at step {step}. Press Train to continue.",
                        dataset.id()
                    ));
                } else if step > 0 {
                    self.status.set(format!(
                        "Showing the pretrained model{} ({step} steps). Train continues it; From scratch starts untrained.",
                        if nets.len() > 1 { "s" } else { "" }
                    ));
                }
            }
            FromWorker::Export { model, net, train, step, download } => {
                let params = data.map(|d| d.to_vec()).unwrap_or_default();
                let dataset = self.dataset.get_untracked();
                let precision = model::weights::Precision::F32;
                let header = model::weights::FileHeader { net, train, dataset, step, precision };
                let file = model::weights::to_file(&header, &params);
                if download {
                    let kind = crate::components::model_name(header.net.kind).to_lowercase();
                    let name = format!("lsx-{}-{kind}-step{step}.lsxw", dataset.id());
                    crate::js::download_bytes(&name, &file, "application/octet-stream");
                } else if model == 0 {
                    self.autosave(file, step);
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
            FromWorker::Error { msg }
                if slot == Slot::Trainer && self.pending_load.with_value(Option::is_some) =>
            {
                // The trainer refused a model file and kept its run.
                let name = self.pending_load.try_update_value(Option::take).flatten().unwrap_or_default();
                self.status.set(format!("Could not load {name}: {msg}. Nothing was changed."));
            }
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
        if !on {
            self.request_autosave();
        }
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
            self.errors[i].set(None);
            self.worst[i].set(None);
            self.upload_points[i].set(Arc::new(Vec::new()));
            self.denoise[i].set(None);
            self.info[i].set(MapInfo::default());
        }
        self.decoded.set(None);
        self.samples.set(None);
        self.interpolation.set(None);
        self.picking.set(None);
        self.snapshots.set(Vec::new());
        self.replay.set(None);
        self.start_step.set(0);
        self.status.set(format!("Loading {}…", self.dataset.get_untracked().id()));
        self.post(Slot::View, &self.setup(Slot::View), None);
        self.workers.update_value(|w| w.awaiting_start = true);
        self.post(Slot::Trainer, &self.setup(Slot::Trainer), None);
    }

    /// Asks the view worker to decode map point `z` of map `model` (a newer request replaces a
    /// pending one). The other map decodes the same point when both are 2-D latent spaces of the
    /// same data (AE and VAE); otherwise it decodes test point `near`'s place on it, if any. With
    /// `index`, the point is test image `index` (its original and reconstructions come back too).
    pub fn decode(&self, model: usize, z: [f32; 2], index: Option<usize>, near: Option<usize>) {
        let mut id = 0;
        self.workers.update_value(|w| {
            w.next_decode += 1;
            id = w.next_decode;
            w.decode_sent = (id, crate::js::now());
        });
        let same_space = self.compare.get_untracked() && self.info.iter().all(|i| i.get_untracked().dim <= 2);
        let zs = (0..if self.two_maps_untracked() { 2 } else { 1 })
            .map(|m| {
                if m == model || same_space {
                    return Some(z);
                }
                let i = near?;
                self.latents[m].with_untracked(|(p, _)| Some([*p.get(2 * i)?, *p.get(2 * i + 1)?]))
            })
            .collect();
        self.post(Slot::View, &ToWorker::Decode { id, zs, index }, None);
    }

    fn two_maps_untracked(&self) -> bool {
        untrack(|| self.two_maps())
    }

    /// Starts the current model untrained (instead of pretrained).
    pub fn from_scratch(&self) {
        self.pretrained.set(false);
        self.restart();
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
