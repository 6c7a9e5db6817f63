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
    ControlsPanel, DecodePanel, InterpPanel, LatentPanel, LossPanel, ReconPanel, SamplePanel, StatusBar,
    WorkPanel,
};
use state::AppState;

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    provide_context(state);
    state.start();
    view! {
        <header>
            <h1>"Latent-space explorer"</h1>
            <p class="tagline">"An autoencoder learns in your browser tab. Every dot is a test image, placed by its 2-D code; click anywhere to decode that point."</p>
        </header>
        <ControlsPanel />
        <StatusBar />
        <main class="panels" class:compare=move || state.compare.get()>
            <div class="maps">
                <LatentPanel model=0 />
                <Show when=move || state.compare.get()><LatentPanel model=1 /></Show>
            </div>
            <div class="side">
                <WorkPanel />
                <DecodePanel />
                <SamplePanel />
                <InterpPanel />
                <ReconPanel />
                <LossPanel />
            </div>
        </main>
    }
}
