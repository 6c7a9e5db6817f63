//! One component per panel.

mod controls_panel;
mod decode_panel;
mod latent_panel;
mod loss_panel;
mod recon_panel;
mod status_bar;

pub use controls_panel::ControlsPanel;
pub use decode_panel::DecodePanel;
pub use latent_panel::LatentPanel;
pub use loss_panel::LossPanel;
pub use recon_panel::ReconPanel;
pub use status_bar::StatusBar;

use wasm_bindgen::JsCast;

/// The 2-D context of a canvas.
pub(crate) fn context2d(canvas: &web_sys::HtmlCanvasElement) -> Option<web_sys::CanvasRenderingContext2d> {
    canvas.get_context("2d").ok().flatten()?.dyn_into().ok()
}

/// The screen's device pixel ratio (1 when unknown).
pub(crate) fn dpr() -> f64 {
    web_sys::window().map_or(1.0, |w| w.device_pixel_ratio()).max(1.0)
}
