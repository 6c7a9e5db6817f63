//! Reconstructions: one fixed test image of each class (top row) above its current reconstruction
//! (bottom row), refreshed whenever the view worker gets new weights.

use leptos::html::Canvas;
use leptos::prelude::*;

use super::decode_panel::paint_digit;
use crate::state::AppState;

/// The reconstruction panel.
#[component]
pub fn ReconPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let canvas = NodeRef::<Canvas>::new();
    let scratch = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let (Some(c), Some(tile)) = (canvas.get(), scratch.get()) else { return };
        let Some(ctx) = super::context2d(&c) else { return };
        state.recons.with(|r| {
            let Some((data, k)) = r else {
                ctx.clear_rect(0.0, 0.0, f64::from(c.width()), f64::from(c.height()));
                return;
            };
            for (i, img) in data.chunks_exact(784).enumerate() {
                paint_digit(&tile, img);
                let (col, row) = ((i % k) as f64, (i / k) as f64);
                let _ = ctx.draw_image_with_html_canvas_element(&tile, col * 30.0, row * 30.0);
            }
        });
    });
    view! {
        <section class="panel recon" aria-label="Reconstructions">
            <h2>"Reconstructions " <small>"top: test images · bottom: after the bottleneck"</small></h2>
            <canvas data-testid="recon-grid" class="grid" width="300" height="60" node_ref=canvas></canvas>
            <canvas width="28" height="28" node_ref=scratch style="display:none"></canvas>
        </section>
    }
}
