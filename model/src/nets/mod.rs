//! The autoencoder family: MLP or convolutional bodies, plain (AE) or variational (VAE), behind one type.
//!
//! Conventions: images are `[B, 784]` rows in 0..1; latents are `[B, L]`. A VAE's encoder emits
//! `[B, 2L]` = (μ, log σ²). Decoders produce logits; [`Net::decode`] applies the sigmoid.
//! Losses are in per-pixel units so AE, VAE and PCA errors compare directly:
//! `objective = recon + β·KL / 784 + λ·mean|z|`, where `recon` is the per-pixel MSE or BCE and
//! `KL` is per sample (nats), i.e. the usual summed-over-pixels VAE objective divided by 784.

mod conv;
mod mlp;

use burn::module::Module;
use burn::tensor::activation::{sigmoid, softplus};
use burn::tensor::{Device, Distribution, Tensor};
use serde::{Deserialize, Serialize};

use crate::data::PIXELS;
pub use conv::Conv;
pub use mlp::Mlp;

/// Plain autoencoder or variational autoencoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    #[default]
    Ae,
    Vae,
}

/// Fully connected or convolutional encoder/decoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Arch {
    #[default]
    Mlp,
    Conv,
}

/// Reconstruction loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Recon {
    /// Mean squared error per pixel.
    #[default]
    Mse,
    /// Binary cross-entropy per pixel (pixels read as Bernoulli probabilities).
    Bce,
}

/// Shape of a network. The default is the reference MLP AE 784-512-256-2-256-512-784.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetConfig {
    /// AE or VAE.
    pub kind: Kind,
    /// MLP or convolutional body.
    pub arch: Arch,
    /// Hidden widths from the image towards the code (mirrored in the decoder); the conv body uses the last.
    pub hidden: Vec<usize>,
    /// Latent dimension (1..=64).
    pub latent: usize,
    /// Reconstruction loss.
    pub recon: Recon,
}

impl Default for NetConfig {
    fn default() -> Self {
        Self { kind: Kind::Ae, arch: Arch::Mlp, hidden: vec![512, 256], latent: 2, recon: Recon::Mse }
    }
}

impl NetConfig {
    /// Width of the encoder's output: L for an AE, 2L (μ, log σ²) for a VAE.
    fn code_width(&self) -> usize {
        match self.kind {
            Kind::Ae => self.latent,
            Kind::Vae => 2 * self.latent,
        }
    }

    /// Builds a freshly initialised network on `device` (seed the device first for reproducible weights).
    pub fn init(&self, device: &Device) -> Net {
        let body = match self.arch {
            Arch::Mlp => Body::Mlp(Mlp::new(&self.hidden, self.code_width(), self.latent, device)),
            Arch::Conv => {
                let dense = self.hidden.last().copied().unwrap_or(256);
                Body::Conv(Conv::new(dense, self.code_width(), self.latent, device))
            }
        };
        Net { body, cfg: self.clone() }
    }
}

/// What every body provides: an encoder to a code and a decoder from a latent to pixel logits.
pub trait Codec {
    /// # Shapes
    /// `[B, 784]` → `[B, code]` (code = L, or 2L for a VAE).
    fn encode_code(&self, x: Tensor<2>) -> Tensor<2>;
    /// # Shapes
    /// `[B, L]` → `[B, 784]` logits.
    fn decode_logits(&self, z: Tensor<2>) -> Tensor<2>;
}

#[derive(Module, Debug)]
#[expect(
    clippy::large_enum_variant,
    reason = "one Body per network; burn's Module derive does not support Box"
)]
enum Body {
    Mlp(Mlp),
    Conv(Conv),
}

impl Codec for Body {
    fn encode_code(&self, x: Tensor<2>) -> Tensor<2> {
        match self {
            Body::Mlp(m) => m.encode_code(x),
            Body::Conv(m) => m.encode_code(x),
        }
    }
    fn decode_logits(&self, z: Tensor<2>) -> Tensor<2> {
        match self {
            Body::Mlp(m) => m.decode_logits(z),
            Body::Conv(m) => m.decode_logits(z),
        }
    }
}

/// An autoencoder of any kind in the family.
#[derive(Module, Debug)]
pub struct Net {
    body: Body,
    #[module(skip)]
    cfg: NetConfig,
}

