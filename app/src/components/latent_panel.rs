//! A latent map (one per model): every test point at its 2-D code, coloured by label, with axes, a
//! legend, pan (drag), zoom (wheel), reset (double-click), decode on hover or click (a crosshair shared
//! by all maps), an optional decoded-manifold background, prior samples and the interpolation path.
//! Points and background are rasterised in Rust into one ImageData (10k points in about a
//! millisecond); the 2-D context draws only axes and overlays.

use std::sync::Arc;

use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::{Clamped, JsCast, JsValue};
use web_sys::{ImageData, MouseEvent, WheelEvent};

use super::{context2d, dpr};
use crate::plot::{
    HEAT, LatentView, PALETTE, Palette, by_error, css_colour, nearest_point, paint_manifold, rasterize,
    rasterize_onto, ticks, visible_region,
};
use crate::protocol::End;
use crate::state::{AppState, Manifold};

/// CSS size of the map alone and of each map side by side.
const SIZE: f64 = 560.0;
const SIZE_COMPARE: f64 = 440.0;

/// Records a redraw time and the view where tests and the bench can read them
/// (`window.lsxDrawMs`, `window.lsxView = [centre x, centre y, scale, dpr]`, `lsxView1` for model 1).
fn record_draw(ms: f64, view: &LatentView, model: usize) {
    let Some(w) = web_sys::window() else { return };
    if model == usize::MAX {
        return; // an export, not the page's map
    }
    let v =
        js_sys::Array::of4(&view.centre[0].into(), &view.centre[1].into(), &view.scale.into(), &dpr().into());
    let key = if model == 0 { "lsxView".to_string() } else { format!("lsxView{model}") };
    let _ = js_sys::Reflect::set(&w, &key.into(), &v);
    crate::js::push_record("lsxDrawMs", &ms.into());
}

/// Records when a map with points was first drawn (`window.lsxFirstMap`, ms since navigation start).
fn mark_first_map() {
    let Some(w) = web_sys::window() else { return };
    let key = JsValue::from_str("lsxFirstMap");
    if js_sys::Reflect::get(&w, &key).is_ok_and(|v| v.is_undefined()) {
        let _ = js_sys::Reflect::set(&w, &key, &crate::js::now().into());
    }
}

/// What is drawn over the points: the shared crosshair, sample points and an interpolation path.
#[derive(Default)]
struct Overlay {
    cross: Option<[f32; 2]>,
    /// (points `[n * 2]`, filled?) per sample set of this model.
    samples: Vec<(Vec<f32>, bool)>,
    /// `[xa, ya, xb, yb]` and the number of decodes along it.
    path: Option<([f32; 4], usize)>,
    /// Interpolation ends picked so far (latent points of this model).
    picked: Vec<[f32; 2]>,
    /// Uploaded images' map positions (`[u * 2]`).
    uploads: Vec<f32>,
}

fn draw(
    canvas: &web_sys::HtmlCanvasElement,
    view: &LatentView,
    (points, labels, palette): (&[f32], &[u8], &Palette),
    manifold: Option<&Manifold>,
    overlay: &Overlay,
    (model, ratio): (usize, f32),
) {
    let Some(ctx) = context2d(canvas) else { return };
    let t0 = crate::js::now();
    let size = (3.0 * ratio).round() as usize;
    let buf = match manifold {
        Some(m) => {
            let mut buf = paint_manifold(view, m.region, m.tiles, &m.images);
            rasterize_onto(&mut buf, points, labels, view, (2.0 * ratio).round() as usize, palette);
            buf
        }
        None => rasterize(points, labels, view, size, palette),
    };
    if let Ok(img) =
        ImageData::new_with_u8_clamped_array_and_sh(Clamped(&buf), view.width as u32, view.height as u32)
    {
        let _ = ctx.put_image_data(&img, 0.0, 0.0);
    }
    record_draw(crate::js::now() - t0, view, model);
    if !points.is_empty() {
        mark_first_map();
    }
    // Axes: light grid lines at round latent coordinates, labelled along the edges.
    let lo = view.latent_from_screen([0.0, view.height]);
    let hi = view.latent_from_screen([view.width, 0.0]);
    ctx.set_stroke_style_str("rgba(0,0,0,0.12)");
    ctx.set_fill_style_str("#555");
    ctx.set_line_width(f64::from(ratio));
    ctx.set_font(&format!("{}px sans-serif", 11.0 * ratio));
    for (x, label) in ticks(lo[0], hi[0], 6) {
        let sx = f64::from(view.screen_from_latent([x, 0.0])[0]);
        ctx.begin_path();
        ctx.move_to(sx, 0.0);
        ctx.line_to(sx, f64::from(view.height));
        ctx.stroke();
        let _ = ctx.fill_text(&label, sx + 2.0, f64::from(view.height) - 4.0 * f64::from(ratio));
    }
    for (y, label) in ticks(lo[1], hi[1], 6) {
        let sy = f64::from(view.screen_from_latent([0.0, y])[1]);
        ctx.begin_path();
        ctx.move_to(0.0, sy);
        ctx.line_to(f64::from(view.width), sy);
        ctx.stroke();
        let _ = ctx.fill_text(&label, 3.0, sy - 3.0);
    }
    draw_overlay(&ctx, view, overlay, f64::from(ratio));
}

