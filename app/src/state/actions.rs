//! What the user can ask for: train, pause, step, start again, decode, sample, interpolate, paint the
//! manifold, colour by error, change hyperparameters. Each becomes signals and worker messages.

use leptos::prelude::*;

use super::{AppState, MAX_MODELS};
use crate::protocol::trainer::ToTrainer;
use crate::protocol::view::{End, ToView};
use crate::protocol::{Init, Parts};

/// Decodes along an interpolation path.
pub const INTERP_STEPS: usize = 10;
/// Tiles per side of the decoded manifold.
pub const MANIFOLD_TILES: usize = 20;

impl AppState {
    fn init(&self) -> Init {
        if self.settings.pretrained.get_untracked() { Init::Pretrained } else { Init::Fresh }
    }

    /// The trainer's setup for the current run and controls.
    pub(super) fn trainer_setup(&self) -> ToTrainer {
        ToTrainer::Setup {
            run: self.pool(|p| p.run),
            dataset: self.settings.dataset.get_untracked(),
            nets: self.settings.nets(),
            train: self.settings.train(),
            init: self.init(),
        }
    }

    /// The view's setup for the current run and controls.
    pub(super) fn view_setup(&self) -> ToView {
        ToView::Setup {
            run: self.pool(|p| p.run),
            dataset: self.settings.dataset.get_untracked(),
            nets: self.settings.nets(),
            init: self.init(),
            noise: self.settings.noise.get_untracked(),
            pixels_pca: self.settings.mode.get_untracked().pixels_pca(),
        }
    }

    /// Sends changed hyperparameters that need no new model (learning rate, β, warm-up, L1, noise) to
    /// the trainer, and the noise to the view (for the denoising panel).
    pub fn reconfigure(&self) {
        self.post_trainer(&ToTrainer::Configure { train: self.settings.train() }, Parts::default());
        self.post_view(&ToView::Configure { noise: self.settings.noise.get_untracked() }, Parts::default());
    }

    /// Colours the maps by reconstruction error (with a gallery of the worst) or by label.
    pub fn set_by_error(&self, on: bool) {
        self.explore.by_error.set(on);
        if !on {
            for m in &self.maps {
                m.errors.set(None);
                m.worst.set(None);
            }
        }
        self.post_view(&ToView::Errors { on }, Parts::default());
    }

    /// Starts or pauses training.
    pub fn set_running(&self, on: bool) {
        self.training.running.set(on);
        if on {
            self.run_started(self.training.epoch.get_untracked());
        }
        let backend = self.training.backend.get_untracked();
        self.say(if on { format!("Training on {backend}…") } else { "Paused.".into() });
        self.post_trainer(&ToTrainer::Run { on }, Parts::default());
        if !on {
            self.request_autosave();
        }
    }

    /// One optimiser step.
    pub fn single_step(&self) {
        self.post_trainer(&ToTrainer::Step, Parts::default());
    }

    /// Rebuilds the models from the current controls (dataset or model changed, or Reset): a new
    /// run from its start step; nothing else is lost.
    pub fn restart(&self) {
        self.close_own();
        let t = &self.training;
        t.running.set(false);
        t.step.set(0);
        t.start_step.set(0);
        t.loss.set(None);
        t.stats.set(Vec::new());
        self.maps.iter().for_each(|m| m.clear());
        let e = &self.explore;
        e.decoded.set(None);
        e.samples.set(None);
        e.interpolation.set(None);
        e.picking.set(None);
        self.work.snapshots.set(Vec::new());
        self.work.replay.set(None);
        self.say(format!("Loading {}…", self.settings.dataset.get_untracked().id()));
        self.pool_mut(|p| {
            p.run += 1;
            p.awaiting_start = true;
        });
        // Both load data for the new run: silence is not death until they are done.
        self.settle(super::recovery::Role::Trainer, false);
        self.settle(super::recovery::Role::View, false);
        self.post_view(&self.view_setup(), Parts::default());
        self.post_trainer(&self.trainer_setup(), Parts::default());
    }

