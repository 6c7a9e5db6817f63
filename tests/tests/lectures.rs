//! The lectures panel on real MNIST in headless Chromium (CPU path), each item's figures checked
//! against the same computation done here natively by the `model` crate on the same weights (the
//! shipped pretrained files, or a file this test trains and the page loads): neighbours by code and
//! by pixels, a traversal that changes along a used unit and not along an unused one, the VAE's
//! posterior, completion (a model trained for it beats the plain one), super-resolution, compression
//! with its rate-distortion chart, and the linear probe against a native fit.

use std::sync::Arc;

use model::data::degrade::{Half, low_res, masked};
use model::latent::{Metric, neighbours, sweep, variance};
use model::metrics::{decode, encode_all, mse, pixel_neighbours, posterior, reconstruct};
use model::pca::Pca;
use model::probe::{EPOCHS, Probe};
use model::train::Session;
use model::weights::{FileHeader, Precision, from_file, restore, snapshot, to_file};
use model::{Dataset, DatasetName, Device, Kind, Net, NetConfig, TrainConfig, Trainer};
use serde_json::Value;
use tests::{Page, Result, floats, floats_f32, root, test_set};

/// A shipped pretrained network, restored natively.
fn shipped(kind: &str) -> Result<Net> {
    let bytes = std::fs::read(root().join(format!("assets/weights/mnist-{kind}.lsxw")))?;
    let (header, params) = from_file(&bytes)?;
    Ok(restore(&header.net, &params, &Device::flex())?)
}

/// The first `n` training images of MNIST.
fn train_images(n: usize) -> Result<Dataset> {
    let dir = root().join("assets/data/mnist");
    let [i, l, _, _] = DatasetName::Mnist.files();
    let all = Dataset::from_idx(&std::fs::read(dir.join(i))?, Some(&std::fs::read(dir.join(l))?))?;
    Ok(Dataset::from_parts(all.pixels()[..n * 784].to_vec(), all.labels()[..n].to_vec())?)
}

/// Clicks test point `i` on the first map (a real mouse click at its place) and returns the test
/// point the page took (where points overlap, the click may hit a neighbour of `i`).
async fn click_point(page: &Page, i: usize) -> Result<usize> {
    let p = page.point_at(i).await?;
    // A real click's decode (counted in lsxDecodeMs; the default decode on arrival is not).
    page.decodes(p[0], p[1]).await?;
    let about = page
        .wait_for(
            "(document.querySelector('[data-testid=lecture-about]').textContent.match(/#(\\d+)/) || [])[1] !== '0' && document.querySelector('[data-testid=lecture-about]').textContent.match(/#(\\d+)/)[1]",
            20,
            "the clicked point in the lectures",
        )
        .await?;
    let took: usize = about.as_str().unwrap_or_default().parse()?;
    println!("clicked test point {i}: the page took #{took}");
    Ok(took)
}

/// Opens the lectures panel at a projector's 1024×768 and checks that the maps and the whole panel
/// are on screen together without scrolling.
async fn open_lectures(page: &Page, maps: usize) -> Result<()> {
    page.set_viewport(1024, 768).await?;
    page.click("lectures-button").await?;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let v = page
        .js("window.scrollTo(0, 0); const r = id => { const e = document.querySelector(`[data-testid=${id}]`); if (!e) return null;
             const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
             return [r('lectures'), r('latent-plot'), r('latent-plot-1')];")
        .await?;
    for (k, what) in ["the lectures panel", "map 1", "map 2"].iter().enumerate().take(1 + maps) {
        let b = floats(&v[k]);
        assert!(
            b.len() == 4 && b[0] >= 0.0 && b[1] >= 0.0 && b[2] <= 1024.0 && b[3] <= 768.0,
            "{what} at {b:?} is not inside 1024×768"
        );
    }
    Ok(())
}

/// Waits for the view's answer of kind `item` whose step is at least `step` and that `extra` (a JS
/// expression over `r`, the result, and `q`, the request) accepts; returns (step, result, images).
async fn answer(page: &Page, item: &str, step: f64, extra: &str) -> Result<(f64, Value, Vec<f32>)> {
    let check = format!(
        "(() => {{ const a = window.lsxLecture; if (!a) return false; const r = a[1];
           const q = a[2]; return r.item === '{item}' && a[0] >= {step} && ({extra}); }})()"
    );
    page.wait_for(&check, 90, &format!("the {item} answer")).await?;
    // Let a second answer for the same request settle (the map pass may re-encode once).
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let v = page.js("return [window.lsxLecture, Array.from(window.lsxLectureImages)];").await?;
    let step = v[0][0].as_f64().unwrap_or(0.0);
    Ok((step, v[0][1].clone(), floats_f32(&v[1])))
}

