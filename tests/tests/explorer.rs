//! The explorer as a lecture demo, in real headless Chromium on the CPU path: train from scratch,
//! then click each class's centroid on the map and check that the decoded image is that class
//! (by a nearest-neighbour classifier over the real test images); no long main-thread tasks while
//! training; the scatter redraw is fast; dataset and model switch without a reload.

use model::{Dataset, DatasetName};
use tests::{Browser, Page, Result, Server};

fn test_set(name: DatasetName) -> Dataset {
    let dir = tests::root().join("assets/data").join(name.id());
    let read = |f: &str| std::fs::read(dir.join(f)).expect("bundled data");
    let [_, _, i, l] = name.files();
    Dataset::from_idx(&read(i), Some(&read(l))).expect("bundled data parses")
}

/// The centre of each class's cluster, in the map's CSS pixels: the coordinate-wise median of the
/// class's points that sit inside its cluster (at least 80 % of their 15 nearest map neighbours share
/// their label), so that stray points in other clusters do not drag the centre into a mixed region.
const CENTROIDS: &str = r#"
const m = window.lsxMap, v = window.lsxView, c = document.querySelector('[data-testid=latent-plot]');
const n = Math.min(m.labels.length, 4000), K = 15;
const med = a => { a.sort((x, y) => x - y); return a[a.length >> 1]; };
const pure = new Array(n).fill(false);
for (let i = 0; i < n; i++) {
  const d = [];
  for (let j = 0; j < n; j++) if (j !== i) d.push([(m.points[2*i]-m.points[2*j])**2 + (m.points[2*i+1]-m.points[2*j+1])**2, m.labels[j]]);
  d.sort((a, b) => a[0] - b[0]);
  pure[i] = d.slice(0, K).filter(e => e[1] === m.labels[i]).length >= 0.8 * K;
}
const out = [];
for (let k = 0; k < 10; k++) {
  let idx = [...Array(n).keys()].filter(i => m.labels[i] === k && pure[i]);
  if (idx.length === 0) idx = [...Array(n).keys()].filter(i => m.labels[i] === k);
  const z = [med(idx.map(i => m.points[2*i])), med(idx.map(i => m.points[2*i+1]))];
  const sx = c.width / 2 + (z[0] - v[0]) * v[2], sy = c.height / 2 - (z[1] - v[1]) * v[2];
  out.push([k, z[0], z[1], sx / v[3], sy / v[3], idx.length]);
}
return out;
"#;

/// The decoded 28x28 image as grey values in 0..1 (the canvas draws ink dark on white).
const DECODED: &str = r#"
const d = document.querySelector('[data-testid=decode-image]').getContext('2d').getImageData(0, 0, 28, 28).data;
const out = []; for (let i = 0; i < d.length; i += 4) out.push(1 - d[i] / 255); return out;
"#;

#[tokio::test(flavor = "multi_thread")]
async fn trained_map_decodes_class_centroids_without_freezing() -> Result<()> {
    let test = test_set(DatasetName::Mnist);
    let server = Server::start()?;
    let browser = Browser::launch().await?;
    let page = Page::open(&browser, &server, "?backend=cpu&seed=7").await?;
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

    let centroids = page.js(CENTROIDS).await?;
    let mut correct = Vec::new();
    for c in centroids.as_array().cloned().unwrap_or_default() {
        let f = |i: usize| c[i].as_f64().unwrap_or(f64::NAN);
        let class = f(0) as u8;
        page.click_at("latent-plot", f(3), f(4)).await?;
        tokio::time::sleep(std::time::Duration::from_millis(600)).await;
        let img: Vec<f32> = page
            .js(DECODED)
            .await?
            .as_array()
            .map(|a| a.iter().map(|v| v.as_f64().unwrap_or(0.0) as f32).collect())
            .unwrap_or_default();
        let (label, dist) = model::metrics::nearest_label(&img, &test).ok_or("empty test set")?;
        println!(
            "class {class}: centroid ({:.2}, {:.2}) decodes to nearest test image of class {label} (MSE {dist:.4})",
            f(1),
            f(2)
        );
        if label == class {
            correct.push(class);
        }
        if class == 0 {
            page.screenshot("decoded-point").await?;
        }
    }
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
    let page = Page::open(&browser, &server, "?backend=cpu").await?;
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
    page.click("train-toggle").await?;
    page.wait_for(
        "+document.querySelector('[data-testid=step-count]').textContent >= 100",
        60,
        "Fashion-MNIST training",
    )
    .await?;
    page.click("train-toggle").await?;

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
    page.click("train-toggle").await?;
    page.wait_for(
        "+document.querySelector('[data-testid=step-count]').textContent >= 100",
        60,
        "VAE training",
    )
    .await?;
    page.click("train-toggle").await?;
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
