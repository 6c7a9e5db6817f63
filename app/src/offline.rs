//! Offline use: registers the service worker (`sw.js`, written into each build by
//! `scripts/offline.sh`), which keeps the page, its workers, the default weights and the data used,
//! so a reload works without the network. `window.lsxOffline` turns true once it is in place.

use leptos::prelude::GetUntracked;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::state::AppState;

thread_local! {
    static REGISTERED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// How long training must have stayed paused before the offline copy is made.
const QUIET_S: u32 = 3;

/// Registers the service worker, after the page's own loading is done (its downloads would compete
/// with the workers' on a slow link) and once training has been paused for [`QUIET_S`] seconds: its
/// install fetches and stores some 20 MB, which on a two-core laptop would steal time from training
/// and from the page. A browser without service workers (or a page opened from a file) keeps
/// working online only, and says so once.
pub fn register(state: AppState) {
    if REGISTERED.with(|r| r.replace(true)) {
        return;
    }
    let Some(window) = web_sys::window() else { return };
    let navigator = window.navigator();
    let has_api = js_sys::Reflect::has(&navigator, &"serviceWorker".into()).unwrap_or(false);
    if !has_api || !window.is_secure_context() {
        state.say("This browser (or a page not served over https) cannot keep the explorer for offline use.");
        return;
    }
    let container = navigator.service_worker();
    leptos::task::spawn_local(async move {
        let mut quiet = 0;
        while quiet < QUIET_S {
            crate::js::sleep_ms(1000).await;
            quiet = if state.training.running.get_untracked() { 0 } else { quiet + 1 };
        }
        if let Err(e) = JsFuture::from(container.register("sw.js")).await {
            let why = e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).unwrap_or_default();
            state.say(format!(
                "The explorer could not be kept for offline use ({why}). It works online as before."
            ));
            return;
        }
        let ready = container.ready().map(JsFuture::from);
        if let Ok(ready) = ready
            && ready.await.is_ok()
        {
            crate::js::set_global("lsxOffline", &true.into());
        }
    });
}
