//! Models made by PyTorch (`scripts/onnx_fixtures.py`, committed in `tests/fixtures/onnx/`) run
//! through `model::onnx` give PyTorch's own codes and decodes: a conv VAE on Fashion-MNIST (NCHW, μ and
//! log σ²) on all 10,000 test images, and a colour conv AE on 32 × 32 sprites (NHWC) from their PNGs.

#![cfg(feature = "onnx")]

mod common;

use model::DatasetName;
use model::onnx::{Layout, OnnxError, Pair, Scaling, Shape};

fn fixture(rel: &str) -> Vec<u8> {
    let dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")), std::path::PathBuf::from);
    std::fs::read(dir.join("../tests/fixtures").join(rel)).expect("fixture present")
}

fn floats(rel: &str) -> Vec<f32> {
    fixture(rel).chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()
}

fn max_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

#[test]
fn the_pytorch_conv_vae_gives_pytorchs_codes_and_decodes() {
    let enc = fixture("onnx/fashion-vae-encoder.onnx");
    let dec = fixture("onnx/fashion-vae-decoder.onnx");
    let pair = Pair::load(Some(&enc), &dec, Scaling::Unit).expect("the pair loads");
    assert_eq!(pair.info.image, Shape { h: 28, w: 28, c: 1 });
    assert_eq!((pair.info.layout, pair.info.latent, pair.info.log_var), (Layout::Nchw, 2, true));
    let test = common::load(DatasetName::FashionMnist, false);
    let (mu, log_var) = pair.encode(&test.floats(0..test.len())).expect("encodes");
    let mu_diff = max_diff(&mu, &floats("onnx/fashion-vae-mu.f32"));
    let lv_diff = max_diff(&log_var.expect("log σ²"), &floats("onnx/fashion-vae-logvar.f32"));
    println!("10,000 codes: μ max diff {mu_diff:.2e}, log σ² {lv_diff:.2e}");
    assert!(mu_diff < 1e-4 && lv_diff < 1e-4);
    let decoded = pair.decode(&mu[..16]).expect("decodes");
    let dec_diff = max_diff(&decoded, &floats("onnx/fashion-vae-decodes.f32"));
    println!("8 decodes: max diff per pixel {dec_diff:.2e}");
    assert!(dec_diff < 1e-3);
}

#[test]
fn the_colour_nhwc_autoencoder_gives_pytorchs_codes_from_its_pngs() {
    let pair = Pair::load(
        Some(&fixture("onnx/sprites-ae-encoder.onnx")),
        &fixture("onnx/sprites-ae-decoder.onnx"),
        Scaling::Unit,
    )
    .expect("the pair loads");
    assert_eq!(pair.info.image, Shape { h: 32, w: 32, c: 3 });
    assert_eq!((pair.info.layout, pair.info.latent, pair.info.log_var), (Layout::Nhwc, 4, false));
    let mut rows = Vec::new();
    for shape in ["square", "circle", "triangle"] {
        for i in 0..100 {
            let png = fixture(&format!("sprites/{shape}/{i:03}.png"));
            let img = image::load_from_memory(&png).expect("a PNG").to_rgb8();
            rows.extend(img.as_raw().iter().map(|&v| f32::from(v) / 255.0));
        }
    }
    let (codes, log_var) = pair.encode(&rows).expect("encodes");
    assert!(log_var.is_none());
    let diff = max_diff(&codes, &floats("onnx/sprites-ae-codes.f32"));
    let decoded = pair.decode(&codes[..16]).expect("decodes");
    let dec_diff = max_diff(&decoded, &floats("onnx/sprites-ae-decodes.f32"));
    println!("300 sprite codes: max diff {diff:.2e}; 4 colour decodes: {dec_diff:.2e}");
    assert!(diff < 1e-4 && dec_diff < 1e-3);
}

#[test]
fn a_decoder_alone_decodes_and_a_mismatched_pair_is_refused() {
    let dec = fixture("onnx/fashion-vae-decoder.onnx");
    let alone = Pair::load(None, &dec, Scaling::Unit).expect("a decoder alone loads");
    assert!(!alone.info.encoder);
    assert_eq!(alone.decode(&[0.0, 0.0]).expect("decodes").len(), 784);
    assert!(alone.encode(&[0.0; 784]).is_err());
    let sprites = fixture("onnx/sprites-ae-encoder.onnx");
    let err = Pair::load(Some(&sprites), &dec, Scaling::Unit).err().expect("refused");
    assert_eq!(err.to_string(), "the encoder gives 4-number codes but the decoder takes 2");
}

#[test]
fn broken_models_are_refused_with_their_reason_and_a_dense_pair_works() {
    let enc = fixture("onnx/fashion-vae-encoder.onnx");
    let dec = fixture("onnx/fashion-vae-decoder.onnx");
    let bad = |name: &str| fixture(&format!("onnx/bad/{name}.onnx"));
    let refused =
        |e: Option<&[u8]>, d: &[u8]| Pair::load(e, d, Scaling::Unit).err().expect("refused").to_string();
    let custom = refused(Some(&enc), &bad("custom-op-decoder"));
    assert!(custom.contains("LatentWarp"), "{custom}");
    assert!(refused(Some(&enc), &bad("not-image-decoder")).contains("not an image"));
    assert!(refused(Some(&bad("two-input-encoder")), &dec).contains("2 inputs"));
    assert!(refused(Some(&bad("five-channel-encoder")), &dec).contains("channel"));
    assert!(refused(Some(&enc), &bad("rank3-code-decoder")).contains("[N, D]"));
    assert!(refused(Some(&enc), &bad("small-image-decoder")).contains("14×14×1"));
    let nan = Pair::load(Some(&enc), &bad("nan-decoder"), Scaling::Unit).expect("loads");
    assert_eq!(
        nan.decode(&[0.5, 0.5]).err().map(|e| e.to_string()),
        Some("the decoder gave NaN or infinite values".into())
    );
    assert_eq!(nan.trial().err(), Some(OnnxError::NotFinite("decoder")), "its trial run refuses it");
    for cut in (0..enc.len()).step_by(enc.len() / 40) {
        let why = refused(Some(&enc[..cut]), &dec);
        assert!(!why.is_empty());
    }
    let dense =
        Pair::load(Some(&bad("dense-encoder")), &bad("dense-decoder"), Scaling::Unit).expect("a dense pair");
    assert_eq!((dense.info.layout, dense.info.image), (Layout::Flat, Shape { h: 28, w: 28, c: 1 }));
    assert_eq!(dense.reconstruct(&[0.5; 784]).expect("runs").len(), 784);
}
