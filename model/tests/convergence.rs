#![cfg(not(target_arch = "wasm32"))]
//! Convergence on real MNIST: a 2-D AE and VAE must learn, not just run. After a bounded number of steps
//! their latents separate the classes far better than PCA-2D of the pixels (kNN accuracy), their
//! reconstructions beat PCA with 2 components, the VAE's KL is finite and positive, and more of the
//! VAE's samples from the prior N(0, I) decode to plausible digits than the AE's.
//! Thresholds come from measured runs (see the numbers printed with `--nocapture`).

mod common;

use model::latent::{box_samples, prior_samples};
use model::metrics::{encode_all, knn_accuracy, mse};
use model::pca::Pca;
use model::sampling::check;
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

struct Trained {
    knn: f32,
    mse: f32,
    kl: f32,
    /// Plausible shares of 300 decodes from the prior N(0, I) and from the codes' bounding box.
    prior: f32,
    boxed: f32,
}

fn train(kind: Kind, train: &Dataset, test: &Dataset) -> Trained {
    let device = Device::flex().autodiff();
    let cfg = NetConfig { kind, ..NetConfig::default() };
    let mut trainer = Trainer::new(&cfg, TrainConfig::default(), train.len(), &device);
    let mut last = None;
    for _ in 0..STEPS {
        last = Some(pollster::block_on(trainer.step(train)).expect("no divergence"));
    }
    let net = trainer.snapshot();
    let plain = Device::flex();
    let codes = pollster::block_on(encode_all(&net, test, 0..EVAL, 500, &plain)).expect("read");
    let knn = knn_accuracy(&codes, 2, &test.labels()[..EVAL], 5);
    let x = test.floats(0..EVAL);
    let recon = pollster::block_on(model::metrics::decode(&net, &codes, &plain)).expect("read");
    let sample = |points: &[f32]| {
        let c = pollster::block_on(check(&net, points, test, 0..300, 0..test.len(), &plain)).expect("read");
        println!("{kind:?}: threshold {:.3}, share {:.3}", c.threshold, c.share);
        c.share
    };
    let prior = sample(&prior_samples(300, 2, 7));
    let boxed = sample(&box_samples(&codes, 2, 300, 7));
    Trained { knn, mse: mse(&x, &recon), kl: last.map_or(f32::NAN, |s| s.kl), prior, boxed }
}

#[test]
fn ae_and_vae_beat_pca_on_mnist() {
    let (tr, te) = (common::load(DatasetName::Mnist, true), common::load(DatasetName::Mnist, false));
    let base = pca_baseline(&te);
    let ae = train(Kind::Ae, &tr, &te);
    let vae = train(Kind::Vae, &tr, &te);
    println!("PCA-2D: kNN {:.3}, recon MSE {:.4}", base.knn, base.recon);
    for (name, m) in [("AE ", &ae), ("VAE", &vae)] {
        println!(
            "{name} after {STEPS} steps: kNN {:.3}, recon MSE {:.4}, KL {:.3}, plausible samples: prior {:.3}, box {:.3}",
            m.knn, m.mse, m.kl, m.prior, m.boxed
        );
    }
    assert!(base.knn > 0.3 && base.knn < 0.55, "PCA-2D kNN {} outside its known range", base.knn);
    assert!(ae.knn > base.knn + 0.2, "AE kNN {} vs PCA {}", ae.knn, base.knn);
    assert!(vae.knn > base.knn + 0.15, "VAE kNN {} vs PCA {}", vae.knn, base.knn);
    assert!(ae.mse < base.recon * 0.85, "AE MSE {} vs PCA {}", ae.mse, base.recon);
    assert!(vae.mse < base.recon, "VAE MSE {} vs PCA {}", vae.mse, base.recon);
    assert!(vae.kl.is_finite() && vae.kl > 0.5, "VAE KL {}", vae.kl);
    // Sampling from N(0, I): measured 0.857 (VAE) vs 0.643 (AE) of 300 decodes look like real digits.
    assert!(vae.prior > ae.prior + 0.1, "plausible prior samples: VAE {} vs AE {}", vae.prior, ae.prior);
}
