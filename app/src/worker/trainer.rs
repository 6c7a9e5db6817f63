//! The trainer worker: one or two models (AE and VAE side by side) stepped in turn on the same batches,
//! with progress ten times a second and weights for the view worker a few times a second.

use std::rc::Rc;

use futures::StreamExt;
use js_sys::Float32Array;
use model::{Dataset, DatasetName, Device, NetConfig, StepStats, TrainConfig, TrainError, Trainer, weights};
use web_sys::DedicatedWorkerGlobalScope;

use super::{Inbox, load, post, pretrained};
use crate::js::{now, yield_now};
use crate::protocol::{FromWorker, Init, ToWorker};

/// How often the trainer reports progress and ships weights to the view (ms).
const PROGRESS_MS: f64 = 100.0;
const WEIGHTS_MS: f64 = 400.0;

/// The models being trained (same seed, so the same batch order) and their data.
struct Run {
    trainers: Vec<Trainer>,
    nets: Vec<NetConfig>,
    data: Rc<Dataset>,
}

impl Run {
    fn batch_size(&self) -> usize {
        self.trainers.first().map_or(1, |t| t.config().batch_size)
    }

    fn batches_per_epoch(&self) -> usize {
        self.trainers.first().map_or(0, |t| t.epoch().1)
    }

    /// One step of every model; the first error stops the round.
    async fn step(&mut self) -> Result<Vec<StepStats>, TrainError> {
        let mut stats = Vec::with_capacity(self.trainers.len());
        for t in &mut self.trainers {
            stats.push(t.step(&self.data).await?);
        }
        Ok(stats)
    }
}

/// The training data of `dataset` (cached: switching models does not reload it).
async fn data(
    scope: &DedicatedWorkerGlobalScope,
    cache: &mut Option<(DatasetName, Rc<Dataset>)>,
    dataset: DatasetName,
) -> Option<Rc<Dataset>> {
    if cache.as_ref().is_none_or(|(d, _)| *d != dataset) {
        match load(dataset, true).await {
            Ok(data) => *cache = Some((dataset, Rc::new(data))),
            Err(msg) => {
                let msg = format!("could not load the training data: {msg}");
                post(scope, &FromWorker::Error { msg }, None);
                return None;
            }
        }
    }
    let data = cache.as_ref()?.1.clone();
    post(scope, &FromWorker::DataLoaded { dataset, train: data.len(), test: 0, labels: Vec::new() }, None);
    Some(data)
}

async fn setup(
    scope: &DedicatedWorkerGlobalScope,
    device: &Device,
    cache: &mut Option<(DatasetName, Rc<Dataset>)>,
    dataset: DatasetName,
    nets: Vec<NetConfig>,
    (train, init): (TrainConfig, Init),
) -> Option<Run> {
    let data = data(scope, cache, dataset).await?;
    let device = device.clone().autodiff();
    let mut trainers = Vec::new();
    for net in &nets {
        let start = if init == Init::Pretrained { pretrained(dataset, net).await } else { None };
        let restored = start.and_then(|(p, step)| Some((weights::restore(net, &p, &device).ok()?, step)));
        trainers.push(match restored {
            Some((n, step)) => Trainer::resume(n, train.clone(), data.len(), step, &device),
            None => Trainer::new(net, train.clone(), data.len(), &device),
        });
    }
    let steps = trainers.iter().map(Trainer::steps).collect();
    post(scope, &FromWorker::Started { dataset, nets: nets.clone(), steps, loaded: false }, None);
    Some(Run { trainers, nets, data })
}

async fn send_weights(scope: &DedicatedWorkerGlobalScope, run: &Run) {
    for (model, (t, net)) in run.trainers.iter().zip(&run.nets).enumerate() {
        let params = weights::snapshot(&t.snapshot()).await;
        let arr = Float32Array::from(params.as_slice());
        post(scope, &FromWorker::Weights { model, net: net.clone(), step: t.steps() }, Some(&arr));
    }
}

fn progress(
    run: &Run,
    stats: Vec<StepStats>,
    sps: f64,
    running: bool,
    history: Vec<Vec<[f32; 3]>>,
) -> FromWorker {
    let batches_per_epoch = run.batches_per_epoch();
    FromWorker::Progress { stats, samples_per_s: sps, batches_per_epoch, running, history }
}

/// The progress report of a run that has not stepped yet (its step is the pretrained or loaded one).
fn start_progress(r: &Run) -> FromWorker {
    let stats = r
        .trainers
        .iter()
        .map(|t| StepStats { step: t.steps(), epoch: t.epoch().0, ..StepStats::default() })
        .collect();
    progress(r, stats, 0.0, false, Vec::new())
}

