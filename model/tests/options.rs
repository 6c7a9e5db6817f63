#![cfg(not(target_arch = "wasm32"))]
//! The options beyond the plain MLP AE learn on real MNIST, and divergence rolls back: a convolutional
//! AE and VAE, the sparse L1 penalty, binary cross-entropy, denoising input noise.

mod common;

use model::weights::snapshot;
use model::{Arch, DatasetName, Device, Kind, NetConfig, Noise, Recon, TrainConfig, TrainError, Trainer};

fn run(net: NetConfig, cfg: TrainConfig, steps: usize) -> (f32, f32, Trainer) {
    let data = common::load(DatasetName::Mnist, false);
    let mut t = Trainer::new(&net, cfg, data.len(), &Device::flex().autodiff());
    let mut losses = Vec::new();
    for _ in 0..steps {
        losses.push(pollster::block_on(t.step(&data)).expect("no divergence").recon);
    }
    let head = losses[..10].iter().sum::<f32>() / 10.0;
    let tail = losses[steps - 10..].iter().sum::<f32>() / 10.0;
    (head, tail, t)
}

#[test]
fn conv_ae_and_vae_learn() {
    for kind in [Kind::Ae, Kind::Vae] {
        let net = NetConfig { kind, arch: Arch::Conv, ..NetConfig::default() };
        let (head, tail, _) = run(net, TrainConfig::default(), 200);
        println!("conv {kind:?}: recon {head:.4} -> {tail:.4}");
        assert!(tail < 0.7 * head, "conv {kind:?} recon {head} -> {tail}");
    }
}

#[test]
fn bce_denoising_and_sparse_options_train() {
    let small = NetConfig { hidden: vec![256], ..NetConfig::default() };
    let (head, tail, _) = run(NetConfig { recon: Recon::Bce, ..small.clone() }, TrainConfig::default(), 200);
    println!("BCE: {head:.4} -> {tail:.4}");
    assert!(tail < 0.8 * head, "BCE {head} -> {tail}");
    let noisy = TrainConfig { noise: Noise::Gaussian { std: 0.3 }, ..TrainConfig::default() };
    let (head, tail, _) = run(small.clone(), noisy, 200);
    println!("denoising: {head:.4} -> {tail:.4}");
    assert!(tail < 0.8 * head, "denoising {head} -> {tail}");
    let code = |l1: f32| {
        let (_, _, t) = run(small.clone(), TrainConfig { l1, ..TrainConfig::default() }, 150);
        let data = common::load(DatasetName::Mnist, false);
        let codes = pollster::block_on(model::metrics::encode_all(
            &t.snapshot(),
            &data,
            0..500,
            500,
            &Device::flex(),
        ))
        .expect("read");
        codes.iter().map(|c| c.abs()).sum::<f32>() / codes.len() as f32
    };
    let (plain, sparse) = (code(0.0), code(0.5));
    println!("mean |z|: without L1 {plain:.3}, with L1 0.5 {sparse:.3}");
    assert!(sparse < 0.5 * plain, "L1 did not shrink the code: {plain} -> {sparse}");
}

#[test]
fn divergence_rolls_back_to_the_last_good_weights() {
    let data = common::load(DatasetName::Mnist, false);
    let net = NetConfig { hidden: vec![64], recon: Recon::Bce, ..NetConfig::default() };
    let cfg = TrainConfig { lr: 1e30, ..TrainConfig::default() };
    let mut t = Trainer::new(&net, cfg, data.len(), &Device::flex().autodiff());
    let mut before = Vec::new();
    for _ in 0..20 {
        let previous =
            std::mem::replace(&mut before, pollster::block_on(snapshot(&t.snapshot())).expect("read"));
        match pollster::block_on(t.step(&data)) {
            Ok(_) => continue,
            Err(TrainError::Diverged { .. }) => {
                let now = pollster::block_on(snapshot(&t.snapshot())).expect("read");
                assert!(now.iter().all(|w| w.is_finite()), "rolled-back weights are finite");
                assert_eq!(now, previous, "rolled back to the weights before the last good step");
                return;
            }
            Err(e) => panic!("unexpected error {e}"),
        }
    }
    panic!("lr 1e30 never diverged");
}
