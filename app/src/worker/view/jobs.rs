//! The view's answers to the page's requests — decodes under the cursor, interpolation strips,
//! measured samples — and the panels it keeps fresh as weights change: the reconstruction grids and
//! the decoded manifold.

use model::data::PIXELS;
use model::latent::{box_samples, closest, grid, interpolate, prior_samples};
use model::metrics::{mse, to_vec};
use model::{Dataset, Kind, Noise, sampling};

use super::model_copy::{ModelCopy, ready};
use super::scheduler::{DecodeRequest, ManifoldRequest, ProbeRequest};
use super::{Env, JobResult, MAP_POINTS, RECON_COUNT};
use crate::js::now;
use crate::protocol::Parts;
use crate::protocol::view::{ClickedPoint, Denoise, End, FromView, SampleSet};

/// Reconstructions that calibrate the sample-plausibility threshold.
const CALIBRATION: usize = 200;
/// Test images shown as the drawing's nearest.
const NEAREST: usize = 8;

/// Decodes each model's map point and, for a click on a test point, its image and reconstructions.
pub(super) async fn decode(env: &Env<'_>, models: &[Option<ModelCopy>], req: DecodeRequest) -> JobResult {
    let started = now();
    let DecodeRequest { id, zs, index } = req;
    let model = |i: usize| models.get(i).and_then(Option::as_ref);
    let (mut decoded, mut images) = (Vec::with_capacity(zs.len()), Vec::new());
    for (i, z) in zs.iter().enumerate() {
        decoded.push(match (model(i), z) {
            (Some(m), Some(z)) => {
                images.extend(m.decode(&m.lift(z), env.device).await?);
                true
            }
            _ => false,
        });
    }
    let test = env.test;
    let point = index.filter(|&i| i < test.len()).map(|i| ClickedPoint { index: i, label: test.labels()[i] });
    if let Some(p) = point {
        let original = test.floats([p.index]);
        images.extend_from_slice(&original);
        for i in 0..zs.len() {
            match model(i) {
                Some(m) => images.extend(m.reconstruct(&original, env.device).await?),
                // A model without weights yet: a blank image keeps the layout.
                None => images.extend([0.0; PIXELS]),
            }
        }
    }
    let worker_ms = now() - started;
    env.out.send(&FromView::Decoded { id, zs, decoded, point, worker_ms }, &Parts::data(&images));
    Ok(())
}

/// The user's drawing through every model: its map point and reconstruction, and model 0's nearest
/// test images by code.
pub(super) async fn probe(env: &Env<'_>, models: &[Option<ModelCopy>], req: &mut ProbeRequest) -> JobResult {
    let (mut points, mut images, mut nearest) = (Vec::new(), Vec::new(), Vec::new());
    req.done = models.iter().map(|m| m.as_ref().map(|m| m.step)).collect();
    for slot in models {
        let Some(m) = slot else {
            points.push(None);
            images.extend([0.0; PIXELS]);
            continue;
        };
        let code = m.encode(&req.image, 0..1, env.device).await?;
        let at = m.flatten(&code);
        points.push(Some([at.first().copied().unwrap_or(0.0), at.get(1).copied().unwrap_or(0.0)]));
        images.extend(m.decode(&code, env.device).await?);
        if nearest.is_empty() {
            let labels = env.test.labels();
            nearest = closest(&m.codes, m.dim(), &code, NEAREST)
                .into_iter()
                .filter_map(|(i, d)| Some((i, *labels.get(i)?, d)))
                .collect();
        }
    }
    images.extend(env.test.floats(nearest.iter().map(|n| n.0)));
    env.out.send(&FromView::Probed { points, nearest }, &Parts::data(&images));
    Ok(())
}

/// The first uploaded images and every model's reconstructions of them.
pub(super) async fn upload_recons(
    env: &Env<'_>,
    models: &[Option<ModelCopy>],
    req: &mut ProbeRequest,
) -> JobResult {
    req.done = models.iter().map(|m| m.as_ref().map(|m| m.step)).collect();
    let count = req.image.len();
    let mut images = req.image.floats(0..count);
    let originals = images.clone();
    for slot in models {
        match slot {
            Some(m) => images.extend(m.reconstruct(&originals, env.device).await?),
            None => images.extend(vec![0.0; count * PIXELS]),
        }
    }
    env.out.send(&FromView::UploadRecons { count }, &Parts::data(&images));
    Ok(())
}

