//! Instant start and keeping work, in real headless Chromium on the CPU path: the pretrained map is
//! drawn within a second of navigation and its class centroids decode to their class without any
//! training; an autosaved run resumes after a reload with its step, weights and loss; a saved model
//! file loads into a fresh browser profile and reproduces the same map; a
//! corrupt file and a file of the wrong kind are refused and change nothing; the CSV and PNG exports
//! are right; the replay slider changes the map; the view is restored from the URL hash.

use model::DatasetName;
use tests::{Page, Result, floats, test_set};

async fn map(page: &Page) -> Result<Vec<f64>> {
    Ok(floats(&page.js("return Array.from(window.lsxMap.points);").await?))
}

#[tokio::test(flavor = "multi_thread")]
async fn pretrained_map_within_a_second_and_its_centroids_decode() -> Result<()> {
    let test = test_set(DatasetName::Mnist);
    let page = Page::launch("?backend=cpu").await?;
    let first = page.wait_for("window.lsxFirstMap", 20, "a drawn map").await?.as_f64().unwrap_or(f64::NAN);
    page.wait_ready().await?;
    page.wait_pretrained_map(10).await?;
    println!("navigation start to the first drawn map (pretrained MNIST AE): {first:.0} ms");
    let fetches = page
        .js("return performance.getEntriesByType('resource').map(e => [e.name.split('/').pop(), Math.round(e.startTime), Math.round(e.responseEnd)]);")
        .await?;
    println!("fetches [file, start ms, end ms]: {fetches}");
    // The < 1 s target is make bench's figure (715 ms on an AMD EPYC; about 1 s on a 2-core Xeon,
    // with 6ab702a's build as with this one): a timed test would fail on a slower CI machine. This checks the map comes from the shipped file at once, not
    // after the trainer has loaded the training set (several seconds).
    assert!(first < 2000.0, "first map after {first} ms");
    // The map comes from the view worker, the step from the trainer's start report, which loads the
    // training set first: until it reports, the status bar takes the step from the map (it read 0
    // beside a drawn step-5000 map once in CI before it did).
    assert_eq!(page.number("step-count").await?, 5000.0, "the status bar beside the pretrained map");

    let decoded = page.decode_centroids(&test, 400).await?;
    let correct: Vec<u8> = decoded.iter().filter(|d| d.0 == d.1).map(|d| d.0).collect();
    page.screenshot("pretrained-map").await?;
    println!("pretrained centroid decodes classified correctly: {} of 10 ({correct:?})", correct.len());
    assert!(correct.len() >= 8, "only {correct:?} of ten centroids decode to their class");
    page.finish().await
}

