//! A linear probe: logistic regression fitted on the codes of 10,000 training images (in the view
//! worker) and its test accuracy, beside the same probe on as many PCA components of the pixels and
//! the map's k-NN figure — the encoder as a feature extractor.

use leptos::prelude::*;

use super::answer;
use crate::protocol::view::{LectureResult, ProbeFigure};
use crate::state::AppState;

/// The item.
#[component]
pub fn ProbePanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let probes = move || -> Option<(Vec<ProbeFigure>, f64)> {
        answer(state, |r, _| match r {
            LectureResult::Probe { probes, ms } => Some((probes.clone(), *ms)),
            _ => None,
        })
    };
    let names = move || state.mode().names();
    let rows = move || {
        let (probes, ms) = probes()?;
        let rows = probes
            .into_iter()
            .map(|p| {
                let who = match p.model {
                    Some(m) => format!("{} code ({} numbers)", names().get(m).copied().unwrap_or(""), p.dim),
                    None => format!("PCA of the pixels ({} components)", p.dim),
                };
                let knn =
                    p.model.and_then(|m| state.maps.get(m)).map(|m| m.info.get().knn).filter(|k| *k > 0.0);
                let knn = knn.map(|k| format!("; 5-NN on its map {k:.3}")).unwrap_or_default();
                view! {
                    <tr><td>{who}</td><td><b>{format!("{:.3}", p.accuracy)}</b>{knn}</td></tr>
                }
            })
            .collect_view();
        Some(view! {
            <table class="probe"><tbody>{rows}</tbody></table>
            <p class="hint">{format!("Fitted on 10,000 training images' features (the PCA itself on the first 3,000), tested on the whole test set, in {:.1} s.", ms / 1000.0)}</p>
        })
    };
    view! {
        <div class="lecture" data-testid="probe">
            <p class="explain">"A linear classifier on the code: how much of the class the encoder makes linearly readable, against the same classifier on PCA of the pixels."</p>
            <div data-testid="probe-accuracy">{rows}</div>
        </div>
    }
}
