//! The view worker: copies of each model's weights and the test set. It serves, most urgent first:
//! decodes under the cursor, interpolation strips, prior samples, the reconstruction grids, the decoded
//! manifold backgrounds and, at most every [`MAP_PERIOD_MS`], a fresh encoding of the map's points.

use futures::StreamExt;
use js_sys::Float32Array;
use model::metrics::{box_samples, decode, encode_all, interpolate, prior_samples, to_vec};
use model::{Dataset, DatasetName, Device, Kind, Net, NetConfig, sampling, weights};
use web_sys::DedicatedWorkerGlobalScope;

use super::{Inbox, load, post, pretrained, pretrained_map};
use crate::js::{now, sleep_ms, yield_now};
use crate::protocol::{End, FromWorker, Init, PointInfo, SampleSet, ToWorker};

/// Test points encoded per view chunk (about 15 ms on one core for the reference network).
const CHUNK: usize = 500;
/// Shortest time between two starts of a map refresh (ms).
const MAP_PERIOD_MS: f64 = 450.0;
/// Shortest time between two manifold repaints while training (a new region is served at once).
const MANIFOLD_PERIOD_MS: f64 = 1500.0;
/// Rest after each piece of work (ms).
const REST_MS: i32 = 4;
/// Test points on the map.
pub const MAP_POINTS: usize = 10_000;
/// Test images in the reconstruction panel (the first of each class).
pub const RECON_COUNT: usize = 10;
/// Reconstructions that calibrate the sample-plausibility threshold.
const CALIBRATION: usize = 200;

/// One model's weights and what was last computed from them.
struct Model {
    net: Net,
    step: u64,
    /// Codes of the map's points from the last finished pass.
    codes: Vec<f32>,
    encoded: Option<u64>,
    recon: Option<u64>,
    manifold: Option<u64>,
}

#[derive(Default)]
struct Pending {
    decode: Option<(u32, Vec<f32>, Option<usize>)>,
    interp: Option<(End, End, usize)>,
    sample: Option<(usize, u64)>,
    /// The manifold request and whether it changed since it was last served.
    manifold: Option<(Vec<[f32; 4]>, usize, bool)>,
}

struct View {
    device: Device,
    test: Option<Dataset>,
    models: Vec<Option<Model>>,
    pending: Pending,
    /// The pass in progress: model, codes so far, step of the weights.
    pass: Option<(usize, Vec<f32>, u64)>,
    last_pass: f64,
    last_manifold: f64,
}

impl View {
    fn ready(&self) -> impl Iterator<Item = (usize, &Model)> {
        self.models.iter().enumerate().filter_map(|(i, m)| m.as_ref().map(|m| (i, m)))
    }

    fn manifold_due(&self) -> bool {
        match &self.pending.manifold {
            Some((_, _, true)) => true,
            Some(_) => {
                now() - self.last_manifold > MANIFOLD_PERIOD_MS
                    && self.ready().any(|(_, m)| m.manifold != Some(m.step))
            }
            None => false,
        }
    }

    /// Whether there is work now (else the loop waits for a message).
    fn busy(&self) -> bool {
        let p = &self.pending;
        p.decode.is_some()
            || p.interp.is_some()
            || p.sample.is_some()
            || p.manifold.as_ref().is_some_and(|m| m.2)
            || self.pass.is_some()
            || self.ready().any(|(_, m)| {
                Some(m.step) != m.encoded
                    || Some(m.step) != m.recon
                    || (p.manifold.is_some() && Some(m.step) != m.manifold)
            })
    }
}

