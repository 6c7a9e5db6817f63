//! The trainer worker: one or two models (AE and VAE side by side) stepped in turn on the same batches
//! by a [`Session`], which says when progress and weights are due. Progress goes to the page, weights
//! straight to the view worker over the port the page hands over with `Connect`. While the session
//! wants steps the loop only peeks at the inbox between them (yielding to the event loop after each);
//! otherwise it waits for the next message.

use std::sync::Arc;

use futures::StreamExt;
use futures::channel::mpsc::{TryRecvError, UnboundedReceiver, unbounded};
use js_sys::Uint8Array;
use model::train::{Event, Progress, Session};
use model::{Dataset, DatasetName, Device, NetConfig, TrainConfig, Trainer, weights};
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessagePort};

use super::io::{Out, listener};
use super::shipped::{load, pretrained};
use super::user_images;
use crate::js::{now, yield_now};
use crate::protocol::trainer::{ExportFor, FromTrainer, ToTrainer};
use crate::protocol::{Init, Parts, Weights};

type Inbox = UnboundedReceiver<(ToTrainer, Parts)>;

/// Starts the trainer role: queues the page's messages at once, then runs the loop.
pub(super) fn start(scope: DedicatedWorkerGlobalScope, gpu: bool) {
    let out = Out::<FromTrainer>::new(scope.clone());
    let (tx, rx) = unbounded();
    let onmessage = listener::<ToTrainer, _, _>(tx, |msg, parts| (msg, parts), out.clone());
    scope.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    wasm_bindgen_futures::spawn_local(run(out, rx, gpu));
}

async fn run(out: Out<FromTrainer>, mut rx: Inbox, gpu: bool) {
    #[cfg(feature = "gpu")]
    if gpu {
        let lost = out.clone();
        let watch = super::gpu_watch::install(move |reason| {
            lost.send(&FromTrainer::DeviceLost { reason }, &Parts::default())
        });
        if let Err(e) = watch {
            out.notice(format!("a lost WebGPU device will not be noticed at once: {e}"));
        }
    }
    let backend = match super::device(gpu).await {
        Ok(b) => b,
        Err(msg) => return out.error(msg),
    };
    out.send(&FromTrainer::Ready { backend: backend.backend, detail: backend.detail }, &Parts::default());
    let mut w = TrainerWorker {
        out,
        device: backend.device.autodiff(),
        port: None,
        session: None,
        run: 0,
        cache: None,
    };
    loop {
        let stepping = w.session.as_ref().is_some_and(Session::wants_step);
        let next = if stepping {
            match rx.try_recv() {
                Ok(msg) => Some(msg),
                Err(TryRecvError::Empty) => None,
                Err(TryRecvError::Closed) => return,
            }
        } else {
            match rx.next().await {
                Some(msg) => Some(msg),
                None => return,
            }
        };
        match next {
            Some((msg, parts)) => w.handle(msg, parts).await,
            None => w.step().await,
        }
    }
}

/// The trainer's state: its session (None before the first setup) and where things go.
struct TrainerWorker {
    out: Out<FromTrainer>,
    /// The training device (with autodiff).
    device: Device,
    /// The channel to the view worker.
    port: Option<MessagePort>,
    session: Option<Session>,
    /// The page's run the session belongs to (that of the last `Setup` or `Load`).
    run: u32,
    /// The training split last loaded (switching models does not reload it). Every session is built
    /// on it, so its name is the one exported model files carry.
    cache: Option<(DatasetName, Arc<Dataset>)>,
}

