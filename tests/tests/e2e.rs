//! The explorer in real headless Chromium: loads cleanly, trains on the CPU path with a falling loss,
//! draws and decodes the latent map, and runs a real step on WebGPU (SwiftShader).
//! Run with `--test-threads=1`: each test trains, and parallel browsers would share the two cores.

use tests::{Page, Result};

/// Distinct palette colours on the latent canvas (how many classes are drawn).
const COLOURS_ON_MAP: &str = r#"
const c = document.querySelector('[data-testid=latent-plot]');
const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
const pal = ['e69f00','56b4e9','009e73','f0e442','0072b2','d55e00','cc79a7','333333','882255','999999'];
const seen = new Set();
for (let i = 0; i < d.length; i += 4) {
  const hex = [d[i], d[i+1], d[i+2]].map(v => v.toString(16).padStart(2, '0')).join('');
  if (pal.includes(hex)) seen.add(hex);
}
return seen.size;
"#;

#[tokio::test(flavor = "multi_thread")]
async fn cpu_training_learns_and_the_map_decodes() -> Result<()> {
    let page = Page::launch("?backend=cpu&seed=1&pretrained=0").await?;
    page.wait_ready().await?;
    assert_eq!(page.text("backend-label").await?, "cpu");
    assert_eq!(page.number("step-count").await?, 0.0);
    // The untrained map is drawn from the first weights: all ten classes appear.
    page.wait_for(&format!("(() => {{ {COLOURS_ON_MAP} }})() >= 10"), 60, "ten classes on the map").await?;

    page.click("step-button").await?;
    page.wait_for("document.querySelector('[data-testid=step-count]').textContent === '1'", 30, "one step")
        .await?;
    let first = page.number("loss-value").await?;
    let t0 = std::time::Instant::now();
    page.click("train-toggle").await?;
    page.wait_for("+document.querySelector('[data-testid=step-count]').textContent >= 600", 90, "600 steps")
        .await?;
    let secs = t0.elapsed().as_secs_f64();
    page.click("train-toggle").await?;
    let (steps, loss) = (page.number("step-count").await?, page.number("loss-value").await?);
    let sps = page.number("samples-per-s").await?;
    println!(
        "CPU: loss {first:.4} -> {loss:.4} after {steps} steps in {secs:.1} s ({:.1} ms/step wall, {sps} samples/s)",
        1000.0 * secs / (steps - 1.0)
    );
    assert!(loss < 0.75 * first, "loss fell by less than 25 %: {first} -> {loss}");

    // Decode: a real click on the map shows coordinates and a non-blank image.
    page.wait_for("window.lsxMap && window.lsxMap.step >= 300", 30, "a map of the trained weights").await?;
    let before = page.text("decode-coords").await?;
    page.click_at("latent-plot", 280.0, 280.0).await?;
    page.wait_for(
        &format!(
            "(t => t.includes(',') && t !== '{before}')(document.querySelector('[data-testid=decode-coords]').textContent)"
        ),
        10,
        "decoded coordinates",
    )
    .await?;
    let ink = page
        .js("const c = document.querySelector('[data-testid=decode-image]'); const d = c.getContext('2d').getImageData(0,0,28,28).data; let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] < 128) n++; return n;")
        .await?;
    assert!(ink.as_u64().unwrap_or(0) > 10, "decoded image is blank: {ink} dark pixels");
    let shot = page.screenshot("cpu-trained").await?;
    println!("screenshot: {}", shot.display());
    page.finish().await
}

#[tokio::test(flavor = "multi_thread")]
async fn page_loads_without_console_errors_and_explains_its_backend() -> Result<()> {
    let page = Page::launch("").await?;
    page.wait_ready().await?;
    // SwiftShader is a software adapter: the page must pick the CPU and say why.
    assert_eq!(page.text("backend-label").await?, "cpu");
    let reason = page.js("return document.querySelector('[data-testid=backend-label]').title;").await?;
    assert!(reason.as_str().unwrap_or_default().contains("software"), "backend reason: {reason}");
    page.finish().await
}

#[tokio::test(flavor = "multi_thread")]
async fn webgpu_path_initialises_and_steps() -> Result<()> {
    let page = Page::launch("?backend=webgpu&pretrained=0").await?;
    page.wait_ready().await?;
    assert_eq!(page.text("backend-label").await?, "webgpu");
    let t0 = std::time::Instant::now();
    page.click("step-button").await?;
    page.wait_for(
        "document.querySelector('[data-testid=step-count]').textContent === '1'",
        240,
        "a WebGPU step",
    )
    .await?;
    let first = t0.elapsed().as_secs_f64();
    let loss = page.number("loss-value").await?;
    assert!(loss.is_finite() && loss > 0.0, "WebGPU loss {loss}");
    let t1 = std::time::Instant::now();
    page.click("step-button").await?;
    page.wait_for(
        "document.querySelector('[data-testid=step-count]').textContent === '2'",
        120,
        "a second WebGPU step",
    )
    .await?;
    println!(
        "WebGPU (SwiftShader): first step {first:.1} s (shader compile), second {:.2} s, loss {loss:.4}",
        t1.elapsed().as_secs_f64()
    );
    page.screenshot("webgpu-step").await?;
    page.finish().await
}

#[tokio::test(flavor = "multi_thread")]
async fn warm_up_race_keeps_the_faster_backend_and_says_why() -> Result<()> {
    let page = Page::launch("?backend=race&pretrained=0").await?;
    // The race: CPU warm-up, then the WebGPU worker's (shader compile + timed steps, 45 s deadline).
    page.wait_for(
        "document.querySelector('[data-testid=backend-label]').textContent",
        120,
        "the race verdict",
    )
    .await?;
    let reason = page.js("return document.querySelector('[data-testid=backend-label]').title;").await?;
    println!("race verdict: {reason}");
    // On SwiftShader the CPU wins by far (or WebGPU misses the deadline).
    assert_eq!(page.text("backend-label").await?, "cpu");
    assert!(reason.as_str().is_some_and(|r| r.contains("ms/step")), "reason: {reason}");
    page.wait_ready().await?;
    assert_eq!(
        page.number("step-count").await?,
        0.0,
        "the warm-up steps are not counted: training starts fresh"
    );
    page.finish().await
}
