//! Keyboard shortcuts for everything a demo needs, so the page works without a mouse: one table
//! ([`KEYS`]) drives both the handler and the `?` list.

use leptos::prelude::*;
use model::DatasetName;
use web_sys::KeyboardEvent;

use crate::plot::LatentView;
use crate::state::{AppState, MapMode};

/// A shortcut's keys (as the list shows them) and what it does.
pub const KEYS: [(&str, &str); 18] = [
    ("Space or t", "train / pause"),
    ("n", "one training step"),
    ("r", "reset: new models from the current settings"),
    ("s", "sample 100 codes from the prior"),
    ("m", "decoded manifold on / off"),
    ("w", "draw a digit (the pad instead of the decoded images)"),
    ("l", "lectures beside the map (neighbours, traversal, posterior, …)"),
    ("1 2 3 4", "AE · VAE · AE and VAE side by side · AE and pixel PCA"),
    ("d", "switch dataset (MNIST / Fashion-MNIST)"),
    ("← ↑ → ↓", "move the decode cursor on the map"),
    ("Shift + arrows", "pan the map"),
    ("+ −", "zoom in / out"),
    ("0", "fit the map to the points"),
    ("Enter", "decode the test point nearest the cursor"),
    ("PageDown PageUp or ] [", "next / previous step of the guided tour"),
    ("p", "presenter mode: large type and points, full screen"),
    (",", "settings and lessons drawer"),
    ("?", "this list"),
];

/// Screen pixels the cursor or the pan moves per key press.
const STEP_PX: f32 = 16.0;

/// Handles a key pressed anywhere but in a text field or a select.
pub fn on_key(state: AppState, help: RwSignal<bool>, ev: &KeyboardEvent) {
    if ev.ctrl_key() || ev.meta_key() || ev.alt_key() || target_is(ev, &["INPUT", "SELECT", "TEXTAREA"]) {
        return;
    }
    // Space and Enter on a focused control press that control; a shortcut as well would undo it.
    if matches!(ev.key().as_str(), " " | "Enter") && target_is(ev, &["BUTTON", "A", "SUMMARY"]) {
        return;
    }
    let ready = !state.training.backend.get_untracked().is_empty();
    let running = state.training.running.get_untracked();
    let handled = match ev.key().as_str() {
        " " | "t" if ready => {
            state.set_running(!running);
            true
        }
        "n" if ready && !running => {
            state.single_step();
            true
        }
        "r" if ready => {
            state.restart();
            true
        }
        "s" if ready => {
            state.sample(100);
            true
        }
        "w" => {
            state.toggle_draw();
            true
        }
        "l" => {
            state.set_lectures_open(!state.lectures.open.get_untracked());
            true
        }
        "m" => {
            state.explore.manifold_on.update(|on| *on = !*on);
            state.request_manifold();
            true
        }
        k @ ("1" | "2" | "3" | "4") => {
            let i = k.parse::<usize>().unwrap_or(1) - 1;
            set_mode(state, MapMode::ALL[i.min(MapMode::ALL.len() - 1)]);
            true
        }
        "d" => {
            let next = match state.settings.dataset.get_untracked() {
                DatasetName::Mnist => DatasetName::FashionMnist,
                DatasetName::FashionMnist => DatasetName::Mnist,
            };
            state.settings.dataset.set(next);
            state.restart();
            true
        }
        "ArrowLeft" | "ArrowRight" | "ArrowUp" | "ArrowDown" => {
            let d = match ev.key().as_str() {
                "ArrowLeft" => [-STEP_PX, 0.0],
                "ArrowRight" => [STEP_PX, 0.0],
                "ArrowUp" => [0.0, -STEP_PX],
                _ => [0.0, STEP_PX],
            };
            if ev.shift_key() { pan(state, d) } else { move_cursor(state, d, false) }
        }
        "Enter" => move_cursor(state, [0.0, 0.0], true),
        "+" | "=" => zoom(state, 1.25),
        "-" | "_" => zoom(state, 0.8),
        "0" => {
            state.maps.iter().for_each(|m| m.view.set(None));
            true
        }
        "p" => {
            state.screen.set_present(!state.screen.present.get_untracked());
            true
        }
        "," => toggle_drawer(),
        "PageDown" | "]" => {
            crate::components::tour::turn(state, 1);
            true
        }
        "PageUp" | "[" => {
            crate::components::tour::turn(state, -1);
            true
        }
        "?" => {
            help.update(|h| *h = !*h);
            true
        }
        "Escape" => {
            help.set(false);
            state.screen.tour.set(None);
            false
        }
        _ => false,
    };
    if handled {
        ev.prevent_default();
    }
}

