//! The column beside the maps while a tour step is open: the step's words, the figures they are
//! about (decoded samples and their plausible shares, the interpolation strip, each map's k-NN, the
//! denoising errors, the worst reconstructions) sized to the column, and the decoded images under
//! them (larger on the steps whose evidence is the map itself). The full panels stay below the stage for those who scroll; these are the same signals
//! drawn smaller, with test ids prefixed `tour-`.

use leptos::html::Canvas;
use leptos::prelude::*;

use super::anomaly_panel::Gallery;
use super::interp_panel::Strip;
use super::sample_panel::SampleSetView;
use super::tour::{Evidence, current};
use super::{DecodePanel, PerModel, paint_grid};
use crate::state::AppState;

/// The column: the step's text, its evidence, then the decoded images.
#[component]
pub fn TourColumn() -> impl IntoView {
    let state = expect_context::<AppState>();
    let evidence = Memo::new(move |_| current(state).map_or(Evidence::None, |s| s.evidence));
    let models = PerModel(state);
    let width = models.width();
    // Beside the maps the column is as tall as a map with its title and legend, never taller.
    let height = move || {
        let fit = state.screen.fit(state.mode().maps());
        if fit.beside { format!("{}px", fit.height()) } else { String::new() }
    };
    view! {
        <section class="panel tour-column" class:plain=move || evidence.get() == Evidence::None
            aria-label="This tour step's evidence" data-testid="tour-evidence" style:width=width style:max-height=height>
            <p class="tour-text" data-testid="tour-text">{move || current(state).map_or("", |s| s.text)}</p>
            <div class="evidence" hidden=move || evidence.get() == Evidence::None>{move || match evidence.get() {
                Evidence::None => ().into_any(),
                Evidence::Samples { prior_only } => view! { <Samples prior_only=prior_only /> }.into_any(),
                Evidence::Strip => view! {
                    <div class="strips">{(0..2).map(|m| view! { <Strip model=m tour=true /> }).collect_view()}</div>
                }.into_any(),
                Evidence::Knn => view! { <Knn /> }.into_any(),
                Evidence::Denoise => view! { <Denoise /> }.into_any(),
                Evidence::Worst => (0..2).map(|m| view! { <Gallery model=m tour=true /> }).collect_view().into_any(),
            }}</div>
            <DecodePanel compact=true />
        </section>
    }
}

/// The decoded samples (all sets, or the N(0, I) ones alone) with their plausible shares.
#[component]
fn Samples(
    /// Only the sets drawn from N(0, I) (the AE against the VAE).
    prior_only: bool,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let indices = move || {
        state.explore.samples.with(|s| {
            s.iter()
                .flat_map(|s| s.sets.iter().enumerate())
                .filter(|(_, set)| !prior_only || set.source == "prior")
                .map(|(i, _)| i)
                .collect::<Vec<_>>()
        })
    };
    view! {
        <div class="sets">
            {move || indices().into_iter().map(|i| view! { <SampleSetView index=i tour=true /> }).collect_view()}
        </div>
        <p class="wait" hidden=move || state.explore.samples.with(Option::is_some)>"Decoding 100 samples per model…"</p>
    }
}

/// Each map's k-NN(5) accuracy: how well its 2-D positions keep the classes apart.
#[component]
fn Knn() -> impl IntoView {
    let state = expect_context::<AppState>();
    let row = move |model: usize| {
        let info = state.maps[model].info;
        view! {
            <li style:display=move || if model < state.mode().maps() { "list-item" } else { "none" }>
                {move || state.mode().names().get(model).copied().unwrap_or("")} ": "
                <b data-testid=format!("tour-knn-{model}")>
                    {move || info.with(|i| if i.dim == 0 { "…".to_string() } else { format!("{:.3}", i.knn) })}
                </b>
            </li>
        }
    };
    view! {
        <p class="figures-title">"k-NN(5) accuracy of the map's 2-D positions"</p>
        <ul class="figures">{row(0)}{row(1)}</ul>
    }
}

/// Clean test images, their noisy inputs and the first model's outputs, with both errors.
#[component]
fn Denoise() -> impl IntoView {
    let state = expect_context::<AppState>();
    let canvas = NodeRef::<Canvas>::new();
    let map = state.maps[0];
    Effect::new(move |_| {
        let Some(c) = canvas.get() else { return };
        map.recons.with(|r| {
            if let Some((images, k)) = r {
                paint_grid(&c, images, *k);
            }
        });
    });
    let figures = move || {
        map.denoise.get().map(|d| {
            view! {
                <p class="figures-title">"Error against the clean images (MSE per pixel)"</p>
                <ul class="figures">
                    <li>"noisy input: " <b data-testid="tour-denoise-noisy-mse">{format!("{:.4}", d.noisy_mse)}</b></li>
                    <li>"denoised output: " <b data-testid="tour-denoise-output-mse">{format!("{:.4}", d.output_mse)}</b></li>
                </ul>
            }
        })
    };
    view! {
        <figure>
            <figcaption>"Rows: clean · noisy input · output"</figcaption>
            <canvas data-testid="tour-denoise-grid" class="tiles" node_ref=canvas></canvas>
        </figure>
        {figures}
    }
}
