//! The loss chart: per model, the per-pixel reconstruction loss (left labels) and, for a VAE, the KL
//! term (right labels) over steps, each on its own scale, with an optional log scale.

use leptos::html::Canvas;
use leptos::prelude::*;

use super::{context2d, dpr, drawn};
use crate::plot::ticks;
use crate::state::AppState;

const W: f64 = 440.0;
const H: f64 = 180.0;

/// Colours of the reconstruction and KL series of model 0 and model 1.
/// Okabe–Ito hues, darkened where needed for text contrast ≥ 4.5:1 on white (they label the curves too).
const COLOURS: [[&str; 2]; 2] = [["#0072b2", "#b34700"], ["#007a5a", "#a8437f"]];

/// Draws one series scaled into the plot box, its max and min labelled on the left (`right` false) or
/// right, `row` label lines down.
#[allow(clippy::too_many_arguments)]
fn series(
    ctx: &web_sys::CanvasRenderingContext2d,
    pts: &[(f32, f32)],
    x_max: f32,
    log: bool,
    colour: &str,
    r: f64,
    right: bool,
    row: f64,
) {
    let ys: Vec<f32> = pts.iter().map(|p| if log { p.1.max(1e-6).log10() } else { p.1 }).collect();
    let (lo, hi) = ys.iter().fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), &y| (a.min(y), b.max(y)));
    if !(lo.is_finite() && hi.is_finite()) {
        return;
    }
    let span = (hi - lo).max(1e-6);
    ctx.set_stroke_style_str(colour);
    ctx.set_line_width(1.5 * r);
    ctx.begin_path();
    for (i, (p, y)) in pts.iter().zip(&ys).enumerate() {
        let x = 40.0 * r + f64::from(p.0 / x_max.max(1.0)) * (W - 80.0) * r;
        let y = (H - 20.0) * r - f64::from((y - lo) / span) * (H - 30.0) * r;
        if i == 0 { ctx.move_to(x, y) } else { ctx.line_to(x, y) }
    }
    ctx.stroke();
    ctx.set_fill_style_str(colour);
    let fmt = |v: f32| if log { format!("{:.3}", 10f32.powf(v)) } else { format!("{v:.3}") };
    let x = if right { (W - 38.0) * r } else { 2.0 };
    drawn(ctx.fill_text(&fmt(hi), x, (14.0 + 12.0 * row) * r));
    drawn(ctx.fill_text(&fmt(lo), x, (H - 20.0 - 12.0 * row) * r));
}

/// The loss chart panel.
#[component]
pub fn LossPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let canvas = NodeRef::<Canvas>::new();
    let log = RwSignal::new(true);
    Effect::new(move |_| {
        let Some(c) = canvas.get() else { return };
        let r = dpr();
        let (w, h) = ((W * r) as u32, (H * r) as u32);
        if c.width() != w || c.height() != h {
            c.set_width(w);
            c.set_height(h);
        }
        let Some(ctx) = context2d(&c) else { return };
        ctx.clear_rect(0.0, 0.0, f64::from(w), f64::from(h));
        ctx.set_font(&format!("{}px sans-serif", 11.0 * r));
        let log = log.get();
        let x_max = state
            .maps
            .iter()
            .map(|m| m.history)
            .map(|h| h.with(|h| h.last().map_or(1.0, |p| p[0])))
            .fold(1.0, f32::max);
        ctx.set_fill_style_str("#555");
        for (t, label) in ticks(0.0, x_max, 5) {
            let x = 40.0 * r + f64::from(t / x_max.max(1.0)) * (W - 80.0) * r;
            drawn(ctx.fill_text(&label, x, (H - 4.0) * r));
        }
        for (model, history) in state.maps.iter().map(|m| m.history).enumerate() {
            history.with(|h| {
                // At most ~600 points: every k-th step.
                let k = (h.len() / 600).max(1);
                let recon: Vec<(f32, f32)> = h.iter().step_by(k).map(|p| (p[0], p[1])).collect();
                let [c_recon, c_kl] = COLOURS[model % 2];
                series(&ctx, &recon, x_max, log, c_recon, r, false, model as f64);
                if h.iter().any(|p| p[2] > 0.0) {
                    let kl: Vec<(f32, f32)> = h.iter().step_by(k).map(|p| (p[0], p[2])).collect();
                    series(&ctx, &kl, x_max, log, c_kl, r, true, model as f64);
                }
            });
        }
    });
    // The VAE's β of the latest step (the first VAE shown; None without one or before a step).
    let beta_now = move || {
        let kinds = state.mode().kinds();
        state.training.stats.with(|s| {
            kinds.iter().zip(s).find(|(k, st)| **k == model::Kind::Vae && st.step > 0).map(|(_, st)| st.beta)
        })
    };
    view! {
        <section class="panel loss" aria-label="Loss">
            <h2>"Loss " <small>{move || {
                let kinds = state.mode().kinds();
                kinds.iter().enumerate().map(|(i, &k)| {
                    let name = crate::state::kind_name(k);
                    let [rc, kc] = COLOURS[i % 2];
                    let kl = (k == model::Kind::Vae).then(|| view! { <span style=format!("color:{kc}")>{format!(" — {name} KL (nats)")}</span> });
                    view! { <span style=format!("color:{rc}")>{format!(" — {name} reconstruction (per pixel)")}</span> {kl} }
                }).collect_view()
            }}</small></h2>
            <p class="hint" style:display=move || if beta_now().is_some() { "block" } else { "none" }>
                "β in the latest step (after the KL warm-up): "
                <b data-testid="beta-now">{move || beta_now().map(|b| format!("{b:.3}")).unwrap_or_default()}</b>
            </p>
            <canvas data-testid="loss-chart" node_ref=canvas style=format!("width:{W}px;height:{H}px")></canvas>
            <label><input data-testid="loss-log" type="checkbox" prop:checked=move || log.get()
                on:change=move |ev| log.set(event_target_checked(&ev)) /> " log scale"</label>
        </section>
    }
}
