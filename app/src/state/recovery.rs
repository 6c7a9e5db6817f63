//! Workers that die are replaced. A heartbeat finds a worker that stopped answering (terminated, or
//! stuck on a lost device); `onerror` and a worker's `Crashed` find one that panicked; the WebGPU
//! trainer's `DeviceLost` finds a lost device. A new view worker is set up like the first one; a new
//! trainer carries on from the page's last weights snapshot (taken at every run start, autosave and
//! pause) and trains on if it was training. A WebGPU trainer is replaced by a CPU one, and WebGPU can
//! be tried again from the snapshot. Also the test hooks that inject these faults.

use js_sys::Float32Array;
use leptos::prelude::*;
use model::{DatasetName, NetConfig, TrainConfig};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

use super::AppState;
use super::pool::Trainer;
use crate::protocol::Parts;
use crate::protocol::trainer::{ExportFor, ToTrainer};
use crate::protocol::view::ToView;

/// How often the page pings each worker (ms).
const PING_MS: i32 = 2_000;
/// A settled worker that has said nothing for this long is taken for dead (ms).
pub(super) const SILENT_MS: f64 = 12_000.0;
/// Replacements of one worker within [`GIVE_UP_WINDOW_MS`] after which the page stops replacing it.
const GIVE_UP_AFTER: usize = 3;
const GIVE_UP_WINDOW_MS: f64 = 60_000.0;

/// Which worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    Trainer,
    View,
}

