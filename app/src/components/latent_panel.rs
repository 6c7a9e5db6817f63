//! The latent map: every test point at its 2-D code, coloured by label, with axes, a legend, pan
//! (drag), zoom (wheel), reset (double-click), and decode on hover or click (crosshair on the point).
//! Points are rasterised in Rust into one ImageData (10k points in about a millisecond); the 2-D
//! context draws only axes and the crosshair.

use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::{Clamped, JsCast, JsValue};
use web_sys::{ImageData, MouseEvent, WheelEvent};

use super::{context2d, dpr};
use crate::plot::{LatentView, css_colour, nearest_point, rasterize, ticks};
use crate::state::AppState;

/// CSS size of the map.
const SIZE: f64 = 560.0;

/// Records a redraw time and the view where tests and the bench can read them
/// (`window.lsxDrawMs`, `window.lsxView = [centre x, centre y, scale, dpr]`).
fn record_draw(ms: f64, view: &LatentView) {
    let Some(w) = web_sys::window() else { return };
    let v =
        js_sys::Array::of4(&view.centre[0].into(), &view.centre[1].into(), &view.scale.into(), &dpr().into());
    let _ = js_sys::Reflect::set(&w, &"lsxView".into(), &v);
    let key = JsValue::from_str("lsxDrawMs");
    let arr = js_sys::Reflect::get(&w, &key).ok().filter(js_sys::Array::is_array).unwrap_or_else(|| {
        let a = js_sys::Array::new();
        let _ = js_sys::Reflect::set(&w, &key, &a);
        a.into()
    });
    arr.unchecked_into::<js_sys::Array>().push(&ms.into());
}

fn draw(
    canvas: &web_sys::HtmlCanvasElement,
    view: &LatentView,
    points: &[f32],
    labels: &[u8],
    cross: Option<[f32; 2]>,
) {
    let Some(ctx) = context2d(canvas) else { return };
    let t0 = crate::js::now();
    let ratio = dpr() as f32;
    let buf = rasterize(points, labels, view, (3.0 * ratio).round() as usize);
    if let Ok(img) =
        ImageData::new_with_u8_clamped_array_and_sh(Clamped(&buf), view.width as u32, view.height as u32)
    {
        let _ = ctx.put_image_data(&img, 0.0, 0.0);
    }
    record_draw(crate::js::now() - t0, view);
    // Axes: light grid lines at round latent coordinates, labelled along the edges.
    let lo = view.latent_from_screen([0.0, view.height]);
    let hi = view.latent_from_screen([view.width, 0.0]);
    ctx.set_stroke_style_str("rgba(0,0,0,0.12)");
    ctx.set_fill_style_str("#555");
    ctx.set_line_width(f64::from(ratio));
    ctx.set_font(&format!("{}px sans-serif", 11.0 * ratio));
    for x in ticks(lo[0], hi[0], 6) {
        let sx = f64::from(view.screen_from_latent([x, 0.0])[0]);
        ctx.begin_path();
        ctx.move_to(sx, 0.0);
        ctx.line_to(sx, f64::from(view.height));
        ctx.stroke();
        let _ = ctx.fill_text(&format!("{x}"), sx + 2.0, f64::from(view.height) - 4.0 * f64::from(ratio));
    }
    for y in ticks(lo[1], hi[1], 6) {
        let sy = f64::from(view.screen_from_latent([0.0, y])[1]);
        ctx.begin_path();
        ctx.move_to(0.0, sy);
        ctx.line_to(f64::from(view.width), sy);
        ctx.stroke();
        let _ = ctx.fill_text(&format!("{y}"), 3.0, sy - 3.0);
    }
    if let Some(z) = cross {
        let [sx, sy] = view.screen_from_latent(z).map(f64::from);
        let r = 10.0 * f64::from(ratio);
        ctx.set_stroke_style_str("#000");
        ctx.set_line_width(2.0 * f64::from(ratio));
        ctx.begin_path();
        ctx.move_to(sx - r, sy);
        ctx.line_to(sx + r, sy);
        ctx.move_to(sx, sy - r);
        ctx.line_to(sx, sy + r);
        ctx.stroke();
    }
}

/// The map panel.
#[component]
pub fn LatentPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let canvas = NodeRef::<Canvas>::new();
    // None = fit to the points on every update; Some once the user pans or zooms.
    let user_view = RwSignal::new(None::<LatentView>);
    let drag = StoredValue::new(None::<(f32, f32, bool)>);
    let current_view = move || {
        let px = (SIZE * dpr()) as f32;
        user_view.get().unwrap_or_else(|| state.latents.with(|(p, _)| LatentView::fit(p, px, px)))
    };
    Effect::new(move |_| {
        let Some(c) = canvas.get() else { return };
        let view = current_view();
        let (w, h) = (view.width as u32, view.height as u32);
        if c.width() != w || c.height() != h {
            c.set_width(w);
            c.set_height(h);
        }
        let cross = state.decoded.with(|d| d.as_ref().map(|d| [d.z[0], d.z[1]]));
        state.latents.with(|(p, _)| state.labels.with(|l| draw(&c, &view, p, l, cross)));
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
                    user_view.set(Some(current_view().pan(d)));
                    drag.set_value(Some((p[0], p[1], true)));
                }
            }
            _ => state.decode(current_view().latent_from_screen(p), None),
        }
    };
    let on_up = move |ev: MouseEvent| {
        let was_drag = drag.get_value().is_some_and(|d| d.2);
        drag.set_value(None);
        if !was_drag {
            // A click on a data point decodes that point and shows its original beside its reconstruction.
            let (view, at) = (current_view(), to_canvas(&ev));
            let hit = state.latents.with(|(p, _)| {
                nearest_point(p, &view, at, 4.0 * dpr() as f32).map(|i| (i, [p[2 * i], p[2 * i + 1]]))
            });
            match hit {
                Some((i, z)) => state.decode(z, Some(i)),
                None => state.decode(view.latent_from_screen(at), None),
            }
        }
    };
    let on_wheel = move |ev: WheelEvent| {
        ev.prevent_default();
        let factor = if ev.delta_y() < 0.0 { 1.2 } else { 1.0 / 1.2 };
        user_view.set(Some(current_view().zoom(factor, to_canvas(&ev))));
    };
    let names = move || state.dataset.get().class_names();
    view! {
        <section class="panel latent" aria-label="Latent map">
            <h2>"Latent space " <small>{move || format!("{} test points", state.labels.with(|l| l.len()))}</small></h2>
            <canvas data-testid="latent-plot" node_ref=canvas
                style=format!("width:{SIZE}px;height:{SIZE}px")
                on:mousedown=on_down on:mousemove=on_move on:mouseup=on_up on:wheel=on_wheel
                on:dblclick=move |_| user_view.set(None)></canvas>
            <ul class="legend" data-testid="legend">
                {move || names().into_iter().enumerate().map(|(i, name)| view! {
                    <li><span class="swatch" style=format!("background:{}", css_colour(i as u8))></span>{name}</li>
                }).collect_view()}
            </ul>
            <p class="hint">"Hover or click to decode · drag to pan · wheel to zoom · double-click to fit"</p>
        </section>
    }
}
