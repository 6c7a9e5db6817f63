//! `make bench`: the release build served on 127.0.0.1 (cross-origin isolated, so wasm threads are
//! allowed) and driven in headless Chromium. Measures, in one run: training throughput of our CPU and
//! WebGPU paths and of TensorFlow.js 4.22 (cpu, wasm, webgl, webgpu) on the same network, loss,
//! optimiser and batch; the native ceiling; decode latency; scatter redraw; first map; long tasks;
//! transfer sizes. Writes `bench/results.json` and `bench/RESULTS.md`.

use std::io::Write;
use std::time::Duration;

use serde_json::{Value, json};
use tests::{Browser, Page, Result, floats, root, target_dir};

mod report;
use report::markdown;

/// Seconds of training per in-app throughput measurement (the first windows are warm-up). Long
/// tasks are counted during the first, the CPU AE's.
const CPU_SECS: u64 = 30;
const VAE_SECS: u64 = 20;
const GPU_SECS: u64 = 40;
const WARMUP_WINDOWS: usize = 5;

fn quantile(v: &mut [f64], q: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    v[((q * (v.len() - 1) as f64).round() as usize).min(v.len() - 1)]
}

/// `{"p50", "p95"}` of `v`.
fn spread(v: &mut [f64]) -> Value {
    json!({"p50": quantile(v, 0.5), "p95": quantile(v, 0.95)})
}

/// Our in-app training throughput: Train pressed, the status bar's samples/s read once a second.
async fn ours(backend: &str, model: &str, secs: u64) -> Result<Value> {
    let page = Page::launch_isolated(&format!("?backend={backend}&pretrained=0&seed=1&batch=128")).await?;
    page.wait_ready().await?;
    if model == "vae" {
        page.select("model-select", "vae").await?;
        page.wait_status("Press Train", 60, "the VAE").await?;
    }
    let used = page.text("backend-label").await?;
    let t0 = page.now().await?;
    page.click("train-toggle").await?;
    let mut rates = Vec::new();
    let start = std::time::Instant::now();
    let mut last = String::new();
    while start.elapsed() < Duration::from_secs(secs) {
        tokio::time::sleep(Duration::from_millis(1000)).await;
        let step = page.text("step-count").await?;
        if step != last {
            rates.push(page.number("samples-per-s").await?);
            last = step;
        }
    }
    let steps = page.number("step-count").await?;
    let long =
        page.js(&format!("return window.lsxLongTasks.filter(t => t[0] >= {t0}).map(t => t[1]);")).await?;
    let frames = page.js(&tests::long_frames(t0, 1e12)).await?;
    let draws = floats(&page.js("return window.lsxDrawMs || [];").await?);
    page.click("train-toggle").await?;
    page.close().await;
    let mut after: Vec<f64> =
        rates.iter().skip(WARMUP_WINDOWS.min(rates.len() / 2)).copied().filter(|r| *r > 0.0).collect();
    let sps = quantile(&mut after, 0.5);
    println!(
        "ours {used} {model}: {sps:.0} samples/s (median of {} windows), {steps} steps, long tasks {long}, long animation frames {frames}",
        after.len()
    );
    Ok(json!({"backend": used, "model": model, "samples_per_s": sps, "windows": after, "steps": steps,
              "long_tasks_ms": long, "long_frames": frames, "secs": secs, "draw_ms": draws}))
}

/// The k-NN(5) accuracy of the map's 2-D positions (first 1,000 test points) that counts as insight.
const INSIGHT_KNN: f64 = 0.6;
const INSIGHT_LIMIT_SECS: u64 = 180;

