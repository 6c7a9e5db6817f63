//! The latent map's geometry and pixels, as pure functions (tested natively): the view transform
//! between latent coordinates and canvas pixels, the class palette, and the point rasteriser.
//!
//! Conventions: latent x grows to the right and latent y grows upwards; canvas pixels grow right and
//! down. Canvas sizes are in device pixels (CSS size × devicePixelRatio).

/// A colour-blind-safe palette for ten classes (Okabe–Ito's eight, plus Tol's wine and grey).
pub const PALETTE: [[u8; 3]; 10] = [
    [0xE6, 0x9F, 0x00],
    [0x56, 0xB4, 0xE9],
    [0x00, 0x9E, 0x73],
    [0xF0, 0xE4, 0x42],
    [0x00, 0x72, 0xB2],
    [0xD5, 0x5E, 0x00],
    [0xCC, 0x79, 0xA7],
    [0x33, 0x33, 0x33],
    [0x88, 0x22, 0x55],
    [0x99, 0x99, 0x99],
];

/// A sequential scale (viridis, dark = low → yellow = high) for ten bins of reconstruction error.
pub const HEAT: [[u8; 3]; 10] = [
    [0x44, 0x01, 0x54],
    [0x48, 0x28, 0x78],
    [0x3E, 0x49, 0x89],
    [0x31, 0x68, 0x8E],
    [0x26, 0x82, 0x8E],
    [0x1F, 0x9E, 0x89],
    [0x35, 0xB7, 0x79],
    [0x6E, 0xCE, 0x58],
    [0xB5, 0xDE, 0x2B],
    [0xFD, 0xE7, 0x25],
];

/// Points ordered by error (lowest first, so the worst are drawn on top), with each one's error
/// decile (0..=9) as its colour bin, and the upper edge of each decile.
pub fn by_error(points: &[f32], errors: &[f32]) -> (Vec<f32>, Vec<u8>, Vec<f32>) {
    let n = errors.len().min(points.len() / 2);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| errors[a].total_cmp(&errors[b]));
    let pts = order.iter().flat_map(|&i| [points[2 * i], points[2 * i + 1]]).collect();
    let bins = (0..n).map(|r| (r * 10 / n.max(1)) as u8).collect();
    let edges =
        (1..=10).filter_map(|d| order.get((d * n / 10).min(n.max(1) - 1)).map(|&i| errors[i])).collect();
    (pts, bins, edges)
}

/// CSS colour of class `label`.
pub fn css_colour(label: u8) -> String {
    css_rgb(PALETTE[usize::from(label) % 10])
}

/// CSS colour of an RGB triple.
pub fn css_rgb([r, g, b]: [u8; 3]) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// Where the latent plane sits on the canvas: the latent point at the canvas centre and pixels per unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LatentView {
    pub centre: [f32; 2],
    pub scale: f32,
    pub width: f32,
    pub height: f32,
}

impl LatentView {
    /// A view of a `width x height` canvas showing where `points` (`[n * 2]`) are dense: each axis
    /// spans its 1st to 99th percentile (all points when fewer than 100) with a margin, so a few
    /// outliers do not squeeze the rest into a blob; -3..3 without points.
    pub fn fit(points: &[f32], width: f32, height: f32) -> Self {
        let finite: Vec<&[f32]> =
            points.chunks_exact(2).filter(|p| p[0].is_finite() && p[1].is_finite()).collect();
        let trim = finite.len() / 100;
        let (mut lo, mut hi) = ([-3.0f32; 2], [3.0f32; 2]);
        if !finite.is_empty() {
            for a in 0..2 {
                let mut v: Vec<f32> = finite.iter().map(|p| p[a]).collect();
                v.sort_unstable_by(f32::total_cmp);
                (lo[a], hi[a]) = (v[trim], v[v.len() - 1 - trim]);
            }
        }
        for a in 0..2 {
            if lo[a] >= hi[a] {
                (lo[a], hi[a]) = (lo[a] - 1.0, hi[a] + 1.0);
            }
        }
        let centre = [(lo[0] + hi[0]) / 2.0, (lo[1] + hi[1]) / 2.0];
        let scale = 0.9 * (width / (hi[0] - lo[0])).min(height / (hi[1] - lo[1]));
        Self { centre, scale, width, height }
    }

    /// The same view with its sizes and scale divided by `ratio` (device pixels → CSS pixels).
    pub fn scaled_down(self, ratio: f32) -> Self {
        Self { scale: self.scale / ratio, width: self.width / ratio, height: self.height / ratio, ..self }
    }

