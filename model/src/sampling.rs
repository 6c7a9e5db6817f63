//! How plausible a model's samples are: decode points, and count the decodes that lie as close to some
//! real test image as the model's own reconstructions of real test images do. Distances compare the
//! strokes (pixels above 0.5, 1 − IoU), so a blurry but well-formed digit passes and a smear does not.

use std::ops::Range;

use burn::tensor::Device;

use crate::data::Dataset;
use crate::metrics::{Distance, ReadError, decode, nearest, quantile, share_below, to_vec};
use crate::nets::Net;

/// Share of reconstructions of real images that the threshold lets through.
pub const CALIBRATION_QUANTILE: f32 = 0.9;

/// Decoded samples and how many of them look like real data.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleCheck {
    /// The decodes, `[k * 784]`.
    pub images: Vec<f32>,
    /// Per decode, the stroke distance to the nearest real test image.
    pub distances: Vec<f32>,
    /// A decode is plausible at or under this distance: the [`CALIBRATION_QUANTILE`] of the same
    /// distance for the model's reconstructions of real test images.
    pub threshold: f32,
    /// Share of plausible decodes (0..1).
    pub share: f32,
}

/// The plausibility threshold of `net`: the [`CALIBRATION_QUANTILE`] of the stroke distance between
/// its reconstructions of test images `calibration` and their nearest other test image in `reference`.
pub async fn threshold(
    net: &Net,
    test: &Dataset,
    calibration: Range<usize>,
    reference: Range<usize>,
    device: &Device,
) -> Result<f32, ReadError> {
    let calib: Vec<usize> = calibration.filter(|&i| i < test.len()).collect();
    let recons = to_vec(net.reconstruct(test.batch(&calib, device))).await?;
    let d = nearest(&recons, test, reference, Some(&calib), Distance::Strokes, device).await?;
    Ok(quantile(&d, CALIBRATION_QUANTILE))
}

/// Decodes `points` (`[k * L]`) and measures them against test images `reference` with `threshold`.
pub async fn measure(
    net: &Net,
    points: &[f32],
    test: &Dataset,
    reference: Range<usize>,
    threshold: f32,
    device: &Device,
) -> Result<SampleCheck, ReadError> {
    let images = decode(net, points, device).await?;
    let distances = nearest(&images, test, reference, None, Distance::Strokes, device).await?;
    let share = share_below(&distances, threshold);
    Ok(SampleCheck { images, distances, threshold, share })
}

/// [`threshold`] then [`measure`].
pub async fn check(
    net: &Net,
    points: &[f32],
    test: &Dataset,
    calibration: Range<usize>,
    reference: Range<usize>,
    device: &Device,
) -> Result<SampleCheck, ReadError> {
    let t = threshold(net, test, calibration, reference.clone(), device).await?;
    measure(net, points, test, reference, t, device).await
}
