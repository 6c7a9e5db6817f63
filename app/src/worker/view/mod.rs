//! The view worker: copies of each model's weights and the test set. It hears the page (its scope)
//! and the trainer (weights, over their channel) as one stream of messages, and serves, most urgent
//! first: decodes under the cursor, interpolation strips, samples, the reconstruction grids, the
//! decoded manifold and fresh encodings of the maps (see [`scheduler`]). Event-driven: it wakes on a
//! message or when the next time-gated piece of work falls due, and never polls.

mod jobs;
mod lectures;
mod map_pass;
mod model_copy;
mod own;
mod scheduler;
mod setup;

use futures::StreamExt;
use futures::channel::mpsc::{TryRecvError, UnboundedReceiver, UnboundedSender, unbounded};
use futures::future::{Either, select};
use model::{Dataset, DatasetName, Device, NetConfig, Noise};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent, MessagePort};

use super::io::{Out, listener};
use super::user_images;
use crate::js::{delay, now};
use crate::protocol::view::{FromView, ToView};
use crate::protocol::{Parts, Weights};
use map_pass::Pass;
use model_copy::ModelCopy;
use scheduler::{DecodeRequest, Job, ManifoldRequest, Next, ProbeRequest, Scheduler};

/// Test points on the map.
pub const MAP_POINTS: usize = 10_000;
/// Test images in the reconstruction panel (the first of each class).
pub const RECON_COUNT: usize = 10;
/// Uploaded images shown with their reconstructions.
pub const UPLOADS_SHOWN: usize = 8;
/// Worst reconstructions in the anomaly gallery.
pub const WORST: usize = 12;

/// A piece of work's outcome; a failure is reported to the page.
type JobResult = Result<(), Box<dyn std::error::Error>>;

/// What a piece of work needs besides the models.
struct Env<'a> {
    out: &'a Out<FromView>,
    test: &'a Dataset,
    device: &'a Device,
}

/// An `onmessage` handler, kept as long as it is installed.
type Handler = Closure<dyn FnMut(MessageEvent)>;

/// A message from the page or, over their channel, from the trainer.
enum Input {
    Page(ToView, Parts),
    Weights(Weights, Parts),
}

/// Starts the view role: queues the page's messages at once, then runs the loop.
pub(super) fn start(scope: DedicatedWorkerGlobalScope) {
    let out = Out::<FromView>::new(scope.clone());
    let (tx, rx) = unbounded();
    let onmessage = listener::<ToView, _, _>(tx.clone(), Input::Page, out.clone());
    scope.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    wasm_bindgen_futures::spawn_local(run(out, tx, rx));
}

async fn run(out: Out<FromView>, tx: UnboundedSender<Input>, mut rx: UnboundedReceiver<Input>) {
    let backend = match super::cpu_device() {
        Ok(b) => b,
        Err(msg) => return out.error(msg),
    };
    out.send(&FromView::Ready { backend: backend.backend, detail: backend.detail }, &Parts::default());
    let mut v = View::new(out, backend.device, tx);
    loop {
        // Everything already queued first: the latest requests replace older ones.
        loop {
            match rx.try_recv() {
                Ok(input) => v.input(input).await,
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Closed) => return,
            }
        }
        let next = v.sched.next(&v.models, v.test.is_some(), v.pass.is_some(), now());
        let input = match next {
            Next::Now(job) => {
                v.work(job).await;
                v.sched.worked(now());
                continue;
            }
            Next::At(at) => match delay(at - now()) {
                Ok(timer) => match select(rx.next(), timer).await {
                    Either::Left((input, _)) => input,
                    Either::Right(((), _)) => continue,
                },
                Err(e) => {
                    v.out.error(format!("the view cannot set a timer ({e}): it works on the next message"));
                    rx.next().await
                }
            },
            Next::Idle => rx.next().await,
        };
        match input {
            Some(input) => v.input(input).await,
            None => return,
        }
    }
}

