//! The only place where worker messages become signals: the trainer's progress and files, the view's
//! maps, decodes and measurements.

use std::sync::Arc;

use leptos::prelude::*;
use model::train::Progress;

use super::records::{expose_decoded, expose_map, record_decode_latency};
use super::recovery::{ModelSnapshot, Role};
use super::work::AUTOSAVE_MS;
use super::{AppState, Decoded, Interpolation, Manifold, PointInfo, Samples, Worst};
use crate::protocol::Parts;
use crate::protocol::trainer::FromTrainer;
use crate::protocol::view::{ClickedPoint, FromView};

impl AppState {
    /// A message of the main trainer (`gpu`: it is the WebGPU worker).
    pub(super) fn on_trainer(self, gpu: bool, msg: FromTrainer, parts: Parts) {
        match msg {
            FromTrainer::Ready { backend, detail } => {
                if !self.racing() {
                    self.training.backend.set(backend);
                }
                let reason = self.training.backend_reason.get_untracked();
                self.say(format!("{reason} — {detail}. Loading data…"));
                self.pool_mut(|p| p.awaiting_start = true);
                self.mark_ready(true);
                // A replacement trainer restores the page's snapshot; otherwise the current setup.
                let restore = self.pool(|p| p.health.restoring.is_some());
                match restore.then(|| self.restore_message(self.settings.dataset.get_untracked())).flatten() {
                    Some((msg, parts)) => self.post_trainer(&msg, parts),
                    None => self.post_trainer(&self.trainer_setup(), Parts::default()),
                }
            }
            FromTrainer::DataLoaded { dataset, train } => {
                crate::offline::register(self);
                if self.racing() {
                    self.say("Comparing the CPU and WebGPU in a short warm-up…");
                    let bench =
                        crate::protocol::trainer::ToTrainer::Bench { steps: crate::backend::RACE_STEPS };
                    self.post_trainer(&bench, Parts::default());
                } else {
                    self.say(format!("{}: {train} training images loaded. Press Train.", dataset.id()));
                }
            }
            FromTrainer::Progress(p) => self.on_progress(p),
            FromTrainer::BenchDone { ms_per_step, .. } => self.race_cpu_done(ms_per_step),
            FromTrainer::Started { run, dataset, nets, steps, loaded } => {
                self.pool_mut(|p| p.awaiting_start = false);
                self.settle(Role::Trainer, true);
                let step = steps.first().copied().unwrap_or(0);
                self.training.start_step.set(step);
                self.training.step.set(step);
                // Every run starts with a snapshot, so a replacement trainer never starts from scratch.
                self.request_snapshot();
                if self.pool(|p| p.health.restoring.is_some()) {
                    self.restored(step);
                } else if self.pool_mut(|p| std::mem::take(&mut p.restore_on_start)) {
                    self.resume();
                } else if loaded {
                    // A model file was accepted: the controls now describe it, and the view follows.
                    self.pool_mut(|p| (p.pending_load, p.run) = (None, run));
                    self.adopt(dataset, &nets);
                    if let Some(h) = self.pool_mut(|p| p.pending_history.take()) {
                        self.maps[0].history.set(h);
                    }
                    self.post_view(&self.view_setup(), Parts::default());
                    self.say(format!(
                        "Loaded a {} model at step {step}. Press Train to continue.",
                        dataset.id()
                    ));
                } else if step > 0 {
                    let s = if nets.len() > 1 { "s" } else { "" };
                    self.say(format!(
                        "Showing the pretrained model{s} ({step} steps). Train continues it; From scratch starts untrained."
                    ));
                }
            }
            FromTrainer::Export { model, net, train, step, purpose } => {
                // Both arrays are kept or passed on as they came: no copy on the main thread.
                if let Some(file) = parts.bytes {
                    self.on_export(purpose, &net, step, file);
                }
                if let Some(params) = parts.data {
                    self.keep_snapshot(model, ModelSnapshot { net, train, step, params });
                }
            }
            FromTrainer::Notice { msg } => self.say(msg),
            FromTrainer::Pong { wasm_bytes } => self.pool_mut(|p| p.health.wasm_bytes[0] = wasm_bytes),
            // Handled by the pool, which replaces the worker.
            FromTrainer::Crashed { .. } | FromTrainer::DeviceLost { .. } => {}
            FromTrainer::Error { msg } => {
                if let Some(name) = self.pool_mut(|p| p.pending_load.take()) {
                    self.settle(Role::Trainer, true);
                    // The trainer refused a model file and kept its run.
                    self.say(format!("Could not load {name}: {msg}. Nothing was changed."));
                } else if gpu && self.training.backend.get_untracked().is_empty() {
                    // WebGPU did not initialise: carry on with the CPU worker.
                    self.stop_trainer();
                    self.training.backend_reason.set(format!("CPU: {msg}"));
                    self.spawn_trainer(super::pool::Trainer::Main, false);
                } else {
                    self.training.running.set(false);
                    self.say(format!("Error: {msg}"));
                }
            }
        }
    }

