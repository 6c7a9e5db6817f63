//! The worker runtime. The page starts each worker with a name that is its role: the `trainer` owns
//! the models and optimisers and steps a [`model::train::Session`], sending weights straight to the
//! view over their own channel; the `view` holds copies of the weights and the test set, encodes the
//! maps in chunks and decodes clicks in between. `onmessage` only queues; one async loop per worker
//! owns the state. The WebGPU worker only ever trains.

#[cfg(feature = "gpu")]
mod gpu_watch;
mod io;
pub(crate) mod shipped;
mod trainer;
mod view;

use model::{Dataset, Device};
use wasm_bindgen::JsCast;
use web_sys::DedicatedWorkerGlobalScope;

use crate::protocol::trainer::FromTrainer;
use crate::protocol::view::FromView;
use crate::protocol::{Fault, Parts};

pub use view::{MAP_POINTS, RECON_COUNT, WORST};

/// The worker name (`WorkerOptions.name`) the page gives its trainer.
pub const TRAINER: &str = "trainer";
/// The worker name the page gives its view worker.
pub const VIEW: &str = "view";

/// Entry point of both worker bins (`gpu`: the WebGPU one).
pub fn main(gpu: bool) {
    std::panic::set_hook(Box::new(on_panic));
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    match scope.name().as_str() {
        TRAINER => trainer::start(scope, gpu),
        VIEW if !gpu => view::start(scope),
        name => {
            let out = io::Out::<FromTrainer>::new(scope);
            let msg = if gpu {
                format!("the WebGPU worker only trains; it was started as {name:?}")
            } else {
                format!("a worker named {name:?}: expected {TRAINER:?} or {VIEW:?}")
            };
            out.error(msg);
        }
    }
}

/// A panic: on the console, and to the page as `Crashed` (the worker is unusable after it, so the
/// page replaces it).
fn on_panic(info: &std::panic::PanicHookInfo) {
    console_error_panic_hook::hook(info);
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let msg = info.to_string();
    let sent = if scope.name() == VIEW {
        crate::protocol::post(&scope, &FromView::Crashed { msg }, &Parts::default())
    } else {
        crate::protocol::post(&scope, &FromTrainer::Crashed { msg }, &Parts::default())
    };
    if let Err(e) = sent {
        io::console_error(&format!("the panic could not be reported to the page: {e}"));
    }
}

/// A test's fault, in whichever worker receives it.
fn inject(fault: Fault) -> Result<(), String> {
    match fault {
        Fault::Panic => panic!("a test asked this worker to panic"),
        #[cfg(feature = "gpu")]
        Fault::DestroyDevice if gpu_watch::destroy() => Ok(()),
        Fault::DestroyDevice => Err("there is no WebGPU device here to destroy".into()),
    }
}

/// What a device is: the `Ready` message's backend and detail.
pub(crate) struct Backend {
    pub device: Device,
    pub backend: String,
    pub detail: String,
}

/// The trainer's device: WebGPU in the WebGPU worker, else the CPU.
async fn device(gpu: bool) -> Result<Backend, String> {
    if gpu {
        #[cfg(feature = "gpu")]
        {
            let device = Device::wgpu_options()
                .init_async()
                .await
                .map_err(|e| format!("WebGPU init failed: {e:?}"))?;
            let (backend, detail) = ("webgpu".into(), "burn wgpu backend on the browser's WebGPU".into());
            return Ok(Backend { device, backend, detail });
        }
        #[cfg(not(feature = "gpu"))]
        return Err("this worker was built without WebGPU".into());
    }
    cpu_device()
}

/// The CPU device (burn flex, wasm SIMD): the view's always, the trainer's in the CPU worker.
#[cfg(feature = "cpu")]
fn cpu_device() -> Result<Backend, String> {
    let (backend, detail) = ("cpu".into(), "burn flex backend, wasm SIMD".into());
    Ok(Backend { device: Device::flex(), backend, detail })
}

/// The WebGPU worker is built without burn's flex backend.
#[cfg(not(feature = "cpu"))]
fn cpu_device() -> Result<Backend, String> {
    Err("this worker was built without the CPU backend".into())
}

/// The user's images of a `TrainOn` or an `Upload`: `count` images' pixels (`[count * row]` bytes)
/// and then their labels (`[count]`).
pub(crate) fn user_images(mut bytes: Vec<u8>, count: usize, row: usize) -> Result<Dataset, String> {
    let pixels = count.saturating_mul(row);
    let expected = pixels.saturating_add(count);
    if bytes.len() != expected {
        let got = bytes.len();
        return Err(format!("{got} bytes arrived for {count} images and their labels ({expected} expected)"));
    }
    let labels = bytes.split_off(pixels);
    Dataset::from_rows(bytes, labels, row).map_err(|e| e.to_string())
}
