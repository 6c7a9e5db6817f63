//! The trainer worker: one or two models (AE and VAE side by side) stepped in turn on the same batches,
//! with progress ten times a second and weights for the view worker a few times a second.

use std::rc::Rc;

use futures::StreamExt;
use js_sys::Float32Array;
use model::{Dataset, DatasetName, Device, NetConfig, StepStats, TrainConfig, TrainError, Trainer, weights};
use web_sys::DedicatedWorkerGlobalScope;

use super::{Inbox, load, post};
use crate::js::{now, yield_now};
use crate::protocol::{FromWorker, ToWorker};

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

async fn setup(
    scope: &DedicatedWorkerGlobalScope,
    device: &Device,
    cache: &mut Option<(DatasetName, Rc<Dataset>)>,
    dataset: DatasetName,
    nets: Vec<NetConfig>,
    train: TrainConfig,
) -> Option<Run> {
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
    let device = device.clone().autodiff();
    let trainers = nets.iter().map(|n| Trainer::new(n, train.clone(), data.len(), &device)).collect();
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

pub(super) async fn run(
    scope: &DedicatedWorkerGlobalScope,
    mut rx: Inbox,
    device: Device,
    dataset: DatasetName,
    nets: Vec<NetConfig>,
    train: TrainConfig,
) {
    let mut cache = None;
    let mut run = setup(scope, &device, &mut cache, dataset, nets, train).await;
    if let Some(r) = &run {
        send_weights(scope, r).await;
    }
    let (mut running, mut single) = (false, false);
    let mut history: Vec<Vec<[f32; 3]>> = Vec::new();
    let (mut last_progress, mut last_weights) = (now(), now());
    let (mut window_start, mut window_steps) = (now(), 0u32);
    let mut sps = 0.0;
    loop {
        let active = (running || single) && run.is_some();
        let next = if active { rx.try_recv().ok() } else { rx.next().await };
        if let Some((msg, _)) = next {
            match msg {
                ToWorker::Setup { dataset, nets, train, .. } => {
                    run = setup(scope, &device, &mut cache, dataset, nets, train).await;
                    history.clear();
                    (running, sps) = (false, 0.0);
                    if let Some(r) = &run {
                        send_weights(scope, r).await;
                        let stats = vec![StepStats::default(); r.trainers.len()];
                        post(scope, &progress(r, stats, 0.0, false, Vec::new()), None);
                    }
                }
                ToWorker::Run { on } => {
                    if running
                        && !on
                        && let Some(r) = &run
                    {
                        // Paused: the maps and the decoders get the final weights.
                        send_weights(scope, r).await;
                    }
                    running = on;
                    (window_start, window_steps) = (now(), 0);
                    last_progress = 0.0;
                }
                ToWorker::Step => single = true,
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
                    post(scope, &progress(r, stats, sps, running, std::mem::take(&mut history)), None);
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
