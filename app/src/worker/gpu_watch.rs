//! The WebGPU trainer's watch on its device. Before burn's wgpu backend asks for a device, this wraps
//! `navigator.gpu.requestAdapter` (and the adapter's `requestDevice`) on their own objects, so the
//! device the backend gets is kept here: its `lost` promise is reported (a driver reset, a GPU
//! process crash, `destroy()`), and a test's fault can destroy it. Closures, not JS source: the page's
//! Content-Security-Policy has no `unsafe-eval`.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{JsFuture, future_to_promise};

thread_local! {
    /// The device burn's backend was given.
    static DEVICE: RefCell<Option<JsValue>> = const { RefCell::new(None) };
}

type OnLost = Rc<dyn Fn(String)>;

/// Wraps `method` of `target` so that what its promise resolves to also goes to `then`.
fn wrap(target: &JsValue, method: &str, then: Rc<dyn Fn(&JsValue)>) -> Result<(), String> {
    let orig: Function = Reflect::get(target, &method.into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(|| format!("WebGPU has no {method}"))?;
    let this = target.clone();
    let wrapped = Closure::<dyn FnMut(JsValue) -> Promise>::new(move |arg: JsValue| {
        let call = orig.call1(&this, &arg);
        let then = then.clone();
        future_to_promise(async move {
            let promise: Promise = call?.dyn_into()?;
            let value = JsFuture::from(promise).await?;
            then(&value);
            Ok(value)
        })
    });
    Reflect::set(target, &method.into(), wrapped.as_ref()).map_err(|e| format!("{e:?}"))?;
    wrapped.forget();
    Ok(())
}

/// Keeps the device and reports its loss through `on_lost` (the browser's reason and message).
fn keep(device: &JsValue, on_lost: &OnLost) {
    DEVICE.with(|d| *d.borrow_mut() = Some(device.clone()));
    let Some(lost) = Reflect::get(device, &"lost".into()).ok().and_then(|p| p.dyn_into::<Promise>().ok())
    else {
        return;
    };
    let on_lost = on_lost.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let info = JsFuture::from(lost).await.unwrap_or(JsValue::UNDEFINED);
        let field = |k: &str| Reflect::get(&info, &k.into()).ok().and_then(|v| v.as_string());
        let reason = field("reason").unwrap_or_else(|| "unknown".into());
        let message = field("message").filter(|m| !m.is_empty());
        on_lost(match message {
            Some(m) => format!("{reason}: {m}"),
            None => reason,
        });
    });
}

/// Installs the watch; `on_lost` is called once if the device is lost.
pub(super) fn install(on_lost: impl Fn(String) + 'static) -> Result<(), String> {
    let on_lost: OnLost = Rc::new(on_lost);
    let nav = Reflect::get(&js_sys::global(), &"navigator".into()).map_err(|e| format!("{e:?}"))?;
    let gpu =
        Reflect::get(&nav, &"gpu".into()).ok().filter(|g| !g.is_undefined()).ok_or("no navigator.gpu")?;
    wrap(
        &gpu,
        "requestAdapter",
        Rc::new(move |adapter: &JsValue| {
            if adapter.is_null() {
                return;
            }
            let on_lost = on_lost.clone();
            let kept =
                wrap(adapter, "requestDevice", Rc::new(move |device: &JsValue| keep(device, &on_lost)));
            if let Err(e) = kept {
                web_sys::console::warn_1(&format!("the WebGPU device cannot be watched: {e}").into());
            }
        }),
    )
}

/// Destroys the kept device (a test's fault); false when there is none.
pub(super) fn destroy() -> bool {
    let device = DEVICE.with(|d| d.borrow().clone());
    let destroy = device.as_ref().and_then(|d| Reflect::get(d, &"destroy".into()).ok());
    match (device, destroy.and_then(|f| f.dyn_into::<Function>().ok())) {
        (Some(d), Some(f)) => f.call0(&d).is_ok(),
        _ => false,
    }
}
