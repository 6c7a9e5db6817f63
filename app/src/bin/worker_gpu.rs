//! The WebGPU worker (wgpu + fusion), built and fetched only when WebGPU is chosen.
fn main() {
    app::worker::main(true);
}