fn draw_overlay(ctx: &web_sys::CanvasRenderingContext2d, view: &LatentView, o: &Overlay, ratio: f64) {
    let at = |z: [f32; 2]| view.screen_from_latent(z).map(f64::from);
    for (pts, filled) in &o.samples {
        ctx.set_stroke_style_str("#000");
        ctx.set_fill_style_str(if *filled { "rgba(0,0,0,0.75)" } else { "rgba(255,255,255,0.8)" });
        ctx.set_line_width(ratio);
        for p in pts.chunks_exact(2) {
            let [x, y] = at([p[0], p[1]]);
            ctx.begin_path();
            let _ = ctx.arc(x, y, 3.0 * ratio, 0.0, std::f64::consts::TAU);
            ctx.fill();
            ctx.stroke();
        }
    }
    if let Some(([xa, ya, xb, yb], steps)) = o.path {
        let ([ax, ay], [bx, by]) = (at([xa, ya]), at([xb, yb]));
        ctx.set_stroke_style_str("#c00");
        ctx.set_line_width(2.5 * ratio);
        ctx.begin_path();
        ctx.move_to(ax, ay);
        ctx.line_to(bx, by);
        ctx.stroke();
        ctx.set_fill_style_str("#c00");
        for s in 0..steps.max(2) {
            let t = s as f64 / (steps.max(2) - 1) as f64;
            ctx.begin_path();
            let _ = ctx.arc(ax + t * (bx - ax), ay + t * (by - ay), 3.5 * ratio, 0.0, std::f64::consts::TAU);
            ctx.fill();
        }
    }
    ctx.set_stroke_style_str("#000");
    ctx.set_fill_style_str("#ff00aa");
    ctx.set_line_width(ratio);
    for p in o.uploads.chunks_exact(2) {
        let [x, y] = at([p[0], p[1]]);
        let r = 5.0 * ratio;
        ctx.begin_path();
        ctx.move_to(x, y - r);
        ctx.line_to(x + r, y);
        ctx.line_to(x, y + r);
        ctx.line_to(x - r, y);
        ctx.close_path();
        ctx.fill();
        ctx.stroke();
    }
    for &p in &o.picked {
        let [x, y] = at(p);
        ctx.set_stroke_style_str("#c00");
        ctx.set_line_width(2.5 * ratio);
        ctx.begin_path();
        let _ = ctx.arc(x, y, 7.0 * ratio, 0.0, std::f64::consts::TAU);
        ctx.stroke();
    }
    if let Some(z) = o.cross {
        let [sx, sy] = at(z);
        let r = 10.0 * ratio;
        ctx.set_stroke_style_str("#000");
        ctx.set_line_width(2.0 * ratio);
        ctx.begin_path();
        ctx.move_to(sx - r, sy);
        ctx.line_to(sx + r, sy);
        ctx.move_to(sx, sy - r);
        ctx.line_to(sx, sy + r);
        ctx.stroke();
    }
}

