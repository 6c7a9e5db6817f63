//! A latent map (one per model): every test point at its 2-D code, coloured by label, with axes, a
//! legend, pan (drag), zoom (wheel or pinch), reset (double-click), decode on hover, click or tap (a crosshair shared
//! by all maps), an optional decoded-manifold background, prior samples and the interpolation path.
//! Two stacked canvases: the base layer ([`draw`]: points, manifold, axes) and the overlay
//! ([`overlay`]: crosshair, samples, path, uploads), so a hover or click redraws only the overlay.

mod captions;
mod draw;
mod overlay;

use leptos::html::Canvas;
use leptos::prelude::*;
use web_sys::{MouseEvent, PointerEvent, WheelEvent};

use draw::coloured;
pub(crate) use draw::map_png;
use overlay::Overlay;

use super::dpr;
use crate::plot::{HEAT, LatentView, css_colour, nearest_point, visible_region};
use crate::protocol::view::{End, LectureResult};
use crate::state::AppState;

/// Sizes a layer's backing store to the view (device pixels).
fn fit_canvas(c: &web_sys::HtmlCanvasElement, view: &LatentView) {
    let (w, h) = (view.width as u32, view.height as u32);
    if c.width() != w || c.height() != h {
        c.set_width(w);
        c.set_height(h);
    }
}

/// The two pointers of a pinch, when exactly two are down.
fn two(t: &[(i32, [f32; 2])]) -> Option<([f32; 2], [f32; 2])> {
    match t {
        [a, b] => Some((a.1, b.1)),
        _ => None,
    }
}

fn distance(a: [f32; 2], b: [f32; 2]) -> f32 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
}