impl Role {
    pub(super) fn name(self) -> &'static str {
        match self {
            Role::Trainer => "trainer",
            Role::View => "view",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// One model's weights as the trainer last exported them.
#[derive(Debug, Clone)]
pub(super) struct ModelSnapshot {
    pub net: NetConfig,
    pub train: TrainConfig,
    pub step: u64,
    /// The trainer's array, kept as it came (never copied into the page's memory).
    pub params: Float32Array,
}

/// The workers' health and the page's copy of the weights.
#[derive(Debug, Default)]
pub(super) struct Health {
    /// Each worker's generation (trainer, view): bumped on replacement, so a dead one's late events
    /// are ignored.
    pub generation: [u32; 2],
    /// When each was last heard from (ms).
    pub heard: [f64; 2],
    /// Whether each is past its setup (data loaded): only then is silence a death.
    pub settled: [bool; 2],
    /// Recent replacements of each (ms).
    pub replaced: [Vec<f64>; 2],
    /// Each worker's wasm memory (bytes) from its last `Pong`.
    pub wasm_bytes: [f64; 2],
    /// The run the snapshot belongs to, and each model's.
    pub snapshot_run: u32,
    pub snapshot: Vec<Option<ModelSnapshot>>,
    /// A replacement trainer is starting: restore it, and train on when `true`.
    pub restoring: Option<bool>,
    /// Switch the trainer to WebGPU (`true`) or the CPU once the next snapshot is in.
    pub switch_to: Option<bool>,
    /// The generation of a backend race's WebGPU candidate.
    pub candidate: u32,
    /// The last generation given to any worker (generations are unique across roles).
    pub last_id: u32,
}

impl Health {
    /// The race's candidate won: it is the trainer now.
    pub(super) fn adopt_candidate(&mut self, now: f64) {
        self.generation[0] = self.candidate;
        self.candidate = 0;
        self.settled[0] = false;
        self.heard[0] = now;
    }
}

impl AppState {
    /// Starts the heartbeat (once, with the workers).
    pub(super) fn start_heartbeat(self) {
        let tick = Closure::<dyn FnMut()>::new(move || self.heartbeat());
        let set = web_sys::window().map(|w| {
            w.set_interval_with_callback_and_timeout_and_arguments_0(tick.as_ref().unchecked_ref(), PING_MS)
        });
        if !matches!(set, Some(Ok(_))) {
            self.say(
                "The page cannot watch its workers (no timer); a worker that dies will not be replaced.",
            );
        }
        tick.forget();
    }

    /// Pings both workers; one that is settled and has been silent too long is replaced.
    fn heartbeat(self) {
        let now = crate::js::now();
        self.post_trainer(&ToTrainer::Ping, Parts::default());
        // Not before the view is ready: `post_view` would queue the pings until then.
        if self.pool(|p| p.view_ready) {
            self.post_view(&ToView::Ping, Parts::default());
        }
        for role in [Role::Trainer, Role::View] {
            let (generation, silent) = self.pool(|p| {
                let h = &p.health;
                let i = role.index();
                (h.generation[i], h.settled[i] && now - h.heard[i] > SILENT_MS)
            });
            if silent {
                let secs = SILENT_MS / 1000.0;
                self.worker_died(role, generation, format!("it stopped answering for {secs:.0} s"));
            }
        }
        super::records::record_memory(self.pool(|p| p.health.wasm_bytes));
    }

    /// Something was heard from a worker of `generation` (stale generations are ignored).
    pub(super) fn heard(&self, role: Role, generation: u32) -> bool {
        self.pool_mut(|p| {
            let i = role.index();
            let current = p.health.generation[i] == generation;
            if current {
                p.health.heard[i] = crate::js::now();
            }
            current
        })
    }

    /// Marks a worker past (`true`) or in (`false`) its setup.
    pub(super) fn settle(&self, role: Role, settled: bool) {
        self.pool_mut(|p| {
            p.health.settled[role.index()] = settled;
            p.health.heard[role.index()] = crate::js::now();
        });
    }

    /// A worker's new generation (when it is spawned).
    pub(super) fn next_generation(&self, role: Role) -> u32 {
        self.pool_mut(|p| {
            let i = role.index();
            p.health.last_id += 1;
            p.health.generation[i] = p.health.last_id;
            p.health.settled[i] = false;
            p.health.heard[i] = crate::js::now();
            p.health.generation[i]
        })
    }

    /// The worker of `generation` is dead (`why`, in plain words): replace it, unless it keeps dying.
    pub(super) fn worker_died(self, role: Role, generation: u32, why: String) {
        let now = crate::js::now();
        let give_up = self.pool_mut(|p| {
            let i = role.index();
            if p.health.generation[i] != generation {
                return None;
            }
            let recent = &mut p.health.replaced[i];
            recent.retain(|t| now - t < GIVE_UP_WINDOW_MS);
            recent.push(now);
            Some(recent.len() > GIVE_UP_AFTER)
        });
        let Some(give_up) = give_up else { return };
        let name = role.name();
        if give_up {
            self.training.running.set(false);
            return self.say(format!(
                "The {name} worker stopped again ({why}); it failed {GIVE_UP_AFTER} times within a minute, so \
                 the page stops replacing it. Save your model, then reload the page."
            ));
        }
        match role {
            Role::View => {
                self.say(format!(
                    "The view worker stopped ({why}). A new one is starting; the map comes back in a moment."
                ));
                self.stop_view();
                self.spawn_view();
                self.resend_view_state();
            }
            Role::Trainer => {
                let gpu = self.training.backend.get_untracked() == "webgpu";
                let step = self.snapshot_step();
                let from = match step {
                    Some(s) => format!("from step {s}, its last snapshot"),
                    None => "from the start of this run (there was no snapshot yet)".into(),
                };
                let on = if gpu { " on the CPU" } else { "" };
                self.say(format!("The trainer stopped ({why}). A new one carries on{on} {from}."));
                self.replace_trainer(false);
                if gpu {
                    self.training.gpu_lost.set(true);
                    self.training.backend_reason.set(format!("CPU: the WebGPU trainer stopped ({why})"));
                }
            }
        }
    }

    /// What a new view worker is told beyond its setup (queued until it is ready): what the page
    /// shows that the view computes.
    pub(super) fn resend_view_state(self) {
        if self.explore.by_error.get_untracked() {
            self.post_view(&ToView::Errors { on: true }, Parts::default());
        }
        if self.explore.upload.with_untracked(Option::is_some) {
            self.send_upload(false);
        }
        if self.explore.manifold_on.get_untracked() {
            self.request_manifold();
        }
        if let Some(image) = self.explore.drawing.with_untracked(|d| d.as_ref().map(|d| d.image.to_vec())) {
            self.probe(Some(image));
        }
        if let Some(lecture) = self.lectures.sent.get_value() {
            self.post_view(&ToView::Lecture { lecture: Some(lecture) }, Parts::default());
        }
        self.resend_own();
    }

    /// Stops the trainer and starts another (`gpu`: the WebGPU one) that restores the snapshot.
    fn replace_trainer(self, gpu: bool) {
        let running = self.training.running.get_untracked();
        self.stop_trainer();
        self.pool_mut(|p| {
            p.health.restoring = Some(running);
            p.awaiting_start = true;
        });
        self.training.backend.set(String::new());
        self.spawn_trainer(Trainer::Main, gpu);
    }

    /// The step of the snapshot a replacement trainer would restore (None without a whole one).
    fn snapshot_step(&self) -> Option<u64> {
        self.pool(|p| {
            let h = &p.health;
            let whole =
                h.snapshot_run == p.run && !h.snapshot.is_empty() && h.snapshot.iter().all(Option::is_some);
            whole.then(|| h.snapshot.iter().flatten().map(|m| m.step).min()).flatten()
        })
    }

    /// What a new trainer is sent instead of its setup: the snapshot of the current run, when whole.
    pub(super) fn restore_message(&self, dataset: DatasetName) -> Option<(ToTrainer, Parts)> {
        self.snapshot_step()?;
        self.pool(|p| {
            let models: Vec<&ModelSnapshot> = p.health.snapshot.iter().flatten().collect();
            let train = models.first()?.train.clone();
            let nets = models.iter().map(|m| m.net.clone()).collect();
            let steps = models.iter().map(|m| m.step).collect();
            let params = Float32Array::new_with_length(models.iter().map(|m| m.params.length()).sum());
            let mut at = 0;
            for m in &models {
                params.set(&m.params, at);
                at += m.params.length();
            }
            let parts = Parts { data: Some(params), ..Parts::default() };
            Some((ToTrainer::Restore { run: p.run, dataset, nets, train, steps }, parts))
        })
    }

    /// Keeps model `model`'s exported weights as the page's snapshot of the current run; a pending
    /// backend switch happens once every model's snapshot is in.
    pub(super) fn keep_snapshot(self, model: usize, snapshot: ModelSnapshot) {
        let models = self.settings.nets().len();
        let switch = self.pool_mut(|p| {
            let h = &mut p.health;
            if h.snapshot_run != p.run || h.snapshot.len() != models {
                h.snapshot_run = p.run;
                h.snapshot = vec![None; models];
            }
            if let Some(slot) = h.snapshot.get_mut(model) {
                crate::js::set_global("lsxSnapshot", &(snapshot.step as f64).into());
                *slot = Some(snapshot);
            }
            if model + 1 == models { h.switch_to.take() } else { None }
        });
        if let Some(gpu) = switch {
            self.training.gpu_lost.set(false);
            self.say(if gpu { "Trying WebGPU again…" } else { "Switching to the CPU…" });
            self.training.backend_reason.set(if gpu { "WebGPU, tried again" } else { "CPU" }.into());
            self.replace_trainer(gpu);
        }
    }

    /// Asks the trainer for a snapshot (at a run's start, so a replacement never starts from scratch).
    pub(super) fn request_snapshot(&self) {
        self.post_trainer(&ToTrainer::Export { purpose: ExportFor::Snapshot }, Parts::default());
    }

    /// Tries WebGPU again after it failed: from a fresh snapshot.
    pub fn retry_webgpu(&self) {
        self.pool_mut(|p| p.health.switch_to = Some(true));
        self.request_snapshot();
    }

    /// A restored trainer has started: say so, and train on if it was training.
    pub(super) fn restored(&self, step: u64) {
        let Some(running) = self.pool_mut(|p| p.health.restoring.take()) else { return };
        self.maps.iter().for_each(|m| m.history.update(|h| h.retain(|e| e[0] as u64 <= step)));
        let backend = self.training.backend.get_untracked();
        let tail = if running { " Training goes on." } else { " Press Train to continue." };
        self.say(format!("A new trainer ({backend}) carries on from step {step}.{tail}"));
        if running {
            self.post_trainer(&ToTrainer::Run { on: true }, Parts::default());
        }
    }

    /// A worker's panic: shown in the error panel (the worker is replaced when its error event comes).
    pub(super) fn crashed(&self, role: Role, msg: String) {
        self.work.crash.set(Some(format!("The {} worker panicked: {msg}", role.name())));
    }
}