/// Time to insight, as a new user meets it: the pretrained page, "From scratch", then Train (pressed
/// as soon as the new model is ready); seconds from the first click until the map's k-NN(5) accuracy
/// (the view worker's, on the first 1,000 test points, shown under the map) reaches 0.6.
async fn insight() -> Result<Value> {
    let page = Page::launch_isolated("?backend=cpu").await?;
    page.wait_ready().await?;
    page.wait_pretrained_map(60).await?;
    let start = std::time::Instant::now();
    page.from_scratch().await?;
    let ready = start.elapsed().as_secs_f64();
    let batch = page.batch().await?;
    page.click("train-toggle").await?;
    let knn_of = |t: &str| {
        t.split("2-D positions: ")
            .nth(1)
            .and_then(|r| r.split(' ').next())
            .and_then(|v| v.parse::<f64>().ok())
    };
    let (mut knn, mut steps, mut trace) = (0.0, 0.0, Vec::new());
    while start.elapsed() < Duration::from_secs(INSIGHT_LIMIT_SECS) {
        tokio::time::sleep(Duration::from_millis(200)).await;
        if let Some(k) = knn_of(&page.text("map-info-0").await?) {
            steps = page.number("step-count").await.unwrap_or(steps);
            if k != knn {
                trace.push(json!([start.elapsed().as_secs_f64(), steps, k]));
            }
            knn = k;
            if knn >= INSIGHT_KNN {
                break;
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    page.click("train-toggle").await?;
    page.close().await;
    let reached = knn >= INSIGHT_KNN;
    println!(
        "time to insight: kNN {knn:.3} after {secs:.1} s ({steps} steps; new model ready after {ready:.1} s)"
    );
    Ok(
        json!({"reached": reached, "secs": secs, "steps": steps, "batch": batch, "knn": knn, "ready_secs": ready, "goal": INSIGHT_KNN, "trace": trace}),
    )
}

/// `BENCH_GPU=1`: the GPU rows, for a machine with a real GPU. Chromium is started with hardware
/// WebGPU (Vulkan), and the native command line trains on burn's wgpu backend (and CUDA, when it was
/// built with that feature). Without a hardware adapter, says so and gives no rows.
fn gpu_rows() -> Value {
    if std::env::var("BENCH_GPU").as_deref() != Ok("1") {
        return json!({"skipped": "BENCH_GPU is not set"});
    }
    let (hardware, summary) = tests::hardware_gpu();
    if !hardware {
        let said = "no hardware GPU here (vulkaninfo lists no discrete, integrated or virtual GPU): the GPU rows are skipped";
        println!("BENCH_GPU=1: {said}");
        return json!({"skipped": said, "vulkaninfo": summary});
    }
    let mut rows = Vec::new();
    for (device, model) in [("wgpu", "ae"), ("wgpu", "vae"), ("cuda", "ae"), ("cuda", "vae")] {
        match native_on(model, device) {
            Ok(r) => rows.push(r),
            Err(e) => rows.push(json!({"device": device, "model": model, "error": e.to_string()})),
        }
    }
    json!({"native": rows})
}

/// TensorFlow.js on the same network (bench/tfjs/index.html, tfjs from npm).
async fn tfjs(backend: &str, model: &str) -> Result<Value> {
    let windows = if backend == "cpu" || backend == "webgpu" { 3 } else { 5 };
    let window = if backend == "cpu" {
        5
    } else if backend == "webgpu" {
        3
    } else {
        10
    };
    let url = format!(
        "bench/tfjs/index.html?backend={backend}&model={model}&warmup=3&window={window}&windows={windows}"
    );
    let page = Page::launch_isolated(&url).await?;
    let r = page.wait_for("window.benchResult", 900, &format!("tfjs {backend} {model}")).await;
    page.close().await;
    let r = r.unwrap_or_else(|e| json!({"ok": false, "error": e.to_string()}));
    println!("tfjs {backend} {model}: {r}");
    Ok(r)
}

/// The model crate natively (one thread): the ceiling without the browser.
fn native(model: &str) -> Result<Value> {
    native_on(model, "cpu")
}

/// The train command line on `device` (cpu, wgpu, cuda): samples/s over 300 steps.
fn native_on(model: &str, device: &str) -> Result<Value> {
    let out = std::process::Command::new(target_dir().join("native/train"))
        .args(["--kind", model, "--device", device, "--steps", "300", "--eval", "200", "--data"])
        .arg(root().join("assets/data"))
        .output()?;
    let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    let sps = text
        .split(" samples/s")
        .next()
        .and_then(|s| s.rsplit("= ").next())
        .and_then(|s| s.trim().parse::<f64>().ok())
        .ok_or_else(|| format!("no samples/s in: {text}"))?;
    println!("native {device} {model}: {sps} samples/s");
    Ok(json!({"model": model, "device": device, "samples_per_s": sps}))
}

/// Where the native training time goes: `perf record` over the train CLI (600 AE steps), the symbols
/// over 0.5 % of the samples, and their shares summed by kind. `{"error"}` when perf is missing.
fn native_profile() -> Value {
    let data = target_dir().join("perf.data");
    let recorded = std::process::Command::new("perf")
        .args(["record", "-q", "-F", "999", "-o"])
        .arg(&data)
        .arg("--")
        .arg(target_dir().join("native/train"))
        .args(["--kind", "ae", "--steps", "600", "--eval", "200", "--data"])
        .arg(root().join("assets/data"))
        .output();
    let report = recorded.and_then(|_| {
        std::process::Command::new("perf")
            .args(["report", "--no-children", "--sort", "sym", "--stdio", "--percent-limit", "0.5", "-i"])
            .arg(&data)
            .output()
    });
    let text = match report {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).to_string(),
        Ok(out) => return json!({"error": String::from_utf8_lossy(&out.stderr).trim().to_string()}),
        Err(e) => return json!({"error": format!("perf: {e}")}),
    };
    let top: Vec<(f64, String)> = text
        .lines()
        .filter_map(|l| {
            let (pct, rest) = l.trim().split_once('%')?;
            Some((pct.trim().parse().ok()?, rest.trim().trim_start_matches("[.]").trim().to_string()))
        })
        .collect();
    let share =
        |pred: &dyn Fn(&str) -> bool| top.iter().filter(|(_, s)| pred(s)).map(|(p, _)| p).sum::<f64>();
    let kinds = json!({
        "matrix multiply (gemm)": share(&|s| s.contains("gemm")),
        "element-wise (burn-flex, macerator)": share(&|s| s.contains("burn_flex") || s.contains("macerator")),
        "exp (sigmoid)": share(&|s| s.contains("exp")),
        "copies and allocation": share(&|s| ["memmove", "memcpy", "memset", "malloc", "free", "from_iter"].iter().any(|k| s.contains(k))),
    });
    println!("native profile: {kinds}");
    json!({"top": top, "kinds": kinds})
}

/// Decode latencies (ms) of 60 hovers spread over the first map, 120 ms apart.
async fn hover_decodes(page: &Page) -> Result<Vec<f64>> {
    page.js("window.lsxDecodeMs = []; return 1;").await?;
    for k in 0..60u32 {
        let (x, y) = (40.0 + f64::from((k * 97) % 480), 40.0 + f64::from((k * 59) % 480));
        page.hover_at("latent-plot", x, y).await?;
        tokio::time::sleep(Duration::from_millis(120)).await;
    }
    Ok(floats(&page.js("return window.lsxDecodeMs || [];").await?))
}

/// Page-level figures on the pretrained page: first map, decode latency, scatter redraws.
async fn page_figures() -> Result<Value> {
    let page = Page::launch_isolated("?backend=cpu").await?;
    let first = page.wait_for("window.lsxFirstMap", 30, "the first map").await?.as_f64().unwrap_or(f64::NAN);
    page.wait_ready().await?;
    page.wait_pretrained_map(30).await?;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mut decode = hover_decodes(&page).await?;
    let parts = page.js("return window.lsxDecodeParts || [];").await?;
    let part = |k: usize| -> Vec<f64> {
        parts.as_array().into_iter().flatten().filter_map(|p| p.get(k).and_then(Value::as_f64)).collect()
    };
    let (mut worker, mut arrive, mut frame) = (part(0), part(1), part(2));
    let mut d10 = floats(
        &page.js("return Array.from({length: 15}, () => window.wasmBindings.lsx_draw_bench(10000));").await?,
    );
    let mut d60 = floats(
        &page.js("return Array.from({length: 15}, () => window.wasmBindings.lsx_draw_bench(60000));").await?,
    );
    page.close().await;
    let mut r = json!({
        "first_map_ms": first,
        "decode_ms": spread(&mut decode),
        "decode_worker_ms": spread(&mut worker),
        "decode_arrive_ms": spread(&mut arrive),
        "decode_frame_wait_ms": spread(&mut frame),
        "draw_10k_ms": spread(&mut d10),
        "draw_60k_ms": spread(&mut d60),
    });
    r["decode_ms"]["n"] = json!(decode.len());
    println!("page: {r}");
    Ok(r)
}

/// A model made elsewhere (the PyTorch Fashion VAE of `tests/fixtures/onnx`), opened in the page:
/// time from the files chosen to its map of the 10,000 test images, and decode latency under hover.
async fn onnx_figures() -> Result<Value> {
    let dir = root().join("tests/fixtures/onnx");
    let page = Page::launch_isolated("?backend=cpu&dataset=fashion-mnist").await?;
    page.wait_ready().await?;
    page.wait_pretrained_map(60).await?;
    let t0 = page.now().await?;
    page.open_onnx_and_map(
        &[&dir.join("fashion-vae-encoder.onnx"), &dir.join("fashion-vae-decoder.onnx")],
        10_000,
    )
    .await?;
    let map_ms = page.now().await? - t0;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let mut decode = hover_decodes(&page).await?;
    page.close().await;
    let r = json!({"model": "PyTorch conv VAE, Fashion-MNIST (tests/fixtures/onnx)", "files_to_map_ms": map_ms, "decode_ms": spread(&mut decode)});
    println!("onnx: {r}");
    Ok(r)
}

/// Gzip sizes of the release wasm and JS (first load = page + CPU worker; all = with the WebGPU and
/// ONNX workers, fetched only when asked for; the ONNX runtime's share = ONNX worker − CPU worker).
fn sizes() -> Result<Value> {
    let dist = root().join("dist");
    let (mut first, mut all, mut onnx, mut cpu_worker) = (0u64, 0u64, 0u64, 0u64);
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&dist)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        if !(name.ends_with(".wasm") || name.ends_with(".js")) {
            continue;
        }
        let bytes = std::fs::read(&path)?;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&bytes)?;
        let n = gz.finish()?.len() as u64;
        all += n;
        if name.starts_with("worker_onnx") {
            onnx += n;
        } else if !name.contains("gpu") {
            first += n;
        }
        if name.starts_with("worker.") || name.starts_with("worker_bg") || name.starts_with("worker_loader") {
            cpu_worker += n;
        }
        let crates = if name.ends_with(".wasm") { code_by_crate(&bytes)? } else { Vec::new() };
        files.push(json!({"file": name, "bytes": bytes.len(), "gzip": n, "code_by_crate": crates}));
    }
    let runtime = onnx.saturating_sub(cpu_worker);
    Ok(
        json!({"first_load_gzip": first, "all_gzip": all, "onnx_worker_gzip": onnx, "onnx_runtime_gzip": runtime, "files": files}),
    )
}

