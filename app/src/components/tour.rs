//! The guided tour: eight steps through the lecture, each setting the page up for one idea (the
//! model, samples, an interpolation, the manifold, noise, colouring by error) with a sentence or two.
//! Next / previous by button, by PageDown / PageUp (a presenter's clicker) or `]` / `[`; any step is
//! a link (`?tour=3`, `#…&tour=3`). The box over the maps is one line (step, title, buttons); the
//! step's words and its evidence sit in the column beside the maps ([`super::TourColumn`]), so a
//! teacher never scrolls in the middle of a sentence.

use leptos::prelude::*;
use model::Noise;

use crate::protocol::view::End;
use crate::state::{AppState, MapMode};

/// What a step does besides setting the mode and the toggles.
#[derive(Clone, Copy, PartialEq)]
pub enum Act {
    None,
    /// Sample 100 codes from the prior.
    Sample,
    /// Interpolate between two test images.
    Interpolate(usize, usize),
}

/// What a step shows beside the maps, above the decoded images: the figures its words are about.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Evidence {
    /// Nothing but the decoded images (the map itself is the point).
    None,
    /// The decoded samples and their plausible shares (`prior_only`: the N(0, I) sets alone).
    Samples { prior_only: bool },
    /// The interpolation strip of each model.
    Strip,
    /// The k-NN(5) accuracy of each map's 2-D positions.
    Knn,
    /// Clean, noisy and denoised test images with both errors.
    Denoise,
    /// The worst-reconstructed test images.
    Worst,
}

/// One step: its title, what to look at, the page it sets up and the evidence it shows.
pub struct Step {
    pub title: &'static str,
    pub text: &'static str,
    pub mode: MapMode,
    pub manifold: bool,
    pub errors: bool,
    pub noise: Noise,
    pub act: Act,
    pub evidence: Evidence,
}

const fn step(title: &'static str, text: &'static str, mode: MapMode, act: Act) -> Step {
    let evidence = match act {
        Act::None => Evidence::None,
        Act::Sample => Evidence::Samples { prior_only: false },
        Act::Interpolate(..) => Evidence::Strip,
    };
    Step { title, text, mode, manifold: false, errors: false, noise: Noise::None, act, evidence }
}

/// The lecture, in order.
pub static TOUR: [Step; 8] = [
    step(
        "An autoencoder's map",
        "Every dot is a test image, placed where the encoder puts its 2-D code and coloured by its label. \
         Click or tap anywhere: the decoder turns that point into the image here.",
        MapMode::Ae,
        Act::None,
    ),
    step(
        "Sampling an AE falls into holes",
        "100 codes drawn from a standard normal (●) land anywhere, often in the gaps between the AE's \
         clusters, where the decoder was never trained: many decode to blurs that are no digit.",
        MapMode::Ae,
        Act::Sample,
    ),
    Step {
        evidence: Evidence::Samples { prior_only: true },
        ..step(
            "The VAE fills the holes",
            "The VAE's KL term pulls its codes towards that same normal distribution, so its samples \
             land on digits far more often than the AE's: compare the plausible shares.",
            MapMode::AeVae,
            Act::Sample,
        )
    },
    step(
        "Interpolation",
        "The straight line between two test images' codes, decoded step by step: on the VAE's map the \
         images morph smoothly from one digit into the other.",
        MapMode::Vae,
        Act::Interpolate(0, 1),
    ),
    Step {
        manifold: true,
        ..step(
            "The decoded manifold",
            "The background is the decoder's image for every point of the visible region: the map is a \
             continuous catalogue of digits. Zoom in to see one digit turn into the next.",
            MapMode::Vae,
            Act::None,
        )
    },
    Step {
        evidence: Evidence::Knn,
        ..step(
            "PCA against the autoencoder",
            "PCA is the best linear 2-D map of the pixels (right); the AE's non-linear encoder separates \
             the digits far better (left). The k-NN accuracy of each map says by how much.",
            MapMode::AePca,
            Act::None,
        )
    },
    Step {
        noise: Noise::Gaussian { std: 0.4 },
        evidence: Evidence::Denoise,
        ..step(
            "Denoising",
            "Noisy inputs, clean targets: a denoising autoencoder. Press Train for a few seconds and watch \
             how well it cleans noisy test images it has never seen.",
            MapMode::Ae,
            Act::None,
        )
    },
    Step {
        errors: true,
        evidence: Evidence::Worst,
        ..step(
            "Anomalies",
            "Each test image coloured by how badly it is reconstructed: the worst sit at the edges of the \
             clusters, and the gallery shows them — an autoencoder as an anomaly detector.",
            MapMode::Ae,
            Act::None,
        )
    },
];

