//! Map passes: the test points of one model encoded a chunk at a time (with their reconstruction
//! errors when the maps are coloured by them), then published with what was measured on them, the
//! worst reconstructions and the uploaded images' places. Also the maps shipped with pretrained weights,
//! published before any pass.

use std::ops::Range;

use model::Dataset;
use model::latent::Plane;
use model::metrics::{code_sparsity, knn_accuracy, largest};

use super::model_copy::{CHUNK, ModelCopy, ready};
use super::{Env, JobResult, MAP_POINTS, WORST};
use crate::protocol::Parts;
use crate::protocol::view::{FromView, MapInfo};

/// Test points whose map positions are scored by k-NN (leave-one-out, k = 5).
const KNN_POINTS: usize = 1_000;
/// |z| below this counts as a silent code unit.
const NEAR_ZERO: f32 = 0.1;

/// A pass in progress: the model, its weights' step, and the codes and errors so far.
pub(super) struct Pass {
    pub model: usize,
    step: u64,
    codes: Vec<f32>,
    errs: Vec<f32>,
}

/// A pass over the model whose map is the stalest (None when every map is current).
pub(super) fn start(models: &[Option<ModelCopy>]) -> Option<Pass> {
    let stale = ready(models).filter(|(_, m)| m.encoded != Some(m.step));
    let (model, m) = stale.min_by_key(|(_, m)| m.encoded)?;
    Some(Pass { model, step: m.step, codes: Vec::new(), errs: Vec::new() })
}

/// The next chunk of the pass in `slot`; after the last one the map is published and the slot
/// emptied. A pass that fails is dropped, and that map waits for the model's next weights.
pub(super) async fn advance(
    env: &Env<'_>,
    slot: &mut Option<Pass>,
    models: &mut [Option<ModelCopy>],
    errors: bool,
    uploads: Option<&Dataset>,
) -> JobResult {
    let Some(mut pass) = slot.take() else { return Ok(()) };
    let Some(m) = models.get_mut(pass.model).and_then(Option::as_mut) else { return Ok(()) };
    let n = MAP_POINTS.min(env.test.len());
    let done = pass.codes.len() / m.dim().max(1);
    let end = (done + CHUNK).min(n);
    if let Err(e) = encode_chunk(env, &mut pass, m, done..end, errors).await {
        m.encoded = Some(pass.step);
        return Err(e.into());
    }
    if end < n {
        *slot = Some(pass);
        return Ok(());
    }
    finish(env, m, pass, uploads).await
}

/// Adds the codes (and with `errors`, the reconstruction errors) of test points `range` to `pass`.
async fn encode_chunk(
    env: &Env<'_>,
    pass: &mut Pass,
    m: &ModelCopy,
    range: Range<usize>,
    errors: bool,
) -> Result<(), super::model_copy::CopyError> {
    let chunk = m.encode(env.test, range.clone(), env.device).await?;
    if errors {
        pass.errs.extend(m.errors(env.test, range, &chunk, env.device).await?);
    }
    pass.codes.extend(chunk);
    Ok(())
}

/// Publishes a finished pass: the map positions (on a refitted plane above two dimensions), what was
/// measured on them, the errors and worst images, and the uploaded images' positions.
async fn finish(env: &Env<'_>, m: &mut ModelCopy, pass: Pass, uploads: Option<&Dataset>) -> JobResult {
    let Pass { model, step, codes, errs } = pass;
    m.encoded = Some(step);
    let dim = m.dim();
    m.plane = Plane::fit(&codes, dim)?;
    let mut data = m.flatten(&codes);
    let k = KNN_POINTS.min(data.len() / 2);
    let (mean_abs, near_zero) = code_sparsity(&codes, NEAR_ZERO);
    let plane_share = m.plane.as_ref().map(Plane::share);
    let knn = knn_accuracy(&data[..2 * k], 2, &env.test.labels()[..k], 5);
    let info = MapInfo { dim, plane_share, knn, mean_abs, near_zero };
    let errors = !errs.is_empty() && errs.len() * 2 == data.len();
    if errors {
        let worst = largest(&errs, WORST);
        let items = worst.iter().map(|&j| (j, env.test.labels()[j], errs[j])).collect();
        let images = env.test.floats(worst.iter().copied());
        env.out.send(&FromView::Worst { model, step, items }, &Parts::data(&images));
        data.extend_from_slice(&errs);
    }
    let mut count = 0;
    if let Some(u) = uploads {
        let up = m.encode(u, 0..u.len(), env.device).await?;
        count = u.len();
        data.extend(m.flatten(&up));
    }
    let msg = FromView::Latents { model, step, info, errors, uploads: count };
    env.out.send(&msg, &Parts::data(&data));
    m.codes = codes;
    Ok(())
}

/// Posts the maps shipped with pretrained weights at once, where they fit the test set (`n` points of
/// two dimensions: the first pass, due at once, measures them and adds errors and uploads). A shipped
/// map that does not fit is dropped, with the notice `misfit(model, len, expected)`; models without a
/// map are encoded as usual.
pub(super) fn publish_shipped(
    env: &Env<'_>,
    models: &mut [Option<ModelCopy>],
    misfit: impl Fn(usize, usize, usize) -> String,
) {
    let n = MAP_POINTS.min(env.test.len());
    for (i, slot) in models.iter_mut().enumerate() {
        let Some(m) = slot.as_mut().filter(|m| !m.codes.is_empty()) else { continue };
        let expected = n * m.dim();
        if m.codes.len() != expected {
            env.out.notice(misfit(i, m.codes.len(), expected));
            m.codes.clear();
        } else if m.dim() == 2 {
            let msg = FromView::Latents {
                model: i,
                step: m.step,
                info: MapInfo::default(),
                errors: false,
                uploads: 0,
            };
            env.out.send(&msg, &Parts::data(&m.codes));
        } else {
            // Above two dimensions the map needs a plane, fitted by the first pass.
            m.codes.clear();
        }
    }
}
