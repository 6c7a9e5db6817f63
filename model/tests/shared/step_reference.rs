//! One training run shared by the native and the browser tests: a small AE on synthetic stripes,
//! seed 3, five steps. Both must give these losses (measured natively, `cargo test --test reference`).
//! The weights are always initialised on `flex` and copied to the device under test, because each
//! backend draws its own random numbers: the comparison is then of the training maths alone.

use model::{Dataset, Device, NetConfig, TrainConfig, Trainer, weights};

/// Losses of the five steps, measured natively.
pub const LOSSES: [f32; 5] = [0.252_050_64, 0.250_780_43, 0.250_726_16, 0.249_785_36, 0.250_615_12];

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
    let cfg = TrainConfig { batch_size: 32, seed: 3, ..TrainConfig::default() };
    let net = NetConfig { hidden: vec![64], ..NetConfig::default() };
    let flex = Device::flex();
    flex.seed(cfg.seed);
    let init = weights::snapshot(&net.init(&flex)).await.expect("read the initial weights");
    let device = device.autodiff();
    let start = weights::restore(&net, &init, &device).expect("same shape");
    let mut trainer = Trainer::resume(start, cfg, data.len(), 0, &device);
    let mut losses = Vec::new();
    for _ in 0..5 {
        losses.push(trainer.step(&data).await.expect("step").loss);
    }
    losses
}

/// Asserts `losses` agree with [`LOSSES`].
pub fn check(losses: &[f32], tolerance: f32) {
    assert_eq!(losses.len(), LOSSES.len());
    for (got, want) in losses.iter().zip(LOSSES) {
        assert!((got - want).abs() <= tolerance, "got {losses:?}, reference {LOSSES:?}");
    }
}