impl TrainerWorker {
    async fn handle(&mut self, msg: ToTrainer, parts: Parts) {
        match msg {
            ToTrainer::Connect => match parts.port {
                Some(port) => {
                    if let Some(old) = self.port.replace(port) {
                        old.close();
                    }
                    self.send_weights().await;
                }
                None => self.out.error("Connect came without the view's port"),
            },
            ToTrainer::Setup { run, dataset, nets, train, init } => {
                self.setup(run, dataset, &nets, &train, init).await;
            }
            ToTrainer::Load { run, dataset, net, train, step } => {
                match weights::restore(&net, &parts.floats(), &self.device) {
                    Ok(restored) => {
                        let Some(data) = self.data(dataset).await else { return };
                        let trainer = Trainer::resume(restored, train, data.len(), step, &self.device);
                        self.begin(run, dataset, vec![trainer], data, true).await;
                    }
                    Err(e) => self.out.error(e.to_string()),
                }
            }
            ToTrainer::Restore { run, dataset, nets, train, steps } => {
                self.restore(run, dataset, &nets, train, &steps, &parts.floats()).await;
            }
            // Answered by the listener, never queued.
            ToTrainer::Ping => {}
            ToTrainer::Fault { fault } => {
                if let Err(e) = super::inject(fault) {
                    self.out.error(e);
                }
            }
            ToTrainer::Export { purpose } => {
                for (model, t, params) in self.snapshots().await {
                    let (net, train, step) = (t.net().config().clone(), t.config().clone(), t.steps());
                    // The model file is built here, not on the page's main thread (megabytes and a
                    // checksum): for a download, and for the autosave (model 0 only).
                    let wanted =
                        purpose == ExportFor::Download || (purpose == ExportFor::Autosave && model == 0);
                    let dataset = self.cache.as_ref().map(|(d, _)| *d);
                    let file = dataset.filter(|_| wanted).map(|dataset| {
                        let (net, train) = (net.clone(), train.clone());
                        let header = weights::FileHeader {
                            net,
                            train,
                            dataset,
                            step,
                            precision: weights::Precision::F32,
                        };
                        Uint8Array::from(weights::to_file(&header, &params).as_slice())
                    });
                    let msg = FromTrainer::Export { model, net, train, step, purpose };
                    self.out.send(&msg, &Parts { bytes: file, ..Parts::data(&params) });
                }
            }
            ToTrainer::Run { on } => {
                if let Some(s) = self.session.as_mut() {
                    let events = s.set_running(on, now());
                    self.events(events).await;
                }
            }
            ToTrainer::Step => self.session.iter_mut().for_each(Session::request_step),
            ToTrainer::Configure { train } => {
                self.session.iter_mut().for_each(|s| s.set_config(train.clone()));
            }
            ToTrainer::Bench { steps } => {
                let Some(s) = self.session.as_mut() else { return self.out.error(NO_SESSION) };
                match s.bench(steps, now).await {
                    Ok((first_ms, ms_per_step)) => {
                        self.out.send(&FromTrainer::BenchDone { first_ms, ms_per_step }, &Parts::default());
                    }
                    Err(e) => self.out.error(e.to_string()),
                }
            }
            ToTrainer::TrainOn { name, count } => {
                let Some(s) = self.session.as_mut() else { return self.out.error(NO_SESSION) };
                match user_images(parts.byte_vec(), count, model::data::PIXELS) {
                    Ok(data) => {
                        let len = data.len();
                        s.set_data(Arc::new(data));
                        self.out.notice(format!("Training on your {len} images from {name} from now on."));
                        let progress = Progress { running: s.running(), ..s.start_progress() };
                        self.out.send(&FromTrainer::Progress(progress), &Parts::default());
                    }
                    Err(e) => self.out.error(format!("{name}: {e}")),
                }
            }
        }
    }

    /// Builds the models of a setup (pretrained where asked for and shipped) on `dataset`.
    async fn setup(
        &mut self,
        run: u32,
        dataset: DatasetName,
        nets: &[NetConfig],
        train: &TrainConfig,
        init: Init,
    ) {
        let Some(data) = self.data(dataset).await else { return };
        let mut trainers = Vec::with_capacity(nets.len());
        for net in nets {
            let start = match init {
                Init::Pretrained => pretrained(dataset, net, &self.device).await.unwrap_or_else(|msg| {
                    self.out.notice(msg);
                    None
                }),
                Init::Fresh => None,
            };
            trainers.push(match start {
                Some((restored, step)) => {
                    Trainer::resume(restored, train.clone(), data.len(), step, &self.device)
                }
                None => Trainer::new(net, train.clone(), data.len(), &self.device),
            });
        }
        self.begin(run, dataset, trainers, data, false).await;
    }

