//! The guided tour: each of its eight steps sets the page up (model, manifold, colouring, noise,
//! what it asks the view for), is a link, and shows its evidence on the first screen — beside the
//! maps at a projector's 1024×768 and in presenter mode at 1280×720, and on screen at 1920×1080,
//! on a tablet and on a phone — with the decode panel never blank.

use std::time::{Duration, Instant};

use tests::{Page, Result};

/// What each tour step must have set up: the model, the manifold, colouring by error, the input
/// noise, and a check of what it asked the view for (JS, true when done).
const SETUP: [(&str, bool, bool, &str, &str); 8] = [
    ("ae", false, false, "none", "true"),
    ("ae", false, false, "none", "!!document.querySelector('[data-testid=sample-share-0-prior]')"),
    ("compare", false, false, "none", "!!document.querySelector('[data-testid=sample-share-1-prior]')"),
    (
        "vae",
        false,
        false,
        "none",
        "document.querySelector('[data-testid=tour-interp-strip-0]').getClientRects().length > 0",
    ),
    ("vae", true, false, "none", "true"),
    ("pca", false, false, "none", "!!document.querySelector('[data-testid=latent-plot-1]')"),
    ("ae", false, false, "gaussian", "true"),
    ("ae", false, true, "none", "document.querySelector('[data-testid=legend]').textContent.includes('≤')"),
];

/// The test ids that carry each step's evidence, besides its words, the map(s) and the decoded image
/// (steps 1 and 5 are about the map itself: its points, then its decoded manifold).
const EVIDENCE: [&[&str]; 8] = [
    &[],
    &[
        "tour-sample-share-0-prior",
        "tour-sample-grid-0-prior",
        "tour-sample-share-0-box",
        "tour-sample-grid-0-box",
    ],
    &[
        "tour-sample-share-0-prior",
        "tour-sample-grid-0-prior",
        "tour-sample-share-1-prior",
        "tour-sample-grid-1-prior",
    ],
    &["tour-interp-strip-0"],
    &[],
    &["tour-knn-0", "tour-knn-1"],
    &["tour-denoise-grid", "tour-denoise-noisy-mse", "tour-denoise-output-mse"],
    &["tour-worst-grid-0"],
];

/// With the page at the top: what of `ids` is missing, empty, outside the viewport or (a canvas)
/// without ink; whether the page scrolled; whether the toolbar takes more than one row (`one_row`).
/// "" when all is well.
fn on_screen_js(ids: &[&str], one_row: bool) -> String {
    let list = ids.iter().map(|i| format!("'{i}'")).collect::<Vec<_>>().join(", ");
    format!(
        r#"window.scrollTo(0, 0);
        const bad = [];
        for (const id of [{list}]) {{
          const e = document.querySelector(`[data-testid="${{id}}"]`);
          if (!e) {{ bad.push(id + ' missing'); continue; }}
          const b = e.getBoundingClientRect();
          if (b.width < 1 || b.height < 1) {{ bad.push(id + ' not shown'); continue; }}
          if (b.left < -0.5 || b.top < -0.5 || b.right > innerWidth + 0.5 || b.bottom > innerHeight + 0.5)
            bad.push(`${{id}} at [${{b.left|0}}, ${{b.top|0}}, ${{b.right|0}}, ${{b.bottom|0}}] not inside ${{innerWidth}}×${{innerHeight}}`);
          if (e.tagName === 'CANVAS') {{
            const d = e.getContext('2d').getImageData(0, 0, e.width, e.height).data;
            let ink = 0; for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && d[i] < 128) ink++;
            if (ink < 10) bad.push(id + ' has no ink');
          }} else if (!e.textContent.trim() || e.textContent.includes('…')) bad.push(id + ' has no figure yet');
        }}
        if (window.scrollY !== 0) bad.push('the page scrolled to ' + window.scrollY);
        if ({one_row}) {{
          const tops = [...document.querySelector('.toolbar').children]
            .filter(e => e.getClientRects().length > 0).map(e => e.getBoundingClientRect().top);
          if (Math.max(...tops) - Math.min(...tops) > 8) bad.push('the toolbar takes more than one row');
        }}
        return bad.join('; ');"#
    )
}

