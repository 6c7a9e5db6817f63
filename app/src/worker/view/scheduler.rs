//! What the view does next, and when. Requests from the page wait here (only the latest of each kind
//! is served); the scheduler picks the most urgent piece of work that is due — decode, interpolation,
//! samples, a stale reconstruction grid, the manifold (at most every [`MANIFOLD_PERIOD_MS`] unless
//! the request changed), a map chunk (a new pass at most every [`MAP_PERIOD_MS`]) — or says when the
//! next one will be, so the loop can wait for that deadline or a message, never polling.

use super::lectures::LectureRequest;
use super::model_copy::{ModelCopy, ready};
use crate::protocol::view::End;

/// Shortest time between two starts of a map pass (ms): on two cores a view worker that never rests
/// starves the page's main thread (measured: 100+ ms tasks) while the trainer runs.
const MAP_PERIOD_MS: f64 = 450.0;
/// Shortest time between two manifold repaints while training (a new region is served at once).
const MANIFOLD_PERIOD_MS: f64 = 1500.0;
/// Rest after each piece of work (ms): with the trainer on the other core, a view worker that never
/// rests starves the page's main thread (measured: 100–180 ms tasks with two maps and the manifold on).
const REST_MS: f64 = 4.0;

/// A decode request: a map point per model, the clicked test point.
pub(super) struct DecodeRequest {
    pub id: u32,
    pub zs: Vec<Option<[f32; 2]>>,
    pub index: Option<usize>,
}

/// The manifold to keep painting, and whether it changed since it was last painted.
pub(super) struct ManifoldRequest {
    pub regions: Vec<[f32; 4]>,
    pub tiles: usize,
    pub changed: bool,
}

/// The user's drawing (or the first uploaded images), and the step each model last encoded it at.
pub(super) struct ProbeRequest {
    pub image: model::Dataset,
    pub done: Vec<Option<u64>>,
}

impl ProbeRequest {
    /// A request for `image` that no model has encoded yet.
    pub fn new(image: model::Dataset) -> Self {
        Self { image, done: Vec::new() }
    }

    /// Whether some model's weights changed since it last encoded the drawing.
    pub fn stale(&self, models: &[Option<ModelCopy>]) -> bool {
        models
            .iter()
            .enumerate()
            .any(|(i, m)| m.as_ref().map(|m| m.step) != self.done.get(i).copied().flatten())
    }
}

/// Requests from the page not served yet (the drawing stays: it is served again on new weights).
#[derive(Default)]
pub(super) struct Pending {
    pub decode: Option<DecodeRequest>,
    pub probe: Option<ProbeRequest>,
    /// The first uploaded images, reconstructed by every model.
    pub uploads: Option<ProbeRequest>,
    pub interp: Option<(End, End, usize)>,
    pub sample: Option<(usize, u64)>,
    pub manifold: Option<ManifoldRequest>,
    /// The lectures panel's item.
    pub lecture: Option<LectureRequest>,
}

/// A piece of work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Job {
    Decode,
    Probe,
    UploadRecons,
    Interpolate,
    Sample,
    /// The reconstruction grid of this model.
    Recon(usize),
    Manifold,
    /// The lectures panel's item.
    Lecture,
    /// The next chunk of the map pass (starting one first when none runs).
    MapChunk,
}

/// What the loop does next.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Next {
    Now(Job),
    /// Nothing is due before this time (ms, `performance.now()`): wait for it or a message.
    At(f64),
    /// Nothing to do until a message arrives.
    Idle,
}

/// The pending requests and the times that gate the rest.
pub(super) struct Scheduler {
    pub pending: Pending,
    last_pass: f64,
    last_manifold: f64,
    last_lecture: f64,
    rest_until: f64,
}

impl Default for Scheduler {
    fn default() -> Self {
        let never = f64::NEG_INFINITY;
        let pending = Pending::default();
        Self { pending, last_pass: never, last_manifold: never, last_lecture: never, rest_until: never }
    }
}

