//! Maths of the latent space as the maps show it: points to sample, decode and interpolate, the grid
//! of a manifold background, and, for codes of more than two dimensions, the PCA plane a map shows
//! them on and the lift of a point on that plane back to a code.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use crate::pca::{Pca, PcaError};

/// Codes whose off-plane part is averaged when a plane point is lifted back to a code.
pub const LIFT_NEIGHBOURS: usize = 25;

/// Indices of the (up to) `k` points of `flat` (`[n * 2]`) nearest to `q` (2 floats), nearest first.
pub fn nearest(flat: &[f32], q: &[f32], k: usize) -> Vec<usize> {
    closest(flat, 2, q, k).into_iter().map(|(i, _)| i).collect()
}

/// The (up to) `k` codes of `codes` (`[n * dim]`) nearest to `q` (`dim` floats) by Euclidean
/// distance, as (index, distance), nearest first.
pub fn closest(codes: &[f32], dim: usize, q: &[f32], k: usize) -> Vec<(usize, f32)> {
    neighbours(codes, dim, q, k, Metric::Euclidean, None)
}

/// The `k` smallest of (value, index) pairs as (index, value), smallest first (ties by index).
pub fn smallest(mut d: Vec<(f32, usize)>, k: usize) -> Vec<(usize, f32)> {
    let k = k.min(d.len());
    if k > 0 && k < d.len() {
        d.select_nth_unstable_by(k - 1, |a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    }
    d.truncate(k);
    d.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    d.into_iter().map(|(v, j)| (j, v)).collect()
}

/// How two codes are compared when looking for neighbours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Metric {
    /// Straight-line distance.
    #[default]
    Euclidean,
    /// 1 − cosine similarity: the angle between codes, whatever their length.
    Cosine,
}

/// The `k` codes of `codes` (`[n * dim]`) nearest to `q` by `metric`, as (index, distance), nearest
/// first, leaving out code `skip` (the query's own point).
pub fn neighbours(
    codes: &[f32],
    dim: usize,
    q: &[f32],
    k: usize,
    metric: Metric,
    skip: Option<usize>,
) -> Vec<(usize, f32)> {
    if dim == 0 {
        return Vec::new();
    }
    let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
    let qn = norm(q);
    let d: Vec<(f32, usize)> = codes
        .chunks_exact(dim)
        .enumerate()
        .filter(|(j, _)| Some(*j) != skip)
        .map(|(j, c)| {
            let v = match metric {
                Metric::Euclidean => c.iter().zip(q).map(|(a, b)| (a - b) * (a - b)).sum::<f32>().sqrt(),
                Metric::Cosine => 1.0 - c.iter().zip(q).map(|(a, b)| a * b).sum::<f32>() / (norm(c) * qn),
            };
            (v, j)
        })
        .collect();
    smallest(d, k)
}

/// The range a traversal sweeps unit `d` over: the 2nd to 98th percentile of the unit's codes.
pub fn unit_range(codes: &[f32], dim: usize, d: usize) -> (f32, f32) {
    let mut col: Vec<f32> = codes.chunks_exact(dim.max(1)).filter_map(|c| c.get(d).copied()).collect();
    if col.is_empty() {
        return (-1.0, 1.0);
    }
    col.sort_by(f32::total_cmp);
    let at = |q: f32| col[((col.len() - 1) as f32 * q).round() as usize];
    (at(0.02), at(0.98))
}

/// `steps` codes equal to `code` except unit `d`, which goes evenly from `lo` to `hi`, `[steps * L]`.
pub fn sweep(code: &[f32], d: usize, (lo, hi): (f32, f32), steps: usize) -> Vec<f32> {
    let steps = steps.max(2);
    (0..steps)
        .flat_map(|s| {
            let v = lo + (hi - lo) * s as f32 / (steps - 1) as f32;
            code.iter().enumerate().map(move |(i, &c)| if i == d { v } else { c })
        })
        .collect()
}

/// `n` draws z = μ + σ·ε of a VAE's posterior N(μ, σ²) (`log_var` = log σ²), with ε seeded, `[n * L]`.
pub fn posterior_samples(mean: &[f32], log_var: &[f32], n: usize, seed: u64) -> Vec<f32> {
    let eps = prior_samples(n, mean.len(), seed);
    eps.chunks_exact(mean.len().max(1))
        .flat_map(|e| e.iter().zip(mean).zip(log_var).map(|((e, m), lv)| m + (0.5 * lv).exp() * e))
        .collect()
}

