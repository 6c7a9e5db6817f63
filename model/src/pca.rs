//! Principal component analysis (fit, project, map back) on row-major f32 data, via nalgebra's
//! symmetric eigen-decomposition of the covariance. Used as the linear baseline (PCA of pixels) and to
//! view latents of more than two dimensions on a plane that a click can be mapped back from.

use nalgebra::{DMatrix, SymmetricEigen};

/// Why PCA could not be fitted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PcaError {
    #[error("PCA needs at least 2 rows of dimension >= {k}, got {rows} rows of dimension {dim}")]
    TooFewRows { rows: usize, dim: usize, k: usize },
}

/// A fitted PCA: the mean and the top `k` unit principal directions, largest variance first.
#[derive(Debug, Clone, PartialEq)]
pub struct Pca {
    dim: usize,
    mean: Vec<f32>,
    /// `[k * dim]`, row i = component i.
    components: Vec<f32>,
    /// Variance along each component.
    variances: Vec<f32>,
}

impl Pca {
    /// Fits `k` components to `data` (`[n * dim]` row-major). Up to [`FULL_EIGEN_MAX`] dimensions the
    /// covariance is fully decomposed; above (pixels), only the top components are found, by subspace
    /// iteration, which is what makes a PCA of 784 pixels take well under a second in the browser.
    pub fn fit(data: &[f32], dim: usize, k: usize) -> Result<Self, PcaError> {
        let n = data.len().checked_div(dim).unwrap_or(0);
        if n < 2 || k == 0 || k > dim {
            return Err(PcaError::TooFewRows { rows: n, dim, k });
        }
        let mut x = DMatrix::<f32>::from_row_slice(n, dim, &data[..n * dim]);
        let mean = x.row_mean();
        for mut row in x.row_iter_mut() {
            row -= &mean;
        }
        let cov = x.tr_mul(&x).cast::<f64>() / (n as f64 - 1.0);
        let (vectors, values) = if dim <= FULL_EIGEN_MAX { full_eigen(cov) } else { top_eigen(&cov, k) };
        let mut order: Vec<usize> = (0..values.len()).collect();
        order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
        let components = order[..k]
            .iter()
            .flat_map(|&j| vectors.column(j).iter().map(|&v| v as f32).collect::<Vec<_>>())
            .collect();
        Ok(Self {
            dim,
            mean: mean.iter().copied().collect(),
            components,
            variances: order[..k].iter().map(|&j| values[j] as f32).collect(),
        })
    }

    /// Number of components.
    pub fn k(&self) -> usize {
        self.variances.len()
    }

    /// Variance along each component, largest first.
    pub fn variances(&self) -> &[f32] {
        &self.variances
    }

    /// Coordinates of `data` (`[n * dim]`) on the components, `[n * k]`.
    pub fn project(&self, data: &[f32]) -> Vec<f32> {
        data.chunks_exact(self.dim)
            .flat_map(|row| {
                self.components.chunks_exact(self.dim).map(move |c| {
                    row.iter().zip(&self.mean).zip(c).map(|((x, m), w)| (x - m) * w).sum::<f32>()
                })
            })
            .collect()
    }

    /// Points of the full space for plane coordinates `coords` (`[n * k]`): the mean plus the
    /// coordinates along the components (the mean in every other direction), `[n * dim]`.
    pub fn inverse(&self, coords: &[f32]) -> Vec<f32> {
        coords
            .chunks_exact(self.k())
            .flat_map(|y| {
                let mut out = self.mean.clone();
                for (yi, c) in y.iter().zip(self.components.chunks_exact(self.dim)) {
                    out.iter_mut().zip(c).for_each(|(o, w)| *o += yi * w);
                }
                out
            })
            .collect()
    }
}

/// Largest dimension whose covariance is decomposed fully.
pub const FULL_EIGEN_MAX: usize = 64;

/// All eigenvectors (columns) and eigenvalues of a symmetric matrix.
fn full_eigen(cov: DMatrix<f64>) -> (DMatrix<f64>, Vec<f64>) {
    let eig = SymmetricEigen::new(cov);
    (eig.eigenvectors, eig.eigenvalues.iter().copied().collect())
}

/// The top `k` eigenpairs (plus a few spare) of a symmetric positive semi-definite matrix by
/// subspace iteration with a Rayleigh–Ritz step; deterministic start.
fn top_eigen(cov: &DMatrix<f64>, k: usize) -> (DMatrix<f64>, Vec<f64>) {
    const ITERATIONS: usize = 60;
    let dim = cov.nrows();
    let m = (k + 8).min(dim);
    let mut q = DMatrix::<f64>::from_fn(dim, m, |i, j| {
        let h = (i as u64 * 2_654_435_761 + j as u64 * 40_503) % 1_000;
        h as f64 / 1_000.0 - 0.5 + if i == j { 1.0 } else { 0.0 }
    });
    for _ in 0..ITERATIONS {
        q = (cov * q).qr().q();
    }
    let small = SymmetricEigen::new(q.transpose() * cov * &q);
    (q * small.eigenvectors, small.eigenvalues.iter().copied().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_long_axis_and_maps_back() {
        // Points on the line y = 2x (+ tiny noise in z): one component explains them.
        let data: Vec<f32> =
            (0..50).flat_map(|i| [i as f32, 2.0 * i as f32, if i % 2 == 0 { 0.01 } else { -0.01 }]).collect();
        let pca = Pca::fit(&data, 3, 1).expect("fits");
        let back = pca.inverse(&pca.project(&data));
        let err = data.iter().zip(&back).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
        assert!(err < 0.02, "max error {err}");
        assert!(pca.variances()[0] > 100.0);
        assert_eq!(Pca::fit(&data[..3], 3, 1), Err(PcaError::TooFewRows { rows: 1, dim: 3, k: 1 }));
    }

    #[test]
    fn top_components_match_the_full_decomposition() {
        // 300 rows in 100 dimensions with decaying variances along mixed axes.
        let dim = 100;
        let mut seed = 7u64;
        let mut rand = move || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as f32 / (1u64 << 31) as f32 - 0.5
        };
        let data: Vec<f32> = (0..300)
            .flat_map(|_| {
                let row: Vec<f32> = (0..dim).map(|j| rand() * 4.0 / (1.0 + j as f32)).collect();
                (0..dim).map(move |j| row[j] + 0.5 * row[(j + 1) % dim]).collect::<Vec<_>>()
            })
            .collect();
        let mut x = DMatrix::<f32>::from_row_slice(300, dim, &data);
        let mean = x.row_mean();
        for mut row in x.row_iter_mut() {
            row -= &mean;
        }
        let cov = x.tr_mul(&x).cast::<f64>() / 299.0;
        let (fv, fe) = full_eigen(cov.clone());
        let (tv, te) = top_eigen(&cov, 3);
        let top = |e: &[f64]| {
            let mut o: Vec<usize> = (0..e.len()).collect();
            o.sort_by(|&a, &b| e[b].total_cmp(&e[a]));
            o
        };
        let (fo, to) = (top(&fe), top(&te));
        for i in 0..3 {
            let (a, b) = (fe[fo[i]], te[to[i]]);
            assert!((a - b).abs() < 1e-6 * a.max(1.0), "variance {i}: {a} vs {b}");
            let dot = fv.column(fo[i]).dot(&tv.column(to[i])).abs();
            assert!(dot > 0.999, "component {i}: |cos| {dot}");
        }
    }
}
