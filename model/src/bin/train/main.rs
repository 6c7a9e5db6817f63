//! Native command line: trains any configuration on MNIST, Fashion-MNIST, IDX files or a folder of
//! images, on the CPU or a GPU (`--device wgpu|cuda`) or data-parallel on several (`--devices`),
//! with a progress bar and periodic checkpoints; reports test metrics (reconstruction MSE, KL, kNN
//! accuracy of the latents next to the PCA baseline, samples/s) and writes a weights file and its map
//! that the page opens (Load model).
//!
//! `cargo run -p model --release --bin train -- --dataset mnist --kind vae --steps 3000 --out vae.lsxw`

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    match cli::main() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod data;
#[cfg(not(target_arch = "wasm32"))]
mod multi;
#[cfg(not(target_arch = "wasm32"))]
mod single;

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use std::path::PathBuf;
    use std::sync::Arc;
    use std::time::Instant;

    use burn::module::Module;
    use clap::Parser;
    use model::device::Spec;
    use model::metrics::{decode, encode_all, knn_accuracy, mse};
    use model::pca::Pca;
    use model::weights::{FileHeader, Precision, from_file, restore, snapshot, to_file};
    use model::{Arch, Dataset, DatasetName, Kind, NetConfig, Noise, Recon, StepStats, TrainConfig};

    use crate::data::{self, Source};
    use crate::multi;
    use crate::single::{self, Plan};

    #[derive(Parser, Debug)]
    #[command(about = "Train an autoencoder of the latent-space explorer natively")]
    struct Args {
        /// mnist or fashion-mnist
        #[arg(long, default_value = "mnist")]
        dataset: String,
        /// ae or vae
        #[arg(long, default_value = "ae")]
        kind: String,
        /// mlp or conv
        #[arg(long, default_value = "mlp")]
        arch: String,
        /// Hidden widths, comma-separated
        #[arg(long, default_value = "512,256")]
        hidden: String,
        #[arg(long, default_value_t = 2)]
        latent: usize,
        /// mse or bce
        #[arg(long, default_value = "mse")]
        recon: String,
        #[arg(long, default_value_t = 3000)]
        steps: u64,
        #[arg(long, default_value_t = 128)]
        batch: usize,
        #[arg(long, default_value_t = 1e-3)]
        lr: f64,
        #[arg(long, default_value_t = 1.0)]
        beta: f32,
        #[arg(long, default_value_t = 0)]
        kl_warmup: u64,
        /// L1 weight on the code (sparse AE)
        #[arg(long, default_value_t = 0.0)]
        l1: f32,
        /// Gaussian input noise std (denoising AE)
        #[arg(long, default_value_t = 0.0)]
        noise: f32,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// The page's fast start: up to 3x the rate (at most 3e-3) for 1,000 steps, back to --lr by 3,000
        #[arg(long)]
        fast_start: bool,
        /// Test images used for the metrics
        #[arg(long, default_value_t = 10_000)]
        eval: usize,
        /// Where MNIST and Fashion-MNIST live
        #[arg(long, default_value = "assets/data")]
        data: PathBuf,
        /// Train on your own IDX images file (any count of 28x28 images, gzip'd or raw) instead;
        /// every tenth image (at most 10,000) is held out for the test figures and the map
        #[arg(long, conflicts_with = "images")]
        idx: Option<PathBuf>,
        /// The IDX labels file that goes with --idx
        #[arg(long, requires = "idx")]
        idx_labels: Option<PathBuf>,
        /// Train on a folder of PNG/JPEG/WebP/GIF images instead (made MNIST-like as the page does;
        /// labelled from their folder names, e.g. 7/a.png, with --dataset's class names)
        #[arg(long)]
        images: Option<PathBuf>,
        /// Train on the first this many training images only (0: all)
        #[arg(long, default_value_t = 0)]
        limit: usize,
        /// Where to train: cpu, wgpu (the default GPU; wgpu:N the Nth discrete one, wgpu:cpu a
        /// software driver such as lavapipe) or cuda[:N]; GPU backends need `--features wgpu|cuda`
        #[arg(long, default_value = "cpu")]
        device: String,
        /// Data-parallel over several devices, comma-separated (e.g. cuda:0,cuda:1), through
        /// burn-train's multi-device strategy; trains --epochs epochs instead of --steps
        #[arg(long, conflicts_with_all = ["device", "resume", "until_knn"])]
        devices: Option<String>,
        /// Epochs for --devices
        #[arg(long, default_value_t = 1)]
        epochs: usize,
        /// Write the weights to --out every this many steps while training (0: only at the end)
        #[arg(long, default_value_t = 1000)]
        checkpoint_every: u64,
        /// Carry on from a weights file (a checkpoint) for --steps steps in all
        #[arg(long)]
        resume: Option<PathBuf>,
        /// Stop once the kNN(5) accuracy of 1,000 test codes reaches this (checked every 25 steps;
        /// the time to it, checks excluded, is printed): the bench's time to insight
        #[arg(long)]
        until_knn: Option<f32>,
        /// Weights file to write (a `<out>.json` beside it records the command and the metrics)
        #[arg(long)]
        out: Option<PathBuf>,
        /// Store the weights as f16 (half the size)
        #[arg(long)]
        half: bool,
        /// Add this run's point to a rate-distortion file (JSON, created if missing): test MSE of
        /// this AE and of a PCA of the pixels (fitted to 10,000 training images) at this code size
        #[arg(long)]
        curve: Option<PathBuf>,
    }

    /// Training images a curve's PCA is fitted to.
    const CURVE_PCA_ROWS: usize = 10_000;

    /// Adds (or replaces) the point at `latent` in the rate-distortion file `path`.
    fn add_to_curve(
        path: &std::path::Path,
        dataset: DatasetName,
        latent: usize,
        point: serde_json::Value,
    ) -> Result<(), Box<dyn std::error::Error>> {
        let mut curve: serde_json::Value = match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes)?,
            Err(_) => serde_json::json!({ "dataset": dataset.id(), "points": [] }),
        };
        let points = curve["points"].as_array_mut().ok_or("the curve file has no points list")?;
        points.retain(|p| p["latent"].as_u64() != Some(latent as u64));
        points.push(point);
        points.sort_by_key(|p| p["latent"].as_u64());
        std::fs::write(path, serde_json::to_string_pretty(&curve)? + "\n")?;
        Ok(())
    }

    pub fn main() -> Result<(), Box<dyn std::error::Error>> {
        let a = Args::parse();
        let dataset = DatasetName::from_id(&a.dataset).ok_or("--dataset is mnist or fashion-mnist")?;
        let net = NetConfig {
            kind: if a.kind == "vae" { Kind::Vae } else { Kind::Ae },
            arch: if a.arch == "conv" { Arch::Conv } else { Arch::Mlp },
            hidden: a.hidden.split(',').map(str::parse).collect::<Result<_, _>>()?,
            latent: a.latent.clamp(1, 64),
            recon: if a.recon == "bce" { Recon::Bce } else { Recon::Mse },
        };
        let noise = if a.noise > 0.0 { Noise::Gaussian { std: a.noise } } else { Noise::None };
        let train_cfg = TrainConfig {
            lr: a.lr,
            batch_size: a.batch,
            beta: a.beta,
            kl_warmup: a.kl_warmup,
            l1: a.l1,
            noise,
            seed: a.seed,
            fast_start: a.fast_start,
        };
        let source = match (&a.images, &a.idx) {
            (Some(dir), _) => Source::Folder(dir),
            (None, Some(images)) => Source::Idx { images, labels: a.idx_labels.as_deref() },
            (None, None) => Source::Builtin { dir: &a.data, name: dataset },
        };
        let loaded = data::load(source, &dataset.class_names())?;
        println!("{}", loaded.said);
        let train = match a.limit {
            0 => loaded.train,
            n => {
                let n = n.min(loaded.train.len());
                let pixels = loaded.train.pixels()[..n * model::data::PIXELS].to_vec();
                Dataset::from_parts(pixels, loaded.train.labels()[..n].to_vec())?
            }
        };
        let (train, test) = (Arc::new(train), loaded.test);
        // Every figure is measured on the CPU, whatever trained the model.
        let cpu = Spec::Cpu.open()?;
        let started = Instant::now();
        let (trained, steps, done, last) = match &a.devices {
            Some(list) => {
                let devices =
                    list.split(',').map(|d| Spec::parse(d)?.open()).collect::<Result<Vec<_>, _>>()?;
                println!(
                    "training data-parallel on {} devices ({list}), {} epoch(s)",
                    devices.len(),
                    a.epochs
                );
                let dir = std::env::temp_dir().join(format!("lsx-train-{}", std::process::id()));
                let net_trained =
                    multi::train(&net, &train_cfg, devices, a.epochs, train.clone(), &test, &dir)?;
                let _ = std::fs::remove_dir_all(&dir);
                let steps = (train.len() / a.batch.max(1)) as u64 * a.epochs as u64;
                let last = StepStats { step: steps, epoch: a.epochs as f64, ..StepStats::default() };
                (net_trained, steps, steps, last)
            }
            None => {
                let device = Spec::parse(&a.device)?.open()?;
                let plan = Plan {
                    steps: a.steps,
                    checkpoint_every: a.checkpoint_every,
                    out: a.out.as_deref(),
                    until_knn: a.until_knn,
                    resume: a.resume.as_deref(),
                };
                single::train(&plan, &net, &train_cfg, dataset, device, train.clone(), &test, &cpu)?
            }
        };
        let secs = started.elapsed().as_secs_f64();
        let n = a.eval.min(test.len());
        let mut plain = restore(&net, &pollster::block_on(snapshot(&trained))?, &cpu)?;
        let trained_steps = steps;
        // With --out, every figure below is measured on the weights as shipped (f16 with --half).
        let precision = if a.half { Precision::F16 } else { Precision::F32 };
        let header = FileHeader {
            net: net.clone(),
            train: train_cfg.clone(),
            dataset,
            step: trained_steps,
            precision,
        };
        let file = match &a.out {
            Some(_) => Some(to_file(&header, &pollster::block_on(snapshot(&plain))?)),
            None => None,
        };
        if let Some(bytes) = &file {
            let (_, shipped) = from_file(bytes)?;
            plain = restore(&net, &shipped, &cpu)?;
        }
        let codes = pollster::block_on(encode_all(&plain, &test, 0..n, 500, &cpu))?;
        let x = test.floats(0..n);
        let recon = pollster::block_on(decode(&plain, &codes, &cpu))?;
        let labels = &test.labels()[..n];
        let pca = Pca::fit(&x, 784, net.latent.min(784))?;
        let pc = pca.project(&x);
        let pca2 = Pca::fit(&x, 784, 2)?;
        let pc2 = pca2.project(&x);
        let sps = done as f64 * a.batch as f64 / secs;
        let (recon_mse, pca_mse) = (mse(&x, &recon), mse(&x, &pca.inverse(&pc)));
        let (knn, pca_knn) = (knn_accuracy(&codes, net.latent, labels, 5), knn_accuracy(&pc2, 2, labels, 5));
        println!(
            "dataset {} | {:?} {:?} {:?} latent {} | {} steps ({:.2} epochs) in {secs:.1} s = {sps:.0} samples/s",
            dataset.id(),
            net.kind,
            net.arch,
            net.hidden,
            net.latent,
            trained_steps,
            last.epoch,
        );
        println!(
            "test recon MSE {recon_mse:.5} (PCA-{} {pca_mse:.5}) | last KL {:.3} | kNN(5) of latents {knn:.3} (PCA-2D {pca_knn:.3})",
            net.latent, last.kl,
        );
        if let Some(path) = &a.curve {
            let rows = train.floats(0..CURVE_PCA_ROWS.min(train.len()));
            let pca = Pca::fit(&rows, 784, net.latent.min(784))?;
            let pca_test_mse = mse(&x, &pca.inverse(&pca.project(&x)));
            let point = serde_json::json!({
                "latent": net.latent, "ae_mse": recon_mse, "pca_mse": pca_test_mse, "steps": trained_steps,
                "seed": a.seed, "test_images": n, "precision": format!("{precision:?}"),
            });
            add_to_curve(path, dataset, net.latent, point)?;
            println!(
                "curve {}: latent {} AE {recon_mse:.5} PCA {pca_test_mse:.5}",
                path.display(),
                net.latent
            );
        }
        if let (Some(out), Some(bytes)) = (a.out, file) {
            std::fs::write(&out, &bytes)?;
            // The map of the test set under the shipped weights (f32 LE, [n * latent]): the page draws it
            // at once while its own encoder catches up.
            let map: Vec<u8> = codes.iter().flat_map(|c| c.to_le_bytes()).collect();
            std::fs::write(out.with_extension("map"), map)?;
            let record = serde_json::json!({
                "command": std::env::args().collect::<Vec<_>>().join(" "),
                "dataset": dataset.id(), "steps": trained_steps, "epochs": last.epoch, "seed": a.seed,
                "batch": a.batch, "lr": a.lr, "beta": a.beta, "precision": format!("{precision:?}"),
                "parameters": plain.num_params(), "bytes": bytes.len(),
                "test (shipped weights)": { "images": n, "recon_mse": recon_mse, "pca_recon_mse": pca_mse,
                          "knn5": knn, "pca2_knn5": pca_knn, "last_batch_kl": last.kl },
                "native_samples_per_s": sps,
            });
            std::fs::write(out.with_extension("json"), serde_json::to_string_pretty(&record)? + "\n")?;
            println!(
                "wrote {} ({} parameters, {} bytes) and its .map, .json",
                out.display(),
                plain.num_params(),
                bytes.len()
            );
        }
        Ok(())
    }
}
