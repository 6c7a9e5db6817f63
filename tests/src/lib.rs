//! End-to-end harness: serves the built `dist/` on 127.0.0.1, starts Debian's chromedriver and a fresh
//! headless Chromium, and gives tests a page object over the app's `data-testid` hooks.
//!
//! Why WebDriver (fantoccini) and not Playwright: the tests stay in Rust and in the cargo workspace,
//! the driver is Debian's own chromedriver (nothing downloads a browser), and the two things Playwright
//! would add — an init script and real input events — come from Chrome DevTools commands that
//! chromedriver forwards (`goog/cdp/execute`).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use model::{Dataset, DatasetName};
use serde_json::{Value, json};

pub type Error = Box<dyn std::error::Error + Send + Sync>;
pub type Result<T> = std::result::Result<T, Error>;

/// Runs before any page script: collects console errors, uncaught errors and long tasks (> 50 ms).
const INIT_SCRIPT: &str = r#"
window.lsxErrors = [];
window.lsxLongTasks = [];
const origError = console.error;
console.error = (...a) => { window.lsxErrors.push(a.map(String).join(' ')); origError(...a); };
window.addEventListener('error', e => window.lsxErrors.push('error: ' + e.message));
window.addEventListener('unhandledrejection', e => window.lsxErrors.push('rejection: ' + e.reason));
try {
  new PerformanceObserver(l => l.getEntries().forEach(e => window.lsxLongTasks.push([e.startTime, e.duration])))
    .observe({ type: 'longtask', buffered: true });
} catch (e) { window.lsxErrors.push('no longtask observer: ' + e); }
// Downloads are recorded as [file name, URL] instead of being saved, so tests can read them.
window.lsxDownloads = [];
const origClick = HTMLAnchorElement.prototype.click;
HTMLAnchorElement.prototype.click = function () {
  if (this.download) { window.lsxDownloads.push([this.download, this.href]); return; }
  return origClick.call(this);
};
"#;

/// A bundled test split, read natively.
pub fn test_set(name: DatasetName) -> Dataset {
    let dir = root().join("assets/data").join(name.id());
    let read = |f: &str| std::fs::read(dir.join(f)).expect("bundled data");
    let [_, _, i, l] = name.files();
    Dataset::from_idx(&read(i), Some(&read(l))).expect("bundled data parses")
}

/// The centre of each class's cluster, in the map's CSS pixels: the coordinate-wise median of the
/// class's points that sit inside its cluster (at least 80 % of their 15 nearest map neighbours share
/// their label), so that stray points in other clusters do not drag the centre into a mixed region.
pub const CENTROIDS: &str = r#"
const m = window.lsxMap, v = window.lsxView, c = document.querySelector('[data-testid=latent-plot]');
const n = Math.min(m.labels.length, 4000), K = 15;
const med = a => { a.sort((x, y) => x - y); return a[a.length >> 1]; };
const pure = new Array(n).fill(false);
for (let i = 0; i < n; i++) {
  const d = [];
  for (let j = 0; j < n; j++) if (j !== i) d.push([(m.points[2*i]-m.points[2*j])**2 + (m.points[2*i+1]-m.points[2*j+1])**2, m.labels[j]]);
  d.sort((a, b) => a[0] - b[0]);
  pure[i] = d.slice(0, K).filter(e => e[1] === m.labels[i]).length >= 0.8 * K;
}
const out = [];
for (let k = 0; k < 10; k++) {
  let idx = [...Array(n).keys()].filter(i => m.labels[i] === k && pure[i]);
  if (idx.length === 0) idx = [...Array(n).keys()].filter(i => m.labels[i] === k);
  const z = [med(idx.map(i => m.points[2*i])), med(idx.map(i => m.points[2*i+1]))];
  const sx = c.width / 2 + (z[0] - v[0]) * v[2], sy = c.height / 2 - (z[1] - v[1]) * v[2];
  out.push([k, z[0], z[1], sx / v[3], sy / v[3], idx.length]);
}
return out;
"#;

/// The decoded 28x28 image as grey values in 0..1 (the canvas draws ink dark on white).
pub const DECODED: &str = r#"
const d = document.querySelector('[data-testid=decode-image]').getContext('2d').getImageData(0, 0, 28, 28).data;
const out = []; for (let i = 0; i < d.length; i += 4) out.push(1 - d[i] / 255); return out;
"#;