/// Sets the page up for tour step `i` (0-based).
pub fn go(state: AppState, i: usize) {
    let Some(s) = TOUR.get(i) else { return };
    state.screen.tour.set(Some(i));
    // The step's words and evidence take the column beside the maps.
    state.lectures.open.set(false);
    state.explore.draw_open.set(false);
    state.explore.samples.set(None);
    state.explore.interpolation.set(None);
    if state.settings.mode.get_untracked() != s.mode {
        state.settings.mode.set(s.mode);
        state.restart();
    }
    if state.explore.manifold_on.get_untracked() != s.manifold {
        state.explore.manifold_on.set(s.manifold);
        state.request_manifold();
    }
    if state.explore.by_error.get_untracked() != s.errors {
        state.set_by_error(s.errors);
    }
    if state.settings.noise.get_untracked() != s.noise {
        state.settings.noise.set(s.noise);
        state.reconfigure();
    }
    // On maps not drawn yet (a new mode, a link opened at load) the tour's effect acts once they are.
    if state.maps_drawn() {
        act(state, s.act);
    }
}

/// Asks the view for what a step shows beyond the maps.
fn act(state: AppState, act: Act) {
    match act {
        Act::None => {}
        Act::Sample => state.sample(100),
        Act::Interpolate(a, b) => {
            state.explore.picking.set(Some(Vec::new()));
            state.pick(End::Point(a));
            state.pick(End::Point(b));
        }
    }
}

/// Moves the tour by `by` steps (starting it when it is closed), within its ends.
pub fn turn(state: AppState, by: isize) {
    let at = state.screen.tour.get_untracked().map_or(0, |i| i.saturating_add_signed(by));
    go(state, at.min(TOUR.len() - 1));
}

/// The open step (tracked; None: the tour is closed).
pub fn current(state: AppState) -> Option<&'static Step> {
    state.screen.tour.get().and_then(|i| TOUR.get(i))
}

/// The tour's box over the maps (only while a step is open): one line, so the maps keep their size.
#[component]
pub fn Tour() -> impl IntoView {
    let state = expect_context::<AppState>();
    let at = state.screen.tour;
    let step = move || current(state);
    // A step opened before its maps were drawn (its mode was just set up, or a link opened it while
    // the page loaded) acts when they are: the view then has the weights to sample or interpolate.
    Effect::new(move |was: Option<bool>| {
        let drawn = state.maps_drawn();
        if drawn && was == Some(false) {
            let open = state.screen.tour.get_untracked().and_then(|i| TOUR.get(i));
            if let Some(s) = open {
                act(state, s.act);
            }
        }
        drawn
    });
    view! {
        <Show when=move || step().is_some()>
            <section class="tour" aria-label="Guided tour" data-testid="tour" aria-live="polite">
                <h2>
                    <span data-testid="tour-step">{move || at.get().map_or(0, |i| i + 1)}</span>
                    {format!(" / {} · ", TOUR.len())}
                    <span data-testid="tour-title">{move || step().map_or("", |s| s.title)}</span>
                </h2>
                <div class="tour-nav">
                    // On a phone the arrows alone (the words are for screen readers too).
                    <button data-testid="tour-prev" disabled=move || at.get() == Some(0)
                        on:click=move |_| turn(state, -1)>"← "<span class="word">"Previous"</span></button>
                    <button data-testid="tour-next" class="primary" disabled=move || at.get() == Some(TOUR.len() - 1)
                        on:click=move |_| turn(state, 1)><span class="word">"Next"</span>" →"</button>
                    <button data-testid="tour-close" aria-label="Close tour" on:click=move |_| at.set(None)>
                        <span class="word">"Close tour"</span><span class="icon" aria-hidden="true">"✕"</span></button>
                </div>
            </section>
        </Show>
    }
}
