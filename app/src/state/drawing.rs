//! The user's own digit: the pad's MNIST-like image goes to the view worker, which encodes it with
//! every model (again whenever the weights change); its map points, reconstructions and nearest
//! test images come back here. The model never trains on it.

use std::sync::Arc;

use leptos::prelude::*;
use model::data::PIXELS;

use super::AppState;
use crate::protocol::Parts;
use crate::protocol::view::ToView;

/// What the models made of the drawing.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Drawing {
    /// The preprocessed drawing (784 values in 0..1), as the models saw it.
    pub image: Arc<Vec<f32>>,
    /// Each model's reconstruction (empty until it answers).
    pub recons: Vec<Vec<f32>>,
    /// Model 0's nearest test images by code: (index, label, distance) and their pixels.
    pub nearest: Vec<(usize, u8, f32)>,
    pub nearest_images: Vec<Vec<f32>>,
}

impl AppState {
    /// Encodes a new drawing (784 values in 0..1) with every model; None clears it.
    pub fn probe(&self, image: Option<Vec<f32>>) {
        let bytes: Vec<u8> =
            image.iter().flatten().map(|v| (v.clamp(0.0, 1.0) * 255.0).round() as u8).collect();
        self.post_view(&ToView::Probe, Parts::bytes(&bytes));
        match image {
            Some(image) => self.explore.drawing.update(|d| {
                let d = d.get_or_insert_with(Drawing::default);
                d.image = Arc::new(image);
            }),
            None => {
                self.explore.drawing.set(None);
                self.maps.iter().for_each(|m| m.drawn.set(None));
            }
        }
    }

    /// The view's answer about the drawing (ignored once the pad was cleared).
    pub(super) fn on_probed(
        &self,
        points: &[Option<[f32; 2]>],
        nearest: Vec<(usize, u8, f32)>,
        data: &[f32],
    ) {
        if self.explore.drawing.with_untracked(Option::is_none) {
            return;
        }
        let mut images = data.chunks_exact(PIXELS).map(<[f32]>::to_vec);
        let recons: Vec<Vec<f32>> = points.iter().map(|_| images.next().unwrap_or_default()).collect();
        let nearest_images = images.collect();
        for (m, p) in self.maps.iter().zip(points.iter().copied().chain(std::iter::repeat(None))) {
            m.drawn.set(p);
        }
        self.explore.drawing.update(|d| {
            if let Some(d) = d {
                (d.recons, d.nearest, d.nearest_images) = (recons, nearest, nearest_images);
            }
        });
    }
}