/// Each model's pretrained weights when asked for (none otherwise): the map can be drawn before the
/// trainer has even loaded its data.
async fn initial_models(
    dataset: DatasetName,
    nets: &[NetConfig],
    init: Init,
    device: &Device,
) -> Vec<Option<Model>> {
    let mut models = Vec::new();
    for net in nets {
        let (start, codes) = match init {
            Init::Pretrained => futures::join!(pretrained(dataset, net), pretrained_map(dataset, net)),
            Init::Fresh => (None, Vec::new()),
        };
        models.push(start.and_then(|(params, step)| {
            let net = weights::restore(net, &params, device).ok()?;
            Some(Model { net, step, codes, encoded: None, recon: None, manifold: None })
        }));
    }
    models
}

pub(super) async fn run(
    scope: &DedicatedWorkerGlobalScope,
    mut rx: Inbox,
    device: Device,
    dataset: DatasetName,
    nets: Vec<NetConfig>,
    init: Init,
) {
    let (test, models) =
        futures::join!(load_test(scope, dataset), initial_models(dataset, &nets, init, &device));
    let mut v = View {
        device,
        test,
        models,
        pending: Pending::default(),
        pass: None,
        last_pass: f64::NEG_INFINITY,
        last_manifold: f64::NEG_INFINITY,
    };
    publish_shipped_maps(scope, &mut v);
    let mut loaded = dataset;
    loop {
        let next = if v.busy() { rx.try_recv().ok() } else { rx.next().await };
        if let Some((msg, data)) = next {
            match msg {
                ToWorker::Setup { dataset, nets, init, .. } => {
                    if dataset != loaded || v.test.is_none() {
                        v.test = load_test(scope, dataset).await;
                        loaded = dataset;
                    } else if let Some(t) = &v.test {
                        send_loaded(scope, dataset, t);
                    }
                    v.models = initial_models(dataset, &nets, init, &v.device).await;
                    publish_shipped_maps(scope, &mut v);
                    (v.pass, v.pending.interp, v.pending.sample) = (None, None, None);
                }
                ToWorker::Weights { model, net: cfg, step } => {
                    let params = data.map(|d| d.to_vec()).unwrap_or_default();
                    match (weights::restore(&cfg, &params, &v.device), v.models.get_mut(model)) {
                        (Ok(net), Some(slot)) => {
                            let old = slot.take();
                            let (codes, encoded) = old.map(|m| (m.codes, m.encoded)).unwrap_or_default();
                            *slot = Some(Model { net, step, codes, encoded, recon: None, manifold: None });
                        }
                        (Err(e), _) => post(scope, &FromWorker::Error { msg: e.to_string() }, None),
                        (_, None) => {}
                    }
                }
                ToWorker::Decode { id, z, index } => v.pending.decode = Some((id, z, index)),
                ToWorker::Interpolate { a, b, steps } => v.pending.interp = Some((a, b, steps)),
                ToWorker::Sample { n, seed } => v.pending.sample = Some((n, seed)),
                ToWorker::Manifold { regions, tiles } => {
                    v.pending.manifold = regions.map(|r| (r, tiles, true));
                }
                _ => {}
            }
            continue;
        }
        if v.test.is_none() || v.ready().next().is_none() {
            yield_now().await;
            continue;
        }
        if !work(scope, &mut v).await {
            // Only time-gated work is left: rest, so the page's main thread keeps a core.
            sleep_ms(20).await;
            continue;
        }
        // A short rest after each piece of work (not just a yield): with the trainer on the other
        // core, a view worker that never sleeps starves the page's main thread (measured: 100–180 ms
        // tasks with two maps and the manifold on).
        sleep_ms(REST_MS).await;
    }
}

/// Sends the maps shipped with pretrained weights at once (when they fit the test set); models
/// without one are encoded as usual.
fn publish_shipped_maps(scope: &DedicatedWorkerGlobalScope, v: &mut View) {
    let n = v.test.as_ref().map_or(0, |t| MAP_POINTS.min(t.len()));
    for (i, m) in v.models.iter_mut().enumerate() {
        let Some(m) = m else { continue };
        let dim = m.net.config().latent;
        if n > 0 && m.codes.len() == n * dim {
            m.encoded = Some(m.step);
            let arr = Float32Array::from(m.codes.as_slice());
            post(scope, &FromWorker::Latents { model: i, step: m.step, dim }, Some(&arr));
        } else {
            m.codes.clear();
        }
    }
}

