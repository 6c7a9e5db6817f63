//! Sampling: decode points drawn from the prior N(0, I) (and, for an AE, uniformly from the box its
//! codes occupy) with every model, show the decodes and how many of them look like real images.

use leptos::html::Canvas;
use leptos::prelude::*;

use super::paint_grid;
use crate::state::AppState;

/// Samples per set: all are measured, the first [`SHOWN`] are drawn (two rows in the tour's column).
const N: usize = 100;
const SHOWN: usize = 36;
const SHOWN_IN_TOUR: usize = 12;

/// One sample set: its title, share and grid of decodes.
#[component]
pub(crate) fn SampleSetView(
    /// The set's place in the samples' sets.
    index: usize,
    /// In the tour's column: fewer decodes, test ids prefixed `tour-`.
    #[prop(optional)]
    tour: bool,
) -> impl IntoView {
    let (shown_max, prefix) = if tour { (SHOWN_IN_TOUR, "tour-") } else { (SHOWN, "") };
    let state = expect_context::<AppState>();
    let canvas = NodeRef::<Canvas>::new();
    let set = move || state.explore.samples.with(|s| s.as_ref().and_then(|s| s.sets.get(index).cloned()));
    Effect::new(move |_| {
        let Some(c) = canvas.get() else { return };
        state.explore.samples.with(|s| {
            let Some(s) = s else { return };
            let Some(n) = s.sets.get(index).map(|set| set.points.len() / 2) else { return };
            let start: usize = s.sets[..index].iter().map(|set| set.points.len() / 2).sum();
            let shown = n.min(shown_max);
            let len = super::image_len();
            if let Some(images) = s.images.get(start * len..(start + shown) * len) {
                paint_grid(&c, images, 6);
            }
        });
    });
    let key = move || set().map(|s| format!("{}-{}", s.model, s.source)).unwrap_or_default();
    let title = move || {
        let Some(s) = set() else { return String::new() };
        let name = state.mode().names().get(s.model).copied().unwrap_or("");
        let from = if s.source == "prior" { "from N(0, I)" } else { "uniform in its codes' box" };
        format!("{name} · {from}")
    };
    let share = move || set().map(|s| format!("{:.0} %", 100.0 * s.share)).unwrap_or_default();
    view! {
        <figure class="samples" style:display=move || if set().is_some() { "block" } else { "none" }>
            <figcaption>{title} ": " <b data-testid=move || format!("{prefix}sample-share-{}", key())>{share}</b> " plausible"</figcaption>
            <canvas data-testid=move || format!("{prefix}sample-grid-{}", key()) class="tiles" node_ref=canvas></canvas>
        </figure>
    }
}

/// The sampling panel.
#[component]
pub fn SamplePanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let ready = move || state.maps[0].latents.with(|l| !l.0.is_empty());
    view! {
        <section class="panel sample" aria-label="Samples from the prior">
            <h2>"Sampling " <small>"dots on the maps: filled = N(0, I), open = the AE's box"</small></h2>
            <button data-testid="sample-button" disabled=move || !ready() on:click=move |_| state.sample(N)>
                {format!("Sample {N} points per model")}</button>
            <div class="sets">{(0..3).map(|i| view! { <SampleSetView index=i /> }).collect_view()}</div>
            <p class="hint">"A decode counts as plausible when its strokes (pixels above ½) overlap some real test image as well as 90 % of the model's own reconstructions of test images do. A VAE is trained so that N(0, I) covers its codes; an AE is not."</p>
        </section>
    }
}