/// Whether the key goes to a text field or a select (typing a seed must not start training).
/// Whether the key went to an element with one of these tag names.
fn target_is(ev: &KeyboardEvent, tags: &[&str]) -> bool {
    let target = ev.target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok());
    target.is_some_and(|t| tags.contains(&t.tag_name().as_str()))
}

fn set_mode(state: AppState, mode: MapMode) {
    if state.settings.mode.get_untracked() != mode {
        state.settings.mode.set(mode);
        state.restart();
    }
}

/// The first map's view as shown (CSS px), when it has been drawn.
fn shown(state: AppState) -> Option<LatentView> {
    state.maps[0].shown.get_untracked()
}

/// Moves the decode cursor by `d` screen pixels on the first map (from its centre the first time)
/// and decodes there; `snap`: decode the test point nearest the cursor instead.
fn move_cursor(state: AppState, d: [f32; 2], snap: bool) -> bool {
    let Some(view) = shown(state) else { return false };
    let current =
        state.explore.decoded.with_untracked(|x| x.as_ref().and_then(|x| x.zs.first().copied().flatten()));
    let at = current.map_or([view.width / 2.0, view.height / 2.0], |z| view.screen_from_latent(z));
    let to = [(at[0] + d[0]).clamp(0.0, view.width), (at[1] + d[1]).clamp(0.0, view.height)];
    let near = state.maps[0]
        .latents
        .with_untracked(|(p, _)| crate::plot::nearest_point(p, &view, to, f32::INFINITY));
    match (snap, near) {
        (true, Some(i)) => {
            let z = state.maps[0].latents.with_untracked(|(p, _)| [p[2 * i], p[2 * i + 1]]);
            state.decode(0, z, Some(i), Some(i));
        }
        _ => state.decode(0, view.latent_from_screen(to), None, near),
    }
    true
}

/// Pans every map by `d` screen pixels.
fn pan(state: AppState, d: [f32; 2]) -> bool {
    for m in &state.maps {
        if let Some(v) = m.shown.get_untracked() {
            m.view.set(Some(v.pan(d)));
        }
    }
    true
}

/// Zooms every map by `factor` about its centre.
fn zoom(state: AppState, factor: f32) -> bool {
    for m in &state.maps {
        if let Some(v) = m.shown.get_untracked() {
            m.view.set(Some(v.zoom(factor, [v.width / 2.0, v.height / 2.0])));
        }
    }
    true
}

/// Opens or closes the settings drawer.
fn toggle_drawer() -> bool {
    let drawer = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("details.drawer").ok().flatten());
    match drawer {
        Some(d) if d.has_attribute("open") => d.remove_attribute("open").is_ok(),
        Some(d) => d.set_attribute("open", "").is_ok(),
        None => false,
    }
}

/// The `?` list of shortcuts.
#[component]
pub fn KeyHelp(open: RwSignal<bool>) -> impl IntoView {
    view! {
        <Show when=move || open.get()>
            <div class="keyhelp" role="dialog" aria-label="Keyboard shortcuts" data-testid="key-help">
                <h2>"Keyboard shortcuts"</h2>
                <dl>
                    {KEYS.iter().map(|(k, what)| view! { <dt><kbd>{*k}</kbd></dt><dd>{*what}</dd> }).collect_view()}
                </dl>
                <button on:click=move |_| open.set(false)>"Close (Esc)"</button>
            </div>
        </Show>
    }
}