/// Does the most urgent piece of work; false when everything left must wait for its period.
async fn work(scope: &DedicatedWorkerGlobalScope, v: &mut View) -> bool {
    let Some(test) = v.test.as_ref() else { return false };
    let device = v.device.clone();
    if let Some((id, z, index)) = v.pending.decode.take() {
        let mut pixels = Vec::new();
        for (_, m) in v.ready() {
            pixels.push(decode(&m.net, &z, &device).await);
        }
        let mut point = None;
        if let Some(i) = index.filter(|&i| i < test.len()) {
            let mut recons = Vec::new();
            for (_, m) in v.ready() {
                recons.push(to_vec(m.net.reconstruct(test.batch(&[i], &device))).await);
            }
            point = Some(PointInfo { index: i, label: test.labels()[i], original: test.floats([i]), recons });
        }
        post(scope, &FromWorker::Decoded { id, z, pixels, point }, None);
        return true;
    }
    if let Some((a, b, steps)) = v.pending.interp.take() {
        let (mut paths, mut images) = (Vec::new(), Vec::new());
        for (_, m) in v.ready() {
            let (za, zb) = (end_code(m, test, &a, &device).await, end_code(m, test, &b, &device).await);
            images.extend(decode(&m.net, &interpolate(&za, &zb, steps), &device).await);
            paths.push([za[0], za[1], zb[0], zb[1]]);
        }
        let arr = Float32Array::from(images.as_slice());
        post(scope, &FromWorker::Interpolated { paths, steps }, Some(&arr));
        return true;
    }
    if let Some((n, seed)) = v.pending.sample.take() {
        let reference = 0..MAP_POINTS.min(test.len());
        let prior = prior_samples(n, 2, seed);
        let (mut sets, mut images) = (Vec::new(), Vec::new());
        for (model, m) in v.ready() {
            let t = sampling::threshold(&m.net, test, 0..CALIBRATION, reference.clone(), &device).await;
            let mut sources = vec![("prior", prior.clone())];
            if m.net.config().kind == Kind::Ae && !m.codes.is_empty() {
                sources.push(("box", box_samples(&m.codes, 2, n, seed ^ 0x9e37)));
            }
            for (source, points) in sources {
                let c = sampling::measure(&m.net, &points, test, reference.clone(), t, &device).await;
                images.extend(c.images);
                let source = source.to_string();
                sets.push(SampleSet { model, source, points, share: c.share, threshold: c.threshold });
            }
        }
        let arr = Float32Array::from(images.as_slice());
        post(scope, &FromWorker::Samples { sets }, Some(&arr));
        return true;
    }
    let stale_recon = v.ready().find(|(_, m)| m.recon != Some(m.step)).map(|(i, _)| i);
    if let Some(i) = stale_recon
        && let Some(m) = v.models[i].as_mut()
    {
        m.recon = Some(m.step);
        let idx = recon_indices(test);
        let mut both = test.floats(idx.iter().copied());
        both.extend(to_vec(m.net.reconstruct(test.batch(&idx, &device))).await);
        let arr = Float32Array::from(both.as_slice());
        post(scope, &FromWorker::Recons { model: i, step: m.step, count: idx.len() }, Some(&arr));
        return true;
    }
    if v.manifold_due()
        && let Some((regions, tiles, changed)) = v.pending.manifold.as_mut()
    {
        *changed = false;
        v.last_manifold = now();
        for (i, slot) in v.models.iter_mut().enumerate() {
            let (Some(m), Some(&region)) = (slot.as_mut(), regions.get(i)) else { continue };
            m.manifold = Some(m.step);
            let images = decode(&m.net, &grid(region, *tiles), &device).await;
            let arr = Float32Array::from(images.as_slice());
            let msg = FromWorker::Manifold { model: i, region, tiles: *tiles, step: m.step };
            post(scope, &msg, Some(&arr));
        }
        return true;
    }
    encode_chunk(scope, v).await
}