    pub fn screen_from_latent(&self, p: [f32; 2]) -> [f32; 2] {
        [
            self.width / 2.0 + (p[0] - self.centre[0]) * self.scale,
            self.height / 2.0 - (p[1] - self.centre[1]) * self.scale,
        ]
    }

    /// Latent point under canvas pixel `s` (the inverse of [`Self::screen_from_latent`]).
    pub fn latent_from_screen(&self, s: [f32; 2]) -> [f32; 2] {
        [
            self.centre[0] + (s[0] - self.width / 2.0) / self.scale,
            self.centre[1] - (s[1] - self.height / 2.0) / self.scale,
        ]
    }

    /// Zooms by `factor` keeping the latent point under canvas pixel `at` fixed.
    pub fn zoom(self, factor: f32, at: [f32; 2]) -> Self {
        let anchor = self.latent_from_screen(at);
        let mut v = Self { scale: (self.scale * factor).clamp(1e-3, 1e6), ..self };
        let moved = v.latent_from_screen(at);
        v.centre = [v.centre[0] + anchor[0] - moved[0], v.centre[1] + anchor[1] - moved[1]];
        v
    }

    /// Moves the view by `d` canvas pixels (drag).
    pub fn pan(self, d: [f32; 2]) -> Self {
        Self { centre: [self.centre[0] - d[0] / self.scale, self.centre[1] + d[1] / self.scale], ..self }
    }
}

/// Draws `points` (`[n * 2]`) coloured by `labels` as `size`-pixel squares into an RGBA buffer of the
/// view's size, over a white background. Returns the buffer (width × height × 4 bytes).
pub fn rasterize(
    points: &[f32],
    labels: &[u8],
    view: &LatentView,
    size: usize,
    palette: &Palette,
) -> Vec<u8> {
    let mut buf = vec![255u8; view.width as usize * view.height as usize * 4];
    rasterize_onto(&mut buf, points, labels, view, size, palette);
    buf
}

/// Ten colours, by class or by error bin.
pub type Palette = [[u8; 3]; 10];

/// The manifold's `tiles²` decoded images (`[tiles² * w * h * c]`, 0..1, row by row from the top
/// left; `shape` is `(w, h, c)`) as one grid of soft RGBA pixels, `w * tiles` across and `h * tiles`
/// down, so points stay visible on top. Built once per manifold; [`paint_manifold`] only samples it.
pub fn manifold_pixels(tiles: usize, images: &[f32], shape: (usize, usize, usize)) -> Vec<[u8; 4]> {
    let (w, h, c) = shape;
    let across = w * tiles;
    let mut out = vec![[255u8; 4]; across * h * tiles];
    let soft = |v: u8| 255 - ((255 - u16::from(v)) * 150 / 255) as u8;
    for (t, image) in images.chunks_exact(w * h * c).take(tiles * tiles).enumerate() {
        let (row, col) = (t / tiles, t % tiles);
        for (p, px) in crate::components::rgba_of(image, c, 150.0).enumerate() {
            let at = (row * h + p / w) * across + col * w + p % w;
            out[at] = if c >= 3 { [soft(px[0]), soft(px[1]), soft(px[2]), 255] } else { px };
        }
    }
    out
}

/// An RGBA buffer of the view's size showing the manifold grid of [`manifold_pixels`] (`tiles`
/// images a side) stretched over latent `region` `[x0, y0, x1, y1]`; white outside the region.
/// One table lookup and a 4-byte copy per pixel (a 680-pixel map in about a millisecond).
pub fn paint_manifold(
    view: &LatentView,
    region: [f32; 4],
    (tiles, tile): (usize, (usize, usize)),
    pixels: &[[u8; 4]],
) -> Vec<u8> {
    let (w, h) = (view.width as usize, view.height as usize);
    let mut buf = vec![255u8; w * h * 4];
    let [x0, y0, x1, y1] = region;
    let (across, down) = (tile.0 * tiles, tile.1 * tiles);
    let (tw, th) = ((x1 - x0) / tiles.max(1) as f32, (y1 - y0) / tiles.max(1) as f32);
    if !(tw > 0.0 && th > 0.0) || pixels.len() < across * down {
        return buf;
    }
    // The grid column under each canvas column, and the grid row under each canvas row.
    let grid = |l: f32, origin: f32, tile: f32, px: usize, limit: usize| {
        let g = ((l - origin) / tile * px as f32).floor();
        (g >= 0.0 && g < limit as f32).then_some(g as usize)
    };
    let gx: Vec<Option<usize>> = (0..w)
        .map(|x| grid(view.latent_from_screen([x as f32 + 0.5, 0.0])[0], x0, tw, tile.0, across))
        .collect();
    for (y, out) in buf.chunks_exact_mut(w * 4).enumerate() {
        let ly = view.latent_from_screen([0.0, y as f32 + 0.5])[1];
        let Some(gy) = grid(-ly, -y1, th, tile.1, down) else { continue };
        let src = &pixels[gy * across..(gy + 1) * across];
        for (px, col) in out.chunks_exact_mut(4).zip(&gx) {
            if let Some(c) = *col {
                px.copy_from_slice(&src[c]);
            }
        }
    }
    buf
}

