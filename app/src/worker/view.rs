//! The view worker: copies of each model's weights and the test set. It serves, most urgent first:
//! decodes under the cursor, interpolation strips, prior samples, the reconstruction grids, the decoded
//! manifold backgrounds and, at most every [`MAP_PERIOD_MS`], a fresh encoding of the map's points.
//! A model is a network or a PCA of the pixels (the linear baseline). Codes of more than two
//! dimensions are shown on their own PCA plane, refitted each pass; points on it map back to codes.

use futures::StreamExt;
use js_sys::Float32Array;
use model::metrics::{
    box_samples, code_sparsity, decode, encode_all, interpolate, knn_accuracy, largest, mse, prior_samples,
    reconstruct, to_vec,
};
use model::pca::Pca;
use model::{Dataset, DatasetName, Device, Kind, Net, NetConfig, Noise, TrainConfig, sampling, weights};
use web_sys::DedicatedWorkerGlobalScope;

use super::{Inbox, load, post, pretrained, pretrained_map};
use crate::js::{now, sleep_ms, yield_now};
use crate::protocol::{Denoise, End, FromWorker, Init, MapInfo, PointInfo, SampleSet, ToWorker};

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
/// Test images the pixel PCA is fitted to.
const PCA_ROWS: usize = 3_000;
/// Test points whose map positions are scored by k-NN (leave-one-out, k = 5).
const KNN_POINTS: usize = 1_000;
/// Worst reconstructions in the anomaly gallery.
pub const WORST: usize = 12;
/// Codes whose off-plane part is averaged when a plane point is mapped back.
const LIFT_NEIGHBOURS: usize = 25;
/// |z| below this counts as a silent code unit.
const NEAR_ZERO: f32 = 0.1;

/// What turns images into codes and back.
enum Coder {
    Net(Box<Net>),
    /// PCA of the pixels: the codes are the coordinates on its components.
    Pca(Pca),
}

/// One model and what was last computed from it.
struct Model {
    coder: Coder,
    step: u64,
    /// Codes of the map's points from the last finished pass, `[n * dim]`.
    codes: Vec<f32>,
    /// With more than two dimensions: the PCA plane the map shows, and the codes' places on it.
    plane: Option<Pca>,
    flat: Vec<f32>,
    encoded: Option<u64>,
    recon: Option<u64>,
    manifold: Option<u64>,
}

impl Model {
    fn new(coder: Coder, step: u64, codes: Vec<f32>) -> Self {
        Self { coder, step, codes, plane: None, flat: Vec::new(), encoded: None, recon: None, manifold: None }
    }

    fn dim(&self) -> usize {
        match &self.coder {
            Coder::Net(n) => n.config().latent,
            Coder::Pca(p) => p.k(),
        }
    }

    fn net(&self) -> Option<&Net> {
        match &self.coder {
            Coder::Net(n) => Some(n.as_ref()),
            Coder::Pca(_) => None,
        }
    }

    /// Codes of test images `range`.
    async fn encode(&self, test: &Dataset, range: std::ops::Range<usize>, device: &Device) -> Vec<f32> {
        match &self.coder {
            Coder::Net(n) => encode_all(n, test, range, CHUNK, device).await,
            Coder::Pca(p) => p.project(&test.floats(range)),
        }
    }

    /// Images of codes (`[k * dim]`), in 0..1.
    async fn decode(&self, codes: &[f32], device: &Device) -> Vec<f32> {
        match &self.coder {
            Coder::Net(n) => decode(n, codes, device).await,
            Coder::Pca(p) => p.inverse(codes).into_iter().map(|v| v.clamp(0.0, 1.0)).collect(),
        }
    }

    /// Reconstructions of images (`[k * 784]`).
    async fn reconstruct(&self, images: &[f32], device: &Device) -> Vec<f32> {
        match &self.coder {
            Coder::Net(n) => reconstruct(n, images, device).await,
            Coder::Pca(p) => p.inverse(&p.project(images)).into_iter().map(|v| v.clamp(0.0, 1.0)).collect(),
        }
    }