/// The live map of model `model` as a PNG data URL, rendered at `ratio` device pixels per CSS pixel
/// (points, axes and manifold; no cursor), at the current view.
pub(crate) fn map_png(state: &AppState, model: usize, ratio: f32) -> Option<String> {
    let css = if untrack(|| state.two_maps()) { SIZE_COMPARE } else { SIZE } as f32;
    let px = css * ratio;
    let (points, _) = state.latents[model].get_untracked();
    let view = match state.views[model].get_untracked() {
        Some(v) => LatentView { scale: v.scale * ratio, width: px, height: px, ..v },
        None => LatentView::fit(&points, px, px),
    };
    let doc = web_sys::window()?.document()?;
    let canvas: web_sys::HtmlCanvasElement = doc.create_element("canvas").ok()?.dyn_into().ok()?;
    canvas.set_width(px as u32);
    canvas.set_height(px as u32);
    let manifold = state.manifold[model].get_untracked();
    let labels = state.labels.get_untracked();
    let s = coloured(points, labels, state.errors[model].get_untracked());
    draw(
        &canvas,
        &view,
        (&s.points, &s.labels, s.palette),
        manifold.as_ref(),
        &Overlay::default(),
        (usize::MAX, ratio),
    );
    canvas.to_data_url_with_type("image/png").ok()
}

/// The points as drawn: by label, or (when colouring by error) ordered by error with error deciles
/// as colours and the deciles' upper edges.
struct Shown {
    points: Arc<Vec<f32>>,
    labels: Arc<Vec<u8>>,
    palette: &'static Palette,
    edges: Vec<f32>,
}

fn coloured(points: Arc<Vec<f32>>, labels: Arc<Vec<u8>>, errors: Option<Arc<Vec<f32>>>) -> Shown {
    match errors {
        Some(errors) if errors.len() * 2 == points.len() => {
            let (p, bins, edges) = by_error(&points, &errors);
            Shown { points: Arc::new(p), labels: Arc::new(bins), palette: &HEAT, edges }
        }
        _ => Shown { points, labels, palette: &PALETTE, edges: Vec::new() },
    }
}

/// What the view measured on the map: k-NN accuracy, the projection, and the code's sparsity.
fn info_text(info: crate::protocol::MapInfo, pca: bool) -> String {
    if info.dim == 0 {
        return String::new();
    }
    let mut t =
        format!("k-NN(5) accuracy of these 2-D positions: {:.3} (first 1,000 test points).", info.knn);
    if let Some(share) = info.plane_share {
        t += &format!(
            " Projection: the {}-D codes on their first two principal components ({:.0} % of their variance), \
             refitted at every map update; a click decodes the plane's point plus, in the other {} directions, \
             the average of the codes placed nearest to it.",
            info.dim,
            100.0 * share,
            info.dim - 2
        );
    }
    if !pca {
        t += &format!(
            " Code: mean |z| {:.3}, {:.0} % of code values near zero (|z| < 0.1).",
            info.mean_abs,
            100.0 * info.near_zero
        );
    }
    t
}

/// What to look for in each map, in the lecture's terms.
fn caption(kind: Option<model::Kind>, compare: bool) -> &'static str {
    let Some(kind) = kind else {
        return "PCA of the pixels: each test image projected on the directions of largest pixel variance, \
                the best a linear map can do. Compare how well the classes separate (k-NN) and the \
                reconstructions with the same number of components below.";
    };
    match (kind, compare) {
        (model::Kind::Ae, true) => {
            "Autoencoder: each image gets one point, placed wherever reconstruction is easiest. Nothing \
             shapes the space, so clusters drift far apart with empty gaps between them, and there is no \
             known region to sample from: hover a gap, or press Sample, and see the decodes turn to smudges."
        }
        (model::Kind::Vae, true) => {
            "VAE: each image becomes a small Gaussian (μ, σ), and the KL term pulls them all towards \
             N(0, I). The codes fill one round region around 0 without holes, so a point drawn from \
             N(0, I) decodes to a plausible image. Raise β for a smoother map and blurrier images."
        }
        (model::Kind::Ae, false) => {
            "Each dot is a test image at its 2-D code. Same-class images end up together although the \
             autoencoder never sees a label."
        }
        (model::Kind::Vae, false) => {
            "Each dot is the mean μ of a test image's code. The KL term keeps the codes near N(0, I)."
        }
    }
}

