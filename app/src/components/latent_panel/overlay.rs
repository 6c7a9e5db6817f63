//! The map's overlay layer, a second canvas over the points: the shared crosshair, sample points, the
//! interpolation path and its picked ends, the user's images (◆) and drawing (★). A click or hover redraws only
//! this layer.

use super::super::{context2d, drawn};
use crate::plot::LatentView;
use crate::protocol::view::ModelPosterior;

/// What is drawn over the points: the shared crosshair, sample points and an interpolation path.
#[derive(Default)]
pub(super) struct Overlay {
    pub cross: Option<[f32; 2]>,
    /// (points `[n * 2]`, filled?) per sample set of this model.
    pub samples: Vec<(Vec<f32>, bool)>,
    /// `[xa, ya, xb, yb]` and the number of decodes along it.
    pub path: Option<([f32; 4], usize)>,
    /// Interpolation ends picked so far (latent points of this model).
    pub picked: Vec<[f32; 2]>,
    /// Uploaded images' map positions (`[u * 2]`).
    pub uploads: Vec<f32>,
    /// The user's drawing (★).
    pub drawn: Option<[f32; 2]>,
    /// The lectures' posterior of an image on this map.
    pub posterior: Option<ModelPosterior>,
}

/// Clears `canvas` and draws `o` on it.
pub(super) fn draw(canvas: &web_sys::HtmlCanvasElement, view: &LatentView, o: &Overlay, ratio: f64) {
    let Some(ctx) = context2d(canvas) else { return };
    ctx.clear_rect(0.0, 0.0, f64::from(canvas.width()), f64::from(canvas.height()));
    draw_overlay(&ctx, view, o, ratio);
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
            drawn(ctx.arc(x, y, 3.0 * ratio, 0.0, std::f64::consts::TAU));
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
            drawn(ctx.arc(ax + t * (bx - ax), ay + t * (by - ay), 3.5 * ratio, 0.0, std::f64::consts::TAU));
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
    if let Some(z) = o.drawn {
        star(ctx, at(z), 11.0 * ratio, ratio);
    }
    if let Some(p) = &o.posterior {
        posterior(ctx, view, (p.mean, p.cov, &p.draws), ratio);
    }
    for &p in &o.picked {
        let [x, y] = at(p);
        ctx.set_stroke_style_str("#c00");
        ctx.set_line_width(2.5 * ratio);
        ctx.begin_path();
        drawn(ctx.arc(x, y, 7.0 * ratio, 0.0, std::f64::consts::TAU));
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

/// A posterior on the map: its 1σ and 2σ ellipses (from the covariance's eigen-decomposition), the
/// draws as small rings and μ as a filled dot (an AE: the dot only).
fn posterior(
    ctx: &web_sys::CanvasRenderingContext2d,
    view: &LatentView,
    (mean, cov, draws): ([f32; 2], Option<[f32; 3]>, &[f32]),
    ratio: f64,
) {
    let [x, y] = view.screen_from_latent(mean).map(f64::from);
    let scale = f64::from(view.scale);
    ctx.set_stroke_style_str("#6a00a8");
    ctx.set_fill_style_str("#6a00a8");
    if let Some([a, b, c]) = cov.map(|c| c.map(f64::from)) {
        // Eigenvalues of [[a, b], [b, c]] and the angle of the first eigenvector (screen y points down).
        let (mid, half) = ((a + c) / 2.0, (((a - c) / 2.0).powi(2) + b * b).sqrt());
        let (l1, l2) = ((mid + half).max(0.0), (mid - half).max(0.0));
        let angle = -0.5 * (2.0 * b).atan2(a - c);
        for (k, width) in [(1.0, 2.5), (2.0, 1.2)] {
            ctx.set_line_width(width * ratio);
            ctx.begin_path();
            let (rx, ry) = ((k * l1.sqrt() * scale).max(1.0), (k * l2.sqrt() * scale).max(1.0));
            drawn(ctx.ellipse(x, y, rx, ry, angle, 0.0, std::f64::consts::TAU));
            ctx.stroke();
        }
    }
    ctx.set_line_width(1.5 * ratio);
    for p in draws.chunks_exact(2) {
        let [px, py] = view.screen_from_latent([p[0], p[1]]).map(f64::from);
        ctx.begin_path();
        drawn(ctx.arc(px, py, 3.5 * ratio, 0.0, std::f64::consts::TAU));
        ctx.stroke();
    }
    ctx.begin_path();
    drawn(ctx.arc(x, y, 5.0 * ratio, 0.0, std::f64::consts::TAU));
    ctx.fill();
}

/// A five-pointed star of outer radius `r` at `[x, y]`: the user's drawing, visible on any colour.
fn star(ctx: &web_sys::CanvasRenderingContext2d, [x, y]: [f64; 2], r: f64, ratio: f64) {
    ctx.begin_path();
    for i in 0..10 {
        let a = std::f64::consts::PI * (i as f64 / 5.0 - 0.5);
        let radius = if i % 2 == 0 { r } else { 0.45 * r };
        let (px, py) = (x + radius * a.cos(), y + radius * a.sin());
        if i == 0 { ctx.move_to(px, py) } else { ctx.line_to(px, py) }
    }
    ctx.close_path();
    ctx.set_fill_style_str("#ffd400");
    ctx.set_stroke_style_str("#000");
    ctx.set_line_width(2.0 * ratio);
    ctx.fill();
    ctx.stroke();
}
