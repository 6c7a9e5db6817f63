//! One map's state: its points, what the view measured on them, its overlays and its view.

use std::sync::Arc;

use leptos::prelude::*;

use super::{Manifold, Recons, Worst};
use crate::plot::LatentView;
use crate::protocol::view::{Denoise, MapInfo};

/// Everything one map shows (one per model; the page keeps [`super::MAX_MODELS`] of them).
#[derive(Clone, Copy)]
pub struct MapState {
    /// The test points' 2-D map positions (`[n * 2]`) and the step they come from.
    pub latents: RwSignal<(Arc<Vec<f32>>, u64)>,
    /// What the view measured on the map (k-NN, projection, sparsity).
    pub info: RwSignal<MapInfo>,
    /// The points' reconstruction errors (when colouring by them) and the worst images.
    pub errors: RwSignal<Option<Arc<Vec<f32>>>>,
    pub worst: RwSignal<Option<Worst>>,
    /// The uploaded images' map positions (`[u * 2]`).
    pub upload_points: RwSignal<Arc<Vec<f32>>>,
    /// The user's drawing's map position.
    pub drawn: RwSignal<Option<[f32; 2]>>,
    /// Fixed test images and their reconstructions, and the denoising measurement.
    pub recons: RwSignal<Option<Recons>>,
    pub denoise: RwSignal<Option<Denoise>>,
    /// The decoded manifold behind the points.
    pub manifold: RwSignal<Option<Manifold>>,
    /// The region the map shows (`[x0, y0, x1, y1]`), for the manifold.
    pub region: RwSignal<[f32; 4]>,
    /// The user's pan/zoom (None = fit the points), in CSS pixels per latent unit.
    pub view: RwSignal<Option<LatentView>>,
    /// The view as last drawn (CSS px), for the keys that move the cursor, pan and zoom.
    pub shown: RwSignal<Option<LatentView>>,
    /// (step, recon, kl) per training step of this map's model.
    pub history: RwSignal<Vec<[f32; 3]>>,
}

impl MapState {
    pub(super) fn new() -> Self {
        Self {
            latents: RwSignal::new((Arc::new(Vec::new()), 0)),
            info: RwSignal::new(MapInfo::default()),
            errors: RwSignal::new(None),
            worst: RwSignal::new(None),
            upload_points: RwSignal::new(Arc::new(Vec::new())),
            drawn: RwSignal::new(None),
            recons: RwSignal::new(None),
            denoise: RwSignal::new(None),
            manifold: RwSignal::new(None),
            region: RwSignal::new([0.0; 4]),
            view: RwSignal::new(None),
            shown: RwSignal::new(None),
            history: RwSignal::new(Vec::new()),
        }
    }

    /// Forgets everything computed from the models (a new run); keeps the user's view.
    pub(super) fn clear(&self) {
        self.latents.set((Arc::new(Vec::new()), 0));
        self.info.set(MapInfo::default());
        self.errors.set(None);
        self.worst.set(None);
        self.upload_points.set(Arc::new(Vec::new()));
        self.recons.set(None);
        self.denoise.set(None);
        self.manifold.set(None);
        self.history.set(Vec::new());
    }
}

/// Loss points kept per model: beyond this the older half is thinned to every other point, so hours
/// of training keep the chart's cost and the page's memory flat (the newest points stay dense).
pub(super) const MAX_HISTORY: usize = 4_000;

/// Appends `new` to `history`, thinning it when it grows past [`MAX_HISTORY`].
pub(super) fn extend_history(history: &mut Vec<[f32; 3]>, new: &[[f32; 3]]) {
    history.extend_from_slice(new);
    if history.len() > MAX_HISTORY {
        let half = history.len() / 2;
        let mut i = 0;
        history.retain(|_| {
            i += 1;
            i > half || i % 2 == 1
        });
    }
}

#[cfg(test)]
mod tests {
    use super::{MAX_HISTORY, extend_history};

    #[test]
    fn the_loss_history_stays_bounded_and_keeps_its_ends() {
        let mut h = Vec::new();
        for step in 0..100_000 {
            extend_history(&mut h, &[[step as f32, 1.0, 0.0]]);
            assert!(h.len() <= MAX_HISTORY);
        }
        assert_eq!(h[0][0], 0.0);
        assert_eq!(h.last().map(|p| p[0]), Some(99_999.0));
        assert!(h.windows(2).all(|w| w[0][0] < w[1][0]), "out of order");
        // The newest quarter of the kept points is still every step.
        let tail = &h[h.len() - MAX_HISTORY / 4..];
        assert!(tail.windows(2).all(|w| w[1][0] - w[0][0] == 1.0));
    }
}
