//! `train --devices a,b,…`: data-parallel training through burn-train's `Learner` and its
//! multi-device strategy (`ExecutionStrategy::MultiDevice`, `OptimMainDevice`): the training set is
//! split between the devices, a worker per device forks the model there and computes its batch's
//! gradients, burn moves them to the first device and sums them, and one Adam step is taken there.
//! With one device the same Learner runs `SingleDevice`, so the two compare like for like.
//!
//! Each device gets `batch / devices` images a step, so a step sees `batch` images in all and an
//! epoch has as many steps as on one device (Adam is indifferent to the gradients' sum-vs-mean scale).

use std::path::Path;
use std::sync::Arc;

use burn::data::dataloader::DataLoaderBuilder;
use burn::data::dataloader::batcher::Batcher;
use burn::data::dataset::InMemDataset;
use burn::module::Module;
use burn::optim::AdamConfig;
use burn::tensor::{Device, Tensor};
use burn_train::logger::{EvaluationProgressLogger, TrainingProgressLogger};
use burn_train::metric::{Adaptor, LossInput, LossMetric, MetricDefinition};
use burn_train::renderer::{
    EvaluationName, MetricState, MetricsRenderer, MetricsRendererEvaluation, MetricsRendererTraining,
};
use burn_train::{
    ExecutionStrategy, InferenceStep, ItemLazy, Learner, MultiDeviceOptim, SupervisedTraining, TrainOutput,
    TrainStep,
};
use indicatif::{ProgressBar, ProgressStyle};
use model::{Dataset, Net, NetConfig, TrainConfig};

type Error = Box<dyn std::error::Error>;

/// Test images the Learner validates on after each epoch.
const VALID_IMAGES: usize = 1000;

/// The network with its loss weights: what burn-train steps.
#[derive(Module, Debug)]
pub struct Job {
    net: Net,
    #[module(skip)]
    beta: f32,
    #[module(skip)]
    l1: f32,
}

/// A batch of images (the targets; the input is the same, no noise in this mode).
#[derive(Clone, Debug)]
pub struct Images(Tensor<2>);

/// One step's objective, for burn-train's loss metric.
pub struct StepLoss(Tensor<1>);

impl ItemLazy for StepLoss {
    fn sync(self) -> Result<Self, burn::tensor::ExecutionError> {
        self.0.device().flush()?;
        Ok(Self(self.0.without_autodiff()))
    }
}

impl Adaptor<LossInput> for StepLoss {
    fn adapt(&self) -> LossInput {
        LossInput::new(self.0.clone())
    }
}

impl TrainStep for Job {
    type Input = Images;
    type Output = StepLoss;

    fn step(&self, Images(x): Images) -> TrainOutput<StepLoss> {
        let parts = self.net.losses(x.clone(), x, self.beta, self.l1);
        let grads = parts.objective.backward();
        TrainOutput::new(self, grads, StepLoss(parts.objective))
    }
}

impl InferenceStep for Job {
    type Input = Images;
    type Output = StepLoss;

    fn step(&self, Images(x): Images) -> StepLoss {
        StepLoss(self.net.losses(x.clone(), x, self.beta, self.l1).objective)
    }
}

/// Indices into the shared dataset become a batch on the worker's device.
#[derive(Clone)]
struct Rows(Arc<Dataset>);

impl Batcher<usize, Images> for Rows {
    fn batch(&self, items: Vec<usize>, device: &Device) -> Images {
        Images(self.0.batch(&items, device))
    }
}