#[tokio::test(flavor = "multi_thread")]
async fn saved_model_reloads_in_a_fresh_profile_and_bad_files_change_nothing() -> Result<()> {
    let dir = tests::screenshot_dir().join("files");
    std::fs::create_dir_all(&dir)?;
    // Train a little from scratch, then save.
    let (file, before) = {
        let query = "?backend=cpu&pretrained=0&seed=5";
        let page = Page::launch(query).await?;
        page.wait_ready().await?;
        page.train_until(200.0, 60, "steps").await?;
        // Pausing autosaves the final weights; from then on the step stays put. (An autosave taken
        // while training, every 15 s, may show first: wait for the one of the paused step.)
        let saved = page
            .wait_for("(() => { const a = (document.querySelector('[data-testid=autosave-status]').textContent.match(/step (\\d+)/) || [])[1]; return a !== undefined && a === document.querySelector('[data-testid=step-count]').textContent && +a; })()", 20, "the autosave of the paused step")
            .await?;
        let steps = saved.as_f64().unwrap_or(f64::NAN);
        page.wait_for(&format!("window.lsxMap.step === {steps} && +document.querySelector('[data-testid=step-count]').textContent === {steps}"), 20, "the final map").await?;
        page.click("save-button").await?;
        page.wait_for("window.lsxDownloads.length >= 1", 10, "a download").await?;
        let (name, bytes) = page.download(0).await?;
        println!("saved {name}: {} bytes at step {steps}", bytes.len());
        assert!(name.ends_with(&format!("-step{steps}.lsxw")) && bytes.starts_with(b"LSXW"), "{name}");
        let path = dir.join(&name);
        std::fs::write(&path, &bytes)?;
        let before = (steps, map(&page).await?);

        // Autosave and resume: reload the page (same profile), resume, and the run continues.
        let loss_before = page.number("loss-value").await?;
        page.goto(query).await?;
        page.wait_ready().await?;
        page.wait_for("getComputedStyle(document.querySelector('[data-testid=resume-button]').parentElement).display !== 'none'", 20, "the resume offer").await?;
        page.click("resume-button").await?;
        page.wait_for(&format!("window.lsxMap && window.lsxMap.step === {steps} && +document.querySelector('[data-testid=step-count]').textContent === {steps}"), 60, "the resumed run").await?;
        let resumed = map(&page).await?;
        let diff = before.1.iter().zip(&resumed).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        page.click("step-button").await?;
        page.wait_for(
            &format!("+document.querySelector('[data-testid=step-count]').textContent === {}", steps + 1.0),
            20,
            "one more step",
        )
        .await?;
        let loss_after = page.number("loss-value").await?;
        println!(
            "resume: step {steps} → {}, map max diff {diff:e}, loss before reload {loss_before:.4}, first loss after resume {loss_after:.4}",
            page.number("step-count").await?
        );
        assert!(diff < 1e-4, "the resumed weights draw another map");
        assert!(
            (loss_after - loss_before).abs() < 0.25 * loss_before,
            "loss {loss_before} before, {loss_after} after"
        );
        page.close().await;
        (path, before)
    };
    // A fresh browser (new profile), pretrained VAE on Fashion-MNIST showing: load the file.
    let page = Page::launch("?backend=cpu&dataset=fashion-mnist").await?;
    page.wait_ready().await?;
    page.upload("model-input", &file).await?;
    page.wait_status("Loaded a mnist model", 60, "the model file").await?;
    page.wait_for(&format!("window.lsxMap.step === {}", before.0), 30, "the loaded model's map").await?;
    let after = map(&page).await?;
    let diff = before.1.iter().zip(&after).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
    println!("map of the loaded model: {} coordinates, largest difference {diff:e}", after.len());
    assert_eq!(after.len(), before.1.len());
    assert!(diff < 1e-4, "the loaded model draws another map (max diff {diff})");
    assert_eq!(page.number("step-count").await?, before.0);

    // A corrupt file (truncated) and a file of the wrong kind (a PNG): clear errors, nothing changes.
    let bytes = std::fs::read(&file)?;
    let truncated = dir.join("truncated.lsxw");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2 + 1])?;
    // 64 bytes flipped in the middle: the checksum refuses it (it used to load as a damaged model).
    let flipped = dir.join("flipped.lsxw");
    let mut damaged = bytes.clone();
    let mid = bytes.len() / 2;
    damaged[mid..mid + 64].iter_mut().for_each(|b| *b ^= 0xff);
    std::fs::write(&flipped, &damaged)?;
    let png = tests::root().join("docs/screenshot.png");
    let refused = [
        (truncated, "the file is damaged"),
        (flipped, "the file is damaged"),
        (png, "not a latent-explorer model file"),
    ];
    for (path, expect) in refused {
        page.upload("model-input", &path).await?;
        let status = page
            .wait_for(&format!("(t => t.includes('Could not load {}') && t)(document.querySelector('[data-testid=status]').textContent)", path.file_name().and_then(|n| n.to_str()).unwrap_or_default()), 10, "an error")
            .await?;
        println!("{}: {status}", path.display());
        assert!(status.as_str().unwrap_or_default().contains(expect), "{status}");
        assert!(status.as_str().unwrap_or_default().contains("Nothing was changed"));
        assert_eq!(page.number("step-count").await?, before.0);
        assert_eq!(map(&page).await?, after, "a refused file changed the map");
    }
    page.finish().await
}