/// A map panel for model `model` (0, or 1 = the VAE beside the AE).
#[component]
pub fn LatentPanel(model: usize) -> impl IntoView {
    let state = expect_context::<AppState>();
    let map = state.maps[model];
    let (canvas, overlay_canvas) = (NodeRef::<Canvas>::new(), NodeRef::<Canvas>::new());
    // None = fit to the points on every update; Some once the user pans or zooms (CSS px per unit).
    let user_view = map.view;
    let drag = StoredValue::new(None::<(f32, f32, bool)>);
    let live = map.latents;
    // The points shown: live, or a snapshot while the replay slider is moved back.
    let points = Memo::new(move |_| match state.work.replay.get() {
        Some(i) => state.work.snapshots.with(|s| {
            let step = s.get(i).map_or(0, |x| x.0);
            let codes = s[..=i.min(s.len().saturating_sub(1))].iter().rev().find_map(|x| x.1[model].clone());
            (codes.unwrap_or_default(), step)
        }),
        None => live.get(),
    });
    // Recomputed when the points, labels or errors change, not on every redraw (pan, zoom, hover).
    let shown = Memo::new_with_compare(
        move |_| coloured(points.get().0, state.explore.labels.get(), map.errors.get()),
        |_, _| true,
    );
    // The side the screen leaves each map (CSS px).
    let css = move || state.screen.fit(state.mode().maps()).side;
    let current_view = move || {
        let (px, r) = ((css() * dpr()) as f32, dpr() as f32);
        match user_view.get() {
            Some(v) => LatentView { scale: v.scale * r, width: px, height: px, ..v },
            None => points.with(|(p, _)| LatentView::fit(p, px, px)),
        }
    };
    let set_view = move |v: LatentView| {
        let r = dpr() as f32;
        user_view.set(Some(v.scaled_down(r)));
    };
    // One view for both layers (and for the events): recomputed when the points, the size or the
    // user's pan/zoom change.
    let view = Memo::new(move |_| current_view());
    Effect::new(move |_| {
        let (v, r) = (view.get(), dpr() as f32);
        map.shown.set(Some(v.scaled_down(r)));
    });
    // The base layer: points, manifold and axes. A click does not redraw it.
    Effect::new(move |_| {
        let Some(c) = canvas.get() else { return };
        let view = view.get();
        state.screen.present.track();
        fit_canvas(&c, &view);
        let region = visible_region(&view);
        if map.region.get_untracked() != region {
            map.region.set(region);
            if state.explore.manifold_on.get_untracked() {
                state.request_manifold();
            }
        }
        shown.with(|s| {
            map.manifold.with(|m| {
                let what = (s.points.as_slice(), s.labels.as_slice(), s.palette);
                draw::draw(&c, &view, what, m.as_ref(), (model, dpr() as f32, draw::point_px(&state)))
            })
        });
    });
    // The overlay layer: the crosshair, samples, interpolation and uploads.
    Effect::new(move |_| {
        let Some(c) = overlay_canvas.get() else { return };
        let view = view.get();
        fit_canvas(&c, &view);
        let mut o = Overlay {
            cross: state
                .explore
                .decoded
                .with(|d| d.as_ref().and_then(|d| d.zs.get(model).copied().flatten())),
            uploads: map.upload_points.with(|u| u.to_vec()),
            ..Overlay::default()
        };
        state.explore.samples.with(|s| {
            let sets = s.iter().flat_map(|s| &s.sets).filter(|set| set.model == model);
            o.samples = sets.map(|set| (set.points.clone(), set.source == "prior")).collect();
        });
        o.path = state
            .explore
            .interpolation
            .with(|i| i.as_ref().and_then(|i| Some((*i.paths.get(model)?, i.steps))));
        o.picked = state.explore.picking.with(|p| {
            let ends = p.iter().flatten();
            points.with(|(pts, _)| {
                ends.filter_map(|e| match *e {
                    End::At(z) => Some(z),
                    End::Point(i) => Some([*pts.get(2 * i)?, *pts.get(2 * i + 1)?]),
                })
                .collect()
            })
        });
        o.drawn = map.drawn.get();
        let lectures = state.lectures;
        if lectures.open.get() && lectures.item.get() == crate::state::Item::Posterior {
            o.posterior = lectures.answer.with(|a| match a {
                Some((_, LectureResult::Posterior { models }, _)) => {
                    models.iter().find(|p| p.model == model).cloned()
                }
                _ => None,
            });
        }
        overlay::draw(&c, &view, &o, dpr());
        // For tests and a person in the console: where the drawing's marker is (map coordinates).
        let at = o.drawn.map(|[x, y]| format!("{x} {y}")).unwrap_or_default();
        let _ = c.set_attribute("data-drawn", &at);
    });
    let to_canvas =
        move |ev: &MouseEvent| [ev.offset_x() as f32 * dpr() as f32, ev.offset_y() as f32 * dpr() as f32];
    // Mouse, pen and touch alike: the pointers down on the map, for a pinch.
    let touches = StoredValue::new(Vec::<(i32, [f32; 2])>::new());
    let on_down = move |ev: PointerEvent| {
        let (p, id) = (to_canvas(&ev), ev.pointer_id());
        if let Some(c) = canvas.get_untracked()
            && let Err(e) = c.set_pointer_capture(id)
        {
            web_sys::console::warn_2(&"pointer capture refused:".into(), &e);
        }
        let n = touches.try_update_value(|t| {
            t.retain(|(i, _)| *i != id);
            t.push((id, p));
            t.len()
        });
        // A second finger starts a pinch: no drag, no tap.
        drag.set_value(if n == Some(1) { Some((p[0], p[1], false)) } else { None });
    };
    let on_move = move |ev: PointerEvent| {
        let (p, id) = (to_canvas(&ev), ev.pointer_id());
        let pinch = touches
            .try_update_value(|t| {
                let before = two(t);
                if let Some(e) = t.iter_mut().find(|e| e.0 == id) {
                    e.1 = p;
                }
                before.zip(two(t))
            })
            .flatten();
        if let Some(((a0, b0), (a1, b1))) = pinch {
            let (d0, d1) = (distance(a0, b0), distance(a1, b1));
            if d0 > 1.0 {
                set_view(current_view().zoom(d1 / d0, [(a1[0] + b1[0]) / 2.0, (a1[1] + b1[1]) / 2.0]));
            }
            return;
        }
        match drag.get_value() {
            Some((x, y, moved)) if ev.buttons() & 1 == 1 => {
                let d = [p[0] - x, p[1] - y];
                if moved || d[0].abs() + d[1].abs() > 4.0 {
                    set_view(current_view().pan(d));
                    drag.set_value(Some((p[0], p[1], true)));
                }
            }
            _ if ev.buttons() == 0 => {
                // Hovering (mouse or pen) decodes as the cursor goes; touch has no hover.
                let view = current_view();
                let near = points.with(|(pts, _)| nearest_point(pts, &view, p, 6.0 * dpr() as f32));
                state.decode(model, view.latent_from_screen(p), None, near);
            }
            _ => {}
        }
    };
    let on_up = move |ev: PointerEvent| {
        let id = ev.pointer_id();
        touches.update_value(|t| t.retain(|(i, _)| *i != id));
        let tapped = drag.get_value().is_some_and(|d| !d.2);
        drag.set_value(None);
        if tapped {
            // A click or tap on a data point decodes that point and shows its original beside its reconstruction.
            let (view, at) = (current_view(), to_canvas(&ev));
            let hit = points.with(|(p, _)| {
                nearest_point(p, &view, at, 4.0 * dpr() as f32).map(|i| (i, [p[2 * i], p[2 * i + 1]]))
            });
            if state.explore.picking.get_untracked().is_some() {
                state.pick(hit.map_or(End::At(view.latent_from_screen(at)), |(i, _)| End::Point(i)));
            }
            match hit {
                Some((i, z)) => state.decode(model, z, Some(i), Some(i)),
                None => state.decode(model, view.latent_from_screen(at), None, None),
            }
        }
    };
    let on_cancel = move |ev: PointerEvent| {
        let id = ev.pointer_id();
        touches.update_value(|t| t.retain(|(i, _)| *i != id));
        drag.set_value(None);
    };
    let on_wheel = move |ev: WheelEvent| {
        ev.prevent_default();
        let factor = if ev.delta_y() < 0.0 { 1.2 } else { 1.0 / 1.2 };
        set_view(current_view().zoom(factor, to_canvas(&ev)));
    };
    let names = move || state.class_names();
    let title = move || map_title(&state, model);
    let legend = move || -> Vec<(String, String)> {
        match shown.with(|s| s.edges.clone()) {
            edges if !edges.is_empty() => edges
                .iter()
                .enumerate()
                .map(|(i, e)| (crate::plot::css_rgb(HEAT[i]), format!("≤ {e:.4}")))
                .collect(),
            _ => names().into_iter().enumerate().map(|(i, name)| (css_colour(i as u8), name)).collect(),
        }
    };
    let suffix = if model == 0 { String::new() } else { format!("-{model}") };
    let (testid, overlay_id) = (format!("latent-plot{suffix}"), format!("latent-overlay{suffix}"));
    let size = move || format!("{}px", css());
    view! {
        <section class="latent" style:width=move || format!("{}px", css() + 2.0) aria-label=move || format!("{} map", if model == 0 { "First" } else { "Second" })>
            <h2>{title} " " <small>{move || match state.work.replay.get() {
                Some(_) => format!("replay: step {}", points.with(|p| p.1)),
                None => {
                    let ups = map.upload_points.with(|u| u.len() / 2);
                    let by = if map.errors.with(Option::is_some) { " · by error" } else { "" };
                    let up = if ups > 0 { format!(" + {ups} of yours (◆)") } else { String::new() };
                    format!("{} test points{up}{by}", state.explore.labels.with(|l| l.len()))
                }
            }}</small></h2>
            <div class="layers" style:width=size style:height=size>
                <canvas data-testid=testid node_ref=canvas style:width=size style:height=size tabindex="0"
                    data-view=move || view.with(|v| format!("{:.4} {:.4} {:.3}", v.centre[0], v.centre[1], v.scale))
                    aria-label="Latent map: the arrow keys move the decode cursor, Enter decodes the nearest test point, ? lists every key"
                    on:pointerdown=on_down on:pointermove=on_move on:pointerup=on_up on:pointercancel=on_cancel on:wheel=on_wheel
                    on:dblclick=move |_| user_view.set(None)></canvas>
                <canvas class="overlay" data-testid=overlay_id node_ref=overlay_canvas style:width=size style:height=size
                    aria-hidden="true"></canvas>
            </div>
            <ul class="legend" data-testid="legend">
                {move || legend().into_iter().map(|(colour, name)| view! {
                    <li><span class="swatch" style:background=colour></span>{name}</li>
                }).collect_view()}
            </ul>
        </section>
    }
}

/// A map's title: a model opened from files names itself on the first map.
fn map_title(state: &AppState, model: usize) -> String {
    match state.work.own.get().filter(|_| model == 0) {
        Some(own) => format!("Your model: {}", own.split(':').next().unwrap_or_default()),
        None => captions::title(state.kind(model)).to_string(),
    }
}

/// What each map shows, in the lecture's terms, and what the view measured on it (below the stage).
#[component]
pub fn MapNotes() -> impl IntoView {
    let state = expect_context::<AppState>();
    let note = move |model: usize| {
        let kind = move || state.kind(model);
        view! {
            <h2>{move || map_title(&state, model)}</h2>
            <p class="caption" data-testid=format!("caption-{model}")>{move || captions::caption(kind(), state.mode().compare())}</p>
            <p class="caption" data-testid=format!("map-info-{model}")>{move || captions::info_text(state.maps[model].info.get(), kind().is_none())}</p>
        }
    };
    view! {
        <section class="panel notes" aria-label="What the maps show">
            {note(0)}
            <Show when=move || state.two_maps()>{note(1)}</Show>
            <p class="hint">"Hover or click a map to decode · drag to pan · wheel to zoom · double-click to fit"</p>
        </section>
    }
}
