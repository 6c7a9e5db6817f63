//! The worker runtime. A trainer worker owns the model and optimiser and steps as fast as it can,
//! yielding between steps; a view worker holds a copy of the weights and the test set, encodes the
//! map in chunks and decodes clicks in between. `onmessage` only queues; one async loop owns the state.

use std::rc::Rc;

use futures::StreamExt;
use futures::channel::mpsc::{UnboundedReceiver, unbounded};
use js_sys::Float32Array;
use model::metrics::{decode, encode_all, to_vec};
use model::{Dataset, DatasetName, Device, Net, NetConfig, TrainConfig, TrainError, Trainer, weights};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::js::{fetch_bytes, now, yield_now};
use crate::protocol::{FromWorker, Role, ToWorker};

/// How often the trainer reports progress and ships weights to the view (ms).
const PROGRESS_MS: f64 = 100.0;
const WEIGHTS_MS: f64 = 400.0;
/// Test points encoded per view chunk (about 15 ms on one core for the reference network).
const CHUNK: usize = 500;
/// Shortest time between two starts of a map refresh (ms): at least twice a second.
const MAP_PERIOD_MS: f64 = 450.0;
/// Test points on the map.
pub const MAP_POINTS: usize = 10_000;
/// Test images in the reconstruction panel (the first of each class, then more).
pub const RECON_COUNT: usize = 10;

type Inbox = UnboundedReceiver<(ToWorker, Option<Float32Array>)>;

/// Entry point of both worker bins.
pub fn main(gpu: bool) {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let (tx, rx) = unbounded();
    let post_scope = scope.clone();
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        match crate::protocol::decode::<ToWorker>(ev.data()) {
            Ok(msg) => {
                let _ = tx.unbounded_send(msg);
            }
            Err(e) => post(&post_scope, &FromWorker::Error { msg: format!("bad message: {e}") }, None),
        }
    });
    scope.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    wasm_bindgen_futures::spawn_local(run(scope, rx, gpu));
}

fn post(scope: &DedicatedWorkerGlobalScope, msg: &FromWorker, data: Option<&Float32Array>) {
    if let Ok((value, transfer)) = crate::protocol::encode(msg, data) {
        let _ = scope.post_message_with_transfer(&value, &transfer);
    }
}

async fn device(gpu: bool) -> Result<(Device, String, String), String> {
    if gpu {
        #[cfg(feature = "gpu")]
        {
            let device = Device::wgpu_options()
                .init_async()
                .await
                .map_err(|e| format!("WebGPU init failed: {e:?}"))?;
            return Ok((device, "webgpu".into(), "burn wgpu backend on the browser's WebGPU".into()));
        }
        #[cfg(not(feature = "gpu"))]
        return Err("this worker was built without WebGPU".into());
    }
    Ok((Device::flex(), "cpu".into(), "burn flex backend, wasm SIMD".into()))
}

/// Loads one split of a bundled dataset from `data/<id>/`.
async fn load(name: DatasetName, train: bool) -> Result<Dataset, String> {
    let [ti, tl, vi, vl] = name.files();
    let (i, l) = if train { (ti, tl) } else { (vi, vl) };
    let base = format!("data/{}/", name.id());
    let images = fetch_bytes(&format!("{base}{i}")).await?;
    let labels = fetch_bytes(&format!("{base}{l}")).await?;
    Dataset::from_idx(&images, Some(&labels)).map_err(|e| format!("{} {}: {e}", name.id(), i))
}

async fn run(scope: DedicatedWorkerGlobalScope, mut rx: Inbox, gpu: bool) {
    let (device, backend, detail) = match device(gpu).await {
        Ok(d) => d,
        Err(msg) => return post(&scope, &FromWorker::Error { msg }, None),
    };
    post(&scope, &FromWorker::Ready { backend, detail }, None);
    // The first message decides the role; later Setups rebuild within it.
    let Some((ToWorker::Setup { role, dataset, net, train }, _)) = rx.next().await else { return };
    match role {
        Role::Trainer => trainer(&scope, rx, device, dataset, net, train).await,
        Role::View => view(&scope, rx, device, dataset).await,
    }
}

/// A run being trained: the trainer and its data.
struct Run {
    trainer: Trainer,
    data: Rc<Dataset>,
    net: NetConfig,
}