    /// Starts the current model untrained (instead of pretrained).
    pub fn from_scratch(&self) {
        self.settings.pretrained.set(false);
        self.restart();
    }

    /// Asks the view worker to decode map point `z` of map `model` (a newer request replaces a
    /// pending one). The other map decodes the same point when both are 2-D latent spaces of the
    /// same data (AE and VAE); otherwise it decodes test point `near`'s place on it, if any. With
    /// `index`, the point is test image `index` (its original and reconstructions come back too).
    pub fn decode(&self, model: usize, z: [f32; 2], index: Option<usize>, near: Option<usize>) {
        let id = self.pool_mut(|p| {
            p.next_decode += 1;
            p.decode_sent = (p.next_decode, crate::js::now());
            p.next_decode
        });
        let mode = self.settings.mode.get_untracked();
        let same_space = mode.compare() && self.maps.iter().all(|m| m.info.get_untracked().dim <= 2);
        let zs = (0..mode.maps().min(MAX_MODELS))
            .map(|m| {
                if m == model || same_space {
                    return Some(z);
                }
                let i = near?;
                self.maps[m].latents.with_untracked(|(p, _)| Some([*p.get(2 * i)?, *p.get(2 * i + 1)?]))
            })
            .collect();
        self.post_view(&ToView::Decode { id, zs, index }, Parts::default());
    }

    /// Whether every map of the mode has its points (tracked).
    pub fn maps_drawn(&self) -> bool {
        self.maps.iter().take(self.mode().maps()).all(|m| m.latents.with(|l| !l.0.is_empty()))
    }

    /// Decodes a default point on the first map so the decode panel is never blank on arrival: the
    /// test point at the centre of its densest class ([`crate::centre::central_point`]). Only while
    /// nothing is decoded or asked for (a new run, a new page); the user's first hover or click
    /// replaces it, and one already on its way is never overtaken. Not
    /// timed as a user's decode.
    pub(super) fn decode_default(&self) {
        let pending = self.pool(|p| p.decode_done < p.next_decode);
        if pending || self.explore.decoded.with_untracked(Option::is_some) {
            return;
        }
        let labels = self.explore.labels.get_untracked();
        let picked = self.maps[0].latents.with_untracked(|(p, _)| {
            let i = crate::centre::central_point(p, &labels)?;
            Some((i, [*p.get(2 * i)?, *p.get(2 * i + 1)?]))
        });
        let Some((i, z)) = picked else { return };
        let sent = self.pool(|p| p.decode_sent);
        self.decode(0, z, Some(i), Some(i));
        self.pool_mut(|p| p.decode_sent = sent);
    }

    /// Decodes `n` samples from the prior (and the AE's code box) with every model and measures them.
    pub fn sample(&self, n: usize) {
        self.say(format!("Decoding {n} samples per model and comparing them with the test set…"));
        let seed = self.settings.seed.get_untracked() ^ self.training.step.get_untracked();
        self.post_view(&ToView::Sample { n, seed }, Parts::default());
    }

    /// Adds an interpolation end; the second one asks the view worker for the strip.
    pub fn pick(&self, end: End) {
        let mut ends = self.explore.picking.get_untracked().unwrap_or_default();
        ends.push(end);
        if let [a, b] = &ends[..] {
            self.explore.picking.set(None);
            let msg = ToView::Interpolate { a: a.clone(), b: b.clone(), steps: INTERP_STEPS };
            self.post_view(&msg, Parts::default());
        } else {
            self.explore.picking.set(Some(ends));
        }
    }

    /// Asks for (or stops) the decoded manifold behind each map, over the regions they show.
    pub fn request_manifold(&self) {
        let on = self.explore.manifold_on.get_untracked();
        let regions = on.then(|| self.maps.iter().map(|m| m.region.get_untracked()).collect());
        if !on {
            self.maps.iter().for_each(|m| m.manifold.set(None));
        }
        self.post_view(&ToView::Manifold { regions, tiles: MANIFOLD_TILES }, Parts::default());
    }
}
