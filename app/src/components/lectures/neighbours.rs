//! "Who is most similar?": the image's nearest test images by distance between codes (Euclidean or
//! cosine), beside its nearest by pixel distance — the class shows up as a property of the code.

use leptos::html::Canvas;
use leptos::prelude::*;
use model::latent::Metric;

use super::show_grid;
use super::{answer, class_name};
use crate::components::paint_digit;
use crate::protocol::view::LectureResult;
use crate::state::AppState;

type Found = (Vec<(usize, u8, f32)>, Vec<(usize, u8, f32)>);

/// A distance in three significant digits (cosine distances of 2-D codes are tiny).
fn distance(d: f32) -> String {
    if d != 0.0 && d.abs() < 0.01 { format!("{d:.2e}") } else { format!("{d:.3}") }
}

/// The item.
#[component]
pub fn Neighbours() -> impl IntoView {
    let state = expect_context::<AppState>();
    let (query, by_code, by_pixels) =
        (NodeRef::<Canvas>::new(), NodeRef::<Canvas>::new(), NodeRef::<Canvas>::new());
    let found = move || {
        answer(state, |r, _| match r {
            LectureResult::Neighbours { by_code, by_pixels, .. } => {
                Some((by_code.clone(), by_pixels.clone()))
            }
            _ => None,
        })
    };
    Effect::new(move |_| {
        let (Some(q), Some(c), Some(p)) = (query.get(), by_code.get(), by_pixels.get()) else { return };
        answer(state, |r, images| {
            let LectureResult::Neighbours { by_code: bc, .. } = r else { return None };
            let k = bc.len() * 784;
            paint_digit(&q, images.get(..784)?);
            show_grid(&c, images.get(784..784 + k)?, 4);
            show_grid(&p, images.get(784 + k..)?, 4);
            Some(())
        });
    });
    let list = move |which: fn(Found) -> Vec<(usize, u8, f32)>, id: &'static str| {
        view! {
            <ol class="nlist" data-testid=id>
                {move || found().map(which).unwrap_or_default().into_iter().map(|(i, l, d)| view! {
                    <li title=format!("test image #{i}")>{class_name(state, l)} <small>{format!(" {}", distance(d))}</small></li>
                }).collect_view()}
            </ol>
        }
    };
    let metric = state.lectures.metric;
    let on_metric = move |ev| {
        metric.set(if event_target_value(&ev) == "cosine" { Metric::Cosine } else { Metric::Euclidean })
    };
    let model = move || state.mode().names().first().copied().unwrap_or("");
    view! {
        <div data-testid="neighbours" class="lecture">
            <p class="explain">"Nearest test images by code and by pixels: a good code puts the same class close together even where the pixels differ."</p>
            <label>"Code distance "
                <select data-testid="neighbours-metric" on:change=on_metric
                    prop:value=move || if metric.get() == Metric::Cosine { "cosine" } else { "euclidean" }>
                    <option value="euclidean">"Euclidean"</option>
                    <option value="cosine">"cosine (angle)"</option>
                </select>
            </label>
            <div class="pair">
                <figure><canvas data-testid="neighbours-query" class="digit small" width="28" height="28" node_ref=query></canvas>
                    <figcaption>"the image"</figcaption></figure>
            </div>
            <div class="columns">
                <figure><figcaption>"by " {model} " code"</figcaption>
                    <canvas class="tiles" data-testid="neighbours-code" node_ref=by_code></canvas>
                    {list(|f| f.0, "neighbours-code-labels")}</figure>
                <figure><figcaption>"by pixels"</figcaption>
                    <canvas class="tiles" data-testid="neighbours-pixels" node_ref=by_pixels></canvas>
                    {list(|f| f.1, "neighbours-pixel-labels")}</figure>
            </div>
        </div>
    }
}
