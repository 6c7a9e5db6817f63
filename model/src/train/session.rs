//! A training session: one or more models (an AE and a VAE side by side, say) stepped in turn on the
//! same data, run or paused, with the reports a view needs — progress a few times a second and on
//! single steps, fresh weights a little less often and whenever training stops, samples per second
//! over about a second.
//!
//! The clock is the caller's: every call that can report takes the time now in milliseconds, so the
//! same loop runs in a browser worker, in the native CLI and in tests with a fake clock.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{StepStats, TrainConfig, TrainError, Trainer};
use crate::data::Dataset;
use crate::metrics::ReadError;
use crate::weights;

/// Length of the window samples per second are measured over (ms).
const RATE_WINDOW_MS: f64 = 1000.0;

/// How often a running session reports (ms).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cadence {
    /// Shortest time between two [`Event::Progress`] while running.
    pub progress_ms: f64,
    /// Shortest time between two [`Event::Snapshot`] while running.
    pub snapshot_ms: f64,
}

impl Default for Cadence {
    fn default() -> Self {
        Self { progress_ms: 100.0, snapshot_ms: 400.0 }
    }
}

/// The losses of one model after one step, for the loss curves.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StepPoint {
    /// Index of the model in the session.
    pub model: usize,
    /// Steps that model has done, this one included.
    pub step: u64,
    pub recon: f32,
    pub kl: f32,
}

/// Where training stands.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Progress {
    /// The latest step's figures, one per model.
    pub stats: Vec<StepStats>,
    /// Images per second over the last window, all models together.
    pub samples_per_s: f64,
    /// Batches per epoch of the first model.
    pub batches_per_epoch: usize,
    /// Whether the session is running.
    pub running: bool,
    /// Every step since the last progress report, all models, in the order they were done.
    pub history: Vec<StepPoint>,
}

/// What a session has to report.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Progress(Progress),
    /// The view is due fresh weights: the caller reads them with [`Session::snapshots`].
    Snapshot,
    /// A step diverged and was rolled back; training goes on.
    Diverged(TrainError),
    /// An error paused the session.
    Stopped(TrainError),
}

/// The models being trained on the same data, whether they run, and what is due to be reported.
pub struct Session {
    trainers: Vec<Trainer>,
    data: Arc<Dataset>,
    cadence: Cadence,
    running: bool,
    single: bool,
    history: Vec<StepPoint>,
    /// The latest step's figures when no progress reported them yet (sent on pause).
    unreported: Option<Vec<StepStats>>,
    last_progress: f64,
    last_snapshot: f64,
    /// Start of the rate window and the steps done in it.
    window: (f64, u32),
    samples_per_s: f64,
}

impl Session {
    /// A paused session training `trainers` on `data`.
    pub fn new(trainers: Vec<Trainer>, data: Arc<Dataset>) -> Self {
        Self {
            trainers,
            data,
            cadence: Cadence::default(),
            running: false,
            single: false,
            history: Vec::new(),
            unreported: None,
            last_progress: f64::NEG_INFINITY,
            last_snapshot: f64::NEG_INFINITY,
            window: (f64::NEG_INFINITY, 0),
            samples_per_s: 0.0,
        }
    }

    /// The same session reporting at `cadence`.
    pub fn with_cadence(self, cadence: Cadence) -> Self {
        Self { cadence, ..self }
    }

    /// The models' trainers, in model order.
    pub fn trainers(&self) -> &[Trainer] {
        &self.trainers
    }

    /// Steps done by the first model (0 without models).
    pub fn steps(&self) -> u64 {
        self.trainers.first().map_or(0, Trainer::steps)
    }

    /// Images in the training data.
    pub fn data_len(&self) -> usize {
        self.data.len()
    }

    /// Whether the session is running.
    pub fn running(&self) -> bool {
        self.running
    }

    /// Runs or pauses the session at time `now_ms`. Pausing a running session reports the final
    /// weights ([`Event::Snapshot`]) and the last step's figures when not reported yet.
    pub fn set_running(&mut self, on: bool, now_ms: f64) -> Vec<Event> {
        let mut events = Vec::new();
        if self.running && !on {
            self.last_snapshot = now_ms;
            events.push(Event::Snapshot);
            if let Some(stats) = self.unreported.take() {
                events.push(Event::Progress(self.progress(stats, false)));
            }
        }
        self.running = on;
        self.window = (now_ms, 0);
        self.last_progress = f64::NEG_INFINITY;
        events
    }

    /// Asks for one step of every model, after which the session stays paused.
    pub fn request_step(&mut self) {
        self.single = true;
    }

    /// Whether [`Session::step`] has work: running, or a single step asked for.
    pub fn wants_step(&self) -> bool {
        self.running || self.single
    }