async fn setup_run(
    scope: &DedicatedWorkerGlobalScope,
    device: &Device,
    cache: &mut Option<(DatasetName, Rc<Dataset>)>,
    dataset: DatasetName,
    net: NetConfig,
    train: TrainConfig,
) -> Option<Run> {
    if cache.as_ref().is_none_or(|(d, _)| *d != dataset) {
        match load(dataset, true).await {
            Ok(data) => *cache = Some((dataset, Rc::new(data))),
            Err(msg) => {
                post(
                    scope,
                    &FromWorker::Error { msg: format!("could not load the training data: {msg}") },
                    None,
                );
                return None;
            }
        }
    }
    let data = cache.as_ref()?.1.clone();
    post(scope, &FromWorker::DataLoaded { dataset, train: data.len(), test: 0, labels: Vec::new() }, None);
    let trainer = Trainer::new(&net, train, data.len(), &device.clone().autodiff());
    Some(Run { trainer, data, net })
}

async fn send_weights(scope: &DedicatedWorkerGlobalScope, run: &Run) {
    let params = weights::snapshot(&run.trainer.snapshot()).await;
    let arr = Float32Array::from(params.as_slice());
    post(scope, &FromWorker::Weights { net: run.net.clone(), step: run.trainer.steps() }, Some(&arr));
}