/// (index, label, distance) triples of a JSON list.
fn triples(v: &Value) -> Vec<(usize, u8, f32)> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|t| {
                    (
                        t[0].as_u64().unwrap_or(0) as usize,
                        t[1].as_u64().unwrap_or(0) as u8,
                        t[2].as_f64().unwrap_or(0.0) as f32,
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn max_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len(), "image counts differ");
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

#[tokio::test(flavor = "multi_thread")]
async fn neighbours_probe_and_compression_match_native_figures() -> Result<()> {
    let test = test_set(DatasetName::Mnist);
    let device = Device::flex();
    let ae = shipped("ae")?;
    let codes = encode_all(&ae, &test, 0..test.len(), 500, &device).await?;
    let page = Page::launch("?backend=cpu").await?;
    page.wait_ready().await?;
    page.wait_pretrained_map(60).await?;
    open_lectures(&page, 1).await?;
    let i = click_point(&page, 4321).await?;

    // 1. Neighbours: by code (Euclidean, then cosine) and by pixels, as computed natively.
    for metric in [Metric::Euclidean, Metric::Cosine] {
        if metric == Metric::Cosine {
            page.select("neighbours-metric", "cosine").await?;
        }
        let (_, r, images) = answer(
            &page,
            "neighbours",
            5000.0,
            &format!(
                "q.index === {i} && q.metric === '{}'",
                if metric == Metric::Cosine { "cosine" } else { "euclidean" }
            ),
        )
        .await?;
        let (by_code, by_pixels) = (triples(&r["by_code"]), triples(&r["by_pixels"]));
        let native = neighbours(&codes, 2, &codes[2 * i..2 * i + 2], 8, metric, Some(i));
        let same = by_code.iter().filter(|n| native.iter().any(|m| m.0 == n.0)).count();
        let labels: Vec<u8> = by_code.iter().map(|n| n.1).collect();
        let native_labels: Vec<u8> = native.iter().map(|n| test.labels()[n.0]).collect();
        println!(
            "neighbours of #{i} (label {}) by {metric:?} code: {labels:?} (native {native_labels:?}, {same}/8 same images)",
            test.labels()[i]
        );
        assert!(same >= 7, "page {by_code:?} vs native {native:?}");
        for (p, n) in by_code.iter().zip(&native) {
            if p.0 == n.0 {
                assert!((p.2 - n.1).abs() < 1e-3 * n.1.max(1.0), "distance {p:?} vs {n:?}");
            }
        }
        let px = pixel_neighbours(&test.floats([i]), &test, 8, Some(i));
        assert_eq!(
            by_pixels.iter().map(|n| n.0).collect::<Vec<_>>(),
            px.iter().map(|n| n.0).collect::<Vec<_>>()
        );
        assert_eq!(images.len(), 17 * 784, "the image, 8 + 8 neighbours");
        assert!(max_diff(&images[..784], &test.floats([i])) < 1e-6);
        let agree = |n: &[(usize, u8, f32)]| n.iter().filter(|n| n.1 == test.labels()[i]).count();
        println!(
            "  same label as the image: {}/8 by code, {}/8 by pixels",
            agree(&by_code),
            agree(&by_pixels)
        );
    }
    page.screenshot("lectures-neighbours-1024").await?;

    // 7. The linear probe, against a native fit on the same 10,000 training images.
    page.click("lecture-tab-probe").await?;
    let (_, r, _) = answer(&page, "probe", 5000.0, "r.probes.length >= 2").await?;
    let train = train_images(10_000)?;
    let train_codes = encode_all(&ae, &train, 0..train.len(), 500, &device).await?;
    let native_ae = Probe::fit(&train_codes, 2, train.labels(), EPOCHS).accuracy(&codes, test.labels());
    let x = train.floats(0..train.len());
    let pca = Pca::fit(&x[..3_000 * 784], 784, 2)?; // the page fits it to the first 3,000
    let native_pca = Probe::fit(&pca.project(&x), 2, train.labels(), EPOCHS)
        .accuracy(&pca.project(&test.floats(0..test.len())), test.labels());
    let (page_ae, page_pca) = (
        r["probes"][0]["accuracy"].as_f64().unwrap_or(0.0),
        r["probes"][1]["accuracy"].as_f64().unwrap_or(0.0),
    );
    println!(
        "linear probe, 2 numbers: AE code {page_ae:.4} (native {native_ae:.4}), PCA of pixels {page_pca:.4} (native {native_pca:.4}), in {:.0} ms",
        r["ms"].as_f64().unwrap_or(0.0)
    );
    assert!((page_ae - f64::from(native_ae)).abs() < 0.02, "AE probe {page_ae} vs native {native_ae}");
    assert!((page_pca - f64::from(native_pca)).abs() < 0.02, "PCA probe {page_pca} vs native {native_pca}");
    assert!(page_ae > page_pca + 0.05, "the AE's code is not more linearly separable than PCA's");
    let shown = page.text("probe-accuracy").await?;
    assert!(shown.contains(&format!("{page_ae:.3}")), "{shown}");
    page.screenshot("lectures-probe-1024").await?;

    // 6. Compression: the live model's error against native, and the chart with both curves.
    page.click("lecture-tab-compression").await?;
    let (_, r, _) = answer(&page, "compression", 5000.0, "r.models.length >= 1").await?;
    let n = r["images"].as_u64().unwrap_or(0) as usize;
    let x = test.floats(0..n);
    let native = mse(&reconstruct(&ae, &x, &device).await?, &x);
    let page_mse = r["models"][0][2].as_f64().unwrap_or(0.0) as f32;
    println!(
        "compression: 2 numbers (8 bytes as f32: 98x smaller), test MSE {page_mse:.5} over {n} images (native {native:.5})"
    );
    assert!((page_mse - native).abs() < 1e-4, "{page_mse} vs {native}");
    let figures = page.text("compression-figures").await?;
    assert!(figures.contains("98×") && figures.contains("196×"), "{figures}");
    page.wait_for("(() => { const c = document.querySelector('[data-testid=compression-chart]'); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let ae = 0, pca = 0; for (let i = 0; i < d.length; i += 4) { if (d[i] === 0 && d[i+1] === 114 && d[i+2] === 178) ae++; if (d[i] === 213 && d[i+1] === 94 && d[i+2] === 0) pca++; }
        return ae > 50 && pca > 50; })()", 20, "both rate-distortion curves on the chart").await?;
    let curve: Value = serde_json::from_slice(&std::fs::read(root().join("assets/weights/mnist-rd.json"))?)?;
    let sizes: Vec<u64> = curve["points"]
        .as_array()
        .map(|p| p.iter().filter_map(|p| p["latent"].as_u64()).collect())
        .unwrap_or_default();
    assert_eq!(sizes, vec![2, 4, 8, 16, 32], "the shipped curve's code sizes");
    page.screenshot("lectures-compression-1024").await?;
    // The panel at the other classroom sizes: nothing scrolls sideways (screenshots to look at).
    for (w, h) in [(1920, 1080), (768, 1024), (390, 844)] {
        page.set_viewport(w, h).await?;
        tokio::time::sleep(std::time::Duration::from_millis(700)).await;
        let scroll =
            page.js("return document.documentElement.scrollWidth;").await?.as_f64().unwrap_or(f64::MAX);
        assert!(scroll <= f64::from(w), "at {w}×{h} the page is {scroll} px wide");
        page.screenshot(&format!("lectures-compression-{w}x{h}")).await?;
    }
    page.finish().await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_vae_posterior_beside_the_ae_point() -> Result<()> {
    let test = test_set(DatasetName::Mnist);
    let device = Device::flex();
    let vae = shipped("vae")?;
    let page = Page::launch("?backend=cpu&compare=1").await?;
    page.wait_ready().await?;
    page.wait_for(
        "window.lsxMap && window.lsxMap1 && window.lsxMap.step >= 5000 && window.lsxMap1.step >= 5000",
        90,
        "both pretrained maps",
    )
    .await?;
    open_lectures(&page, 2).await?;
    page.click("lecture-tab-posterior").await?;
    let i = click_point(&page, 123).await?;
    let (_, r, images) =
        answer(&page, "posterior", 5000.0, &format!("q.index === {i} && r.models.length === 2")).await?;
    let (ae_post, vae_post) = (&r["models"][0], &r["models"][1]);
    assert!(
        ae_post["cov"].is_null() && ae_post["sigma"].as_array().is_some_and(Vec::is_empty),
        "the AE has one code"
    );
    let (mean, log_var) = posterior(&vae, &test.floats([i]), &device).await?;
    let log_var = log_var.ok_or("the VAE has a variance")?;
    let page_mean = floats_f32(&vae_post["mean"]);
    let page_sigma = floats_f32(&vae_post["sigma"]);
    let sigma: Vec<f32> = log_var.iter().map(|v| (0.5 * v).exp()).collect();
    println!("VAE posterior of #{i}: μ {page_mean:?} (native {mean:?}), σ {page_sigma:?} (native {sigma:?})");
    assert!(max_diff(&page_mean, &mean) < 1e-3 && max_diff(&page_sigma, &sigma) < 1e-3);
    let cov = floats_f32(&vae_post["cov"]);
    assert!(
        (cov[0] - sigma[0] * sigma[0]).abs() < 1e-4
            && cov[1].abs() < 1e-6
            && (cov[2] - sigma[1] * sigma[1]).abs() < 1e-4,
        "{cov:?}"
    );
    // The draws decode as the native decoder decodes the same codes (2-D: map point = code).
    let draws = floats_f32(&vae_post["draws"]);
    assert_eq!(draws.len(), 16);
    let native = decode(&vae, &draws, &device).await?;
    let page_draws = &images[2 * 784..];
    assert_eq!(page_draws.len(), 8 * 784, "the image, the AE's output, 8 VAE draws");
    println!("decoded draws: largest pixel difference to native {:.2e}", max_diff(page_draws, &native));
    assert!(max_diff(page_draws, &native) < 0.02);
    // The draws differ (a distribution, not a point), and lie within a few σ of μ.
    assert!(max_diff(&page_draws[..784], &page_draws[784..1568]) > 0.05, "all draws decode alike");
    for z in draws.chunks_exact(2) {
        assert!((0..2).all(|d| (z[d] - mean[d]).abs() < 5.0 * sigma[d]), "draw {z:?}");
    }
    // The ellipses and draws on the VAE's map (its overlay), in purple.
    page.wait_for("(() => { const c = document.querySelector('[data-testid=latent-overlay-1]'); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i+3] > 200 && d[i] === 106 && d[i+1] === 0 && d[i+2] === 168) n++; return n > 100; })()", 20, "the posterior on the VAE's map").await?;
    page.screenshot("lectures-posterior-1024").await?;

    // The other items with both pretrained models: the VAE's figures beside the AE's, from the page
    // and checked against native ones.
    page.click("lecture-tab-probe").await?;
    let (_, r, _) = answer(&page, "probe", 5000.0, "r.probes.length === 3").await?;
    let train = train_images(10_000)?;
    let acc = |k: usize| r["probes"][k]["accuracy"].as_f64().unwrap_or(0.0);
    let vae_codes = encode_all(&vae, &test, 0..test.len(), 500, &device).await?;
    let native_vae =
        Probe::fit(&encode_all(&vae, &train, 0..train.len(), 500, &device).await?, 2, train.labels(), EPOCHS)
            .accuracy(&vae_codes, test.labels());
    println!(
        "linear probe, 2 numbers: AE {:.4}, VAE {:.4} (native {native_vae:.4}), PCA of pixels {:.4}",
        acc(0),
        acc(1),
        acc(2)
    );
    assert!((acc(1) - f64::from(native_vae)).abs() < 0.02, "VAE probe {} vs native {native_vae}", acc(1));
    page.click("lecture-tab-compression").await?;
    let (_, r, _) = answer(&page, "compression", 5000.0, "r.models.length === 2").await?;
    let n = r["images"].as_u64().unwrap_or(0) as usize;
    let x = test.floats(0..n);
    let native_vae = mse(&reconstruct(&vae, &x, &device).await?, &x);
    let err = |k: usize| r["models"][k][2].as_f64().unwrap_or(0.0) as f32;
    println!(
        "compression, 2 numbers (98x as f32): test MSE AE {:.5}, VAE {:.5} (native {native_vae:.5}) over {n} images",
        err(0),
        err(1)
    );
    assert!((err(1) - native_vae).abs() < 1e-4);
    for (tab, what) in [("complete", "completion of the top half"), ("superres", "super-resolution from 7x7")]
    {
        page.click(&format!("lecture-tab-{tab}")).await?;
        let (_, r, _) =
            answer(&page, "degraded", 5000.0, &format!("q.item === '{tab}' && r.models.length === 2"))
                .await?;
        let m = |k: usize, f: &str| r["models"][k][f].as_f64().unwrap_or(0.0);
        println!(
            "{what} of #{i}: input {:.4}, AE {:.4}, VAE {:.4}; over 200 test images: input {:.4}, AE {:.4}, VAE {:.4}",
            r["input"].as_f64().unwrap_or(0.0),
            m(0, "output"),
            m(1, "output"),
            r["set_input"].as_f64().unwrap_or(0.0),
            m(0, "set_output"),
            m(1, "set_output")
        );
        let input = if tab == "complete" {
            masked(&test.floats([i]), &Half::Top.keep())
        } else {
            low_res(&test.floats([i]), 4)
        };
        let native = mse(&reconstruct(&vae, &input, &device).await?, &test.floats([i]));
        assert!(
            (m(1, "output") as f32 - native).abs() < 1e-4,
            "{tab}: VAE {} vs native {native}",
            m(1, "output")
        );
    }
    page.finish().await
}

#[tokio::test(flavor = "multi_thread")]
async fn super_resolution_and_completion_and_training_for_it() -> Result<()> {
    let test = test_set(DatasetName::Mnist);
    let device = Device::flex();
    let ae = shipped("ae")?;
    let page = Page::launch("?backend=cpu").await?;
    page.wait_ready().await?;
    page.wait_pretrained_map(60).await?;
    open_lectures(&page, 1).await?;
    let i = click_point(&page, 2024).await?;
    let img = test.floats([i]);
    let set = test.floats(0..200);

    // 5. Super-resolution from 7×7.
    page.click("lecture-tab-superres").await?;
    let (_, r, images) =
        answer(&page, "degraded", 5000.0, &format!("q.item === 'superres' && q.index === {i}")).await?;
    let low = low_res(&img, 4);
    let out = reconstruct(&ae, &low, &device).await?;
    let (input, output) =
        (r["input"].as_f64().unwrap_or(0.0) as f32, r["models"][0]["output"].as_f64().unwrap_or(0.0) as f32);
    println!(
        "super-resolution from 7x7 of #{i}: input MSE {input:.4} (native {:.4}), AE output {output:.4} (native {:.4})",
        mse(&low, &img),
        mse(&out, &img)
    );
    assert!((input - mse(&low, &img)).abs() < 1e-5 && (output - mse(&out, &img)).abs() < 1e-4);
    assert!(max_diff(&images[784..1568], &low) < 1e-5);
    let set_low = low_res(&set, 4);
    let set_out = mse(&reconstruct(&ae, &set_low, &device).await?, &set);
    let page_set = r["models"][0]["set_output"].as_f64().unwrap_or(0.0) as f32;
    println!(
        "  over 200 test images: input {:.4}, AE output {page_set:.4} (native {set_out:.4})",
        r["set_input"].as_f64().unwrap_or(0.0)
    );
    assert!((page_set - set_out).abs() < 1e-4);
    page.screenshot("lectures-superres-1024").await?;

    // 4. Completion of the top half, then a model trained for it against the plain one.
    page.click("lecture-tab-complete").await?;
    let (_, r, _) =
        answer(&page, "degraded", 5000.0, &format!("q.item === 'complete' && q.index === {i}")).await?;
    let hidden = masked(&img, &Half::Top.keep());
    let out = reconstruct(&ae, &hidden, &device).await?;
    let (input, output) =
        (r["input"].as_f64().unwrap_or(0.0) as f32, r["models"][0]["output"].as_f64().unwrap_or(0.0) as f32);
    println!(
        "completion of #{i}'s top half: masked input MSE {input:.4} (native {:.4}), AE output {output:.4} (native {:.4})",
        mse(&hidden, &img),
        mse(&out, &img)
    );
    assert!((input - mse(&hidden, &img)).abs() < 1e-5 && (output - mse(&out, &img)).abs() < 1e-4);
    let set_hidden = masked(&set, &Half::Top.keep());
    let plain = mse(&reconstruct(&ae, &set_hidden, &device).await?, &set);
    let set_input = r["set_input"].as_f64().unwrap_or(0.0) as f32;
    println!("  over 200 test images: masked input {set_input:.4}, plain AE output {plain:.4}");
    page.click("complete-train").await?;
    page.pause_at(5600.0, 120, "600 steps of training for completion").await?;
    let step = page.number("step-count").await?;
    let (_, r, _) = answer(
        &page,
        "degraded",
        step,
        &format!("q.item === 'complete' && q.index === {i} && r.models[0].set_plain !== null"),
    )
    .await?;
    let (trained, page_plain) = (
        r["models"][0]["set_output"].as_f64().unwrap_or(0.0) as f32,
        r["models"][0]["set_plain"].as_f64().unwrap_or(0.0) as f32,
    );
    println!(
        "  after {} steps trained for it: {trained:.4} vs the plain model {page_plain:.4} (native {plain:.4}): {:.0} % lower; masked input {set_input:.4}",
        step - 5000.0,
        100.0 * (1.0 - trained / page_plain)
    );
    assert!((page_plain - plain).abs() < 1e-4, "the plain model's error");
    assert!(trained < page_plain, "the model trained for completion does not beat the plain one");
    assert!(trained < set_input, "completion error {trained} is not below the masked input's {set_input}");
    assert!(page.text("complete-set").await?.contains("% lower"));
    page.screenshot("lectures-complete-1024").await?;
    page.finish().await
}

/// A small VAE trained here (seeded): with β = 7 some of its 4 code units collapse to the prior (measured: variances of μ 0.36, 0.0009, 0.04, 0.004).
async fn small_vae(path: &std::path::Path) -> Result<Net> {
    let net = NetConfig { kind: Kind::Vae, hidden: vec![128], latent: 4, ..NetConfig::default() };
    let train = TrainConfig { beta: 7.0, seed: 5, ..TrainConfig::default() };
    let data = Arc::new(train_images(20_000)?);
    let device = Device::flex();
    let trainer = Trainer::new(&net, train.clone(), data.len(), &device.clone().autodiff());
    let mut session = Session::new(vec![trainer], data);
    session.set_running(true, 0.0);
    while session.steps() < 1500 {
        session.step(0.0).await;
    }
    let trained = session.trainers()[0].snapshot();
    let params = snapshot(&trained).await?;
    let header = FileHeader {
        net: net.clone(),
        train,
        dataset: DatasetName::Mnist,
        step: 1500,
        precision: Precision::F32,
    };
    std::fs::write(path, to_file(&header, &params))?;
    Ok(restore(&net, &params, &device)?)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_traversal_changes_along_a_used_unit_and_not_an_unused_one() -> Result<()> {
    let test = test_set(DatasetName::Mnist);
    let device = Device::flex();
    let path = tests::target_dir().join("lectures-small-vae.lsxw");
    let vae = small_vae(&path).await?;
    let codes = encode_all(&vae, &test, 0..test.len(), 500, &device).await?;
    let variances: Vec<f32> = (0..4).map(|d| variance(&codes, 4, d)).collect();
    println!(
        "small VAE (4 units, β = 7, 1,500 steps): variance of μ per unit over the test set {variances:?}"
    );
    let page = Page::launch("?backend=cpu&pretrained=0").await?;
    page.wait_ready().await?;
    page.upload("model-input", &path).await?;
    page.wait_status("Loaded a mnist model", 60, "the small VAE").await?;
    page.wait_for("window.lsxMap && window.lsxMap.step === 1500", 60, "its map").await?;
    open_lectures(&page, 1).await?;
    page.click("lecture-tab-traverse").await?;
    let i = click_point(&page, 77).await?;
    let (_, r, images) =
        answer(&page, "traverse", 1500.0, &format!("q.index === {i} && r.units.length === 4")).await?;
    let units = r["units"].as_array().cloned().unwrap_or_default();
    let change = |u: &Value| u["change"].as_f64().unwrap_or(0.0) as f32;
    let code = &codes[4 * i..4 * i + 4];
    for (d, u) in units.iter().enumerate() {
        let native = decode(&vae, &sweep(code, d, (-2.5, 2.5), 9), &device).await?;
        let strip = &images[784 + d * 9 * 784..784 + (d + 1) * 9 * 784];
        let var = u["variance"].as_f64().unwrap_or(0.0) as f32;
        println!(
            "unit {}: variance {var:.4} (native {:.4}), change along the sweep {:.4}, strip vs native {:.1e}",
            d + 1,
            variances[d],
            change(u),
            max_diff(strip, &native)
        );
        assert!(max_diff(strip, &native) < 0.02, "unit {d}'s strip");
        assert!((var - variances[d]).abs() < 1e-3 * variances[d].max(1.0));
    }
    let used = (0..4).max_by(|&a, &b| variances[a].total_cmp(&variances[b])).unwrap_or(0);
    let unused = (0..4).min_by(|&a, &b| variances[a].total_cmp(&variances[b])).unwrap_or(0);
    assert!(variances[unused] < 0.01, "no unit collapsed: {variances:?}");
    assert!(change(&units[used]) > 0.02, "sweeping the most used unit changes little");
    assert!(
        change(&units[unused]) < change(&units[used]) / 5.0,
        "sweeping an unused unit changes the decode"
    );
    let listed = page.text("traverse-units").await?;
    assert!(listed.contains("changes almost nothing"), "{listed}");
    page.screenshot("lectures-traverse-1024").await?;
    page.finish().await
}
