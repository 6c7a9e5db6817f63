//! Keeping work: model files (save, load), the IndexedDB autosave and resume, and the map snapshots
//! behind the replay slider.

use std::sync::Arc;

use js_sys::Uint8Array;
use leptos::prelude::*;
use model::{DatasetName, NetConfig};

use super::{AppState, MAX_MODELS, MapMode, PRESETS};
use crate::protocol::Parts;
use crate::protocol::trainer::{ExportFor, ToTrainer};
use crate::protocol::view::ToView;

/// Autosave at most this often while training (ms); and on every pause.
pub(super) const AUTOSAVE_MS: f64 = 15_000.0;

/// Map snapshots kept for the replay slider (older ones are thinned out beyond this).
const MAX_SNAPSHOTS: usize = 120;

/// The user's images, checked once on the page: name, count, pixels (`[count * 784]` bytes) and labels.
#[derive(Debug, Clone)]
pub struct Upload {
    pub name: String,
    pub count: usize,
    pub pixels: Arc<Vec<u8>>,
    pub labels: Arc<Vec<u8>>,
    /// Each image's file (and place in it), in order.
    pub names: Arc<Vec<String>>,
}

impl Upload {
    /// Parses IDX images (and optional labels); a bad file is refused with the reason.
    pub fn from_idx(name: String, images: &[u8], labels: Option<&[u8]>) -> Result<Self, String> {
        let data = model::Dataset::from_idx(images, labels).map_err(|e| format!("{name}: {e}"))?;
        let names = (0..data.len()).map(|i| format!("{name}[{i}]")).collect();
        Ok(Self::new(name, data.pixels().to_vec(), data.labels().to_vec(), names))
    }

    /// Images already checked: `pixels` holds `labels.len()` 28×28 images.
    pub fn new(name: String, pixels: Vec<u8>, labels: Vec<u8>, names: Vec<String>) -> Self {
        let count = labels.len();
        Self { name, count, pixels: Arc::new(pixels), labels: Arc::new(labels), names: Arc::new(names) }
    }

    /// Pixels then labels, as the workers take them.
    fn bytes(&self) -> Parts {
        let mut all = Vec::with_capacity(self.pixels.len() + self.labels.len());
        all.extend_from_slice(&self.pixels);
        all.extend_from_slice(&self.labels);
        Parts::bytes(&all)
    }
}

impl AppState {
    /// Asks the trainer for the weights of every model, which come back as downloads.
    pub fn save(&self) {
        self.post_trainer(&ToTrainer::Export { purpose: ExportFor::Download }, Parts::default());
    }

    /// Asks for an autosave now (one model only; the side-by-side view is not autosaved, and a tab
    /// whose storage failed does not autosave): at least a snapshot for a replacement trainer.
    pub(super) fn request_autosave(&self) {
        self.pool_mut(|p| p.last_autosave = crate::js::now());
        let autosave =
            !self.settings.mode.get_untracked().compare() && self.work.autosave_off.get_untracked().is_none();
        let purpose = if autosave { ExportFor::Autosave } else { ExportFor::Snapshot };
        self.post_trainer(&ToTrainer::Export { purpose }, Parts::default());
    }

    /// Sends the upload to the view (encoded onto every map) and, with `train`, to the trainer.
    pub fn send_upload(&self, train: bool) {
        let Some(u) = self.explore.upload.get_untracked() else { return };
        let (name, count) = (u.name.clone(), u.count);
        if train {
            self.post_trainer(&ToTrainer::TrainOn { name, count }, u.bytes());
        } else {
            self.post_view(&ToView::Upload { name, count }, u.bytes());
        }
    }

    /// A model file the trainer built (of `net` at `step`): a download, or the autosave.
    pub(super) fn on_export(self, purpose: ExportFor, net: &NetConfig, step: u64, file: Uint8Array) {
        match purpose {
            ExportFor::Download => {
                let kind = super::kind_name(net.kind).to_lowercase();
                let name =
                    format!("lsx-{}-{kind}-step{step}.lsxw", self.settings.dataset.get_untracked().id());
                crate::js::download_array(&name, &file, "application/octet-stream");
            }
            ExportFor::Autosave => self.autosave(file, step),
            ExportFor::Snapshot => {}
        }
    }

    /// Writes the autosave record: the model file, the settings and the loss history.
    pub(super) fn autosave(self, file: Uint8Array, step: u64) {
        let s = &self.settings;
        let settings = serde_json::json!({
            "lr": s.lr.get_untracked(), "batch": s.batch.get_untracked(), "beta": s.beta.get_untracked(),
            "warmup": s.warmup.get_untracked(), "seed": s.seed.get_untracked(),
        })
        .to_string();
        let history = self.maps[0].history.with_untracked(|h| h.iter().flatten().copied().collect());
        leptos::task::spawn_local(async move {
            match crate::store::save(&crate::store::Saved { file, settings, history, step }).await {
                Ok(other) => {
                    self.work.autosaved.set(Some(step));
                    // Another tab saved here during this visit: say once that the newest save wins.
                    let since = other.filter(|o| o.saved_at > crate::store::tab_started());
                    if let (Some(o), false) = (since, self.work.told_other_tab.get_value()) {
                        self.work.told_other_tab.set_value(true);
                        self.say(format!(
                            "Another tab autosaved its model here too (step {}). The newest save wins: the autosave \
                             is now this tab's (step {step}). Each tab keeps training its own model.",
                            o.step
                        ));
                    }
                }
                Err(e) => self.autosave_failed(e),
            }
        });
    }

