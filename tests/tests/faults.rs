//! Real faults, injected from the test, on the real page: a worker terminated behind the page's back or
//! panicking, a panic on the page itself, a destroyed WebGPU device, IndexedDB missing, full or holding
//! a damaged record, two tabs autosaving, and 1,000 generated bad files through the page's inputs.
//! Each checks the page's message and that training, the map and decoding carry on. Also the
//! Content-Security-Policy: present, blocking an inline script, and reporting it.

use serde_json::json;
use tests::{Page, Result};

/// The status messages so far (the page keeps them in `window.lsxSaid`).
async fn said(page: &Page) -> Result<Vec<String>> {
    let v = page.js("return window.lsxSaid || [];").await?;
    Ok(v.as_array().into_iter().flatten().filter_map(|m| m.as_str().map(str::to_string)).collect())
}

/// Waits until a status message matching the JS regular expression `pattern` has been said; returns it.
async fn wait_said(page: &Page, pattern: &str, secs: u64, what: &str) -> Result<String> {
    let check = format!("(window.lsxSaid || []).find(m => /{pattern}/.test(m))");
    let v = page.wait_for(&check, secs, what).await?;
    let msg = v.as_str().unwrap_or_default().to_string();
    println!("said: {msg}");
    Ok(msg)
}

/// How many messages so far contain `pattern` (plain text).
async fn count_said(page: &Page, pattern: &str) -> Result<usize> {
    Ok(said(page).await?.iter().filter(|m| m.contains(pattern)).count())
}

/// Waits for the autosave of a pause at `at` or later; returns its step (the trainer's, which may be a
/// step past what the counter showed when Pause was pressed).
async fn autosaved(page: &Page, at: f64) -> Result<f64> {
    let check = format!(
        "(t => t.startsWith('autosaved at step ') && +t.slice(18) >= {at} && +t.slice(18))(document.querySelector('[data-testid=autosave-status]').textContent)"
    );
    let v = page.wait_for(&check, 30, "the autosave").await?;
    Ok(v.as_f64().unwrap_or(0.0))
}

async fn step(page: &Page) -> Result<f64> {
    page.number("step-count").await
}

/// Waits until the step counter passes `step`.
async fn wait_step(page: &Page, step: f64, secs: u64, what: &str) -> Result<()> {
    let check = format!("+document.querySelector('[data-testid=step-count]').textContent > {step}");
    page.wait_for(&check, secs, what).await.map(drop)
}

