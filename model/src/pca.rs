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
    /// Fits `k` components to `data` (`[n * dim]` row-major).
    pub fn fit(data: &[f32], dim: usize, k: usize) -> Result<Self, PcaError> {
        let n = data.len().checked_div(dim).unwrap_or(0);
        if n < 2 || k == 0 || k > dim {
            return Err(PcaError::TooFewRows { rows: n, dim, k });
        }
        let x = DMatrix::<f64>::from_row_iterator(n, dim, data[..n * dim].iter().map(|&v| f64::from(v)));
        let mean = x.row_mean();
        let centred = DMatrix::from_fn(n, dim, |r, c| x[(r, c)] - mean[c]);
        let cov = (centred.transpose() * &centred) / (n as f64 - 1.0);
        let eig = SymmetricEigen::new(cov);
        let mut order: Vec<usize> = (0..dim).collect();
        order.sort_by(|&a, &b| eig.eigenvalues[b].total_cmp(&eig.eigenvalues[a]));
        let components = order[..k]
            .iter()
            .flat_map(|&j| eig.eigenvectors.column(j).iter().map(|&v| v as f32).collect::<Vec<_>>())
            .collect();
        Ok(Self {
            dim,
            mean: mean.iter().map(|&v| v as f32).collect(),
            components,
            variances: order[..k].iter().map(|&j| eig.eigenvalues[j] as f32).collect(),
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
}
