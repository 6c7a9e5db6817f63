//! Evaluation: encode or reconstruct a whole split in batches, decode points, and measure how well
//! latent codes separate the classes (k-nearest-neighbour accuracy).

use std::ops::Range;

use burn::tensor::{Device, Tensor, TensorData};

use crate::data::{Dataset, PIXELS};
use crate::nets::Net;

/// Reads a tensor back to the host as f32 (async: synchronous reads panic in the browser).
pub async fn to_vec<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    match t.into_data_async().await {
        Ok(data) => data.try_to_vec::<f32>().unwrap_or_default(),
        Err(_) => Vec::new(),
    }
}

/// Latent codes (means) of images `range` of `data`, `[len * L]` row-major, in batches of `batch`.
pub async fn encode_all(
    net: &Net,
    data: &Dataset,
    range: Range<usize>,
    batch: usize,
    device: &Device,
) -> Vec<f32> {
    let end = range.end.min(data.len());
    let mut out = Vec::with_capacity(end.saturating_sub(range.start) * net.config().latent);
    for start in (range.start..end).step_by(batch.max(1)) {
        let idx: Vec<usize> = (start..(start + batch).min(end)).collect();
        out.extend(to_vec(net.encode(data.batch(&idx, device)).mean).await);
    }
    out
}

/// Per-sample reconstruction errors of the first `n` images of `data`.
pub async fn recon_errors(net: &Net, data: &Dataset, n: usize, batch: usize, device: &Device) -> Vec<f32> {
    let n = n.min(data.len());
    let mut out = Vec::with_capacity(n);
    for start in (0..n).step_by(batch.max(1)) {
        let idx: Vec<usize> = (start..(start + batch).min(n)).collect();
        out.extend(to_vec(net.recon_errors(data.batch(&idx, device))).await);
    }
    out
}

/// Decodes latent points (`[k * L]` row-major) to images `[k * 784]` in 0..1.
pub async fn decode(net: &Net, points: &[f32], device: &Device) -> Vec<f32> {
    let l = net.config().latent;
    let k = points.len() / l.max(1);
    if k == 0 {
        return Vec::new();
    }
    let z = Tensor::<2>::from_data(TensorData::new(points[..k * l].to_vec(), [k, l]), device);
    to_vec(net.decode(z)).await
}

/// Mean squared error between two equally long pixel buffers, per pixel.
pub fn mse(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len()).max(1);
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f32>() / n as f32
}

/// Leave-one-out k-NN accuracy of `codes` (`[n * dim]`) against `labels`: the share of points whose
/// k nearest other points (Euclidean) vote for their own label. Ties go to the smallest label.
pub fn knn_accuracy(codes: &[f32], dim: usize, labels: &[u8], k: usize) -> f32 {
    let n = labels.len().min(codes.len() / dim.max(1));
    if n < 2 {
        return 0.0;
    }
    let point = |i: usize| &codes[i * dim..(i + 1) * dim];
    let mut correct = 0;
    let mut dists: Vec<(f32, u8)> = Vec::with_capacity(n);
    for i in 0..n {
        dists.clear();
        let p = point(i);
        dists.extend((0..n).filter(|&j| j != i).map(|j| {
            let d = p.iter().zip(point(j)).map(|(a, b)| (a - b) * (a - b)).sum::<f32>();
            (d, labels[j])
        }));
        let k = k.clamp(1, dists.len());
        dists.select_nth_unstable_by(k - 1, |a, b| a.0.total_cmp(&b.0));
        let mut votes = [0u32; 256];
        dists[..k].iter().for_each(|&(_, l)| votes[l as usize] += 1);
        let best = (0..256).max_by_key(|&l| (votes[l], std::cmp::Reverse(l))).unwrap_or(0);
        correct += usize::from(best == labels[i] as usize);
    }
    correct as f32 / n as f32
}

/// The label of the training image nearest to `image` (784 floats) by pixel distance, and that distance².
pub fn nearest_label(image: &[f32], data: &Dataset) -> Option<(u8, f32)> {
    (0..data.len())
        .filter_map(|i| {
            let img = data.image(i)?;
            let d: f32 = img.iter().zip(image).map(|(&p, &q)| (f32::from(p) / 255.0 - q).powi(2)).sum();
            Some((data.labels()[i], d / PIXELS as f32))
        })
        .min_by(|a, b| a.1.total_cmp(&b.1))
}

/// `steps` evenly spaced points on the segment from `a` to `b` (both ends included), `[steps * L]`.
pub fn interpolate(a: &[f32], b: &[f32], steps: usize) -> Vec<f32> {
    let steps = steps.max(2);
    (0..steps)
        .flat_map(|s| {
            let t = s as f32 / (steps - 1) as f32;
            a.iter().zip(b).map(move |(x, y)| x + t * (y - x))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knn_sees_separated_clusters() {
        let codes = [0.0, 0.0, 0.1, 0.0, 0.0, 0.1, 5.0, 5.0, 5.1, 5.0, 5.0, 5.1];
        assert_eq!(knn_accuracy(&codes, 2, &[0, 0, 0, 1, 1, 1], 2), 1.0);
        assert!(knn_accuracy(&codes, 2, &[0, 1, 0, 1, 0, 1], 2) < 0.5);
    }

    #[test]
    fn interpolation_hits_both_ends() {
        assert_eq!(interpolate(&[0.0, 2.0], &[1.0, 0.0], 3), vec![0.0, 2.0, 0.5, 1.0, 1.0, 0.0]);
    }
}
