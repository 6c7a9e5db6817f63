//! The explorer as a lecture demo, in real headless Chromium on the CPU path: train from scratch,
//! then click each class's centroid on the map and check that the decoded image is that class
//! (by a nearest-neighbour classifier over the real test images); the main thread keeps up while
//! training; the scatter redraw is fast; dataset and model switch without a reload; the VAE's β rises
//! over its KL warm-up step by step, and with no warm-up a step uses β itself.

use model::DatasetName;
use tests::{Page, Result, test_set};

/// The step count and the β the latest step used (`beta-now`), read at one moment.
async fn step_and_beta(page: &Page) -> Result<(f64, f64)> {
    let v = page
        .js("return ['step-count', 'beta-now'].map(id => document.querySelector(`[data-testid=${id}]`)?.textContent ?? '');")
        .await?;
    let num = |i: usize| v[i].as_str().and_then(|t| t.trim().parse::<f64>().ok());
    num(0).zip(num(1)).ok_or_else(|| format!("step-count, beta-now: {v}").into())
}

/// On a VAE at step 0: β = 2 with a KL warm-up of 1,000 steps, trained to step 100 or so, then the
/// warm-up off and one more step.
async fn beta_and_its_warm_up(page: &Page) -> Result<()> {
    page.select("beta-input", "2").await?;
    page.select("warmup-input", "1000").await?;
    page.train_until(100.0, 60, "VAE training").await?;
    let (step, beta) = step_and_beta(page).await?;
    let want = 2.0 * step / 1000.0;
    println!(
        "β 2 warmed up over 1000 steps: β {beta} in the latest step, at step {step} (2·step/1000 = {want})"
    );
    // Within the rise of two steps (the schedule counts steps from 0) and the display's 3 decimals.
    assert!((beta - want).abs() <= 2.0 * 2.0 / 1000.0 + 5e-4, "β {beta} at step {step}, not {want}");
    page.select("warmup-input", "0").await?;
    page.click("step-button").await?;
    // (Waits for β itself: a step still in flight when Train paused may land first, warmed up.)
    let check = format!(
        "+document.querySelector('[data-testid=step-count]').textContent > {step} && Math.abs(+document.querySelector('[data-testid=beta-now]').textContent - 2) < 1e-3"
    );
    page.wait_for(&check, 20, "a step with β = 2 and no warm-up").await?;
    let (after, beta) = step_and_beta(page).await?;
    println!("no warm-up: β {beta} at step {after}");
    assert!((beta - 2.0).abs() < 1e-3, "β {beta} with no warm-up");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn trained_map_decodes_class_centroids_without_freezing() -> Result<()> {
    let test = test_set(DatasetName::Mnist);
    let page = Page::launch("?backend=cpu&seed=7&pretrained=0").await?;
    page.wait_ready().await?;
    let t_start = page.now().await?;
    page.click("train-toggle").await?;
    // 300 s (was 150): this session's build trains at ~64 ms/step here (see the issue note); the
    // test checks what the trained map decodes, and speed is measured by `make bench`.
    let (t_end, steps) = page.pause_at(2500.0, 300, "2500 steps").await?;
    page.wait_for(
        &format!("window.lsxMap && window.lsxMap.step >= {steps}"),
        30,
        "the map of the final weights",
    )
    .await?;

    let long = page
        .js(&format!(
            "return window.lsxLongTasks.filter(t => t[0] >= {t_start} && t[0] <= {t_end}).map(t => t[1]);"
        ))
        .await?;
    let draws = page.js("return window.lsxDrawMs.slice();").await?;
    let mut draws: Vec<f64> =
        draws.as_array().map(|a| a.iter().filter_map(|v| v.as_f64()).collect()).unwrap_or_default();
    draws.sort_by(f64::total_cmp);
    let median = draws.get(draws.len() / 2).copied().unwrap_or(f64::NAN);
    println!(
        "{steps} steps in {:.1} s; long tasks while training: {long}; scatter redraws: {} (median {median:.2} ms, max {:.2} ms)",
        (t_end - t_start) / 1000.0,
        draws.len(),
        draws.last().copied().unwrap_or(f64::NAN)
    );
    let frames = page.js(&tests::long_frames(t_start, t_end)).await?;
    println!("long animation frames while training: {frames}");
    tests::kept_up(&tests::floats(&long))?;
    assert!(median < 4.0, "scatter redraw median {median} ms");

    let decoded = page.decode_centroids(&test, 600).await?;
    page.screenshot("decoded-point").await?;
    let correct: Vec<u8> = decoded.iter().filter(|d| d.0 == d.1).map(|d| d.0).collect();
    page.screenshot("trained-map").await?;
    println!("centroid decodes classified correctly: {} of 10 ({correct:?})", correct.len());
    assert!(correct.len() >= 8, "only {correct:?} of the ten class centroids decode to their class");
    page.finish().await
}

#[tokio::test(flavor = "multi_thread")]
async fn fashion_mnist_and_vae_switch_without_reload_and_beta_warms_up() -> Result<()> {
    let page = Page::launch("?backend=cpu&pretrained=0").await?;
    page.wait_ready().await?;
    page.js("window.lsxNoReload = true; return 1;").await?;

    page.select("dataset-select", "fashion-mnist").await?;
    page.wait_for(
        "document.querySelector('[data-testid=legend]').textContent.includes('Ankle boot')",
        10,
        "clothing names",
    )
    .await?;
    page.wait_status("fashion-mnist: 60000", 60, "Fashion-MNIST").await?;
    page.train_until(100.0, 60, "Fashion-MNIST training").await?;
    let t = page.text("beta-now").await?;
    assert!(t.trim().is_empty(), "beta-now shows {t:?} without a VAE");

    page.select("model-select", "vae").await?;
    page.wait_for(
        "document.querySelector('[data-testid=step-count]').textContent === '0'",
        10,
        "a restart at step 0",
    )
    .await?;
    page.wait_status("Press Train", 60, "the VAE").await?;
    beta_and_its_warm_up(&page).await?;
    let loss = page.number("loss-value").await?;
    assert!(loss.is_finite() && loss > 0.0);
    page.wait_for("window.lsxMap && window.lsxMap.step >= 100", 30, "a VAE map").await?;
    assert_eq!(
        page.js("return window.lsxNoReload === true;").await?,
        serde_json::json!(true),
        "the page reloaded"
    );
    page.screenshot("fashion-vae").await?;
    page.finish().await
}