/// Repository root (this crate lives in `tests/`).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Cargo's target directory: `CARGO_TARGET_DIR` when set (CI keeps it outside the clone), else `target/`.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from)
}

/// Where screenshots go, for people to look at.
pub fn screenshot_dir() -> PathBuf {
    let dir = root().join("target/screenshots");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// A static file server for `dist/` on an ephemeral loopback port (tiny_http, one thread).
pub struct Server {
    pub base: String,
}

fn mime(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript",
        "wasm" => "application/wasm",
        "css" => "text/css",
        "json" => "application/json",
        "png" => "image/png",
        _ => "application/octet-stream",
    }
}

impl Server {
    pub fn start() -> Result<Self> {
        Self::serve(false)
    }

    /// Serves with cross-origin isolation headers (COOP/COEP), which let pages use wasm threads.
    pub fn start_isolated() -> Result<Self> {
        Self::serve(true)
    }

    fn serve(isolated: bool) -> Result<Self> {
        let dist = root().join("dist");
        if !dist.join("index.html").exists() {
            return Err(
                format!("{} has no index.html: run `trunk build --release` first", dist.display()).into()
            );
        }
        let server = tiny_http::Server::http("127.0.0.1:0").map_err(|e| e.to_string())?;
        let port = server.server_addr().to_ip().map(|a| a.port()).ok_or("no port")?;
        std::thread::spawn(move || {
            for req in server.incoming_requests() {
                let url = req.url().split('?').next().unwrap_or("/").to_string();
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
                        let mut resp = tiny_http::Response::from_data(bytes).with_header(header);
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
        Ok(Self { base: format!("http://127.0.0.1:{port}") })
    }
}

/// A chromedriver process and a session in a fresh headless Chromium.
pub struct Browser {
    driver: Child,
    pub client: Client,
}

/// A Chrome DevTools command sent through chromedriver.
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> std::result::Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/goog/cdp/execute", session.unwrap_or("")))
    }
    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(json!({"cmd": self.cmd, "params": self.params}).to_string()))
    }
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl Browser {
    pub async fn launch() -> Result<Self> {
        let port = free_port()?;
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("chromedriver: {e} (run scripts/install-tools.sh)"))?;
        let caps = json!({
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                         "--enable-unsafe-webgpu", "--window-size=1280,1000"]
            }
        });
        let caps = caps.as_object().cloned().unwrap_or_default();
        let deadline = Instant::now() + Duration::from_secs(20);
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(c) => break c,
                Err(e) if Instant::now() > deadline => {
                    return Err(format!("no WebDriver session: {e}").into());
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        };
        let browser = Self { driver, client };
        browser.cdp("Page.addScriptToEvaluateOnNewDocument", json!({"source": INIT_SCRIPT})).await?;
        Ok(browser)
    }

    /// The version of the Chromium the tests drive (`chromium --version`).
    pub fn version() -> Option<String> {
        let out = Command::new("/usr/bin/chromium").arg("--version").output().ok()?;
        Some(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    async fn cdp(&self, cmd: &'static str, params: Value) -> Result<Value> {
        Ok(self.client.issue_cmd(Cdp { cmd, params }).await?)
    }

    pub async fn close(mut self) {
        let _ = self.client.close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// The explorer page, addressed through its `data-testid` hooks.
pub struct Page<'a> {
    pub browser: &'a Browser,
}

impl<'a> Page<'a> {
    /// Opens the app with `query` (e.g. `?backend=cpu`).
    pub async fn open(browser: &'a Browser, server: &Server, query: &str) -> Result<Page<'a>> {
        browser.client.goto(&format!("{}/{query}", server.base)).await?;
        Ok(Self { browser })
    }

    fn sel(id: &str) -> String {
        format!("[data-testid=\"{id}\"]")
    }

    /// Runs `body` (a JS function body; may `await`) and returns its value.
    pub async fn js(&self, body: &str) -> Result<Value> {
        Ok(self.browser.client.execute(&format!("return (async () => {{ {body} }})();"), vec![]).await?)
    }

    /// Text of element `id` ("" if absent).
    pub async fn text(&self, id: &str) -> Result<String> {
        let v = self
            .js(&format!(
                "const e = document.querySelector('{}'); return e ? e.textContent : '';",
                Self::sel(id)
            ))
            .await?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    /// Clicks element `id` (a real WebDriver click).
    pub async fn click(&self, id: &str) -> Result<()> {
        self.browser.client.find(Locator::Css(&Self::sel(id))).await?.click().await?;
        Ok(())
    }

    /// Sets the value of select or input `id` and fires its change event, as a person's edit does.
    pub async fn select(&self, id: &str, value: &str) -> Result<()> {
        self.js(&format!(
            "const e = document.querySelector('{}'); e.value = '{value}'; e.dispatchEvent(new Event('change', {{bubbles: true}}));",
            Self::sel(id)
        ))
        .await?;
        Ok(())
    }

    /// Presses Train, waits (at most `secs`) until the step counter reaches `step`, and pauses.
    pub async fn train_until(&self, step: f64, secs: u64, what: &str) -> Result<()> {
        self.click("train-toggle").await?;
        let check = format!("+document.querySelector('[data-testid=step-count]').textContent >= {step}");
        self.wait_for(&check, secs, what).await?;
        self.click("train-toggle").await
    }

    /// Waits until `check` (a JS expression) is truthy, polling; errors after `secs` with `what`.
    pub async fn wait_for(&self, check: &str, secs: u64, what: &str) -> Result<Value> {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let v = self.js(&format!("return ({check});")).await?;
            if v.as_bool() != Some(false) && !v.is_null() && v != json!(0) && v != json!("") {
                return Ok(v);
            }
            if Instant::now() > deadline {
                let status = self.text("status").await.unwrap_or_default();
                return Err(format!("timed out after {secs} s waiting for {what}; status: {status:?}").into());
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Number in element `id`.
    pub async fn number(&self, id: &str) -> Result<f64> {
        let t = self.text(id).await?;
        t.trim().parse().map_err(|_| format!("{id} is not a number: {t:?}").into())
    }

    /// A real mouse click (DevTools input events) at CSS pixel (x, y) inside element `id`.
    pub async fn click_at(&self, id: &str, x: f64, y: f64) -> Result<()> {
        let r = self
            .js(&format!(
                "const r = document.querySelector('{}').getBoundingClientRect(); return [r.left, r.top];",
                Self::sel(id)
            ))
            .await?;
        let (left, top) = (r[0].as_f64().unwrap_or(0.0), r[1].as_f64().unwrap_or(0.0));
        for kind in ["mouseMoved", "mousePressed", "mouseReleased"] {
            let params = json!({"type": kind, "x": left + x, "y": top + y, "button": "left", "buttons": if kind == "mousePressed" {1} else {0}, "clickCount": 1});
            self.browser.cdp("Input.dispatchMouseEvent", params).await?;
        }
        Ok(())
    }

    /// Clicks each class's centre on the map (`CENTROIDS`), waits `settle_ms` for the decode panel,
    /// and labels each decoded image by its nearest `test` image: `(class, label, MSE)` per class, printed.
    pub async fn decode_centroids(&self, test: &Dataset, settle_ms: u64) -> Result<Vec<(u8, u8, f32)>> {
        let centroids = self.js(CENTROIDS).await?;
        let mut out = Vec::new();
        for c in centroids.as_array().cloned().unwrap_or_default() {
            let f = |i: usize| c[i].as_f64().unwrap_or(f64::NAN);
            self.click_at("latent-plot", f(3), f(4)).await?;
            tokio::time::sleep(Duration::from_millis(settle_ms)).await;
            let img: Vec<f32> = self
                .js(DECODED)
                .await?
                .as_array()
                .map(|a| a.iter().map(|v| v.as_f64().unwrap_or(0.0) as f32).collect())
                .unwrap_or_default();
            let (label, dist) = model::metrics::nearest_label(&img, test).ok_or("empty test set")?;
            let class = f(0) as u8;
            println!(
                "class {class}: centre ({:.2}, {:.2}) decodes to nearest test image of class {label} (MSE {dist:.4})",
                f(1),
                f(2)
            );
            out.push((class, label, dist));
        }
        Ok(out)
    }

    /// A real mouse move (DevTools input event, no button) to CSS pixel (x, y) inside element `id`.
    pub async fn hover_at(&self, id: &str, x: f64, y: f64) -> Result<()> {
        let r = self
            .js(&format!(
                "const r = document.querySelector('{}').getBoundingClientRect(); return [r.left, r.top];",
                Self::sel(id)
            ))
            .await?;
        let (left, top) = (r[0].as_f64().unwrap_or(0.0), r[1].as_f64().unwrap_or(0.0));
        let params =
            json!({"type": "mouseMoved", "x": left + x, "y": top + y, "button": "none", "buttons": 0});
        self.browser.cdp("Input.dispatchMouseEvent", params).await?;
        Ok(())
    }

    /// Makes the viewport `w × h` CSS pixels (for screenshots of a tall page).
    pub async fn set_viewport(&self, w: u32, h: u32) -> Result<()> {
        let params = json!({"width": w, "height": h, "deviceScaleFactor": 1, "mobile": false});
        self.browser.cdp("Emulation.setDeviceMetricsOverride", params).await?;
        Ok(())
    }

    /// Pixel counts of canvas `id`: `[pixels, non-white, pure red (the path colour), pure black, grey
    /// (r = g = b strictly between 0 and 255)]`.
    pub async fn canvas_stats(&self, id: &str) -> Result<[f64; 5]> {
        let v = self
            .js(&format!(
                "const c = document.querySelector('{}'); if (!c || !c.width) return [0,0,0,0,0];
                 const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                 const s = [d.length / 4, 0, 0, 0, 0];
                 for (let i = 0; i < d.length; i += 4) {{
                   const [r, g, b] = [d[i], d[i+1], d[i+2]];
                   if (r < 250 || g < 250 || b < 250) s[1]++;
                   if (r === 204 && g === 0 && b === 0) s[2]++;
                   if (r === 0 && g === 0 && b === 0) s[3]++;
                   if (r === g && g === b && r > 0 && r < 250) s[4]++;
                 }}
                 return s;",
                Self::sel(id)
            ))
            .await?;
        let f = |i: usize| v[i].as_f64().unwrap_or(0.0);
        Ok([f(0), f(1), f(2), f(3), f(4)])
    }

    /// Chooses `path` in file input `id` (a real WebDriver file upload).
    pub async fn upload(&self, id: &str, path: &Path) -> Result<()> {
        let input = self.browser.client.find(Locator::Css(&Self::sel(id))).await?;
        input.send_keys(&std::fs::canonicalize(path)?.display().to_string()).await?;
        Ok(())
    }

    /// Chooses several files (absolute paths, one per line) in a `multiple` file input.
    pub async fn upload_many(&self, id: &str, paths: &str) -> Result<()> {
        let input = self.browser.client.find(Locator::Css(&Self::sel(id))).await?;
        input.send_keys(paths).await?;
        Ok(())
    }

    /// The bytes of the `n`-th download (see the init script), with its file name.
    pub async fn download(&self, n: usize) -> Result<(String, Vec<u8>)> {
        let v = self
            .js(&format!(
                "const [name, url] = window.lsxDownloads[{n}];
                 const b = await (await fetch(url)).blob();
                 const data = await new Promise(r => {{ const f = new FileReader(); f.onload = () => r(f.result); f.readAsDataURL(b); }});
                 return [name, data.slice(data.indexOf(',') + 1)];"
            ))
            .await?;
        let name = v[0].as_str().unwrap_or_default().to_string();
        let bytes = base64::Engine::decode(
            &base64::engine::general_purpose::STANDARD,
            v[1].as_str().unwrap_or_default(),
        )?;
        Ok((name, bytes))
    }

    /// Console errors, uncaught errors and rejections seen so far.
    pub async fn errors(&self) -> Result<Vec<String>> {
        let v = self.js("return window.lsxErrors || ['init script missing'];").await?;
        Ok(v.as_array()
            .map(|a| a.iter().map(|e| e.as_str().unwrap_or_default().to_string()).collect())
            .unwrap_or_default())
    }

    /// Saves a PNG screenshot of the page to `target/screenshots/<name>.png` and returns its path.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        let png = self.browser.client.screenshot().await?;
        let path = screenshot_dir().join(format!("{name}.png"));
        std::fs::write(&path, png)?;
        Ok(path)
    }

    /// Waits for the trainer and the map to be ready (backend chosen, data loaded, first map drawn).
    pub async fn wait_ready(&self) -> Result<()> {
        self.wait_for("document.querySelector('[data-testid=backend-label]')?.textContent", 60, "a backend")
            .await?;
        self.wait_for(
            "!document.querySelector('[data-testid=train-toggle]').disabled",
            60,
            "the Train button",
        )
        .await?;
        self.wait_for(
            "/loaded|Press Train|pretrained/.test(document.querySelector('[data-testid=status]').textContent)",
            90,
            "the data",
        )
        .await?;
        Ok(())
    }
}