    /// One step of every model, at time `now_ms` (read before the step), and the events now due:
    /// progress when its period is over or on a single step, weights when their period is over or
    /// when not running; on divergence a warning and the rolled-back weights; on any other error the
    /// session pauses.
    pub async fn step(&mut self, now_ms: f64) -> Vec<Event> {
        let single = std::mem::take(&mut self.single);
        if self.trainers.is_empty() {
            self.running = false;
            return Vec::new();
        }
        self.measure_rate(now_ms);
        let stats = match self.step_all().await {
            Ok(stats) => stats,
            Err(e @ TrainError::Diverged { .. }) => {
                self.last_snapshot = now_ms;
                return vec![Event::Diverged(e), Event::Snapshot];
            }
            Err(e) => {
                self.running = false;
                return vec![Event::Stopped(e)];
            }
        };
        self.window.1 += 1;
        self.history.extend(stats.iter().enumerate().map(|(model, s)| StepPoint {
            model,
            step: s.step,
            recon: s.recon,
            kl: s.kl,
        }));
        let mut events = Vec::new();
        if single || now_ms - self.last_progress > self.cadence.progress_ms {
            self.last_progress = now_ms;
            self.unreported = None;
            events.push(Event::Progress(self.progress(stats, self.running)));
        } else {
            self.unreported = Some(stats);
        }
        if !self.running || now_ms - self.last_snapshot > self.cadence.snapshot_ms {
            self.last_snapshot = now_ms;
            events.push(Event::Snapshot);
        }
        events
    }

    /// The progress of a session that has not stepped yet: each model's step and epoch (from a
    /// resumed run, say), no losses, not running.
    pub fn start_progress(&self) -> Progress {
        let stats = self
            .trainers
            .iter()
            .map(|t| StepStats { step: t.steps(), epoch: t.epoch().0, ..StepStats::default() })
            .collect();
        Progress { stats, batches_per_epoch: self.batches_per_epoch(), ..Progress::default() }
    }

    /// Changes every model's hyperparameters (those that need no new model; see [`Trainer::set_config`]).
    pub fn set_config(&mut self, cfg: TrainConfig) {
        self.trainers.iter_mut().for_each(|t| t.set_config(cfg.clone()));
    }

    /// Trains on `data` from now on: a fresh batch order, the same weights and step counts.
    pub fn set_data(&mut self, data: Arc<Dataset>) {
        self.trainers.iter_mut().for_each(|t| t.set_data_len(data.len()));
        self.data = data;
    }

    /// Times steps of every model with `clock` (ms): the first step, then the mean of `steps` more.
    /// Divergence does not stop the measurement; other errors do. Reports nothing.
    pub async fn bench(&mut self, steps: u32, clock: impl Fn() -> f64) -> Result<(f64, f64), TrainError> {
        let t0 = clock();
        self.bench_step().await?;
        let t1 = clock();
        for _ in 0..steps {
            self.bench_step().await?;
        }
        Ok((t1 - t0, (clock() - t1) / f64::from(steps.max(1))))
    }

    /// Every model's parameters, flat (see [`weights::snapshot`]), in model order.
    pub async fn snapshots(&self) -> Result<Vec<Vec<f32>>, ReadError> {
        let mut out = Vec::with_capacity(self.trainers.len());
        for t in &self.trainers {
            out.push(weights::snapshot(&t.snapshot()).await?);
        }
        Ok(out)
    }

    /// One step of every model in turn; the first error ends the round.
    async fn step_all(&mut self) -> Result<Vec<StepStats>, TrainError> {
        let mut stats = Vec::with_capacity(self.trainers.len());
        for t in &mut self.trainers {
            stats.push(t.step(&self.data).await?);
        }
        Ok(stats)
    }

    /// A step for [`Session::bench`]: a divergence is no failure there.
    async fn bench_step(&mut self) -> Result<(), TrainError> {
        match self.step_all().await {
            Ok(_) | Err(TrainError::Diverged { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Updates images per second when the window is over (from the steps done before `now_ms`).
    fn measure_rate(&mut self, now_ms: f64) {
        let (start, steps) = self.window;
        if !start.is_finite() {
            self.window = (now_ms, 0);
        } else if now_ms - start > RATE_WINDOW_MS {
            let per_step: usize = self.trainers.iter().map(|t| t.config().batch_size).sum();
            self.samples_per_s = f64::from(steps) * per_step as f64 / ((now_ms - start) / 1000.0);
            self.window = (now_ms, 0);
        }
    }

    fn batches_per_epoch(&self) -> usize {
        self.trainers.first().map_or(0, |t| t.epoch().1)
    }

    /// A progress report of `stats`, with the history since the last one.
    fn progress(&mut self, stats: Vec<StepStats>, running: bool) -> Progress {
        Progress {
            stats,
            samples_per_s: self.samples_per_s,
            batches_per_epoch: self.batches_per_epoch(),
            running,
            history: std::mem::take(&mut self.history),
        }
    }
}
