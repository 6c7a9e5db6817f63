//! The decoded image of the latent point under the cursor, enlarged with crisp pixels, and its coordinates.

use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::Clamped;
use web_sys::ImageData;

use super::context2d;
use crate::state::AppState;

/// Paints 784 grey values in 0..1 into a 28×28 canvas (CSS scales it up with `image-rendering: pixelated`).
pub(crate) fn paint_digit(canvas: &web_sys::HtmlCanvasElement, pixels: &[f32]) {
    let Some(ctx) = context2d(canvas) else { return };
    let rgba: Vec<u8> = pixels
        .iter()
        .flat_map(|&p| {
            let v = 255 - (p.clamp(0.0, 1.0) * 255.0).round() as u8;
            [v, v, v, 255]
        })
        .collect();
    if rgba.len() == 28 * 28 * 4
        && let Ok(img) = ImageData::new_with_u8_clamped_array_and_sh(Clamped(&rgba), 28, 28)
    {
        let _ = ctx.put_image_data(&img, 0.0, 0.0);
    }
}

/// The decode panel.
#[component]
pub fn DecodePanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let canvas = NodeRef::<Canvas>::new();
    let original = NodeRef::<Canvas>::new();
    let recon = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        state.decoded.with(|d| {
            let Some(d) = d else { return };
            if let Some(c) = canvas.get() {
                paint_digit(&c, &d.pixels);
            }
            if let (Some((_, _, orig, rec)), Some(o), Some(r)) = (&d.point, original.get(), recon.get()) {
                paint_digit(&o, orig);
                paint_digit(&r, rec);
            }
        });
    });
    let point = move || state.decoded.with(|d| d.as_ref().and_then(|d| d.point.as_ref().map(|p| (p.0, p.1))));
    let names = move || state.dataset.get().class_names();
    let coords = move || {
        state.decoded.with(|d| d.as_ref().map_or(String::new(), |d| format!("{:.3}, {:.3}", d.z[0], d.z[1])))
    };
    view! {
        <section class="panel decode" aria-label="Decoded image">
            <h2>"Decoded"</h2>
            <canvas data-testid="decode-image" class="digit" width="28" height="28" node_ref=canvas></canvas>
            <p>"z = (" <span data-testid="decode-coords">{coords}</span> ")"</p>
            <p class="hint">"The decoder turns the 2-D point into a 28×28 image. Click a dot to compare that test image with its reconstruction."</p>
            <div class="pair" style:display=move || if point().is_some() { "flex" } else { "none" }>
                <figure><canvas data-testid="decode-original" class="digit small" width="28" height="28" node_ref=original></canvas>
                    <figcaption>{move || point().map(|(i, l)| format!("test #{i}: {}", names()[usize::from(l) % 10])).unwrap_or_default()}</figcaption></figure>
                <figure><canvas data-testid="decode-recon" class="digit small" width="28" height="28" node_ref=recon></canvas>
                    <figcaption>"its reconstruction"</figcaption></figure>
            </div>
        </section>
    }
}
