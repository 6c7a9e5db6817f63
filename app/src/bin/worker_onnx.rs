//! The ONNX view worker: the CPU worker plus an ONNX runtime, fetched only when a model made elsewhere
//! (PyTorch, Keras) is opened; the view role explores it.
fn main() {
    app::worker::main(false);
}
