//! Evaluation: encode or reconstruct a whole split in batches, decode points, and measure how well
//! latent codes separate the classes (k-nearest-neighbour accuracy).

use std::ops::Range;

use burn::tensor::{Device, Tensor, TensorData};

use crate::data::{Dataset, PIXELS};
use crate::nets::Net;

/// A tensor could not be read back to the host (a lost device, an unexpected element type).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("reading results back from the device failed: {0}")]
pub struct ReadError(pub String);

/// Reads a tensor back to the host as f32 (async: synchronous reads panic in the browser).
pub async fn to_vec<const D: usize>(t: Tensor<D>) -> Result<Vec<f32>, ReadError> {
    let data = t.into_data_async().await.map_err(|e| ReadError(format!("{e:?}")))?;
    data.try_to_vec::<f32>().map_err(|e| ReadError(format!("{e:?}")))
}

/// Latent codes (means) of images `range` of `data`, `[len * L]` row-major, in batches of `batch`.
pub async fn encode_all(
    net: &Net,
    data: &Dataset,
    range: Range<usize>,
    batch: usize,
    device: &Device,
) -> Result<Vec<f32>, ReadError> {
    let end = range.end.min(data.len());
    let mut out = Vec::with_capacity(end.saturating_sub(range.start) * net.config().latent);
    for start in (range.start..end).step_by(batch.max(1)) {
        let idx: Vec<usize> = (start..(start + batch).min(end)).collect();
        out.extend(to_vec(net.encode(data.batch(&idx, device)).mean).await?);
    }
    Ok(out)
}

/// Per-sample reconstruction errors of the first `n` images of `data`.
pub async fn recon_errors(
    net: &Net,
    data: &Dataset,
    n: usize,
    batch: usize,
    device: &Device,
) -> Result<Vec<f32>, ReadError> {
    let n = n.min(data.len());
    let mut out = Vec::with_capacity(n);
    for start in (0..n).step_by(batch.max(1)) {
        let idx: Vec<usize> = (start..(start + batch).min(n)).collect();
        out.extend(to_vec(net.recon_errors(data.batch(&idx, device))).await?);
    }
    Ok(out)
}

/// Decodes latent points (`[k * L]` row-major) to images `[k * 784]` in 0..1.
pub async fn decode(net: &Net, points: &[f32], device: &Device) -> Result<Vec<f32>, ReadError> {
    let l = net.config().latent;
    let k = points.len() / l.max(1);
    if k == 0 {
        return Ok(Vec::new());
    }
    let z = Tensor::<2>::from_data(TensorData::new(points[..k * l].to_vec(), [k, l]), device);
    to_vec(net.decode(z)).await
}

/// Reconstructions (`[k * 784]`, in 0..1) of images given as pixels (`[k * 784]`).
pub async fn reconstruct(net: &Net, images: &[f32], device: &Device) -> Result<Vec<f32>, ReadError> {
    let k = images.len() / PIXELS;
    if k == 0 {
        return Ok(Vec::new());
    }
    let x = Tensor::<2>::from_data(TensorData::new(images[..k * PIXELS].to_vec(), [k, PIXELS]), device);
    to_vec(net.reconstruct(x)).await
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

/// The `k` images of `data` nearest to `image` (784 floats) by pixel MSE, as (index, MSE), nearest
/// first, leaving out image `skip` (the query itself).
pub fn pixel_neighbours(image: &[f32], data: &Dataset, k: usize, skip: Option<usize>) -> Vec<(usize, f32)> {
    let d: Vec<(f32, usize)> = (0..data.len())
        .filter(|&i| Some(i) != skip)
        .filter_map(|i| {
            let img = data.image(i)?;
            let s: f32 = img.iter().zip(image).map(|(&p, &q)| (f32::from(p) / 255.0 - q).powi(2)).sum();
            Some((s / PIXELS as f32, i))
        })
        .collect();
    crate::latent::smallest(d, k)
}

/// A VAE's posterior of images (`[k * 784]`): the means and log-variances, `[k * L]` each (an AE:
/// its codes and no variances).
pub async fn posterior(
    net: &Net,
    images: &[f32],
    device: &Device,
) -> Result<(Vec<f32>, Option<Vec<f32>>), ReadError> {
    let k = images.len() / PIXELS;
    let x = Tensor::<2>::from_data(TensorData::new(images[..k * PIXELS].to_vec(), [k, PIXELS]), device);
    let e = net.encode(x);
    let log_var = match e.log_var {
        Some(lv) => Some(to_vec(lv).await?),
        None => None,
    };
    Ok((to_vec(e.mean).await?, log_var))
}

/// How far apart two images are, for [`nearest`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Distance {
    /// Mean squared error per pixel.
    Mse,
    /// 1 − cosine similarity of the pixel vectors.
    Cosine,
    /// 1 − intersection over union of the pixels above 0.5 (the strokes).
    Strokes,
}

impl Distance {
    /// Rows of `x` (`[k, 784]`) prepared so that the distance follows from one matrix product.
    fn prepare(self, x: Tensor<2>) -> Tensor<2> {
        match self {
            Distance::Mse => x,
            Distance::Cosine => x.clone() / (x.powi_scalar(2).sum_dim(1).sqrt() + 1e-6),
            Distance::Strokes => x.greater_elem(0.5).float(),
        }
    }