#[tokio::test(flavor = "multi_thread")]
async fn exports_replay_and_the_url_hash() -> Result<()> {
    let test = test_set(DatasetName::Mnist);
    let page = Page::launch("?backend=cpu&pretrained=0").await?;
    page.wait_ready().await?;
    page.click("manifold-toggle").await?;
    page.train_until(500.0, 60, "steps").await?;
    let steps = page.number("step-count").await?;
    page.wait_for(&format!("window.lsxMap.step >= {steps}"), 20, "the final map").await?;

    // CSV: a header and 10,000 rows whose labels are the test set's.
    page.click("export-csv").await?;
    page.click("export-map").await?;
    page.wait_for(
        "document.querySelector('[data-testid=export-manifold]').disabled === false",
        20,
        "a manifold",
    )
    .await?;
    page.click("export-manifold").await?;
    page.wait_for("window.lsxDownloads.length >= 3", 10, "three downloads").await?;
    let (name, csv) = page.download(0).await?;
    let csv = String::from_utf8(csv)?;
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    let labels_match = rows.iter().enumerate().all(|(i, r)| {
        let f: Vec<&str> = r.split(',').collect();
        f.len() == 4
            && f[0] == i.to_string()
            && f[1] == test.labels()[i].to_string()
            && f[2].parse::<f32>().is_ok()
    });
    println!("{name}: {} rows, labels match the test set: {labels_match}", rows.len());
    assert_eq!(rows.len(), 10_000);
    assert!(labels_match);
    // PNGs: valid images of the right size.
    // The map PNG is the map as shown, at twice its CSS size (the map's size follows the screen).
    let side = page
        .js("return document.querySelector('[data-testid=latent-plot]').getBoundingClientRect().width;")
        .await?;
    let map_px = (2.0 * side.as_f64().unwrap_or(0.0)).round() as i64;
    for (n, want) in [(1, map_px), (2, 20 * 30 - 2)] {
        let (name, png) = page.download(n).await?;
        let size = page
            .js(&format!(
                "const [, url] = window.lsxDownloads[{n}]; const img = new Image(); img.src = url; await img.decode();
                 return [img.naturalWidth, img.naturalHeight];"
            ))
            .await?;
        println!("{name}: {} bytes, {size}", png.len());
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{name} is not a PNG");
        assert_eq!(size, serde_json::json!([want, want]), "{name}");
    }

    // Replay: the first snapshot and the live map draw different pixels.
    let count = page.js("return +document.querySelector('[data-testid=replay-slider]').max;").await?;
    let pixels = "const c = document.querySelector('[data-testid=latent-plot]'); return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data.filter((_, i) => i % 4 === 0));";
    let live = page.js(pixels).await?;
    page.js("const s = document.querySelector('[data-testid=replay-slider]'); s.value = 0; s.dispatchEvent(new Event('input', {bubbles: true})); return 1;").await?;
    page.wait_for("/replay: step/.test(document.querySelector('.latent h2').textContent)", 5, "the replay")
        .await?;
    let first = page.js(pixels).await?;
    let changed = differing(&live, &first);
    println!(
        "replay: {count} snapshot positions; {changed} pixels differ between the first snapshot and the live map"
    );
    assert!(count.as_f64().unwrap_or(0.0) >= 3.0, "snapshots: {count}");
    assert!(changed > 1000, "the replay did not change the map");

    // URL hash: a shared link restores dataset, model, network, seed, view and the decoded point.
    page.goto("?backend=cpu#dataset=fashion-mnist&model=vae&net=mlp&latent=2&layers=0&seed=7&view=0.5,-0.25,40&z=1,-0.5")
        .await?;
    page.wait_ready().await?;
    page.wait_for(
        "document.querySelector('[data-testid=decode-coords]').textContent === '1.000, -0.500'",
        30,
        "the link's decoded point",
    )
    .await?;
    assert_eq!(page.js("return document.querySelector('[data-testid=seed-input]').value;").await?, "7");
    let restored = page
        .js("return [document.querySelector('[data-testid=dataset-select]').value, document.querySelector('[data-testid=model-select]').value, window.lsxView, location.hash];")
        .await?;
    println!("restored from the hash: {restored}");
    assert_eq!(restored[0], "fashion-mnist");
    assert_eq!(restored[1], "vae");
    assert_eq!(restored[2][0].as_f64(), Some(0.5));
    assert_eq!(restored[2][2].as_f64().map(|s| s / restored[2][3].as_f64().unwrap_or(1.0)), Some(40.0));
    page.finish().await
}

