//! The latent-space explorer's front-end: Leptos panels on the main thread (render only) and the
//! worker runtime that trains and encodes off it. Panels read [`state::AppState`]; only the state
//! talks to the workers.

pub mod backend;
pub mod components;
pub mod hash;
pub mod js;
pub mod plot;
pub mod protocol;
pub mod state;
pub mod store;
pub mod worker;

use leptos::prelude::*;

use components::{
    AnomalyPanel, ControlsPanel, DecodePanel, InterpPanel, LatentPanel, LessonsPanel, LossPanel, ReconPanel,
    SamplePanel, StatusBar, WorkPanel,
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

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    provide_context(state);
    hash::restore(&state);
    state.start();
    view! {
        <header>
            <h1>"Latent-space explorer"</h1>
            <p class="tagline">"An autoencoder learns in your browser tab. Every dot is a test image, placed by its 2-D code; click anywhere to decode that point."</p>
        </header>
        <ControlsPanel />
        <StatusBar />
        <LessonsPanel />
        <main class="panels" class:compare=move || state.two_maps()>
            <div class="maps">
                <LatentPanel model=0 />
                <Show when=move || state.two_maps()><LatentPanel model=1 /></Show>
            </div>
            <div class="side">
                <WorkPanel />
                <AnomalyPanel />
                <DecodePanel />
                <SamplePanel />
                <InterpPanel />
                <ReconPanel />
                <LossPanel />
            </div>
        </main>
    }
}