    /// Per-image reconstruction error (mean squared, per pixel) of test images `range`, from their
    /// codes (already encoded by the map pass: a reconstruction is the decode of the code).
    async fn errors(
        &self,
        test: &Dataset,
        range: std::ops::Range<usize>,
        codes: &[f32],
        device: &Device,
    ) -> Vec<f32> {
        let images = test.floats(range);
        let recon = self.decode(codes, device).await;
        images.chunks_exact(784).zip(recon.chunks_exact(784)).map(|(a, b)| mse(a, b)).collect()
    }

    /// Map (2-D) positions of codes.
    fn flatten(&self, codes: &[f32]) -> Vec<f32> {
        match &self.plane {
            Some(p) => p.project(codes),
            None => codes.to_vec(),
        }
    }

    /// The codes at map points (`[k * 2]`): themselves in 2-D; else each plane point plus, in the
    /// other directions, the mean of the codes whose places on the plane are nearest to it (the
    /// codes' average off the plane there: a point among the 3s decodes like a 3, not like the mean).
    fn lift(&self, z: &[f32]) -> Vec<f32> {
        let Some(p) = &self.plane else { return z.to_vec() };
        let dim = self.dim();
        z.chunks_exact(2)
            .flat_map(|q| {
                let mut out = p.inverse(q);
                let near = nearest(&self.flat, q, LIFT_NEIGHBOURS);
                for &j in &near {
                    let on_plane = p.inverse(&self.flat[2 * j..2 * j + 2]);
                    for (d, o) in out.iter_mut().enumerate() {
                        *o += (self.codes[dim * j + d] - on_plane[d]) / near.len() as f32;
                    }
                }
                out
            })
            .collect()
    }
}

/// A decode request: id, a map point per model, the clicked test point.
type DecodeRequest = (u32, Vec<Option<[f32; 2]>>, Option<usize>);

#[derive(Default)]
struct Pending {
    decode: Option<DecodeRequest>,
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
    /// The pass in progress: model, codes so far, errors so far, step of the weights.
    pass: Option<(usize, Vec<f32>, Vec<f32>, u64)>,
    last_pass: f64,
    last_manifold: f64,
    /// Input corruption shown in the reconstruction panel (denoising).
    noise: Noise,
    /// Colour by reconstruction error: errors and the worst images come with each pass.
    errors: bool,
    /// Uploaded images, encoded onto every map.
    uploads: Option<Dataset>,
    /// Show a PCA of the pixels as the last model.
    pixels_pca: bool,
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
            Some(Model::new(Coder::Net(Box::new(net)), step, codes))
        }));
    }
    models
}

/// A PCA of the first test images' pixels with `k` components, as a model.
fn pixels_pca(scope: &DedicatedWorkerGlobalScope, test: &Dataset, k: usize) -> Option<Model> {
    let t0 = now();
    let rows = PCA_ROWS.min(test.len());
    match Pca::fit(&test.floats(0..rows), 784, k.clamp(1, 784)) {
        Ok(p) => {
            let ms = now() - t0;
            let msg =
                format!("PCA of the pixels fitted to {rows} test images ({k} components) in {ms:.0} ms.");
            post(scope, &FromWorker::Notice { msg }, None);
            Some(Model::new(Coder::Pca(p), 0, Vec::new()))
        }
        Err(e) => {
            post(scope, &FromWorker::Error { msg: format!("PCA of the pixels: {e}") }, None);
            None
        }
    }
}

/// Adds the pixel PCA (with as many components as the first net's latent size) when asked for.
fn add_pixels_pca(scope: &DedicatedWorkerGlobalScope, v: &mut View, nets: &[NetConfig]) {
    if let (true, Some(test), Some(net)) = (v.pixels_pca, v.test.as_ref(), nets.first()) {
        let m = pixels_pca(scope, test, net.latent);
        v.models.push(m);
    }
}

