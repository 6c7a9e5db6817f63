//! The lesson in the URL hash: `#dataset=mnist&model=ae|vae|compare|pca&net=mlp|conv&latent=2&layers=0
//! &seed=42&view=x,y,s&z=x,y&tour=3&present=1` (the first map's centre and CSS pixels per latent unit,
//! the decoded point). Read once at start; rewritten (without a history entry) whenever one changes.

use leptos::prelude::*;
use model::{Arch, DatasetName};

use crate::plot::LatentView;
use crate::state::{AppState, MapMode, PRESETS};

fn get(hash: &str, key: &str) -> Option<String> {
    web_sys::UrlSearchParams::new_with_str(hash.trim_start_matches('#')).ok()?.get(key)
}

/// The numbers of a comma-separated value (`x,y,s`).
fn numbers(hash: &str, key: &str) -> Vec<f32> {
    get(hash, key).map(|v| v.split(',').filter_map(|x| x.parse().ok()).collect()).unwrap_or_default()
}

/// Applies the hash to the state and keeps it in sync from then on.
pub fn restore(state: &AppState) {
    let hash = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
    let s = &state.settings;
    if let Some(d) = get(&hash, "dataset").and_then(|d| DatasetName::from_id(&d)) {
        s.dataset.set(d);
    }
    if let Some(mode) = get(&hash, "model").and_then(|m| MapMode::from_id(&m)) {
        s.mode.set(mode);
    }
    match get(&hash, "net").as_deref() {
        Some("conv") => s.arch.set(Arch::Conv),
        Some("mlp") => s.arch.set(Arch::Mlp),
        _ => {}
    }
    if let Some(latent) = get(&hash, "latent").and_then(|v| v.parse().ok()).filter(|v| (2..=32).contains(v)) {
        s.latent.set(latent);
    }
    if let Some(layers) = get(&hash, "layers").and_then(|v| v.parse().ok()).filter(|v| *v < PRESETS.len()) {
        s.preset.set(layers);
    }
    if let Some(seed) = get(&hash, "seed").and_then(|v| v.parse().ok()) {
        s.seed.set(seed);
    }
    if get(&hash, "present").as_deref() == Some("1") {
        state.screen.present.set(true);
    }
    if let [x, y, scale] = numbers(&hash, "view")[..]
        && scale.is_finite()
        && scale > 0.0
    {
        // Width and height are set by the map on its first draw.
        state.maps[0].view.set(Some(LatentView { centre: [x, y], scale, width: 0.0, height: 0.0 }));
    }
    if let [x, y] = numbers(&hash, "z")[..]
        && x.is_finite()
        && y.is_finite()
    {
        decode_when_ready(*state, [x, y]);
    }
    // Written at most every 250 ms (a hover decodes at mouse rate; browsers throttle history calls).
    let state = *state;
    let (latest, queued) = (StoredValue::new(String::new()), StoredValue::new(false));
    Effect::new(move |_| {
        latest.set_value(lesson(state));
        if !queued.get_value() {
            queued.set_value(true);
            set_timeout(
                move || {
                    queued.set_value(false);
                    replace(&latest.get_value());
                },
                std::time::Duration::from_millis(250),
            );
        }
    });
}

/// Decodes `z` on the first map once it has points (a link's decoded point).
fn decode_when_ready(state: AppState, z: [f32; 2]) {
    let done = StoredValue::new(false);
    Effect::new(move |_| {
        let ready =
            state.maps[0].latents.with(|(p, _)| !p.is_empty()) && !state.training.backend.get().is_empty();
        if ready && !done.get_value() {
            done.set_value(true);
            state.decode(0, z, None, None);
        }
    });
}

/// The state's lesson as a hash (tracked: an effect reruns when any part changes).
fn lesson(state: AppState) -> String {
    let s = &state.settings;
    let mut hash = format!(
        "#dataset={}&model={}&net={}&latent={}&layers={}&seed={}",
        s.dataset.get().id(),
        state.mode().id(),
        if s.arch.get() == Arch::Conv { "conv" } else { "mlp" },
        s.latent.get(),
        s.preset.get(),
        s.seed.get()
    );
    if let Some(v) = state.maps[0].view.get() {
        hash += &format!("&view={:.4},{:.4},{:.3}", v.centre[0], v.centre[1], v.scale);
    }
    if let Some(z) = state.explore.decoded.with(|d| d.as_ref().and_then(|d| d.zs.first().copied().flatten()))
    {
        hash += &format!("&z={:.4},{:.4}", z[0], z[1]);
    }
    if let Some(step) = state.screen.tour.get() {
        hash += &format!("&tour={}", step + 1);
    }
    if state.screen.present.get() {
        hash += "&present=1";
    }
    hash
}

/// Puts `hash` in the address bar without a history entry.
fn replace(hash: &str) {
    if let Some(w) = web_sys::window()
        && w.location().hash().ok().as_deref() != Some(hash)
        && let Ok(h) = w.history()
        && let Err(e) = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(hash))
    {
        // The link in the address bar is stale; the page itself is unaffected.
        web_sys::console::warn_2(&"could not update the URL hash:".into(), &e);
    }
}
