//! Every engine a classroom has: the core suite in Firefox ESR (geckodriver) and in WebKitGTK's
//! MiniBrowser (Safari's engine, WebKitWebDriver under Xvfb), against Chromium's own decode. Each
//! engine: the pretrained map drawn (its first-map time printed), a click decodes and the clicked
//! test image's reconstruction equals Chromium's within 1e-6, a digit drawn on the pad is read, PNG
//! files upload onto the map, a malformed model file is refused and changes nothing, training steps
//! and the map moves (samples/s printed), no console errors and no CSP reports, and a reload with the
//! server gone still draws the map and decodes. The rest of the suite stays Chromium-only.

use std::time::Duration;

use model::DatasetName;
use tests::{Engine, Page, Result, floats_f32};

/// The test image clicked first (a neighbour may be the one taken: the comparison uses the one taken).
const CLICKED: usize = 123;

/// What one engine's run measured.
struct Figures {
    first_map_ms: f64,
    samples_per_s: f64,
    backend: String,
}

/// Clicks test point `i` on the map and returns the decode's clicked index and its reconstruction
/// (the view worker's floats, not the canvas's 8 bits).
async fn click_point(page: &Page, i: usize) -> Result<(usize, Vec<f32>)> {
    page.js("window.lsxDecoded = undefined; return 1;").await?;
    let p = page.point_at(i).await?;
    page.click_at("latent-plot", p[0], p[1]).await?;
    page.wait_for("window.lsxDecoded && window.lsxDecoded.index >= 0", 20, "the clicked image's decode")
        .await?;
    let index = page.js("return window.lsxDecoded.index;").await?.as_f64().unwrap_or(-1.0);
    let recon = floats_f32(&page.js("return Array.from(window.lsxDecoded.recon);").await?);
    let pixels = floats_f32(&page.js("return Array.from(window.lsxDecoded.pixels);").await?);
    assert!(pixels.iter().filter(|&&v| v > 0.5).count() > 10, "the decoded image is blank");
    Ok((index as usize, recon))
}

/// Four test images as PNG files (ink light on black, as MNIST), returned as one path per line.
fn pngs() -> Result<String> {
    let test = tests::test_set(DatasetName::Mnist);
    let dir = tests::target_dir().join("engine-uploads");
    std::fs::create_dir_all(&dir)?;
    let mut paths = Vec::new();
    for i in [3, 30, 300, 3000] {
        let path = dir.join(format!("test{i}.png"));
        let file = std::io::BufWriter::new(std::fs::File::create(&path)?);
        let mut enc = png::Encoder::new(file, 28, 28);
        enc.set_color(png::ColorType::Grayscale);
        enc.write_header()?.write_image_data(test.image(i).ok_or("short test set")?)?;
        paths.push(path.display().to_string());
    }
    Ok(paths.join("\n"))
}

/// Fails, naming `step`, when the page has logged an error so far.
async fn no_errors(page: &Page, step: &str) -> Result<()> {
    let errors = page.errors().await?;
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!("{}: console errors after {step}: {errors:?}", page.engine().name()).into())
    }
}