    /// Carries on from the page's snapshot: every model from its slice of `params` at its step.
    async fn restore(
        &mut self,
        run: u32,
        dataset: DatasetName,
        nets: &[NetConfig],
        train: TrainConfig,
        steps: &[u64],
        params: &[f32],
    ) {
        let Some(data) = self.data(dataset).await else { return };
        let restored = match weights::restore_all(nets, params, &self.device) {
            Ok(n) => n,
            Err(e) => return self.out.error(format!("the snapshot does not fit: {e}")),
        };
        let trainers = restored
            .into_iter()
            .zip(steps)
            .map(|(net, &step)| Trainer::resume(net, train.clone(), data.len(), step, &self.device))
            .collect();
        self.begin(run, dataset, trainers, data, false).await;
    }

    /// Makes `trainers` the run `run` (paused): `Started`, a start `Progress`, weights to the view.
    async fn begin(
        &mut self,
        run: u32,
        dataset: DatasetName,
        trainers: Vec<Trainer>,
        data: Arc<Dataset>,
        loaded: bool,
    ) {
        let nets = trainers.iter().map(|t| t.net().config().clone()).collect();
        let steps = trainers.iter().map(Trainer::steps).collect();
        let session = Session::new(trainers, data);
        self.run = run;
        self.out.send(&FromTrainer::Started { run, dataset, nets, steps, loaded }, &Parts::default());
        self.out.send(&FromTrainer::Progress(session.start_progress()), &Parts::default());
        self.session = Some(session);
        self.send_weights().await;
    }

    /// The training split of `dataset` (cached), announced with `DataLoaded`; None (reported) when it
    /// cannot be loaded.
    async fn data(&mut self, dataset: DatasetName) -> Option<Arc<Dataset>> {
        if self.cache.as_ref().is_none_or(|(d, _)| *d != dataset) {
            match load(dataset, true).await {
                Ok(data) => self.cache = Some((dataset, Arc::new(data))),
                Err(msg) => {
                    self.out.error(format!("could not load the training data: {msg}"));
                    return None;
                }
            }
        }
        let data = self.cache.as_ref()?.1.clone();
        self.out.send(&FromTrainer::DataLoaded { dataset, train: data.len() }, &Parts::default());
        Some(data)
    }

    /// One step of every model, its events handled, then a yield to the event loop.
    async fn step(&mut self) {
        let Some(s) = self.session.as_mut() else { return };
        let events = s.step(now()).await;
        self.events(events).await;
        yield_now().await;
    }

    async fn events(&mut self, events: Vec<Event>) {
        for event in events {
            match event {
                Event::Progress(p) => self.out.send(&FromTrainer::Progress(p), &Parts::default()),
                Event::Snapshot => self.send_weights().await,
                Event::Diverged(e) => self.out.notice(e.to_string()),
                Event::Stopped(e) => self.out.error(e.to_string()),
            }
        }
    }

    /// Every model's current weights to the view (nothing before it is connected).
    async fn send_weights(&self) {
        let Some(port) = &self.port else { return };
        for (model, t, params) in self.snapshots().await {
            let msg = Weights { run: self.run, model, net: t.net().config().clone(), step: t.steps() };
            self.out.send_to(port, &msg, &Parts::data(&params));
        }
    }

    /// Each model's index, trainer and current weights (none, reported, when reading them fails).
    async fn snapshots(&self) -> Vec<(usize, &Trainer, Vec<f32>)> {
        let Some(s) = &self.session else { return Vec::new() };
        match s.snapshots().await {
            Ok(all) => all.into_iter().zip(s.trainers()).enumerate().map(|(i, (p, t))| (i, t, p)).collect(),
            Err(e) => {
                self.out.error(e.to_string());
                Vec::new()
            }
        }
    }
}

const NO_SESSION: &str = "no models yet: the trainer has not been set up";