/// The latent region `[x0, y0, x1, y1]` a view shows.
pub fn visible_region(view: &LatentView) -> [f32; 4] {
    let lo = view.latent_from_screen([0.0, view.height]);
    let hi = view.latent_from_screen([view.width, 0.0]);
    [lo[0], lo[1], hi[0], hi[1]]
}

/// Draws `points` as in [`rasterize`] onto an existing RGBA buffer of the view's size.
pub fn rasterize_onto(
    buf: &mut [u8],
    points: &[f32],
    labels: &[u8],
    view: &LatentView,
    size: usize,
    palette: &Palette,
) {
    let (w, h) = (view.width as usize, view.height as usize);
    if buf.len() < w * h * 4 {
        return;
    }
    let half = (size / 2) as isize;
    for (p, &label) in points.chunks_exact(2).zip(labels) {
        let [sx, sy] = view.screen_from_latent([p[0], p[1]]);
        if !(sx.is_finite() && sy.is_finite()) {
            continue;
        }
        let (cx, cy) = (sx as isize, sy as isize);
        let [r, g, b] = palette[usize::from(label) % 10];
        for y in (cy - half).max(0)..(cy - half + size as isize).min(h as isize) {
            let row = y as usize * w;
            for x in (cx - half).max(0)..(cx - half + size as isize).min(w as isize) {
                let i = (row + x as usize) * 4;
                buf[i..i + 4].copy_from_slice(&[r, g, b, 255]);
            }
        }
    }
}

/// Index of the point (`[n * 2]`) nearest to canvas pixel `at`, if within `radius` pixels.
pub fn nearest_point(points: &[f32], view: &LatentView, at: [f32; 2], radius: f32) -> Option<usize> {
    points
        .chunks_exact(2)
        .enumerate()
        .map(|(i, p)| {
            let s = view.screen_from_latent([p[0], p[1]]);
            (i, (s[0] - at[0]).powi(2) + (s[1] - at[1]).powi(2))
        })
        .filter(|(_, d2)| *d2 <= radius * radius)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}

