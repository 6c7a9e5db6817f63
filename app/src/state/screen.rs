//! The screen: the viewport and where the maps start, from which the maps' size follows, so the
//! maps and the decoded images fit in one screen at any size (a projector, a tablet, a phone);
//! presenter mode and the tour's step.

use leptos::prelude::*;

/// Page padding on each side, gap between boxes (CSS px).
const PAD: f64 = 12.0;
const GAP: f64 = 12.0;
/// Height of a map's title row and of its legend (two rows at most).
const TITLE: f64 = 30.0;
const LEGEND: f64 = 46.0;
/// Height kept under the maps for the decoded images when they cannot sit beside them, and for a
/// tour step's words, evidence and decoded images.
pub const DECODE_ROW: f64 = 176.0;
pub const TOUR_ROW: f64 = 260.0;
/// Smallest map side (CSS px): below it the page scrolls rather than shrinking the map further.
const MIN_SIDE: f64 = 160.0;
/// Widest column beside the maps: it takes the width the maps leave (the lectures use it), up to this.
const MAX_COLUMN: f64 = 420.0;

/// How the maps and the decoded images share the screen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    /// Side of each (square) map, CSS px.
    pub side: f64,
    /// The decoded images sit in a column beside the maps (else in a row under them).
    pub beside: bool,
    /// Width of that column (CSS px).
    pub column: f64,
}

impl Fit {
    /// Height of a map with its title and legend: what a panel beside the maps may take.
    pub fn height(&self) -> f64 {
        self.side + TITLE + LEGEND
    }
}

/// The layout of `maps` maps in a `w × h` viewport whose maps' row starts `top` px down the page.
/// Wide screens get the decoded images in a column to the right; tall or narrow ones under the maps,
/// in a row `row` px tall ([`DECODE_ROW`], or [`TOUR_ROW`] during the tour).
pub fn fit(w: f64, h: f64, top: f64, maps: usize, row: f64) -> Fit {
    let n = maps.max(1) as f64;
    let beside = w >= 600.0 && w >= h;
    let column = if beside { (w * 0.2).clamp(200.0, 300.0) } else { 0.0 };
    let across = w - 2.0 * PAD - column - GAP * if beside { n } else { n - 1.0 };
    let down = h - top - TITLE - LEGEND - if beside { 0.0 } else { row };
    let side = (across / n).min(down).floor().max(MIN_SIDE);
    let column =
        if beside { (column + across - n * side).clamp(column, MAX_COLUMN.max(column)) } else { 0.0 };
    Fit { side, beside, column }
}

/// The viewport (CSS px) and the top of the maps' row in the page.
#[derive(Clone, Copy)]
pub struct Screen {
    pub viewport: RwSignal<(f64, f64)>,
    pub stage_top: RwSignal<f64>,
    /// Presenter mode: large type, larger points, only the essentials (`?present=1`, key `p`).
    pub present: RwSignal<bool>,
    /// The guided tour's step (0-based; None: closed).
    pub tour: RwSignal<Option<usize>>,
}

impl Screen {
    pub(super) fn new() -> Self {
        let screen = Self {
            viewport: RwSignal::new((1024.0, 768.0)),
            stage_top: RwSignal::new(120.0),
            present: RwSignal::new(crate::js::query("present").is_some_and(|v| v == "1")),
            tour: RwSignal::new(None),
        };
        screen.measure();
        screen
    }

