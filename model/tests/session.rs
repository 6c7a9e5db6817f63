#![cfg(not(target_arch = "wasm32"))]
//! The training session on a small slice of real MNIST with a fake clock: what it reports when run,
//! paused and single-stepped, at which cadence, the loss history between reports, the bookkeeping of
//! a resumed run, divergence (rolled back, training goes on) and errors (training stops).

mod common;

use std::cell::Cell;
use std::sync::Arc;

use burn::module::Module;
use model::train::{Cadence, Event, Progress, Session, StepPoint};
use model::{Dataset, DatasetName, Device, Kind, NetConfig, Recon, TrainConfig, TrainError, Trainer};

const IMAGES: usize = 512;
const BATCH: usize = 32;

/// The first `n` MNIST test images.
fn small(n: usize) -> Arc<Dataset> {
    let test = common::load(DatasetName::Mnist, false);
    let data = Dataset::from_parts(test.pixels()[..n * 784].to_vec(), test.labels()[..n].to_vec());
    Arc::new(data.expect("a slice of MNIST"))
}

fn net(kind: Kind) -> NetConfig {
    NetConfig { kind, hidden: vec![32], ..NetConfig::default() }
}

fn cfg() -> TrainConfig {
    TrainConfig { batch_size: BATCH, ..TrainConfig::default() }
}

fn session(kinds: &[Kind]) -> Session {
    let data = small(IMAGES);
    let device = Device::flex().autodiff();
    let trainers = kinds.iter().map(|&k| Trainer::new(&net(k), cfg(), data.len(), &device)).collect();
    Session::new(trainers, data)
}

fn step(s: &mut Session, now: f64) -> Vec<Event> {
    pollster::block_on(s.step(now))
}

/// The progress reports among `events`.
fn progress(events: &[Event]) -> Vec<&Progress> {
    events.iter().filter_map(|e| if let Event::Progress(p) = e { Some(p) } else { None }).collect()
}

#[test]
fn running_reports_at_once_then_at_its_cadence_and_pausing_sends_the_rest() {
    let mut s = session(&[Kind::Ae]);
    assert!(!s.running() && !s.wants_step());
    assert_eq!(s.data_len(), IMAGES);
    assert!(s.set_running(true, 0.0).is_empty());
    assert!(s.running() && s.wants_step());
    let first = step(&mut s, 0.0);
    assert_eq!(progress(&first).len(), 1, "{first:?}");
    assert_eq!(first.last(), Some(&Event::Snapshot), "the first weights go out at once");
    let p = progress(&first)[0];
    assert!(p.running && p.stats[0].step == 1 && p.stats[0].loss > 0.0);
    assert_eq!(p.batches_per_epoch, IMAGES / BATCH);
    assert!(step(&mut s, 10.0).is_empty());
    assert!(step(&mut s, 50.0).is_empty());
    let later = step(&mut s, 101.0);
    assert_eq!(later.len(), 1, "progress only: {later:?}");
    let p = progress(&later)[0];
    assert_eq!(p.stats[0].step, 4);
    assert_eq!(p.history.iter().map(|h| h.step).collect::<Vec<_>>(), vec![2, 3, 4]);
    assert!(step(&mut s, 150.0).is_empty(), "step 5 is not reported yet");
    let paused = s.set_running(false, 160.0);
    assert_eq!(paused.first(), Some(&Event::Snapshot));
    let p = progress(&paused);
    assert_eq!(p.len(), 1, "{paused:?}");
    assert!(!p[0].running && p[0].stats[0].step == 5 && p[0].history.len() == 1);
    assert!(!s.wants_step());
    assert!(s.set_running(false, 170.0).is_empty(), "pausing a paused session reports nothing");
    assert_eq!(s.steps(), 5);
}

#[test]
fn a_single_step_reports_everything_and_stays_paused() {
    let mut s = session(&[Kind::Ae]);
    s.request_step();
    assert!(s.wants_step() && !s.running());
    let events = step(&mut s, 5.0);
    assert_eq!(events.len(), 2, "{events:?}");
    let p = progress(&events)[0];
    assert!(!p.running && p.stats[0].step == 1 && p.history.len() == 1);
    assert_eq!(events[1], Event::Snapshot);
    assert!(!s.wants_step() && s.steps() == 1);
    // A second single step right after is reported too, whatever the cadence.
    s.request_step();
    assert_eq!(step(&mut s, 6.0).len(), 2);
}

#[test]
fn cadence_sets_when_progress_and_weights_are_due() {
    let cadence = Cadence { progress_ms: 1000.0, snapshot_ms: 250.0 };
    let mut s = session(&[Kind::Ae]).with_cadence(cadence);
    s.set_running(true, 0.0);
    let mut reports = Vec::new();
    let mut snapshots = Vec::new();
    for t in (0..=2100).step_by(100) {
        for e in step(&mut s, f64::from(t)) {
            match e {
                Event::Progress(p) => reports.push((t, p)),
                Event::Snapshot => snapshots.push(t),
                other => panic!("unexpected {other:?}"),
            }
        }
    }
    assert_eq!(reports.iter().map(|r| r.0).collect::<Vec<_>>(), vec![0, 1100]);
    assert_eq!(snapshots, vec![0, 300, 600, 900, 1200, 1500, 1800, 2100]);
    // 11 steps (at 0..=1000 ms) in the first window of 1.1 s, of 32 images each.
    let sps = reports[1].1.samples_per_s;
    assert!((sps - 11.0 * 32.0 / 1.1).abs() < 1e-6, "samples/s {sps}");
    assert_eq!(reports[1].1.history.len(), 11, "steps 2..=12");
    assert_eq!(Cadence::default(), Cadence { progress_ms: 100.0, snapshot_ms: 400.0 });
}