impl Scheduler {
    /// The next piece of work at time `now`. `models`: the view's models; `possible`: whether there
    /// is a test set (no work can be done without one); `passing`: whether a map pass is under way.
    pub fn next(&self, models: &[Option<ModelCopy>], possible: bool, passing: bool, now: f64) -> Next {
        if !possible || ready(models).next().is_none() {
            return Next::Idle;
        }
        // Candidates, most urgent first, each with the time it is due (−∞: now).
        let p = &self.pending;
        let asap = f64::NEG_INFINITY;
        let mut due: Vec<(Job, f64)> = Vec::with_capacity(6);
        let requests = [(p.decode.is_some(), Job::Decode), (p.interp.is_some(), Job::Interpolate)];
        let probe = (p.probe.as_ref().is_some_and(|r| r.stale(models)), Job::Probe);
        let uploads = (p.uploads.as_ref().is_some_and(|r| r.stale(models)), Job::UploadRecons);
        for (pending, job) in requests.into_iter().chain([probe, uploads, (p.sample.is_some(), Job::Sample)])
        {
            if pending {
                due.push((job, asap));
            }
        }
        if let Some((i, _)) = ready(models).find(|(_, m)| m.recon != Some(m.step)) {
            due.push((Job::Recon(i), asap));
        }
        if let Some(r) = &p.manifold {
            let stale = ready(models).any(|(i, m)| i < r.regions.len() && m.manifold != Some(m.step));
            if r.changed {
                due.push((Job::Manifold, asap));
            } else if stale {
                due.push((Job::Manifold, self.last_manifold + MANIFOLD_PERIOD_MS));
            }
        }
        if let Some(r) = p.lecture.as_ref().filter(|r| r.stale(models)) {
            due.push((Job::Lecture, if r.changed { asap } else { self.last_lecture + r.period() }));
        }
        if passing {
            due.push((Job::MapChunk, asap));
        } else if ready(models).any(|(_, m)| m.encoded != Some(m.step)) {
            due.push((Job::MapChunk, self.last_pass + MAP_PERIOD_MS));
        }
        match due.iter().find(|(_, at)| *at <= now) {
            Some(&(job, _)) if self.rest_until <= now => Next::Now(job),
            Some(_) => Next::At(self.rest_until),
            None => {
                let first = due.iter().map(|d| d.1).reduce(f64::min);
                first.map_or(Next::Idle, |at| Next::At(at.max(self.rest_until)))
            }
        }
    }

    /// A piece of work ended at `now`: rest a little before the next.
    pub fn worked(&mut self, now: f64) {
        self.rest_until = now + REST_MS;
    }

    /// A map pass started at `now`.
    pub fn pass_started(&mut self, now: f64) {
        self.last_pass = now;
    }

    /// The lectures item was served at `now`.
    pub fn lecture_served(&mut self, now: f64) {
        self.last_lecture = now;
    }

