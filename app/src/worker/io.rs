//! A worker's two ends: [`Out`] posts its replies to the page (a reply that cannot be posted is
//! reported as an `Error` reply, else on the console), and [`listener`] turns a message target's
//! `onmessage` into a queue of typed messages (bad ones are reported, never dropped silently).

use std::marker::PhantomData;

use futures::channel::mpsc::UnboundedSender;
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::Closure;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::protocol::trainer::FromTrainer;
use crate::protocol::view::FromView;
use crate::protocol::{self, Endpoint, Parts};

/// A worker's replies to the page: each protocol has its own `Error` and `Notice`.
pub(crate) trait Reply: Serialize {
    fn error(msg: String) -> Self;
    fn notice(msg: String) -> Self;
}

impl Reply for FromTrainer {
    fn error(msg: String) -> Self {
        Self::Error { msg }
    }

    fn notice(msg: String) -> Self {
        Self::Notice { msg }
    }
}

impl Reply for FromView {
    fn error(msg: String) -> Self {
        Self::Error { msg }
    }

    fn notice(msg: String) -> Self {
        Self::Notice { msg }
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
/// `wrap(msg, parts)`; a message that does not decode is reported through `out`.
pub(crate) fn listener<M, T, R>(
    tx: UnboundedSender<T>,
    wrap: fn(M, Parts) -> T,
    out: Out<R>,
) -> Closure<dyn FnMut(MessageEvent)>
where
    M: DeserializeOwned + 'static,
    T: 'static,
    R: Reply + 'static,
{
    Closure::new(move |ev: MessageEvent| match protocol::decode::<M>(ev.data()) {
        Ok((msg, parts)) => {
            if tx.unbounded_send(wrap(msg, parts)).is_err() {
                // Only after the worker's loop has ended (it returns on a fatal error, reported then).
                console_error("a message arrived after the worker stopped");
            }
        }
        Err(e) => out.error(format!("bad message: {e}")),
    })
}
