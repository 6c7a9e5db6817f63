//! Degraded inputs for the completion and super-resolution lessons: part of an image hidden, or the
//! image at a lower resolution. The same maths runs on the host (one image the page shows) and on
//! tensors (a training batch, as input noise), and the two agree.

use burn::tensor::{Device, Distribution, Tensor, TensorData};
use serde::{Deserialize, Serialize};

use super::{PIXELS, SIDE};

/// Which half of an image is hidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Half {
    #[default]
    Top,
    Bottom,
    Left,
    Right,
    /// One of the four, drawn per image (training only; shown as the top half).
    Any,
}

impl Half {
    /// The four fixed halves.
    pub const FIXED: [Half; 4] = [Half::Top, Half::Bottom, Half::Left, Half::Right];

    /// The name the page and the URL use.
    pub fn id(self) -> &'static str {
        match self {
            Half::Top => "top",
            Half::Bottom => "bottom",
            Half::Left => "left",
            Half::Right => "right",
            Half::Any => "any",
        }
    }

    /// The half named `id`.
    pub fn from_id(id: &str) -> Option<Self> {
        [Half::Top, Half::Bottom, Half::Left, Half::Right, Half::Any].into_iter().find(|h| h.id() == id)
    }

    /// Whether pixel `p` (row-major) is hidden.
    pub fn hides(self, p: usize) -> bool {
        let (row, col) = (p / SIDE, p % SIDE);
        match self {
            Half::Top | Half::Any => row < SIDE / 2,
            Half::Bottom => row >= SIDE / 2,
            Half::Left => col < SIDE / 2,
            Half::Right => col >= SIDE / 2,
        }
    }

    /// 1 where a pixel is kept, 0 where it is hidden (784 values).
    pub fn keep(self) -> Vec<f32> {
        (0..PIXELS).map(|p| if self.hides(p) { 0.0 } else { 1.0 }).collect()
    }
}

/// Images (`[k * 784]`) with the pixels where `keep` is 0 set to 0 (`keep`: 784 values, 1 = kept).
pub fn masked(images: &[f32], keep: &[f32]) -> Vec<f32> {
    images.chunks_exact(PIXELS).flat_map(|img| img.iter().zip(keep).map(|(v, k)| v * k)).collect()
}

/// Images (`[k * 784]`) at `1/factor` the resolution, shown at full size: each `factor`×`factor`
/// block is replaced by its mean (`factor` divides 28: 2 gives 14×14, 4 gives 7×7).
pub fn low_res(images: &[f32], factor: usize) -> Vec<f32> {
    let f = if factor > 0 && SIDE.is_multiple_of(factor) { factor } else { 1 };
    let mut out = images.to_vec();
    for img in out.chunks_exact_mut(PIXELS) {
        for by in (0..SIDE).step_by(f) {
            for bx in (0..SIDE).step_by(f) {
                let cells = || (by..by + f).flat_map(move |y| (bx..bx + f).map(move |x| y * SIDE + x));
                let mean = cells().map(|p| img[p]).sum::<f32>() / (f * f) as f32;
                cells().for_each(|p| img[p] = mean);
            }
        }
    }
    out
}

/// [`masked`] on a batch `[B, 784]`: `half`, or with [`Half::Any`] one of the four per row (the
/// device's seeded RNG draws it).
pub fn hide_tensor(x: Tensor<2>, half: Half) -> Tensor<2> {
    let (device, rows) = (x.device(), x.dims()[0]);
    let keep = match half {
        Half::Any => {
            let masks: Vec<f32> = Half::FIXED.iter().flat_map(|h| h.keep()).collect();
            let masks = Tensor::<2>::from_data(TensorData::new(masks, [4, PIXELS]), &device);
            let u = Tensor::<2>::random([rows, 1], Distribution::Uniform(0.0, 4.0), &device);
            let pick = (0..4)
                .map(|i| {
                    u.clone().greater_equal_elem(i as f32).float()
                        - u.clone().greater_equal_elem(i as f32 + 1.0).float()
                })
                .collect::<Vec<_>>();
            Tensor::cat(pick, 1).matmul(masks)
        }
        h => keep_row(h, &device),
    };
    x * keep
}

fn keep_row(half: Half, device: &Device) -> Tensor<2> {
    Tensor::<2>::from_data(TensorData::new(half.keep(), [1, PIXELS]), device)
}

/// [`low_res`] on a batch `[B, 784]`.
pub fn low_res_tensor(x: Tensor<2>, factor: usize) -> Tensor<2> {
    if factor <= 1 || !SIDE.is_multiple_of(factor) {
        return x;
    }
    let (rows, n) = (x.dims()[0], SIDE / factor);
    let blocks = x.reshape([rows, n, factor, n, factor]).mean_dim(4).mean_dim(2);
    blocks.expand([rows, n, factor, n, factor]).reshape([rows, PIXELS])
}

// Native only: pollster (blocking on a future) is not built for wasm32.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::metrics::to_vec;

    fn image() -> Vec<f32> {
        (0..PIXELS).map(|p| ((p * 37) % 101) as f32 / 100.0).collect()
    }

    #[test]
    fn halves_hide_half_the_pixels_and_each_its_own() {
        for h in Half::FIXED {
            assert_eq!(h.keep().iter().filter(|&&k| k == 0.0).count(), PIXELS / 2, "{h:?}");
        }
        assert!(Half::Top.hides(0) && !Half::Top.hides(PIXELS - 1));
        assert!(Half::Right.hides(SIDE - 1) && !Half::Right.hides(0));
        assert_eq!(Half::from_id("left"), Some(Half::Left));
    }

    #[test]
    fn host_and_tensor_agree() {
        let device = Device::flex();
        let img = image();
        let x = Tensor::<2>::from_data(TensorData::new(img.clone(), [1, PIXELS]), &device);
        let t = pollster::block_on(to_vec(low_res_tensor(x.clone(), 4))).expect("reads");
        let h = low_res(&img, 4);
        assert!(t.iter().zip(&h).all(|(a, b)| (a - b).abs() < 1e-5));
        // A 7×7 image has at most 49 distinct values, and keeps the mean.
        let mut distinct = h.clone();
        distinct.sort_by(f32::total_cmp);
        distinct.dedup();
        assert!(distinct.len() <= 49);
        let mean = |v: &[f32]| v.iter().sum::<f32>() / v.len() as f32;
        assert!((mean(&h) - mean(&img)).abs() < 1e-4);
        let t = pollster::block_on(to_vec(hide_tensor(x.clone(), Half::Bottom))).expect("reads");
        assert_eq!(t, masked(&img, &Half::Bottom.keep()));
    }

    #[test]
    fn any_half_hides_exactly_one_half_per_row() {
        let device = Device::flex();
        let rows = 64;
        let x = Tensor::<2>::ones([rows, PIXELS], &device);
        let t = pollster::block_on(to_vec(hide_tensor(x, Half::Any))).expect("reads");
        let mut seen = [false; 4];
        for row in t.chunks_exact(PIXELS) {
            let which = Half::FIXED.iter().position(|h| h.keep() == row).expect("one of the four halves");
            seen[which] = true;
        }
        assert!(seen.iter().all(|&s| s), "64 rows drew every half: {seen:?}");
    }
}