    fn on_progress(self, p: Progress) {
        let Some(stats) = p.stats.first().copied() else { return };
        let t = &self.training;
        t.batches_per_epoch.set(p.batches_per_epoch);
        t.step.set(stats.step);
        // A start report (pretrained, loaded or fresh) has no loss yet.
        t.loss.set((stats.step > 0 && stats.loss > 0.0).then_some(stats.loss));
        t.samples_per_s.set(p.samples_per_s);
        // Train/Pause is the page's own state: a Progress in flight when the user paused must not flip
        // the button back; the worker stops by itself only on an error.
        t.epoch.set(stats.epoch);
        for (i, m) in self.maps.iter().enumerate() {
            if stats.step == 0 {
                m.history.set(Vec::new());
            } else {
                let new: Vec<[f32; 3]> = p
                    .history
                    .iter()
                    .filter(|h| h.model == i)
                    .map(|h| [h.step as f32, h.recon, h.kl])
                    .collect();
                if !new.is_empty() {
                    m.history.update(|h| super::map::extend_history(h, &new));
                }
            }
        }
        t.stats.set(p.stats);
        if t.running.get_untracked() && p.running {
            self.check_autostop(stats.epoch, p.batches_per_epoch);
        }
        let due = self.pool(|p| crate::js::now() - p.last_autosave > AUTOSAVE_MS);
        if t.running.get_untracked() && due {
            self.request_autosave();
        }
    }

    /// A message of the view worker.
    pub(super) fn on_view(self, msg: FromView, parts: Parts) {
        match msg {
            FromView::Ready { .. } => self.view_ready(),
            FromView::DataLoaded { .. } => {
                self.settle(Role::View, true);
                self.explore.labels.set(Arc::new(parts.byte_vec()))
            }
            FromView::Pong { wasm_bytes } => self.pool_mut(|p| p.health.wasm_bytes[1] = wasm_bytes),
            // Handled by the pool, which replaces the worker.
            FromView::Crashed { .. } => {}
            FromView::Latents { model, step, info, errors, uploads } => {
                self.on_latents(model, step, info, (errors, uploads), parts)
            }
            FromView::Worst { model, items, .. } => {
                if let (Some(m), true) = (self.maps.get(model), self.explore.by_error.get_untracked()) {
                    m.worst.set(Some(Worst { items, images: Arc::new(parts.floats()) }));
                }
            }
            FromView::Decoded { id, zs, decoded, point, worker_ms } => {
                let arrived = crate::js::now();
                let d = decoded_from(zs, &decoded, point, &parts.floats());
                if let Some((Some(z), first)) = d.zs.iter().zip(&d.pixels).find(|(_, p)| !p.is_empty()) {
                    let point = d.point.as_ref().and_then(|p| Some((p.index, p.recons.first()?.as_slice())));
                    expose_decoded(*z, first, point);
                }
                self.explore.decoded.set(Some(d));
                let (sent_id, sent) = self.pool_mut(|p| {
                    p.decode_done = p.decode_done.max(id);
                    p.decode_sent
                });
                if id == sent_id {
                    record_decode_latency(sent, arrived, worker_ms);
                }
            }
            FromView::Probed { points, nearest } => self.on_probed(&points, nearest, &parts.floats()),
            FromView::UploadRecons { count } => {
                self.explore.upload_recons.set(Some((count, Arc::new(parts.floats()))))
            }
            FromView::Recons { model, count, noisy, .. } => {
                if let Some(m) = self.maps.get(model) {
                    m.recons.set(Some((Arc::new(parts.floats()), count)));
                    m.denoise.set(noisy);
                }
            }
            FromView::Samples { sets } => {
                self.say("Samples decoded and measured.");
                self.explore.samples.set(Some(Samples { sets, images: Arc::new(parts.floats()) }));
            }
            FromView::Manifold { model, region, tiles, .. } => {
                if let (Some(m), true) = (self.maps.get(model), self.explore.manifold_on.get_untracked()) {
                    m.manifold.set(Some(Manifold::new(region, tiles, parts.floats())));
                }
            }
            FromView::Interpolated { paths, steps } => {
                let images = Arc::new(parts.floats());
                self.explore.interpolation.set(Some(Interpolation { paths, steps, images }));
            }
            FromView::Lecture { step, lecture, result } => {
                self.on_lecture(step, lecture, result, parts.floats())
            }
            FromView::Notice { msg } => self.say(msg),
            FromView::Opened { name, summary, shape, mapped, .. } => {
                self.opened(name, summary, shape, mapped)
            }
            FromView::Error { msg } => self.say(format!("Error: {msg}")),
        }
    }