#[test]
fn history_holds_every_step_of_every_model() {
    let mut s = session(&[Kind::Ae, Kind::Vae]);
    s.set_running(true, 0.0);
    let first = step(&mut s, 0.0);
    assert_eq!(progress(&first)[0].stats.len(), 2);
    for t in 1..=3 {
        assert!(step(&mut s, f64::from(t)).is_empty());
    }
    let events = step(&mut s, 200.0);
    let p = progress(&events)[0];
    let shape: Vec<(usize, u64)> = p.history.iter().map(|h| (h.model, h.step)).collect();
    assert_eq!(shape, vec![(0, 2), (1, 2), (0, 3), (1, 3), (0, 4), (1, 4), (0, 5), (1, 5)]);
    let StepPoint { recon, kl, .. } = p.history[7];
    assert_eq!((recon, kl), (p.stats[1].recon, p.stats[1].kl));
    assert!(p.history.iter().filter(|h| h.model == 0).all(|h| h.kl == 0.0), "the AE has no KL");
    assert!(p.history.iter().filter(|h| h.model == 1).all(|h| h.kl > 0.0), "the VAE has a KL");
    let weights = pollster::block_on(s.snapshots()).expect("read");
    let sizes: Vec<usize> = s.trainers().iter().map(|t| t.net().num_params()).collect();
    assert_eq!(weights.iter().map(Vec::len).collect::<Vec<_>>(), sizes);
}

#[test]
fn a_resumed_run_starts_at_its_step_and_epoch() {
    let data = small(IMAGES);
    let device = Device::flex().autodiff();
    let start = net(Kind::Ae).init(&device);
    let mut s = Session::new(vec![Trainer::resume(start, cfg(), data.len(), 50, &device)], data);
    assert_eq!(s.steps(), 50);
    // 16 batches per epoch: 50 batches are 3 epochs and 2 batches.
    let p = s.start_progress();
    assert_eq!((p.stats.len(), p.stats[0].step, p.stats[0].epoch), (1, 50, 3.125));
    assert_eq!((p.batches_per_epoch, p.running, p.samples_per_s, p.stats[0].loss), (16, false, 0.0, 0.0));
    assert!(p.history.is_empty());
    s.request_step();
    let events = step(&mut s, 0.0);
    assert_eq!((progress(&events)[0].stats[0].step, progress(&events)[0].stats[0].epoch), (51, 3.1875));
    // Another dataset: same step, a fresh epoch over its batches.
    s.set_data(small(128));
    let p = s.start_progress();
    assert_eq!((s.data_len(), p.stats[0].step, p.stats[0].epoch, p.batches_per_epoch), (128, 51, 0.0, 4));
}

#[test]
fn divergence_is_rolled_back_and_training_goes_on() {
    let data = small(IMAGES);
    let device = Device::flex().autodiff();
    let wild = TrainConfig { lr: 1e30, ..cfg() };
    let net = NetConfig { hidden: vec![64], recon: Recon::Bce, ..NetConfig::default() };
    let mut s = Session::new(vec![Trainer::new(&net, wild, data.len(), &device)], data);
    s.set_running(true, 0.0);
    let mut diverged = None;
    for t in 0..20 {
        let events = step(&mut s, f64::from(t));
        if let Some(Event::Diverged(e)) = events.first() {
            assert_eq!(events[1..], [Event::Snapshot], "the rolled-back weights go to the view");
            diverged = Some(e.clone());
            break;
        }
    }
    assert!(matches!(diverged, Some(TrainError::Diverged { .. })), "lr 1e30 never diverged");
    assert!(s.running(), "divergence does not stop training");
    let weights = pollster::block_on(s.snapshots()).expect("read");
    assert!(weights[0].iter().all(|w| w.is_finite()));
    let before = s.steps();
    s.set_config(cfg());
    let events = step(&mut s, 1000.0);
    let p = progress(&events);
    assert!(p.len() == 1 && p[0].stats[0].loss.is_finite(), "{events:?}");
    assert_eq!(s.steps(), before + 1);
}

#[test]
fn an_error_stops_training() {
    let device = Device::flex().autodiff();
    let empty = Arc::new(Dataset::from_parts(Vec::new(), Vec::new()).expect("empty is valid"));
    let mut s = Session::new(vec![Trainer::new(&net(Kind::Ae), cfg(), 0, &device)], empty);
    s.set_running(true, 0.0);
    assert_eq!(step(&mut s, 0.0), vec![Event::Stopped(TrainError::NoData)]);
    assert!(!s.running() && !s.wants_step());
}

#[test]
fn bench_times_the_first_step_and_the_mean_of_the_rest() {
    let mut s = session(&[Kind::Ae]);
    let ticks = Cell::new(0.0);
    let clock = || {
        ticks.set(ticks.get() + 10.0);
        ticks.get()
    };
    let (first, mean) = pollster::block_on(s.bench(4, clock)).expect("bench runs");
    assert_eq!((first, mean), (10.0, 2.5));
    assert_eq!(s.steps(), 5);
    assert!(s.set_running(false, 0.0).is_empty(), "bench reports nothing");
}
