//! Step-wise training: one call is one Adam step on one seeded batch, so a browser loop can yield between steps.
//!
//! Divergence (a non-finite loss) restores the weights from before the step that broke them and resets
//! Adam's moments, then reports [`TrainError::Diverged`]; training can carry on from there.

pub mod schedule;
pub mod session;

use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};

use crate::data::{Batcher, Dataset, Noise};
use crate::metrics::{ReadError, to_vec};
use crate::nets::{Net, NetConfig};
pub use schedule::Schedule;
pub use session::{Cadence, Event, Progress, Session, StepPoint};

/// Hyperparameters of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    /// Adam learning rate.
    pub lr: f64,
    /// Images per step.
    pub batch_size: usize,
    /// Weight of the KL term (VAE only).
    pub beta: f32,
    /// Steps over which β ramps linearly from 0 (KL warm-up); 0 = constant β.
    pub kl_warmup: u64,
    /// Weight of the L1 penalty on the code (sparse AE); 0 = off.
    pub l1: f32,
    /// Input corruption (denoising AE).
    pub noise: Noise,
    /// Seed of the weights, batch order and sampling.
    pub seed: u64,
    /// The fast start ([`schedule::fast_start`]): a higher rate for the first steps, so a map from
    /// scratch sorts itself out sooner; off in files written before it existed.
    #[serde(default)]
    pub fast_start: bool,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            lr: 1e-3,
            batch_size: 128,
            beta: 1.0,
            kl_warmup: 0,
            l1: 0.0,
            noise: Noise::None,
            seed: 42,
            fast_start: false,
        }
    }
}

/// Loss terms after one step (values of the batch before the update).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct StepStats {
    /// Steps done, this one included.
    pub step: u64,
    /// The objective that was minimised.
    pub loss: f32,
    /// Per-pixel reconstruction loss.
    pub recon: f32,
    /// KL per sample (0 for an AE).
    pub kl: f32,
    /// Mean |z| of the code.
    pub sparse: f32,
    /// β used in this step (after warm-up).
    pub beta: f32,
    /// Epochs done (fractional).
    pub epoch: f64,
    /// FNV-1a hash of every batch's indices so far: two runs saw the same batches iff it matches.
    pub batch_digest: u32,
}

/// Why a step did not complete.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TrainError {
    #[error("training diverged at step {step} (loss {loss}); rolled back to the last good weights")]
    Diverged { step: u64, loss: f32 },
    #[error("the training set is empty")]
    NoData,
    #[error(transparent)]
    Read(#[from] ReadError),
}

const FNV_OFFSET: u32 = 0x811c_9dc5;
const FNV_PRIME: u32 = 0x0100_0193;

/// Owns a network, its optimiser and the batch order.
pub struct Trainer {
    net: Net,
    last_good: Net,
    optim: ModuleOptimizer,
    batcher: Batcher,
    cfg: TrainConfig,
    step: u64,
    digest: u32,
    device: Device,
}

impl Trainer {
    /// A new seeded run; `device` must have autodiff (`Device::flex().autodiff()`).
    pub fn new(net: &NetConfig, cfg: TrainConfig, train_len: usize, device: &Device) -> Self {
        device.seed(cfg.seed);
        let net = net.init(device);
        Self::resume(net, cfg, train_len, 0, device)
    }

    /// Continues training `net` from step `step` (weights loaded from a file, say).
    pub fn resume(net: Net, cfg: TrainConfig, train_len: usize, step: u64, device: &Device) -> Self {
        let mut batcher = Batcher::new(train_len, cfg.batch_size, cfg.seed);
        batcher.skip(step);
        Self {
            last_good: net.clone(),
            net,
            optim: AdamConfig::new().init(),
            batcher,
            cfg,
            step,
            digest: FNV_OFFSET,
            device: device.clone(),
        }
    }

    /// Trains on another dataset of `len` images from now on: a fresh batch order (epoch 0), the
    /// same weights, optimiser state and step count.
    pub fn set_data_len(&mut self, len: usize) {
        self.batcher = Batcher::new(len, self.cfg.batch_size, self.cfg.seed);
    }

    /// The network being trained.
    pub fn net(&self) -> &Net {
        &self.net
    }

    /// An inference copy of the current weights (no autodiff).
    pub fn snapshot(&self) -> Net {
        self.net.valid()
    }

    /// Steps done.
    pub fn steps(&self) -> u64 {
        self.step
    }

    /// Epochs done (fractional) and batches per epoch.
    pub fn epoch(&self) -> (f64, usize) {
        (self.batcher.epoch_progress(), self.batcher.batches_per_epoch())
    }

    /// The run's hyperparameters.
    pub fn config(&self) -> &TrainConfig {
        &self.cfg
    }

    /// Changes hyperparameters that need no new model (lr, β, warm-up, L1, noise); batch size and seed are kept.
    pub fn set_config(&mut self, cfg: TrainConfig) {
        self.cfg = TrainConfig { batch_size: self.cfg.batch_size, seed: self.cfg.seed, ..cfg };
    }

    /// One optimiser step on the next batch of `data`.
    pub async fn step(&mut self, data: &Dataset) -> Result<StepStats, TrainError> {
        if data.is_empty() {
            return Err(TrainError::NoData);
        }
        let beta = Schedule::warmup(self.cfg.beta, self.cfg.kl_warmup).at(self.step);
        let indices = self.batcher.next_batch().to_vec();
        let target = data.batch(&indices, &self.device);
        let input = self.cfg.noise.apply(target.clone());
        let parts = self.net.losses(input, target, beta, self.cfg.l1);
        let values = to_vec(Tensor::cat(
            vec![
                parts.objective.clone().detach(),
                parts.recon.detach(),
                parts.kl.detach(),
                parts.sparse.detach(),
            ],
            0,
        ))
        .await?;
        let [loss, recon, kl, sparse] = [0, 1, 2, 3].map(|i| values.get(i).copied().unwrap_or(f32::NAN));
        if !loss.is_finite() {
            self.net = self.last_good.clone();
            self.optim = AdamConfig::new().init();
            return Err(TrainError::Diverged { step: self.step + 1, loss });
        }
        let grads = GradientsParams::from_grads(parts.objective.backward(), &self.net);
        self.last_good = self.net.clone();
        let boost = if self.cfg.fast_start { schedule::fast_start(self.cfg.lr, self.step) } else { 1.0 };
        self.net = self.optim.step(self.cfg.lr * boost, self.net.clone(), grads);
        self.step += 1;
        self.digest = indices.iter().fold(self.digest, |h, &i| (h ^ i as u32).wrapping_mul(FNV_PRIME));
        let epoch = self.batcher.epoch_progress();
        Ok(StepStats { step: self.step, loss, recon, kl, sparse, beta, epoch, batch_digest: self.digest })
    }
}
