//! One training run shared by the native and the browser tests: a small AE on synthetic stripes,
//! seed 3, learning rate 0.01, five steps (the loss falls 0.250 -> 0.240, ten times the WebGPU tolerance). Both must give these losses (measured natively, `cargo test --test reference`).
//! The initial weights come from a fixed integer generator here, not from the backend (each backend
//! draws its own random numbers, and the WebGPU test build has no `flex`): the comparison is then of
//! the training maths alone.

use model::{Dataset, Device, NetConfig, TrainConfig, Trainer, weights};

/// Losses of the five steps, measured natively.
pub const LOSSES: [f32; 5] = [0.250_333_1, 0.249_405_43, 0.247_977_4, 0.243_254_3, 0.239_607_65];

/// 256 deterministic synthetic 28x28 images (stripes of varying phase) as a dataset.
pub fn synthetic() -> Dataset {
    let mut v = 0x0803u32.to_be_bytes().to_vec();
    [256u32, 28, 28].iter().for_each(|d| v.extend(d.to_be_bytes()));
    v.extend((0..256 * 784).map(|i| if (i / 28 + i / 784) % 5 < 2 { 255u8 } else { 0 }));
    Dataset::from_idx(&v, None).expect("valid synthetic IDX")
}

/// Runs the five steps on `device` (with autodiff) and returns their losses.
pub async fn run(device: Device) -> Vec<f32> {
    let data = synthetic();
    let cfg = TrainConfig { lr: 1e-2, batch_size: 32, seed: 3, ..TrainConfig::default() };
    let net = NetConfig { hidden: vec![64], ..NetConfig::default() };
    let count = weights::snapshot(&net.init(&device)).await.expect("read the initial weights").len();
    let init = fixed_weights(count);
    let device = device.autodiff();
    let start = weights::restore(&net, &init, &device).expect("same shape");
    let mut trainer = Trainer::resume(start, cfg, data.len(), 0, &device);
    let mut losses = Vec::new();
    for _ in 0..LOSSES.len() {
        losses.push(trainer.step(&data).await.expect("step").loss);
    }
    losses
}

/// `count` numbers in [-0.08, 0.08) from a 32-bit xorshift: the same on every platform and backend.
fn fixed_weights(count: usize) -> Vec<f32> {
    let mut x = 0x9e37_79b9u32;
    (0..count)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x as f32 / u32::MAX as f32 - 0.5) * 0.16
        })
        .collect()
}

/// Asserts `losses` agree with [`LOSSES`].
pub fn check(losses: &[f32], tolerance: f32) {
    assert_eq!(losses.len(), LOSSES.len());
    for (got, want) in losses.iter().zip(LOSSES) {
        assert!((got - want).abs() <= tolerance, "got {losses:?}, reference {LOSSES:?}");
    }
}
