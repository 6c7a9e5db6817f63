//! Settings (in the drawer): network and latent size, layers, hyperparameters, β and its warm-up, seed.

use leptos::prelude::*;
use model::{Arch, Kind};

use crate::state::{AppState, BATCHES, PRESETS};

/// The network and training settings.
#[component]
pub fn ControlsPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let on_warmup = move |ev| match event_target_value(&ev).parse::<u64>() {
        Ok(v) => {
            state.settings.warmup.set(v);
            state.reconfigure();
        }
        Err(_) => {
            state.status.set("The KL warm-up is a whole number of steps ≥ 0; kept the previous one.".into())
        }
    };
    let on_arch = move |ev| {
        state.settings.arch.set(if event_target_value(&ev) == "conv" { Arch::Conv } else { Arch::Mlp });
        state.restart();
    };
    let on_latent = move |ev| match event_target_value(&ev).parse::<usize>() {
        Ok(v) if (2..=32).contains(&v) => {
            state.settings.latent.set(v);
            state.restart();
        }
        _ => {
            state.status.set("The latent size is a whole number from 2 to 32; kept the previous one.".into())
        }
    };
    let on_preset = move |ev| {
        state.settings.preset.set(event_target_value(&ev).parse().unwrap_or(0));
        state.settings.custom_hidden.set(None);
        state.restart();
    };
    let on_lr = move |ev| {
        if let Ok(v) = event_target_value(&ev).parse::<f64>() {
            state.settings.lr.set(v);
            state.reconfigure();
        }
    };
    let on_batch = move |ev| {
        state.settings.batch.set(event_target_value(&ev).parse().unwrap_or(64));
        state.restart();
    };
    let on_beta = move |ev| match event_target_value(&ev).parse::<f32>() {
        Ok(v) if v.is_finite() && v >= 0.0 => {
            state.settings.beta.set(v);
            state.reconfigure();
        }
        _ => state.status.set("β must be a number ≥ 0; kept the previous value.".into()),
    };
    let on_seed = move |ev| match event_target_value(&ev).parse::<u64>() {
        Ok(v) => {
            state.settings.seed.set(v);
            state.restart();
        }
        Err(_) => state.status.set("The seed must be a whole number ≥ 0; kept the previous one.".into()),
    };
    let on_stop_epochs = move |ev| match event_target_value(&ev).parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => state.autostop.epochs.set(v),
        _ => {
            state.status.set("Epochs to train is a number ≥ 0 (0: never stop); kept the previous one.".into())
        }
    };
    let is_vae = move || state.mode().kinds().contains(&Kind::Vae);
    view! {
        <section class="controls" aria-label="Network and training settings">
            <label title="Fully connected layers, or strided convolutions down and transposed convolutions up">"Network "
                <select data-testid="arch-select" on:change=on_arch
                    prop:value=move || if state.settings.arch.get() == Arch::Conv { "conv" } else { "mlp" }>
                    <option value="mlp">"MLP"</option>
                    <option value="conv">"Convolutional"</option>
                </select>
            </label>
            <label title="Size of the code. Above 2 the map shows the codes' first two principal components">"Latent "
                <input data-testid="latent-input" type="number" min="2" max="32" step="1" size="3"
                    prop:value=move || state.settings.latent.get().to_string() on:change=on_latent />
            </label>
            <label>"Layers "
                <select data-testid="preset-select" on:change=on_preset prop:value=move || state.settings.preset.get().to_string()>
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
                <select data-testid="batch-select" on:change=on_batch prop:value=move || state.settings.batch.get().to_string()>
                    {BATCHES.map(|b| view! { <option value=b.to_string()>{b.to_string()}</option> }).collect_view()}
                </select>
            </label>
            <label style:display=move || if is_vae() { "inline" } else { "none" }>"β "
                <input data-testid="beta-input" type="number" min="0" step="0.1" value="1" size="4" on:change=on_beta />
            </label>
            <label style:display=move || if is_vae() { "inline" } else { "none" }
                title="β rises linearly from 0 to its value over this many steps">"KL warm-up "
                <input data-testid="warmup-input" type="number" min="0" step="100" size="5"
                    prop:value=move || state.settings.warmup.get().to_string() on:change=on_warmup />
            </label>
            <label title="Pause by itself after this many epochs of a run (0: never)">"Stop after "
                <input data-testid="stop-epochs" type="number" min="0" step="1" size="3"
                    prop:value=move || state.autostop.epochs.get().to_string()
                    on:change=on_stop_epochs />" epochs"
            </label>
            <label title="Pause by itself once the loss improves by less than 0.5 % over half an epoch">
                <input data-testid="stop-plateau" type="checkbox" prop:checked=move || state.autostop.plateau.get()
                    on:change=move |ev| state.autostop.plateau.set(event_target_checked(&ev)) />" stop when the loss levels off"
            </label>
            <label>"Seed "
                <input data-testid="seed-input" type="number" min="0" step="1" size="6"
                    prop:value=move || state.settings.seed.get().to_string() on:change=on_seed />
            </label>
        </section>
    }
}