/// Counts differing entries of two JSON arrays.
fn differing(a: &serde_json::Value, b: &serde_json::Value) -> usize {
    match (a.as_array(), b.as_array()) {
        (Some(a), Some(b)) => a.iter().zip(b).filter(|(x, y)| x != y).count(),
        _ => 0,
    }
}

/// The hand-over from a GPU machine: a 16-D convolutional VAE trained by the command line (here on
/// the CPU: the same code and the same file as with `--device wgpu` or `cuda`), with its periodic
/// checkpoints, loads in a fresh page through Load model; the page maps it (the 16-D codes on their
/// first two principal components) and decodes a click from it.
#[tokio::test(flavor = "multi_thread")]
async fn a_conv_vae_from_the_command_line_loads_maps_and_decodes() -> Result<()> {
    let dir = tests::target_dir().join("cli-handover");
    std::fs::create_dir_all(&dir)?;
    let file = dir.join("conv-vae-16.lsxw");
    let _ = std::fs::remove_file(&file);
    let cli = tests::target_dir().join("debug/train");
    let out = std::process::Command::new(&cli)
        .args([
            "--kind",
            "vae",
            "--arch",
            "conv",
            "--latent",
            "16",
            "--steps",
            "200",
            "--checkpoint-every",
            "100",
        ])
        .args(["--eval", "1000", "--out"])
        .arg(&file)
        .arg("--data")
        .arg(tests::root().join("assets/data"))
        .output()
        .map_err(|e| format!("{} (make test builds it first): {e}", cli.display()))?;
    let said = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    println!("train (conv VAE, 16-D):\n{said}");
    assert!(out.status.success(), "the command line failed");
    assert!(
        said.contains("checkpoint: step 100") && said.contains("checkpoint: step 200"),
        "periodic checkpoints"
    );
    let map_bytes = std::fs::metadata(file.with_extension("map"))?.len();
    assert_eq!(map_bytes, 1000 * 16 * 4, "the .map holds 1,000 test codes of 16 floats");

    let page = Page::launch("?backend=cpu").await?;
    page.wait_ready().await?;
    page.wait_pretrained_map(30).await?;
    page.upload("model-input", &file).await?;
    page.wait_status("Loaded a mnist model", 60, "the command line's model file").await?;
    page.wait_for("window.lsxMap.step === 200", 60, "the loaded model's map").await?;
    page.wait_for(
        "/16-D codes/.test(document.querySelector('[data-testid=map-info-0]').textContent)",
        30,
        "the 16-D caption",
    )
    .await?;
    let info = page.text("map-info-0").await?;
    println!("map caption: {info}");
    assert_eq!(page.number("step-count").await?, 200.0);
    let points = map(&page).await?;
    assert!(points.len() >= 2 * 1000 && points.iter().all(|v| v.is_finite()), "a full, finite map");
    page.decodes(260.0, 240.0).await?;
    page.screenshot("cli-conv-vae-16").await?;
    page.finish().await
}