/// The core suite in `engine`; `reference(i)` is Chromium's reconstruction of test image `i`.
async fn core_suite(engine: Engine, chromium: &Page) -> Result<Figures> {
    println!("== {} ({})", engine.name(), engine.version().unwrap_or_default());
    let mut page = Page::launch_in(engine, "").await?;
    if let Err(e) = page.wait_ready().await {
        let state = page
            .js("return [location.href, document.readyState, document.body.innerHTML.length, window.lsxErrors, !!navigator.serviceWorker.controller, performance.getEntriesByType('resource').map(e => [e.name.split('/').pop(), Math.round(e.responseEnd), e.transferSize])];")
            .await;
        return Err(format!("{e}; the page: {state:?}").into());
    }
    page.wait_pretrained_map(90).await?;
    let first_map_ms =
        page.wait_for("window.lsxFirstMap", 30, "the first map").await?.as_f64().unwrap_or(f64::NAN);
    let backend = page.text("backend-label").await?;
    let why = page.js("return document.querySelector('[data-testid=backend-label]').title;").await?;
    println!(
        "first map {first_map_ms:.0} ms after navigation; backend {backend}: {}",
        why.as_str().unwrap_or_default()
    );

    // A click decodes, as Chromium does.
    // (Where points overlap, a click takes the one drawn on top: try test images until both
    // browsers take the same one.)
    let mut same = None;
    for i in (0..10).map(|k| CLICKED + 1000 * k) {
        let (index, recon) = click_point(&page, i).await?;
        let (chromium_index, reference) = click_point(chromium, index).await?;
        if chromium_index == index {
            same = Some((index, recon, reference));
            break;
        }
    }
    let (index, recon, reference) = same.ok_or("no click took the same test image in both browsers")?;
    assert_eq!(recon.len(), reference.len(), "reconstructions of different sizes");
    let diff = recon.iter().zip(&reference).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
    println!("test image #{index}'s reconstruction: max |{} − Chromium| per pixel {diff:.2e}", engine.name());
    assert!(diff <= 1e-6, "{} decodes test image #{index} otherwise than Chromium: {diff}", engine.name());

    no_errors(&page, "the decodes").await?;

    // A digit drawn on the pad is encoded and reconstructed.
    page.click("draw-toggle").await?;
    page.wait_for("document.querySelector('[data-testid=draw-pad]')", 10, "the pad").await?;
    let side = page
        .js("return document.querySelector('[data-testid=draw-pad]').getBoundingClientRect().width;")
        .await?;
    let side = side.as_f64().unwrap_or(200.0);
    let stroke: Vec<(f64, f64)> = (0..12).map(|k| (0.5 * side, (0.2 + 0.05 * k as f64) * side)).collect();
    page.stroke("draw-pad", &stroke).await?;
    let ink = "const d = document.querySelector('[data-testid=draw-recon]').getContext('2d').getImageData(0, 0, 28, 28).data; \
               let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] < 128) n++; return n;";
    page.wait_for(&format!("(() => {{ {ink} }})() > 10"), 20, "the drawing's reconstruction").await?;
    no_errors(&page, "drawing").await?;
    page.click("draw-toggle").await?;
    no_errors(&page, "closing the pad").await?;

    // PNG files land on the map.
    page.upload_many("file-input", &pngs()?).await?;
    page.wait_status("4 images", 20, "the PNG files loaded").await?;
    page.wait_for("window.lsxMap.uploads.length === 8", 30, "the uploads on the map").await?;

    no_errors(&page, "the uploads").await?;

    // A malformed model file is refused by name and changes nothing.
    let step = page.number("step-count").await?;
    page.upload("model-input", &tests::root().join("docs/screenshot.png")).await?;
    let status = page
        .wait_for("(t => t.includes('Could not load screenshot.png') && t)(document.querySelector('[data-testid=status]').textContent)", 10, "the refusal")
        .await?;
    let status = status.as_str().unwrap_or_default();
    assert!(
        status.contains("not a latent-explorer model file") && status.contains("Nothing was changed"),
        "{status}"
    );
    assert_eq!(page.number("step-count").await?, step);

    no_errors(&page, "the refused file").await?;

    // Training steps and the map moves.
    let before = floats_f32(&page.js("return Array.from(window.lsxMap.points);").await?);
    page.train_until(step + 60.0, 90, "60 training steps").await?;
    let steps = page.number("step-count").await?;
    page.wait_for(&format!("window.lsxMap.step > {step}"), 30, "a map of the trained weights").await?;
    let samples_per_s = page.number("samples-per-s").await?;
    let after = floats_f32(&page.js("return Array.from(window.lsxMap.points);").await?);
    let moved = before.iter().zip(&after).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
    println!(
        "trained {} steps at {samples_per_s} samples/s; the map moved (largest move {moved:.3})",
        steps - step
    );
    assert!(moved > 1e-3, "the map did not move");
    no_errors(&page, "training").await?;
    page.set_viewport(1024, 768).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    page.screenshot(&format!("engine-{}-1024x768", format!("{engine:?}").to_lowercase())).await?;

    // No console errors, no CSP reports, so far (the offline reload below has no init script).
    no_errors(&page, "everything").await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let csp = page.csp_reports();
    assert!(csp.is_empty(), "{}: CSP reports {csp:?}", engine.name());

    // Offline: the server gone, a reload still draws the map and decodes.
    page.wait_for(
        "window.lsxOffline === true && !!navigator.serviceWorker.controller",
        60,
        "the offline copy",
    )
    .await?;
    page.stop_server();
    tokio::time::sleep(Duration::from_millis(300)).await;
    page.goto("").await?;
    page.wait_pretrained_map(60).await?;
    let (again, _) = click_point(&page, CLICKED).await?;
    println!("offline reload: the map drawn, test image #{again} decoded");
    page.close().await;
    Ok(Figures { first_map_ms, samples_per_s, backend })
}

#[tokio::test(flavor = "multi_thread")]
async fn the_core_suite_in_firefox_and_webkit() -> Result<()> {
    let chromium = Page::launch("").await?;
    chromium.wait_ready().await?;
    chromium.wait_pretrained_map(60).await?;
    let mut failed = Vec::new();
    for engine in [Engine::Firefox, Engine::WebKit] {
        match core_suite(engine, &chromium).await {
            Ok(f) => println!(
                "{}: first map {:.0} ms, {} samples/s on {}",
                engine.name(),
                f.first_map_ms,
                f.samples_per_s,
                f.backend
            ),
            Err(e) => {
                println!("{}: FAILED: {e}", engine.name());
                failed.push(format!("{}: {e}", engine.name()));
            }
        }
    }
    // Chromium's figures from the same run, for the README's table.
    let first = chromium.js("return window.lsxFirstMap;").await?.as_f64().unwrap_or(f64::NAN);
    let step = chromium.number("step-count").await?;
    chromium.train_until(step + 60.0, 90, "60 training steps in Chromium").await?;
    println!(
        "Chromium: first map {first:.0} ms, {} samples/s on {}",
        chromium.number("samples-per-s").await?,
        chromium.text("backend-label").await?
    );
    chromium.finish().await?;
    if failed.is_empty() { Ok(()) } else { Err(failed.join("\n").into()) }
}
