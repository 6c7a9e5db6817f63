//! Accessibility and embedding: an axe-core audit (from npm, for the tests only) of the single,
//! compare and presenter views, and a lesson link with `hide=` and `embed=1` inside an iframe.

use std::time::Duration;

use tests::{Page, Result};

/// Runs axe-core (from npm, tests/axe, never shipped in the page) on the page as it is now and
/// returns its serious and critical violations, each as "rule: what (n nodes: first target)".
async fn audit(page: &Page) -> Result<Vec<String>> {
    let axe = tests::root().join("tests/axe/node_modules/axe-core/axe.min.js");
    let src = std::fs::read_to_string(&axe)
        .map_err(|e| format!("{}: {e} (make test runs npm ci in tests/axe)", axe.display()))?;
    page.js(&format!("if (!window.axe) {{ {src} }} window.lsxAxe = null; \
        axe.run(document).then(r => window.lsxAxe = r.violations, e => window.lsxAxe = [{{id: 'axe failed', impact: 'critical', help: String(e), nodes: []}}]); return 1;"))
        .await?;
    let found = page.wait_for("window.lsxAxe", 60, "the accessibility audit").await?;
    Ok(found
        .as_array()
        .into_iter()
        .flatten()
        .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
        .map(|v| {
            let nodes = v["nodes"].as_array().map_or(0, Vec::len);
            format!("{}: {} ({nodes} nodes: {})", v["id"], v["help"], v["nodes"][0]["target"])
        })
        .collect())
}

#[tokio::test(flavor = "multi_thread")]
async fn no_serious_accessibility_violation_in_the_single_compare_and_presenter_views() -> Result<()> {
    let page = Page::launch("?backend=cpu").await?;
    page.wait_ready().await?;
    page.wait_pretrained_map(60).await?;
    page.click_at("latent-plot", 150.0, 150.0).await?;
    let mut found = Vec::new();
    for view in ["single", "compare", "presenter"] {
        match view {
            "compare" => {
                page.select("model-select", "compare").await?;
                page.wait_for("window.lsxMap1 && window.lsxMap1.step >= 5000", 90, "the VAE's map").await?;
                page.click_at("latent-plot", 150.0, 150.0).await?;
            }
            "presenter" => {
                page.key("p").await?;
                page.wait_for("document.body.classList.contains('present')", 10, "presenter mode").await?;
            }
            _ => {}
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        let v = audit(&page).await?;
        println!("axe, {view} view: {} serious or critical violations {v:#?}", v.len());
        found.extend(v.into_iter().map(|v| format!("{view}: {v}")));
    }
    assert!(found.is_empty(), "axe-core found serious or critical violations: {found:#?}");
    page.finish().await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_link_with_hide_and_embed_opens_the_lesson_in_an_iframe() -> Result<()> {
    let page = Page::launch("?backend=cpu").await?;
    page.wait_ready().await?;
    // A course page (this origin) framing the explorer with only the map, the decodes and the toolbar.
    let lesson = "?backend=cpu&model=vae&embed=1&hide=notes,work,anomaly,sample,interp,recon,loss";
    page.js(&format!("document.body.innerHTML = ''; const f = document.createElement('iframe'); f.id = 'lesson'; \
        f.src = '/{lesson}'; f.style = 'width: 1000px; height: 700px'; document.body.appendChild(f); return 1;"))
        .await?;
    let inner = "document.getElementById('lesson').contentDocument";
    page.wait_for(
        &format!(
            "{inner}?.querySelector('[data-testid=latent-plot]') && {inner}.defaultView.lsxMap?.step >= 5000"
        ),
        90,
        "the framed lesson's map",
    )
    .await?;
    let shown = page
        .js(&format!("const d = {inner}; const vis = s => {{ const e = d.querySelector(s); return !!e && e.getClientRects().length > 0; }}; \
            return ['[data-testid=latent-plot]', '[data-testid=decode-image]', '[data-testid=train-toggle]', 'h1', 'details.drawer', \
                    '.panel.loss', '.panel.recon', '.panel.work', '.panel.notes', '.panel.sample'].map(vis);"))
        .await?;
    let shown: Vec<bool> =
        shown.as_array().into_iter().flatten().map(|v| v.as_bool().unwrap_or(true)).collect();
    assert_eq!(
        shown,
        [true, true, true, false, false, false, false, false, false, false],
        "what the framed lesson shows"
    );
    let mode = page.js(&format!("return {inner}.querySelector('[data-testid=model-select]').value;")).await?;
    assert_eq!(mode, "vae", "the lesson's model");
    page.finish().await
}
