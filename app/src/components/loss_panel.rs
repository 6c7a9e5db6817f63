//! The loss chart: per model, the per-pixel reconstruction loss (left labels) and, for a VAE, the KL
//! term (right labels) over steps, each on its own scale, with an optional log scale.

use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::prelude::*;

use super::dpr;
use crate::state::AppState;

const W: f64 = 440.0;
const H: f64 = 180.0;

/// Colours of the reconstruction and KL series of model 0 and model 1.
/// Okabe–Ito hues, darkened where needed for text contrast ≥ 4.5:1 on white (they label the curves too).
const COLOURS: [[&str; 2]; 2] = [["#0072b2", "#b34700"], ["#007a5a", "#a8437f"]];
const RGB: [[RGBColor; 2]; 2] =
    [[RGBColor(0, 114, 178), RGBColor(179, 71, 0)], [RGBColor(0, 122, 90), RGBColor(168, 67, 127)]];

/// One model's series: (step, value) of the reconstruction loss and of the KL (empty for an AE).
type Series = (Vec<(f32, f32)>, Vec<(f32, f32)>);

/// The range of the values of `series` (as plotted), padded when flat.
fn span<'a>(series: impl Iterator<Item = &'a Vec<(f32, f32)>>, log: bool) -> std::ops::Range<f32> {
    let (lo, hi) = series
        .flatten()
        .map(|p| plotted(p.1, log))
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), y| (a.min(y), b.max(y)));
    if !(lo.is_finite() && hi.is_finite()) {
        return 0.0..1.0;
    }
    let pad = ((hi - lo) * 0.05).max(1e-4);
    lo - pad..hi + pad
}

/// A value as plotted: its log10 on a log scale.
fn plotted(v: f32, log: bool) -> f32 {
    if log { v.max(1e-6).log10() } else { v }
}

/// Draws the chart: per model the reconstruction loss (left axis) and the KL (right axis), with
/// plotters on the canvas.
fn chart(
    canvas: &web_sys::HtmlCanvasElement,
    models: &[Series],
    (x_min, x_max): (f32, f32),
    log: bool,
) -> Result<(), String> {
    let r = dpr();
    let err = |e: DrawingAreaErrorKind<_>| e.to_string();
    let backend = crate::components::chart_canvas::ChartCanvas::new(canvas).ok_or("no 2-D context")?;
    let root = backend.into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let with_kl = models.iter().any(|m| !m.1.is_empty());
    let (recon, kl) = (span(models.iter().map(|m| &m.0), log), span(models.iter().map(|m| &m.1), log));
    let font = ("sans-serif", 11.0 * r).into_font().color(&RGBColor(85, 85, 85));
    let label = move |v: &f32| if log { format!("{:.3}", 10f32.powf(*v)) } else { format!("{v:.3}") };
    let mut c = ChartBuilder::on(&root)
        .margin(6.0 * r)
        .x_label_area_size(20.0 * r)
        .y_label_area_size(44.0 * r)
        .right_y_label_area_size(if with_kl { 44.0 * r } else { 0.0 })
        .build_cartesian_2d(x_min..x_max.max(x_min + 1.0), recon)
        .map_err(err)?
        .set_secondary_coord(x_min..x_max.max(x_min + 1.0), kl);
    c.configure_mesh()
        .x_labels(5)
        .y_labels(4)
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&label)
        .label_style(font.clone())
        .light_line_style(WHITE.mix(0.0))
        .bold_line_style(BLACK.mix(0.08))
        .draw()
        .map_err(err)?;
    if with_kl {
        c.configure_secondary_axes()
            .y_labels(4)
            .y_label_formatter(&label)
            .label_style(font)
            .draw()
            .map_err(err)?;
    }
    let stroke = (1.5 * r).round().max(1.0) as u32;
    for (i, (rec, kls)) in models.iter().enumerate() {
        let [rc, kc] = RGB[i % 2];
        let line = |s: &Vec<(f32, f32)>| s.iter().map(|p| (p.0, plotted(p.1, log))).collect::<Vec<_>>();
        c.draw_series(LineSeries::new(line(rec), rc.stroke_width(stroke))).map_err(err)?;
        if !kls.is_empty() {
            c.draw_secondary_series(LineSeries::new(line(kls), kc.stroke_width(stroke))).map_err(err)?;
        }
    }
    root.present().map_err(err)
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
        let log = log.get();
        let x_max = state
            .maps
            .iter()
            .map(|m| m.history)
            .map(|h| h.with(|h| h.last().map_or(1.0, |p| p[0])))
            .fold(1.0, f32::max);
        let models: Vec<Series> = state
            .maps
            .iter()
            .map(|m| {
                m.history.with(|h| {
                    // At most ~600 points: every k-th step.
                    let k = (h.len() / 600).max(1);
                    let recon = h.iter().step_by(k).map(|p| (p[0], p[1])).collect();
                    let kl = if h.iter().any(|p| p[2] > 0.0) {
                        h.iter().step_by(k).map(|p| (p[0], p[2])).collect()
                    } else {
                        Vec::new()
                    };
                    (recon, kl)
                })
            })
            .filter(|s: &Series| !s.0.is_empty())
            .collect();
        // The steps shown: from the first recorded (a run continued from step 5,000 starts there).
        let x_min = models.iter().filter_map(|m| m.0.first().map(|p| p.0)).fold(x_max, f32::min);
        if let Err(e) = chart(&c, &models, (x_min, x_max), log) {
            web_sys::console::warn_1(&format!("the loss chart: {e}").into());
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
                    let kl = (k == model::Kind::Vae).then(|| view! { <span style:color=kc>{format!(" — {name} KL (nats)")}</span> });
                    view! { <span style:color=rc>{format!(" — {name} reconstruction (per pixel)")}</span> {kl} }
                }).collect_view()
            }}</small></h2>
            <p class="hint" style:display=move || if beta_now().is_some() { "block" } else { "none" }>
                "β in the latest step (after the KL warm-up): "
                <b data-testid="beta-now">{move || beta_now().map(|b| format!("{b:.3}")).unwrap_or_default()}</b>
            </p>
            <canvas data-testid="loss-chart" node_ref=canvas style:width=format!("{W}px") style:height=format!("{H}px")></canvas>
            <label><input data-testid="loss-log" type="checkbox" prop:checked=move || log.get()
                on:change=move |ev| log.set(event_target_checked(&ev)) /> " log scale"</label>
        </section>
    }
}
