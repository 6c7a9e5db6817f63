//! The lectures panel's items, computed on the view's models: nearest neighbours by code and by
//! pixels, latent traversals, the VAE's posterior, completion and super-resolution, compression and
//! linear probes. The page's request is kept and served again whenever the weights change.

use model::data::PIXELS;
use model::data::degrade::{low_res, masked};
use model::latent::{neighbours, posterior_samples, sweep, unit_range, variance};
use model::metrics::{mse, pixel_neighbours, posterior, reconstruct};
use model::pca::Pca;
use model::probe::{EPOCHS, Probe};
use model::{Dataset, DatasetName, Kind, Net};

use super::model_copy::{ModelCopy, ready};
use super::{Env, JobResult};
use crate::js::now;
use crate::protocol::Parts;
use crate::protocol::view::{
    FromView, Lecture, LectureResult, ModelPosterior, ProbeFigure, Repair, UnitSweep,
};
use crate::worker::shipped;

/// Neighbours shown per kind of distance.
pub(super) const NEIGHBOURS: usize = 8;
/// Decodes along one unit's sweep.
pub(super) const SWEEP_STEPS: usize = 9;
/// A VAE's units are swept over ±this (its codes are pulled towards N(0, 1)).
const PRIOR_RANGE: f32 = 2.5;
/// Draws of a VAE's posterior decoded.
pub(super) const DRAWS: usize = 8;
/// Test images a degradation's mean errors are measured on.
pub(super) const REPAIR_SET: usize = 200;
/// Test images the compression error is measured on.
pub(super) const COMPRESSION_SET: usize = 2_000;
/// Training images the linear probes are fitted to.
pub(super) const PROBE_TRAIN: usize = 10_000;
/// Of those, the images the pixel PCA is fitted to (a covariance of 784 pixels over 10,000 images
/// would keep the view busy for seconds).
pub(super) const PROBE_PCA_ROWS: usize = 3_000;

/// A lectures item to serve, its painted mask, the steps it was last served at, and whether it
/// changed since.
pub(super) struct LectureRequest {
    pub lecture: Lecture,
    pub mask: Vec<u8>,
    pub done: Vec<Option<u64>>,
    pub changed: bool,
}

impl LectureRequest {
    /// Whether the request is new or some model's weights changed since it was served.
    pub fn stale(&self, models: &[Option<ModelCopy>]) -> bool {
        self.changed
            || models
                .iter()
                .enumerate()
                .any(|(i, m)| m.as_ref().map(|m| m.step) != self.done.get(i).copied().flatten())
    }

    /// How long a stale (not changed) request waits after the last answer (ms): probes take seconds.
    pub fn period(&self) -> f64 {
        if self.lecture == Lecture::Probe { 15_000.0 } else { 1_500.0 }
    }
}

/// What the items need besides the models: the plain (shipped) networks, a slice of the training
/// split for the probes, and the pixel probe, which does not change with training.
#[derive(Default)]
pub(super) struct Extra {
    /// Per model: the shipped network and its step (None: none of this shape, or a fresh run).
    pub plain: Vec<Option<(Net, u64)>>,
    pub train: Option<(DatasetName, Dataset)>,
    pub pixel_probe: Option<(DatasetName, usize, ProbeFigure)>,
}

type Failure = Box<dyn std::error::Error>;

