//! The map's base layer: the points (by label or by error) and the decoded manifold rasterised in
//! Rust into one ImageData (10k points in about a millisecond), then axes with round tick labels.
//! Redrawn when the points, the view or the manifold change, never for the cursor.

use std::sync::Arc;

use leptos::prelude::*;
use wasm_bindgen::{Clamped, JsCast, JsValue};
use web_sys::ImageData;

use super::super::{context2d, dpr, drawn};
use crate::plot::{
    HEAT, LatentView, PALETTE, Palette, by_error, paint_manifold, rasterize, rasterize_onto, ticks,
};
use crate::state::{AppState, Manifold};

/// Records the map's figures on `window` for tests and the bench (diagnostics: a failed write only
/// leaves the record out, so it is logged, not shown).
fn record(w: &web_sys::Window, key: &JsValue, value: &JsValue) {
    if js_sys::Reflect::set(w, key, value).is_err() {
        web_sys::console::warn_2(&"could not record".into(), key);
    }
}

/// Records a redraw time, its parts and the view where tests and the bench can read them
/// (`window.lsxDrawMs`; `window.lsxDrawParts`: `[manifold, points, image, put]` ms;
/// `window.lsxView = [centre x, centre y, scale, dpr]`, `lsxView1` for model 1).
fn record_draw([t0, t1, t2, t3, t4]: [f64; 5], view: &LatentView, model: usize) {
    let Some(w) = web_sys::window() else { return };
    if model == usize::MAX {
        return; // an export, not the page's map
    }
    let v =
        js_sys::Array::of4(&view.centre[0].into(), &view.centre[1].into(), &view.scale.into(), &dpr().into());
    let key = if model == 0 { "lsxView".to_string() } else { format!("lsxView{model}") };
    record(&w, &key.into(), &v);
    crate::js::push_record("lsxDrawMs", &(t4 - t0).into());
    let parts = [t1 - t0, t2 - t1, t3 - t2, t4 - t3].map(JsValue::from);
    crate::js::push_record("lsxDrawParts", &js_sys::Array::of4(&parts[0], &parts[1], &parts[2], &parts[3]));
}

/// Records when a map with points was first drawn (`window.lsxFirstMap`, ms since navigation start).
fn mark_first_map() {
    let Some(w) = web_sys::window() else { return };
    let key = JsValue::from_str("lsxFirstMap");
    if js_sys::Reflect::get(&w, &key).is_ok_and(|v| v.is_undefined()) {
        record(&w, &key, &crate::js::now().into());
    }
}

pub(super) fn draw(
    canvas: &web_sys::HtmlCanvasElement,
    view: &LatentView,
    (points, labels, palette): (&[f32], &[u8], &Palette),
    manifold: Option<&Manifold>,
    (model, ratio, point): (usize, f32, f32),
) {
    let Some(ctx) = context2d(canvas) else { return };
    let t0 = crate::js::now();
    let size = (point * ratio).round() as usize;
    let mut t1 = t0;
    let buf = match manifold {
        Some(m) => {
            let mut buf = paint_manifold(view, m.region, (m.tiles, m.tile), &m.pixels);
            t1 = crate::js::now();
            rasterize_onto(
                &mut buf,
                points,
                labels,
                view,
                (2.0 * point / 3.0 * ratio).round() as usize,
                palette,
            );
            buf
        }
        None => rasterize(points, labels, view, size, palette),
    };
    let t2 = crate::js::now();
    let mut t3 = t2;
    if let Ok(img) =
        ImageData::new_with_u8_clamped_array_and_sh(Clamped(&buf), view.width as u32, view.height as u32)
    {
        t3 = crate::js::now();
        drawn(ctx.put_image_data(&img, 0.0, 0.0));
    }
    record_draw([t0, t1, t2, t3, crate::js::now()], view, model);
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
        drawn(ctx.fill_text(&label, sx + 2.0, f64::from(view.height) - 4.0 * f64::from(ratio)));
    }
    for (y, label) in ticks(lo[1], hi[1], 6) {
        let sy = f64::from(view.screen_from_latent([0.0, y])[1]);
        ctx.begin_path();
        ctx.move_to(0.0, sy);
        ctx.line_to(f64::from(view.width), sy);
        ctx.stroke();
        drawn(ctx.fill_text(&label, 3.0, sy - 3.0));
    }
}

/// Side of a drawn point (CSS px): larger in presenter mode, for the back of the room.
pub(super) fn point_px(state: &AppState) -> f32 {
    if state.screen.present.get_untracked() { 5.0 } else { 3.0 }
}

/// The live map of model `model` as a PNG data URL, rendered at `ratio` device pixels per CSS pixel
/// (points, axes and manifold; no cursor), at the current view.
pub(crate) fn map_png(state: &AppState, model: usize, ratio: f32) -> Option<String> {
    let css = untrack(|| state.screen.fit(state.mode().maps()).side) as f32;
    let px = css * ratio;
    let map = state.maps[model];
    let (points, _) = map.latents.get_untracked();
    let view = match map.view.get_untracked() {
        Some(v) => LatentView { scale: v.scale * ratio, width: px, height: px, ..v },
        None => LatentView::fit(&points, px, px),
    };
    let doc = web_sys::window()?.document()?;
    let canvas: web_sys::HtmlCanvasElement = doc.create_element("canvas").ok()?.dyn_into().ok()?;
    canvas.set_width(px as u32);
    canvas.set_height(px as u32);
    let manifold = map.manifold.get_untracked();
    let labels = state.explore.labels.get_untracked();
    let s = coloured(points, labels, map.errors.get_untracked());
    draw(
        &canvas,
        &view,
        (&s.points, &s.labels, s.palette),
        manifold.as_ref(),
        (usize::MAX, ratio, point_px(state)),
    );
    canvas.to_data_url_with_type("image/png").ok()
}

/// The points as drawn: by label, or (when colouring by error) ordered by error with error deciles
/// as colours and the deciles' upper edges.
pub(super) struct Shown {
    pub points: Arc<Vec<f32>>,
    pub labels: Arc<Vec<u8>>,
    pub palette: &'static Palette,
    pub edges: Vec<f32>,
}

pub(super) fn coloured(points: Arc<Vec<f32>>, labels: Arc<Vec<u8>>, errors: Option<Arc<Vec<f32>>>) -> Shown {
    match errors {
        Some(errors) if errors.len() * 2 == points.len() => {
            let (p, bins, edges) = by_error(&points, &errors);
            Shown { points: Arc::new(p), labels: Arc::new(bins), palette: &HEAT, edges }
        }
        _ => Shown { points, labels, palette: &PALETTE, edges: Vec::new() },
    }
}
