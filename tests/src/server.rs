//! A static file server for the built `dist/` on an ephemeral loopback port (tiny_http, one thread),
//! optionally cross-origin isolated. It stops when dropped.

use std::path::Path;
use std::sync::Arc;

use crate::{Result, root};

/// The server; `base` is its URL (`http://127.0.0.1:PORT`, no trailing slash).
pub struct Server {
    pub base: String,
    http: Arc<tiny_http::Server>,
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
        std::thread::spawn(move || {
            for req in server.incoming_requests() {
                let url = req.url().split('?').next().unwrap_or("/").to_string();
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
                let resp = match (rel.contains(".."), std::fs::read(&path)) {
                    (false, Ok(bytes)) => {
                        let header = tiny_http::Header::from_bytes("Content-Type", mime(&path))
                            .expect("static header");
                        // No keep-alive: once the server is dropped, every request is refused at once
                        // (a kept-alive connection would leave the browser's next request hanging).
                        let close =
                            tiny_http::Header::from_bytes("Connection", "close").expect("static header");
                        let mut resp =
                            tiny_http::Response::from_data(bytes).with_header(header).with_header(close);
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
                let _ = req.respond(resp);
            }
        });
        Ok(Self { base, http })
    }
}

impl Drop for Server {
    /// Ends the serving thread's loop (each page owns a server; a test may open several).
    fn drop(&mut self) {
        self.http.unblock();
    }
}