/// A map panel for model `model` (0, or 1 = the VAE beside the AE).
#[component]
pub fn LatentPanel(model: usize) -> impl IntoView {
    let state = expect_context::<AppState>();
    let canvas = NodeRef::<Canvas>::new();
    // None = fit to the points on every update; Some once the user pans or zooms (CSS px per unit).
    let user_view = state.views[model];
    let drag = StoredValue::new(None::<(f32, f32, bool)>);
    let live = state.latents[model];
    // The points shown: live, or a snapshot while the replay slider is moved back.
    let points = Memo::new(move |_| match state.replay.get() {
        Some(i) => state.snapshots.with(|s| {
            let step = s.get(i).map_or(0, |x| x.0);
            let codes = s[..=i.min(s.len().saturating_sub(1))].iter().rev().find_map(|x| x.1[model].clone());
            (codes.unwrap_or_default(), step)
        }),
        None => live.get(),
    });
    // Recomputed when the points, labels or errors change, not on every redraw (pan, zoom, hover).
    let shown = Memo::new_with_compare(
        move |_| coloured(points.get().0, state.labels.get(), state.errors[model].get()),
        |_, _| true,
    );
    let css = move || if state.two_maps() { SIZE_COMPARE } else { SIZE };
    let current_view = move || {
        let (px, r) = ((css() * dpr()) as f32, dpr() as f32);
        match user_view.get() {
            Some(v) => LatentView { scale: v.scale * r, width: px, height: px, ..v },
            None => points.with(|(p, _)| LatentView::fit(p, px, px)),
        }
    };
    let set_view = move |v: LatentView| {
        let r = dpr() as f32;
        user_view.set(Some(LatentView { scale: v.scale / r, width: v.width / r, height: v.height / r, ..v }));
    };
    Effect::new(move |_| {
        let Some(c) = canvas.get() else { return };
        let view = current_view();
        let (w, h) = (view.width as u32, view.height as u32);
        if c.width() != w || c.height() != h {
            c.set_width(w);
            c.set_height(h);
        }
        let region = visible_region(&view);
        if state.regions[model].get_untracked() != region {
            state.regions[model].set(region);
            if state.manifold_on.get_untracked() {
                state.request_manifold();
            }
        }
        let mut overlay = Overlay {
            cross: state.decoded.with(|d| d.as_ref().and_then(|d| d.zs.get(model).copied().flatten())),
            uploads: state.upload_points[model].with(|u| u.to_vec()),
            ..Overlay::default()
        };
        state.samples.with(|s| {
            let sets = s.iter().flat_map(|s| &s.sets).filter(|set| set.model == model);
            overlay.samples = sets.map(|set| (set.points.clone(), set.source == "prior")).collect();
        });
        overlay.path =
            state.interpolation.with(|i| i.as_ref().and_then(|i| Some((*i.paths.get(model)?, i.steps))));
        overlay.picked = state.picking.with(|p| {
            let ends = p.iter().flatten();
            points.with(|(pts, _)| {
                ends.filter_map(|e| match *e {
                    End::At(z) => Some(z),
                    End::Point(i) => Some([*pts.get(2 * i)?, *pts.get(2 * i + 1)?]),
                })
                .collect()
            })
        });
        shown.with(|s| {
            state.manifold[model].with(|m| {
                let what = (s.points.as_slice(), s.labels.as_slice(), s.palette);
                draw(&c, &view, what, m.as_ref(), &overlay, (model, dpr() as f32))
            })
        });
    });
    let to_canvas =
        move |ev: &MouseEvent| [ev.offset_x() as f32 * dpr() as f32, ev.offset_y() as f32 * dpr() as f32];
    let on_down = move |ev: MouseEvent| {
        let [x, y] = to_canvas(&ev);
        drag.set_value(Some((x, y, false)));
    };
    let on_move = move |ev: MouseEvent| {
        let p = to_canvas(&ev);
        match drag.get_value() {
            Some((x, y, moved)) if ev.buttons() & 1 == 1 => {
                let d = [p[0] - x, p[1] - y];
                if moved || d[0].abs() + d[1].abs() > 4.0 {
                    set_view(current_view().pan(d));
                    drag.set_value(Some((p[0], p[1], true)));
                }
            }
            _ => {
                let view = current_view();
                let near = points.with(|(pts, _)| nearest_point(pts, &view, p, 6.0 * dpr() as f32));
                state.decode(model, view.latent_from_screen(p), None, near);
            }
        }
    };
    let on_up = move |ev: MouseEvent| {
        let was_drag = drag.get_value().is_some_and(|d| d.2);
        drag.set_value(None);
        if !was_drag {
            // A click on a data point decodes that point and shows its original beside its reconstruction.
            let (view, at) = (current_view(), to_canvas(&ev));
            let hit = points.with(|(p, _)| {
                nearest_point(p, &view, at, 4.0 * dpr() as f32).map(|i| (i, [p[2 * i], p[2 * i + 1]]))
            });
            if state.picking.get_untracked().is_some() {
                state.pick(hit.map_or(End::At(view.latent_from_screen(at)), |(i, _)| End::Point(i)));
            }
            match hit {
                Some((i, z)) => state.decode(model, z, Some(i), Some(i)),
                None => state.decode(model, view.latent_from_screen(at), None, None),
            }
        }
    };
    let on_wheel = move |ev: WheelEvent| {
        ev.prevent_default();
        let factor = if ev.delta_y() < 0.0 { 1.2 } else { 1.0 / 1.2 };
        set_view(current_view().zoom(factor, to_canvas(&ev)));
    };
    let names = move || state.dataset.get().class_names();
    let kind = move || state.kinds().get(model).copied();
    let title = move || match kind() {
        Some(model::Kind::Ae) => "Autoencoder latent space",
        Some(model::Kind::Vae) => "VAE latent space (μ)",
        None => "PCA of the pixels",
    };
    let legend = move || -> Vec<(String, String)> {
        match shown.with(|s| s.edges.clone()) {
            edges if !edges.is_empty() => edges
                .iter()
                .enumerate()
                .map(|(i, e)| (crate::plot::css_rgb(HEAT[i]), format!("≤ {e:.4}")))
                .collect(),
            _ => names()
                .into_iter()
                .enumerate()
                .map(|(i, name)| (css_colour(i as u8), name.to_string()))
                .collect(),
        }
    };
    let testid = if model == 0 { "latent-plot".to_string() } else { format!("latent-plot-{model}") };
    view! {
        <section class="panel latent" aria-label="Latent map">
            <h2>{title} " " <small>{move || match state.replay.get() {
                Some(_) => format!("replay: step {}", points.with(|p| p.1)),
                None => {
                    let ups = state.upload_points[model].with(|u| u.len() / 2);
                    let by = if state.errors[model].with(Option::is_some) { " · by error" } else { "" };
                    let up = if ups > 0 { format!(" + {ups} of yours (◆)") } else { String::new() };
                    format!("{} test points{up}{by}", state.labels.with(|l| l.len()))
                }
            }}</small></h2>
            <canvas data-testid=testid node_ref=canvas
                style=move || format!("width:{0}px;height:{0}px", css())
                on:mousedown=on_down on:mousemove=on_move on:mouseup=on_up on:wheel=on_wheel
                on:dblclick=move |_| user_view.set(None)></canvas>
            <ul class="legend" data-testid="legend">
                {move || legend().into_iter().map(|(colour, name)| view! {
                    <li><span class="swatch" style=format!("background:{colour}")></span>{name}</li>
                }).collect_view()}
            </ul>
            <p class="caption" data-testid=format!("caption-{model}")>{move || caption(kind(), state.compare.get())}</p>
            <p class="caption" data-testid=format!("map-info-{model}")>{move || info_text(state.info[model].get(), kind().is_none())}</p>
            <p class="hint">"Hover or click to decode · drag to pan · wheel to zoom · double-click to fit"</p>
        </section>
    }
}
