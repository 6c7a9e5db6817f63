//! Compression: the code is a smaller file than the image. 784 bytes (a byte a pixel) become k
//! numbers at 4 bytes (f32, as the page holds them) or 2 (f16, as the weights are shipped); the
//! factor beside the reconstruction error, and the rate–distortion chart of test error against code
//! size for an AE and for PCA of the pixels (computed by `make curves`, shipped beside the weights)
//! with the live models' points on it.

use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::prelude::*;

use super::answer;
use crate::components::dpr;
use crate::protocol::view::LectureResult;
use crate::state::{AppState, Curve};

/// Okabe–Ito blue and vermilion (the AE and PCA curves), black for the live points.
const AE: RGBColor = RGBColor(0, 114, 178);
const PCA: RGBColor = RGBColor(213, 94, 0);

/// (name, code size, test MSE) of each live model.
type Live = Vec<(&'static str, usize, f32)>;

/// Draws the rate–distortion chart: the shipped curves and the live points.
fn rate_chart(canvas: &web_sys::HtmlCanvasElement, curve: Option<&Curve>, live: &Live) -> Result<(), String> {
    // As wide as the panel lets it be (CSS px), at the screen's resolution.
    let (r, w) = (dpr(), f64::from(canvas.client_width()).clamp(200.0, 600.0));
    canvas.set_width((w * r) as u32);
    canvas.set_height((0.62 * w * r) as u32);
    let backend = crate::components::chart_canvas::ChartCanvas::new(canvas).ok_or("no 2-D context")?;
    let root = backend.into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let points = curve.map(|c| c.points.as_slice()).unwrap_or_default();
    let y_max = points
        .iter()
        .flat_map(|p| [p.ae_mse, p.pca_mse])
        .chain(live.iter().map(|l| l.2))
        .fold(0.01f32, f32::max)
        * 1.1;
    let font = ("sans-serif", 12.0 * r).into_font();
    let mut chart = ChartBuilder::on(&root)
        .margin(8.0 * r)
        .x_label_area_size(34.0 * r)
        .y_label_area_size(48.0 * r)
        .build_cartesian_2d((1.5f32..48f32).log_scale(), 0f32..y_max)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_labels(6)
        .y_labels(5)
        .x_desc("numbers in the code")
        .y_desc("test MSE")
        .label_style(font.clone())
        .axis_desc_style(font.clone())
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| format!("{v:.3}"))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(|e| e.to_string())?;
    let stroke = (2.0 * r) as u32;
    for (colour, pick) in [(AE, 0), (PCA, 1)] {
        let series = points.iter().map(|p| (p.latent as f32, if pick == 0 { p.ae_mse } else { p.pca_mse }));
        chart
            .draw_series(LineSeries::new(series.clone(), colour.stroke_width(stroke)))
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(series.map(|p| Circle::new(p, (3.0 * r) as u32, colour.filled())))
            .map_err(|e| e.to_string())?;
    }
    let live_points =
        live.iter().map(|&(_, k, e)| TriangleMarker::new((k as f32, e), (6.0 * r) as u32, BLACK.filled()));
    // The legend is HTML under the chart: plotters lays out its legend by measuring text with a styled
    // <span>, which the Content-Security-Policy blocks.
    chart.draw_series(live_points).map_err(|e| e.to_string())?;
    root.present().map_err(|e| e.to_string())
}

/// The item.
#[component]
pub fn Compression() -> impl IntoView {
    let state = expect_context::<AppState>();
    state.fetch_curve();
    let canvas = NodeRef::<Canvas>::new();
    let names = move || state.mode().names();
    let live = move || -> Option<(Live, usize)> {
        answer(state, |r, _| match r {
            LectureResult::Compression { models, images } => Some((
                models.iter().map(|&(m, k, e)| (names().get(m).copied().unwrap_or(""), k, e)).collect(),
                *images,
            )),
            _ => None,
        })
    };
    Effect::new(move |_| {
        let Some(c) = canvas.get() else { return };
        let dataset = state.settings.dataset.get();
        let points = live().map(|l| l.0).unwrap_or_default();
        state.lectures.curve.with(|curve| {
            let curve = curve.as_ref().filter(|c| c.0 == dataset).map(|c| &c.1);
            if let Err(e) = rate_chart(&c, curve, &points) {
                web_sys::console::warn_1(&format!("the rate-distortion chart: {e}").into());
            }
        });
    });
    let figures = move || {
        let (models, n) = live()?;
        Some(
            models
                .into_iter()
                .map(|(name, k, e)| {
                    let (f32s, f16s) = (4 * k, 2 * k);
                    view! { <li>{format!(
                        "{name}: 784 bytes → {k} numbers = {f32s} bytes as f32: {:.0}× smaller ({:.0}× as f16); test MSE {e:.4} ({n} images)",
                        784.0 / f32s as f64, 784.0 / f16s as f64
                    )}</li> }
                })
                .collect_view(),
        )
    };
    view! {
        <div data-testid="compression" class="lecture">
            <p class="explain">"The code is a compressed file of the image: fewer numbers, more error. The curve shows the trade for an AE and for PCA."</p>
            <ul data-testid="compression-figures">{figures}</ul>
            <canvas data-testid="compression-chart" node_ref=canvas style:width="100%" style:height="auto"></canvas>
            <p class="hint" data-testid="compression-legend">
                <span style:color="rgb(0,114,178)">"━ AE"</span> " · "
                <span style:color="rgb(213,94,0)">"━ PCA of pixels"</span> " · ▲ this model"
            </p>
        </div>
    }
}
