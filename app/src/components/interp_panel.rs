//! Interpolation: pick two points on a map (dots or empty places), and every model decodes the
//! straight line between them; the path is drawn on the maps.

use leptos::html::Canvas;
use leptos::prelude::*;

use super::paint_grid;
use crate::state::AppState;

/// One model's strip of decodes along the path.
#[component]
pub(crate) fn Strip(
    model: usize,
    /// In the tour's column: two rows (larger tiles in a narrow column), test id prefixed `tour-`.
    #[prop(optional)]
    tour: bool,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let canvas = NodeRef::<Canvas>::new();
    let present =
        move || state.explore.interpolation.with(|i| i.as_ref().is_some_and(|i| model < i.paths.len()));
    Effect::new(move |_| {
        let Some(c) = canvas.get() else { return };
        state.explore.interpolation.with(|i| {
            let Some(i) = i else { return };
            let len = i.steps * super::image_len();
            if let Some(images) = i.images.get(model * len..(model + 1) * len) {
                paint_grid(&c, images, if tour { i.steps.div_ceil(2) } else { i.steps });
            }
        });
    });
    let name = move || state.mode().names().get(model).copied().unwrap_or("");
    view! {
        <figure style:display=move || if present() { "block" } else { "none" }>
            <figcaption>{name}</figcaption>
            <canvas data-testid=format!("{}interp-strip-{model}", if tour { "tour-" } else { "" }) class="tiles" node_ref=canvas></canvas>
        </figure>
    }
}

/// The interpolation panel.
#[component]
pub fn InterpPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let picking = move || state.explore.picking.with(|p| p.as_ref().map(Vec::len));
    let label = move || match picking() {
        None => "Interpolate: pick two points".to_string(),
        Some(n) => format!("Click point {} of 2 on a map…", n + 1),
    };
    view! {
        <section class="panel interp" aria-label="Interpolation">
            <h2>"Interpolation"</h2>
            <button data-testid="interp-button" on:click=move |_| state.explore.picking.set(Some(Vec::new()))>{label}</button>
            {(0..2).map(|m| view! { <Strip model=m /> }).collect_view()}
            <p class="hint">"Click two dots (each model then walks between its own codes of those two images) or two empty places (the same coordinates in every map). AE paths cross gaps where decodes turn strange; VAE paths morph smoothly."</p>
        </section>
    }
}
