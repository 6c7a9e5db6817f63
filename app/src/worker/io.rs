//! A worker's two ends: [`Out`] posts its replies to the page (a reply that cannot be posted is
//! reported as an `Error` reply, else on the console), and [`listener`] turns a message target's
//! `onmessage` into a queue of typed messages (bad ones are reported, never dropped silently). The
//! page's heartbeat `Ping` is answered there at once, not queued: it asks whether the worker is
//! alive, not whether its loop is between two pieces of work.

use std::marker::PhantomData;

use futures::channel::mpsc::UnboundedSender;
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::Closure;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::protocol::trainer::{FromTrainer, ToTrainer};
use crate::protocol::view::{FromView, ToView};
use crate::protocol::{self, Endpoint, Parts, Weights};

/// A worker's replies to the page: each protocol has its own `Error`, `Notice` and `Pong`.
pub(crate) trait Reply: Serialize {
    fn error(msg: String) -> Self;
    fn notice(msg: String) -> Self;
    fn pong(wasm_bytes: f64) -> Self;
}

impl Reply for FromTrainer {
    fn error(msg: String) -> Self {
        Self::Error { msg }
    }

    fn notice(msg: String) -> Self {
        Self::Notice { msg }
    }

    fn pong(wasm_bytes: f64) -> Self {
        Self::Pong { wasm_bytes }
    }
}

impl Reply for FromView {
    fn error(msg: String) -> Self {
        Self::Error { msg }
    }

    fn notice(msg: String) -> Self {
        Self::Notice { msg }
    }

    fn pong(wasm_bytes: f64) -> Self {
        Self::Pong { wasm_bytes }
    }
}

/// A message a worker receives: is it the page's heartbeat?
pub(crate) trait Inbound {
    fn is_ping(&self) -> bool;
}

impl Inbound for ToTrainer {
    fn is_ping(&self) -> bool {
        matches!(self, Self::Ping)
    }
}

impl Inbound for ToView {
    fn is_ping(&self) -> bool {
        matches!(self, Self::Ping)
    }
}

impl Inbound for Weights {
    fn is_ping(&self) -> bool {
        false
    }
}

/// Posts replies of type `M` to the page from the worker's own scope.
pub(crate) struct Out<M> {
    scope: DedicatedWorkerGlobalScope,
    kind: PhantomData<fn(M)>,
}

impl<M> Clone for Out<M> {
    fn clone(&self) -> Self {
        Self { scope: self.scope.clone(), kind: PhantomData }
    }
}

impl<M: Reply> Out<M> {
    pub(crate) fn new(scope: DedicatedWorkerGlobalScope) -> Self {
        Self { scope, kind: PhantomData }
    }

    /// Posts `msg` with `parts` to the page.
    pub(crate) fn send(&self, msg: &M, parts: &Parts) {
        self.send_to(&self.scope, msg, parts);
    }

    /// Posts `msg` with `parts` to `to` (the page, or a port); a failure is reported to the page.
    pub(crate) fn send_to<T: Serialize>(&self, to: &impl Endpoint, msg: &T, parts: &Parts) {
        if let Err(e) = protocol::post(to, msg, parts) {
            self.error(format!("a worker message was lost: {e}"));
        }
    }

    /// Reports a failure to the page (on the console when even that cannot be posted).
    pub(crate) fn error(&self, msg: impl Into<String>) {
        let msg = msg.into();
        if let Err(e) = protocol::post(&self.scope, &M::error(msg.clone()), &Parts::default()) {
            console_error(&format!("{msg} (and reporting it failed: {e})"));
        }
    }

    /// Tells the page something the user should know.
    pub(crate) fn notice(&self, msg: impl Into<String>) {
        self.send(&M::notice(msg.into()), &Parts::default());
    }
}

/// Writes `msg` to the worker's console.
pub(crate) fn console_error(msg: &str) {
    web_sys::console::error_1(&msg.into());
}

/// An `onmessage` handler that decodes each message as `M` and queues it, with its parts, as
/// `wrap(msg, parts)`; a message that does not decode is reported through `out`, a `Ping` answered.
pub(crate) fn listener<M, T, R>(
    tx: UnboundedSender<T>,
    wrap: fn(M, Parts) -> T,
    out: Out<R>,
) -> Closure<dyn FnMut(MessageEvent)>
where
    M: DeserializeOwned + Inbound + 'static,
    T: 'static,
    R: Reply + 'static,
{
    Closure::new(move |ev: MessageEvent| match protocol::decode::<M>(ev.data()) {
        Ok((msg, _)) if msg.is_ping() => out.send(&R::pong(crate::js::wasm_bytes()), &Parts::default()),
        Ok((msg, parts)) => {
            if tx.unbounded_send(wrap(msg, parts)).is_err() {
                // Only after the worker's loop has ended (it returns on a fatal error, reported then).
                console_error("a message arrived after the worker stopped");
            }
        }
        Err(e) => out.error(format!("bad message: {e}")),
    })
}
