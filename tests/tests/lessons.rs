//! Beyond the 2-D MLP, in real headless Chromium on the CPU path: the AE beside a PCA of the pixels
//! (k-NN and reconstructions measured, linked hover), colouring by reconstruction error with the worst
//! images, your own IDX images onto the map and to train on (malformed files refused, nothing lost),
//! denoising (the output is closer to the clean image than the noisy input), an L1-sparse code, a
//! 10-D latent seen on its PCA plane whose class centroids decode to their class, and a convolutional
//! AE training in the tab on the CPU and on WebGPU.

use std::path::{Path, PathBuf};

use model::{Dataset, DatasetName};
use tests::{OVER_WHITE, Page, Result, floats, floats_f32, test_set};

/// A number in an element's text after `after` (e.g. "accuracy of these 2-D positions: 0.754").
async fn number_after(page: &Page, id: &str, after: &str) -> Result<f64> {
    let t = page.text(id).await?;
    let rest = t.split(after).nth(1).ok_or_else(|| format!("{id}: no {after:?} in {t:?}"))?;
    let num: String = rest.trim_start().chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
    num.parse().map_err(|_| format!("{id}: no number after {after:?} in {t:?}").into())
}

/// Rows of 28×28 tiles (30 px apart) of a grid canvas as grey values in 0..1 (ink = 1).
async fn grid_rows(page: &Page, id: &str, rows: usize, cols: usize) -> Result<Vec<Vec<f32>>> {
    let v = page
        .js(&format!(
            "const c = document.querySelector('[data-testid={id}]'); const ctx = c.getContext('2d');
             const out = [];
             for (let r = 0; r < {rows}; r++) {{ const row = [];
               for (let k = 0; k < {cols}; k++) {{ const d = ctx.getImageData(k * 30, r * 30, 28, 28).data;
                 for (let i = 0; i < d.length; i += 4) row.push(1 - d[i] / 255); }}
               out.push(row); }}
             return out;"
        ))
        .await?;
    Ok(v.as_array().map(|rows| rows.iter().map(floats_f32).collect()).unwrap_or_default())
}

/// Writes images `range` of `test` as IDX files (images, labels); returns their paths.
fn write_idx(test: &Dataset, n: usize, dir: &Path, name: &str) -> Result<(PathBuf, PathBuf)> {
    let mut images = vec![0, 0, 8, 3];
    images.extend((n as u32).to_be_bytes());
    images.extend(28u32.to_be_bytes());
    images.extend(28u32.to_be_bytes());
    let mut labels = vec![0, 0, 8, 1];
    labels.extend((n as u32).to_be_bytes());
    for i in 0..n {
        images.extend_from_slice(test.image(i).ok_or("short test set")?);
        labels.push(test.labels()[i]);
    }
    let (pi, pl) = (dir.join(format!("{name}-images.idx")), dir.join(format!("{name}-labels.idx")));
    std::fs::write(&pi, images)?;
    std::fs::write(&pl, labels)?;
    Ok((pi, pl))
}

/// Chooses several files at once in a file input.
async fn upload_files(page: &Page, paths: &[&Path]) -> Result<()> {
    let list: Vec<String> = paths
        .iter()
        .map(|p| std::fs::canonicalize(p).map(|p| p.display().to_string()))
        .collect::<std::io::Result<_>>()?;
    page.upload_many("file-input", &list.join("\n")).await
}

/// After a pause: the map shows the weights of the step the status bar shows.
const SETTLED: &str = "(() => { const s = +document.querySelector('[data-testid=step-count]').textContent;
  return window.lsxMap.step === s && s > 0 && window.lsxSettle === s || ((window.lsxSettle = window.lsxMap.step === s ? s : -1), false); })()";

