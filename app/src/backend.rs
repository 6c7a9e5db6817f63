//! Which backend trains, and why: `?backend=cpu|webgpu` forces one; otherwise the page asks the
//! browser for a WebGPU adapter and uses it only when it is real hardware. A software adapter
//! (SwiftShader) is ~90× slower than the CPU worker for this network (measured), so it is skipped,
//! and the 5 MB WebGPU worker is then never downloaded.

use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The backend the trainer worker will use, with the reason shown to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub gpu: bool,
    pub reason: String,
}

fn get(v: &JsValue, key: &str) -> Option<JsValue> {
    Reflect::get(v, &key.into()).ok().filter(|x| !x.is_undefined() && !x.is_null())
}

/// What the browser's WebGPU adapter is: `Err(why not usable)` or `Ok(description)`.
async fn probe_adapter() -> Result<String, String> {
    let nav = web_sys::window().map(|w| JsValue::from(w.navigator())).ok_or("no window")?;
    let gpu = get(&nav, "gpu").ok_or("this browser has no WebGPU (navigator.gpu is missing)")?;
    let request: js_sys::Function = get(&gpu, "requestAdapter")
        .and_then(|f| f.dyn_into().ok())
        .ok_or("navigator.gpu.requestAdapter is missing")?;
    let promise: js_sys::Promise =
        request.call0(&gpu).ok().and_then(|p| p.dyn_into().ok()).ok_or("requestAdapter failed")?;
    let adapter = JsFuture::from(promise).await.ok().filter(|a| !a.is_null()).ok_or("no WebGPU adapter")?;
    let info = get(&adapter, "info");
    let field =
        |k: &str| info.as_ref().and_then(|i| get(i, k)).and_then(|v| v.as_string()).unwrap_or_default();
    let fallback =
        info.as_ref().and_then(|i| get(i, "isFallbackAdapter")).and_then(|v| v.as_bool()).unwrap_or(false);
    let (vendor, arch) = (field("vendor"), field("architecture"));
    if fallback || arch.contains("swiftshader") {
        return Err(format!(
            "the WebGPU adapter is a software fallback ({vendor} {arch}), slower than the CPU"
        ));
    }
    Ok(format!("WebGPU adapter {vendor} {arch}").trim().to_string())
}

/// Picks the backend for this page load.
pub async fn choose() -> Choice {
    match crate::js::query("backend").as_deref() {
        Some("cpu") => return Choice { gpu: false, reason: "CPU forced by ?backend=cpu".into() },
        Some("webgpu") => return Choice { gpu: true, reason: "WebGPU forced by ?backend=webgpu".into() },
        _ => {}
    }
    match probe_adapter().await {
        Ok(what) => Choice { gpu: true, reason: format!("{what} found") },
        Err(why) => Choice { gpu: false, reason: format!("CPU: {why}") },
    }
}