/// Trains `net` for `epochs` on `devices` (the first holds the model and the optimiser); returns
/// the trained network (inference copy, on the first device) and the last validation loss.
pub fn train(
    net: &NetConfig,
    cfg: &TrainConfig,
    devices: Vec<Device>,
    epochs: usize,
    train: Arc<Dataset>,
    test: &Dataset,
    dir: &Path,
) -> Result<Net, Error> {
    let main = devices.first().ok_or("--devices names no device")?.clone().autodiff();
    main.seed(cfg.seed);
    let job = Job { net: net.init(&main), beta: cfg.beta, l1: cfg.l1 };
    let per_device = (cfg.batch_size / devices.len()).max(1);
    let valid: Vec<u8> =
        (0..test.len().min(VALID_IMAGES)).filter_map(|i| test.image(i)).flatten().copied().collect();
    let valid = Arc::new(Dataset::from_parts(valid, test.labels()[..test.len().min(VALID_IMAGES)].to_vec())?);
    let loader = |data: Arc<Dataset>, batch: usize, shuffle: bool| {
        let builder = DataLoaderBuilder::new(Rows(data.clone())).batch_size(batch);
        let builder = if shuffle { builder.shuffle(cfg.seed) } else { builder };
        builder.build(InMemDataset::new((0..data.len()).collect()))
    };
    let strategy = if devices.len() == 1 {
        ExecutionStrategy::SingleDevice(main.clone())
    } else {
        ExecutionStrategy::MultiDevice(
            devices.iter().map(|d| d.clone().autodiff()).collect(),
            MultiDeviceOptim::OptimMainDevice,
        )
    };
    let steps = (train.len() / cfg.batch_size.max(1)).max(1) * epochs;
    let learner = Learner::new(job, AdamConfig::new().init(), cfg.lr);
    let result =
        SupervisedTraining::new(dir, loader(train, per_device, true), loader(valid, cfg.batch_size, false))
            .num_epochs(epochs)
            .metric_train_numeric(LossMetric::new())
            .metric_valid_numeric(LossMetric::new())
            .with_application_logger(None)
            .renderer(Box::new(Bar::new(steps as u64)))
            .with_training_strategy(strategy.into())
            .launch(learner);
    Ok(result.model.net.valid())
}

/// burn-train's progress on an indicatif bar (its own CLI renderer prints a line per batch).
struct Bar {
    bar: ProgressBar,
    split: String,
    done: u64,
}

impl Bar {
    fn new(len: u64) -> Self {
        let bar = ProgressBar::new(len);
        if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} {msg} [{elapsed} < {eta}]") {
            bar.set_style(style);
        }
        Self { bar, split: String::new(), done: 0 }
    }

    fn show(&self, what: &str, state: &MetricState) {
        if let MetricState::Numeric(entry, _) = state {
            self.bar.set_message(format!("{what} {}", entry.serialized_entry.formatted));
        }
    }
}

impl MetricsRendererTraining for Bar {
    fn update_train(&mut self, state: MetricState) {
        self.show("train", &state);
    }

    fn update_valid(&mut self, state: MetricState) {
        self.show("valid", &state);
    }
}

impl MetricsRendererEvaluation for Bar {
    fn update_test(&mut self, _name: EvaluationName, _state: MetricState) {}
}

impl TrainingProgressLogger for Bar {
    fn start(&mut self, _epochs: usize, _starting: usize, _items: Option<usize>, _label: Option<&str>) {}
    fn update_epoch(&mut self, _epoch: usize) {}
    fn start_split(&mut self, split: &str, _items: usize) {
        self.split = split.to_string();
    }
    fn update_split(&mut self, _items: usize) {
        if self.split.to_ascii_lowercase().contains("train") {
            self.done += 1;
            self.bar.set_position(self.done);
        }
    }
    fn end_split(&mut self) {}
    fn end(&mut self) {
        self.bar.finish();
    }
    fn log_event_training(&mut self, _event: String) {}
}

impl EvaluationProgressLogger for Bar {
    fn start_global_progress(&mut self, _tests: usize) {}
    fn start_test(&mut self, _name: &str, _items: usize) {}
    fn update_test_progress(&mut self, _items: usize) {}
    fn end_test(&mut self) {}
    fn end_global_progress(&mut self) {}
    fn log_event_evaluation(&mut self, _event: String) {}
}

impl MetricsRenderer for Bar {
    fn manual_close(&mut self) {}
    fn register_metric(&mut self, _definition: MetricDefinition) {}
}
