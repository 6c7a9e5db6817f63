//! The CPU worker (flex + wasm SIMD): trains, or encodes and decodes for the view.
fn main() {
    app::worker::main(false);
}