    /// Distances `[k, m]` between prepared rows of `a` and `b`.
    fn between(self, a: Tensor<2>, b: Tensor<2>) -> Tensor<2> {
        let a2 = a.clone().powi_scalar(2).sum_dim(1); // [k, 1]
        let b2 = b.clone().powi_scalar(2).sum_dim(1).transpose(); // [1, m]
        let ab = a.matmul(b.transpose());
        match self {
            Distance::Mse => (a2 + b2 - ab * 2.0).clamp_min(0.0) / PIXELS as f32,
            Distance::Cosine => ab.neg() + 1.0,
            Distance::Strokes => (ab.clone() / (a2 + b2 - ab + 1e-6)).neg() + 1.0,
        }
    }
}

/// For each image of `images` (`[k * 784]`, 0..1), the distance to the nearest of images `range` of
/// `reference`, skipping reference image `skip[i]` for image `i` when given (leave-one-out).
/// One matrix product per chunk of 1,000 reference images on `device`.
pub async fn nearest(
    images: &[f32],
    reference: &Dataset,
    range: Range<usize>,
    skip: Option<&[usize]>,
    distance: Distance,
    device: &Device,
) -> Result<Vec<f32>, ReadError> {
    let k = images.len() / PIXELS;
    let mut best = vec![f32::INFINITY; k];
    if k == 0 {
        return Ok(best);
    }
    let a = Tensor::<2>::from_data(TensorData::new(images[..k * PIXELS].to_vec(), [k, PIXELS]), device);
    let a = distance.prepare(a);
    let end = range.end.min(reference.len());
    for start in (range.start..end).step_by(1000) {
        let idx: Vec<usize> = (start..(start + 1000).min(end)).collect();
        let b = distance.prepare(reference.batch(&idx, device));
        let d = to_vec(distance.between(a.clone(), b)).await?;
        for (i, row) in d.chunks(idx.len()).enumerate() {
            for (j, &v) in row.iter().enumerate() {
                if skip.is_none_or(|s| s.get(i) != Some(&idx[j])) {
                    best[i] = best[i].min(v);
                }
            }
        }
    }
    Ok(best)
}

/// The share of `values` that are at most `threshold`.
pub fn share_below(values: &[f32], threshold: f32) -> f32 {
    values.iter().filter(|&&v| v <= threshold).count() as f32 / values.len().max(1) as f32
}

/// Sparsity of codes: the mean |z| and the share of code units with |z| < `eps`.
pub fn code_sparsity(codes: &[f32], eps: f32) -> (f32, f32) {
    let n = codes.len().max(1) as f32;
    let mean = codes.iter().map(|z| z.abs()).sum::<f32>() / n;
    (mean, codes.iter().filter(|z| z.abs() < eps).count() as f32 / n)
}

/// Indices of the `k` largest finite `values`, largest first (the worst reconstructions).
pub fn largest(values: &[f32], k: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).filter(|&i| values[i].is_finite()).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
    order.truncate(k);
    order
}

/// The `q`-quantile (0..1) of `values` (nearest rank); NaN when empty.
pub fn quantile(values: &[f32], q: f32) -> f32 {
    let mut v: Vec<f32> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return f32::NAN;
    }
    v.sort_by(f32::total_cmp);
    v[((q.clamp(0.0, 1.0) * (v.len() - 1) as f32).round() as usize).min(v.len() - 1)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparsity_and_largest() {
        assert_eq!(code_sparsity(&[0.0, 0.05, -2.0, 2.0], 0.1), (4.05 / 4.0, 0.5));
        assert_eq!(largest(&[0.1, f32::NAN, 0.5, 0.3, 0.9], 3), vec![4, 2, 3]);
    }

    #[test]
    fn knn_sees_separated_clusters() {
        let codes = [0.0, 0.0, 0.1, 0.0, 0.0, 0.1, 5.0, 5.0, 5.1, 5.0, 5.0, 5.1];
        assert_eq!(knn_accuracy(&codes, 2, &[0, 0, 0, 1, 1, 1], 2), 1.0);
        assert!(knn_accuracy(&codes, 2, &[0, 1, 0, 1, 0, 1], 2) < 0.5);
    }

    #[test]
    fn quantile_and_share_below() {
        assert_eq!(quantile(&[3.0, 1.0, 2.0], 0.5), 2.0);
        assert_eq!(share_below(&[0.1, 0.5, 0.9, 0.2], 0.3), 0.5);
    }

    #[test]
    fn pixel_neighbours_agree_with_nearest_and_skip_the_query() {
        let data = crate::data::tests::stripes(30);
        let img = data.floats([4]);
        let with = pixel_neighbours(&img, &data, 3, None);
        assert_eq!(with[0].0, 4);
        assert!(with[0].1.abs() < 1e-6 && with.windows(2).all(|w| w[0].1 <= w[1].1));
        let without = pixel_neighbours(&img, &data, 3, Some(4));
        assert!(without.iter().all(|n| n.0 != 4) && without[0].1 > 0.0);
        assert_eq!(nearest_label(&img, &data).map(|n| n.0), Some(data.labels()[4]));
    }

    #[test]
    #[cfg(not(target_arch = "wasm32"))] // pollster (blocking on a future) is native-only
    fn nearest_finds_the_same_image_unless_skipped() {
        let data = crate::data::tests::stripes(30);
        let device = Device::flex();
        let img = data.floats([4]);
        for d in [Distance::Mse, Distance::Cosine, Distance::Strokes] {
            let same = pollster::block_on(nearest(&img, &data, 0..30, None, d, &device)).expect("read")[0];
            let other =
                pollster::block_on(nearest(&img, &data, 0..30, Some(&[4]), d, &device)).expect("read")[0];
            assert!(same.abs() < 1e-4 && other > same, "{d:?}: {same} vs {other}");
        }
    }
}
