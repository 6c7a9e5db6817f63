//! The shareable view in the URL hash: `#dataset=mnist&model=ae|vae|compare|pca&present=1&view=x,y,s` (the first
//! map's centre and CSS pixels per latent unit). Read once at start; rewritten (without a history
//! entry) whenever one of them changes.

use leptos::prelude::*;
use model::DatasetName;

use crate::plot::LatentView;
use crate::state::{AppState, MapMode};

fn get(hash: &str, key: &str) -> Option<String> {
    web_sys::UrlSearchParams::new_with_str(hash.trim_start_matches('#')).ok()?.get(key)
}

/// Applies the hash to the state and keeps it in sync from then on.
pub fn restore(state: &AppState) {
    let hash = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
    if let Some(d) = get(&hash, "dataset").and_then(|d| DatasetName::from_id(&d)) {
        state.settings.dataset.set(d);
    }
    if get(&hash, "present").as_deref() == Some("1") {
        state.screen.present.set(true);
    }
    if let Some(mode) = get(&hash, "model").and_then(|m| MapMode::from_id(&m)) {
        state.settings.mode.set(mode);
    }
    let nums: Vec<f32> =
        get(&hash, "view").map(|v| v.split(',').filter_map(|x| x.parse().ok()).collect()).unwrap_or_default();
    if let [x, y, s] = nums[..]
        && s.is_finite()
        && s > 0.0
    {
        // Width and height are set by the map on its first draw.
        state.maps[0].view.set(Some(LatentView { centre: [x, y], scale: s, width: 0.0, height: 0.0 }));
    }
    let state = *state;
    Effect::new(move |_| {
        let model = state.mode().id();
        let mut hash = format!("#dataset={}&model={model}", state.settings.dataset.get().id());
        if let Some(step) = state.screen.tour.get() {
            hash += &format!("&tour={}", step + 1);
        }
        if state.screen.present.get() {
            hash += "&present=1";
        }
        if let Some(v) = state.maps[0].view.get() {
            hash += &format!("&view={:.4},{:.4},{:.3}", v.centre[0], v.centre[1], v.scale);
        }
        if let Some(w) = web_sys::window()
            && w.location().hash().ok().as_deref() != Some(hash.as_str())
            && let Ok(h) = w.history()
            && let Err(e) = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&hash))
        {
            // The link in the address bar is stale; the page itself is unaffected.
            web_sys::console::warn_2(&"could not update the URL hash:".into(), &e);
        }
    });
}
