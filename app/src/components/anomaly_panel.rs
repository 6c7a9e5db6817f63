//! Anomaly detection: the test images each model reconstructs worst, with their labels and errors
//! (shown while the maps are coloured by reconstruction error).

use leptos::html::Canvas;
use leptos::prelude::*;

use super::paint_grid;
use crate::state::AppState;

/// Columns of the gallery.
const COLUMNS: usize = 6;

/// The gallery of one model's worst reconstructions.
#[component]
pub(crate) fn Gallery(
    model: usize,
    /// In the tour's column: the images without their list, test id prefixed `tour-`.
    #[prop(optional)]
    tour: bool,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let canvas = NodeRef::<Canvas>::new();
    let worst = state.maps[model].worst;
    Effect::new(move |_| {
        let Some(c) = canvas.get() else { return };
        worst.with(|w| {
            if let Some(w) = w {
                paint_grid(&c, &w.images, COLUMNS);
            }
        });
    });
    let names = move || state.settings.dataset.get().class_names();
    let name = move || state.mode().names().get(model).copied().unwrap_or("");
    view! {
        <figure style:display=move || if worst.with(Option::is_some) { "block" } else { "none" }>
            <figcaption>{name} ": worst reconstructed test images"</figcaption>
            <canvas data-testid=format!("{}worst-grid-{model}", if tour { "tour-" } else { "" }) class="tiles" node_ref=canvas></canvas>
            {(!tour).then(|| view! {
                <ol class="worst" data-testid=format!("worst-list-{model}")>
                    {move || worst.with(|w| w.iter().flat_map(|w| w.items.clone()).map(|(i, label, err)| view! {
                        <li data-index=i.to_string() data-error=err.to_string()>
                            {format!("#{i} {} · {err:.4}", names()[usize::from(label) % 10])}
                        </li>
                    }).collect_view())}
                </ol>
            })}
        </figure>
    }
}

/// The anomaly panel.
#[component]
pub fn AnomalyPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <section class="panel anomaly" aria-label="Anomalies" style:display=move || if state.explore.by_error.get() { "block" } else { "none" }>
            <h2>"Anomalies " <small>"the highest reconstruction errors (MSE per pixel) of the map's test points"</small></h2>
            <Gallery model=0 />
            <Gallery model=1 />
        </section>
    }
}
