//! Reconstructions: one fixed test image of each class (top row) above each model's current
//! reconstruction (a row per model), refreshed whenever the view worker gets new weights.

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
    let rows = move || 1 + state.kinds().len();
    Effect::new(move |_| {
        let (Some(c), Some(tile)) = (canvas.get(), scratch.get()) else { return };
        let Some(ctx) = super::context2d(&c) else { return };
        ctx.clear_rect(0.0, 0.0, f64::from(c.width()), f64::from(c.height()));
        for (model, signal) in state.recons.iter().enumerate().take(rows() - 1) {
            signal.with(|r| {
                let Some((data, k)) = r else { return };
                // Model 0 also paints the originals (top row); model m its reconstructions in row m + 1.
                for (i, img) in data.chunks_exact(784).enumerate() {
                    let (col, row) = ((i % k) as f64, (i / k) as f64);
                    if row == 0.0 && model > 0 {
                        continue;
                    }
                    paint_digit(&tile, img);
                    let y = if row == 0.0 { 0.0 } else { 30.0 * (model + 1) as f64 };
                    let _ = ctx.draw_image_with_html_canvas_element(&tile, col * 30.0, y);
                }
            });
        }
    });
    view! {
        <section class="panel recon" aria-label="Reconstructions">
            <h2>"Reconstructions " <small>{move || {
                let names: Vec<&str> = state.kinds().into_iter().map(super::decode_panel::model_name).collect();
                format!("top: test images · below: {} after the bottleneck", names.join(", then "))
            }}</small></h2>
            <canvas data-testid="recon-grid" class="grid" width="300" height=move || (30 * rows()).to_string() node_ref=canvas></canvas>
            <canvas width="28" height="28" node_ref=scratch style="display:none"></canvas>
        </section>
    }
}
