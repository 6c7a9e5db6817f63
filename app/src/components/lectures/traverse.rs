//! Latent traversal: from the image's code, one code unit at a time sweeps its range while the
//! others stay fixed — what one bottleneck unit "reacts to". A unit the model does not use changes
//! nothing.

use leptos::html::Canvas;
use leptos::prelude::*;

use super::answer;
use super::show_grid;
use crate::protocol::view::{LectureResult, UnitSweep};
use crate::state::AppState;

/// The item.
#[component]
pub fn Traverse() -> impl IntoView {
    let state = expect_context::<AppState>();
    let strips = NodeRef::<Canvas>::new();
    let units = move || {
        answer(state, |r, _| match r {
            LectureResult::Traverse { units, .. } => Some(units.clone()),
            _ => None,
        })
        .unwrap_or_default()
    };
    Effect::new(move |_| {
        let Some(c) = strips.get() else { return };
        answer(state, |r, images| {
            let LectureResult::Traverse { steps, .. } = r else { return None };
            show_grid(&c, images.get(784..)?, *steps);
            Some(())
        });
    });
    let unit = state.lectures.unit;
    let dim = move || state.settings.latent.get();
    let on_unit = move |ev| unit.set(event_target_value(&ev).parse::<usize>().ok());
    // A unit whose sweep changes the decode less than a tenth as much as the most telling unit's does
    // is one the decoder does not use.
    let row = move |(u, most): (UnitSweep, f32)| {
        let used = if u.change < 0.1 * most { " — changes almost nothing (unused)" } else { "" };
        view! {
            <li>{format!("unit {}: {:.2} → {:.2}, variance over the test codes {:.3}, change {:.3}{used}", u.unit + 1, u.lo, u.hi, u.variance, u.change)}</li>
        }
    };
    view! {
        <div data-testid="traverse" class="lecture">
            <p class="explain">"One code unit sweeps its range, the others stay fixed: each row shows what that unit controls."</p>
            <label>"Unit "
                <select data-testid="traverse-unit" on:change=on_unit
                    prop:value=move || unit.get().map_or("all".to_string(), |u| u.to_string())>
                    <option value="all">"every unit"</option>
                    {move || (0..dim()).map(|u| view! { <option value=u.to_string()>{format!("unit {}", u + 1)}</option> }).collect_view()}
                </select>
            </label>
            <canvas class="tiles" data-testid="traverse-strips" node_ref=strips></canvas>
            <ol class="units" data-testid="traverse-units">{move || {
                let units = units();
                let most = units.iter().map(|u| u.change).fold(0.0, f32::max);
                units.into_iter().map(|u| row((u, most))).collect_view()
            }}</ol>
        </div>
    }
}