    pub(super) fn on_latents(
        self,
        model: usize,
        step: u64,
        info: crate::protocol::view::MapInfo,
        (errors, uploads): (bool, usize),
        parts: Parts,
    ) {
        // A pretrained map before the trainer's start report: the status bar shows its step.
        let early = self.pool(|p| p.awaiting_start) && self.settings.pretrained.get_untracked();
        if early && model == 0 && step > self.training.step.get_untracked() {
            self.training.start_step.set(step);
            self.training.step.set(step);
        }
        let (Some(m), Some(data)) = (self.maps.get(model), parts.data.as_ref()) else { return };
        let mut all = data.to_vec();
        let up = all.split_off(all.len().saturating_sub(2 * uploads));
        let n = all.len() / if errors { 3 } else { 2 };
        let errs = all.split_off(2 * n);
        expose_map(model, step, &all, &self.explore.labels.get_untracked(), (&errs, &up));
        let codes = Arc::new(all);
        self.snapshot(model, step, codes.clone());
        m.latents.set((codes, step));
        m.info.set(info);
        m.upload_points.set(Arc::new(up));
        if errors && self.explore.by_error.get_untracked() {
            m.errors.set(Some(Arc::new(errs)));
        }
        if model == 0 {
            self.decode_default();
        }
    }
}

/// A decode answer's images, split by the layout documented on [`FromView::Decoded`].
fn decoded_from(
    zs: Vec<Option<[f32; 2]>>,
    decoded: &[bool],
    point: Option<ClickedPoint>,
    data: &[f32],
) -> Decoded {
    let mut images = data.chunks_exact(crate::components::image_len()).map(<[f32]>::to_vec);
    let pixels =
        decoded.iter().map(|&d| if d { images.next().unwrap_or_default() } else { Vec::new() }).collect();
    let point = point.map(|p| PointInfo {
        index: p.index,
        label: p.label,
        original: images.next().unwrap_or_default(),
        recons: images.collect(),
    });
    Decoded { zs, pixels, point }
}

#[cfg(test)]
mod tests {
    use super::decoded_from;
    use crate::protocol::view::ClickedPoint;

    #[test]
    fn a_decode_answer_splits_into_models_then_the_clicked_point() {
        let data: Vec<f32> = (0..4).flat_map(|i| vec![i as f32; 784]).collect();
        let point = Some(ClickedPoint { index: 7, label: 3 });
        let d = decoded_from(vec![None, Some([1.0, 2.0])], &[false, true], point, &data);
        assert_eq!(d.pixels[0].len(), 0);
        assert_eq!(d.pixels[1][0], 0.0);
        let p = d.point.expect("a clicked point");
        assert_eq!((p.index, p.label, p.original[0]), (7, 3, 1.0));
        assert_eq!(p.recons.iter().map(|r| r[0]).collect::<Vec<_>>(), vec![2.0, 3.0]);
    }
}
