//! The same training steps in headless Chromium (wasm-bindgen-test) on `flex` give the losses the
//! native run gives for the same seed and batches, and so do they on `wgpu` (WebGPU; SwiftShader in
//! headless Chromium). Run by `make test-wasm`: WebGPU in the `gpu` profile, flex in `release`.

#![cfg(target_arch = "wasm32")]

#[path = "shared/step_reference.rs"]
mod reference;

use model::Device;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[cfg(feature = "cpu")]
#[wasm_bindgen_test]
async fn flex_steps_in_the_browser_match_native() {
    reference::check(&reference::run(Device::flex()).await, 1e-4);
}

#[cfg(feature = "webgpu")]
#[wasm_bindgen_test]
async fn wgpu_steps_in_the_browser_match_native() {
    let device = Device::wgpu_options().init_async().await.expect("a WebGPU adapter (SwiftShader here)");
    reference::check(&reference::run(device).await, 1e-3);
}
