//! The explorer as a lecture demo, in real headless Chromium on the CPU path: train from scratch,
//! then click each class's centroid on the map and check that the decoded image is that class
//! (by a nearest-neighbour classifier over the real test images); no long main-thread tasks while
//! training; the scatter redraw is fast; dataset and model switch without a reload.

use model::DatasetName;
use tests::{Browser, Page, Result, Server, test_set};

#[tokio::test(flavor = "multi_thread")]
async fn trained_map_decodes_class_centroids_without_freezing() -> Result<()> {
    let test = test_set(DatasetName::Mnist);
    let server = Server::start()?;
    let browser = Browser::launch().await?;
    let page = Page::open(&browser, &server, "?backend=cpu&seed=7&pretrained=0").await?;
    page.wait_ready().await?;
    let t_start = page.js("return performance.now();").await?.as_f64().unwrap_or(0.0);
    page.click("train-toggle").await?;
    page.wait_for(
        "+document.querySelector('[data-testid=step-count]').textContent >= 2500",
        150,
        "2500 steps",
    )
    .await?;
    let t_end = page.js("return performance.now();").await?.as_f64().unwrap_or(0.0);
    page.click("train-toggle").await?;
    let steps = page.number("step-count").await?;
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
    assert_eq!(
        long.as_array().map_or(usize::MAX, Vec::len),
        0,
        "main-thread tasks over 50 ms while training: {long}"
    );
    assert!(median < 4.0, "scatter redraw median {median} ms");

    let decoded = page.decode_centroids(&test, 600).await?;
    page.screenshot("decoded-point").await?;
    let correct: Vec<u8> = decoded.iter().filter(|d| d.0 == d.1).map(|d| d.0).collect();
    page.screenshot("trained-map").await?;
    println!("centroid decodes classified correctly: {} of 10 ({correct:?})", correct.len());
    assert!(correct.len() >= 8, "only {correct:?} of the ten class centroids decode to their class");
    let errors = page.errors().await?;
    assert!(errors.is_empty(), "console errors: {errors:?}");
    browser.close().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn fashion_mnist_and_vae_switch_without_reload() -> Result<()> {
    let server = Server::start()?;
    let browser = Browser::launch().await?;
    let page = Page::open(&browser, &server, "?backend=cpu&pretrained=0").await?;
    page.wait_ready().await?;
    page.js("window.lsxNoReload = true; return 1;").await?;

    page.select("dataset-select", "fashion-mnist").await?;
    page.wait_for(
        "document.querySelector('[data-testid=legend]').textContent.includes('Ankle boot')",
        10,
        "clothing names",
    )
    .await?;
    page.wait_for(
        "/fashion-mnist: 60000/.test(document.querySelector('[data-testid=status]').textContent)",
        60,
        "Fashion-MNIST",
    )
    .await?;
    page.train_until(100.0, 60, "Fashion-MNIST training").await?;

    page.select("model-select", "vae").await?;
    page.wait_for(
        "document.querySelector('[data-testid=step-count]').textContent === '0'",
        10,
        "a restart at step 0",
    )
    .await?;
    page.wait_for(
        "/Press Train/.test(document.querySelector('[data-testid=status]').textContent)",
        60,
        "the VAE",
    )
    .await?;
    page.train_until(100.0, 60, "VAE training").await?;
    let loss = page.number("loss-value").await?;
    assert!(loss.is_finite() && loss > 0.0);
    page.wait_for("window.lsxMap && window.lsxMap.step >= 100", 30, "a VAE map").await?;
    assert_eq!(
        page.js("return window.lsxNoReload === true;").await?,
        serde_json::json!(true),
        "the page reloaded"
    );
    page.screenshot("fashion-vae").await?;
    let errors = page.errors().await?;
    assert!(errors.is_empty(), "console errors: {errors:?}");
    browser.close().await;
    Ok(())
}
