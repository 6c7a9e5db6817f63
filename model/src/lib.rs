//! The maths of the latent-space explorer: IDX data, the autoencoder family, step-wise training,
//! metrics and PCA. No web code: the device is a parameter, and the same code runs natively, in wasm
//! on the CPU (`flex`) and on WebGPU.

pub mod data;
pub mod device;
pub mod latent;
pub mod metrics;
pub mod nets;
#[cfg(feature = "onnx")]
pub mod onnx;
pub mod pca;
pub mod probe;
pub mod sampling;
pub mod train;
pub mod weights;

pub use burn::tensor::Device;
pub use data::{Dataset, DatasetName, IdxError, Noise};
pub use metrics::ReadError;
pub use nets::{Arch, Kind, Net, NetConfig, Recon};
pub use train::{StepStats, TrainConfig, TrainError, Trainer};