/// Sample variance of column `d` of `codes` (`[n * dim]`); 0 when `d` is out of range.
pub fn variance(codes: &[f32], dim: usize, d: usize) -> f32 {
    if d >= dim {
        return 0.0;
    }
    let col: Vec<f32> = codes.chunks_exact(dim).map(|c| c[d]).collect();
    let mean = col.iter().sum::<f32>() / col.len().max(1) as f32;
    col.iter().map(|x| (x - mean) * (x - mean)).sum::<f32>() / (col.len().max(2) - 1) as f32
}

/// Points at the centres of `tiles × tiles` cells over `[x0, y0, x1, y1]`, `[tiles² * 2]`, row by row
/// from the top left (largest y first), left to right within a row.
pub fn grid([x0, y0, x1, y1]: [f32; 4], tiles: usize) -> Vec<f32> {
    let t = tiles.max(1) as f32;
    (0..tiles * tiles)
        .flat_map(|k| {
            let (col, row) = ((k % tiles) as f32, (k / tiles) as f32);
            [x0 + (col + 0.5) / t * (x1 - x0), y1 - (row + 0.5) / t * (y1 - y0)]
        })
        .collect()
}

/// `n` points from the prior N(0, I) in `dim` dimensions, `[n * dim]`, seeded (Box–Muller).
pub fn prior_samples(n: usize, dim: usize, seed: u64) -> Vec<f32> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n * dim)
        .map(|_| {
            let (u, v): (f32, f32) = (rng.random_range(f32::EPSILON..1.0), rng.random());
            (-2.0 * u.ln()).sqrt() * (std::f32::consts::TAU * v).cos()
        })
        .collect()
}

/// `n` points drawn uniformly from the bounding box of `codes` (`[m * dim]`), `[n * dim]`, seeded;
/// the box is `[-1, 1]^dim` when there are no codes.
pub fn box_samples(codes: &[f32], dim: usize, n: usize, seed: u64) -> Vec<f32> {
    let dim = dim.max(1);
    let (mut lo, mut hi) = (vec![f32::INFINITY; dim], vec![f32::NEG_INFINITY; dim]);
    for p in codes.chunks_exact(dim) {
        for d in 0..dim {
            lo[d] = lo[d].min(p[d]);
            hi[d] = hi[d].max(p[d]);
        }
    }
    if codes.len() < dim {
        (lo, hi) = (vec![-1.0; dim], vec![1.0; dim]);
    }
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n * dim).map(|i| lo[i % dim] + rng.random::<f32>() * (hi[i % dim] - lo[i % dim])).collect()
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

/// The 2-D plane a map shows for codes of more than two dimensions: a PCA of the codes, their places
/// on it, and the lift back.
#[derive(Debug, Clone, PartialEq)]
pub struct Plane {
    pca: Pca,
    /// The fitted codes, `[n * dim]`.
    codes: Vec<f32>,
    /// Their places on the plane, `[n * 2]`.
    flat: Vec<f32>,
    dim: usize,
}

impl Plane {
    /// The plane of the top two principal components of `codes` (`[n * dim]`); `Ok(None)` when
    /// `dim <= 2` (the codes are their own map).
    pub fn fit(codes: &[f32], dim: usize) -> Result<Option<Plane>, PcaError> {
        if dim <= 2 {
            return Ok(None);
        }
        let pca = Pca::fit(codes, dim, 2)?;
        let codes = codes[..codes.len() / dim * dim].to_vec();
        let flat = pca.project(&codes);
        Ok(Some(Plane { pca, codes, flat, dim }))
    }

    /// Dimension of the codes.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Places on the plane of `codes` (`[k * dim]`), `[k * 2]`.
    pub fn project(&self, codes: &[f32]) -> Vec<f32> {
        self.pca.project(codes)
    }

    /// The fitted codes' places on the plane, `[n * 2]`.
    pub fn flat(&self) -> &[f32] {
        &self.flat
    }

