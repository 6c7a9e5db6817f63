//! Convolutional encoder (strided convolutions down) and decoder (transposed convolutions up).
//!
//! 28x28x1 → conv 4x4/2 → 14x14x16 → conv 4x4/2 → 7x7x32 → dense → code;
//! latent → dense → 7x7x32 → convT 4x4/2 → 14x14x16 → convT 4x4/2 → 28x28x1 logits.

use burn::module::Module;
use burn::nn::PaddingConfig2d;
use burn::nn::conv::{Conv2d, Conv2dConfig, ConvTranspose2d, ConvTranspose2dConfig};
use burn::nn::{Linear, LinearConfig};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor};

use super::Codec;
use crate::data::SIDE;

const C1: usize = 16;
const C2: usize = 32;
const S: usize = SIDE / 4; // 7
const FLAT: usize = C2 * S * S; // 1568

/// Conv body; `dense` is the width of the fully connected layer next to the code.
#[derive(Module, Debug)]
pub struct Conv {
    down1: Conv2d,
    down2: Conv2d,
    enc_dense: Linear,
    enc_out: Linear,
    dec_in: Linear,
    dec_dense: Linear,
    up1: ConvTranspose2d,
    up2: ConvTranspose2d,
}

impl Conv {
    /// A conv AE body with a `dense`-wide layer, encoder output width `code`, decoder input `latent`.
    pub fn new(dense: usize, code: usize, latent: usize, device: &Device) -> Self {
        let down = |i, o| {
            Conv2dConfig::new([i, o], [4, 4])
                .with_stride([2, 2])
                .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                .init(device)
        };
        let up = |i, o| {
            ConvTranspose2dConfig::new([i, o], [4, 4]).with_stride([2, 2]).with_padding([1, 1]).init(device)
        };
        Self {
            down1: down(1, C1),
            down2: down(C1, C2),
            enc_dense: LinearConfig::new(FLAT, dense).init(device),
            enc_out: LinearConfig::new(dense, code).init(device),
            dec_in: LinearConfig::new(latent, dense).init(device),
            dec_dense: LinearConfig::new(dense, FLAT).init(device),
            up1: up(C2, C1),
            up2: up(C1, 1),
        }
    }
}

impl Codec for Conv {
    fn encode_code(&self, x: Tensor<2>) -> Tensor<2> {
        let b = x.dims()[0];
        let x = x.reshape([b, 1, SIDE, SIDE]);
        let x = relu(self.down1.forward(x)); // [B, 16, 14, 14]
        let x = relu(self.down2.forward(x)); // [B, 32, 7, 7]
        let x = relu(self.enc_dense.forward(x.reshape([b, FLAT])));
        self.enc_out.forward(x) // [B, code]
    }
    fn decode_logits(&self, z: Tensor<2>) -> Tensor<2> {
        let b = z.dims()[0];
        let x = relu(self.dec_in.forward(z));
        let x = relu(self.dec_dense.forward(x)).reshape([b, C2, S, S]);
        let x = relu(self.up1.forward(x)); // [B, 16, 14, 14]
        self.up2.forward(x).reshape([b, SIDE * SIDE]) // [B, 784]
    }
}
