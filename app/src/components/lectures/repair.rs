//! Completion and super-resolution: part of the image hidden (a half, or a mask painted on it) or
//! its resolution lowered to 14×14 or 7×7, and every model's output from that input, with the
//! errors of both measured. "Train for it" makes that degradation the training's input noise, and
//! the page then says how much the model trained for it beats the plain (shipped) one.

use std::sync::Arc;

use leptos::html::Canvas;
use leptos::prelude::*;
use model::Noise;
use model::data::degrade::Half;
use web_sys::PointerEvent;

use super::answer;
use crate::components::paint_digit;
use crate::protocol::view::{LectureResult, Repair as Output};
use crate::state::{AppState, Item};

/// Errors of the current answer: (input, set input, images, outputs).
fn errors(state: AppState) -> Option<(f32, f32, usize, Vec<Output>)> {
    answer(state, |r, _| match r {
        LectureResult::Degraded { input, set_input, images, models } => {
            Some((*input, *set_input, *images, models.clone()))
        }
        _ => None,
    })
}

/// Which pixels are hidden: the painted mask, else the half (784 values, true = hidden).
fn hidden(painted: Option<&Vec<u8>>, half: Half) -> Vec<bool> {
    match painted {
        Some(m) if m.len() == 784 => m.iter().map(|&h| h > 0).collect(),
        _ => (0..784).map(|p| half.hides(p)).collect(),
    }
}

/// Shades the hidden pixels of a 28×28 canvas, so the hidden part shows against the white page.
fn tint_hidden(canvas: &web_sys::HtmlCanvasElement, hidden: &[bool]) {
    let Some(ctx) = crate::components::context2d(canvas) else { return };
    ctx.set_fill_style_str("rgba(213,94,0,0.22)");
    for (p, _) in hidden.iter().enumerate().filter(|(_, h)| **h) {
        ctx.fill_rect((p % 28) as f64, (p / 28) as f64, 1.0, 1.0);
    }
}

