//! `train` on one device: the page's training session (`model::train::Session`) with divergences
//! rolled back, a progress bar, a checkpoint every `--checkpoint-every` steps, `--resume` and the
//! `--until-knn` time-to-insight check.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use burn::module::Module;
use indicatif::{ProgressBar, ProgressStyle};
use model::metrics::{encode_all, knn_accuracy};
use model::train::{Event, Session};
use model::weights::{FileHeader, Precision, from_file, restore, snapshot, to_file};
use model::{Dataset, DatasetName, Net, NetConfig, StepStats, TrainConfig, TrainError, Trainer};

/// Divergences in a row after which the run gives up (each one is rolled back and retried).
const MAX_DIVERGED_IN_A_ROW: u32 = 100;
/// Test images the --until-knn check encodes, and how often it runs (steps).
const KNN_ROWS: usize = 1000;
const KNN_EVERY: u64 = 25;

/// What the command line asked of a single-device run.
pub struct Plan<'a> {
    /// Steps in all (a resumed run counts its earlier ones).
    pub steps: u64,
    /// Write the weights to `out` every this many steps (0: never here).
    pub checkpoint_every: u64,
    pub out: Option<&'a Path>,
    /// Stop once the map's kNN(5) on the first 1,000 test codes reaches this.
    pub until_knn: Option<f32>,
    /// A weights file to carry on from.
    pub resume: Option<&'a Path>,
}

/// Shows a session's events on the progress bar and keeps the latest step's figures in `last`;
/// true when a step diverged, an error when training stopped.
fn report(bar: &ProgressBar, events: Vec<Event>, last: &mut Option<StepStats>) -> Result<bool, TrainError> {
    let mut diverged = false;
    for event in events {
        match event {
            Event::Progress(p) => {
                if let Some(s) = p.stats.first() {
                    bar.set_message(format!("loss {:.4} recon {:.4} kl {:.2}", s.loss, s.recon, s.kl));
                    *last = Some(*s);
                }
            }
            Event::Diverged(e) => {
                bar.suspend(|| println!("warning: {e}"));
                diverged = true;
            }
            Event::Stopped(e) => return Err(e),
            Event::Snapshot => {}
        }
    }
    Ok(diverged)
}

/// Trains on one device through the page's training session (divergences rolled back, a
/// checkpoint every --checkpoint-every steps, --until-knn checked every 25 steps).
#[allow(clippy::too_many_arguments)]
pub fn train(
    a: &Plan,
    net: &NetConfig,
    train_cfg: &TrainConfig,
    dataset: DatasetName,
    device: model::Device,
    train: Arc<Dataset>,
    test: &Dataset,
    cpu: &model::Device,
) -> Result<(Net, u64, u64, StepStats), Box<dyn std::error::Error>> {
    let trainer = match a.resume {
        Some(path) => {
            let (header, params) = from_file(&std::fs::read(path)?)?;
            if header.net != *net {
                return Err(format!("{} holds another network: {:?}", path.display(), header.net).into());
            }
            println!("resuming {} at step {}", path.display(), header.step);
            let restored = restore(net, &params, &device.clone().autodiff())?;
            Trainer::resume(restored, train_cfg.clone(), train.len(), header.step, &device.clone().autodiff())
        }
        None => Trainer::new(net, train_cfg.clone(), train.len(), &device.clone().autodiff()),
    };
    let first_step = trainer.steps();
    let mut session = Session::new(vec![trainer], train);
    let bar = ProgressBar::new(a.steps);
    bar.set_style(ProgressStyle::with_template("{bar:40} {pos}/{len} steps {msg} [{elapsed} < {eta}]")?);
    let started = Instant::now();
    let mut checking = std::time::Duration::ZERO;
    let now = || started.elapsed().as_secs_f64() * 1000.0;
    let mut last = None;
    session.set_running(true, now());
    let mut in_a_row = 0;
    let knn_rows = test.len().min(KNN_ROWS);
    while session.steps() < a.steps {
        let events = pollster::block_on(session.step(now()));
        in_a_row = if report(&bar, events, &mut last)? { in_a_row + 1 } else { 0 };
        if in_a_row >= MAX_DIVERGED_IN_A_ROW {
            return Err(format!("training diverged {in_a_row} times in a row; try a smaller --lr").into());
        }
        let step = session.steps();
        bar.set_position(step);
        if let (Some(out), true) = (a.out, a.checkpoint_every > 0 && step.is_multiple_of(a.checkpoint_every))
        {
            let trainer = session.trainers().first().ok_or("no model")?;
            let header = FileHeader {
                net: net.clone(),
                train: train_cfg.clone(),
                dataset,
                step,
                precision: Precision::F32,
            };
            let bytes = to_file(&header, &pollster::block_on(snapshot(trainer.net()))?);
            let tmp = out.with_extension("lsxw.part");
            std::fs::write(&tmp, bytes)?;
            std::fs::rename(&tmp, out)?;
            bar.suspend(|| println!("checkpoint: step {step} written to {}", out.display()));
        }
        if let (Some(goal), true) = (a.until_knn, step.is_multiple_of(KNN_EVERY)) {
            let t = Instant::now();
            let trainer = session.trainers().first().ok_or("no model")?;
            let codes = pollster::block_on(encode_all(&trainer.snapshot(), test, 0..knn_rows, 500, cpu))?;
            let knn = knn_accuracy(&codes, net.latent, &test.labels()[..knn_rows], 5);
            checking += t.elapsed();
            if knn >= goal {
                let secs = (started.elapsed() - checking).as_secs_f64();
                bar.suspend(|| println!("time to insight: kNN(5) {knn:.3} >= {goal} on {knn_rows} test codes at step {step}, {secs:.1} s of training"));
                break;
            }
        }
    }
    report(&bar, session.set_running(false, now()), &mut last)?;
    bar.finish();
    let trainer = session.trainers().first().ok_or("no model was trained")?;
    let done = trainer.steps() - first_step;
    Ok((trainer.net().valid(), trainer.steps(), done, last.unwrap_or_default()))
}
