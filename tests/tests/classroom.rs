//! The classroom: the page at a projector's, a laptop's, a large screen's, a tablet's and a phone's
//! size (maps and decoded images in one screen, no sideways scrolling, screenshots for a person to
//! look at), a demo driven by keys only and one by touch, and the pretrained AE's map giving room to
//! every digit. The guided tour has its own file (tour.rs).

use std::time::Duration;

use model::DatasetName;
use serde_json::Value;
use tests::{Page, Result, floats_f32, test_set};

/// Rectangles (viewport px) of the elements the classroom must see, the viewport and the page width.
const LAYOUT: &str = r#"
window.scrollTo(0, 0);
const r = id => { const e = document.querySelector(`[data-testid=${id}]`);
  if (!e) return null; const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
return {maps: ['latent-plot', 'latent-plot-1'].map(r), decodes: ['decode-image', 'decode-image-1'].map(r),
  w: window.innerWidth, h: window.innerHeight, scroll_w: document.documentElement.scrollWidth};
"#;

const SIZES: [(u32, u32); 5] = [(1024, 768), (1280, 720), (1920, 1080), (768, 1024), (390, 844)];

fn rect(v: &Value) -> Option<[f64; 4]> {
    let a = v.as_array()?;
    Some([a.first()?.as_f64()?, a.get(1)?.as_f64()?, a.get(2)?.as_f64()?, a.get(3)?.as_f64()?])
}

/// At every size: each map and decoded image fully inside the viewport, no horizontal scrolling, and
/// at 1920×1080 the maps cover at least a third of the screen; a screenshot of each.
async fn check_sizes(page: &Page, maps: usize, name: &str) -> Result<()> {
    for (w, h) in SIZES {
        page.set_viewport(w, h).await?;
        tokio::time::sleep(Duration::from_millis(700)).await;
        let l = page.js(LAYOUT).await?;
        let (vw, vh) = (l["w"].as_f64().unwrap_or(0.0), l["h"].as_f64().unwrap_or(0.0));
        assert_eq!((vw, vh), (f64::from(w), f64::from(h)), "the viewport did not change");
        let scroll_w = l["scroll_w"].as_f64().unwrap_or(f64::MAX);
        assert!(scroll_w <= vw, "{name} at {w}×{h}: the page is {scroll_w} px wide (scrolls sideways)");
        let mut area = 0.0;
        for (kind, list) in [("map", &l["maps"]), ("decoded image", &l["decodes"])] {
            for (i, r) in list.as_array().into_iter().flatten().take(maps).enumerate() {
                let [x0, y0, x1, y1] = rect(r).ok_or(format!("{name}: {kind} {i} is missing"))?;
                assert!(
                    x0 >= 0.0 && y0 >= 0.0 && x1 <= vw && y1 <= vh && x1 > x0 && y1 > y0,
                    "{name} at {w}×{h}: {kind} {i} at [{x0}, {y0}, {x1}, {y1}] is not inside the screen"
                );
                if kind == "map" {
                    area += (x1 - x0) * (y1 - y0);
                }
            }
        }
        let share = area / (vw * vh);
        println!("{name} at {w}×{h}: maps cover {:.0} % of the screen", 100.0 * share);
        if w == 1920 {
            assert!(share >= 1.0 / 3.0, "{name} at 1920×1080: the maps cover only {share:.2} of the screen");
        }
        page.screenshot(&format!("classroom-{name}-{w}x{h}")).await?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_maps_and_the_decodes_fit_every_screen() -> Result<()> {
    let page = Page::launch("?backend=cpu").await?;
    page.wait_ready().await?;
    page.wait_pretrained_map(60).await?;
    page.click_at("latent-plot", 150.0, 150.0).await?;
    check_sizes(&page, 1, "ae").await?;
    page.set_viewport(1280, 1000).await?;
    page.select("model-select", "compare").await?;
    page.wait_for("window.lsxMap1 && window.lsxMap1.step >= 5000", 90, "the pretrained VAE's map").await?;
    page.click_at("latent-plot", 150.0, 150.0).await?;
    check_sizes(&page, 2, "compare").await?;
    page.finish().await
}

/// Sends a key press to the page as a keyboard would (DevTools input events).
async fn key(page: &Page, key: &str) -> Result<()> {
    page.key(key).await?;
    tokio::time::sleep(Duration::from_millis(150)).await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_demo_by_keys_only() -> Result<()> {
    let page = Page::launch("?backend=cpu").await?;
    page.wait_ready().await?;
    page.wait_pretrained_map(60).await?;
    let start = page.number("step-count").await?;
    key(&page, "t").await?;
    page.wait_for(
        &format!("+document.querySelector('[data-testid=step-count]').textContent >= {}", start + 20.0),
        60,
        "training by key",
    )
    .await?;
    key(&page, " ").await?;
    page.wait_for(
        "document.querySelector('[data-testid=train-toggle]').textContent === 'Train'",
        20,
        "pause by key",
    )
    .await?;
    let paused = page.number("step-count").await?;
    key(&page, "n").await?;
    page.wait_for(
        &format!("+document.querySelector('[data-testid=step-count]').textContent === {}", paused + 1.0),
        20,
        "one step by key",
    )
    .await?;
    // Space on a focused button presses that button only (no shortcut on top of it).
    page.js("document.querySelector('[data-testid=step-button]').focus(); return 1;").await?;
    key(&page, " ").await?;
    page.wait_for(
        &format!("+document.querySelector('[data-testid=step-count]').textContent === {}", paused + 2.0),
        20,
        "Space on the focused Step button",
    )
    .await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(page.text("train-toggle").await?, "Train", "Space on Step also toggled training");
    assert_eq!(page.number("step-count").await?, paused + 2.0, "Space on Step took more than one step");
    page.js("document.activeElement.blur(); return 1;").await?;
    key(&page, "s").await?;
    page.wait_for(
        "document.querySelector('[data-testid=sample-share-0-prior]')?.textContent",
        60,
        "samples by key",
    )
    .await?;
    // The decode cursor: from the map's centre, then right by arrow keys; each press decodes (the
    // panel already shows the default point it decoded on arrival).
    let arrival = page.text("decode-coords").await?;
    assert!(!arrival.is_empty(), "the decode panel was blank on arrival");
    key(&page, "ArrowUp").await?;
    page.wait_for(
        &format!("document.querySelector('[data-testid=decode-coords]').textContent !== '{arrival}'"),
        20,
        "a decode by key",
    )
    .await?;
    let before = page.text("decode-coords").await?;
    for _ in 0..4 {
        key(&page, "ArrowRight").await?;
    }
    page.wait_for(
        &format!("document.querySelector('[data-testid=decode-coords]').textContent !== '{before}'"),
        20,
        "the cursor moved",
    )
    .await?;
    let x = |s: &str| s.split(',').next().and_then(|v| v.trim().parse::<f64>().ok()).unwrap_or(f64::NAN);
    let after = page.text("decode-coords").await?;
    assert!(x(&after) > x(&before), "ArrowRight moved the cursor from {before} to {after}");
    assert!(
        page.text("decode-said").await?.contains("Decoded the map point"),
        "nothing said for screen readers"
    );
    let pixels = floats_f32(&page.js(tests::DECODED).await?);
    assert!(pixels.iter().any(|&p| p > 0.3), "the decoded image is blank");
    key(&page, "Enter").await?;
    page.wait_for(
        "document.querySelector('[data-testid=decode-said]').textContent.includes('test image')",
        20,
        "Enter decodes a test point",
    )
    .await?;
    // Zoom in by key, then fit again.
    let scale = "+document.querySelector('[data-testid=latent-plot]').dataset.view.split(' ')[2]";
    page.js(&format!("window.lsxScale0 = {scale}; return 1;")).await?;
    key(&page, "+").await?;
    page.wait_for(
        &format!("{scale} > 1.2 * window.lsxScale0 && window.location.hash.includes('view=')"),
        10,
        "zoom by key",
    )
    .await?;
    // Fit again: the view follows the points (no pan/zoom of the user's left in the link).
    key(&page, "0").await?;
    page.wait_for("!window.location.hash.includes('view=')", 10, "fit by key").await?;
    // Compare by key: two maps; the list of keys.
    key(&page, "3").await?;
    page.wait_for("document.querySelector('[data-testid=model-select]').value === 'compare' && document.querySelector('[data-testid=latent-plot-1]')", 30, "compare by key")
        .await?;
    // Presenter mode by key: large type and points, in the link too; off again.
    key(&page, "p").await?;
    page.wait_for(
        "document.body.classList.contains('present') && window.location.hash.includes('present=1')",
        10,
        "presenter mode by key",
    )
    .await?;
    let font = page.js("return parseFloat(getComputedStyle(document.querySelector('[data-testid=tour-button]')).fontSize);").await?;
    assert!(font.as_f64().unwrap_or(0.0) >= 18.0, "presenter text is {font} px");
    page.screenshot("classroom-present-1280x1000").await?;
    key(&page, "p").await?;
    page.wait_for("!document.body.classList.contains('present')", 10, "presenter mode off by key").await?;
    key(&page, "?").await?;
    page.wait_for("document.querySelector('[data-testid=key-help]')", 10, "the list of keys").await?;
    assert!(page.text("key-help").await?.contains("train / pause"));
    // Typing in a field is typing, not a shortcut.
    page.click("seed-input").await?;
    assert!(
        page.js("return document.activeElement.dataset.testid;").await? == "seed-input",
        "the seed field has no focus"
    );
    key(&page, "t").await?;
    assert_eq!(page.text("train-toggle").await?, "Train", "a key typed into the seed started training");
    page.finish().await
}

#[tokio::test(flavor = "multi_thread")]
async fn every_digit_has_room_on_the_pretrained_map() -> Result<()> {
    let test = test_set(DatasetName::Mnist);
    let page = Page::launch("?backend=cpu").await?;
    page.wait_ready().await?;
    page.wait_pretrained_map(60).await?;
    let r = page.js("const b = document.querySelector('[data-testid=latent-plot]').getBoundingClientRect(); return [b.width, b.height];").await?;
    let (w, h) = (r[0].as_f64().unwrap_or(0.0), r[1].as_f64().unwrap_or(0.0));
    // The default point decoded on arrival first, so that each wait below is for a click's decode.
    page.wait_for(
        "document.querySelector('[data-testid=decode-coords]').textContent",
        20,
        "the default decode",
    )
    .await?;
    let mut seen = [0usize; 10];
    for gy in 0..9 {
        for gx in 0..9 {
            // The inner 80 %: from 10 % to 90 % of each side.
            let (x, y) = (w * (0.1 + 0.1 * f64::from(gx)), h * (0.1 + 0.1 * f64::from(gy)));
            page.js("window.lsxDecoded = document.querySelector('[data-testid=decode-coords]').textContent; return 1;").await?;
            page.click_at("latent-plot", x, y).await?;
            page.wait_for(
                "document.querySelector('[data-testid=decode-coords]').textContent !== window.lsxDecoded",
                10,
                "the decode",
            )
            .await?;
            tokio::time::sleep(Duration::from_millis(60)).await;
            let img = floats_f32(&page.js(tests::DECODED).await?);
            let (label, _) = model::metrics::nearest_label(&img, &test).ok_or("empty test set")?;
            seen[usize::from(label)] += 1;
        }
    }
    let digits = seen.iter().filter(|&&n| n > 0).count();
    println!("9×9 clicks over the pretrained AE map: decodes per nearest digit {seen:?}");
    assert!(digits >= 9, "only {digits} digits reachable: {seen:?}");
    page.finish().await
}

#[tokio::test(flavor = "multi_thread")]
async fn touch_taps_decode_pinches_zoom_and_drags_pan() -> Result<()> {
    let page = Page::launch("?backend=cpu").await?;
    page.wait_ready().await?;
    page.wait_pretrained_map(60).await?;
    let view = "return document.querySelector('[data-testid=latent-plot]').dataset.view;";
    let scale = |v: &str| v.split(' ').nth(2).and_then(|s| s.parse::<f64>().ok()).unwrap_or(f64::NAN);
    // A tap decodes (there is no hover on a touch screen): the default point decoded on arrival is
    // replaced.
    page.wait_for(
        "document.querySelector('[data-testid=decode-coords]').textContent",
        20,
        "the default decode",
    )
    .await?;
    let arrival = page.text("decode-coords").await?;
    page.touch("latent-plot", "touchStart", &[(200.0, 200.0)]).await?;
    page.touch("latent-plot", "touchEnd", &[]).await?;
    page.wait_for(
        &format!("document.querySelector('[data-testid=decode-coords]').textContent !== '{arrival}'"),
        10,
        "a decode by tap",
    )
    .await?;
    // Two fingers moving apart zoom in.
    let before = page.js(view).await?.as_str().unwrap_or_default().to_string();
    page.touch("latent-plot", "touchStart", &[(180.0, 200.0), (220.0, 200.0)]).await?;
    for k in 1..=5 {
        let d = 20.0 + 20.0 * f64::from(k);
        page.touch("latent-plot", "touchMove", &[(200.0 - d, 200.0), (200.0 + d, 200.0)]).await?;
    }
    page.touch("latent-plot", "touchEnd", &[]).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let zoomed = page.js(view).await?.as_str().unwrap_or_default().to_string();
    assert!(
        scale(&zoomed) > 2.0 * scale(&before),
        "a pinch from 40 to 240 px apart: view {before} -> {zoomed}"
    );
    // One finger dragging pans (the centre moves, the scale stays).
    page.touch("latent-plot", "touchStart", &[(200.0, 200.0)]).await?;
    for k in 1..=4 {
        page.touch("latent-plot", "touchMove", &[(200.0 + 20.0 * f64::from(k), 200.0)]).await?;
    }
    page.touch("latent-plot", "touchEnd", &[]).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let panned = page.js(view).await?.as_str().unwrap_or_default().to_string();
    assert_ne!(panned, zoomed, "a one-finger drag did not pan");
    assert!((scale(&panned) - scale(&zoomed)).abs() < 1e-3, "a drag changed the zoom: {zoomed} -> {panned}");
    page.finish().await
}

#[tokio::test(flavor = "multi_thread")]
async fn training_pauses_when_the_tab_is_hidden_and_after_the_epochs_asked_for() -> Result<()> {
    let page = Page::launch("?backend=cpu").await?;
    page.wait_ready().await?;
    let start = page.number("step-count").await?;
    page.click("train-toggle").await?;
    page.wait_for(
        &format!("+document.querySelector('[data-testid=step-count]').textContent >= {}", start + 5.0),
        60,
        "training",
    )
    .await?;
    // The browser hides the tab (as it does on a switch to another tab): the page pauses.
    let visibility = |hidden: bool| {
        format!(
            "Object.defineProperty(document, 'hidden', {{configurable: true, get: () => {hidden}}}); \
                 document.dispatchEvent(new Event('visibilitychange', {{bubbles: true}})); return 1;"
        )
    };
    page.js(&visibility(true)).await?;
    page.wait_for(
        "document.querySelector('[data-testid=train-toggle]').textContent === 'Train'",
        20,
        "the pause on hiding",
    )
    .await?;
    page.js(&visibility(false)).await?;
    page.wait_status("paused while this tab was hidden", 10, "the notice on return").await?;
    // Stop after a twentieth of an epoch (47 steps of the default batch 64): the run pauses by
    // itself and says why.
    let expected = 0.05 * (60_000.0 / page.batch().await?).ceil();
    page.select("stop-epochs", "0.05").await?;
    let from = page.number("step-count").await?;
    page.click("train-toggle").await?;
    page.wait_status("Paused after 0\\.05 epochs", 90, "the stop after the epochs asked for").await?;
    let steps = page.number("step-count").await? - from;
    assert!(
        (expected - 2.0..expected * 1.3).contains(&steps),
        "{steps} steps for 0.05 epochs (about {expected:.0} steps)"
    );
    assert_eq!(page.text("train-toggle").await?, "Train");
    page.finish().await
}