/// Seconds since `make bench` started (it passes its start time as `BENCH_T0`, Unix seconds).
fn make_seconds() -> Option<u64> {
    let t0: u64 = std::env::var("BENCH_T0").ok()?.parse().ok()?;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    now.checked_sub(t0)
}

/// Code bytes of a wasm module by the crate its functions' demangled names start with, largest first
/// (empty when wasm-opt or `strip` removed the name section).
fn code_by_crate(bytes: &[u8]) -> Result<Vec<(String, u64)>> {
    use wasmparser::{KnownCustom, Name, Parser, Payload, TypeRef};
    let (mut imported, mut bodies, mut names) = (0u32, Vec::new(), std::collections::HashMap::new());
    for payload in Parser::new(0).parse_all(bytes) {
        match payload? {
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    imported += u32::from(matches!(import?.ty, TypeRef::Func(_)));
                }
            }
            Payload::CodeSectionEntry(body) => bodies.push(body.range().len() as u64),
            Payload::CustomSection(custom) => {
                if let KnownCustom::Name(reader) = custom.as_known() {
                    for name in reader {
                        if let Name::Function(map) = name? {
                            for naming in map {
                                let naming = naming?;
                                names.insert(naming.index, naming.name.to_string());
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let mut by: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    for (i, size) in bodies.iter().enumerate() {
        let Some(name) = names.get(&(imported + i as u32)) else { continue };
        let plain = format!("{:#}", rustc_demangle::demangle(name));
        let krate = plain.trim_start_matches(['<', '&', ' ']).trim_start_matches("mut ");
        let krate = krate.split("::").next().unwrap_or("?").split([' ', '<']).next().unwrap_or("?");
        *by.entry(krate.to_string()).or_default() += size;
    }
    let mut by: Vec<_> = by.into_iter().collect();
    by.sort_by_key(|c| std::cmp::Reverse(c.1));
    Ok(by)
}

fn cpu_name() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into())
}

#[tokio::main]
async fn main() -> Result<()> {
    if std::env::args().any(|a| a == "--markdown") {
        // Re-renders bench/RESULTS.md from bench/results.json (no measuring).
        let dir = root().join("bench");
        let results: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("results.json"))?)?;
        std::fs::write(dir.join("RESULTS.md"), markdown(&results))?;
        return Ok(());
    }
    if std::env::args().any(|a| a == "--sizes") {
        // Only the transfer sizes and the code-by-crate profile of the current dist/.
        println!("{}", serde_json::to_string_pretty(&sizes()?)?);
        return Ok(());
    }
    if std::env::args().any(|a| a == "--quick-gpu") {
        // Our WebGPU path alone (the first step compiles the shaders: it can take tens of seconds).
        ours("webgpu", "ae", GPU_SECS).await?;
        return Ok(());
    }
    if std::env::args().any(|a| a == "--gpu") {
        // The GPU rows alone (with BENCH_GPU=1; the train CLI built with `--features model/wgpu`).
        println!("{}", serde_json::to_string_pretty(&gpu_rows())?);
        return Ok(());
    }
    if std::env::args().any(|a| a == "--onnx") {
        onnx_figures().await?;
        println!("{}", serde_json::to_string_pretty(&sizes()?)?);
        return Ok(());
    }
    if std::env::args().any(|a| a == "--insight") {
        insight().await?;
        return Ok(());
    }
    if std::env::args().any(|a| a == "--quick") {
        // The inner loop of a speed change: our CPU throughput and the page figures only, nothing written.
        for model in ["ae", "vae"] {
            ours("cpu", model, CPU_SECS).await?;
        }
        page_figures().await?;
        return Ok(());
    }
    let started = std::time::Instant::now();
    let mut ours_runs = Vec::new();
    for (backend, model, secs) in
        [("cpu", "ae", CPU_SECS), ("cpu", "vae", VAE_SECS), ("webgpu", "ae", GPU_SECS)]
    {
        ours_runs.push(ours(backend, model, secs).await?);
    }
    let mut tf_runs = Vec::new();
    for backend in ["cpu", "wasm", "webgl", "webgpu"] {
        for model in ["ae", "vae"] {
            tf_runs.push(tfjs(backend, model).await?);
        }
    }
    let native_runs = vec![native("ae")?, native("vae")?];
    let gpu = gpu_rows();
    let insight = insight().await?;
    let profile = native_profile();
    let page = page_figures().await?;
    let onnx = onnx_figures().await?;
    let size = sizes()?;
    let date = String::from_utf8(
        std::process::Command::new("date").arg("-u").arg("+%Y-%m-%d %H:%M UTC").output()?.stdout,
    )?;
    let results = json!({
        "date": date.trim(), "cpu": cpu_name(), "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        "chromium": Browser::version().unwrap_or_default(), "bench_seconds": started.elapsed().as_secs(),
        "make_bench_seconds": make_seconds(),
        "ours": ours_runs, "tfjs": tf_runs, "native": native_runs, "gpu": gpu, "insight": insight, "page": page, "onnx": onnx, "sizes": size, "native_profile": profile,
    });
    let dir = root().join("bench");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("results.json"), serde_json::to_string_pretty(&results)?)?;
    std::fs::write(dir.join("RESULTS.md"), markdown(&results))?;
    println!("{}", markdown(&results));
    Ok(())
}
