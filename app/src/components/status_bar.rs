//! The status line: backend and why, steps, loss, throughput, and errors and notices.

use leptos::prelude::*;

use crate::state::AppState;

/// Figures of the run and the latest message.
#[component]
pub fn StatusBar() -> impl IntoView {
    let state = expect_context::<AppState>();
    let loss = move || state.training.loss.get().map_or("–".to_string(), |l| format!("{l:.5}"));
    let frac = move || state.training.epoch.get().fract();
    let eta = move || {
        let (sps, per_epoch) = (state.training.samples_per_s.get(), state.training.batches_per_epoch.get());
        let left = (1.0 - frac()) * per_epoch as f64 * state.settings.batch.get() as f64;
        if sps > 0.0 && state.training.running.get() { format!("{:.0} s", left / sps) } else { "–".into() }
    };
    let digest = move |i: usize| {
        move || {
            state
                .training
                .stats
                .with(|s| s.get(i).map_or("–".into(), |s| format!("{:08x}", s.batch_digest)))
        }
    };
    view! {
        <section class="status" aria-label="Status">
            <span>"Backend " <b data-testid="backend-label" title=move || state.training.backend_reason.get()>{move || state.training.backend.get()}</b></span>
            <span class="essential">"Step " <b data-testid="step-count">{move || state.training.step.get()}</b></span>
            <span class="essential" style:display=move || if state.training.loss.with(Option::is_some) { "inline" } else { "none" }>
                "Loss " <b data-testid="loss-value">{loss}</b></span>
            <span>"Epoch " <b data-testid="epoch-value">{move || format!("{:.2}", state.training.epoch.get())}</b></span>
            <span>"Samples/s " <b data-testid="samples-per-s">{move || format!("{:.0}", state.training.samples_per_s.get())}</b></span>
            <span class="wide">"Epoch progress " <progress data-testid="epoch-progress" max="1" prop:value=frac></progress></span>
            <span class="wide">"ETA for the epoch " <b data-testid="epoch-eta">{eta}</b></span>
            <span style:display=move || if state.mode().compare() && state.training.loss.with(Option::is_some) { "inline" } else { "none" }
                title="A hash of every batch each model has trained on: equal hashes mean identical batches in identical order">
                "Batches AE / VAE " <b data-testid="batch-digest-0">{digest(0)}</b> " / " <b data-testid="batch-digest-1">{digest(1)}</b>
            </span>
            <p data-testid="status" role="status">{move || state.status.get()}</p>
            <button data-testid="retry-webgpu" style:display=move || if state.training.gpu_lost.get() { "inline-block" } else { "none" }
                title="WebGPU failed and the CPU took over; carry on on WebGPU from here" on:click=move |_| state.retry_webgpu()>
                "Try WebGPU again"</button>
        </section>
    }
}
