//! Fault injection for the end-to-end tests: `window.lsxTest`, installed only when the test's start-up
//! script set `window.lsxTestHooks = true` before the page ran (never for a visitor). Each hook makes
//! a real fault happen: a worker terminated behind the page's back, a Rust panic on the page or in a
//! worker, the WebGPU device destroyed.

use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::Closure;

use super::AppState;
use crate::protocol::trainer::ToTrainer;
use crate::protocol::view::ToView;
use crate::protocol::{Fault, Parts};

impl AppState {
    /// Installs `window.lsxTest` when a test asked for it.
    pub(super) fn install_test_hooks(self) {
        let Some(window) = web_sys::window() else { return };
        let asked = js_sys::Reflect::get(&window, &"lsxTestHooks".into()).ok().and_then(|v| v.as_bool());
        if asked != Some(true) {
            return;
        }
        let hooks = js_sys::Object::new();
        let terminate = Closure::<dyn Fn(String)>::new(move |role: String| self.terminate_silently(&role));
        let panic = Closure::<dyn Fn(String)>::new(move |place: String| match place.as_str() {
            "trainer" => self.post_trainer(&ToTrainer::Fault { fault: Fault::Panic }, Parts::default()),
            "view" => self.post_view(&ToView::Fault { fault: Fault::Panic }, Parts::default()),
            _ => panic!("a test asked the page to panic"),
        });
        let destroy = Closure::<dyn Fn()>::new(move || {
            self.post_trainer(&ToTrainer::Fault { fault: Fault::DestroyDevice }, Parts::default())
        });
        let set = |name: &str, f: &JsValue| js_sys::Reflect::set(&hooks, &name.into(), f).is_ok();
        let ok = set("terminate", terminate.as_ref())
            && set("panic", panic.as_ref())
            && set("destroyDevice", destroy.as_ref());
        terminate.forget();
        panic.forget();
        destroy.forget();
        if ok {
            crate::js::set_global("lsxTest", &hooks);
        }
    }
}
