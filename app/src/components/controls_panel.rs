//! Controls: dataset, model, network and latent size, hyperparameters, train / pause, single step, reset.

use leptos::prelude::*;
use model::{Arch, DatasetName, Kind};

use crate::state::{AppState, PRESETS};

/// The control bar.
#[component]
pub fn ControlsPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let on_dataset = move |ev| {
        if let Some(d) = DatasetName::from_id(&event_target_value(&ev)) {
            state.dataset.set(d);
            state.restart();
        }
    };
    let on_model = move |ev| {
        let v = event_target_value(&ev);
        state.compare.set(v == "compare");
        state.pca_mode.set(v == "pca");
        state.kind.set(if v == "vae" { Kind::Vae } else { Kind::Ae });
        state.restart();
    };
    let on_warmup = move |ev| match event_target_value(&ev).parse::<u64>() {
        Ok(v) => {
            state.warmup.set(v);
            state.reconfigure();
        }
        Err(_) => {
            state.status.set("The KL warm-up is a whole number of steps ≥ 0; kept the previous one.".into())
        }
    };
    let on_manifold = move |ev| {
        state.manifold_on.set(event_target_checked(&ev));
        state.request_manifold();
    };
    let ready = move || !state.backend.get().is_empty();
    let on_arch = move |ev| {
        state.arch.set(if event_target_value(&ev) == "conv" { Arch::Conv } else { Arch::Mlp });
        state.restart();
    };
    let on_latent = move |ev| match event_target_value(&ev).parse::<usize>() {
        Ok(v) if (2..=32).contains(&v) => {
            state.latent.set(v);
            state.restart();
        }
        _ => {
            state.status.set("The latent size is a whole number from 2 to 32; kept the previous one.".into())
        }
    };
    let on_preset = move |ev| {
        state.preset.set(event_target_value(&ev).parse().unwrap_or(0));
        state.custom_hidden.set(None);
        state.restart();
    };
    let on_lr = move |ev| {
        if let Ok(v) = event_target_value(&ev).parse::<f64>() {
            state.lr.set(v);
            state.reconfigure();
        }
    };
    let on_batch = move |ev| {
        state.batch.set(event_target_value(&ev).parse().unwrap_or(128));
        state.restart();
    };
    let on_beta = move |ev| match event_target_value(&ev).parse::<f32>() {
        Ok(v) if v.is_finite() && v >= 0.0 => {
            state.beta.set(v);
            state.reconfigure();
        }
        _ => state.status.set("β must be a number ≥ 0; kept the previous value.".into()),
    };
    let on_seed = move |ev| match event_target_value(&ev).parse::<u64>() {
        Ok(v) => {
            state.seed.set(v);
            state.restart();
        }
        Err(_) => state.status.set("The seed must be a whole number ≥ 0; kept the previous one.".into()),
    };
    let is_vae = move || state.kinds().contains(&Kind::Vae);
    let model_value = move || {
        if state.compare.get() {
            "compare"
        } else if state.pca_mode.get() {
            "pca"
        } else if state.kind.get() == Kind::Vae {
            "vae"
        } else {
            "ae"
        }
    };
    view! {
        <section class="controls" aria-label="Controls">
            <label>"Dataset "
                <select data-testid="dataset-select" on:change=on_dataset
                    prop:value=move || state.dataset.get().id().to_string()>
                    <option value="mnist">"MNIST digits"</option>
                    <option value="fashion-mnist">"Fashion-MNIST"</option>
                </select>
            </label>
            <label>"Model "
                <select data-testid="model-select" on:change=on_model prop:value=model_value>
                    <option value="ae">"Autoencoder (AE)"</option>
                    <option value="vae">"Variational AE (VAE)"</option>
                    <option value="compare">"AE and VAE side by side"</option>
                    <option value="pca">"AE beside PCA of the pixels"</option>
                </select>
            </label>
            <label title="Fully connected layers, or strided convolutions down and transposed convolutions up">"Network "
                <select data-testid="arch-select" on:change=on_arch
                    prop:value=move || if state.arch.get() == Arch::Conv { "conv" } else { "mlp" }>
                    <option value="mlp">"MLP"</option>
                    <option value="conv">"Convolutional"</option>
                </select>
            </label>
            <label title="Size of the code. Above 2 the map shows the codes' first two principal components">"Latent "
                <input data-testid="latent-input" type="number" min="2" max="32" step="1" size="3"
                    prop:value=move || state.latent.get().to_string() on:change=on_latent />
            </label>
            <label>"Layers "
                <select data-testid="preset-select" on:change=on_preset prop:value=move || state.preset.get().to_string()>
                    {PRESETS.iter().enumerate().map(|(i, (name, _))| view! { <option value=i.to_string()>{*name}</option> }).collect_view()}
                </select>
            </label>
            <label>"Learning rate "
                <select data-testid="lr-select" on:change=on_lr>
                    <option value="0.0003">"0.0003"</option>
                    <option value="0.001" selected>"0.001"</option>
                    <option value="0.003">"0.003"</option>
                    <option value="0.01">"0.01"</option>
                </select>
            </label>
            <label>"Batch "
                <select data-testid="batch-select" on:change=on_batch>
                    <option value="32">"32"</option>
                    <option value="64">"64"</option>
                    <option value="128" selected>"128"</option>
                    <option value="256">"256"</option>
                </select>
            </label>
            <label style:display=move || if is_vae() { "inline" } else { "none" }>"β "
                <input data-testid="beta-input" type="number" min="0" step="0.1" value="1" size="4" on:change=on_beta />
            </label>
            <label style:display=move || if is_vae() { "inline" } else { "none" }
                title="β rises linearly from 0 to its value over this many steps">"KL warm-up "
                <input data-testid="warmup-input" type="number" min="0" step="100" size="5"
                    prop:value=move || state.warmup.get().to_string() on:change=on_warmup />
            </label>
            <label title="Paint each map's background with decodes of a 20×20 grid over the visible region">
                <input data-testid="manifold-toggle" type="checkbox" prop:checked=move || state.manifold_on.get()
                    on:change=on_manifold />" decoded manifold"
            </label>
            <label>"Seed "
                <input data-testid="seed-input" type="number" min="0" step="1" size="6"
                    prop:value=move || state.seed.get().to_string() on:change=on_seed />
            </label>
            <button data-testid="train-toggle" class="primary" disabled=move || !ready()
                on:click=move |_| state.set_running(!state.running.get_untracked())>
                {move || if state.running.get() { "Pause" } else { "Train" }}
            </button>
            <button data-testid="step-button" disabled=move || !ready() || state.running.get()
                on:click=move |_| state.single_step()>"Step"</button>
            <button data-testid="reset-button" disabled=move || !ready() on:click=move |_| state.restart()>"Reset"</button>
        </section>
    }
}