/// The view's state.
struct View {
    out: Out<FromView>,
    device: Device,
    /// Feeds the trainer's port into the inbox.
    tx: UnboundedSender<Input>,
    /// The trainer's port and its handler.
    port: Option<(MessagePort, Handler)>,
    /// The page's run (of the last `Setup`) and its nets.
    run: Option<u32>,
    nets: Vec<NetConfig>,
    /// Weights of a newer run than `run` (the latest per model), kept until its setup arrives.
    early: Vec<(Weights, Vec<f32>)>,
    dataset: Option<DatasetName>,
    test: Option<Dataset>,
    /// One per net, then the pixel PCA when shown; None until a model has weights.
    models: Vec<Option<ModelCopy>>,
    sched: Scheduler,
    pass: Option<Pass>,
    /// Input corruption shown in the reconstruction panel (denoising).
    noise: Noise,
    /// Colour by reconstruction error: errors and the worst images come with each pass.
    errors: bool,
    /// Uploaded images, encoded onto every map.
    uploads: Option<Dataset>,
    /// What the lectures panel needs besides the models.
    extra: lectures::Extra,
    /// A model opened from files is shown in place of the run's (the trainer's weights wait for
    /// the next setup).
    own: bool,
    /// That model has no encoder: its map's codes came from a file.
    decoder_only: bool,
}

impl View {
    fn new(out: Out<FromView>, device: Device, tx: UnboundedSender<Input>) -> Self {
        Self {
            out,
            device,
            tx,
            port: None,
            run: None,
            nets: Vec::new(),
            early: Vec::new(),
            dataset: None,
            test: None,
            models: Vec::new(),
            sched: Scheduler::default(),
            pass: None,
            noise: Noise::None,
            errors: false,
            uploads: None,
            extra: lectures::Extra::default(),
            own: false,
            decoder_only: false,
        }
    }

    async fn input(&mut self, input: Input) {
        match input {
            Input::Page(msg, parts) => self.page(msg, parts).await,
            Input::Weights(w, parts) => self.weights(w, parts.floats()),
        }
    }

    async fn page(&mut self, msg: ToView, parts: Parts) {
        let pending = &mut self.sched.pending;
        match msg {
            ToView::Connect => self.connect(parts.port),
            ToView::Setup { run, dataset, nets, init, noise, pixels_pca } => {
                self.setup(run, dataset, nets, init, pixels_pca).await;
                self.noise = noise;
            }
            ToView::Decode { id, zs, index } => {
                // A decoder alone (or a model whose images are coming) has none to show beside it.
                let index = index.filter(|_| self.points_fit());
                let pending = &mut self.sched.pending;
                pending.decode = Some(DecodeRequest { id, zs, index });
            }
            ToView::Probe => {
                let bytes = parts.byte_vec();
                pending.probe = match bytes.len() {
                    0 => None,
                    _ => match Dataset::from_parts(bytes, vec![0]) {
                        Ok(image) => Some(ProbeRequest::new(image)),
                        Err(e) => return self.out.error(format!("the drawing did not arrive whole: {e}")),
                    },
                };
            }
            ToView::Configure { noise } => {
                self.noise = noise;
                self.models.iter_mut().flatten().for_each(|m| m.recon = None);
            }
            ToView::Errors { on } => {
                self.errors = on;
                self.remap();
            }
            ToView::Upload { name, count } => match user_images(parts.byte_vec(), count, model::data::PIXELS)
            {
                Ok(data) => {
                    let shown = UPLOADS_SHOWN.min(data.len());
                    let first = Dataset::from_parts(
                        data.pixels()[..shown * model::data::PIXELS].to_vec(),
                        data.labels()[..shown].to_vec(),
                    );
                    pending.uploads = first.ok().map(ProbeRequest::new);
                    self.uploads = Some(data);
                    self.remap();
                }
                Err(e) => self.out.error(format!("{name}: {e}")),
            },
            ToView::Sample { n, seed } => pending.sample = Some((n, seed)),
            ToView::Manifold { regions, tiles } => {
                pending.manifold = regions.map(|regions| ManifoldRequest { regions, tiles, changed: true });
            }
            ToView::Interpolate { a, b, steps } => pending.interp = Some((a, b, steps)),
            ToView::Lecture { lecture } => {
                pending.lecture = lecture.map(|lecture| lectures::LectureRequest {
                    lecture,
                    mask: parts.byte_vec(),
                    done: Vec::new(),
                    changed: true,
                });
            }
            ToView::Open { name, encoder, scaling } => self.open(&name, parts.byte_vec(), encoder, &scaling),
            ToView::OwnImages { name, count } => self.own_images(&name, parts.byte_vec(), count),
            ToView::OwnCodes { name, count, dim, labels } => {
                self.own_codes(&name, parts.floats(), (count, dim), labels)
            }
            // Answered by the listener, never queued.
            ToView::Ping => {}
            ToView::Fault { fault } => {
                if let Err(e) = super::inject(fault) {
                    self.out.error(e);
                }
            }
        }
    }

