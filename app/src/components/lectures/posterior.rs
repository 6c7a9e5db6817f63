//! The VAE's posterior: for the image, the encoder's Gaussian N(μ, σ²) — drawn on the map as μ and
//! its 1σ and 2σ ellipses — and decoded draws z = μ + σ·ε beside the image: the reparameterisation
//! made visible. An AE has one code, one point and one output.

use leptos::html::Canvas;
use leptos::prelude::*;

use super::answer;
use super::show_grid;
use crate::components::paint_digit;
use crate::protocol::view::{LectureResult, ModelPosterior};
use crate::state::AppState;

/// The posteriors of the current answer.
fn posteriors(state: AppState) -> Vec<ModelPosterior> {
    answer(state, |r, _| match r {
        LectureResult::Posterior { models } => Some(models.clone()),
        _ => None,
    })
    .unwrap_or_default()
}

/// The item.
#[component]
pub fn Posterior() -> impl IntoView {
    let state = expect_context::<AppState>();
    let query = NodeRef::<Canvas>::new();
    let draws = [NodeRef::<Canvas>::new(), NodeRef::<Canvas>::new()];
    Effect::new(move |_| {
        answer(state, |r, images| {
            let LectureResult::Posterior { models } = r else { return None };
            paint_digit(&query.get()?, images.get(..784)?);
            let mut at = 784;
            for (slot, p) in draws.iter().zip(models) {
                let n = (p.draws.len() / 2).max(1) * 784;
                if let Some(c) = slot.get() {
                    show_grid(&c, images.get(at..at + n)?, 4);
                }
                at += n;
            }
            Some(())
        });
    });
    let names = move || state.mode().names();
    let figure = move |i: usize| {
        move || {
            let p = posteriors(state).into_iter().nth(i)?;
            let name = names().get(p.model).copied().unwrap_or("");
            let text = if p.sigma.is_empty() {
                format!("{name}: one code at ({:.2}, {:.2}), one output", p.mean[0], p.mean[1])
            } else {
                let sigma: Vec<String> = p.sigma.iter().take(4).map(|s| format!("{s:.2}")).collect();
                let more = if p.sigma.len() > 4 { ", …" } else { "" };
                format!(
                    "{name}: μ on the map ({:.2}, {:.2}), σ per unit ({}{more}); {} draws z = μ + σ·ε",
                    p.mean[0],
                    p.mean[1],
                    sigma.join(", "),
                    p.draws.len() / 2
                )
            };
            Some(text)
        }
    };
    let shown = move |i: usize| move || if posteriors(state).len() > i { "block" } else { "none" };
    view! {
        <div data-testid="posterior" class="lecture">
            <p class="explain">"A VAE encodes an image to a Gaussian, not a point: the ellipses on the map are its 1σ and 2σ, and every draw from it decodes to a plausible version of the image."</p>
            <div class="pair">
                <figure><canvas data-testid="posterior-query" class="digit small" width="28" height="28" node_ref=query></canvas>
                    <figcaption>"the image"</figcaption></figure>
                {(0..2).map(|i| view! {
                    <figure style:display=shown(i) class="draws">
                        <canvas class="tiles" data-testid=format!("posterior-draws-{i}") node_ref=draws[i]></canvas>
                    </figure>
                }).collect_view()}
            </div>
            {(0..2).map(|i| view! {
                <p style:display=shown(i) data-testid=format!("posterior-figures-{i}")>{figure(i)}</p>
            }).collect_view()}
        </div>
    }
}
