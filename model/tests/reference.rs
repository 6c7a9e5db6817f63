#![cfg(not(target_arch = "wasm32"))]
//! Native half of the browser-vs-native check (see `web.rs`).

#[path = "shared/step_reference.rs"]
mod reference;

/// Burn's flex backend has one global RNG: tests that seed it must not interleave.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn native_steps_match_the_reference() {
    let _serial = SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let losses = pollster::block_on(reference::run(model::Device::flex()));
    println!("native losses: {losses:?}");
    reference::check(&losses, 1e-5);
}

#[test]
fn an_ae_and_a_vae_with_one_seed_see_the_same_batches() {
    let _serial = SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let data = reference::synthetic();
    let device = model::Device::flex().autodiff();
    let digests = |kind, seed| {
        let cfg = model::TrainConfig { batch_size: 32, seed, ..model::TrainConfig::default() };
        let net = model::NetConfig { kind, hidden: vec![32], ..model::NetConfig::default() };
        let mut t = model::Trainer::new(&net, cfg, data.len(), &device);
        (0..12).map(|_| pollster::block_on(t.step(&data)).expect("step").batch_digest).collect::<Vec<_>>()
    };
    let ae = digests(model::Kind::Ae, 5);
    assert_eq!(ae, digests(model::Kind::Vae, 5), "same seed: same batches, step by step");
    assert_ne!(ae[11], digests(model::Kind::Ae, 6)[11], "another seed: other batches");
    assert!(ae.windows(2).all(|w| w[0] != w[1]), "the digest moves every step");
}