async fn trainer(
    scope: &DedicatedWorkerGlobalScope,
    mut rx: Inbox,
    device: Device,
    dataset: DatasetName,
    net: NetConfig,
    train: TrainConfig,
) {
    let mut cache = None;
    let mut run = setup_run(scope, &device, &mut cache, dataset, net, train).await;
    if let Some(r) = &run {
        send_weights(scope, r).await;
    }
    let (mut running, mut single) = (false, false);
    let mut history = Vec::new();
    let (mut last_progress, mut last_weights) = (now(), now());
    let (mut window_start, mut window_steps) = (now(), 0u32);
    let mut sps = 0.0;
    loop {
        let active = (running || single) && run.is_some();
        let next = if active { rx.try_recv().ok() } else { rx.next().await };
        if let Some((msg, _)) = next {
            match msg {
                ToWorker::Setup { dataset, net, train, .. } => {
                    run = setup_run(scope, &device, &mut cache, dataset, net, train).await;
                    history.clear();
                    (running, sps) = (false, 0.0);
                    if let Some(r) = &run {
                        send_weights(scope, r).await;
                        let stats = model::StepStats::default();
                        let msg = FromWorker::Progress {
                            stats,
                            samples_per_s: 0.0,
                            batches_per_epoch: r.trainer.epoch().1,
                            running,
                            history: Vec::new(),
                        };
                        post(scope, &msg, None);
                    }
                }
                ToWorker::Run { on } => {
                    if running
                        && !on
                        && let Some(r) = &run
                    {
                        // Paused: the map and the decoder get the final weights.
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
                        let _ = r.trainer.step(&r.data).await;
                        let t1 = now();
                        for _ in 0..steps {
                            let _ = r.trainer.step(&r.data).await;
                        }
                        let ms_per_step = (now() - t1) / f64::from(steps.max(1));
                        post(scope, &FromWorker::BenchDone { first_ms: t1 - t0, ms_per_step }, None);
                    }
                }
                ToWorker::Configure { train } => {
                    if let Some(r) = run.as_mut() {
                        r.trainer.set_config(train);
                    }
                }
                ToWorker::Weights { .. } | ToWorker::Decode { .. } => {}
            }
            continue;
        }
        let Some(r) = run.as_mut() else { continue };
        match r.trainer.step(&r.data).await {
            Ok(stats) => {
                history.push([stats.step as f32, stats.recon, stats.kl]);
                window_steps += 1;
                let t = now();
                if t - window_start > 1000.0 {
                    sps = f64::from(window_steps) * r.trainer.config().batch_size as f64
                        / ((t - window_start) / 1000.0);
                    (window_start, window_steps) = (t, 0);
                }
                if single || t - last_progress > PROGRESS_MS {
                    last_progress = t;
                    let msg = FromWorker::Progress {
                        stats,
                        samples_per_s: sps,
                        batches_per_epoch: r.trainer.epoch().1,
                        running,
                        history: std::mem::take(&mut history),
                    };
                    post(scope, &msg, None);
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

async fn view(scope: &DedicatedWorkerGlobalScope, mut rx: Inbox, device: Device, dataset: DatasetName) {
    let mut test = load_test(scope, dataset).await;
    let mut loaded = dataset;
    let mut net: Option<(Net, u64)> = None;
    let mut encoded_step = None;
    let mut pending_decode: Option<(u32, Vec<f32>, Option<usize>)> = None;
    let mut recon_step = None;
    let mut last_pass = f64::NEG_INFINITY;
    // The pass in progress: codes so far and the step of the weights they come from.
    let mut pass: Option<(Vec<f32>, u64)> = None;
    loop {
        let busy = pending_decode.is_some()
            || pass.is_some()
            || net.as_ref().is_some_and(|n| Some(n.1) != encoded_step || Some(n.1) != recon_step);
        let next = if busy { rx.try_recv().ok() } else { rx.next().await };
        if let Some((msg, data)) = next {
            match msg {
                ToWorker::Setup { dataset, .. } => {
                    if dataset != loaded || test.is_none() {
                        test = load_test(scope, dataset).await;
                        loaded = dataset;
                    } else if let Some(t) = &test {
                        let labels = t.labels()[..MAP_POINTS.min(t.len())].to_vec();
                        post(
                            scope,
                            &FromWorker::DataLoaded { dataset, train: 0, test: t.len(), labels },
                            None,
                        );
                    }
                    (net, encoded_step, pass, recon_step) = (None, None, None, None);
                }
                ToWorker::Weights { net: cfg, step } => {
                    let params = data.map(|d| d.to_vec()).unwrap_or_default();
                    match weights::restore(&cfg, &params, &device) {
                        Ok(n) => net = Some((n, step)),
                        Err(e) => post(scope, &FromWorker::Error { msg: e.to_string() }, None),
                    }
                }
                ToWorker::Decode { id, z, index } => pending_decode = Some((id, z, index)),
                _ => {}
            }
            continue;
        }
        let (Some((n, step)), Some(test)) = (net.as_ref(), test.as_ref()) else {
            yield_now().await;
            continue;
        };
        if let Some((id, z, index)) = pending_decode.take() {
            let pixels = decode(n, &z, &device).await;
            let point = match index.filter(|&i| i < test.len()) {
                Some(i) => {
                    let original = test.floats([i]);
                    let recon = to_vec(n.reconstruct(test.batch(&[i], &device))).await;
                    Some((i, test.labels()[i], original, recon))
                }
                None => None,
            };
            post(scope, &FromWorker::Decoded { id, z, pixels, point }, None);
        } else if recon_step != Some(*step) {
            recon_step = Some(*step);
            let idx = recon_indices(test);
            let mut both = test.floats(idx.iter().copied());
            both.extend(to_vec(n.reconstruct(test.batch(&idx, &device))).await);
            let arr = Float32Array::from(both.as_slice());
            post(scope, &FromWorker::Recons { step: *step, count: idx.len() }, Some(&arr));
        } else if pass.is_none() && now() - last_pass < MAP_PERIOD_MS {
            // The map refreshes at most every MAP_PERIOD_MS: on two cores a view worker that never
            // rests starves the page's main thread (measured: 100+ ms tasks) while the trainer runs.
            crate::js::sleep_ms(20).await;
            continue;
        } else {
            if pass.is_none() {
                last_pass = now();
            }
            let (codes, pass_step) = pass.get_or_insert_with(|| (Vec::new(), *step));
            let done = codes.len() / n.config().latent;
            let end = (done + CHUNK).min(MAP_POINTS.min(test.len()));
            codes.extend(encode_all(n, test, done..end, CHUNK, &device).await);
            if end >= MAP_POINTS.min(test.len()) {
                let arr = Float32Array::from(codes.as_slice());
                let msg = FromWorker::Latents { step: *pass_step, dim: n.config().latent };
                post(scope, &msg, Some(&arr));
                encoded_step = Some(*pass_step);
                pass = None;
            }
        }
        yield_now().await;
    }
}

/// The first test image of each class, in class order (fewer if a class is missing).
fn recon_indices(test: &Dataset) -> Vec<usize> {
    (0..10u8).filter_map(|c| test.labels().iter().position(|&l| l == c)).take(RECON_COUNT).collect()
}

async fn load_test(scope: &DedicatedWorkerGlobalScope, dataset: DatasetName) -> Option<Dataset> {
    match load(dataset, false).await {
        Ok(test) => {
            let n = MAP_POINTS.min(test.len());
            let msg = FromWorker::DataLoaded {
                dataset,
                train: 0,
                test: test.len(),
                labels: test.labels()[..n].to_vec(),
            };
            post(scope, &msg, None);
            Some(test)
        }
        Err(msg) => {
            post(scope, &FromWorker::Error { msg: format!("could not load the test data: {msg}") }, None);
            None
        }
    }
}
