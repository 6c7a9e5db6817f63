//! Keeping work: model files (save, load), the IndexedDB autosave and resume, and the map snapshots
//! behind the replay slider.

use std::sync::Arc;

use js_sys::Float32Array;
use leptos::prelude::*;
use model::{DatasetName, NetConfig};

use super::{AppState, MAX_MODELS, MAX_SNAPSHOTS, PRESETS, Slot};
use crate::protocol::ToWorker;

/// Autosave at most this often while training (ms); and on every pause.
pub(super) const AUTOSAVE_MS: f64 = 15_000.0;

impl AppState {
    /// Asks the trainer for the weights of every model, which come back as downloads.
    pub fn save(&self) {
        self.post(Slot::Trainer, &ToWorker::Export { download: true }, None);
    }

    /// Asks for an autosave now (one model only; the side-by-side view is not autosaved).
    pub(super) fn request_autosave(&self) {
        if !self.compare.get_untracked() {
            self.workers.update_value(|w| w.last_autosave = crate::js::now());
            self.post(Slot::Trainer, &ToWorker::Export { download: false }, None);
        }
    }

    /// Writes the autosave record: the model file, the settings and the loss history.
    pub(super) fn autosave(self, file: Vec<u8>, step: u64) {
        let settings = serde_json::json!({
            "lr": self.lr.get_untracked(), "batch": self.batch.get_untracked(), "beta": self.beta.get_untracked(),
            "warmup": self.warmup.get_untracked(), "seed": self.seed.get_untracked(),
        })
        .to_string();
        let history = self.history[0].with_untracked(|h| h.iter().flatten().copied().collect());
        leptos::task::spawn_local(async move {
            match crate::store::save(&crate::store::Saved { file, settings, history, step }).await {
                Ok(()) => self.autosaved.set(Some(step)),
                Err(e) => self.status.set(format!("{e} (training goes on; nothing is lost in this tab)")),
            }
        });
    }

    /// Looks for an autosave from an earlier visit and offers it.
    pub(super) fn check_autosave(self) {
        leptos::task::spawn_local(async move {
            if let Ok(Some(saved)) = crate::store::load().await {
                self.resumable.set(Some(saved.step));
            }
        });
    }

    /// Resumes the autosaved model: its weights, step, settings and loss history.
    pub fn resume(self) {
        leptos::task::spawn_local(async move {
            let saved = match crate::store::load().await {
                Ok(Some(s)) => s,
                Ok(None) => return self.status.set("There is no autosave to resume.".into()),
                Err(e) => return self.status.set(e),
            };
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(&saved.settings) {
                if let Some(x) = v["lr"].as_f64() {
                    self.lr.set(x);
                }
                if let Some(x) = v["beta"].as_f64() {
                    self.beta.set(x as f32);
                }
                if let Some(x) = v["warmup"].as_u64() {
                    self.warmup.set(x);
                }
            }
            self.resumable.set(None);
            self.load_file("the autosave", &saved.file);
            let history: Vec<[f32; 3]> = saved.history.chunks_exact(3).map(|c| [c[0], c[1], c[2]]).collect();
            self.pending_history.set_value(Some(history));
        });
    }

    /// Loads a model file: checked here (a wrong or corrupt file changes nothing), then the trainer
    /// continues from it; the controls follow once it has accepted the weights.
    pub fn load_file(&self, name: &str, bytes: &[u8]) {
        match model::weights::from_file(bytes) {
            Err(e) => self.status.set(format!("Could not load {name}: {e}. Nothing was changed.")),
            Ok((h, params)) => {
                self.status.set(format!("Loading {name}…"));
                self.pending_load.set_value(Some(name.to_string()));
                let msg = ToWorker::Load { dataset: h.dataset, net: h.net, train: h.train, step: h.step };
                self.post(Slot::Trainer, &msg, Some(&Float32Array::from(params.as_slice())));
            }
        }
    }

    /// Makes the controls describe `nets` on `dataset` (after a model file was loaded).
    pub(super) fn adopt(&self, dataset: DatasetName, nets: &[NetConfig]) {
        let Some(net) = nets.first() else { return };
        self.running.set(false);
        self.history.iter().for_each(|h| h.set(Vec::new()));
        self.snapshots.set(Vec::new());
        self.replay.set(None);
        self.dataset.set(dataset);
        self.compare.set(nets.len() > 1);
        self.pca_mode.set(false);
        self.kind.set(net.kind);
        self.arch.set(net.arch);
        self.latent.set(net.latent);
        match PRESETS.iter().position(|(_, h)| *h == net.hidden.as_slice()) {
            Some(i) => {
                self.preset.set(i);
                self.custom_hidden.set(None);
            }
            None => self.custom_hidden.set(Some(net.hidden.clone())),
        }
    }

    /// Keeps map snapshots about every tenth of an epoch, thinning the oldest half when full.
    pub(super) fn snapshot(&self, model: usize, step: u64, codes: Arc<Vec<f32>>) {
        let every = (self.batches_per_epoch.get_untracked() as u64 / 10).max(1);
        self.snapshots.update(|s| {
            match s.last_mut() {
                Some(last) if step < last.0 + every => {
                    if last.0 == step && model < MAX_MODELS {
                        last.1[model] = Some(codes);
                    }
                    return;
                }
                _ => {}
            }
            let mut maps = [None, None];
            if model < MAX_MODELS {
                maps[model] = Some(codes);
            }
            s.push((step, maps));
            if s.len() > MAX_SNAPSHOTS {
                let mut i = 0;
                s.retain(|_| {
                    i += 1;
                    i % 2 == 1 || i > MAX_SNAPSHOTS / 2
                });
            }
        });
    }
}
