//! Reconstructions: one fixed test image of each class (top row) above each model's current
//! reconstruction (a row per model), refreshed whenever the view worker gets new weights. With input
//! noise on (denoising), a row of the corrupted inputs comes second and the models reconstruct those,
//! with both errors against the clean images measured.

use leptos::html::Canvas;
use leptos::prelude::*;

use super::paint_digit;
use crate::state::AppState;

/// The reconstruction panel.
#[component]
pub fn ReconPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let canvas = NodeRef::<Canvas>::new();
    let scratch = NodeRef::<Canvas>::new();
    let models = move || state.mode().names().len();
    let noisy = move || state.maps[0].denoise.get();
    let rows = move || 1 + usize::from(noisy().is_some()) + models();
    Effect::new(move |_| {
        let (Some(c), Some(tile)) = (canvas.get(), scratch.get()) else { return };
        let Some(ctx) = super::context2d(&c) else { return };
        let (w, h, ch) = super::image_shape();
        let (tw, th) = (w as f64 + 2.0, h as f64 + 2.0);
        let (width, height) = ((10.0 * tw) as u32, (th * rows() as f64) as u32);
        if (c.width(), c.height()) != (width, height) {
            c.set_width(width);
            c.set_height(height);
        }
        ctx.clear_rect(0.0, 0.0, f64::from(c.width()), f64::from(c.height()));
        let extra = usize::from(noisy().is_some());
        for (model, signal) in state.maps.iter().map(|m| m.recons).enumerate().take(models()) {
            let has_noisy = state.maps[model].denoise.get().is_some();
            signal.with(|r| {
                let Some((data, k)) = r else { return };
                // Blocks: originals, [noisy inputs], reconstructions. Model 0 also paints the shared
                // rows; model m its reconstructions in row 1 + extra + m.
                for (i, img) in data.chunks_exact(w * h * ch).enumerate() {
                    let (col, block) = (i % k, i / k);
                    let is_recon = block == if has_noisy { 2 } else { 1 };
                    if !is_recon && model > 0 {
                        continue;
                    }
                    let row = if is_recon { 1 + extra + model } else { block };
                    paint_digit(&tile, img);
                    super::drawn(ctx.draw_image_with_html_canvas_element(
                        &tile,
                        col as f64 * tw,
                        th * row as f64,
                    ));
                }
            });
        }
    });
    let measured = move || {
        noisy().map(|d| {
            view! {
                <p data-testid="denoise-measure">"Error against the clean images: noisy input "
                    <b data-testid="denoise-noisy-mse">{format!("{:.4}", d.noisy_mse)}</b>
                    " → " {state.mode().names().first().copied().unwrap_or("")} " output "
                    <b data-testid="denoise-output-mse">{format!("{:.4}", d.output_mse)}</b> " (MSE per pixel)"</p>
            }
        })
    };
    view! {
        <section class="panel recon" aria-label="Reconstructions">
            <h2>"Reconstructions " <small>{move || {
                let names = state.mode().names().join(", then ");
                match noisy() {
                    Some(_) => format!("top: clean test images · then: noisy inputs · below: {names}'s output from the noisy input"),
                    None => format!("top: test images · below: {names} after the bottleneck"),
                }
            }}</small></h2>
            <canvas data-testid="recon-grid" class="grid" width="300" height=move || (30 * rows()).to_string() node_ref=canvas></canvas>
            {measured}
            <canvas width="28" height="28" node_ref=scratch hidden></canvas>
        </section>
    }
}
