//! Draw a digit: a pad for mouse, touch and pen (pointer events). While the user draws, the ink is
//! made MNIST-like (`model::data::ink`) and encoded by every model: a ★ on each map, the model's
//! reconstruction beside the drawing, and the nearest test images by code. Takes the decode panel's
//! place beside the maps while open.

use leptos::html::Canvas;
use leptos::prelude::*;
use model::data::ink::{ink_from_rgba, to_mnist};
use web_sys::PointerEvent;

use super::{PerModel, context2d, model_id as id, paint_digit};
use crate::state::AppState;

/// The pad's canvas resolution (CSS scales it); the pen is a ninth of it wide, like MNIST's strokes
/// once the digit is fitted into 20 pixels.
const PAD: u32 = 280;
const PEN: f64 = PAD as f64 / 9.0;
/// Nearest test images shown.
const NEAREST: usize = 8;

/// The drawing's MNIST-like image (None: no ink yet).
fn read_pad(canvas: &web_sys::HtmlCanvasElement) -> Option<Vec<f32>> {
    let ctx = context2d(canvas)?;
    let data = ctx.get_image_data(0.0, 0.0, f64::from(PAD), f64::from(PAD)).ok()?.data();
    to_mnist(&ink_from_rgba(&data, PAD as usize, PAD as usize), PAD as usize, PAD as usize)
}

/// The panel.
#[component]
pub fn DrawPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let pad = NodeRef::<Canvas>::new();
    let input = NodeRef::<Canvas>::new();
    let recons = [NodeRef::<Canvas>::new(), NodeRef::<Canvas>::new()];
    let nearest = [(); NEAREST].map(|()| NodeRef::<Canvas>::new());
    // The pen's last point while it is down, and whether an encode is already due this frame.
    let last = StoredValue::new(None::<[f64; 2]>);
    let due = StoredValue::new(false);
    let at = move |ev: &PointerEvent| {
        let c = pad.get_untracked()?;
        let scale = f64::from(PAD) / f64::from(c.client_width().max(1));
        Some((c, [f64::from(ev.offset_x()) * scale, f64::from(ev.offset_y()) * scale]))
    };
    // At most one encode per frame while drawing.
    let encode_soon = move || {
        if due.get_value() {
            return;
        }
        due.set_value(true);
        request_animation_frame(move || {
            // The pad may have been closed since (its values disposed): nothing to encode then.
            if due.try_update_value(|d| *d = false).is_none() {
                return;
            }
            if let Some(c) = pad.try_get_untracked().flatten()
                && let Some(image) = read_pad(&c)
            {
                state.probe(Some(image));
            }
        });
    };
    let stroke_to = move |c: &web_sys::HtmlCanvasElement, p: [f64; 2]| {
        let Some(ctx) = context2d(c) else { return };
        let from = last.get_value().unwrap_or(p);
        ctx.set_stroke_style_str("#111");
        ctx.set_line_width(PEN);
        ctx.set_line_cap("round");
        ctx.set_line_join("round");
        ctx.begin_path();
        ctx.move_to(from[0], from[1]);
        ctx.line_to(p[0] + 0.01, p[1]);
        ctx.stroke();
        last.set_value(Some(p));
        encode_soon();
    };
    let on_down = move |ev: PointerEvent| {
        let Some((c, p)) = at(&ev) else { return };
        ev.prevent_default();
        if let Err(e) = c.set_pointer_capture(ev.pointer_id()) {
            web_sys::console::warn_2(&"the pad could not capture the pointer:".into(), &e);
        }
        last.set_value(None);
        stroke_to(&c, p);
    };
    let on_move = move |ev: PointerEvent| {
        if last.get_value().is_none() {
            return;
        }
        if let Some((c, p)) = at(&ev) {
            stroke_to(&c, p);
        }
    };
    let on_up = move |_: PointerEvent| last.set_value(None);
    let clear = move |_| {
        if let Some(c) = pad.get_untracked()
            && let Some(ctx) = context2d(&c)
        {
            ctx.clear_rect(0.0, 0.0, f64::from(PAD), f64::from(PAD));
        }
        state.probe(None);
    };
    // Paint what came back.
    Effect::new(move |_| {
        state.explore.drawing.with(|d| {
            let blank = vec![0.0; 784];
            let d = d.as_ref();
            if let Some(c) = input.get() {
                paint_digit(&c, d.map_or(&blank, |d| &d.image));
            }
            for (i, r) in recons.iter().enumerate() {
                if let Some(c) = r.get() {
                    paint_digit(&c, d.and_then(|d| d.recons.get(i)).unwrap_or(&blank));
                }
            }
            for (i, n) in nearest.iter().enumerate() {
                if let Some(c) = n.get() {
                    paint_digit(&c, d.and_then(|d| d.nearest_images.get(i)).unwrap_or(&blank));
                }
            }
        });
    });
    let models = PerModel(state);
    let (shown, name) = (move |i| models.shown(i), move |i| models.name(i));
    let names = move || state.settings.dataset.get().class_names();
    let near_label = move |i: usize| {
        move || {
            state.explore.drawing.with(|d| {
                d.as_ref()
                    .and_then(|d| d.nearest.get(i))
                    .map(|&(_, l, dist)| format!("{} · {dist:.2}", names()[usize::from(l) % 10]))
                    .unwrap_or_default()
            })
        }
    };
    let width = models.width();
    view! {
        <section class="panel decode draw" aria-label="Draw a digit" style:width=width>
            <h2>"Draw a digit " <button data-testid="draw-clear" on:click=clear>"Clear"</button></h2>
            <canvas data-testid="draw-pad" class="pad" width=PAD height=PAD node_ref=pad
                aria-label="Drawing pad: draw a digit with a mouse, finger or pen"
                on:pointerdown=on_down on:pointermove=on_move on:pointerup=on_up on:pointercancel=on_up></canvas>
            <div class="pair">
                <figure><canvas data-testid="draw-input" class="digit small" width="28" height="28" node_ref=input></canvas>
                    <figcaption>"as the model sees it"</figcaption></figure>
                {(0..2).map(|i| view! {
                    <figure style:display=shown(i)>
                        <canvas data-testid=id("draw-recon", i) class="digit small" width="28" height="28" node_ref=recons[i]></canvas>
                        <figcaption>{name(i)} " output"</figcaption>
                    </figure>
                }).collect_view()}
            </div>
            <p class="hint">"The ★ on the map is where your digit lands. Nearest test images by code:"</p>
            <div class="nearest" data-testid="draw-nearest">
                {(0..NEAREST).map(|i| view! {
                    <figure><canvas class="digit tiny" width="28" height="28" node_ref=nearest[i]></canvas>
                        <figcaption>{near_label(i)}</figcaption></figure>
                }).collect_view()}
            </div>
        </section>
    }
}