/// The next chunk of a map pass (starting one when a model has new weights and the period is over).
async fn encode_chunk(scope: &DedicatedWorkerGlobalScope, v: &mut View) -> bool {
    let View { test: Some(test), models, pass, last_pass, device, .. } = v else { return false };
    if pass.is_none() {
        // The map refreshes at most every MAP_PERIOD_MS: on two cores a view worker that never rests
        // starves the page's main thread (measured: 100+ ms tasks) while the trainer runs.
        let stale = models
            .iter()
            .enumerate()
            .filter_map(|(i, m)| m.as_ref().filter(|m| m.encoded != Some(m.step)).map(|m| (i, m)))
            .min_by_key(|(_, m)| m.encoded);
        let Some((i, m)) = stale else { return false };
        if now() - *last_pass < MAP_PERIOD_MS {
            return false;
        }
        *last_pass = now();
        *pass = Some((i, Vec::new(), m.step));
    }
    let Some((i, codes, step)) = pass.as_mut() else { return false };
    let Some(m) = models.get_mut(*i).and_then(|m| m.as_mut()) else {
        *pass = None;
        return true;
    };
    let n = MAP_POINTS.min(test.len());
    let done = codes.len() / m.net.config().latent;
    let end = (done + CHUNK).min(n);
    codes.extend(encode_all(&m.net, test, done..end, CHUNK, device).await);
    if end >= n {
        let arr = Float32Array::from(codes.as_slice());
        post(scope, &FromWorker::Latents { model: *i, step: *step, dim: m.net.config().latent }, Some(&arr));
        m.encoded = Some(*step);
        m.codes = std::mem::take(codes);
        *pass = None;
    }
    true
}

/// The code of an interpolation end under model `m`.
async fn end_code(m: &Model, test: &Dataset, end: &End, device: &Device) -> Vec<f32> {
    match *end {
        End::At(z) => z.to_vec(),
        End::Point(i) if m.codes.len() >= 2 * (i + 1) => m.codes[2 * i..2 * i + 2].to_vec(),
        End::Point(i) => encode_all(&m.net, test, i..i + 1, 1, device).await,
    }
}

/// Latent points at the centres of `tiles × tiles` cells over `[x0, y0, x1, y1]`, row by row from the
/// top left (largest y first).
fn grid([x0, y0, x1, y1]: [f32; 4], tiles: usize) -> Vec<f32> {
    let t = tiles.max(1) as f32;
    (0..tiles * tiles)
        .flat_map(|k| {
            let (col, row) = ((k % tiles) as f32, (k / tiles) as f32);
            [x0 + (col + 0.5) / t * (x1 - x0), y1 - (row + 0.5) / t * (y1 - y0)]
        })
        .collect()
}

/// The first test image of each class, in class order (fewer if a class is missing).
fn recon_indices(test: &Dataset) -> Vec<usize> {
    (0..10u8).filter_map(|c| test.labels().iter().position(|&l| l == c)).take(RECON_COUNT).collect()
}

fn send_loaded(scope: &DedicatedWorkerGlobalScope, dataset: DatasetName, test: &Dataset) {
    let labels = test.labels()[..MAP_POINTS.min(test.len())].to_vec();
    post(scope, &FromWorker::DataLoaded { dataset, train: 0, test: test.len(), labels }, None);
}

async fn load_test(scope: &DedicatedWorkerGlobalScope, dataset: DatasetName) -> Option<Dataset> {
    match load(dataset, false).await {
        Ok(test) => {
            send_loaded(scope, dataset, &test);
            Some(test)
        }
        Err(msg) => {
            post(scope, &FromWorker::Error { msg: format!("could not load the test data: {msg}") }, None);
            None
        }
    }
}
