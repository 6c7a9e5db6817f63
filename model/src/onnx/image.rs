//! The images a model takes: their size, where the channels are (NCHW, NHWC, flat) and how pixel
//! values are scaled, and the conversions between the model's order and the explorer's rows.

use super::OnnxError;

/// Where a model keeps its channels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// `[N, C, H, W]` (PyTorch).
    Nchw,
    /// `[N, H, W, C]` (Keras, TensorFlow).
    Nhwc,
    /// `[N, H × W × C]` (a dense network on flattened images).
    Flat,
}

impl Layout {
    pub fn name(self) -> &'static str {
        match self {
            Layout::Nchw => "NCHW",
            Layout::Nhwc => "NHWC",
            Layout::Flat => "flat",
        }
    }
}

/// How the model expects pixel values (the explorer's are in 0..1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scaling {
    /// 0..1 as they are.
    Unit,
    /// −1..1.
    Signed,
    /// `(x − mean) / std`.
    Standard { mean: f32, std: f32 },
}

impl Scaling {
    fn forward(self, x: f32) -> f32 {
        match self {
            Scaling::Unit => x,
            Scaling::Signed => 2.0 * x - 1.0,
            Scaling::Standard { mean, std } => (x - mean) / std,
        }
    }

    fn inverse(self, y: f32) -> f32 {
        match self {
            Scaling::Unit => y,
            Scaling::Signed => (y + 1.0) / 2.0,
            Scaling::Standard { mean, std } => y * std + mean,
        }
    }
}

/// An image's size: height, width and channels (1 grey, 3 colour).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    pub h: usize,
    pub w: usize,
    pub c: usize,
}

impl Shape {
    pub fn len(self) -> usize {
        self.h * self.w * self.c
    }

    pub fn is_empty(self) -> bool {
        self.len() == 0
    }
}

/// One model's image tensor: its shape and how its axes are laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageIo {
    pub shape: Shape,
    pub layout: Layout,
}

impl ImageIo {
    /// Reads an image tensor's dims (batch first). Channels are the axis of size 1 or 3 next to
    /// the batch (NCHW) or last (NHWC); NCHW when both could be.
    pub(super) fn detect(dims: &[Option<usize>], what: &str) -> Result<Self, OnnxError> {
        let fixed = |i: usize| dims.get(i).copied().flatten();
        let unfixed = || {
            OnnxError::Shape(format!("the {what} does not fix its image size ({dims:?}); export it with one"))
        };
        let is_channels = |d: Option<usize>| matches!(d, Some(1 | 3));
        let shape = |h, w, c| Shape { h, w, c };
        match dims.len() {
            4 if is_channels(fixed(1)) => {
                let (h, w) = (fixed(2).ok_or_else(unfixed)?, fixed(3).ok_or_else(unfixed)?);
                Ok(Self { shape: shape(h, w, fixed(1).unwrap_or(1)), layout: Layout::Nchw })
            }
            4 if is_channels(fixed(3)) => {
                let (h, w) = (fixed(1).ok_or_else(unfixed)?, fixed(2).ok_or_else(unfixed)?);
                Ok(Self { shape: shape(h, w, fixed(3).unwrap_or(1)), layout: Layout::Nhwc })
            }
            4 => Err(OnnxError::Shape(format!(
                "the {what}'s images have no channel axis of 1 (grey) or 3 (colour): {dims:?}"
            ))),
            3 => {
                let (h, w) = (fixed(1).ok_or_else(unfixed)?, fixed(2).ok_or_else(unfixed)?);
                Ok(Self { shape: shape(h, w, 1), layout: Layout::Nhwc })
            }
            2 => {
                let p = fixed(1).ok_or_else(unfixed)?;
                let side = (p as f64).sqrt().round() as usize;
                if side * side != p {
                    return Err(OnnxError::Shape(format!(
                        "the {what} takes flat rows of {p} values, not a square grey image"
                    )));
                }
                Ok(Self { shape: shape(side, side, 1), layout: Layout::Flat })
            }
            _ => Err(OnnxError::Shape(format!("the {what}'s tensor {dims:?} is not a batch of images"))),
        }
    }

    /// The model's tensor dims for `n` images.
    pub(super) fn dims(self, n: usize) -> Vec<usize> {
        let Shape { h, w, c } = self.shape;
        match self.layout {
            Layout::Nchw => vec![n, c, h, w],
            Layout::Nhwc => vec![n, h, w, c],
            Layout::Flat => vec![n, h * w * c],
        }
    }

    /// Explorer rows (interleaved channels) into the model's order.
    pub(super) fn to_model(self, rows: &[f32], scaling: Scaling) -> Vec<f32> {
        let Shape { h, w, c } = self.shape;
        if self.layout != Layout::Nchw || c == 1 {
            return rows.iter().map(|&x| scaling.forward(x)).collect();
        }
        let mut out = Vec::with_capacity(rows.len());
        for img in rows.chunks_exact(h * w * c) {
            for ch in 0..c {
                out.extend((0..h * w).map(|p| scaling.forward(img[p * c + ch])));
            }
        }
        out
    }

    /// The model's images back into explorer rows, in 0..1.
    pub(super) fn to_explorer(self, data: &[f32], scaling: Scaling) -> Vec<f32> {
        let Shape { h, w, c } = self.shape;
        let back = |y: f32| scaling.inverse(y).clamp(0.0, 1.0);
        if self.layout != Layout::Nchw || c == 1 {
            return data.iter().map(|&y| back(y)).collect();
        }
        let mut out = Vec::with_capacity(data.len());
        for img in data.chunks_exact(h * w * c) {
            for p in 0..h * w {
                out.extend((0..c).map(|ch| back(img[ch * h * w + p])));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_are_detected_from_the_channel_axis() {
        let d = |v: &[usize]| v.iter().map(|&x| Some(x)).collect::<Vec<_>>();
        let nchw = ImageIo::detect(&d(&[1, 3, 32, 32]), "encoder").expect("an image tensor");
        assert_eq!((nchw.layout, nchw.shape), (Layout::Nchw, Shape { h: 32, w: 32, c: 3 }));
        let nhwc = ImageIo::detect(&d(&[1, 64, 48, 3]), "encoder").expect("an image tensor");
        assert_eq!((nhwc.layout, nhwc.shape), (Layout::Nhwc, Shape { h: 64, w: 48, c: 3 }));
        let flat = ImageIo::detect(&d(&[1, 784]), "encoder").expect("an image tensor");
        assert_eq!((flat.layout, flat.shape), (Layout::Flat, Shape { h: 28, w: 28, c: 1 }));
        assert!(ImageIo::detect(&d(&[1, 500]), "encoder").is_err());
        assert!(ImageIo::detect(&d(&[1, 5, 32, 32]), "encoder").is_err());
        assert!(ImageIo::detect(&[Some(1), Some(1), None, None], "encoder").is_err());
    }

    #[test]
    fn nchw_order_round_trips_and_scaling_is_undone() {
        let io = ImageIo { shape: Shape { h: 2, w: 2, c: 3 }, layout: Layout::Nchw };
        let rows: Vec<f32> = (0..12).map(|i| i as f32 / 12.0).collect();
        let model = io.to_model(&rows, Scaling::Signed);
        assert_eq!(model[1], 2.0 * rows[3] - 1.0, "the red plane first");
        let back = io.to_explorer(&model, Scaling::Signed);
        assert!(back.iter().zip(&rows).all(|(a, b)| (a - b).abs() < 1e-6));
    }
}