pub(super) async fn run(
    scope: &DedicatedWorkerGlobalScope,
    mut rx: Inbox,
    device: Device,
    dataset: DatasetName,
    nets: Vec<NetConfig>,
    init: Init,
    (train, pixels): (TrainConfig, bool),
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
        noise: train.noise,
        errors: false,
        uploads: None,
        pixels_pca: pixels,
    };
    add_pixels_pca(scope, &mut v, &nets);
    publish_shipped_maps(scope, &mut v);
    let mut loaded = dataset;
    loop {
        let next = if v.busy() { rx.try_recv().ok() } else { rx.next().await };
        if let Some((msg, data)) = next {
            match msg {
                ToWorker::Setup { dataset, nets, init, train, pixels_pca, .. } => {
                    if dataset != loaded || v.test.is_none() {
                        v.test = load_test(scope, dataset).await;
                        loaded = dataset;
                    } else if let Some(t) = &v.test {
                        send_loaded(scope, dataset, t);
                    }
                    v.models = initial_models(dataset, &nets, init, &v.device).await;
                    (v.noise, v.pixels_pca) = (train.noise, pixels_pca);
                    add_pixels_pca(scope, &mut v, &nets);
                    publish_shipped_maps(scope, &mut v);
                    (v.pass, v.pending.interp, v.pending.sample) = (None, None, None);
                }
                ToWorker::Weights { model, net: cfg, step } => {
                    let params = data.map(|d| d.to_vec()).unwrap_or_default();
                    match (weights::restore(&cfg, &params, &v.device), v.models.get_mut(model)) {
                        (Ok(net), Some(slot)) => {
                            let old = slot.take();
                            let mut m = Model::new(Coder::Net(Box::new(net)), step, Vec::new());
                            if let Some(old) = old {
                                (m.codes, m.encoded, m.plane, m.flat) =
                                    (old.codes, old.encoded, old.plane, old.flat);
                            }
                            *slot = Some(m);
                        }
                        (Err(e), _) => post(scope, &FromWorker::Error { msg: e.to_string() }, None),
                        (_, None) => {}
                    }
                }
                ToWorker::Decode { id, zs, index } => v.pending.decode = Some((id, zs, index)),
                ToWorker::Configure { train } => {
                    v.noise = train.noise;
                    v.models.iter_mut().flatten().for_each(|m| m.recon = None);
                }
                ToWorker::Errors { on } => {
                    v.errors = on;
                    v.models.iter_mut().flatten().for_each(|m| m.encoded = None);
                    v.pass = None;
                }
                ToWorker::Upload { name, images, labels, .. } => {
                    match Dataset::from_idx(&images, labels.as_deref().map(|l| l.as_slice())) {
                        Ok(d) => {
                            v.uploads = Some(d);
                            v.models.iter_mut().flatten().for_each(|m| m.encoded = None);
                            v.pass = None;
                        }
                        Err(e) => post(scope, &FromWorker::Error { msg: format!("{name}: {e}") }, None),
                    }
                }
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
        let dim = m.dim();
        if n > 0 && dim == 2 && m.codes.len() == n * dim {
            // Drawn at once; the first pass (due now) measures it and adds errors and uploads.
            let arr = Float32Array::from(m.codes.as_slice());
            let info = MapInfo::default(); // measured by the first pass
            post(
                scope,
                &FromWorker::Latents { model: i, step: m.step, info, errors: false, uploads: 0 },
                Some(&arr),
            );
        } else {
            m.codes.clear();
        }
    }
}

/// Does the most urgent piece of work; false when everything left must wait for its period.
async fn work(scope: &DedicatedWorkerGlobalScope, v: &mut View) -> bool {
    let Some(test) = v.test.as_ref() else { return false };
    let device = v.device.clone();
    if let Some((id, zs, index)) = v.pending.decode.take() {
        let started = crate::js::now();
        let mut pixels = Vec::new();
        for (i, m) in v.ready() {
            pixels.push(match zs.get(i).copied().flatten() {
                Some(z) => m.decode(&m.lift(&z), &device).await,
                None => Vec::new(),
            });
        }
        let mut point = None;
        if let Some(i) = index.filter(|&i| i < test.len()) {
            let original = test.floats([i]);
            let mut recons = Vec::new();
            for (_, m) in v.ready() {
                recons.push(m.reconstruct(&original, &device).await);
            }
            point = Some(PointInfo { index: i, label: test.labels()[i], original, recons });
        }
        let worker_ms = crate::js::now() - started;
        post(scope, &FromWorker::Decoded { id, zs, pixels, point, worker_ms }, None);
        return true;
    }
    if let Some((a, b, steps)) = v.pending.interp.take() {
        let (mut paths, mut images) = (Vec::new(), Vec::new());
        for (_, m) in v.ready() {
            let (za, zb) = (end_code(m, test, &a, &device).await, end_code(m, test, &b, &device).await);
            images.extend(m.decode(&interpolate(&za, &zb, steps), &device).await);
            let (fa, fb) = (m.flatten(&za), m.flatten(&zb));
            paths.push([fa[0], fa[1], fb[0], fb[1]]);
        }
        let arr = Float32Array::from(images.as_slice());
        post(scope, &FromWorker::Interpolated { paths, steps }, Some(&arr));
        return true;
    }
    if let Some((n, seed)) = v.pending.sample.take() {
        let reference = 0..MAP_POINTS.min(test.len());
        let (mut sets, mut images) = (Vec::new(), Vec::new());
        for (model, m) in v.ready() {
            let Some(net) = m.net() else { continue };
            let dim = m.dim();
            let t = sampling::threshold(net, test, 0..CALIBRATION, reference.clone(), &device).await;
            let mut sources = vec![("prior", prior_samples(n, dim, seed))];
            if net.config().kind == Kind::Ae && !m.codes.is_empty() {
                sources.push(("box", box_samples(&m.codes, dim, n, seed ^ 0x9e37)));
            }
            for (source, codes) in sources {
                let c = sampling::measure(net, &codes, test, reference.clone(), t, &device).await;
                images.extend(c.images);
                let (source, points) = (source.to_string(), m.flatten(&codes));
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
        let clean = test.floats(idx.iter().copied());
        let mut all = clean.clone();
        let noisy = match v.noise {
            Noise::None => None,
            noise => Some(to_vec(noise.apply(test.batch(&idx, &device))).await),
        };
        let input = noisy.as_ref().unwrap_or(&clean);
        let output = m.reconstruct(input, &device).await;
        let measured = noisy.map(|x| {
            let d = Denoise { noisy_mse: mse(&x, &clean), output_mse: mse(&output, &clean) };
            all.extend(x);
            d
        });
        all.extend(output);
        let arr = Float32Array::from(all.as_slice());
        let msg = FromWorker::Recons { model: i, step: m.step, count: idx.len(), noisy: measured };
        post(scope, &msg, Some(&arr));
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
            let images = m.decode(&m.lift(&grid(region, *tiles)), &device).await;
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
    let View { test: Some(test), models, pass, last_pass, device, errors, uploads, .. } = v else {
        return false;
    };
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
        *pass = Some((i, Vec::new(), Vec::new(), m.step));
    }
    let Some((i, codes, errs, step)) = pass.as_mut() else { return false };
    let Some(m) = models.get_mut(*i).and_then(|m| m.as_mut()) else {
        *pass = None;
        return true;
    };
    let n = MAP_POINTS.min(test.len());
    let done = codes.len() / m.dim().max(1);
    let end = (done + CHUNK).min(n);
    let chunk = m.encode(test, done..end, device).await;
    if *errors {
        errs.extend(m.errors(test, done..end, &chunk, device).await);
    }
    codes.extend(chunk);
    if end >= n {
        let (i, codes, errs, step) = (*i, std::mem::take(codes), std::mem::take(errs), *step);
        *pass = None;
        finish_pass(scope, m, i, (codes, errs, step), test, uploads.as_ref(), device).await;
    }
    true
}

/// Publishes a finished pass: the map positions (on a refitted plane above two dimensions), what was
/// measured on them, the errors and worst images, and the uploaded images' positions.
async fn finish_pass(
    scope: &DedicatedWorkerGlobalScope,
    m: &mut Model,
    i: usize,
    (codes, errs, step): (Vec<f32>, Vec<f32>, u64),
    test: &Dataset,
    uploads: Option<&Dataset>,
    device: &Device,
) {
    let dim = m.dim();
    m.plane = (dim > 2).then(|| Pca::fit(&codes, dim, 2).ok()).flatten();
    let mut data = m.flatten(&codes);
    let k = KNN_POINTS.min(data.len() / 2);
    let (mean_abs, near_zero) = code_sparsity(&codes, NEAR_ZERO);
    let plane_share = m.plane.as_ref().map(|p| {
        let total: f32 = (0..dim).map(|d| variance(&codes, dim, d)).sum();
        p.variances().iter().sum::<f32>() / total.max(f32::MIN_POSITIVE)
    });
    let knn = knn_accuracy(&data[..2 * k], 2, &test.labels()[..k], 5);
    let info = MapInfo { dim, plane_share, knn, mean_abs, near_zero };
    let errors = errs.len() * 2 == data.len();
    if errors {
        let worst = largest(&errs, WORST);
        let items = worst.iter().map(|&j| (j, test.labels()[j], errs[j])).collect();
        let arr = Float32Array::from(test.floats(worst.iter().copied()).as_slice());
        post(scope, &FromWorker::Worst { model: i, step, items }, Some(&arr));
        data.extend_from_slice(&errs);
    }
    let mut count = 0;
    if let Some(u) = uploads {
        let up = m.encode(u, 0..u.len(), device).await;
        count = u.len();
        data.extend(m.flatten(&up));
    }
    let arr = Float32Array::from(data.as_slice());
    post(scope, &FromWorker::Latents { model: i, step, info, errors, uploads: count }, Some(&arr));
    m.encoded = Some(step);
    m.codes = codes;
    m.flat = if m.plane.is_some() { data[..2 * n_points(&m.codes, dim)].to_vec() } else { Vec::new() };
}

fn n_points(codes: &[f32], dim: usize) -> usize {
    codes.len() / dim.max(1)
}

/// Indices of the (up to) `k` points of `flat` (`[n * 2]`) nearest to `q`.
fn nearest(flat: &[f32], q: &[f32], k: usize) -> Vec<usize> {
    let mut d: Vec<(f32, usize)> = flat
        .chunks_exact(2)
        .enumerate()
        .map(|(j, p)| ((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2), j))
        .collect();
    let k = k.min(d.len());
    if k > 0 && k < d.len() {
        d.select_nth_unstable_by(k - 1, |a, b| a.0.total_cmp(&b.0));
    }
    d[..k].iter().map(|x| x.1).collect()
}

/// Variance of column `d` of `codes` (`[n * dim]`).
fn variance(codes: &[f32], dim: usize, d: usize) -> f32 {
    let col: Vec<f32> = codes.chunks_exact(dim).map(|c| c[d]).collect();
    let mean = col.iter().sum::<f32>() / col.len().max(1) as f32;
    col.iter().map(|x| (x - mean) * (x - mean)).sum::<f32>() / (col.len().max(2) - 1) as f32
}

/// The code of an interpolation end under model `m`.
async fn end_code(m: &Model, test: &Dataset, end: &End, device: &Device) -> Vec<f32> {
    let dim = m.dim();
    match *end {
        End::At(z) => m.lift(&z),
        End::Point(i) if m.codes.len() >= dim * (i + 1) => m.codes[dim * i..dim * (i + 1)].to_vec(),
        End::Point(i) => m.encode(test, i..i + 1, device).await,
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
