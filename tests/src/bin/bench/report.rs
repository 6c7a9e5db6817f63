//! `make bench`'s report: `bench/RESULTS.md` rendered from a `bench/results.json` record.

use serde_json::Value;

/// The Markdown table of a results record.
pub fn markdown(r: &Value) -> String {
    let f = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
    let best_tf = |model: &str, among: &[&str]| {
        r["tfjs"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|t| t["model"] == model && t["ok"] == true)
            .filter(|t| among.is_empty() || among.iter().any(|b| t["backend"] == *b))
            .map(|t| (f(&t["samplesPerSec"]), t["backend"].as_str().unwrap_or("").to_string()))
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .unwrap_or((f64::NAN, "none".into()))
    };
    let mut s = format!(
        "# Benchmark results\n\n{} · {} ({} cores) · {} · `make bench` took {} s in all (build included), {} s measuring\n\n\
         Training throughput, samples/s (784-512-256-2-256-512-784, batch 128, Adam 1e-3, MNIST); ratios = ours ÷ the best tfjs backend on the same model, and ÷ the best tfjs backend of the same kind (CPU: cpu, wasm; GPU: webgl, webgpu).\n\n\
         | trainer | backend | model | samples/s | ÷ best tfjs | ÷ best tfjs of its kind |\n|---|---|---|---|---|---|\n",
        r["date"].as_str().unwrap_or(""),
        r["cpu"].as_str().unwrap_or(""),
        r["cores"],
        r["chromium"].as_str().unwrap_or(""),
        r["make_bench_seconds"],
        r["bench_seconds"]
    );
    for o in r["ours"].as_array().into_iter().flatten() {
        let model = o["model"].as_str().unwrap_or("");
        let backend = o["backend"].as_str().unwrap_or("");
        let (best, name) = best_tf(model, &[]);
        let kind: &[&str] = if backend == "webgpu" { &["webgl", "webgpu"] } else { &["cpu", "wasm"] };
        let (same, same_name) = best_tf(model, kind);
        let x = f(&o["samples_per_s"]);
        s += &format!(
            "| ours (in the app) | {backend} | {model} | {x:.0} | {:.2}× (tfjs {name}) | {:.2}× (tfjs {same_name}) |\n",
            x / best,
            x / same
        );
    }
    for t in r["tfjs"].as_array().into_iter().flatten() {
        let extra = if t["backend"] == "wasm" {
            format!(" (SIMD {}, threads {})", t["simd"], t["threads"])
        } else {
            String::new()
        };
        let val = if t["ok"] == true {
            format!("{:.0}", f(&t["samplesPerSec"]))
        } else {
            format!("failed: {}", t["error"].as_str().unwrap_or(""))
        };
        s += &format!(
            "| TensorFlow.js {} | {}{extra} | {} | {val} | | |\n",
            t["tfjsVersion"].as_str().unwrap_or("4.22"),
            t["backend"].as_str().unwrap_or(""),
            t["model"].as_str().unwrap_or("")
        );
    }
    for n in r["native"].as_array().into_iter().flatten() {
        s += &format!(
            "| ours native (no browser, 1 thread) | flex | {} | {:.0} | | |\n",
            n["model"].as_str().unwrap_or(""),
            f(&n["samples_per_s"])
        );
    }
    for g in r["gpu"]["native"].as_array().into_iter().flatten() {
        let val = g["samples_per_s"]
            .as_f64()
            .map_or_else(|| format!("failed: {}", g["error"].as_str().unwrap_or("")), |v| format!("{v:.0}"));
        s += &format!(
            "| ours native on a GPU | {} | {} | {val} | | |\n",
            g["device"].as_str().unwrap_or(""),
            g["model"].as_str().unwrap_or("")
        );
    }
    if let Some(why) = r["gpu"]["skipped"].as_str() {
        s += &format!("\nGPU rows (`BENCH_GPU=1`): {why}.\n");
    }
    let i = &r["insight"];
    if i.is_object() {
        let (best, name) = best_tf("ae", &[]);
        let tf_secs = f(&i["steps"]) * f(&i["batch"]) / best;
        s += &format!(
            "\n**Time to insight** (the pretrained page → From scratch → Train, until the map's k-NN(5) on 1,000 test points reaches {}): \
             **{:.1} s** in the page (CPU), {} steps, k-NN {:.3}{}; the same steps at the best TensorFlow.js rate ({name}, {best:.0} samples/s) would take {tf_secs:.0} s. Target ≤ 30 s.\n",
            f(&i["goal"]),
            f(&i["secs"]),
            f(&i["steps"]),
            f(&i["knn"]),
            if i["reached"] == true { "" } else { " (NOT reached in the time allowed)" },
        );
    }
    let p = &r["page"];
    let long: Vec<String> = r["ours"][0]["long_tasks_ms"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| format!("{:.0}", f(v)))
        .collect();
    s += &format!(
        "\n| page figure | value | target |\n|---|---|---|\n\
         | decode latency (hover → next frame) p50 / p95 | {:.1} / {:.1} ms | p95 < 8 ms |\n\
         | — of it: hover → image in the page (worker round trip) p50 / p95 | {:.1} / {:.1} ms | |\n\
         | — of that: the view worker's decode p50 / p95 | {:.1} / {:.1} ms | |\n\
         | — of it: image in the page → next frame (draw + wait for vsync) p50 / p95 | {:.1} / {:.1} ms | |\n\
         | scatter redraw 10k points p50 / p95 | {:.2} / {:.2} ms | < 4 ms |\n\
         | scatter redraw 60k points p50 / p95 | {:.2} / {:.2} ms | < 16 ms |\n\
         | navigation → first drawn map (pretrained) | {:.0} ms | < 1 s |\n\
         | main-thread tasks > 50 ms during {} s of CPU training | {} {:?} | 0 |\n\
         | first load wasm + JS (page + CPU worker), gzip | {:.2} MB | |\n\
         | all wasm + JS (with the WebGPU and ONNX workers), gzip | {:.2} MB | ≤ 3 MB |\n",
        f(&p["decode_ms"]["p50"]),
        f(&p["decode_ms"]["p95"]),
        f(&p["decode_arrive_ms"]["p50"]),
        f(&p["decode_arrive_ms"]["p95"]),
        f(&p["decode_worker_ms"]["p50"]),
        f(&p["decode_worker_ms"]["p95"]),
        f(&p["decode_frame_wait_ms"]["p50"]),
        f(&p["decode_frame_wait_ms"]["p95"]),
        f(&p["draw_10k_ms"]["p50"]),
        f(&p["draw_10k_ms"]["p95"]),
        f(&p["draw_60k_ms"]["p50"]),
        f(&p["draw_60k_ms"]["p95"]),
        f(&p["first_map_ms"]),
        r["ours"][0]["secs"],
        long.len(),
        long,
        f(&r["sizes"]["first_load_gzip"]) / 1e6,
        f(&r["sizes"]["all_gzip"]) / 1e6,
    );
    let o = &r["onnx"];
    if !o.is_null() {
        s += &format!(
            "\n## A model made elsewhere (ONNX, opened in the page)\n\n| figure | value |\n|---|---|\n\
             | {} : files chosen → map of 10,000 test images | {:.0} ms |\n\
             | its decode under the cursor, p50 / p95 | {:.1} / {:.1} ms |\n\
             | ONNX view worker, gzip (fetched only when a model is opened) | {:.2} MB |\n\
             | of which the ONNX runtime (ONNX worker − CPU worker), gzip | {:.2} MB |\n",
            o["model"].as_str().unwrap_or(""),
            f(&o["files_to_map_ms"]),
            f(&o["decode_ms"]["p50"]),
            f(&o["decode_ms"]["p95"]),
            f(&r["sizes"]["onnx_worker_gzip"]) / 1e6,
            f(&r["sizes"]["onnx_runtime_gzip"]) / 1e6,
        );
    }
    s += "\n## Where the time goes natively (perf, 600 AE steps of the train CLI, one thread)\n\n| kind | share of samples |\n|---|---|\n";
    for (kind, pct) in r["native_profile"]["kinds"].as_object().into_iter().flatten() {
        s += &format!("| {kind} | {:.1} % |\n", f(pct));
    }
    s += "\n| symbol | share |\n|---|---|\n";
    for t in r["native_profile"]["top"].as_array().into_iter().flatten().take(12) {
        s += &format!("| `{}` | {:.1} % |\n", t[1].as_str().unwrap_or(""), f(&t[0]));
    }
    s += "\n## Where the bytes go (gzip per file; code by crate where the file keeps its names)\n\n| file | bytes | gzip | largest crates by code bytes |\n|---|---|---|---|\n";
    for file in r["sizes"]["files"].as_array().into_iter().flatten() {
        let crates = file["code_by_crate"].as_array().into_iter().flatten();
        let total: f64 = crates.clone().map(|c| f(&c[1])).sum();
        let top: Vec<String> = crates
            .take(8)
            .map(|c| format!("{} {:.0} %", c[0].as_str().unwrap_or(""), 100.0 * f(&c[1]) / total))
            .collect();
        s += &format!(
            "| {} | {:.2} MB | {:.2} MB | {} |\n",
            file["file"].as_str().unwrap_or(""),
            f(&file["bytes"]) / 1e6,
            f(&file["gzip"]) / 1e6,
            match (top.is_empty(), file["file"].as_str().unwrap_or("").ends_with(".wasm")) {
                (false, _) => top.join(", "),
                (true, true) => "(names stripped by wasm-opt)".to_string(),
                (true, false) => "(JavaScript glue)".to_string(),
            }
        );
    }
    s
}
