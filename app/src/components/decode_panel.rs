//! The decoded image of the latent point under the cursor, enlarged with crisp pixels, and its coordinates.
//! Never blank: until the user points somewhere, it shows a default point (see `AppState::decode_default`).

use leptos::html::Canvas;
use leptos::prelude::*;

use super::{PerModel, model_id as id, paint_digit};
use crate::state::AppState;

/// The decode panel: the point under the cursor decoded by every model, side by side.
#[component]
pub fn DecodePanel(
    /// In the tour's column: no frame, no hint and no original beside its reconstruction (the column
    /// sizes the images).
    #[prop(optional)]
    compact: bool,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let canvases = [NodeRef::<Canvas>::new(), NodeRef::<Canvas>::new()];
    let recons = [NodeRef::<Canvas>::new(), NodeRef::<Canvas>::new()];
    let original = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        state.explore.decoded.with(|d| {
            let Some(d) = d else { return };
            for (c, px) in canvases.iter().zip(&d.pixels) {
                if let Some(c) = c.get() {
                    paint_digit(&c, px);
                }
            }
            if let Some(p) = &d.point {
                if let Some(o) = original.get() {
                    paint_digit(&o, &p.original);
                }
                for (c, px) in recons.iter().zip(&p.recons) {
                    if let Some(c) = c.get() {
                        paint_digit(&c, px);
                    }
                }
            }
        });
    });
    let point = move || {
        state.explore.decoded.with(|d| d.as_ref().and_then(|d| d.point.as_ref().map(|p| (p.index, p.label))))
    };
    let names = move |l: u8| state.class_names().get(usize::from(l)).cloned().unwrap_or_default();
    let coords = move || {
        state.explore.decoded.with(|d| {
            d.as_ref().map_or(String::new(), |d| {
                d.zs.iter().flatten().next().map_or(String::new(), |z| format!("{:.3}, {:.3}", z[0], z[1]))
            })
        })
    };
    let models = PerModel(state);
    let (shown, name) = (move |i| models.shown(i), move |i| models.name(i));
    // What a screen reader says of the current decode.
    let said = move || {
        let at = coords();
        if at.is_empty() {
            return String::new();
        }
        let of = point().map(|(i, l)| format!(": test image {i}, a {}", names(l)));
        format!("Decoded the map point ({at}){}", of.unwrap_or_default())
    };
    // Beside the maps on a wide screen: a column as wide as the screen leaves it.
    let width = move || if compact { String::new() } else { models.width()() };
    view! {
        <section class="panel decode" class:compact=compact aria-label="Decoded image" style:width=width>
            <h2>"Decoded " <small style:display=move || if coords().is_empty() { "none" } else { "inline" }>"z = (" <span data-testid="decode-coords">{coords}</span> ")"</small></h2>
            <div class="pair">
                {(0..2).map(|i| view! {
                    <figure style:display=shown(i)>
                        <canvas data-testid=id("decode-image", i) class="digit" width="28" height="28" node_ref=canvases[i]></canvas>
                        <figcaption>{name(i)}</figcaption>
                    </figure>
                }).collect_view()}
            </div>
            <p class="sr-only" aria-live="polite" data-testid="decode-said">{move || said()}</p>
            <p class="hint" hidden=compact>{move || {
                state.work.own.track();
                let (w, h, c) = super::image_shape();
                let colour = if c == 3 { "colour " } else { "" };
                format!("The decoder turns the map point into a {w}×{h} {colour}image. Click a dot: that image beside its reconstruction.")
            }}</p>
            <div class="pair" style:display=move || if point().is_some() && !compact { "flex" } else { "none" }>
                <figure><canvas data-testid="decode-original" class="digit small" width="28" height="28" node_ref=original></canvas>
                    <figcaption>{move || point().map(|(i, l)| format!("test #{i}: {}", names(l))).unwrap_or_default()}</figcaption></figure>
                {(0..2).map(|i| view! {
                    <figure style:display=shown(i)><canvas data-testid=id("decode-recon", i) class="digit small" width="28" height="28" node_ref=recons[i]></canvas>
                        <figcaption>{name(i)} " reconstruction"</figcaption></figure>
                }).collect_view()}
            </div>
        </section>
    }
}
