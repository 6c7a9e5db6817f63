//! The toolbar: what a demo uses all the time — train / pause, one step, from scratch, the model and
//! the dataset, the decoded manifold — and the drawer with every other setting.

use leptos::prelude::*;
use model::DatasetName;

use crate::state::{AppState, MapMode};

/// The toolbar over the maps.
#[component]
pub fn Toolbar(
    /// The list of keys is open.
    help: RwSignal<bool>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let on_dataset = move |ev| {
        if let Some(d) = DatasetName::from_id(&event_target_value(&ev)) {
            state.settings.dataset.set(d);
            state.restart();
        }
    };
    let on_model = move |ev| {
        if let Some(mode) = MapMode::from_id(&event_target_value(&ev)) {
            state.settings.mode.set(mode);
            state.restart();
        }
    };
    let on_manifold = move |ev| {
        state.explore.manifold_on.set(event_target_checked(&ev));
        state.request_manifold();
    };
    let ready = move || !state.training.backend.get().is_empty();
    view! {
        <nav class="toolbar" aria-label="Training and model">
            <button data-testid="train-toggle" class="primary" disabled=move || !ready()
                on:click=move |_| state.set_running(!state.training.running.get_untracked())>
                {move || if state.training.running.get() { "Pause" } else { "Train" }}
            </button>
            <button data-testid="step-button" disabled=move || !ready() || state.training.running.get()
                on:click=move |_| state.single_step()>"Step"</button>
            <button data-testid="reset-button" disabled=move || !ready() on:click=move |_| state.restart()
                title="New models from the current settings: pretrained when shipped, else from scratch">"Reset"</button>
            <label>"Model "
                <select data-testid="model-select" on:change=on_model prop:value=move || state.mode().id()>
                    {MapMode::ALL.map(|m| view! { <option value=m.id()>{m.label()}</option> }).collect_view()}
                </select>
            </label>
            <label>"Data "
                <select data-testid="dataset-select" on:change=on_dataset
                    prop:value=move || state.settings.dataset.get().id().to_string()>
                    <option value="mnist">"MNIST digits"</option>
                    <option value="fashion-mnist">"Fashion-MNIST"</option>
                </select>
            </label>
            <label title="Paint each map's background with decodes of a 20×20 grid over the visible region">
                <input data-testid="manifold-toggle" type="checkbox" prop:checked=move || state.explore.manifold_on.get()
                    on:change=on_manifold />" manifold"
            </label>
            <button data-testid="draw-toggle" aria-pressed=move || state.explore.draw_open.get().to_string()
                title="Draw your own digit and see where it lands on the map (w)"
                on:click=move |_| state.toggle_draw()>"Draw"</button>
            <button data-testid="lectures-button" aria-pressed=move || state.lectures.open.get().to_string()
                title="Lectures beside the map: neighbours, traversal, posterior, completion, super-resolution, compression, a linear probe (l)"
                on:click=move |_| state.set_lectures_open(!state.lectures.open.get_untracked())>"Lectures"</button>
            <button data-testid="tour-button" title="A guided tour of the lecture, one idea per step (PageDown / PageUp)"
                on:click=move |_| crate::components::tour::turn(state, 0)>"Tour"</button>
            <button data-testid="present-button" aria-pressed=move || state.screen.present.get().to_string()
                title="Presenter mode: large type and points, only the essentials, full screen (p)"
                on:click=move |_| state.screen.set_present(!state.screen.present.get_untracked())>"Present"</button>
            <button class="keys" data-testid="keys-button" title="Keyboard shortcuts (?)"
                aria-label="Keyboard shortcuts" on:click=move |_| help.update(|h| *h = !*h)>"?"</button>
        </nav>
    }
}
