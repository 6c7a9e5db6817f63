#![cfg(not(target_arch = "wasm32"))]
//! Convergence on real MNIST: a 2-D AE and VAE must learn, not just run. After a bounded number of steps
//! their latents separate the classes far better than PCA-2D of the pixels (kNN accuracy), their
//! reconstructions beat PCA with 2 components, and the VAE's KL is finite and positive.
//! Thresholds come from measured runs (see the numbers printed with `--nocapture`).

mod common;

use model::metrics::{encode_all, knn_accuracy, mse};
use model::pca::Pca;
use model::{Dataset, DatasetName, Device, Kind, NetConfig, TrainConfig, Trainer};

const STEPS: u64 = 1500;
const EVAL: usize = 2000;

struct Baseline {
    knn: f32,
    recon: f32,
}

fn pca_baseline(test: &Dataset) -> Baseline {
    let x = test.floats(0..EVAL);
    let pca = Pca::fit(&x, 784, 2).expect("pca fits");
    let coords = pca.project(&x);
    Baseline {
        knn: knn_accuracy(&coords, 2, &test.labels()[..EVAL], 5),
        recon: mse(&x, &pca.inverse(&coords)),
    }
}

fn train(kind: Kind, train: &Dataset, test: &Dataset) -> (f32, f32, f32) {
    let device = Device::flex().autodiff();
    let cfg = NetConfig { kind, ..NetConfig::default() };
    let mut trainer = Trainer::new(&cfg, TrainConfig::default(), train.len(), &device);
    let mut last = None;
    for _ in 0..STEPS {
        last = Some(pollster::block_on(trainer.step(train)).expect("no divergence"));
    }
    let net = trainer.snapshot();
    let plain = Device::flex();
    let codes = pollster::block_on(encode_all(&net, test, 0..EVAL, 500, &plain));
    let knn = knn_accuracy(&codes, 2, &test.labels()[..EVAL], 5);
    let x = test.floats(0..EVAL);
    let recon = pollster::block_on(model::metrics::decode(&net, &codes, &plain));
    (knn, mse(&x, &recon), last.map_or(f32::NAN, |s| s.kl))
}

#[test]
fn ae_and_vae_beat_pca_on_mnist() {
    let (tr, te) = (common::load(DatasetName::Mnist, true), common::load(DatasetName::Mnist, false));
    let base = pca_baseline(&te);
    let (ae_knn, ae_mse, _) = train(Kind::Ae, &tr, &te);
    let (vae_knn, vae_mse, vae_kl) = train(Kind::Vae, &tr, &te);
    println!("PCA-2D: kNN {:.3}, recon MSE {:.4}", base.knn, base.recon);
    println!("AE  after {STEPS} steps: kNN {ae_knn:.3}, recon MSE {ae_mse:.4}");
    println!("VAE after {STEPS} steps: kNN {vae_knn:.3}, recon MSE {vae_mse:.4}, KL {vae_kl:.3}");
    assert!(base.knn > 0.3 && base.knn < 0.55, "PCA-2D kNN {} outside its known range", base.knn);
    assert!(ae_knn > base.knn + 0.2, "AE kNN {ae_knn} vs PCA {}", base.knn);
    assert!(vae_knn > base.knn + 0.15, "VAE kNN {vae_knn} vs PCA {}", base.knn);
    assert!(ae_mse < base.recon * 0.85, "AE MSE {ae_mse} vs PCA {}", base.recon);
    assert!(vae_mse < base.recon, "VAE MSE {vae_mse} vs PCA {}", base.recon);
    assert!(vae_kl.is_finite() && vae_kl > 0.5, "VAE KL {vae_kl}");
}
