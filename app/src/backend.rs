//! Which backend trains, and why. `?backend=cpu|webgpu|race` forces a choice. Otherwise the page asks
//! the browser for a WebGPU adapter: none, or a software one (SwiftShader, measured ~90x slower than
//! the CPU worker for this network), means the CPU, and the 5 MB WebGPU worker is never downloaded;
//! a hardware adapter gets a warm-up race (steps 2..n timed, one backend after the other) and the
//! faster one trains.

use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// How the trainer's backend is decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Cpu,
    Gpu,
    /// Warm both up, one after the other, and keep the faster (steps 2..n; a GPU's first step is its
    /// shader compile). The GPU loses if it has not finished within [`RACE_DEADLINE_MS`].
    Race,
}

/// Longest a WebGPU warm-up may take before the CPU is kept.
pub const RACE_DEADLINE_MS: i32 = 45_000;
/// Timed warm-up steps of each candidate.
pub const RACE_STEPS: u32 = 3;

/// The backend choice for this page load, with the reason shown to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub mode: Mode,
    pub reason: String,
}

/// Picks how to choose the backend: `?backend=cpu|webgpu|race` forces; a hardware adapter races.
pub async fn choose() -> Choice {
    let forced = crate::js::query("backend");
    let (mode, reason) = match forced.as_deref() {
        Some("cpu") => (Mode::Cpu, "CPU forced by ?backend=cpu".to_string()),
        Some("webgpu") => (Mode::Gpu, "WebGPU forced by ?backend=webgpu".to_string()),
        Some("race") => (Mode::Race, "warm-up race forced by ?backend=race".to_string()),
        _ => match probe_adapter().await {
            Ok(what) => (Mode::Race, format!("{what} found")),
            Err(why) => (Mode::Cpu, format!("CPU: {why}")),
        },
    };
    Choice { mode, reason }
}

/// The verdict of a warm-up race, as (use the GPU, reason).
pub fn verdict(cpu_ms: f64, gpu_ms: Option<f64>) -> (bool, String) {
    match gpu_ms {
        Some(g) if g < cpu_ms => {
            (true, format!("WebGPU: {g:.1} ms/step vs CPU {cpu_ms:.1} ms/step in a warm-up"))
        }
        Some(g) => (false, format!("CPU: {cpu_ms:.1} ms/step vs WebGPU {g:.1} ms/step in a warm-up")),
        None => (false, format!("CPU ({cpu_ms:.1} ms/step): WebGPU did not finish its warm-up in time")),
    }
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

#[cfg(test)]
mod tests {
    use super::verdict;

    #[test]
    fn the_faster_warm_up_wins() {
        assert!(verdict(30.0, Some(10.0)).0);
        assert!(!verdict(30.0, Some(2600.0)).0);
        let (gpu, why) = verdict(30.0, None);
        assert!(!gpu && why.contains("did not finish"));
    }
}
