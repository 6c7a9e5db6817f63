//! Fully connected encoder and decoder with ReLU between layers.

use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor};

use super::Codec;
use crate::data::PIXELS;

/// MLP body: 784 → hidden… → code, and latent → …hidden reversed → 784.
#[derive(Module, Debug)]
pub struct Mlp {
    encoder: Vec<Linear>,
    decoder: Vec<Linear>,
}

/// Linear layers through `widths` (consecutive pairs).
fn stack(widths: &[usize], device: &Device) -> Vec<Linear> {
    widths.windows(2).map(|w| LinearConfig::new(w[0], w[1]).init(device)).collect()
}

/// Applies the layers with ReLU between them (none after the last).
fn run(layers: &[Linear], mut x: Tensor<2>) -> Tensor<2> {
    for (i, layer) in layers.iter().enumerate() {
        x = layer.forward(x);
        if i + 1 < layers.len() {
            x = relu(x);
        }
    }
    x
}

impl Mlp {
    /// An MLP with the given hidden widths, encoder output width `code` and decoder input width `latent`.
    pub fn new(hidden: &[usize], code: usize, latent: usize, device: &Device) -> Self {
        let enc: Vec<usize> = [PIXELS].iter().chain(hidden).chain([code].iter()).copied().collect();
        let dec: Vec<usize> =
            [latent].iter().chain(hidden.iter().rev()).chain([PIXELS].iter()).copied().collect();
        Self { encoder: stack(&enc, device), decoder: stack(&dec, device) }
    }
}

impl Codec for Mlp {
    fn encode_code(&self, x: Tensor<2>) -> Tensor<2> {
        run(&self.encoder, x) // [B, code]
    }
    fn decode_logits(&self, z: Tensor<2>) -> Tensor<2> {
        run(&self.decoder, z) // [B, 784]
    }
}
