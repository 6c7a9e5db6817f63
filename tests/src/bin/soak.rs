//! `make soak` (not part of `make test`): `SOAK_MINUTES` (default 30) of training in compare mode
//! (AE and VAE) with the decoded manifold on and a real click that decodes every second, in headless
//! Chromium on the CPU path. Once a minute it samples the page's JS heap and wasm memory and each
//! worker's wasm memory (from the page's heartbeat, `window.lsxMemory`), the whole browser's resident
//! memory, the step rate and the long tasks; where Chromium offers `measureUserAgentSpecificMemory`
//! (cross-origin isolated pages) its per-realm total too. Writes `bench/soak.json` and prints a table.
//! To tell what grows, `SOAK_COMPARE=0` trains the AE alone, `SOAK_MANIFOLD=0` leaves the manifold off
//! and `SOAK_DECODE=0` clicks nothing (each defaults to 1); `SOAK_OUT` names the report.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tests::{Page, Result, root};

/// Resident memory of every Chromium process (only the soak's browser runs), in MB.
fn browser_rss_mb() -> f64 {
    let out = std::process::Command::new("ps").args(["-eo", "rss=,args="]).output();
    let text = out.map(|o| String::from_utf8_lossy(&o.stdout).to_string()).unwrap_or_default();
    let kb: f64 = text
        .lines()
        .filter(|l| l.contains("chromium") && !l.contains("chromedriver"))
        .filter_map(|l| l.split_whitespace().next()?.parse::<f64>().ok())
        .sum();
    kb / 1024.0
}

/// The page's memory record, the counters and the long tasks since `t0` (page clock, ms).
const SAMPLE: &str = r#"
const m = window.lsxMemory || {};
const long = (window.lsxLongTasks || []).filter(t => t[0] >= arguments_t0).map(t => t[1]);
let ua = null;
if (window.crossOriginIsolated && performance.measureUserAgentSpecificMemory) {
  try {
    const r = await Promise.race([performance.measureUserAgentSpecificMemory(), new Promise(ok => setTimeout(() => ok(null), 20000))]);
    if (r) {
      const by = {};
      for (const b of r.breakdown) for (const a of b.attribution) by[a.scope] = (by[a.scope] || 0) + b.bytes;
      ua = { total: r.bytes, by };
    }
  } catch (e) { ua = { error: String(e) }; }
}
return JSON.stringify({ pageHeap: m.pageHeap || 0, pageWasm: m.pageWasm || 0, trainerWasm: m.trainerWasm || 0, viewWasm: m.viewWasm || 0,
  step: +document.querySelector('[data-testid=step-count]').textContent,
  samplesPerS: +document.querySelector('[data-testid=samples-per-s]').textContent,
  longTasks: long, decodes: (window.lsxDecodeMs || []).length, ua });
"#;

const MB: f64 = 1024.0 * 1024.0;

#[tokio::main]
async fn main() -> Result<()> {
    let minutes: u64 = std::env::var("SOAK_MINUTES").ok().and_then(|m| m.parse().ok()).unwrap_or(30);
    let on = |k: &str| std::env::var(k).map_or(true, |v| v != "0");
    let (compare, manifold, decode) = (on("SOAK_COMPARE"), on("SOAK_MANIFOLD"), on("SOAK_DECODE"));
    let query = format!("?backend=cpu&compare={}&seed=1", u8::from(compare));
    let page = Page::launch_isolated(&query).await?;
    page.wait_ready().await?;
    if manifold {
        page.click("manifold-toggle").await?;
    }
    let t0 = page.now().await?;
    page.click("train-toggle").await?;
    let start = Instant::now();
    let (mut samples, mut next, mut i) = (Vec::<Value>::new(), Duration::from_secs(60), 0u32);
    let mut last_step = page.number("step-count").await?;
    let mut last_t = Instant::now();
    let setup = format!(
        "{query}, manifold {}, {}, cross-origin isolated",
        if manifold { "on" } else { "off" },
        if decode { "a decode click every second" } else { "no decodes" }
    );
    println!("soak: {minutes} min, {setup}");
    println!(
        "{:>4} {:>9} {:>9} {:>9} {:>9} {:>10} {:>8} {:>6}",
        "min", "page JS", "page wasm", "trainer", "view", "browser", "steps/s", "long"
    );
    while start.elapsed() < Duration::from_secs(60 * minutes) {
        // A decode each second, at points spread over the map.
        let (x, y) = (60.0 + f64::from(i * 37 % 300), 60.0 + f64::from(i * 53 % 300));
        if decode {
            page.click_at("latent-plot", x, y).await?;
        }
        i += 1;
        tokio::time::sleep(Duration::from_millis(1000)).await;
        if start.elapsed() < next {
            continue;
        }
        next += Duration::from_secs(60);
        let text = page.js(&SAMPLE.replace("arguments_t0", &t0.to_string())).await?;
        let mut s: Value = serde_json::from_str(text.as_str().unwrap_or("{}"))?;
        let step = s["step"].as_f64().unwrap_or(0.0);
        let rate = (step - last_step) / last_t.elapsed().as_secs_f64();
        (last_step, last_t) = (step, Instant::now());
        let minute = (start.elapsed().as_secs_f64() / 60.0).round();
        let rss = browser_rss_mb();
        s["minute"] = json!(minute);
        s["browserRssMb"] = json!(rss);
        s["stepsPerS"] = json!(rate);
        s["workersJs"] = s["ua"]["by"]["DedicatedWorkerGlobalScope"].clone();
        let long = s["longTasks"].as_array().map_or(0, Vec::len);
        let f = |k: &str| s[k].as_f64().unwrap_or(0.0) / MB;
        println!(
            "{minute:>4} {:>8.1}M {:>8.1}M {:>8.1}M {:>8.1}M {rss:>9.0}M {rate:>8.1} {long:>6}",
            f("pageHeap"),
            f("pageWasm"),
            f("trainerWasm"),
            f("viewWasm")
        );
        samples.push(s);
    }
    page.click("train-toggle").await?;
    let growth = |k: &str| -> Value {
        let at = |m: usize| samples.get(m).and_then(|s| s[k].as_f64());
        match (at(0), samples.last().and_then(|s| s[k].as_f64())) {
            (Some(a), Some(b)) if a > 0.0 => json!((b - a) / a),
            _ => Value::Null,
        }
    };
    let keys = ["pageHeap", "pageWasm", "trainerWasm", "viewWasm", "browserRssMb", "workersJs"];
    let summary: serde_json::Map<String, Value> = keys.iter().map(|k| (k.to_string(), growth(k))).collect();
    println!("growth after the first minute: {}", Value::Object(summary.clone()));
    let report = json!({
        "minutes": minutes,
        "chromium": tests::Browser::version(),
        "setup": setup,
        "growth_after_first_minute": summary,
        "samples": samples,
    });
    let path = root().join(std::env::var("SOAK_OUT").unwrap_or_else(|_| "bench/soak.json".into()));
    std::fs::write(&path, serde_json::to_string_pretty(&report)?)?;
    println!("wrote {}", path.display());
    page.finish().await
}