    /// Every map is encoded afresh (the pass in progress is dropped).
    fn remap(&mut self) {
        self.models.iter_mut().flatten().for_each(|m| m.encoded = None);
        self.pass = None;
    }

    /// Listens to the trainer on `port` (replacing an earlier channel).
    fn connect(&mut self, port: Option<MessagePort>) {
        let Some(port) = port else { return self.out.error("Connect came without the trainer's port") };
        let onmessage = listener::<Weights, _, _>(self.tx.clone(), Input::Weights, self.out.clone());
        port.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        if let Some((old, _)) = self.port.replace((port, onmessage)) {
            old.set_onmessage(None);
            old.close();
        }
    }

    /// Does `job` (the scheduler found it due); a failure is reported.
    async fn work(&mut self, job: Job) {
        let View {
            out,
            device,
            test: Some(test),
            models,
            sched,
            pass,
            noise,
            errors,
            uploads,
            extra,
            dataset,
            ..
        } = self
        else {
            return;
        };
        let env = Env { out, test, device };
        let pending = &mut sched.pending;
        let result = match job {
            Job::Decode => match pending.decode.take() {
                Some(req) => jobs::decode(&env, models, req).await,
                None => Ok(()),
            },
            Job::Probe => match pending.probe.as_mut() {
                Some(req) => jobs::probe(&env, models, req).await,
                None => Ok(()),
            },
            Job::UploadRecons => match pending.uploads.as_mut() {
                Some(req) => jobs::upload_recons(&env, models, req).await,
                None => Ok(()),
            },
            Job::Interpolate => match pending.interp.take() {
                Some(req) => jobs::interpolation(&env, models, req).await,
                None => Ok(()),
            },
            Job::Sample => match pending.sample.take() {
                Some(req) => jobs::samples(&env, models, req).await,
                None => Ok(()),
            },
            Job::Recon(i) => match models.get_mut(i).and_then(Option::as_mut) {
                Some(m) => {
                    m.recon = Some(m.step);
                    jobs::recons(&env, i, m, *noise).await
                }
                None => Ok(()),
            },
            Job::Manifold => {
                let result = match &pending.manifold {
                    Some(req) => jobs::manifold(&env, models, req).await,
                    None => Ok(()),
                };
                sched.manifold_painted(now());
                result
            }
            Job::Lecture => {
                let result = match pending.lecture.as_mut() {
                    Some(req) => {
                        let drawing = pending.probe.as_ref().map(|p| &p.image);
                        lectures::lecture(&env, models, extra, (req, drawing, *dataset)).await
                    }
                    None => Ok(()),
                };
                sched.lecture_served(now());
                result
            }
            Job::MapChunk => {
                if pass.is_none() {
                    *pass = map_pass::start(models);
                    sched.pass_started(now());
                }
                map_pass::advance(&env, pass, models, *errors, uploads.as_ref()).await
            }
        };
        if let Err(e) = result {
            out.error(e.to_string());
        }
    }
}