pub(super) async fn run(
    scope: &DedicatedWorkerGlobalScope,
    mut rx: Inbox,
    device: Device,
    dataset: DatasetName,
    nets: Vec<NetConfig>,
    train: TrainConfig,
    init: Init,
) {
    let mut cache = None;
    let mut run = setup(scope, &device, &mut cache, dataset, nets, (train, init)).await;
    if let Some(r) = &run {
        send_weights(scope, r).await;
        post(scope, &start_progress(r), None);
    }
    let (mut running, mut single) = (false, false);
    let mut history: Vec<Vec<[f32; 3]>> = Vec::new();
    let (mut last_progress, mut last_weights) = (now(), now());
    let (mut window_start, mut window_steps) = (now(), 0u32);
    let mut sps = 0.0;
    // The latest step's figures not yet reported (sent on pause).
    let mut last: Option<Vec<StepStats>> = None;
    loop {
        let active = (running || single) && run.is_some();
        let next = if active { rx.try_recv().ok() } else { rx.next().await };
        if let Some((msg, data_vec)) = next {
            let data_vec = data_vec.map(|d| d.to_vec());
            match msg {
                ToWorker::Setup { dataset, nets, train, init, .. } => {
                    run = setup(scope, &device, &mut cache, dataset, nets, (train, init)).await;
                    history.clear();
                    (running, sps) = (false, 0.0);
                    if let Some(r) = &run {
                        send_weights(scope, r).await;
                        post(scope, &start_progress(r), None);
                    }
                }
                ToWorker::Run { on } => {
                    if running
                        && !on
                        && let Some(r) = &run
                    {
                        // Paused: the maps and the decoders get the final weights, the page the final step.
                        send_weights(scope, r).await;
                        if let Some(stats) = last.take() {
                            post(scope, &progress(r, stats, sps, false, std::mem::take(&mut history)), None);
                        }
                    }
                    running = on;
                    (window_start, window_steps) = (now(), 0);
                    last_progress = 0.0;
                }
                ToWorker::Step => single = true,
                ToWorker::Load { dataset, net, train, step } => {
                    let params = data_vec.unwrap_or_default();
                    let autodiff = device.clone().autodiff();
                    match weights::restore(&net, &params, &autodiff) {
                        Err(e) => post(scope, &FromWorker::Error { msg: e.to_string() }, None),
                        Ok(restored) => {
                            let Some(data) = data(scope, &mut cache, dataset).await else { continue };
                            let trainer = Trainer::resume(restored, train, data.len(), step, &autodiff);
                            let r = Run { trainers: vec![trainer], nets: vec![net.clone()], data };
                            let msg = FromWorker::Started {
                                dataset,
                                nets: vec![net],
                                steps: vec![step],
                                loaded: true,
                            };
                            post(scope, &msg, None);
                            history.clear();
                            (running, sps) = (false, 0.0);
                            send_weights(scope, &r).await;
                            post(scope, &start_progress(&r), None);
                            run = Some(r);
                        }
                    }
                }
                ToWorker::Export { download } => {
                    if let Some(r) = &run {
                        for (model, (t, net)) in r.trainers.iter().zip(&r.nets).enumerate() {
                            let params = weights::snapshot(&t.snapshot()).await;
                            let arr = Float32Array::from(params.as_slice());
                            let msg = FromWorker::Export {
                                model,
                                net: net.clone(),
                                train: t.config().clone(),
                                step: t.steps(),
                                download,
                            };
                            post(scope, &msg, Some(&arr));
                        }
                    }
                }
                ToWorker::Bench { steps } => {
                    if let Some(r) = run.as_mut() {
                        let t0 = now();
                        let _ = r.step().await;
                        let t1 = now();
                        for _ in 0..steps {
                            let _ = r.step().await;
                        }
                        let ms_per_step = (now() - t1) / f64::from(steps.max(1));
                        post(scope, &FromWorker::BenchDone { first_ms: t1 - t0, ms_per_step }, None);
                    }
                }
                ToWorker::Upload { name, images, labels, train: true } => {
                    let parsed = Dataset::from_idx(&images, labels.as_deref().map(|l| l.as_slice()));
                    match (parsed, run.as_mut()) {
                        (Ok(d), Some(r)) => {
                            let len = d.len();
                            r.data = Rc::new(d);
                            r.trainers.iter_mut().for_each(|t| t.set_data_len(len));
                            let msg = format!("Training on your {len} images from {name} from now on.");
                            post(scope, &FromWorker::Notice { msg }, None);
                            post(scope, &start_progress(r), None);
                        }
                        (Err(e), _) => post(scope, &FromWorker::Error { msg: format!("{name}: {e}") }, None),
                        (_, None) => {}
                    }
                }
                ToWorker::Configure { train } => {
                    if let Some(r) = run.as_mut() {
                        r.trainers.iter_mut().for_each(|t| t.set_config(train.clone()));
                    }
                }
                _ => {}
            }
            continue;
        }
        let Some(r) = run.as_mut() else { continue };
        match r.step().await {
            Ok(stats) => {
                history.resize(stats.len(), Vec::new());
                for (h, s) in history.iter_mut().zip(&stats) {
                    h.push([s.step as f32, s.recon, s.kl]);
                }
                window_steps += 1;
                let t = now();
                if t - window_start > 1000.0 {
                    let samples = f64::from(window_steps) * (r.batch_size() * stats.len()) as f64;
                    sps = samples / ((t - window_start) / 1000.0);
                    (window_start, window_steps) = (t, 0);
                }
                if single || t - last_progress > PROGRESS_MS {
                    last_progress = t;
                    last = None;
                    post(scope, &progress(r, stats, sps, running, std::mem::take(&mut history)), None);
                } else {
                    last = Some(stats);
                }
                if !running || t - last_weights > WEIGHTS_MS {
                    last_weights = t;
                    send_weights(scope, r).await;
                }
            }
            Err(e @ TrainError::Diverged { .. }) => {
                post(scope, &FromWorker::Notice { msg: e.to_string() }, None);
                send_weights(scope, r).await;
            }
            Err(e) => {
                running = false;
                post(scope, &FromWorker::Error { msg: e.to_string() }, None);
            }
        }
        single = false;
        yield_now().await;
    }
}
