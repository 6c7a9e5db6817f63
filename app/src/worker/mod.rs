//! The worker runtime. A trainer worker owns the models and optimisers and steps as fast as it can,
//! yielding between steps; a view worker holds copies of the weights and the test set, encodes the
//! maps in chunks and decodes clicks in between. `onmessage` only queues; one async loop owns the state.

mod trainer;
mod view;

use futures::StreamExt;
use futures::channel::mpsc::{UnboundedReceiver, unbounded};
use js_sys::Float32Array;
use model::{Dataset, DatasetName, Device, NetConfig, weights};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::js::fetch_bytes;
use crate::protocol::{FromWorker, Role, ToWorker};

pub use view::{MAP_POINTS, RECON_COUNT};

pub(crate) type Inbox = UnboundedReceiver<(ToWorker, Option<Float32Array>)>;

/// Entry point of both worker bins.
pub fn main(gpu: bool) {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let (tx, rx) = unbounded();
    let post_scope = scope.clone();
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        match crate::protocol::decode::<ToWorker>(ev.data()) {
            Ok(msg) => {
                let _ = tx.unbounded_send(msg);
            }
            Err(e) => post(&post_scope, &FromWorker::Error { msg: format!("bad message: {e}") }, None),
        }
    });
    scope.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    wasm_bindgen_futures::spawn_local(run(scope, rx, gpu));
}

pub(crate) fn post(scope: &DedicatedWorkerGlobalScope, msg: &FromWorker, data: Option<&Float32Array>) {
    if let Ok((value, transfer)) = crate::protocol::encode(msg, data) {
        let _ = scope.post_message_with_transfer(&value, &transfer);
    }
}

async fn device(gpu: bool) -> Result<(Device, String, String), String> {
    if gpu {
        #[cfg(feature = "gpu")]
        {
            let device = Device::wgpu_options()
                .init_async()
                .await
                .map_err(|e| format!("WebGPU init failed: {e:?}"))?;
            return Ok((device, "webgpu".into(), "burn wgpu backend on the browser's WebGPU".into()));
        }
        #[cfg(not(feature = "gpu"))]
        return Err("this worker was built without WebGPU".into());
    }
    cpu_device()
}

#[cfg(feature = "cpu")]
fn cpu_device() -> Result<(Device, String, String), String> {
    Ok((Device::flex(), "cpu".into(), "burn flex backend, wasm SIMD".into()))
}

/// The WebGPU worker is built without burn's flex backend.
#[cfg(not(feature = "cpu"))]
fn cpu_device() -> Result<(Device, String, String), String> {
    Err("this worker was built without the CPU backend".into())
}

/// Loads one split of a bundled dataset from `data/<id>/`.
pub(crate) async fn load(name: DatasetName, train: bool) -> Result<Dataset, String> {
    let [ti, tl, vi, vl] = name.files();
    let (i, l) = if train { (ti, tl) } else { (vi, vl) };
    let base = format!("data/{}/", name.id());
    let images = fetch_bytes(&format!("{base}{i}")).await?;
    let labels = fetch_bytes(&format!("{base}{l}")).await?;
    Dataset::from_idx(&images, Some(&labels)).map_err(|e| format!("{} {}: {e}", name.id(), i))
}

fn pretrained_path(dataset: DatasetName, net: &NetConfig, ext: &str) -> String {
    let kind = if net.kind == model::Kind::Vae { "vae" } else { "ae" };
    format!("weights/{}-{kind}.{ext}", dataset.id())
}

/// The map shipped with the pretrained weights: the test points' codes under them (f32 LE).
pub(crate) async fn pretrained_map(dataset: DatasetName, net: &NetConfig) -> Vec<f32> {
    let bytes = fetch_bytes(&pretrained_path(dataset, net, "map")).await.unwrap_or_default();
    bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()
}

/// The shipped pretrained weights for `net` on `dataset` (`weights/<dataset>-<kind>.lsxw`) and their
/// step, if there is a file and it holds a network of exactly this shape.
pub(crate) async fn pretrained(dataset: DatasetName, net: &NetConfig) -> Option<(Vec<f32>, u64)> {
    let bytes = fetch_bytes(&pretrained_path(dataset, net, "lsxw")).await.ok()?;
    let (header, params) = weights::from_file(&bytes).ok()?;
    (header.net == *net && header.dataset == dataset).then_some((params, header.step))
}

async fn run(scope: DedicatedWorkerGlobalScope, mut rx: Inbox, gpu: bool) {
    let (device, backend, detail) = match device(gpu).await {
        Ok(d) => d,
        Err(msg) => return post(&scope, &FromWorker::Error { msg }, None),
    };
    post(&scope, &FromWorker::Ready { backend, detail }, None);
    // The first message decides the role; later Setups rebuild within it.
    let Some((ToWorker::Setup { role, dataset, nets, train, init, pixels_pca }, _)) = rx.next().await else {
        return;
    };
    match role {
        Role::Trainer => trainer::run(&scope, rx, device, dataset, nets, train, init).await,
        Role::View => view::run(&scope, rx, device, dataset, nets, init, (train, pixels_pca)).await,
    }
}
