//! Small browser helpers shared by the page and the workers: time, yielding, timers, fetching bytes,
//! URL query, downloads.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use js_sys::{Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// `performance.now()` in the page or a worker (ms).
pub fn now() -> f64 {
    Reflect::get(&js_sys::global(), &"performance".into())
        .ok()
        .and_then(|p| p.dyn_into::<web_sys::Performance>().ok())
        .map_or(0.0, |p| p.now())
}

thread_local! {
    static CHANNEL: Option<web_sys::MessageChannel> = web_sys::MessageChannel::new().ok();
}

/// Yields to the event loop with a MessageChannel hop: a macrotask without `setTimeout`'s 4 ms clamp
/// (measured: the clamp cost 14 % of training throughput). Falls back to a 0 ms timer.
pub async fn yield_now() {
    let promise = CHANNEL.with(|c| {
        let c = c.as_ref()?;
        let (p1, p2) = (c.port1(), c.port2());
        let mut posted = Ok(());
        let promise = Promise::new(&mut |resolve, _| {
            p1.set_onmessage(Some(resolve.unchecked_ref()));
            posted = p2.post_message(&JsValue::NULL);
        });
        posted.ok().map(|()| promise)
    });
    match promise {
        // The promise only ever resolves (with the hop's event).
        Some(p) => drop(JsFuture::from(p).await),
        None => sleep_ms(0).await,
    }
}

/// A timer: resolves `ms` milliseconds after it was made (`setTimeout` on the page or worker global).
/// Dropping it clears the timeout, so an abandoned wait costs nothing and never fires.
pub struct Delay {
    future: JsFuture,
    id: JsValue,
}

impl Future for Delay {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.future).poll(cx).map(|_| ())
    }
}

impl Drop for Delay {
    fn drop(&mut self) {
        let global = js_sys::global();
        if let Some(clear) = global_fn(&global, "clearTimeout") {
            // Clearing an id that already fired is a no-op; there is nothing to report either way.
            clear.call1(&global, &self.id).ok();
        }
    }
}

fn global_fn(global: &js_sys::Object, name: &str) -> Option<js_sys::Function> {
    Reflect::get(global, &name.into()).ok()?.dyn_into().ok()
}

/// A [`Delay`] of `ms` milliseconds (negative counts as 0), or why the timer could not be set.
pub fn delay(ms: f64) -> Result<Delay, String> {
    let global = js_sys::global();
    let set_timeout = global_fn(&global, "setTimeout").ok_or("setTimeout is unavailable")?;
    let mut id = Err(JsValue::UNDEFINED);
    let promise = Promise::new(&mut |resolve, _| {
        id = set_timeout.call2(&global, &resolve, &ms.max(0.0).into());
    });
    let id = id.map_err(|e| format!("setTimeout failed: {e:?}"))?;
    Ok(Delay { future: JsFuture::from(promise), id })
}

/// Sleeps `ms` milliseconds (returns at once where no timer can be set).
pub async fn sleep_ms(ms: i32) {
    if let Ok(d) = delay(f64::from(ms)) {
        d.await;
    }
}

/// Fetches `url` (relative to the page or worker script) as bytes, with an error that names the URL.
pub async fn fetch_bytes(url: &str) -> Result<Vec<u8>, String> {
    fetch_optional(url).await?.ok_or_else(|| format!("{url}: HTTP 404"))
}

/// Like [`fetch_bytes`], but a file the server does not have (HTTP 404) is `Ok(None)`.
pub async fn fetch_optional(url: &str) -> Result<Option<Vec<u8>>, String> {
    let global = js_sys::global();
    let fetch = global_fn(&global, "fetch").ok_or("fetch is unavailable")?;
    let promise: Promise =
        fetch.call1(&global, &url.into()).and_then(|p| p.dyn_into()).map_err(|e| format!("{url}: {e:?}"))?;
    let resp: web_sys::Response =
        JsFuture::from(promise).await.and_then(|r| r.dyn_into()).map_err(|e| format!("{url}: {e:?}"))?;
    if resp.status() == 404 {
        return Ok(None);
    }
    if !resp.ok() {
        return Err(format!("{url}: HTTP {}", resp.status()));
    }
    let buf = JsFuture::from(resp.array_buffer().map_err(|e| format!("{url}: {e:?}"))?)
        .await
        .map_err(|e| format!("{url}: {e:?}"))?;
    Ok(Some(Uint8Array::new(&buf).to_vec()))
}