/// Pure black pixels (the crosshair) on the AE map's overlay within 12 device pixels of (x, y), seen
/// over white (opaque black only: the overlay's transparent pixels read as black, 0 alpha).
fn black_near(x: f64, y: f64) -> String {
    format!(
        "const c = document.querySelector('[data-testid=latent-overlay]');
         const d = c.getContext('2d').getImageData({x:.0} - 12, {y:.0} - 12, 25, 25).data;
         {OVER_WHITE}
         let n = 0; for (let i = 0; i < d.length; i += 4) if (overWhite(d, i).every(v => v === 0)) n++;
         return n;"
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn pca_beside_the_ae_anomalies_and_your_own_images() -> Result<()> {
    let test = test_set(DatasetName::Mnist);
    let page = Page::launch("?backend=cpu").await?;
    page.wait_ready().await?;
    page.select("model-select", "pca").await?;
    page.wait_for("window.lsxMap1 && window.lsxMap1.points.length === 20000", 60, "the PCA map").await?;
    page.wait_pretrained_map(30).await?;
    let knn = "accuracy of these 2-D positions:";
    page.wait_for("/accuracy/.test(document.querySelector('[data-testid=map-info-0]').textContent) && /accuracy/.test(document.querySelector('[data-testid=map-info-1]').textContent)", 30, "both k-NN figures").await?;
    let (ae_knn, pca_knn) =
        (number_after(&page, "map-info-0", knn).await?, number_after(&page, "map-info-1", knn).await?);
    // Reconstructions with two components each: rows = originals, AE, PCA.
    page.wait_for(
        "document.querySelector('[data-testid=recon-grid]').height >= 90",
        20,
        "three reconstruction rows",
    )
    .await?;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let rows = grid_rows(&page, "recon-grid", 3, 10).await?;
    let (ae_mse, pca_mse) =
        (model::metrics::mse(&rows[0], &rows[1]), model::metrics::mse(&rows[0], &rows[2]));
    println!(
        "AE vs PCA of the pixels (2 components): k-NN {ae_knn:.3} vs {pca_knn:.3}; reconstruction MSE on the panel's 10 images {ae_mse:.4} vs {pca_mse:.4}"
    );
    assert!(ae_knn > pca_knn + 0.15, "k-NN AE {ae_knn} vs PCA {pca_knn}");
    assert!(ae_mse < pca_mse, "reconstructions AE {ae_mse} vs PCA {pca_mse}");
    assert!(rows[2].iter().sum::<f32>() > 10.0, "the PCA row is empty");

    // Linked hover: a test point under the cursor on the PCA map puts the crosshair on the same test
    // point in the AE map.
    let target = page
        .js("const m = window.lsxMap1, v = window.lsxView1, c = document.querySelector('[data-testid=latent-plot-1]');
             const i = 1234; const sx = c.width / 2 + (m.points[2*i] - v[0]) * v[2], sy = c.height / 2 - (m.points[2*i+1] - v[1]) * v[2];
             let best = -1, bd = 1e9;
             for (let j = 0; j < m.points.length / 2; j++) { const x = c.width / 2 + (m.points[2*j] - v[0]) * v[2], y = c.height / 2 - (m.points[2*j+1] - v[1]) * v[2];
               const d = (x - sx) ** 2 + (y - sy) ** 2; if (d < bd) { bd = d; best = j; } }
             const a = window.lsxMap, w = window.lsxView, ca = document.querySelector('[data-testid=latent-plot]');
             return [sx / v[3], sy / v[3], best, ca.width / 2 + (a.points[2*best] - w[0]) * w[2], ca.height / 2 - (a.points[2*best+1] - w[1]) * w[2]];")
        .await?;
    let t = floats(&target);
    let before = page.js(&black_near(t[3], t[4])).await?.as_f64().unwrap_or(0.0);
    page.hover_at("latent-plot-1", t[0], t[1]).await?;
    let after = page
        .wait_for(
            &format!("(n => n > 20 && n)((() => {{ {} }})())", black_near(t[3], t[4])),
            10,
            "the crosshair on the AE map",
        )
        .await?;
    println!(
        "hover on PCA point #{}: black crosshair pixels around its place on the AE map: {before} before, {after} after",
        t[2]
    );
    assert!(before < 5.0, "black pixels there before the hover: {before}");
    page.screenshot("lessons-pca").await?;

    // Colour by reconstruction error: per-point errors for the whole map and the 12 worst images.
    page.click("error-toggle").await?;
    page.wait_for("window.lsxMap.errors.length === 10000 && document.querySelectorAll('[data-testid=worst-list-0] li').length === 12", 30, "errors and the worst").await?;
    let all = floats(&page.js("return Array.from(window.lsxMap.errors);").await?);
    let listed = page.js("return Array.from(document.querySelectorAll('[data-testid=worst-list-0] li')).map(li => [+li.dataset.index, +li.dataset.error]);").await?;
    let listed: Vec<(usize, f64)> = listed
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|p| (p[0].as_f64().unwrap_or(-1.0) as usize, p[1].as_f64().unwrap_or(f64::NAN)))
        .collect();
    let mut sorted = all.clone();
    sorted.sort_by(|a, b| b.total_cmp(a));
    let median = sorted[sorted.len() / 2];
    println!(
        "anomalies: median error {median:.4}, 12 worst {:?}",
        listed.iter().map(|(i, e)| format!("#{i} {e:.4}")).collect::<Vec<_>>()
    );
    for (k, (i, e)) in listed.iter().enumerate() {
        assert!(
            (e - sorted[k]).abs() < 1e-6,
            "gallery item {k} has error {e}, the {k}-th largest is {}",
            sorted[k]
        );
        assert!((all[*i] - e).abs() < 1e-6, "item #{i}: listed {e}, map {}", all[*i]);
    }
    assert!(listed[11].1 > 3.0 * median, "the worst are not much worse than the median");
    // The gallery shows those test images.
    let gallery = grid_rows(&page, "worst-grid-0", 1, 1).await?;
    let first = test.floats([listed[0].0]);
    let d = model::metrics::mse(&gallery[0], &first);
    assert!(d < 1e-3, "the first gallery image is not test #{} (MSE {d})", listed[0].0);
    let yellow = page.js("const c = document.querySelector('[data-testid=latent-plot]'); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] === 0xfd && d[i+1] === 0xe7 && d[i+2] === 0x25) n++; return n;").await?;
    println!("map pixels in the top error decile's colour: {yellow}");
    assert!(yellow.as_f64().unwrap_or(0.0) > 100.0);
    page.screenshot("lessons-anomaly").await?;
    page.click("error-toggle").await?;

    // Your own images: 300 test images as IDX land exactly where the map has them.
    let dir = tests::screenshot_dir().join("files");
    std::fs::create_dir_all(&dir)?;
    let (imgs, labels) = write_idx(&test, 300, &dir, "mine")?;
    upload_files(&page, &[&imgs, &labels]).await?;
    page.wait_for(
        "window.lsxMap.uploads.length === 600 && window.lsxMap1.uploads.length === 600",
        30,
        "the uploads on both maps",
    )
    .await?;
    let pos = page.js("const m = window.lsxMap; let d = 0; for (let i = 0; i < 600; i++) d = Math.max(d, Math.abs(m.uploads[i] - m.points[i])); return d;").await?;
    println!("uploaded 300 test images: largest distance to their own map positions {pos}");
    assert!(pos.as_f64().unwrap_or(1.0) < 1e-3);
    // Malformed files: refused with the model crate's reason; the map and its uploads stay.
    let bytes = std::fs::read(&imgs)?;
    let mut bad_magic = bytes.clone();
    bad_magic[3] = 9;
    let truncated = bytes[..bytes.len() - 500].to_vec();
    let mut wrong_size = bytes[..16].to_vec();
    wrong_size[4..8].copy_from_slice(&3u32.to_be_bytes()); // 3 images …
    wrong_size[15] = 32; // … of 28×32
    wrong_size.extend(vec![0u8; 3 * 28 * 32]);
    let before = page.js("return [window.lsxMap.step, Array.from(window.lsxMap.uploads).join(',')];").await?;
    for (name, data, expect) in [
        ("badmagic", bad_magic, "bad magic"),
        ("truncated", truncated, "promises"),
        ("wrongsize", wrong_size, "expected 28x28"),
    ] {
        let path = dir.join(format!("{name}-images.idx"));
        std::fs::write(&path, data)?;
        // (A WebDriver upload adds to a `multiple` input's files: clear them first.)
        page.js("document.querySelector('[data-testid=file-input]').value = ''; return 1;").await?;
        page.upload("file-input", &path).await?;
        let status = page.wait_for(&format!("(t => t.includes('{name}') && t.includes('Upload rejected') && t)(document.querySelector('[data-testid=status]').textContent)"), 10, "a refusal").await?;
        println!("{name}: {status}");
        assert!(status.as_str().unwrap_or_default().contains(expect), "{status}");
        assert!(status.as_str().unwrap_or_default().contains("Nothing was changed"));
        assert_eq!(
            page.js("return [window.lsxMap.step, Array.from(window.lsxMap.uploads).join(',')];").await?,
            before
        );
    }
    // Train on them: 20 steps of the page's batch (64 by default) over 300 images are about 4 epochs
    // (on the whole training set they would be a few hundredths of one).
    let batch = page.batch().await?;
    assert!(batch >= 32.0, "batch {batch}");
    page.click("upload-train").await?;
    page.wait_status("Training on your 300 images", 20, "training on the upload").await?;
    for _ in 0..20 {
        let s = page.number("step-count").await?;
        page.click("step-button").await?;
        page.wait_for(
            &format!("+document.querySelector('[data-testid=step-count]').textContent > {s}"),
            20,
            "a step",
        )
        .await?;
    }
    let epochs = page.number("epoch-value").await?;
    let expected = 20.0 * batch / 300.0;
    println!("20 steps of {batch} on the 300 uploaded images: epoch {epochs} (about {expected:.2} expected)");
    assert!(
        epochs > 0.7 * expected && epochs < 1.5 * expected,
        "epoch {epochs}, expected about {expected:.2}: not training on the upload alone"
    );
    page.finish().await
}

#[tokio::test(flavor = "multi_thread")]
async fn denoising_and_a_sparse_code() -> Result<()> {
    let page = Page::launch("?backend=cpu&seed=3").await?;
    page.wait_ready().await?;
    page.wait_pretrained_map(30).await?;
    // Each kind of noise: train the pretrained AE on corrupted inputs for 300 steps, then measure.
    for (kind, level) in [("mask", 0.7), ("gaussian", 0.5)] {
        page.select("noise-select", kind).await?;
        page.select("noise-level", &level.to_string()).await?;
        let s0 = page.number("step-count").await?;
        page.train_until(s0 + 300.0, 60, "denoising steps").await?;
        page.wait_for(SETTLED, 20, "the final weights").await?;
        let step = page.number("step-count").await?;
        page.wait_for(
            "document.querySelector('[data-testid=denoise-measure]')",
            20,
            "the denoising measurement",
        )
        .await?;
        tokio::time::sleep(std::time::Duration::from_millis(800)).await;
        let (noisy, out) =
            (page.number("denoise-noisy-mse").await?, page.number("denoise-output-mse").await?);
        let rows = grid_rows(&page, "recon-grid", 3, 10).await?;
        let (px_noisy, px_out) =
            (model::metrics::mse(&rows[0], &rows[1]), model::metrics::mse(&rows[0], &rows[2]));
        println!(
            "{kind} noise {level}, trained on it for {} steps: MSE to the clean images: noisy input {noisy:.4} → output {out:.4} (from the drawn pixels: {px_noisy:.4} → {px_out:.4})",
            step - s0
        );
        assert!(out < 0.8 * noisy, "{kind}: output {out} vs noisy {noisy}");
        assert!(px_out < 0.8 * px_noisy, "{kind}: drawn output {px_out} vs noisy {px_noisy}");
    }
    page.screenshot("lessons-denoise").await?;

    // Sparse: L1 on the code shrinks it.
    page.select("noise-select", "none").await?;
    let mean = "Code: mean |z|";
    let before = number_after(&page, "map-info-0", mean).await?;
    page.select("l1-input", "0.01").await?;
    let s0 = page.number("step-count").await?;
    page.train_until(s0 + 300.0, 60, "sparse steps").await?;
    page.wait_for(SETTLED, 20, "the final map").await?;
    let step = page.number("step-count").await?;
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    let after = number_after(&page, "map-info-0", mean).await?;
    let loss = page.number("loss-value").await?;
    let knn = number_after(&page, "map-info-0", "accuracy of these 2-D positions:").await?;
    println!(
        "L1 0.01 on the code for {} steps: mean |z| {before:.3} → {after:.3}; loss {loss:.4}; {}",
        step - s0,
        page.text("map-info-0").await?
    );
    assert!(after < 0.5 * before, "mean |z| {before} → {after}");
    assert!(knn > 0.5, "the sparse code lost the classes: k-NN {knn}");
    assert!(loss.is_finite());
    page.finish().await
}

#[tokio::test(flavor = "multi_thread")]
async fn ten_dimensional_codes_on_a_plane_and_a_convolutional_ae() -> Result<()> {
    let test = test_set(DatasetName::Mnist);
    let page = Page::launch("?backend=cpu&pretrained=0&seed=4").await?;
    page.wait_ready().await?;
    page.select("latent-input", "10").await?;
    page.wait_status("Press Train", 30, "the 10-D model").await?;
    page.train_until(1500.0, 150, "training").await?;
    page.wait_for(SETTLED, 20, "the final map").await?;
    let step = page.number("step-count").await?;
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    let info = page.text("map-info-0").await?;
    println!("10-D AE after {step} steps: {info}");
    assert!(info.contains("10-D codes on their first two principal components"), "{info}");
    let decoded = page.decode_centroids(&test, 400).await?;
    let correct = decoded.iter().filter(|d| d.0 == d.1).count();
    println!("10-D plane centroids classified as their class: {correct} of 10");
    // A linear plane of 10-D codes mixes classes (measured natively, seed 4, 1,500 steps: k-NN 0.39 on
    // the plane vs 0.885 in 10-D; the classes' mean codes decode right 10 of 10, their places on the
    // plane 5–6 of 10 with this mapping back and 3–5 with the plain mean): 4/7/9 and 3/5/8 overlap.
    assert!(correct >= 4, "only {correct} of 10 plane centroids decode to their class");
    page.screenshot("lessons-10d").await?;

    // A convolutional AE trains in the tab on the CPU…
    page.select("latent-input", "2").await?;
    page.select("arch-select", "conv").await?;
    page.wait_status("Press Train", 30, "the conv model").await?;
    page.click("step-button").await?;
    page.wait_for(
        "+document.querySelector('[data-testid=step-count]').textContent === 1",
        30,
        "the first step",
    )
    .await?;
    let first = page.number("loss-value").await?;
    page.train_until(200.0, 90, "conv steps").await?;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let (loss, rate) = (page.number("loss-value").await?, page.number("samples-per-s").await?);
    println!(
        "conv AE on the CPU: loss {first:.4} at step 1 → {loss:.4} at step {}, {rate} samples/s",
        page.number("step-count").await?
    );
    assert!(loss < 0.5 * first, "conv loss {first} → {loss}");
    page.close().await;

    // … and on WebGPU (SwiftShader here: a few steps).
    let page = Page::launch("?backend=webgpu&pretrained=0&seed=4").await?;
    page.wait_ready().await?;
    page.select("arch-select", "conv").await?;
    page.wait_status("Press Train", 60, "the conv model").await?;
    let backend = page.text("backend-label").await?;
    let t0 = std::time::Instant::now();
    for s in 1..=3 {
        page.click("step-button").await?;
        page.wait_for(
            &format!("+document.querySelector('[data-testid=step-count]').textContent === {s}"),
            120,
            "a WebGPU conv step",
        )
        .await?;
    }
    let loss = page.number("loss-value").await?;
    println!("conv AE on {backend}: 3 steps in {:.1} s, loss {loss:.4}", t0.elapsed().as_secs_f64());
    assert!(backend.to_lowercase().contains("webgpu"), "{backend}");
    assert!(loss.is_finite() && loss > 0.0 && loss < 0.5);
    page.finish().await
}
