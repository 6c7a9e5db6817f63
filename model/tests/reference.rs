#![cfg(not(target_arch = "wasm32"))]
//! Native half of the browser-vs-native check (see `web.rs`).

#[path = "shared/step_reference.rs"]
mod reference;

#[test]
fn native_steps_match_the_reference() {
    let losses = pollster::block_on(reference::run(model::Device::flex()));
    println!("native losses: {losses:?}");
    reference::check(&losses, 1e-5);
}