    /// Codes (`[k * dim]`) at plane points `z` (`[k * 2]`): each point on the plane plus, in the other
    /// directions, the mean off-plane part of the [`LIFT_NEIGHBOURS`] fitted codes whose places are
    /// nearest to it (a point among the 3s decodes like a 3, not like the mean of all codes).
    pub fn lift(&self, z: &[f32]) -> Vec<f32> {
        let dim = self.dim;
        z.chunks_exact(2)
            .flat_map(|q| {
                let mut out = self.pca.inverse(q);
                let near = nearest(&self.flat, q, LIFT_NEIGHBOURS);
                for &j in &near {
                    let on_plane = self.pca.inverse(&self.flat[2 * j..2 * j + 2]);
                    for (d, o) in out.iter_mut().enumerate() {
                        *o += (self.codes[dim * j + d] - on_plane[d]) / near.len() as f32;
                    }
                }
                out
            })
            .collect()
    }

    /// Share (0..=1) of the codes' total variance that lies on the plane.
    pub fn share(&self) -> f32 {
        let total: f32 = (0..self.dim).map(|d| variance(&self.codes, self.dim, d)).sum();
        let on_plane = self.pca.variances().iter().sum::<f32>();
        (on_plane / total.max(f32::MIN_POSITIVE)).clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` seeded codes in 4-D lying near the plane spanned by (1, 1, 0, 0) and (0, 0, 1, -1), with
    /// small off-plane noise.
    fn near_plane(n: usize) -> Vec<f32> {
        let z = prior_samples(n, 4, 11);
        z.chunks_exact(4)
            .flat_map(|r| {
                let (a, b, e, f) = (3.0 * r[0], 2.0 * r[1], 0.01 * r[2], 0.01 * r[3]);
                [a + e, a - e, b + f, -b + f]
            })
            .collect()
    }

    #[test]
    fn neighbours_by_length_or_by_angle_and_without_the_query() {
        // (1, 0) is nearest (2, 0) in angle, (0.5, 0.5) in distance.
        let codes = [2.0, 0.0, 0.5, 0.5, 1.0, 0.0, -1.0, 0.0];
        let q = [1.0, 0.0];
        let e = neighbours(&codes, 2, &q, 2, Metric::Euclidean, Some(2));
        assert_eq!(e[0].0, 1);
        assert!((e[0].1 - 0.5f32.sqrt()).abs() < 1e-6);
        let c = neighbours(&codes, 2, &q, 3, Metric::Cosine, Some(2));
        assert_eq!(c.iter().map(|n| n.0).collect::<Vec<_>>(), vec![0, 1, 3]);
        assert!(c[0].1.abs() < 1e-6 && (c[2].1 - 2.0).abs() < 1e-6);
    }

    #[test]
    fn a_sweep_moves_one_unit_over_its_range() {
        let codes: Vec<f32> = (0..101).flat_map(|i| [i as f32, 7.0]).collect();
        assert_eq!(unit_range(&codes, 2, 0), (2.0, 98.0));
        assert_eq!(unit_range(&codes, 2, 1), (7.0, 7.0));
        let s = sweep(&[5.0, 1.0, 2.0], 1, (-1.0, 1.0), 3);
        assert_eq!(s, vec![5.0, -1.0, 2.0, 5.0, 0.0, 2.0, 5.0, 1.0, 2.0]);
    }

    #[test]
    fn posterior_samples_spread_as_sigma() {
        let (mean, log_var) = ([3.0, -1.0], [0.0, (0.01f32).ln()]);
        let z = posterior_samples(&mean, &log_var, 2000, 5);
        for d in 0..2 {
            let col: Vec<f32> = z.chunks_exact(2).map(|r| r[d]).collect();
            let m = col.iter().sum::<f32>() / col.len() as f32;
            let sd = (col.iter().map(|x| (x - m).powi(2)).sum::<f32>() / col.len() as f32).sqrt();
            let want = (0.5 * log_var[d]).exp();
            assert!(
                (m - mean[d]).abs() < 0.1 * want.max(0.3) && (sd / want - 1.0).abs() < 0.1,
                "{d}: {m} {sd}"
            );
        }
    }

    #[test]
    fn nearest_picks_the_closest_points() {
        let flat = [0.0, 0.0, 5.0, 5.0, 1.0, 0.0, -0.5, 0.2, 9.0, 9.0];
        let mut got = nearest(&flat, &[0.1, 0.0], 3);
        got.sort_unstable();
        assert_eq!(got, vec![0, 2, 3]);
        assert_eq!(nearest(&flat, &[9.0, 8.0], 1), vec![4]);
        assert_eq!(nearest(&flat, &[0.0, 0.0], 10).len(), 5);
        assert!(nearest(&[], &[0.0, 0.0], 3).is_empty());
    }

    #[test]
    fn closest_codes_come_nearest_first_with_their_distances() {
        // Three 3-D codes; the query is 1 from the second and 2 from the first.
        let codes = [0.0, 0.0, 2.0, 0.0, 0.0, 1.0, 5.0, 5.0, 5.0];
        let got = closest(&codes, 3, &[0.0, 0.0, 0.0], 2);
        assert_eq!(got, vec![(1, 1.0), (0, 2.0)]);
        assert!(closest(&codes, 0, &[], 2).is_empty());
    }

    #[test]
    fn variance_of_a_column() {
        let codes = [1.0, 10.0, 3.0, 10.0, 5.0, 10.0];
        assert_eq!(variance(&codes, 2, 0), 4.0);
        assert_eq!(variance(&codes, 2, 1), 0.0);
        assert_eq!(variance(&codes, 2, 2), 0.0);
    }

    #[test]
    fn grid_runs_from_the_top_left_row_by_row() {
        let g = grid([0.0, 0.0, 2.0, 4.0], 2);
        assert_eq!(g, vec![0.5, 3.0, 1.5, 3.0, 0.5, 1.0, 1.5, 1.0]);
        assert_eq!(grid([0.0, 0.0, 1.0, 1.0], 3).len(), 18);
    }

    #[test]
    fn samples_are_seeded_standard_normal_and_inside_the_box() {
        let z = prior_samples(20_000, 2, 1);
        assert_eq!(z, prior_samples(20_000, 2, 1));
        assert_ne!(z[..10], prior_samples(5, 2, 2)[..]);
        let mean = z.iter().sum::<f32>() / z.len() as f32;
        let var = z.iter().map(|x| (x - mean).powi(2)).sum::<f32>() / z.len() as f32;
        assert!(mean.abs() < 0.03 && (var - 1.0).abs() < 0.05, "mean {mean}, var {var}");
        let b = box_samples(&[-3.0, 1.0, 5.0, 2.0], 2, 500, 1);
        assert_eq!(b, box_samples(&[-3.0, 1.0, 5.0, 2.0], 2, 500, 1));
        assert!(b.chunks(2).all(|p| (-3.0..=5.0).contains(&p[0]) && (1.0..=2.0).contains(&p[1])));
        assert!(box_samples(&[], 3, 10, 1).iter().all(|v| (-1.0..=1.0).contains(v)));
    }

    #[test]
    fn interpolation_hits_both_ends() {
        assert_eq!(interpolate(&[0.0, 2.0], &[1.0, 0.0], 3), vec![0.0, 2.0, 0.5, 1.0, 1.0, 0.0]);
    }

    #[test]
    fn no_plane_at_two_dimensions_or_fewer() {
        assert_eq!(Plane::fit(&[0.0, 1.0, 2.0, 3.0], 2), Ok(None));
        assert!(Plane::fit(&[0.0, 1.0, 2.0], 3).is_err(), "one row is too few");
    }

    #[test]
    fn lifting_a_codes_own_place_gives_back_the_code() {
        let codes = near_plane(400);
        let plane = Plane::fit(&codes, 4).expect("fits").expect("4-D has a plane");
        assert_eq!((plane.dim(), plane.flat().len()), (4, 800));
        assert_eq!(plane.project(&codes), plane.flat());
        let share = plane.share();
        assert!((0.999..=1.0).contains(&share), "share {share}");
        let back = plane.lift(&plane.flat()[..20]);
        let err = codes[..40].iter().zip(&back).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
        assert!(err < 0.03, "max lift error {err}");
    }

    #[test]
    fn share_counts_the_variance_on_the_plane() {
        // Equal spread in four independent directions: about half of it lies on any plane.
        let codes: Vec<f32> = prior_samples(4000, 4, 5);
        let share = Plane::fit(&codes, 4).expect("fits").expect("a plane").share();
        assert!((0.45..=0.6).contains(&share), "share {share}");
    }
}
