//! One component per panel.

mod anomaly_panel;
mod chart_canvas;
mod controls_panel;
mod decode_panel;
mod draw_panel;
mod error_panel;
mod interp_panel;
mod latent_panel;
mod lectures;
mod lessons_panel;
mod loss_panel;
mod recon_panel;
mod sample_panel;
mod status_bar;
mod toolbar;
pub mod tour;
mod tour_column;
mod work_panel;

pub use anomaly_panel::AnomalyPanel;
pub use controls_panel::ControlsPanel;
pub use decode_panel::DecodePanel;
pub use draw_panel::DrawPanel;
pub use error_panel::ErrorPanel;
pub use interp_panel::InterpPanel;
pub use latent_panel::{LatentPanel, MapNotes};
pub use lectures::LecturesPanel;
pub use lessons_panel::LessonsPanel;
pub use loss_panel::LossPanel;
pub use recon_panel::ReconPanel;
pub use sample_panel::SamplePanel;
pub use status_bar::StatusBar;
pub use toolbar::Toolbar;
pub use tour::Tour;
pub use tour_column::TourColumn;
pub use work_panel::WorkPanel;

use wasm_bindgen::JsCast;

use crate::state::AppState;

/// What the side panels beside the maps (decode, draw) share: one figure per model shown.
#[derive(Clone, Copy)]
pub(crate) struct PerModel(AppState);

impl PerModel {
    /// The CSS display of model `i`'s figure: hidden when the mode has fewer models.
    pub fn shown(self, i: usize) -> impl Fn() -> &'static str + Copy {
        move || if i < self.0.mode().names().len() { "block" } else { "none" }
    }

    /// Model `i`'s name in the current mode ("AE", "VAE", …).
    pub fn name(self, i: usize) -> impl Fn() -> &'static str + Copy {
        move || self.0.mode().names().get(i).copied().unwrap_or("")
    }

    /// The panel's width: on a wide screen, the column beside the maps.
    pub fn width(self) -> impl Fn() -> String + Copy {
        move || {
            let fit = self.0.screen.fit(self.0.mode().maps());
            if fit.beside { format!("{}px", fit.column) } else { String::new() }
        }
    }
}

/// Model `i`'s test id: `base` for the first, `base-i` after it.
pub(crate) fn model_id(base: &str, i: usize) -> String {
    if i == 0 { base.to_string() } else { format!("{base}-{i}") }
}

/// Paints 784 grey values in 0..1 into a 28×28 canvas (CSS scales it up with `image-rendering: pixelated`).
pub(crate) fn paint_digit(canvas: &web_sys::HtmlCanvasElement, pixels: &[f32]) {
    let Some(ctx) = context2d(canvas) else { return };
    let rgba: Vec<u8> = pixels
        .iter()
        .flat_map(|&p| {
            let v = 255 - (p.clamp(0.0, 1.0) * 255.0).round() as u8;
            [v, v, v, 255]
        })
        .collect();
    if rgba.len() == 28 * 28 * 4
        && let Ok(img) =
            web_sys::ImageData::new_with_u8_clamped_array_and_sh(wasm_bindgen::Clamped(&rgba), 28, 28)
    {
        drawn(ctx.put_image_data(&img, 0.0, 0.0));
    }
}

/// Reports a failed canvas call (an invalid size or a detached canvas) in the console: the drawing
/// is incomplete, nothing else is affected.
pub(crate) fn drawn(result: Result<(), wasm_bindgen::JsValue>) {
    if let Err(e) = result {
        web_sys::console::warn_2(&"a canvas call failed:".into(), &e);
    }
}

/// The 2-D context of a canvas.
pub(crate) fn context2d(canvas: &web_sys::HtmlCanvasElement) -> Option<web_sys::CanvasRenderingContext2d> {
    canvas.get_context("2d").ok().flatten()?.dyn_into().ok()
}

/// The screen's device pixel ratio (1 when unknown).
pub(crate) fn dpr() -> f64 {
    web_sys::window().map_or(1.0, |w| w.device_pixel_ratio()).max(1.0)
}

/// Paints 28×28 images (`[k * 784]`, 0..1) into `canvas` as a grid of `cols` columns with a 2-pixel
/// gap, in one ImageData; sizes the canvas to fit.
pub(crate) fn paint_grid(canvas: &web_sys::HtmlCanvasElement, images: &[f32], cols: usize) {
    let k = images.len() / 784;
    let cols = cols.clamp(1, k.max(1));
    let rows = k.div_ceil(cols).max(1);
    let (w, h) = (cols * 30 - 2, rows * 30 - 2);
    let mut rgba = vec![255u8; w * h * 4];
    for (n, img) in images.chunks_exact(784).enumerate() {
        let (x0, y0) = ((n % cols) * 30, (n / cols) * 30);
        for (p, &v) in img.iter().enumerate() {
            let grey = 255 - (v.clamp(0.0, 1.0) * 255.0).round() as u8;
            let i = ((y0 + p / 28) * w + x0 + p % 28) * 4;
            rgba[i..i + 3].copy_from_slice(&[grey, grey, grey]);
        }
    }
    canvas.set_width(w as u32);
    canvas.set_height(h as u32);
    if let Some(ctx) = context2d(canvas)
        && let Ok(img) = web_sys::ImageData::new_with_u8_clamped_array_and_sh(
            wasm_bindgen::Clamped(&rgba),
            w as u32,
            h as u32,
        )
    {
        drawn(ctx.put_image_data(&img, 0.0, 0.0));
    }
}