/// Serves `req` (its item's answer goes to the page).
pub(super) async fn lecture(
    env: &Env<'_>,
    models: &[Option<ModelCopy>],
    extra: &mut Extra,
    (req, drawing, dataset): (&mut LectureRequest, Option<&Dataset>, Option<DatasetName>),
) -> JobResult {
    req.done = models.iter().map(|m| m.as_ref().map(|m| m.step)).collect();
    req.changed = false;
    let step = models.first().and_then(Option::as_ref).map_or(0, |m| m.step);
    let image = |index: Option<usize>| source(env.test, drawing, index);
    let first = || models.first().and_then(Option::as_ref).ok_or("the model has no weights yet");
    let (result, images) = match req.lecture.clone() {
        Lecture::Neighbours { index, metric } => {
            let (data, i) = image(index)?;
            let m = first()?;
            let code = code_of(env, m, data, i, index).await?;
            let labels = env.test.labels();
            let labelled = |n: Vec<(usize, f32)>| -> Vec<(usize, u8, f32)> {
                n.into_iter().filter_map(|(j, d)| Some((j, *labels.get(j)?, d))).collect()
            };
            let by_code = labelled(neighbours(&m.codes, m.dim(), &code, NEIGHBOURS, metric, index));
            let query = data.floats([i]);
            let by_pixels = labelled(pixel_neighbours(&query, env.test, NEIGHBOURS, index));
            let mut images = query;
            images.extend(env.test.floats(by_code.iter().chain(&by_pixels).map(|n| n.0)));
            let label = index.map(|i| labels[i]);
            (LectureResult::Neighbours { label, by_code, by_pixels }, images)
        }
        Lecture::Traverse { index, unit } => {
            let (data, i) = image(index)?;
            let m = first()?;
            let code = code_of(env, m, data, i, index).await?;
            let dim = m.dim();
            let vae = m.net().is_some_and(|n| n.config().kind == Kind::Vae);
            let mut images = data.floats([i]);
            let mut units = Vec::new();
            for d in unit.map_or(0..dim, |u| u.min(dim.saturating_sub(1))..u.min(dim.saturating_sub(1)) + 1) {
                let (lo, hi) = if vae { (-PRIOR_RANGE, PRIOR_RANGE) } else { unit_range(&m.codes, dim, d) };
                let strip = m.decode(&sweep(&code, d, (lo, hi), SWEEP_STEPS), env.device).await?;
                let last = &strip[(SWEEP_STEPS - 1) * PIXELS..];
                let change = mse_abs(&strip[..PIXELS], last);
                units.push(UnitSweep { unit: d, lo, hi, variance: variance(&m.codes, dim, d), change });
                images.extend(strip);
            }
            (LectureResult::Traverse { units, steps: SWEEP_STEPS }, images)
        }
        Lecture::Posterior { index } => {
            let (data, i) = image(index)?;
            let query = data.floats([i]);
            let mut images = query.clone();
            let mut out = Vec::new();
            for (model, m) in ready(models) {
                let Some(net) = m.net() else { continue };
                let (mean, log_var) = posterior(net, &query, env.device).await?;
                let at = |c: &[f32]| {
                    let f = m.flatten(c);
                    [f.first().copied().unwrap_or(0.0), f.get(1).copied().unwrap_or(0.0)]
                };
                let centre = at(&mean);
                let (cov, draws, sigma) = match log_var {
                    Some(lv) => {
                        let z = posterior_samples(&mean, &lv, DRAWS, 7 + i as u64);
                        images.extend(m.decode(&z, env.device).await?);
                        let sigma: Vec<f32> = lv.iter().map(|v| (0.5 * v).exp()).collect();
                        (Some(map_covariance(&mean, &sigma, centre, at)), m.flatten(&z), sigma)
                    }
                    None => {
                        images.extend(m.decode(&mean, env.device).await?);
                        (None, Vec::new(), Vec::new())
                    }
                };
                out.push(ModelPosterior { model, mean: centre, cov, draws, sigma });
            }
            (LectureResult::Posterior { models: out }, images)
        }
        Lecture::Complete { index, half, painted } => {
            let keep: Vec<f32> = if painted && req.mask.len() == PIXELS {
                req.mask.iter().map(|&h| if h > 0 { 0.0 } else { 1.0 }).collect()
            } else {
                half.keep()
            };
            let (data, i) = image(index)?;
            degraded(env, models, extra, &data.floats([i]), |x| masked(x, &keep)).await?
        }
        Lecture::Superres { index, factor } => {
            let (data, i) = image(index)?;
            degraded(env, models, extra, &data.floats([i]), |x| low_res(x, usize::from(factor))).await?
        }
        Lecture::Compression => {
            let n = COMPRESSION_SET.min(env.test.len());
            let originals = env.test.floats(0..n);
            let mut out = Vec::new();
            for (model, m) in ready(models) {
                out.push((model, m.dim(), mse(&m.reconstruct(&originals, env.device).await?, &originals)));
            }
            (LectureResult::Compression { models: out, images: n }, Vec::new())
        }
        Lecture::Probe => {
            let dataset = dataset.ok_or("no dataset is loaded")?;
            let started = now();
            let probes = probes(env, models, extra, dataset).await?;
            (LectureResult::Probe { probes, ms: now() - started }, Vec::new())
        }
    };
    let lecture = req.lecture.clone();
    env.out.send(&FromView::Lecture { step, lecture, result }, &Parts::data(&images));
    Ok(())
}

/// The image an item is about: test image `index`, or the drawing (the dataset and its index).
fn source<'a>(
    test: &'a Dataset,
    drawing: Option<&'a Dataset>,
    index: Option<usize>,
) -> Result<(&'a Dataset, usize), Failure> {
    match (index, drawing) {
        (Some(i), _) if i < test.len() => Ok((test, i)),
        (Some(i), _) => Err(format!("there is no test image {i}").into()),
        (None, Some(d)) => Ok((d, 0)),
        (None, None) => Err("draw a digit first (Draw), or click a test point".into()),
    }
}

/// The code of image `i` of `data` under `m`: the map's own code for a test point it holds.
async fn code_of(
    env: &Env<'_>,
    m: &ModelCopy,
    data: &Dataset,
    i: usize,
    index: Option<usize>,
) -> Result<Vec<f32>, Failure> {
    let dim = m.dim();
    match index {
        Some(i) if m.codes.len() >= dim * (i + 1) => Ok(m.codes[dim * i..dim * (i + 1)].to_vec()),
        _ => Ok(m.encode(data, i..i + 1, env.device).await?),
    }
}