/// Waits (at most `secs`) until step `n`'s evidence, words, map(s) and decoded image are all on the
/// first screen with ink; errors with what is still wrong.
async fn evidence_on_screen(page: &Page, n: usize, maps: usize, one_row: bool, at: &str) -> Result<()> {
    let mut ids = vec!["tour-text", "tour-next", "decode-image", "latent-plot"];
    if maps == 2 {
        ids.extend(["latent-plot-1", "decode-image-1"]);
    }
    ids.extend(EVIDENCE[n - 1]);
    let check = on_screen_js(&ids, one_row);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let bad = page.js(&check).await?.as_str().unwrap_or("no answer").to_string();
        if bad.is_empty() {
            println!("tour step {n} at {at}: {} elements on the first screen", ids.len());
            return Ok(());
        }
        if Instant::now() > deadline {
            page.screenshot(&format!("tour-fail-step{n}-{}", at.replace(['×', ' '], "-"))).await?;
            return Err(format!("tour step {n} at {at}: {bad}").into());
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// Waits until step `n` is open and has set the page up as [`SETUP`] says.
async fn set_up(page: &Page, n: usize) -> Result<()> {
    let value = |id: &str, prop: &str| format!("document.querySelector('[data-testid={id}]').{prop}");
    page.wait_for(&format!("{} === '{n}'", value("tour-step", "textContent")), 20, "the tour step").await?;
    let (mode, manifold, errors, noise, done) = SETUP[n - 1];
    let checks = [
        format!("{} === '{mode}'", value("model-select", "value")),
        format!("{} === {manifold}", value("manifold-toggle", "checked")),
        format!("{} === {errors}", value("error-toggle", "checked")),
        format!("{} === '{noise}'", value("noise-select", "value")),
        format!("window.location.hash.includes('tour={n}')"),
        done.to_string(),
    ];
    page.wait_for(&checks.join(" && "), 90, &format!("tour step {n} set up"))
        .await
        .map_err(|e| format!("step {n} ({mode}): {e}; checks {checks:?}"))?;
    Ok(())
}

fn maps(n: usize) -> usize {
    if matches!(SETUP[n - 1].0, "compare" | "pca") { 2 } else { 1 }
}

#[tokio::test(flavor = "multi_thread")]
async fn each_tour_step_shows_its_evidence_on_the_first_screen() -> Result<()> {
    let page = Page::launch("?backend=cpu").await?;
    page.set_viewport(1024, 768).await?;
    page.wait_ready().await?;
    page.wait_pretrained_map(60).await?;
    page.click("tour-button").await?;
    for n in 1..=SETUP.len() {
        set_up(&page, n).await?;
        assert!(!page.text("tour-title").await?.is_empty() && !page.text("tour-text").await?.is_empty());
        println!("tour step {n}: {}", page.text("tour-title").await?);
        evidence_on_screen(&page, n, maps(n), false, "1024×768").await?;
        if [2, 3, 4, 8].contains(&n) {
            page.screenshot(&format!("tour-step{n}-1024x768")).await?;
            // The same step on a large screen, a tablet and a phone (the evidence under the map there).
            for (w, h) in [(1920, 1080), (768, 1024), (390, 844)] {
                page.set_viewport(w, h).await?;
                evidence_on_screen(&page, n, maps(n), false, &format!("{w}×{h}")).await?;
                page.screenshot(&format!("tour-step{n}-{w}x{h}")).await?;
            }
            page.set_viewport(1024, 768).await?;
        }
        // Alternately the button and a presenter's clicker (PageDown).
        if n < SETUP.len() {
            if n % 2 == 1 { page.click("tour-next").await? } else { page.key("PageDown").await? }
        }
    }
    assert!(
        page.js("return document.querySelector('[data-testid=tour-next]').disabled;").await?.as_bool()
            == Some(true)
    );

    // Presenter mode on a 1280×720 projector, opened from a step's link (step 3: the AE and VAE pair,
    // not the page's default model), then from the first step's: the toolbar on one row, each step's
    // evidence beside the maps.
    page.set_viewport(1280, 720).await?;
    for (from, to) in [(3, SETUP.len()), (1, 2)] {
        page.goto(&format!("?backend=cpu&present=1&tour={from}")).await?;
        page.wait_ready().await?;
        for n in from..=to {
            set_up(&page, n).await?;
            evidence_on_screen(&page, n, maps(n), true, "1280×720 presenter").await?;
            if [2, 3, 4, 8].contains(&n) {
                page.screenshot(&format!("tour-step{n}-1280x720-present")).await?;
            }
            if n < to {
                page.key("PageDown").await?;
            }
        }
    }
    page.finish().await
}