/// Encoder output: the code (μ for a VAE) and, for a VAE, log σ².
#[derive(Debug, Clone)]
pub struct Encoded {
    /// `[B, L]`: the latent code (the mean for a VAE).
    pub mean: Tensor<2>,
    /// `[B, L]`: log-variance, VAE only.
    pub log_var: Option<Tensor<2>>,
}

/// Loss terms of one batch, each a 1-element tensor (batch means).
#[derive(Debug, Clone)]
pub struct LossParts {
    /// What the optimiser minimises: `recon + β·kl/784 + λ·sparse`.
    pub objective: Tensor<1>,
    /// Per-pixel reconstruction loss (MSE or BCE).
    pub recon: Tensor<1>,
    /// KL divergence to N(0, I) per sample, in nats (0 for an AE).
    pub kl: Tensor<1>,
    /// Mean |z| over the code units (what the sparse L1 penalty weighs).
    pub sparse: Tensor<1>,
}

impl Net {
    /// The configuration this network was built from.
    pub fn config(&self) -> &NetConfig {
        &self.cfg
    }

    /// # Shapes
    /// `[B, 784]` → mean `[B, L]` (+ log σ² `[B, L]` for a VAE).
    pub fn encode(&self, x: Tensor<2>) -> Encoded {
        let code = self.body.encode_code(x);
        match self.cfg.kind {
            Kind::Ae => Encoded { mean: code, log_var: None },
            Kind::Vae => {
                let l = self.cfg.latent;
                Encoded { mean: code.clone().narrow(1, 0, l), log_var: Some(code.narrow(1, l, l)) }
            }
        }
    }

    /// # Shapes
    /// `[B, L]` → `[B, 784]` pixels in 0..1.
    pub fn decode(&self, z: Tensor<2>) -> Tensor<2> {
        sigmoid(self.body.decode_logits(z))
    }

    /// Reconstruction of `x` through the code (the mean, without sampling). `[B, 784]` → `[B, 784]`.
    pub fn reconstruct(&self, x: Tensor<2>) -> Tensor<2> {
        self.decode(self.encode(x).mean)
    }

    /// Per-sample reconstruction loss. `[B, 784]` logits and targets → `[B]`.
    fn recon_per_sample(&self, logits: Tensor<2>, target: Tensor<2>) -> Tensor<1> {
        let per_pixel = match self.cfg.recon {
            Recon::Mse => (sigmoid(logits) - target).square(),
            Recon::Bce => softplus(logits.clone(), 1.0) - target * logits,
        };
        per_pixel.mean_dim(1).squeeze_dim(1)
    }

    /// Loss terms for a batch: `input` (possibly corrupted) is encoded, `target` is what the decode should match.
    /// A VAE samples z = μ + σ·ε with ε from the device's seeded RNG (the reparameterisation trick).
    pub fn losses(&self, input: Tensor<2>, target: Tensor<2>, beta: f32, l1: f32) -> LossParts {
        let Encoded { mean, log_var } = self.encode(input);
        let sparse = mean.clone().abs().mean();
        let (z, kl) = match log_var {
            None => (mean.clone(), sparse.zeros_like()),
            Some(lv) => {
                let eps = Tensor::<2>::random(mean.shape(), Distribution::Normal(0.0, 1.0), &mean.device());
                let z = mean.clone() + eps * lv.clone().mul_scalar(0.5).exp();
                let kl = (lv.clone().add_scalar(1.0) - mean.square() - lv.exp())
                    .sum_dim(1)
                    .mul_scalar(-0.5)
                    .mean();
                (z, kl)
            }
        };
        let recon = self.recon_per_sample(self.body.decode_logits(z), target).mean();
        let objective = recon.clone()
            + kl.clone().mul_scalar(f64::from(beta) / PIXELS as f64)
            + sparse.clone().mul_scalar(f64::from(l1));
        LossParts { objective, recon, kl, sparse }
    }

    /// Per-sample reconstruction error (same loss as training, through the mean code). `[B, 784]` → `[B]`.
    pub fn recon_errors(&self, x: Tensor<2>) -> Tensor<1> {
        let logits = self.body.decode_logits(self.encode(x.clone()).mean);
        self.recon_per_sample(logits, x)
    }
}