/// Mean |a − b| per pixel.
fn mse_abs(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum::<f32>() / a.len().max(1) as f32
}

/// A diagonal Gaussian (σ per unit) around `mean` seen on the map's axes: the covariance
/// `[xx, xy, yy]` of its projection (`at` maps a code to the map; `centre` = `at(mean)`).
fn map_covariance(
    mean: &[f32],
    sigma: &[f32],
    centre: [f32; 2],
    at: impl Fn(&[f32]) -> [f32; 2],
) -> [f32; 3] {
    let mut cov = [0.0f32; 3];
    for (d, s) in sigma.iter().enumerate() {
        let mut c = mean.to_vec();
        c[d] += s;
        let p = at(&c);
        let (vx, vy) = (p[0] - centre[0], p[1] - centre[1]);
        cov[0] += vx * vx;
        cov[1] += vx * vy;
        cov[2] += vy * vy;
    }
    cov
}

/// An image degraded by `degrade`, and every model's output on it; the same over the first test
/// images, beside the plain models'.
async fn degraded(
    env: &Env<'_>,
    models: &[Option<ModelCopy>],
    extra: &Extra,
    original: &[f32],
    degrade: impl Fn(&[f32]) -> Vec<f32>,
) -> Result<(LectureResult, Vec<f32>), Failure> {
    let input = degrade(original);
    let n = REPAIR_SET.min(env.test.len());
    let set = env.test.floats(0..n);
    let set_in = degrade(&set);
    let mut images = original.to_vec();
    images.extend_from_slice(&input);
    let mut repairs = Vec::new();
    for (model, m) in ready(models) {
        let output = m.reconstruct(&input, env.device).await?;
        let set_output = mse(&m.reconstruct(&set_in, env.device).await?, &set);
        let set_plain = match extra.plain.get(model).and_then(Option::as_ref) {
            Some((net, step)) if *step != m.step => {
                Some(mse(&reconstruct(net, &set_in, env.device).await?, &set))
            }
            _ => None,
        };
        repairs.push(Repair { model, output: mse(&output, original), set_output, set_plain });
        images.extend(output);
    }
    let result = LectureResult::Degraded {
        input: mse(&input, original),
        set_input: mse(&set_in, &set),
        images: n,
        models: repairs,
    };
    Ok((result, images))
}

/// Linear probes on each network's codes of the first training images (tested on the map's codes
/// of the test set), and on a PCA of the same images' pixels with as many components as model 0's code.
async fn probes(
    env: &Env<'_>,
    models: &[Option<ModelCopy>],
    extra: &mut Extra,
    dataset: DatasetName,
) -> Result<Vec<ProbeFigure>, Failure> {
    if extra.train.as_ref().is_none_or(|(d, _)| *d != dataset) {
        let all = shipped::load(dataset, true).await?;
        let n = PROBE_TRAIN.min(all.len());
        let first = Dataset::from_parts(all.pixels()[..n * PIXELS].to_vec(), all.labels()[..n].to_vec())?;
        extra.train = Some((dataset, first));
    }
    let Some((_, train)) = &extra.train else { return Ok(Vec::new()) };
    let test_labels = env.test.labels();
    let mut out = Vec::new();
    let mut dim0 = None;
    for (model, m) in ready(models) {
        if m.net().is_none() || m.codes.is_empty() {
            continue;
        }
        let dim = m.dim();
        dim0.get_or_insert(dim);
        let codes = m.encode(train, 0..train.len(), env.device).await?;
        let probe = Probe::fit(&codes, dim, train.labels(), EPOCHS);
        let tested = (m.codes.len() / dim).min(test_labels.len());
        let accuracy = probe.accuracy(&m.codes[..tested * dim], &test_labels[..tested]);
        out.push(ProbeFigure { model: Some(model), dim, accuracy, train: train.len(), test: tested });
    }
    let Some(dim) = dim0 else { return Ok(out) };
    let cached = extra.pixel_probe.filter(|(d, k, _)| *d == dataset && *k == dim);
    let pixels = match cached {
        Some((_, _, p)) => p,
        None => {
            let x = train.floats(0..train.len());
            let pca = Pca::fit(&x[..PROBE_PCA_ROWS.min(train.len()) * PIXELS], PIXELS, dim)?;
            let probe = Probe::fit(&pca.project(&x), dim, train.labels(), EPOCHS);
            let n = test_labels.len();
            let accuracy = probe.accuracy(&pca.project(&env.test.floats(0..n)), test_labels);
            let p = ProbeFigure { model: None, dim, accuracy, train: train.len(), test: n };
            extra.pixel_probe = Some((dataset, dim, p));
            p
        }
    };
    out.push(pixels);
    Ok(out)
}