    /// The manifold was painted at `now` (the request is served until it changes again).
    pub fn manifold_painted(&mut self, now: f64) {
        self.last_manifold = now;
        if let Some(r) = self.pending.manifold.as_mut() {
            r.changed = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use model::pca::Pca;

    use super::*;
    use crate::worker::view::model_copy::Coder;

    fn model(step: u64) -> Option<ModelCopy> {
        let pca = Pca::fit(&[0.0, 1.0, 1.0, 0.0, 2.0, 3.0], 2, 2).expect("fits");
        Some(ModelCopy::new(Coder::Pca(pca), step, Vec::new()))
    }

    /// A model whose map, grid and manifold are those of its step.
    fn current(step: u64) -> Option<ModelCopy> {
        let mut m = model(step);
        if let Some(m) = m.as_mut() {
            (m.encoded, m.recon, m.manifold) = (Some(step), Some(step), Some(step));
        }
        m
    }

    #[test]
    fn idle_without_a_test_set_or_a_model() {
        let mut s = Scheduler::default();
        s.pending.decode = Some(DecodeRequest { id: 1, zs: vec![Some([0.0, 0.0])], index: None });
        assert_eq!(s.next(&[model(0)], false, false, 0.0), Next::Idle);
        assert_eq!(s.next(&[None, None], true, false, 0.0), Next::Idle);
        assert_eq!(s.next(&[current(3)], true, false, 0.0), Next::Now(Job::Decode));
        s.pending.decode = None;
        assert_eq!(s.next(&[current(3)], true, false, 0.0), Next::Idle);
    }

    #[test]
    fn requests_first_then_grids_then_maps_with_a_rest_between() {
        let mut s = Scheduler::default();
        let models = [current(1), model(1)];
        assert_eq!(s.next(&models, true, false, 0.0), Next::Now(Job::Recon(1)));
        s.pending.sample = Some((10, 1));
        assert_eq!(s.next(&models, true, false, 0.0), Next::Now(Job::Sample));
        s.pending.interp = Some((End::Point(0), End::Point(1), 5));
        assert_eq!(s.next(&models, true, false, 0.0), Next::Now(Job::Interpolate));
        s.worked(100.0);
        assert_eq!(s.next(&models, true, false, 101.0), Next::At(104.0));
        assert_eq!(s.next(&models, true, false, 104.0), Next::Now(Job::Interpolate));
    }

    #[test]
    fn map_passes_wait_for_their_period() {
        let mut s = Scheduler::default();
        let mut stale = current(2);
        if let Some(m) = stale.as_mut() {
            m.encoded = Some(1);
        }
        let models = [stale];
        assert_eq!(s.next(&models, true, false, 0.0), Next::Now(Job::MapChunk));
        s.pass_started(1000.0);
        s.worked(1010.0);
        assert_eq!(s.next(&models, true, true, 1020.0), Next::Now(Job::MapChunk));
        assert_eq!(s.next(&models, true, false, 1020.0), Next::At(1450.0));
        assert_eq!(s.next(&[current(2)], true, false, 1020.0), Next::Idle);
    }

    #[test]
    fn a_lecture_is_served_when_asked_then_again_on_new_weights_after_its_period() {
        use crate::protocol::view::Lecture;
        let mut s = Scheduler::default();
        let ask = |lecture| LectureRequest { lecture, mask: Vec::new(), done: Vec::new(), changed: true };
        s.pending.lecture = Some(ask(Lecture::Compression));
        assert_eq!(s.next(&[current(5)], true, false, 0.0), Next::Now(Job::Lecture));
        if let Some(r) = s.pending.lecture.as_mut() {
            (r.changed, r.done) = (false, vec![Some(5)]);
        }
        s.lecture_served(1000.0);
        assert_eq!(s.next(&[current(5)], true, false, 1001.0), Next::Idle);
        assert_eq!(s.next(&[current(6)], true, false, 1001.0), Next::At(2500.0));
        // Probes take seconds: new weights wait longer for them.
        s.pending.lecture =
            Some(LectureRequest { changed: false, done: vec![Some(5)], ..ask(Lecture::Probe) });
        assert_eq!(s.next(&[current(6)], true, false, 1001.0), Next::At(16_000.0));
    }

    #[test]
    fn the_manifold_repaints_at_once_when_asked_and_then_periodically() {
        let mut s = Scheduler::default();
        s.pending.manifold =
            Some(ManifoldRequest { regions: vec![[0.0, 0.0, 1.0, 1.0]], tiles: 4, changed: true });
        assert_eq!(s.next(&[current(5)], true, false, 0.0), Next::Now(Job::Manifold));
        s.manifold_painted(2000.0);
        assert_eq!(s.next(&[current(5)], true, false, 2001.0), Next::Idle);
        let mut newer = current(6);
        if let Some(m) = newer.as_mut() {
            (m.manifold, m.encoded) = (Some(5), Some(6));
        }
        assert_eq!(s.next(&[newer], true, false, 2001.0), Next::At(3500.0));
        // A model without a region never makes the manifold due.
        let mut other = current(6);
        if let Some(m) = other.as_mut() {
            m.manifold = None;
        }
        assert_eq!(s.next(&[current(5), other], true, false, 2001.0), Next::Idle);
    }
}
