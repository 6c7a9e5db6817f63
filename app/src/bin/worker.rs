//! The CPU worker (flex + wasm SIMD): the trainer or the view, as the page names it.
fn main() {
    app::worker::main(false);
}
