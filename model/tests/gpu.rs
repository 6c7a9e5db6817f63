//! burn's wgpu backend natively: on any Vulkan driver (Mesa's lavapipe, a software one, in
//! `make test`) the same steps give the CPU's losses, and `train --devices` trains data-parallel on
//! two wgpu devices through burn-train to the loss one device reaches.
#![cfg(all(feature = "wgpu", not(target_arch = "wasm32")))]

mod common;

use std::process::Command;

use model::device::{Spec, WgpuPick};
use model::weights::{restore, snapshot};
use model::{Arch, DatasetName, NetConfig, TrainConfig, Trainer};

/// Steps compared, and how far apart the two backends' losses may be (relative).
const STEPS: usize = 6;
const TOLERANCE: f32 = 1e-3;
/// lavapipe runs a few dozen images a second: the two-device comparison trains one epoch of this
/// many images, in batches of 64 (16 steps), and measures on 1,000 test images.
const IMAGES: &str = "1024";

fn losses_on(spec: &Spec, net: &NetConfig, params: &[f32], data: &model::Dataset) -> Vec<f32> {
    let device = spec.open().expect("device opens").autodiff();
    let start = restore(net, params, &device).expect("weights restore");
    let mut trainer = Trainer::resume(start, TrainConfig::default(), data.len(), 0, &device);
    (0..STEPS).map(|_| pollster::block_on(trainer.step(data)).expect("step trains").loss).collect()
}

#[test]
fn wgpu_steps_give_the_cpu_losses() {
    let data = common::load(DatasetName::Mnist, false);
    for arch in [Arch::Mlp, Arch::Conv] {
        let net = NetConfig {
            arch,
            hidden: if arch == Arch::Conv { vec![32] } else { vec![512, 256] },
            ..NetConfig::default()
        };
        let cpu = Spec::Cpu.open().expect("cpu");
        cpu.seed(7);
        let params = pollster::block_on(snapshot(&net.init(&cpu))).expect("snapshot");
        let on_cpu = losses_on(&Spec::Cpu, &net, &params, &data);
        let on_gpu = losses_on(&Spec::Wgpu(WgpuPick::Default), &net, &params, &data);
        println!("{arch:?}: cpu {on_cpu:?}\n{arch:?}: wgpu {on_gpu:?}");
        assert!(on_cpu[STEPS - 1] < on_cpu[0], "{arch:?}: the CPU run learns: {on_cpu:?}");
        for (step, (c, g)) in on_cpu.iter().zip(&on_gpu).enumerate() {
            assert!((c - g).abs() <= TOLERANCE * c.abs(), "{arch:?} step {}: cpu {c} vs wgpu {g}", step + 1);
        }
    }
}

/// The `test recon MSE` the command line printed, trained with `how`.
fn trained_mse(how: &[&str]) -> f32 {
    let out = Command::new(env!("CARGO_BIN_EXE_train"))
        .args(how)
        .args(["--limit", IMAGES, "--eval", "1000", "--batch", "64"])
        .arg("--data")
        .arg(common::asset(""))
        .output()
        .expect("train runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "train {how:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    println!("train {how:?}:\n{stdout}");
    let line = stdout.lines().find(|l| l.starts_with("test recon MSE")).expect("a test line");
    line.split_whitespace().nth(3).and_then(|v| v.parse().ok()).expect("an MSE")
}

#[test]
fn two_wgpu_devices_reach_the_loss_of_one() {
    // Two wgpu devices: the default adapter and the CPU-type adapter, each its own wgpu device and
    // queue (on a machine with lavapipe only, two devices on the same software adapter).
    let untrained = trained_mse(&["--steps", "0"]);
    let one = trained_mse(&["--devices", "wgpu", "--epochs", "1"]);
    let two = trained_mse(&["--devices", "wgpu,wgpu:cpu", "--epochs", "1"]);
    println!("test MSE: untrained {untrained}, one wgpu device {one}, two {two}");
    assert!(one < 0.7 * untrained && two < 0.7 * untrained, "both learn: {untrained} → one {one}, two {two}");
    assert!((one - two).abs() <= 0.1 * one, "two devices reach one device's loss: {one} vs {two}");
}
