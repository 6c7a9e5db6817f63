//! The WebGPU worker (wgpu + fusion), built and fetched only when WebGPU is chosen; it only trains.
fn main() {
    app::worker::main(true);
}
