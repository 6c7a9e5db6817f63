//! The page's workers: the trainer, the view, and during a backend race the WebGPU candidate. Spawns
//! them, posts to them (a failed post reaches the status line), connects trainer → view with their
//! own `MessageChannel`, and runs the race that picks the trainer's backend.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{MessageChannel, MessageEvent, Worker, WorkerOptions, WorkerType};

use super::AppState;
use super::records::record_slow;
use super::recovery::{Health, Role};
use crate::backend::Mode;
use crate::protocol::trainer::{FromTrainer, ToTrainer};
use crate::protocol::view::{FromView, ToView};
use crate::protocol::{Parts, ProtocolError};

/// Messages kept for a view worker that is not ready yet (a hover decodes at mouse rate).
const MAX_WAITING: usize = 64;

/// Which trainer a message is for or from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Trainer {
    /// The one that trains.
    Main,
    /// The WebGPU candidate of a backend race.
    Candidate,
}

/// The workers and the bookkeeping of what was asked of them.
#[derive(Default)]
pub(super) struct Pool {
    trainer: Option<Worker>,
    view: Option<Worker>,
    candidate: Option<Worker>,
    /// Whether each has said Ready (messages before that would be lost).
    trainer_ready: bool,
    pub(super) view_ready: bool,
    /// Messages for the view posted before its Ready, sent after its setup (a decode asked for by a
    /// link while the page draws the shipped map itself, before the view has loaded).
    view_waiting: Vec<(ToView, Parts)>,
    /// A backend race is running; holds the CPU's warm-up ms/step once measured.
    pub race: Option<Option<f64>>,
    /// The page's run: bumped by every setup or model load; weights carry it trainer → view.
    pub run: u32,
    /// When the last autosave was asked for (ms).
    pub last_autosave: f64,
    pub next_decode: u32,
    /// When the latest decode request was sent (id, ms).
    pub decode_sent: (u32, f64),
    /// The id of the latest decode answered.
    pub decode_done: u32,
    /// The trainer was set up and has not reported its start step yet.
    pub awaiting_start: bool,
    /// The name of a model file the trainer is checking.
    pub pending_load: Option<String>,
    /// The loss history of an autosave being resumed, applied once the trainer accepts its weights.
    pub pending_history: Option<Vec<[f32; 3]>>,
    /// Resume the autosave once the trainer has started (`?restore=autosave`, after a panic).
    pub restore_on_start: bool,
    /// The workers' heartbeat and generations, and the weights snapshot a replacement starts from.
    pub health: Health,
    /// The view runs the ONNX view worker (a model was opened from files in this tab).
    pub onnx_view: bool,
    /// The model files shown (a replacement view opens them again), and those being opened.
    pub own: Option<super::own::OwnFiles>,
    pub own_pending: Option<super::own::OwnFiles>,
}

impl AppState {
    /// Reads the pool (the default once the page is gone).
    pub(super) fn pool<T: Default>(&self, f: impl FnOnce(&Pool) -> T) -> T {
        self.pool.try_with_value(f).unwrap_or_default()
    }

    /// Changes the pool.
    pub(super) fn pool_mut<T: Default>(&self, f: impl FnOnce(&mut Pool) -> T) -> T {
        self.pool.try_update_value(f).unwrap_or_default()
    }

    /// Chooses the backend and starts both workers.
    pub fn start(self) {
        self.check_autosave();
        leptos::task::spawn_local(async move {
            // The shipped map first (the page's own wasm suffices), then the view worker (always on
            // the CPU), so a real map follows while the backend is still being chosen.
            self.draw_shipped_maps().await;
            self.spawn_view();
            self.start_heartbeat();
            self.install_test_hooks();
            let choice = crate::backend::choose().await;
            self.training.backend_reason.set(choice.reason);
            if choice.mode == Mode::Race {
                self.pool_mut(|p| p.race = Some(None));
            }
            self.spawn_trainer(Trainer::Main, choice.mode == Mode::Gpu);
        });
    }

