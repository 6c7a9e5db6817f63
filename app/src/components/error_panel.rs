//! The error panel: a worker's panic, in plain words, with a way back to the last autosave. (A panic on
//! the page itself is shown by the page's panic hook, without Leptos: see `main.rs`.)

use leptos::prelude::*;

use crate::state::AppState;

/// Shown while `work.crash` holds a message.
#[component]
pub fn ErrorPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let crash = state.work.crash;
    view! {
        <section class="crash" role="alert" data-testid="error-panel" aria-label="Error"
            style:display=move || if crash.with(Option::is_some) { "block" } else { "none" }>
            <h2>"Something went wrong"</h2>
            <p data-testid="error-message">{move || crash.get().unwrap_or_default()}</p>
            <p>"A new worker took over from the last snapshot; the map and training carry on. If anything looks wrong, go back to the last autosave."</p>
            <button data-testid="error-restore" on:click=move |_| { crash.set(None); state.resume(); }>"Restore the last autosave"</button>
            " "
            <button data-testid="error-dismiss" on:click=move |_| crash.set(None)>"Dismiss"</button>
        </section>
    }
}
