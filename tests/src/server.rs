//! A static file server for the built `dist/` on an ephemeral loopback port (tiny_http, one thread),
//! optionally cross-origin isolated. Every file of the app goes out with its Content-Security-Policy
//! (`scripts/csp.txt`, as `make serve` sends it) plus a `report-uri`, so the page and its workers run
//! under it and any violation is reported here ([`Server::csp_reports`]). It stops when dropped.

use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::scripts::INIT_SCRIPT;
use crate::{Result, root};

/// The harness's init script, for browsers without DevTools (see [`Server::start_for`]).
const INIT_FILE: &str = "lsx-test-init.js";

/// Where the browser posts CSP violation reports (outside any sub-path the site is served under).
const CSP_REPORTS: &str = "/csp-report";

/// The server; `base` is its URL (`http://127.0.0.1:PORT`, no trailing slash).
pub struct Server {
    pub base: String,
    http: Arc<tiny_http::Server>,
    reports: Arc<Mutex<Vec<String>>>,
}

/// The app's policy, one line, with the report endpoint.
fn csp() -> Result<String> {
    let text = std::fs::read_to_string(root().join("scripts/csp.txt"))?;
    Ok(format!("{}; report-uri {CSP_REPORTS}", text.split_whitespace().collect::<Vec<_>>().join(" ")))
}

fn mime(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript",
        "wasm" => "application/wasm",
        "css" => "text/css",
        "json" => "application/json",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

impl Server {
    pub fn start() -> Result<Self> {
        Self::serve(root().join("dist"), "", false)
    }

    /// As [`Server::start`], for `engine`: a browser without DevTools (Firefox, WebKit) gets the
    /// harness's init script as a module just before the app's start-up module (a file of this server, so the
    /// page's CSP allows it), since its driver cannot install one.
    pub fn start_for(engine: crate::browser::Engine) -> Result<Self> {
        Self::serve_with(root().join("dist"), "", false, engine != crate::browser::Engine::Chromium)
    }

    /// Serves with cross-origin isolation headers (COOP/COEP), which let pages use wasm threads.
    pub fn start_isolated() -> Result<Self> {
        Self::serve(root().join("dist"), "", true)
    }

    /// Serves `dir` (a copy of `dist/`) under the path `prefix` (e.g. `/some/sub/path`, no trailing
    /// slash), as a course website would; anything outside it is a 404.
    pub fn start_at(dir: std::path::PathBuf, prefix: &str) -> Result<Self> {
        Self::serve(dir, prefix, false)
    }

    fn serve(dist: std::path::PathBuf, prefix: &str, isolated: bool) -> Result<Self> {
        Self::serve_with(dist, prefix, isolated, false)
    }

    fn serve_with(dist: std::path::PathBuf, prefix: &str, isolated: bool, inject: bool) -> Result<Self> {
        let prefix = prefix.trim_end_matches('/').to_string();
        if !dist.join("index.html").exists() {
            return Err(
                format!("{} has no index.html: run `trunk build --release` first", dist.display()).into()
            );
        }
        let http = Arc::new(tiny_http::Server::http("127.0.0.1:0").map_err(|e| e.to_string())?);
        let port = http.server_addr().to_ip().map(|a| a.port()).ok_or("no port")?;
        let server = Arc::clone(&http);
        let base = format!("http://127.0.0.1:{port}{prefix}");
        let policy = tiny_http::Header::from_bytes("Content-Security-Policy", csp()?)
            .map_err(|_| "scripts/csp.txt is not a valid header value")?;
        let reports = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&reports);
        std::thread::spawn(move || {
            for mut req in server.incoming_requests() {
                let url = req.url().split('?').next().unwrap_or("/").to_string();
                if url == CSP_REPORTS {
                    let mut body = String::new();
                    let _ = req.as_reader().read_to_string(&mut body);
                    if let Ok(mut r) = sink.lock() {
                        r.push(body);
                    }
                    let _ = req.respond(tiny_http::Response::empty(204));
                    continue;
                }
                let Some(url) = url.strip_prefix(&prefix).map(str::to_string) else {
                    let _ = req
                        .respond(tiny_http::Response::from_data(b"not found".to_vec()).with_status_code(404));
                    continue;
                };
                let rel = if url == "/" {
                    "index.html".to_string()
                } else {
                    url.trim_start_matches('/').to_string()
                };
                let path = dist.join(&rel);
                let file = match rel.as_str() {
                    INIT_FILE if inject => Ok(INIT_SCRIPT.as_bytes().to_vec()),
                    "index.html" if inject => std::fs::read_to_string(&path).map(|html| {
                        // A module just before the app's start-up module: modules run in document
                        // order, so it runs first.
                        let start = "<script type=\"module\"";
                        let html =
                            html.replacen(start, &format!("{start} src=\"{INIT_FILE}\"></script>{start}"), 1);
                        html.into_bytes()
                    }),
                    _ => std::fs::read(&path),
                };
                let path = if rel == INIT_FILE { dist.join("init.js") } else { path };
                let resp = match (rel.contains(".."), file) {
                    (false, Ok(bytes)) => {
                        let header = tiny_http::Header::from_bytes("Content-Type", mime(&path))
                            .expect("static header");
                        // No keep-alive: once the server is dropped, every request is refused at once
                        // (a kept-alive connection would leave the browser's next request hanging).
                        let close =
                            tiny_http::Header::from_bytes("Connection", "close").expect("static header");
                        let mut resp =
                            tiny_http::Response::from_data(bytes).with_header(header).with_header(close);
                        // The app's policy is for the app: `make bench`'s TensorFlow.js page
                        // (dist/bench/tfjs) is not ours, and tfjs compiles kernels with `new Function`.
                        if !rel.starts_with("bench/") {
                            resp.add_header(policy.clone());
                        }
                        if isolated {
                            for (k, v) in [
                                ("Cross-Origin-Opener-Policy", "same-origin"),
                                ("Cross-Origin-Embedder-Policy", "require-corp"),
                            ] {
                                resp.add_header(tiny_http::Header::from_bytes(k, v).expect("static header"));
                            }
                        }
                        resp
                    }
                    _ => tiny_http::Response::from_data(b"not found".to_vec()).with_status_code(404),
                };
                // Each response is written on its own thread: a browser that holds one download
                // back (Firefox with its preload of the page's wasm) must not stall the others.
                std::thread::spawn(move || {
                    let _ = req.respond(resp);
                });
            }
        });
        Ok(Self { base, http, reports })
    }

    /// The Content-Security-Policy violation reports the browser has sent so far (JSON bodies).
    pub fn csp_reports(&self) -> Vec<String> {
        self.reports.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// Forgets the reports so far (after a test provoked one on purpose).
    pub fn clear_csp_reports(&self) {
        if let Ok(mut r) = self.reports.lock() {
            r.clear();
        }
    }
}

impl Drop for Server {
    /// Ends the serving thread's loop (each page owns a server; a test may open several).
    fn drop(&mut self) {
        self.http.unblock();
    }
}