/// The item (`item`: completion or super-resolution).
#[component]
pub fn Repair(item: Item) -> impl IntoView {
    let state = expect_context::<AppState>();
    let l = state.lectures;
    let complete = item == Item::Complete;
    let (original, input) = (NodeRef::<Canvas>::new(), NodeRef::<Canvas>::new());
    let outputs = [NodeRef::<Canvas>::new(), NodeRef::<Canvas>::new()];
    Effect::new(move |_| {
        answer(state, |r, images| {
            let LectureResult::Degraded { models, .. } = r else { return None };
            paint_digit(&original.get()?, images.get(..784)?);
            let shown = input.get()?;
            paint_digit(&shown, images.get(784..2 * 784)?);
            if complete {
                tint_hidden(&shown, &hidden(l.painted.get_untracked().as_deref(), l.half.get_untracked()));
            }
            for (k, slot) in outputs.iter().enumerate().take(models.len()) {
                if let Some(c) = slot.get() {
                    paint_digit(&c, images.get((2 + k) * 784..(3 + k) * 784)?);
                }
            }
            Some(())
        });
    });
    // A painted mask: pixels under the pointer are hidden (sent when the stroke ends).
    let painting = StoredValue::new(None::<Vec<u8>>);
    let paint = move |ev: &PointerEvent| {
        let (Some(c), Some(mut mask)) = (input.get_untracked(), painting.get_value()) else { return };
        let scale = 28.0 / f64::from(c.client_width().max(1));
        let (x, y) = ((f64::from(ev.offset_x()) * scale) as i32, (f64::from(ev.offset_y()) * scale) as i32);
        for (dx, dy) in [(0, 0), (1, 0), (0, 1), (-1, 0), (0, -1), (1, 1), (-1, -1), (1, -1), (-1, 1)] {
            let (px, py) = (x + dx, y + dy);
            if (0..28).contains(&px) && (0..28).contains(&py) {
                mask[(py * 28 + px) as usize] = 1;
            }
        }
        if let Some(ctx) = crate::components::context2d(&c) {
            ctx.set_fill_style_str("rgba(200,0,0,0.5)");
            ctx.fill_rect(f64::from(x - 1), f64::from(y - 1), 3.0, 3.0);
        }
        painting.set_value(Some(mask));
    };
    let on_down = move |ev: PointerEvent| {
        if !complete || l.painted.with_untracked(Option::is_none) {
            return;
        }
        ev.prevent_default();
        painting.set_value(Some(l.painted.with_untracked(|p| p.as_deref().cloned().unwrap_or_default())));
        paint(&ev);
    };
    let on_move = move |ev: PointerEvent| {
        if ev.buttons() > 0 {
            paint(&ev);
        }
    };
    let on_up = move |_: PointerEvent| {
        if let Some(mask) = painting.get_value() {
            painting.set_value(None);
            l.painted.set(Some(Arc::new(mask)));
        }
    };
    let on_choice = move |ev| {
        let v = event_target_value(&ev);
        if complete {
            match Half::from_id(&v) {
                Some(h) => {
                    l.painted.set(None);
                    l.half.set(h);
                }
                None => l.painted.set(Some(Arc::new(vec![0; 784]))),
            }
        } else {
            l.factor.set(if v == "2" { 2 } else { 4 });
        }
    };
    let choice = move || {
        if complete {
            if l.painted.with(Option::is_some) { "paint".to_string() } else { l.half.get().id().to_string() }
        } else {
            l.factor.get().to_string()
        }
    };
    let train = move |_| {
        let noise = if complete {
            Noise::Hide { half: Half::Any }
        } else {
            Noise::LowRes { factor: l.factor.get_untracked() }
        };
        state.settings.noise.set(noise);
        state.reconfigure();
        state.set_running(true);
        state.say(if complete {
            "Training with a random half of each image hidden (input noise): the model learns to complete digits."
        } else {
            "Training on low-resolution inputs against the full images: the model learns super-resolution."
        });
    };
    let id = item.id();
    let what = if complete { "hidden half" } else { "low-resolution input" };
    let names = move || state.mode().names();
    let this_image = move || {
        let (input, _, _, models) = errors(state)?;
        let outs: Vec<String> = models
            .iter()
            .map(|o| format!("{} output {:.4}", names().get(o.model).copied().unwrap_or(""), o.output))
            .collect();
        Some(format!("On this image (MSE per pixel): input {input:.4} · {}", outs.join(" · ")))
    };
    let over_set = move || {
        let (_, set_input, n, models) = errors(state)?;
        let outs: Vec<String> = models
            .iter()
            .map(|o| {
                let name = names().get(o.model).copied().unwrap_or("");
                match o.set_plain {
                    Some(p) => format!(
                        "{name} {:.4}, the plain model {p:.4}: {:.0} % lower",
                        o.set_output,
                        100.0 * (1.0 - o.set_output / p.max(1e-9))
                    ),
                    None => format!("{name} {:.4}", o.set_output),
                }
            })
            .collect();
        Some(format!("Over the first {n} test images: input {set_input:.4} · {}", outs.join(" · ")))
    };
    let explain = if complete {
        "Hide part of the image: the decoder fills it in from what the code still knows."
    } else {
        "Lower the resolution: a model trained for it restores detail it has learned images have; a plain one redraws what its code remembers."
    };
    let shown = move |k: usize| move || if names().len() > k { "block" } else { "none" };
    view! {
        <div data-testid=id class="lecture">
            <p class="explain">{explain}</p>
            <label>{if complete { "Hide " } else { "Resolution " }}
                <select data-testid=format!("{id}-choice") prop:value=choice on:change=on_choice>
                    {if complete {
                        view! {
                            <option value="top">"top half"</option><option value="bottom">"bottom half"</option>
                            <option value="left">"left half"</option><option value="right">"right half"</option>
                            <option value="paint">"a mask I paint"</option>
                        }.into_any()
                    } else {
                        view! { <option value="2">"14×14"</option><option value="4">"7×7"</option> }.into_any()
                    }}
                </select>
            </label>
            <button data-testid=format!("{id}-train") on:click=train
                title="Make this degradation the training's input noise (against the full image) and train">"Train for it"</button>
            <div class="pair">
                <figure><canvas data-testid=format!("{id}-original") class="digit small" width="28" height="28" node_ref=original></canvas>
                    <figcaption>"original"</figcaption></figure>
                <figure><canvas data-testid=format!("{id}-input") class="digit small paintable" width="28" height="28" node_ref=input
                    on:pointerdown=on_down on:pointermove=on_move on:pointerup=on_up on:pointercancel=on_up></canvas>
                    <figcaption>{what}</figcaption></figure>
                {(0..2).map(|k| view! {
                    <figure style:display=shown(k)>
                        <canvas data-testid=format!("{id}-output-{k}") class="digit small" width="28" height="28" node_ref=outputs[k]></canvas>
                        <figcaption>{move || names().get(k).copied().unwrap_or("")} " output"</figcaption>
                    </figure>
                }).collect_view()}
            </div>
            <p data-testid=format!("{id}-errors")>{this_image}</p>
            <p class="hint" data-testid=format!("{id}-set")>{over_set}</p>
        </div>
    }
}
