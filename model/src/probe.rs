//! A linear probe: multinomial logistic regression from features (codes, or PCA components of the
//! pixels) to the ten labels, fitted by full-batch gradient descent with Adam on standardised
//! features. Its test accuracy says how much class information a code holds *linearly* — the encoder
//! as a feature extractor. Deterministic: the same features give the same probe natively and in wasm.

/// Classes the probe separates.
pub const CLASSES: usize = 10;
/// Full-batch steps of a fit (a few seconds on 10,000 codes of 32 numbers in the browser).
pub const EPOCHS: usize = 300;
const LR: f32 = 0.05;
const L2: f32 = 1e-4;

/// A fitted probe: the standardisation and the weights `[dim + 1, 10]` (the last row is the bias).
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    dim: usize,
    mean: Vec<f32>,
    scale: Vec<f32>,
    weights: Vec<f32>,
}

impl Probe {
    /// Fits a probe to `features` (`[n * dim]`) and their labels (0..10) over `epochs` steps.
    pub fn fit(features: &[f32], dim: usize, labels: &[u8], epochs: usize) -> Self {
        let dim = dim.max(1);
        let n = (features.len() / dim).min(labels.len());
        let (mean, scale) = standardisation(&features[..n * dim], dim);
        let x = standardise(&features[..n * dim], &mean, &scale);
        let rows = dim + 1;
        let mut w = vec![0.0f32; rows * CLASSES];
        let (mut m, mut v) = (vec![0.0f32; w.len()], vec![0.0f32; w.len()]);
        let (b1, b2) = (0.9f32, 0.999f32);
        let mut grad = vec![0.0f32; w.len()];
        let mut p = [0.0f32; CLASSES];
        for t in 1..=epochs {
            grad.iter_mut().for_each(|g| *g = 0.0);
            for (xi, &label) in x.chunks_exact(dim).zip(labels) {
                logits(&w, xi, &mut p);
                softmax(&mut p);
                p[usize::from(label) % CLASSES] -= 1.0;
                for (d, &xd) in xi.iter().chain(std::iter::once(&1.0)).enumerate() {
                    let g = &mut grad[d * CLASSES..(d + 1) * CLASSES];
                    g.iter_mut().zip(&p).for_each(|(g, p)| *g += xd * p);
                }
            }
            let (c1, c2) = (1.0 - b1.powi(t as i32), 1.0 - b2.powi(t as i32));
            for i in 0..w.len() {
                let g = grad[i] / n.max(1) as f32 + L2 * w[i];
                m[i] = b1 * m[i] + (1.0 - b1) * g;
                v[i] = b2 * v[i] + (1.0 - b2) * g * g;
                w[i] -= LR * (m[i] / c1) / ((v[i] / c2).sqrt() + 1e-8);
            }
        }
        Self { dim, mean, scale, weights: w }
    }

    /// The predicted class of each row of `features` (`[n * dim]`).
    pub fn predict(&self, features: &[f32]) -> Vec<u8> {
        let x = standardise(features, &self.mean, &self.scale);
        let mut p = [0.0f32; CLASSES];
        x.chunks_exact(self.dim)
            .map(|xi| {
                logits(&self.weights, xi, &mut p);
                (0..CLASSES).max_by(|&a, &b| p[a].total_cmp(&p[b]).then(b.cmp(&a))).unwrap_or(0) as u8
            })
            .collect()
    }

    /// The share of rows of `features` predicted as their label.
    pub fn accuracy(&self, features: &[f32], labels: &[u8]) -> f32 {
        let predicted = self.predict(features);
        let n = predicted.len().min(labels.len());
        let right = predicted.iter().zip(labels).filter(|(p, l)| p == l).count();
        right as f32 / n.max(1) as f32
    }
}

/// Per-column mean and 1/std (1 for a constant column).
fn standardisation(x: &[f32], dim: usize) -> (Vec<f32>, Vec<f32>) {
    let n = (x.len() / dim).max(1) as f32;
    let mut mean = vec![0.0f32; dim];
    x.chunks_exact(dim).for_each(|r| mean.iter_mut().zip(r).for_each(|(m, v)| *m += v / n));
    let mut var = vec![0.0f32; dim];
    x.chunks_exact(dim)
        .for_each(|r| var.iter_mut().zip(r).zip(&mean).for_each(|((s, v), m)| *s += (v - m).powi(2) / n));
    let scale = var.iter().map(|&s| if s > 1e-12 { 1.0 / s.sqrt() } else { 1.0 }).collect();
    (mean, scale)
}

fn standardise(x: &[f32], mean: &[f32], scale: &[f32]) -> Vec<f32> {
    let dim = mean.len().max(1);
    x.chunks_exact(dim).flat_map(|r| r.iter().zip(mean).zip(scale).map(|((v, m), s)| (v - m) * s)).collect()
}

/// `p = [x, 1] · w`.
fn logits(w: &[f32], x: &[f32], p: &mut [f32; CLASSES]) {
    let bias = &w[x.len() * CLASSES..(x.len() + 1) * CLASSES];
    p.copy_from_slice(bias);
    for (d, &xd) in x.iter().enumerate() {
        p.iter_mut().zip(&w[d * CLASSES..(d + 1) * CLASSES]).for_each(|(p, w)| *p += xd * w);
    }
}

fn softmax(p: &mut [f32; CLASSES]) {
    let max = p.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    p.iter_mut().for_each(|v| {
        *v = (*v - max).exp();
        sum += *v;
    });
    p.iter_mut().for_each(|v| *v /= sum);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ten classes in order along the first feature (3 apart, ±0.5 noise); the other two are noise,
    /// one at a large scale. Ten ordered intervals on one axis are linearly separable only with large
    /// weights: 300 steps reach about 0.9.
    fn blobs(n: usize, seed: u32) -> (Vec<f32>, Vec<u8>) {
        let mut s = seed;
        let mut r = move || {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            s as f32 / u32::MAX as f32 - 0.5
        };
        let labels: Vec<u8> = (0..n).map(|i| (i % 10) as u8).collect();
        let x = labels.iter().flat_map(|&l| [f32::from(l) * 3.0 + r(), 100.0 * r(), r()]).collect();
        (x, labels)
    }

    #[test]
    fn separates_separable_classes_and_not_noise() {
        let (x, y) = blobs(2000, 7);
        let probe = Probe::fit(&x, 3, &y, EPOCHS);
        let (xt, yt) = blobs(1000, 99);
        assert!(probe.accuracy(&xt, &yt) > 0.85, "{}", probe.accuracy(&xt, &yt));
        // Only the noise columns: chance.
        let noise: Vec<f32> = xt.chunks_exact(3).flat_map(|r| [r[1], r[2]]).collect();
        let noise_train: Vec<f32> = x.chunks_exact(3).flat_map(|r| [r[1], r[2]]).collect();
        let chance = Probe::fit(&noise_train, 2, &y, EPOCHS).accuracy(&noise, &yt);
        assert!(chance < 0.2, "{chance}");
    }
}