    /// A worker for `role` of `generation` (whose death its error event reports; a race's candidate
    /// that fails only loses the race).
    fn new_worker(&self, role: Role, gpu: bool, generation: u32) -> Option<Worker> {
        let role_name = role.name();
        let onnx = role == Role::View && self.pool(|p| p.onnx_view);
        let url = match (gpu, onnx) {
            (true, _) => "./worker_gpu_loader.js",
            (false, true) => "./worker_onnx_loader.js",
            (false, false) => "./worker_loader.js",
        };
        let opts = WorkerOptions::new();
        opts.set_type(WorkerType::Module);
        opts.set_name(role_name);
        match Worker::new_with_options(url, &opts) {
            Ok(w) => {
                let state = *self;
                let onerror =
                    Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |ev: web_sys::ErrorEvent| {
                        let why = format!("it failed: {}", ev.message());
                        if state.pool(|p| p.health.candidate == generation && p.race.is_some()) {
                            state.finish_race(None);
                        } else {
                            state.worker_died(role, generation, why);
                        }
                    });
                w.set_onerror(Some(onerror.as_ref().unchecked_ref()));
                onerror.forget();
                Some(w)
            }
            Err(e) => {
                self.say(format!("Could not start the {role_name} worker ({url}): {e:?}"));
                None
            }
        }
    }

    pub(super) fn spawn_view(self) {
        let generation = self.next_generation(Role::View);
        let Some(worker) = self.new_worker(Role::View, false, generation) else { return };
        let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            if !self.heard(Role::View, generation) {
                return;
            }
            match crate::protocol::decode::<FromView>(ev.data()) {
                Ok((FromView::Crashed { msg }, _)) => {
                    self.crashed(Role::View, msg.clone());
                    self.worker_died(Role::View, generation, format!("it panicked: {msg}"));
                }
                Ok((msg, parts)) => {
                    let (t0, what) = (crate::js::now(), super::records::view_message_name(&msg));
                    self.on_view(msg, parts);
                    record_slow(what, crate::js::now() - t0);
                }
                Err(e) => self.say(format!("A message from the view worker was unreadable: {e}")),
            }
        });
        worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        onmessage.forget();
        self.pool_mut(|p| (p.view, p.view_ready) = (Some(worker), false));
    }

    pub(super) fn spawn_trainer(self, which: Trainer, gpu: bool) {
        let id = match which {
            Trainer::Main => self.next_generation(Role::Trainer),
            Trainer::Candidate => self.pool_mut(|p| {
                p.health.last_id += 1;
                p.health.candidate = p.health.last_id;
                p.health.candidate
            }),
        };
        let Some(worker) = self.new_worker(Role::Trainer, gpu, id) else { return };
        let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            // The candidate of a race becomes the main trainer when it wins: asked at each message.
            let main = self.heard(Role::Trainer, id);
            if !main && self.pool(|p| p.health.candidate != id) {
                return;
            }
            match crate::protocol::decode::<FromTrainer>(ev.data()) {
                Ok((msg, _)) if !main => self.on_candidate(msg),
                Ok((FromTrainer::Crashed { msg }, _)) => {
                    self.crashed(Role::Trainer, msg.clone());
                    self.worker_died(Role::Trainer, id, format!("it panicked: {msg}"));
                }
                Ok((FromTrainer::DeviceLost { reason }, _)) => {
                    self.worker_died(Role::Trainer, id, format!("the WebGPU device was lost ({reason})"));
                }
                Ok((msg, parts)) => {
                    let (t0, what) = (crate::js::now(), super::records::trainer_message_name(&msg));
                    self.on_trainer(gpu, msg, parts);
                    record_slow(what, crate::js::now() - t0);
                }
                Err(e) => self.say(format!("A message from the trainer was unreadable: {e}")),
            }
        });
        worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        onmessage.forget();
        self.pool_mut(|p| match which {
            Trainer::Main => (p.trainer, p.trainer_ready) = (Some(worker), false),
            Trainer::Candidate => p.candidate = Some(worker),
        });
    }

    /// Terminates a worker (`trainer` or `view`) without the page noticing: a test's fault, found by
    /// the heartbeat as a real crash would be.
    pub(super) fn terminate_silently(&self, role: &str) {
        let worker = self.pool(|p| if role == "view" { p.view.clone() } else { p.trainer.clone() });
        worker.into_iter().for_each(|w| w.terminate());
    }

    /// Stops the view worker (its replacement is spawned by the caller).
    pub(super) fn stop_view(&self) {
        self.pool_mut(|p| {
            p.view.take().into_iter().for_each(|v| v.terminate());
            p.view_ready = false;
            // What was kept for the stopped worker: its replacement is told the page's state anew.
            p.view_waiting.clear();
            // Decodes it never answered are not waited for.
            p.decode_done = p.next_decode;
        });
    }

    /// Stops the main trainer (its replacement is spawned by the caller).
    pub(super) fn stop_trainer(&self) {
        self.pool_mut(|p| {
            p.trainer.take().into_iter().for_each(|t| t.terminate());
            p.trainer_ready = false;
        });
    }

    /// A worker said Ready: remember it, and connect trainer → view once both are.
    pub(super) fn mark_ready(&self, trainer: bool) {
        let both = self.pool_mut(|p| {
            if trainer {
                p.trainer_ready = true;
            } else {
                p.view_ready = true;
            }
            p.trainer_ready && p.view_ready
        });
        if both {
            self.connect();
        }
    }

    /// Gives the trainer and the view a fresh channel of their own, for the weights.
    pub(super) fn connect(&self) {
        match MessageChannel::new() {
            Ok(ch) => {
                self.post_trainer(&ToTrainer::Connect, Parts::port(ch.port1()));
                self.post_view(&ToView::Connect, Parts::port(ch.port2()));
            }
            Err(e) => self.say(format!("Could not connect the trainer to the view: {e:?}")),
        }
    }

    fn report(&self, to: &str, result: Result<(), ProtocolError>) {
        if let Err(e) = result {
            self.say(format!("Could not reach the {to}: {e}"));
        }
    }

    /// Posts to a trainer (nothing when it is not running).
    pub(super) fn post_to(&self, which: Trainer, msg: &ToTrainer, parts: Parts) {
        let worker =
            self.pool(|p| if which == Trainer::Main { p.trainer.clone() } else { p.candidate.clone() });
        if let Some(w) = worker {
            self.report("trainer", crate::protocol::post(&w, msg, &parts));
        }
    }

    /// Posts to the main trainer.
    pub(super) fn post_trainer(&self, msg: &ToTrainer, parts: Parts) {
        self.post_to(Trainer::Main, msg, parts);
    }

    /// Posts to the view worker; before its Ready (or before it exists: the page draws the shipped map
    /// first), keeps the message for [`Self::view_ready`] (a setup is not kept: Ready brings the
    /// current one; at most [`MAX_WAITING`], the newest).
    pub(super) fn post_view(&self, msg: &ToView, parts: Parts) {
        let (worker, ready) = self.pool(|p| (p.view.clone(), p.view_ready));
        match worker {
            Some(w) if ready => self.report("view worker", crate::protocol::post(&w, msg, &parts)),
            _ if !matches!(msg, ToView::Setup { .. }) => self.pool_mut(|p| {
                if p.view_waiting.len() >= MAX_WAITING {
                    p.view_waiting.remove(0);
                }
                p.view_waiting.push((msg.clone(), parts));
            }),
            _ => {}
        }
    }

    /// The view worker is ready: its setup, then what was posted before.
    pub(super) fn view_ready(&self) {
        self.mark_ready(false);
        self.post_view(&self.view_setup(), Parts::default());
        for (msg, parts) in self.pool_mut(|p| std::mem::take(&mut p.view_waiting)) {
            self.post_view(&msg, parts);
        }
    }

    pub(super) fn racing(&self) -> bool {
        self.pool(|p| p.race.is_some())
    }

    /// The CPU's warm-up is done: now the WebGPU candidate's, with a deadline.
    pub(super) fn race_cpu_done(self, ms_per_step: f64) {
        self.pool_mut(|p| p.race = Some(Some(ms_per_step)));
        self.spawn_trainer(Trainer::Candidate, true);
        let deadline = Closure::once_into_js(move || self.finish_race(None));
        let timer = web_sys::window().map(|w| {
            w.set_timeout_with_callback_and_timeout_and_arguments_0(
                deadline.unchecked_ref(),
                crate::backend::RACE_DEADLINE_MS,
            )
        });
        if !matches!(timer, Some(Ok(_))) {
            self.finish_race(None);
        }
    }

    /// Messages of the WebGPU candidate in a backend race: set up, warm up, report.
    fn on_candidate(self, msg: FromTrainer) {
        match msg {
            FromTrainer::Ready { .. } => {
                let setup = self.trainer_setup();
                self.post_to(Trainer::Candidate, &setup, Parts::default());
            }
            FromTrainer::DataLoaded { .. } => {
                let bench = ToTrainer::Bench { steps: crate::backend::RACE_STEPS };
                self.post_to(Trainer::Candidate, &bench, Parts::default());
            }
            FromTrainer::BenchDone { ms_per_step, .. } => self.finish_race(Some(ms_per_step)),
            FromTrainer::Error { .. } | FromTrainer::Crashed { .. } | FromTrainer::DeviceLost { .. } => {
                self.finish_race(None)
            }
            FromTrainer::Pong { .. }
            | FromTrainer::Progress(_)
            | FromTrainer::Export { .. }
            | FromTrainer::Started { .. }
            | FromTrainer::Notice { .. } => {}
        }
    }

    /// Ends a backend race: keeps the faster worker, stops the other, and starts it from step 0.
    fn finish_race(self, gpu_ms: Option<f64>) {
        let Some(Some(cpu_ms)) = self.pool(|p| p.race) else { return };
        let (use_gpu, reason) = crate::backend::verdict(cpu_ms, gpu_ms);
        self.pool_mut(|p| {
            p.race = None;
            if use_gpu {
                p.health.adopt_candidate(crate::js::now());
            }
            let loser = match (use_gpu, p.candidate.take()) {
                (true, Some(gpu)) => p.trainer.replace(gpu),
                (_, other) => other,
            };
            loser.into_iter().for_each(|l| l.terminate());
        });
        self.training.backend.set(if use_gpu { "webgpu" } else { "cpu" }.into());
        self.training.backend_reason.set(reason);
        if use_gpu {
            self.connect();
        }
        self.restart();
    }
}
