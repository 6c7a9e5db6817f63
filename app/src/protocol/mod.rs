//! Typed messages between the page and its two workers: one protocol per worker ([`trainer`],
//! [`view`]) plus [`Weights`], which the trainer sends straight to the view over their own
//! `MessageChannel` (the page never relays weights). Messages go through serde-wasm-bindgen; every
//! large array travels beside the message as a *transferred* buffer ([`Parts`]), never through serde.

pub mod trainer;
pub mod view;

use js_sys::{Array, Float32Array, Object, Reflect, Uint8Array};
use model::NetConfig;
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::MessagePort;

/// Where a setup's weights come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Init {
    /// Seeded random weights.
    Fresh,
    /// The shipped pretrained file `weights/<dataset>-<kind>.lsxw` of each model (fresh where none fits).
    Pretrained,
}

/// A fault injected by a test through the page's hooks (`window.lsxTest`, present only when a test
/// asked for them before the page started).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Fault {
    /// A Rust panic in the worker.
    Panic,
    /// `GPUDevice.destroy()` on the WebGPU trainer's device.
    DestroyDevice,
}

/// Trainer → view, over their channel: model `model`'s weights (in `data`), of shape `net`, at
/// `step`, for the page's run `run` (the view drops weights of older runs and keeps those of a newer
/// run until its own setup for that run arrives).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Weights {
    pub run: u32,
    pub model: usize,
    pub net: NetConfig,
    pub step: u64,
}

/// The transferred parts of a message: a float array (`data`), a byte array (`bytes`) and a
/// `MessagePort` (`port`). Transferred, not copied: the sender's buffers are detached afterwards.
#[derive(Debug, Default, Clone)]
pub struct Parts {
    pub data: Option<Float32Array>,
    pub bytes: Option<Uint8Array>,
    pub port: Option<MessagePort>,
}

impl Parts {
    /// Just a float array.
    pub fn data(values: &[f32]) -> Self {
        Self { data: Some(Float32Array::from(values)), ..Self::default() }
    }

    /// Just a byte array.
    pub fn bytes(values: &[u8]) -> Self {
        Self { bytes: Some(Uint8Array::from(values)), ..Self::default() }
    }

    /// Just a port.
    pub fn port(port: MessagePort) -> Self {
        Self { port: Some(port), ..Self::default() }
    }

    /// The float array's values (empty when there is none).
    pub fn floats(&self) -> Vec<f32> {
        self.data.as_ref().map(Float32Array::to_vec).unwrap_or_default()
    }

    /// The byte array's values (empty when there is none).
    pub fn byte_vec(&self) -> Vec<u8> {
        self.bytes.as_ref().map(Uint8Array::to_vec).unwrap_or_default()
    }
}

/// Why a message could not be sent or read.
#[derive(Debug, Clone, PartialEq)]
pub enum ProtocolError {
    Encode(String),
    Decode(String),
    Post(String),
}

impl std::fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Encode(e) => write!(f, "could not encode a message: {e}"),
            Self::Decode(e) => write!(f, "could not read a message: {e}"),
            Self::Post(e) => write!(f, "could not post a message: {e}"),
        }
    }
}

impl std::error::Error for ProtocolError {}

fn js_err(e: impl std::fmt::Debug) -> String {
    format!("{e:?}")
}

const KEYS: [&str; 3] = ["data", "bytes", "port"];

/// Serialises `msg` and attaches `parts`, returning the value and its transfer list.
pub fn encode<T: Serialize>(msg: &T, parts: &Parts) -> Result<(JsValue, Array), ProtocolError> {
    let value = serde_wasm_bindgen::to_value(msg).map_err(|e| ProtocolError::Encode(e.to_string()))?;
    let transfer = Array::new();
    let set = |key: &str, v: &JsValue| {
        Reflect::set(&value, &key.into(), v).map(|_| ()).map_err(|e| ProtocolError::Encode(js_err(e)))
    };
    if let Some(a) = &parts.data {
        set(KEYS[0], a)?;
        transfer.push(&a.buffer());
    }
    if let Some(b) = &parts.bytes {
        set(KEYS[1], b)?;
        transfer.push(&b.buffer());
    }
    if let Some(p) = &parts.port {
        set(KEYS[2], p)?;
        transfer.push(p);
    }
    Ok((value, transfer))
}

/// Parses a message, taking its transferred parts out first.
pub fn decode<T: for<'de> Deserialize<'de>>(value: JsValue) -> Result<(T, Parts), ProtocolError> {
    let take = |key: &str| {
        let v = Reflect::get(&value, &key.into()).ok().filter(|v| !v.is_undefined())?;
        Reflect::delete_property(value.unchecked_ref::<Object>(), &key.into()).ok()?;
        Some(v)
    };
    let parts = Parts {
        data: take(KEYS[0]).and_then(|d| d.dyn_into().ok()),
        bytes: take(KEYS[1]).and_then(|d| d.dyn_into().ok()),
        port: take(KEYS[2]).and_then(|d| d.dyn_into().ok()),
    };
    let msg = serde_wasm_bindgen::from_value(value).map_err(|e| ProtocolError::Decode(e.to_string()))?;
    Ok((msg, parts))
}

/// Anything messages can be posted to: a worker (from the page), a worker's own scope, a port.
pub trait Endpoint {
    /// `postMessage(value, transfer)`.
    fn post_raw(&self, value: &JsValue, transfer: &Array) -> Result<(), JsValue>;
}

impl Endpoint for web_sys::Worker {
    fn post_raw(&self, value: &JsValue, transfer: &Array) -> Result<(), JsValue> {
        self.post_message_with_transfer(value, transfer)
    }
}

impl Endpoint for web_sys::DedicatedWorkerGlobalScope {
    fn post_raw(&self, value: &JsValue, transfer: &Array) -> Result<(), JsValue> {
        self.post_message_with_transfer(value, transfer)
    }
}

impl Endpoint for MessagePort {
    fn post_raw(&self, value: &JsValue, transfer: &Array) -> Result<(), JsValue> {
        self.post_message_with_transferable(value, transfer)
    }
}

/// Encodes and posts `msg` with `parts` to `to`.
pub fn post<T: Serialize>(to: &impl Endpoint, msg: &T, parts: &Parts) -> Result<(), ProtocolError> {
    let (value, transfer) = encode(msg, parts)?;
    to.post_raw(&value, &transfer).map_err(|e| ProtocolError::Post(js_err(e)))
}