/// The value of `?key=` in the page URL.
pub fn query(key: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search).ok()?.get(key)
}

/// Offers `bytes` as a download named `name` (a Blob URL clicked through a temporary link; the URL is
/// revoked a minute later). A failure is written to the console.
pub fn download_bytes(name: &str, bytes: &[u8], mime: &str) {
    download_array(name, &js_sys::Uint8Array::from(bytes), mime);
}

/// [`download_bytes`] for bytes already in a JavaScript array.
pub fn download_array(name: &str, bytes: &js_sys::Uint8Array, mime: &str) {
    report_download(name, try_download_bytes(name, bytes, mime));
}

fn try_download_bytes(name: &str, bytes: &js_sys::Uint8Array, mime: &str) -> Result<(), JsValue> {
    let parts = js_sys::Array::of1(bytes);
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    try_download_url(name, &url)?;
    // Revoking only frees the blob early: where it fails, the page's unload frees it.
    let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
        web_sys::Url::revoke_object_url(&url).ok();
    });
    if let Some(w) = web_sys::window() {
        w.set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 60_000).ok();
    }
    Ok(())
}

/// Offers the resource at `url` (a data: or blob: URL) as a download named `name`. A failure is
/// written to the console.
pub fn download_url(name: &str, url: &str) {
    report_download(name, try_download_url(name, url));
}

fn try_download_url(name: &str, url: &str) -> Result<(), JsValue> {
    let doc = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let a: web_sys::HtmlElement = doc.create_element("a")?.dyn_into().map_err(JsValue::from)?;
    a.set_attribute("href", url)?;
    a.set_attribute("download", name)?;
    a.click();
    Ok(())
}

fn report_download(name: &str, result: Result<(), JsValue>) {
    if let Err(e) = result {
        web_sys::console::error_1(&format!("could not offer {name} as a download: {e:?}").into());
    }
}

/// Appends `value` to the array `window[key]` (created when missing): read-only records for tests,
/// the bench and people in the console. The oldest go beyond [`MAX_RECORDS`], so hours stay flat.
pub fn push_record(key: &str, value: &wasm_bindgen::JsValue) {
    let Some(w) = web_sys::window() else { return };
    let key = wasm_bindgen::JsValue::from_str(key);
    let arr = js_sys::Reflect::get(&w, &key).ok().filter(js_sys::Array::is_array).unwrap_or_else(|| {
        let a = js_sys::Array::new();
        let _ = js_sys::Reflect::set(&w, &key, &a);
        a.into()
    });
    let arr = wasm_bindgen::JsCast::unchecked_into::<js_sys::Array>(arr);
    arr.push(value);
    if arr.length() > MAX_RECORDS {
        arr.shift();
    }
}

/// Entries kept per record array.
pub const MAX_RECORDS: u32 = 2_000;

/// Sets `window[key]` to `value`: a read-only record for tests and people in the console.
pub fn set_global(key: &str, value: &wasm_bindgen::JsValue) {
    if let Some(w) = web_sys::window()
        && js_sys::Reflect::set(&w, &key.into(), value).is_err()
    {
        web_sys::console::warn_1(&format!("could not publish window.{key}").into());
    }
}

/// This thread's wasm memory in bytes (the page's or a worker's; it only ever grows).
pub fn wasm_bytes() -> f64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map(|m| m.buffer().unchecked_into::<js_sys::ArrayBuffer>().byte_length() as f64)
        .unwrap_or(0.0)
}
