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

    /// Model `i`'s name in the current mode ("AE", "VAE", …; "Your model" for one opened from files).
    pub fn name(self, i: usize) -> impl Fn() -> &'static str + Copy {
        move || match leptos::prelude::With::with(&self.0.work.own, Option::is_some) {
            true if i == 0 => "Your model",
            _ => self.0.mode().names().get(i).copied().unwrap_or(""),
        }
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

thread_local! {
    /// The shape (width, height, channels) of the images the models shown make: 28×28 grey, or an
    /// opened model's own.
    static IMAGE: std::cell::Cell<(usize, usize, usize)> = const { std::cell::Cell::new((28, 28, 1)) };
}

/// The images shown from now on are `w × h` with `c` channels (1: grey, 3: RGB).
pub(crate) fn set_image_shape(w: usize, h: usize, c: usize) {
    IMAGE.with(|s| s.set((w.max(1), h.max(1), c.max(1))));
}

/// The shape (width, height, channels) of the images shown.
pub(crate) fn image_shape() -> (usize, usize, usize) {
    IMAGE.with(std::cell::Cell::get)
}

/// Values per image shown (784 for 28×28 grey).
pub(crate) fn image_len() -> usize {
    let (w, h, c) = image_shape();
    w * h * c
}

/// One image's pixels (values in 0..1, channels interleaved) as RGBA: grey ones as dark ink on
/// white (`ink`: how dark full ink is, 255 for black), colour ones as they are.
pub(crate) fn rgba_of(image: &[f32], c: usize, ink: f32) -> impl Iterator<Item = [u8; 4]> + '_ {
    image.chunks_exact(c.max(1)).map(move |px| {
        let byte = |v: f32| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
        match px {
            [r, g, b, ..] => [byte(*r), byte(*g), byte(*b), 255],
            [v, ..] => {
                let grey = 255 - (v.clamp(0.0, 1.0) * ink).round() as u8;
                [grey, grey, grey, 255]
            }
            [] => [255; 4],
        }
    })
}

/// Paints one image (values in 0..1, of the shape shown) into a canvas of its size (CSS scales it up
/// with `image-rendering: pixelated`).
pub(crate) fn paint_digit(canvas: &web_sys::HtmlCanvasElement, pixels: &[f32]) {
    let (w, h, c) = image_shape();
    if pixels.len() != w * h * c {
        return;
    }
    let Some(ctx) = context2d(canvas) else { return };
    let rgba: Vec<u8> = rgba_of(pixels, c, 255.0).flatten().collect();
    if canvas.width() as usize != w || canvas.height() as usize != h {
        canvas.set_width(w as u32);
        canvas.set_height(h as u32);
    }
    if let Ok(img) =
        web_sys::ImageData::new_with_u8_clamped_array_and_sh(wasm_bindgen::Clamped(&rgba), w as u32, h as u32)
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

/// Paints images of the shape shown (`[k * len]`, 0..1) into `canvas` as a grid of `cols` columns
/// with a 2-pixel gap, in one ImageData; sizes the canvas to fit.
pub(crate) fn paint_grid(canvas: &web_sys::HtmlCanvasElement, images: &[f32], cols: usize) {
    let (iw, ih, c) = image_shape();
    let len = iw * ih * c;
    let k = images.len() / len;
    let cols = cols.clamp(1, k.max(1));
    let rows = k.div_ceil(cols).max(1);
    let (w, h) = (cols * (iw + 2) - 2, rows * (ih + 2) - 2);
    let mut rgba = vec![255u8; w * h * 4];
    for (n, img) in images.chunks_exact(len).enumerate() {
        let (x0, y0) = ((n % cols) * (iw + 2), (n / cols) * (ih + 2));
        for (p, px) in rgba_of(img, c, 255.0).enumerate() {
            let i = ((y0 + p / iw) * w + x0 + p % iw) * 4;
            rgba[i..i + 4].copy_from_slice(&px);
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