/// The Content-Security-Policy is in the page and in force: an inline script injected into the page
/// does not run, and the violation reaches the server's report endpoint.
async fn csp_blocks_inline_script(page: &Page) -> Result<()> {
    let meta = page
        .js("const m = document.querySelector('meta[http-equiv=Content-Security-Policy]'); return m ? m.content : '';")
        .await?;
    let meta = meta.as_str().unwrap_or_default();
    println!("page CSP: {meta}");
    assert!(meta.contains("script-src 'self' 'wasm-unsafe-eval'"), "{meta}");
    assert!(!meta.contains("unsafe-inline") && !meta.contains("'unsafe-eval'"), "{meta}");
    let inline = page
        .js("const s = document.createElement('script'); s.textContent = 'window.lsxInlineRan = true;'; \
             document.body.append(s); await new Promise(r => setTimeout(r, 300)); return window.lsxInlineRan === true;")
        .await?;
    assert_eq!(inline, json!(false), "an inline script ran despite the policy");
    for _ in 0..50 {
        if !page.csp_reports().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let reports = page.csp_reports();
    println!("CSP reports for the injected script: {}", reports.len());
    assert!(reports.iter().any(|r| r.contains("script-src")), "no CSP report: {reports:?}");
    page.clear_csp_reports();
    page.clear_errors().await
}

#[tokio::test(flavor = "multi_thread")]
async fn dead_and_panicking_workers_are_replaced_and_a_page_panic_offers_the_autosave() -> Result<()> {
    let page = Page::launch("?backend=cpu").await?;
    page.wait_ready().await?;
    csp_blocks_inline_script(&page).await?;

    // Train a little, pause (an autosave and a snapshot), train on.
    page.train_until(5060.0, 60, "60 steps").await?;
    let paused = step(&page).await?;
    page.wait_for(&format!("window.lsxSnapshot >= {paused}"), 20, "the pause's snapshot").await?;
    page.click("train-toggle").await?;
    wait_step(&page, paused + 20.0, 30, "training on").await?;

    // 1. The trainer is terminated behind the page's back: the heartbeat finds it.
    page.js("lsxTest.terminate('trainer'); return 1;").await?;
    let t0 = std::time::Instant::now();
    wait_said(&page, "The trainer stopped \\(it stopped answering", 30, "the dead trainer found").await?;
    let found = t0.elapsed().as_secs_f64();
    let carried =
        wait_said(&page, "A new trainer \\(cpu\\) carries on from step", 60, "a new trainer").await?;
    println!(
        "terminated trainer found after {found:.1} s, replaced after {:.1} s",
        t0.elapsed().as_secs_f64()
    );
    let from: f64 =
        carried.split("from step ").nth(1).and_then(|s| s.split('.').next()).unwrap_or("").parse()?;
    assert!(from >= paused, "restored at {from}, before the snapshot at {paused}");
    wait_step(&page, from + 30.0, 60, "training goes on after the trainer was replaced").await?;
    page.decodes(200.0, 200.0).await?;

    // 2. The view worker is terminated: a new one maps and decodes.
    let map_step = page.js("return window.lsxMap.step;").await?.as_f64().unwrap_or(0.0);
    page.js("lsxTest.terminate('view'); return 1;").await?;
    wait_said(&page, "The view worker stopped \\(it stopped answering", 30, "the dead view found").await?;
    page.wait_for(&format!("window.lsxMap.step > {map_step}"), 60, "a map from the new view worker").await?;
    page.decodes(150.0, 250.0).await?;

    // 3. A panic in the trainer: the error panel, a new trainer, training goes on.
    page.js("lsxTest.panic('trainer'); return 1;").await?;
    let msg = page
        .wait_for(
            "(e => e.offsetParent && e.textContent)(document.querySelector('[data-testid=error-message]'))",
            30,
            "the error panel",
        )
        .await?;
    println!("error panel: {msg}");
    assert!(msg.as_str().unwrap_or_default().contains("a test asked this worker to panic"), "{msg}");
    wait_said(&page, "The trainer stopped \\(it panicked", 30, "the panicked trainer replaced").await?;
    page.screenshot("faults-worker-panic").await?;
    // The panel is in view, whole, on a projector and on a phone.
    for (w, h, name) in [(1024, 768, "faults-worker-panic-1024"), (390, 844, "faults-worker-panic-phone")] {
        page.set_viewport(w, h).await?;
        let r = page.js("const r = document.querySelector('[data-testid=error-panel]').getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom];").await?;
        let r: Vec<f64> = r.as_array().into_iter().flatten().filter_map(|v| v.as_f64()).collect();
        println!("error panel at {w}x{h}: {r:?}");
        assert!(
            r.len() == 4 && r[0] >= 0.0 && r[1] >= 0.0 && r[2] <= f64::from(w) && r[3] <= f64::from(h),
            "{r:?}"
        );
        page.screenshot(name).await?;
    }
    page.set_viewport(1280, 1000).await?;
    page.click("error-dismiss").await?;
    let now = step(&page).await?;
    wait_step(&page, now + 20.0, 60, "training after the trainer's panic").await?;

    // 4. A panic in the view worker.
    let map_step = page.js("return window.lsxMap.step;").await?.as_f64().unwrap_or(0.0);
    page.js("lsxTest.panic('view'); return 1;").await?;
    wait_said(&page, "The view worker stopped \\(it panicked", 30, "the panicked view replaced").await?;
    page.wait_for(&format!("window.lsxMap.step > {map_step}"), 60, "a map after the view's panic").await?;
    page.decodes(250.0, 150.0).await?;
    page.click("error-dismiss").await?;

    // 5. A panic on the page: the panic panel, whose link reloads and restores the last autosave.
    page.click("train-toggle").await?;
    let at = step(&page).await?;
    let autosaved = autosaved(&page, at).await?;
    let thrown =
        page.js("try { lsxTest.panic('page'); return 'no throw'; } catch (e) { return String(e); }").await?;
    println!("the page's panic surfaced to the caller as: {thrown}");
    let msg = page
        .wait_for(
            "(e => e && e.textContent)(document.querySelector('[data-testid=page-crash-message]'))",
            10,
            "the panic panel",
        )
        .await?;
    assert!(msg.as_str().unwrap_or_default().contains("a test asked the page to panic"), "{msg}");
    page.screenshot("faults-page-panic").await?;
    page.clear_errors().await?;
    page.click("page-crash-restore").await?;
    let loaded = wait_said(&page, "Loaded a mnist model at step", 90, "the autosave restored").await?;
    assert!(loaded.contains(&format!("step {autosaved}")), "{loaded} (autosaved at {autosaved})");
    page.decodes(200.0, 200.0).await?;
    page.finish().await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lost_webgpu_device_falls_back_to_the_cpu_and_webgpu_can_be_tried_again() -> Result<()> {
    let page = Page::launch("?backend=webgpu&pretrained=0&seed=3").await?;
    page.wait_ready().await?;
    assert_eq!(page.text("backend-label").await?, "webgpu");
    page.click("step-button").await?;
    wait_step(&page, 0.0, 180, "a WebGPU step").await?;
    // Train, pause: a snapshot at the current step.
    page.click("train-toggle").await?;
    page.click("train-toggle").await?;
    let shown = step(&page).await?;
    let before = page
        .wait_for(&format!("window.lsxSnapshot >= {shown} && window.lsxSnapshot"), 120, "a snapshot")
        .await?;
    let before = before.as_f64().unwrap_or(0.0);

    page.js("lsxTest.destroyDevice(); return 1;").await?;
    wait_said(&page, "The trainer stopped \\(the WebGPU device was lost", 30, "the lost device noticed")
        .await?;
    page.wait_for(
        "document.querySelector('[data-testid=backend-label]').textContent === 'cpu'",
        60,
        "the CPU trainer",
    )
    .await?;
    let carried =
        wait_said(&page, "A new trainer \\(cpu\\) carries on from step", 60, "the CPU carrying on").await?;
    assert!(carried.contains(&format!("step {before}")), "{carried} (snapshot at {before})");
    assert_eq!(page.js("return getComputedStyle(document.querySelector('[data-testid=retry-webgpu]')).display !== 'none';").await?, json!(true));
    page.screenshot("faults-device-lost").await?;
    page.click("step-button").await?;
    wait_step(&page, before, 60, "a CPU step after the device was lost").await?;
    page.decodes(200.0, 200.0).await?;

    // WebGPU again, from a fresh snapshot.
    let on_cpu = step(&page).await?;
    page.click("retry-webgpu").await?;
    page.wait_for(
        "document.querySelector('[data-testid=backend-label]').textContent === 'webgpu'",
        120,
        "WebGPU again",
    )
    .await?;
    let again =
        wait_said(&page, "A new trainer \\(webgpu\\) carries on from step", 60, "WebGPU carrying on").await?;
    assert!(again.contains(&format!("step {on_cpu}")), "{again} (was at {on_cpu} on the CPU)");
    page.click("step-button").await?;
    wait_step(&page, on_cpu, 180, "a WebGPU step after trying again").await?;
    page.finish().await
}

/// A record in the autosave store, written from the page's side with the raw IndexedDB API.
const PUT_RECORD: &str = r#"
const put = window.lsxOrigPut || IDBObjectStore.prototype.put;
const db = await new Promise((ok, err) => { const r = indexedDB.open('latent-explorer', 1);
  r.onupgradeneeded = () => r.result.createObjectStore('work'); r.onsuccess = () => ok(r.result); r.onerror = () => err(r.error); });
const tx = db.transaction(['work'], 'readwrite');
put.call(tx.objectStore('work'), { file, settings: '{}', history: new Float32Array(0), step: 7000, tab: 'elsewhere', savedAt: 0 }, 'autosave');
await new Promise((ok, err) => { tx.oncomplete = ok; tx.onerror = () => err(tx.error); });
db.close();
return 1;
"#;

#[tokio::test(flavor = "multi_thread")]
async fn storage_faults_turn_autosave_off_or_ignore_the_record_and_two_tabs_are_told() -> Result<()> {
    // 1. IndexedDB unavailable (as in some private windows): said once, everything else works.
    let page = Page::launch("?backend=cpu").await?;
    page.wait_ready().await?;
    let blocked = "Object.defineProperty(window, 'indexedDB', { get() { throw new DOMException('IndexedDB is disabled in this window', 'SecurityError'); } });";
    page.cdp("Page.addScriptToEvaluateOnNewDocument", json!({ "source": blocked })).await?;
    page.goto("?backend=cpu").await?;
    page.wait_ready().await?;
    wait_said(&page, "Autosave is off: the browser's storage is unavailable", 30, "autosave off").await?;
    page.train_until(5030.0, 60, "training without storage").await?;
    page.decodes(200.0, 200.0).await?;
    assert_eq!(count_said(&page, "Autosave is off").await?, 1, "said more than once");
    page.finish().await?;

    // 2. Quota exceeded on the autosave: said once, training goes on.
    let page = Page::launch("?backend=cpu").await?;
    page.wait_ready().await?;
    page.js(
        "window.lsxOrigPut = IDBObjectStore.prototype.put; IDBObjectStore.prototype.put = function () { \
             throw new DOMException('The quota has been exceeded.', 'QuotaExceededError'); }; return 1;",
    )
    .await?;
    page.train_until(5030.0, 60, "training").await?;
    let off = wait_said(&page, "Autosave is off", 30, "autosave off when full").await?;
    assert!(off.to_lowercase().contains("quota"), "{off}");
    assert_eq!(page.text("autosave-status").await?, "autosave off");
    let now = step(&page).await?;
    page.train_until(now + 30.0, 60, "training on with autosave off").await?;
    page.decodes(200.0, 200.0).await?;
    assert_eq!(count_said(&page, "Autosave is off").await?, 1, "said more than once");

    // 3. A damaged record (random bytes; a real model file with bytes flipped): ignored, not offered.
    let random = "const file = new Uint8Array(5000).map((_, i) => (Math.imul(i, 2654435761) >>> 13) & 255);";
    let flipped = "const file = new Uint8Array(await (await fetch('weights/mnist-ae.lsxw')).arrayBuffer());                    for (let i = 0; i < 64; i++) file[(file.length >> 1) + i] ^= 0xff;";
    for (file, expect) in [(random, "bad magic"), (flipped, "the file is damaged")] {
        page.js(&format!("{file} {PUT_RECORD}")).await?;
        page.goto("?backend=cpu").await?;
        page.wait_ready().await?;
        let msg = wait_said(&page, "the saved work is damaged", 30, "the damaged record reported").await?;
        assert!(msg.contains(expect) && msg.contains("ignored"), "{msg}");
        let offered = page.js("return getComputedStyle(document.querySelector('[data-testid=resume-button]').parentElement).display;").await?;
        assert_eq!(offered, json!("none"), "a damaged autosave was offered");
    }
    // Training and autosave work again; the new record replaces the damaged one.
    page.train_until(5020.0, 60, "training after a damaged record").await?;
    let saved_a = autosaved(&page, 5020.0).await?;

    // 4. Two tabs: the other tab's save is said, the newest save wins.
    let (tab_a, tab_b) = page.new_tab("?backend=cpu").await?;
    page.wait_ready().await?;
    page.train_until(5015.0, 60, "training in the second tab").await?;
    let saved_b = autosaved(&page, 5015.0).await?;
    assert_eq!(count_said(&page, "Another tab").await?, 0, "the second tab saved over nothing of this visit");
    page.switch_tab(tab_a.clone()).await?;
    page.train_until(saved_a + 20.0, 60, "training in the first tab again").await?;
    let saved_a2 = autosaved(&page, saved_a + 20.0).await?;
    let told = wait_said(&page, "Another tab autosaved its model here too", 30, "the first tab told").await?;
    assert!(
        told.contains(&format!("step {saved_b}")) && told.contains(&format!("step {saved_a2}")),
        "{told}"
    );
    page.screenshot("faults-two-tabs").await?;
    // The newest save is what a reload offers.
    page.switch_tab(tab_b).await?;
    page.goto("?backend=cpu").await?;
    page.wait_ready().await?;
    let offer = page.text("resume-button").await?;
    assert!(offer.contains(&format!("step {saved_a2}")), "{offer}");
    page.finish().await
}

/// Sets up the fuzzer in the page (`window.lsxFuzz`): a seeded generator, bad files mutated from a
/// valid model file (the shipped one), a valid IDX images file and a valid PNG, and a feeder that puts
/// one file into an input as a person's file chooser does and waits for the page's answer.
const FUZZ_SETUP: &str = r#"
let seed = 20261202;
const rnd = () => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed / 4294967296; };
const ri = n => Math.floor(rnd() * n);
const status = () => document.querySelector('[data-testid=status]').textContent;
const sleep = ms => new Promise(r => setTimeout(r, ms));
const table = new Int32Array(256).map((_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c; });
const crc32 = b => { let c = -1; for (let i = 0; i < b.length; i++) c = table[(c ^ b[i]) & 255] ^ (c >>> 8); return (c ^ -1) >>> 0; };
const model = new Uint8Array(await (await fetch('weights/mnist-ae.lsxw')).arrayBuffer());
const hlen = new DataView(model.buffer).getUint32(8, true);
const header = new TextDecoder().decode(model.slice(12, 12 + hlen));
const params = model.slice(12 + hlen, model.length - 4);
// A file with a new header and a correct checksum: only the deeper checks can refuse it.
const rebuild = json => {
  const j = new TextEncoder().encode(json), body = new Uint8Array(12 + j.length + params.length + 4);
  body.set(model.slice(0, 8)); new DataView(body.buffer).setUint32(8, j.length, true);
  body.set(j, 12); body.set(params, 12 + j.length);
  new DataView(body.buffer).setUint32(body.length - 4, crc32(body.subarray(0, body.length - 4)), true);
  return body;
};
const mutateModel = i => {
  switch (i % 6) {
    case 0: { const b = model.slice(); for (let k = 1 + ri(64); k > 0; k--) b[ri(b.length)] ^= 1 + ri(255); return b; }
    case 1: return model.slice(0, ri(model.length));
    case 2: { const b = new Uint8Array(model.length + 1 + ri(100)); b.set(model); for (let j = model.length; j < b.length; j++) b[j] = ri(256); return b; }
    case 3: return rebuild(header.replace('"latent":2', `"latent":${3 + ri(30)}`));
    case 4: return rebuild(Array.from({ length: hlen }, () => String.fromCharCode(32 + ri(95))).join(''));
    default: { const b = model.slice(); b[ri(8)] ^= 1 + ri(255); return b; }
  }
};
const count = 20, idx = new Uint8Array(16 + count * 784), dv = new DataView(idx.buffer);
dv.setUint32(0, 0x803); dv.setUint32(4, count); dv.setUint32(8, 28); dv.setUint32(12, 28);
for (let j = 16; j < idx.length; j++) idx[j] = ri(256);
const gz = new Uint8Array(await new Response(new Blob([idx]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer());
const mutateIdx = i => {
  const b = idx.slice(), v = new DataView(b.buffer);
  switch (i % 7) {
    case 0: return idx.slice(0, ri(idx.length));
    case 1: { let c; do { c = ri(2 ** 31); } while (c === count); v.setUint32(4, c); return b; }
    case 2: { let r, c; do { r = ri(300); c = ri(300); } while (r * c === 784); v.setUint32(8, r); v.setUint32(12, c); return b; }
    case 3: b[ri(4)] ^= 1 + ri(255); return b;
    case 4: { const e = new Uint8Array(idx.length + 1 + ri(100)); e.set(idx); return e; }
    case 5: { const g = new Uint8Array(2 + ri(200)); g[0] = 0x1f; g[1] = 0x8b; for (let j = 2; j < g.length; j++) g[j] = ri(256); return g; }
    default: return gz.slice(0, 10 + ri(gz.length - 20));
  }
};
const cv = new OffscreenCanvas(28, 28), cx = cv.getContext('2d');
cx.fillStyle = '#fff'; cx.fillRect(0, 0, 28, 28); cx.lineWidth = 3; cx.beginPath(); cx.arc(14, 14, 8, 0, 6.3); cx.stroke();
const png = new Uint8Array(await (await cv.convertToBlob({ type: 'image/png' })).arrayBuffer());
const mutateImage = i => {
  const b = png.slice();
  switch (i % 4) {
    case 0: return png.slice(0, 8 + ri(png.length - 20));
    case 1: for (let k = 1 + ri(8); k > 0; k--) b[ri(33)] ^= 1 + ri(255); return b;
    case 2: { const n = new Uint8Array(ri(4000)); for (let j = 0; j < n.length; j++) n[j] = ri(256); return n; }
    default: for (let k = 1 + ri(16); k > 0; k--) b[33 + ri(png.length - 33)] ^= 1 + ri(255); return b;
  }
};
const kinds = {
  model: { input: 'model-input', name: i => `fuzz-${i}.lsxw`, make: mutateModel, done: /Could not load|Loaded a/ },
  idx: { input: 'file-input', name: i => `fuzz-${i}-images.idx`, make: mutateIdx, done: /Upload rejected|images \(/ },
  image: { input: 'file-input', name: i => `fuzz-${i}.png`, make: mutateImage, done: /Upload rejected|images \(|shown as/ },
};
// Feeds files `from..to` of `kind`; returns [refused, accepted, unanswered].
window.lsxFuzz = async (kind, from, to) => {
  const k = kinds[kind], out = [0, 0, 0];
  for (let i = from; i < to; i++) {
    const name = k.name(i), input = document.querySelector(`[data-testid=${k.input}]`);
    const dt = new DataTransfer(); dt.items.add(new File([k.make(i)], name)); input.files = dt.files;
    input.dispatchEvent(new Event('change', { bubbles: true }));
    const t0 = performance.now();
    while (!(status().includes(name) && k.done.test(status())) && performance.now() - t0 < 10000) await sleep(2);
    const s = status();
    if (!s.includes(name)) out[2]++;
    else if (/Could not load|Upload rejected/.test(s)) out[0]++;
    else { out[1]++; console.log('accepted', name, s); }
  }
  return out;
};
return model.length;
"#;

/// A digest of the map's coordinates (the model's state as the page shows it).
const MAP_DIGEST: &str = "const p = window.lsxMap.points; let s = 0; for (let i = 0; i < p.length; i++) s += p[i] * ((i % 97) + 1); return [window.lsxMap.step, p.length, s];";

#[tokio::test(flavor = "multi_thread")]
async fn a_thousand_generated_bad_files_change_nothing() -> Result<()> {
    let page = Page::launch("?backend=cpu").await?;
    page.wait_ready().await?;
    page.wait_for("window.lsxMap && window.lsxMap.step === 5000", 60, "the pretrained map").await?;
    let before = (page.js(MAP_DIGEST).await?, page.number("step-count").await?);
    page.js(FUZZ_SETUP).await?;
    let t0 = std::time::Instant::now();
    let mut totals = Vec::new();
    for (kind, n) in [("model", 400), ("idx", 420), ("image", 200)] {
        let mut sum = [0u64; 3];
        for from in (0..n).step_by(50) {
            let v = page
                .js(&format!("return await window.lsxFuzz('{kind}', {from}, {});", (from + 50).min(n)))
                .await?;
            for (s, x) in sum.iter_mut().zip(v.as_array().into_iter().flatten()) {
                *s += x.as_u64().unwrap_or(0);
            }
        }
        println!("{kind}: {n} bad files: {} refused, {} accepted, {} unanswered", sum[0], sum[1], sum[2]);
        assert_eq!(sum[2], 0, "{kind}: files the page never answered");
        if kind != "image" {
            // Every mutation of these kinds breaks the file: all must be refused.
            assert_eq!(sum[0], n as u64, "{kind}: bad files accepted");
        }
        totals.push((kind, n, sum));
    }
    println!(
        "fed {} files in {:.1} s",
        totals.iter().map(|t| t.1).sum::<usize>(),
        t0.elapsed().as_secs_f64()
    );
    // No panic anywhere, no worker replaced, nothing changed, and the map still decodes.
    let crashed = page.js("return !!document.querySelector('[data-testid=page-crash]') || (window.lsxSaid || []).some(m => /panicked|stopped/.test(m));").await?;
    assert_eq!(crashed, json!(false), "a panic or a dead worker while fuzzing");
    let after = (page.js(MAP_DIGEST).await?, page.number("step-count").await?);
    println!("map digest before {before:?}, after {after:?}");
    // The same weights: the same step and points. (The shipped map drawn first and the view's own
    // encoding of the same weights differ in the 8th digit, so the digest is compared to 1e-6.)
    assert_eq!(
        (&before.0[0], &before.0[1], before.1),
        (&after.0[0], &after.0[1], after.1),
        "the model changed"
    );
    let (a, b) = (before.0[2].as_f64().unwrap_or(0.0), after.0[2].as_f64().unwrap_or(f64::NAN));
    assert!((a - b).abs() <= 1e-6 * a.abs(), "the map changed: {a} -> {b}");
    page.decodes(200.0, 200.0).await?;
    page.finish().await
}