    /// Reads the viewport and the maps' row position again (after a resize, a rotation, or a change
    /// above the maps); signals change only when the figures do.
    pub fn measure(&self) {
        let Some(window) = web_sys::window() else { return };
        let px = |v: Result<wasm_bindgen::JsValue, _>| v.ok().and_then(|v| v.as_f64());
        if let (Some(w), Some(h)) = (px(window.inner_width()), px(window.inner_height())) {
            // The width the page lays out in: without a vertical scroll bar's share.
            let client =
                window.document().and_then(|d| d.document_element()).map(|e| f64::from(e.client_width()));
            let w = client.filter(|c| *c > 0.0).unwrap_or(w).min(w);
            if self.viewport.get_untracked() != (w, h) {
                self.viewport.set((w, h));
            }
        }
        let stage = window.document().and_then(|d| d.query_selector(".stage").ok().flatten());
        if let Some(stage) = stage {
            let top = (stage.get_bounding_client_rect().top() + window.scroll_y().unwrap_or(0.0)).round();
            if (self.stage_top.get_untracked() - top).abs() >= 1.0 {
                self.stage_top.set(top);
            }
        }
    }

    /// Turns presenter mode on or off, full screen with it where the browser allows (a key press or
    /// a click is the user gesture the Fullscreen API asks for).
    pub fn set_present(&self, on: bool) {
        self.present.set(on);
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
        let full = doc.fullscreen_element().is_some();
        if on && !full {
            if let Some(root) = doc.document_element()
                && let Err(e) = root.request_fullscreen()
            {
                web_sys::console::warn_2(&"full screen refused:".into(), &e);
            }
        } else if !on && full {
            doc.exit_fullscreen();
        }
    }

    /// The layout for `maps` maps (tracked).
    pub fn fit(&self, maps: usize) -> Fit {
        let (w, h) = self.viewport.get();
        let row = if self.tour.get().is_some() { TOUR_ROW } else { DECODE_ROW };
        fit(w, h, self.stage_top.get(), maps, row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Everything (maps, their title and legend, the decoded images) inside a `w × h` screen.
    fn fits_on_screen(w: f64, h: f64, top: f64, maps: usize) -> Fit {
        fits_with(w, h, top, maps, DECODE_ROW)
    }

    fn fits_with(w: f64, h: f64, top: f64, maps: usize, row: f64) -> Fit {
        let f = fit(w, h, top, maps, row);
        let n = maps as f64;
        let width = 2.0 * PAD + f.column + n * f.side + GAP * if f.beside { n } else { n - 1.0 };
        assert!(width <= w, "{w}×{h}, {maps} maps: {width} px wide ({f:?})");
        let height = top + TITLE + f.side + LEGEND + if f.beside { 0.0 } else { row };
        assert!(height <= h, "{w}×{h}, {maps} maps: {height} px tall ({f:?})");
        f
    }

    #[test]
    fn the_maps_and_the_decodes_fit_the_common_screens() {
        for maps in [1, 2] {
            let projector = fits_on_screen(1024.0, 768.0, 120.0, maps);
            assert!(projector.beside && projector.side >= 300.0, "{projector:?}");
            fits_on_screen(1280.0, 720.0, 120.0, maps);
            let tablet = fits_on_screen(768.0, 1024.0, 150.0, maps);
            assert!(!tablet.beside, "{tablet:?}");
            fits_on_screen(390.0, 844.0, 190.0, maps);
            // A projector's height limits one map: the column beside it takes the width left.
            if maps == 1 {
                assert!(projector.column >= 380.0, "{projector:?}");
            }
            // A small landscape window keeps the decodes beside the maps.
            assert!(fits_on_screen(800.0, 544.0, 125.0, maps).beside);
            // During the tour a tablet and a phone keep a taller row under the maps for the evidence.
            let phone = fits_with(390.0, 844.0, 190.0, maps, TOUR_ROW);
            assert!(!phone.beside && (maps == 2 || phone.side >= 250.0), "{phone:?}");
            fits_with(768.0, 1024.0, 150.0, maps, TOUR_ROW);
        }
    }

    #[test]
    fn a_large_screen_gives_the_maps_at_least_a_third() {
        for maps in [1, 2] {
            let f = fits_on_screen(1920.0, 1080.0, 120.0, maps);
            let share = maps as f64 * f.side * f.side / (1920.0 * 1080.0);
            assert!(share >= 1.0 / 3.0, "{maps} maps cover {share:.2} of the screen");
        }
    }
}