    /// Storage failed: autosave is off in this tab from now on (said once); everything else goes on.
    fn autosave_failed(&self, e: crate::store::StoreError) {
        if self.work.autosave_off.get_untracked().is_none() {
            self.say(format!(
                "Autosave is off: {e}. Training goes on; use Save model to keep your work in a file."
            ));
            self.work.autosave_off.set(Some(e.to_string()));
        }
    }

    /// Looks for an autosave from an earlier visit and offers it.
    pub(super) fn check_autosave(self) {
        leptos::task::spawn_local(async move {
            match crate::store::load().await {
                // After a panic, the page's panel reloads with `?restore=autosave`.
                Ok(Some(saved)) if crate::js::query("restore").as_deref() == Some("autosave") => {
                    self.work.resumable.set(Some(saved.step));
                    self.pool_mut(|p| p.restore_on_start = true);
                }
                Ok(Some(saved)) => self.work.resumable.set(Some(saved.step)),
                Ok(None) => {}
                Err(e @ crate::store::StoreError::Damaged(_)) => {
                    self.say(format!("{e}: it was ignored, and the next autosave replaces it."))
                }
                Err(e) => self.autosave_failed(e),
            }
        });
    }

    /// Resumes the autosaved model: its weights, step, settings and loss history.
    pub fn resume(self) {
        leptos::task::spawn_local(async move {
            let saved = match crate::store::load().await {
                Ok(Some(s)) => s,
                Ok(None) => return self.say("There is no autosave to resume."),
                Err(e) => return self.say(format!("Could not resume: {e}. Nothing was changed.")),
            };
            match serde_json::from_str::<serde_json::Value>(&saved.settings) {
                Ok(v) => {
                    let s = &self.settings;
                    if let Some(x) = v["lr"].as_f64() {
                        s.lr.set(x);
                    }
                    if let Some(x) = v["beta"].as_f64() {
                        s.beta.set(x as f32);
                    }
                    if let Some(x) = v["warmup"].as_u64() {
                        s.warmup.set(x);
                    }
                }
                Err(e) => self
                    .say(format!("The autosave's settings are unreadable ({e}); the controls keep theirs.")),
            }
            self.work.resumable.set(None);
            self.load_file("the autosave", &saved.file);
            let history: Vec<[f32; 3]> = saved.history.chunks_exact(3).map(|c| [c[0], c[1], c[2]]).collect();
            self.pool_mut(|p| p.pending_history = Some(history));
        });
    }

    /// Loads a model file: checked here (a wrong or corrupt file changes nothing), then the trainer
    /// continues from it; the controls follow once it has accepted the weights.
    pub fn load_file(&self, name: &str, bytes: &[u8]) {
        match model::weights::from_file(bytes) {
            Err(e) => self.say(format!("Could not load {name}: {e}. Nothing was changed.")),
            Ok((h, params)) => {
                self.say(format!("Loading {name}…"));
                self.settle(super::recovery::Role::Trainer, false);
                let run = self.pool_mut(|p| {
                    p.pending_load = Some(name.to_string());
                    p.run + 1
                });
                let msg =
                    ToTrainer::Load { run, dataset: h.dataset, net: h.net, train: h.train, step: h.step };
                self.post_trainer(&msg, Parts::data(&params));
            }
        }
    }

    /// Makes the controls describe `nets` on `dataset` (after a model file was loaded).
    pub(super) fn adopt(&self, dataset: DatasetName, nets: &[NetConfig]) {
        let Some(net) = nets.first() else { return };
        self.training.running.set(false);
        self.maps.iter().for_each(|m| m.history.set(Vec::new()));
        self.work.snapshots.set(Vec::new());
        self.work.replay.set(None);
        let s = &self.settings;
        s.dataset.set(dataset);
        s.mode.set(MapMode::of_kinds(&nets.iter().map(|n| n.kind).collect::<Vec<_>>()));
        s.arch.set(net.arch);
        s.latent.set(net.latent);
        match PRESETS.iter().position(|(_, h)| *h == net.hidden.as_slice()) {
            Some(i) => {
                s.preset.set(i);
                s.custom_hidden.set(None);
            }
            None => s.custom_hidden.set(Some(net.hidden.clone())),
        }
    }

    /// Keeps map snapshots about every tenth of an epoch, thinning the oldest half when full.
    pub(super) fn snapshot(&self, model: usize, step: u64, codes: Arc<Vec<f32>>) {
        let every = (self.training.batches_per_epoch.get_untracked() as u64 / 10).max(1);
        self.work.snapshots.update(|s| {
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
