//! The view's copy of one model and what was last computed from it. A model is a network (weights
//! from the trainer, or shipped) or a PCA of the pixels (the linear baseline). Codes of more than two
//! dimensions are shown on their own PCA plane ([`Plane`], refitted each map pass); a point on the
//! plane is lifted back to a code. In the ONNX view worker a model may also be one opened from files
//! (an encoder and decoder exported from PyTorch or Keras).

use std::ops::Range;

use model::data::PIXELS;
use model::latent::Plane;
use model::metrics::{decode, encode_all, mse, reconstruct};
use model::pca::{Pca, PcaError};
use model::{Dataset, Device, Net, ReadError};

/// Why a model could not encode or decode.
#[derive(Debug, thiserror::Error)]
pub(super) enum CopyError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[cfg(feature = "onnx")]
    #[error("the opened model: {0}")]
    Onnx(#[from] model::onnx::OnnxError),
}

/// Test points encoded per map chunk (about 15 ms on one core for the reference network).
pub(super) const CHUNK: usize = 500;
/// Test images the pixel PCA is fitted to.
const PCA_ROWS: usize = 3_000;

/// What turns images into codes and back.
pub(super) enum Coder {
    Net(Box<Net>),
    /// PCA of the pixels: the codes are the coordinates on its components.
    Pca(Pca),
    /// An encoder and decoder opened from ONNX files.
    #[cfg(feature = "onnx")]
    Onnx(Box<model::onnx::Pair>),
}

/// One model and what was last computed from it (the steps its map, reconstruction grid and manifold
/// were computed at).
pub(super) struct ModelCopy {
    pub coder: Coder,
    pub step: u64,
    /// Codes of the map's points from the last finished pass (or the shipped map), `[n * dim]`.
    pub codes: Vec<f32>,
    /// With more than two dimensions: the plane the map shows (fitted to `codes`).
    pub plane: Option<Plane>,
    pub encoded: Option<u64>,
    pub recon: Option<u64>,
    pub manifold: Option<u64>,
}

impl ModelCopy {
    pub fn new(coder: Coder, step: u64, codes: Vec<f32>) -> Self {
        Self { coder, step, codes, plane: None, encoded: None, recon: None, manifold: None }
    }

    /// A network's new weights at `step`, keeping the map of the `old` copy until the next pass.
    pub fn replaced(old: Option<Self>, net: Net, step: u64) -> Self {
        let mut m = Self::new(Coder::Net(Box::new(net)), step, Vec::new());
        if let Some(old) = old {
            (m.codes, m.plane, m.encoded) = (old.codes, old.plane, old.encoded);
        }
        m
    }

    /// A PCA of the first test images' pixels with `k` components.
    pub fn pixels_pca(test: &Dataset, k: usize) -> Result<(Self, usize), PcaError> {
        let rows = PCA_ROWS.min(test.len());
        let pca = Pca::fit(&test.floats(0..rows), PIXELS, k.clamp(1, PIXELS))?;
        Ok((Self::new(Coder::Pca(pca), 0, Vec::new()), rows))
    }

    pub fn dim(&self) -> usize {
        match &self.coder {
            Coder::Net(n) => n.config().latent,
            Coder::Pca(p) => p.k(),
            #[cfg(feature = "onnx")]
            Coder::Onnx(p) => p.info.latent,
        }
    }

    /// Values per image the model takes and makes.
    #[cfg(feature = "onnx")]
    pub fn image_len(&self) -> usize {
        match &self.coder {
            #[cfg(feature = "onnx")]
            Coder::Onnx(p) => p.info.image.len(),
            _ => PIXELS,
        }
    }

    /// Nothing is encoded or reconstructed until [`Self::release`] (the model's images are coming).
    #[cfg(feature = "onnx")]
    pub fn hold(&mut self) {
        (self.encoded, self.recon) = (Some(self.step), Some(self.step));
    }

    /// The map and reconstructions are made afresh.
    #[cfg(feature = "onnx")]
    pub fn release(&mut self) {
        (self.encoded, self.recon) = (None, None);
    }

    pub fn net(&self) -> Option<&Net> {
        match &self.coder {
            Coder::Net(n) => Some(n.as_ref()),
            _ => None,
        }
    }

    /// Codes of test images `range`.
    pub async fn encode(
        &self,
        test: &Dataset,
        range: Range<usize>,
        device: &Device,
    ) -> Result<Vec<f32>, CopyError> {
        match &self.coder {
            Coder::Net(n) => Ok(encode_all(n, test, range, CHUNK, device).await?),
            Coder::Pca(p) => Ok(p.project(&test.floats(range))),
            #[cfg(feature = "onnx")]
            Coder::Onnx(p) => Ok(p.encode(&test.floats(range))?.0),
        }
    }

    /// Images of codes (`[k * dim]`), in 0..1.
    pub async fn decode(&self, codes: &[f32], device: &Device) -> Result<Vec<f32>, CopyError> {
        match &self.coder {
            Coder::Net(n) => Ok(decode(n, codes, device).await?),
            Coder::Pca(p) => Ok(clamped(p.inverse(codes))),
            #[cfg(feature = "onnx")]
            Coder::Onnx(p) => Ok(clamped(p.decode(codes)?)),
        }
    }

    /// Reconstructions of images (`[k * 784]`).
    pub async fn reconstruct(&self, images: &[f32], device: &Device) -> Result<Vec<f32>, CopyError> {
        match &self.coder {
            Coder::Net(n) => Ok(reconstruct(n, images, device).await?),
            Coder::Pca(p) => Ok(clamped(p.inverse(&p.project(images)))),
            #[cfg(feature = "onnx")]
            Coder::Onnx(p) => Ok(clamped(p.reconstruct(images)?)),
        }
    }

    /// Per-image reconstruction error (mean squared, per pixel) of test images `range`, from their
    /// codes (already encoded by the map pass: a reconstruction is the decode of the code).
    pub async fn errors(
        &self,
        test: &Dataset,
        range: Range<usize>,
        codes: &[f32],
        device: &Device,
    ) -> Result<Vec<f32>, CopyError> {
        let images = test.floats(range);
        let recon = self.decode(codes, device).await?;
        let row = test.row();
        Ok(images.chunks_exact(row).zip(recon.chunks_exact(row)).map(|(a, b)| mse(a, b)).collect())
    }

    /// Map (2-D) positions of codes.
    pub fn flatten(&self, codes: &[f32]) -> Vec<f32> {
        match &self.plane {
            Some(p) => p.project(codes),
            None => codes.to_vec(),
        }
    }

    /// The codes at map points (`[k * 2]`): themselves in 2-D, else lifted off the plane.
    pub fn lift(&self, z: &[f32]) -> Vec<f32> {
        match &self.plane {
            Some(p) => p.lift(z),
            None => z.to_vec(),
        }
    }
}

fn clamped(pixels: Vec<f32>) -> Vec<f32> {
    pixels.into_iter().map(|v| v.clamp(0.0, 1.0)).collect()
}

/// The models that have weights, with their indices.
pub(super) fn ready(models: &[Option<ModelCopy>]) -> impl Iterator<Item = (usize, &ModelCopy)> {
    models.iter().enumerate().filter_map(|(i, m)| m.as_ref().map(|m| (i, m)))
}