/// Decodes of `steps` points between two ends, for every model.
pub(super) async fn interpolation(
    env: &Env<'_>,
    models: &[Option<ModelCopy>],
    (a, b, steps): (End, End, usize),
) -> JobResult {
    let (mut paths, mut images) = (Vec::new(), Vec::new());
    for (_, m) in ready(models) {
        let (za, zb) = (end_code(env, m, &a).await?, end_code(env, m, &b).await?);
        images.extend(m.decode(&interpolate(&za, &zb, steps), env.device).await?);
        let (fa, fb) = (m.flatten(&za), m.flatten(&zb));
        let at = |v: &[f32], i: usize| v.get(i).copied().unwrap_or(0.0);
        paths.push([at(&fa, 0), at(&fa, 1), at(&fb, 0), at(&fb, 1)]);
    }
    env.out.send(&FromView::Interpolated { paths, steps }, &Parts::data(&images));
    Ok(())
}

/// The code of an interpolation end under model `m`.
async fn end_code(env: &Env<'_>, m: &ModelCopy, end: &End) -> Result<Vec<f32>, Box<dyn std::error::Error>> {
    let dim = m.dim();
    Ok(match *end {
        End::At(z) => m.lift(&z),
        End::Point(i) if m.codes.len() >= dim * (i + 1) => m.codes[dim * i..dim * (i + 1)].to_vec(),
        End::Point(i) if i < env.test.len() => m.encode(env.test, i..i + 1, env.device).await?,
        End::Point(i) => return Err(format!("there is no test point {i} to interpolate from").into()),
    })
}

/// `n` samples of every network from the prior (and, for an AE, from its codes' box), measured
/// against the test images.
pub(super) async fn samples(
    env: &Env<'_>,
    models: &[Option<ModelCopy>],
    (n, seed): (usize, u64),
) -> JobResult {
    let reference = 0..MAP_POINTS.min(env.test.len());
    let (mut sets, mut images) = (Vec::new(), Vec::new());
    for (model, m) in ready(models) {
        let Some(net) = m.net() else { continue };
        let dim = m.dim();
        let t = sampling::threshold(net, env.test, 0..CALIBRATION, reference.clone(), env.device).await?;
        let mut sources = vec![("prior", prior_samples(n, dim, seed))];
        if net.config().kind == Kind::Ae && !m.codes.is_empty() {
            sources.push(("box", box_samples(&m.codes, dim, n, seed ^ 0x9e37)));
        }
        for (source, codes) in sources {
            let c = sampling::measure(net, &codes, env.test, reference.clone(), t, env.device).await?;
            images.extend(c.images);
            let (source, points) = (source.to_string(), m.flatten(&codes));
            sets.push(SampleSet { model, source, points, share: c.share, threshold: c.threshold });
        }
    }
    env.out.send(&FromView::Samples { sets }, &Parts::data(&images));
    Ok(())
}

/// The reconstruction grid of model `i`: the fixed test images, their corrupted copies when `noise`
/// is on (with the denoising measured), and the model's reconstructions of its inputs.
pub(super) async fn recons(env: &Env<'_>, i: usize, m: &ModelCopy, noise: Noise) -> JobResult {
    let idx = recon_indices(env.test);
    let clean = env.test.floats(idx.iter().copied());
    let noisy = match noise {
        Noise::None => None,
        noise => Some(to_vec(noise.apply(env.test.batch(&idx, env.device))).await?),
    };
    let output = m.reconstruct(noisy.as_ref().unwrap_or(&clean), env.device).await?;
    let mut all = clean.clone();
    let measured = noisy.map(|x| {
        let d = Denoise { noisy_mse: mse(&x, &clean), output_mse: mse(&output, &clean) };
        all.extend(x);
        d
    });
    all.extend(output);
    let msg = FromView::Recons { model: i, step: m.step, count: idx.len(), noisy: measured };
    env.out.send(&msg, &Parts::data(&all));
    Ok(())
}

/// The decoded manifold of every model that has a region: `tiles²` decodes over it.
pub(super) async fn manifold(
    env: &Env<'_>,
    models: &mut [Option<ModelCopy>],
    req: &ManifoldRequest,
) -> JobResult {
    for (i, slot) in models.iter_mut().enumerate() {
        let (Some(m), Some(&region)) = (slot.as_mut(), req.regions.get(i)) else { continue };
        m.manifold = Some(m.step);
        let images = m.decode(&m.lift(&grid(region, req.tiles)), env.device).await?;
        let msg = FromView::Manifold { model: i, region, tiles: req.tiles, step: m.step };
        env.out.send(&msg, &Parts::data(&images));
    }
    Ok(())
}

/// The first test image of each class, in class order (fewer if a class is missing).
fn recon_indices(test: &Dataset) -> Vec<usize> {
    (0..10u8).filter_map(|c| test.labels().iter().position(|&l| l == c)).take(RECON_COUNT).collect()
}
