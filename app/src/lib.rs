//! The latent-space explorer's front-end: Leptos panels on the main thread (render only) and the
//! worker runtime that trains and encodes off it. Panels read [`state::AppState`]; only the state
//! talks to the workers.

pub mod backend;
pub mod centre;
pub mod components;
pub mod hash;
pub mod images;
pub mod js;
pub mod keys;
pub mod offline;
pub mod own_data;
pub mod plot;
pub mod protocol;
pub mod state;
pub mod store;
pub mod worker;

use leptos::prelude::*;

use components::{
    AnomalyPanel, ControlsPanel, DecodePanel, DrawPanel, ErrorPanel, InterpPanel, LatentPanel, LecturesPanel,
    LessonsPanel, LossPanel, MapNotes, ReconPanel, SamplePanel, StatusBar, Toolbar, Tour, TourColumn,
    WorkPanel,
};
use state::AppState;

/// Bench hook (`window.wasmBindings.lsx_draw_bench(n)`): rasterises `n` seeded random points of ten
/// classes into a map-sized ImageData and puts it on an offscreen canvas, as the map does; returns ms.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn lsx_draw_bench(n: usize) -> f64 {
    let side = (560.0 * components::dpr()) as f32;
    let mut seed = 0x2545_f491_u32;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed as f32 / u32::MAX as f32
    };
    let points: Vec<f32> = (0..2 * n).map(|_| next() * 40.0 - 20.0).collect();
    let labels: Vec<u8> = (0..n).map(|i| (i % 10) as u8).collect();
    let Some(canvas) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("canvas").ok())
        .and_then(|c| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlCanvasElement>(c).ok())
    else {
        return f64::NAN;
    };
    canvas.set_width(side as u32);
    canvas.set_height(side as u32);
    let t0 = js::now();
    let view = plot::LatentView::fit(&points, side, side);
    let buf = plot::rasterize(&points, &labels, &view, (3.0 * components::dpr()) as usize, &plot::PALETTE);
    if let (Some(ctx), Ok(img)) = (
        components::context2d(&canvas),
        web_sys::ImageData::new_with_u8_clamped_array_and_sh(
            wasm_bindgen::Clamped(&buf),
            side as u32,
            side as u32,
        ),
    ) {
        components::drawn(ctx.put_image_data(&img, 0.0, 0.0));
    }
    js::now() - t0
}

/// The parts of the page a link can hide with `?hide=a,b,…`.
pub const HIDEABLE: [&str; 12] = [
    "toolbar", "status", "drawer", "decode", "legend", "notes", "work", "anomaly", "sample", "interp",
    "recon", "loss",
];

/// The whole page: the toolbar, status and settings drawer on top; the map(s) and the decoded images
/// in one screen under them (sized from the viewport, see [`state::Screen`]); the other panels below.
#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    provide_context(state);
    hash::restore(&state);
    state.start();
    if let Some(step) = js::query("tour").and_then(|s| s.parse::<usize>().ok()) {
        components::tour::go(state, step.saturating_sub(1));
    }
    let screen = state.screen;
    window_event_listener(leptos::ev::resize, move |_| screen.measure());
    window_event_listener_untyped("visibilitychange", move |_| {
        let hidden = web_sys::window().and_then(|w| w.document()).is_some_and(|d| d.hidden());
        state.on_visibility(hidden);
    });
    let help = RwSignal::new(false);
    window_event_listener(leptos::ev::keydown, move |ev| keys::on_key(state, help, &ev));
    // What sits above the maps can change height (a long status, the drawer, the mode): measure
    // again once the page has laid it out.
    Effect::new(move |_| {
        state.status.track();
        state.settings.mode.track();
        state.training.backend.track();
        state.screen.tour.track();
        request_animation_frame(move || screen.measure());
    });
    // What the link strips away: `?hide=loss,recon,…` (any of [`HIDEABLE`]) and `?embed=1` (no title,
    // drawer or status: a chrome-free view for an iframe in slides or a course page).
    if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
        let hidden: Vec<&str> = js::query("hide")
            .unwrap_or_default()
            .split(',')
            .filter_map(|h| HIDEABLE.iter().find(|k| **k == h.trim()).copied())
            .collect();
        let embed = js::query("embed").is_some_and(|v| v == "1");
        let set = body
            .set_attribute("data-hide", &hidden.join(" "))
            .and_then(|()| if embed { body.class_list().add_1("embed") } else { Ok(()) });
        if let Err(e) = set {
            web_sys::console::warn_2(&"could not hide the panels the link names:".into(), &e);
        }
    }
    // Presenter mode is a class on the body (the stylesheet does the rest).
    Effect::new(move |_| {
        let on = screen.present.get();
        if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
            let classes = body.class_list();
            let done = if on { classes.add_1("present") } else { classes.remove_1("present") };
            if let Err(e) = done {
                web_sys::console::warn_2(&"presenter mode: could not restyle the page:".into(), &e);
            }
        }
        request_animation_frame(move || screen.measure());
    });
    let fit = move || screen.fit(state.mode().maps());
    let touring = Memo::new(move |_| screen.tour.get().is_some());
    view! {
        <div class="top">
            <header class="topbar">
                <h1>"Latent-space explorer"</h1>
                <Toolbar help=help />
            </header>
            <keys::KeyHelp open=help />
            <Tour />
            <StatusBar />
            <ErrorPanel />
            <details class="drawer" on:toggle=move |_| request_animation_frame(move || screen.measure())>
                <summary data-testid="settings-drawer">"Settings and lessons"</summary>
                <ControlsPanel />
                <LessonsPanel />
            </details>
        </div>
        <main class="stage" class:under=move || !fit().beside class:compare=move || state.two_maps()
            aria-label="Latent maps and decoded images">
            <div class="maps">
                <LatentPanel model=0 />
                <Show when=move || state.two_maps()><LatentPanel model=1 /></Show>
            </div>
            {move || if state.lectures.open.get() {
                view! { <LecturesPanel /> }.into_any()
            } else if state.explore.draw_open.get() {
                view! { <DrawPanel /> }.into_any()
            } else if touring.get() {
                view! { <TourColumn /> }.into_any()
            } else {
                view! { <DecodePanel /> }.into_any()
            }}
        </main>
        <div class="panels">
            <MapNotes />
            <WorkPanel />
            <AnomalyPanel />
            <SamplePanel />
            <InterpPanel />
            <ReconPanel />
            <LossPanel />
        </div>
    }
}