/// "Nice" tick positions (1, 2 or 5 × 10^k apart) covering `lo..hi` with about `n` ticks, each with
/// its label written to the step's precision ("0.1", not "0.099999994").
pub fn ticks(lo: f32, hi: f32, n: usize) -> Vec<(f32, String)> {
    if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) || n == 0 {
        return Vec::new();
    }
    let raw = (hi - lo) / n as f32;
    let mag = 10f32.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * mag).find(|s| *s >= raw).unwrap_or(10.0 * mag);
    let decimals = (-step.log10().floor()).max(0.0) as usize;
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|i| i as f32 * step).map(|t| (t, format!("{t:.decimals$}"))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bins_put_the_worst_last() {
        let points: Vec<f32> = (0..20).flat_map(|i| [i as f32, 0.0]).collect();
        let errors: Vec<f32> = (0..20).map(|i| ((i * 7) % 20) as f32).collect();
        let (pts, bins, edges) = by_error(&points, &errors);
        assert_eq!(bins.len(), 20);
        assert_eq!((bins[0], bins[19]), (0, 9));
        // The last point drawn is the one with the largest error (19 = 7 * 17 mod 20).
        assert_eq!(&pts[38..], &[17.0, 0.0]);
        assert_eq!(edges.len(), 10);
        assert_eq!(edges[9], 19.0);
    }

    #[test]
    fn manifold_tiles_land_where_their_latent_region_is() {
        // The view shows -10..10; the manifold covers -5..5 = canvas pixels 25..75.
        let view = LatentView { centre: [0.0, 0.0], scale: 5.0, width: 100.0, height: 100.0 };
        // 2×2 tiles over -5..5: the top-left tile is dark, the others blank.
        let mut images = vec![0.0; 4 * 784];
        images[..784].fill(1.0);
        let grid = manifold_pixels(2, &images, (28, 28, 1));
        let buf = paint_manifold(&view, [-5.0, -5.0, 5.0, 5.0], (2, (28, 28)), &grid);
        let grey = |x: usize, y: usize| buf[(y * 100 + x) * 4];
        assert_eq!(grey(30, 30), 105, "top-left tile is dark");
        assert_eq!(grey(70, 30), 255, "top-right tile is blank");
        assert_eq!(grey(30, 70), 255, "bottom-left tile is blank");
        assert_eq!(grey(10, 10), 255, "outside the region");
        assert_eq!(visible_region(&view), [-10.0, -10.0, 10.0, 10.0]);
    }

    #[test]
    fn screen_and_latent_are_inverse() {
        let v = LatentView::fit(&[-2.0, -1.0, 4.0, 3.0], 400.0, 300.0);
        for p in [[0.0, 0.0], [-2.0, -1.0], [4.0, 3.0], [1.5, -0.25]] {
            let back = v.latent_from_screen(v.screen_from_latent(p));
            assert!((back[0] - p[0]).abs() < 1e-4 && (back[1] - p[1]).abs() < 1e-4);
        }
        let s = v.screen_from_latent([4.0, 3.0]);
        assert!(s[0] > 200.0 && s[1] < 150.0, "up and right of the centre: {s:?}");
        let z = v.zoom(2.0, [10.0, 20.0]);
        let a = v.latent_from_screen([10.0, 20.0]);
        let b = z.latent_from_screen([10.0, 20.0]);
        assert!((a[0] - b[0]).abs() < 1e-4 && (a[1] - b[1]).abs() < 1e-4);
    }

    #[test]
    fn the_fit_ignores_outliers() {
        // 200 points in -1..1 and two far outliers: the view spans the dense part.
        let mut pts: Vec<f32> = (0..400).map(|i| (i % 21) as f32 / 10.0 - 1.0).collect();
        pts.extend([50.0, -40.0, -60.0, 30.0]);
        let v = LatentView::fit(&pts, 300.0, 300.0);
        assert!(v.scale > 100.0, "fitted to the outliers: {v:?}");
        assert!(v.centre[0].abs() < 0.2 && v.centre[1].abs() < 0.2, "{v:?}");
        // One point or none still gives a usable view.
        assert!(LatentView::fit(&[1.0, 2.0], 300.0, 300.0).scale.is_finite());
        assert_eq!(LatentView::fit(&[], 300.0, 300.0).centre, [0.0, 0.0]);
    }

    #[test]
    fn rasterize_colours_the_right_pixels() {
        let v = LatentView { centre: [0.0, 0.0], scale: 10.0, width: 20.0, height: 20.0 };
        let buf = rasterize(&[0.0, 0.0, f32::NAN, 1.0], &[3, 1], &v, 2, &PALETTE);
        let px = |x: usize, y: usize| &buf[(y * 20 + x) * 4..(y * 20 + x) * 4 + 3];
        assert_eq!(px(10, 10), PALETTE[3]);
        assert_eq!(px(0, 0), [255, 255, 255]);
    }

    #[test]
    fn nearest_point_hits_within_radius() {
        let v = LatentView { centre: [0.0, 0.0], scale: 10.0, width: 100.0, height: 100.0 };
        let pts = [0.0, 0.0, 1.0, 1.0];
        assert_eq!(nearest_point(&pts, &v, [51.0, 50.0], 3.0), Some(0));
        assert_eq!(nearest_point(&pts, &v, [60.0, 40.0], 3.0), Some(1));
        assert_eq!(nearest_point(&pts, &v, [80.0, 80.0], 3.0), None);
    }

    #[test]
    fn ticks_are_round() {
        let at = |lo, hi, n| ticks(lo, hi, n).into_iter().map(|t| t.0).collect::<Vec<_>>();
        let labels = |lo, hi, n| ticks(lo, hi, n).into_iter().map(|t| t.1).collect::<Vec<_>>();
        assert_eq!(at(-1.1, 1.1, 4), vec![-1.0, 0.0, 1.0]);
        assert_eq!(at(-1.1, 1.1, 10), vec![-1.0, -0.5, 0.0, 0.5, 1.0]);
        assert!(ticks(1.0, 1.0, 4).is_empty());
        assert_eq!(labels(-1.1, 1.1, 10), ["-1.0", "-0.5", "0.0", "0.5", "1.0"]);
        assert_eq!(labels(0.03, 0.13, 6), ["0.04", "0.06", "0.08", "0.10", "0.12"]);
        assert_eq!(labels(-25.0, 35.0, 6), ["-20", "-10", "0", "10", "20", "30"]);
    }
}
