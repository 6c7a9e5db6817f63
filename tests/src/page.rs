//! The page object: the explorer in its own browser on its own server, addressed through the app's
//! `data-testid` hooks, with real input events where a person's clicks matter.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fantoccini::Locator;
use model::Dataset;
use serde_json::{Value, json};

use crate::browser::{Browser, Engine};
use crate::scripts::{self, CENTROIDS, DECODED};
use crate::server::Server;
use crate::{Result, floats, floats_f32, screenshot_dir};

/// A page of the app; it owns its browser and server, which live as long as it does.
pub struct Page {
    browser: Browser,
    server: Option<Server>,
    base: String,
}

impl Page {
    /// Serves `dist/`, launches a fresh browser (new profile) and opens `query` in it: what follows the
    /// server's `/`, e.g. `?backend=cpu&pretrained=0`, `?backend=cpu#model=vae` or `bench/x.html?a=1`.
    pub async fn launch(query: &str) -> Result<Self> {
        Self::launch_on(Server::start()?, query).await
    }

    /// As [`Page::launch`], served cross-origin isolated (COOP/COEP: wasm threads allowed), for the bench.
    pub async fn launch_isolated(query: &str) -> Result<Self> {
        Self::launch_on(Server::start_isolated()?, query).await
    }

    /// As [`Page::launch`], in `engine` (Firefox and WebKit: the core suite of `tests/engines.rs`).
    pub async fn launch_in(engine: Engine, query: &str) -> Result<Self> {
        let server = Server::start_for(engine)?;
        let base = server.base.clone();
        let page = Self { browser: Browser::launch_engine(engine).await?, server: Some(server), base };
        page.goto(query).await?;
        Ok(page)
    }

    /// The engine this page runs in.
    pub fn engine(&self) -> Engine {
        self.browser.engine
    }

    /// Pointer input at viewport CSS pixels through W3C WebDriver actions (the engines without
    /// DevTools): a move to the first point, then with `press` the button down there, moves through
    /// the rest, and up at the last.
    async fn w3c_pointer(&self, points: &[(f64, f64)], press: bool) -> Result<()> {
        use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};
        let to = |&(x, y): &(f64, f64)| PointerAction::MoveTo {
            duration: Some(Duration::ZERO),
            x: x.round(),
            y: y.round(),
        };
        let mut mouse = MouseActions::new("mouse".into());
        for (i, p) in points.iter().enumerate() {
            mouse = mouse.then(to(p));
            if press && i == 0 {
                mouse = mouse.then(PointerAction::Down { button: MOUSE_BUTTON_LEFT });
            }
        }
        if press {
            mouse = mouse.then(PointerAction::Up { button: MOUSE_BUTTON_LEFT });
        }
        self.browser.client.perform_actions(mouse).await?;
        self.browser.client.release_actions().await?;
        Ok(())
    }

    /// As [`Page::launch`], on a server the caller made (e.g. [`Server::start_at`] a sub-path).
    pub async fn launch_on(server: Server, query: &str) -> Result<Self> {
        let base = server.base.clone();
        let page = Self { browser: Browser::launch().await?, server: Some(server), base };
        page.goto(query).await?;
        Ok(page)
    }

    /// Navigates this page's browser (same profile: its storage and autosaves stay) to `query` on the
    /// same server; the same `query` again is a reload.
    pub async fn goto(&self, query: &str) -> Result<()> {
        self.browser.client.goto(&format!("{}/{query}", self.base)).await?;
        Ok(())
    }

    /// Opens `query` in a new tab of the same browser (same profile and storage) and switches to it;
    /// returns the handles of the tab that was current and of the new one.
    pub async fn new_tab(
        &self,
        query: &str,
    ) -> Result<(fantoccini::wd::WindowHandle, fantoccini::wd::WindowHandle)> {
        let before = self.browser.client.window().await?;
        let tab = self.browser.client.new_window(true).await?.handle;
        self.browser.client.switch_to_window(tab.clone()).await?;
        // The init script is per tab: install it in the new one before its page starts.
        self.cdp("Page.addScriptToEvaluateOnNewDocument", json!({"source": scripts::INIT_SCRIPT})).await?;
        self.goto(query).await?;
        Ok((before, tab))
    }

    /// Makes tab `handle` the one the page object drives (and brings it to the front).
    pub async fn switch_tab(&self, handle: fantoccini::wd::WindowHandle) -> Result<()> {
        self.browser.client.switch_to_window(handle).await?;
        self.cdp("Page.bringToFront", json!({})).await?;
        Ok(())
    }

    /// Forgets the console errors seen so far (after a test provoked one on purpose).
    pub async fn clear_errors(&self) -> Result<()> {
        self.js("window.lsxErrors = []; return 1;").await.map(drop)
    }

    /// Decodes a point of the map with a real click and waits for the image: the map still decodes.
    pub async fn decodes(&self, x: f64, y: f64) -> Result<()> {
        let n = self.js("return (window.lsxDecodeMs || []).length;").await?.as_u64().unwrap_or(0);
        self.click_at("latent-plot", x, y).await?;
        self.wait_for(&format!("(window.lsxDecodeMs || []).length > {n}"), 20, "a decode").await.map(drop)
    }

    /// Stops the server (its port refuses connections from now on): the network is gone.
    pub fn stop_server(&mut self) {
        self.server = None;
    }

    /// A Chrome DevTools command on this page's browser.
    pub async fn cdp(&self, cmd: &'static str, params: Value) -> Result<Value> {
        self.browser.cdp(cmd, params).await
    }

    /// A pen stroke through CSS px points inside element `id` (DevTools mouse events: pointer
    /// events with the button held from the first point to the last).
    pub async fn stroke(&self, id: &str, points: &[(f64, f64)]) -> Result<()> {
        if self.engine() != Engine::Chromium {
            let mut at = Vec::new();
            for &(x, y) in points {
                at.push(self.at(id, x, y).await?);
            }
            return self.w3c_pointer(&at, true).await;
        }
        let last = points.len().saturating_sub(1);
        for (i, &(x, y)) in points.iter().enumerate() {
            let (x, y) = self.at(id, x, y).await?;
            let kind = if i == 0 { "mousePressed" } else { "mouseMoved" };
            let params =
                json!({"type": kind, "x": x, "y": y, "button": "left", "buttons": 1, "clickCount": 1});
            self.browser.cdp("Input.dispatchMouseEvent", params).await?;
            if i == last {
                let up = json!({"type": "mouseReleased", "x": x, "y": y, "button": "left", "buttons": 0, "clickCount": 1});
                self.browser.cdp("Input.dispatchMouseEvent", up).await?;
            }
        }
        Ok(())
    }

    /// Ends the browser session and stops chromedriver and the server.
    pub async fn close(self) {
        self.browser.close().await;
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

    /// Clicks element `id` (a real WebDriver click) as a user would: the settings drawer is opened
    /// first when the control is in it.
    pub async fn click(&self, id: &str) -> Result<()> {
        self.js(&format!(
            "const e = document.querySelector('{}'); const d = e && e.closest('details'); if (d) d.open = true; \
             if (e) e.scrollIntoView({{block: 'center'}}); return 1;",
            Self::sel(id)
        ))
        .await?;
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
        self.pause_at(step, secs, what).await.map(drop)
    }

    /// While training: waits (at most `secs`) until the step counter reaches `step`, and pauses.
    /// Returns the page's clock (`performance.now()`, ms) when it was reached and the step count after
    /// the pause.
    pub async fn pause_at(&self, step: f64, secs: u64, what: &str) -> Result<(f64, f64)> {
        let check = format!("+document.querySelector('[data-testid=step-count]').textContent >= {step}");
        self.wait_for(&check, secs, what).await?;
        let t = self.now().await?;
        self.click("train-toggle").await?;
        Ok((t, self.number("step-count").await?))
    }

    /// The page's clock, `performance.now()` in ms (long tasks are timed by it).
    pub async fn now(&self) -> Result<f64> {
        Ok(self.js("return performance.now();").await?.as_f64().unwrap_or(0.0))
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

    /// Waits (at most `secs`) until the status line matches the JS regular expression `pattern`.
    pub async fn wait_status(&self, pattern: &str, secs: u64, what: &str) -> Result<()> {
        let check = format!("/{pattern}/.test(document.querySelector('[data-testid=status]').textContent)");
        self.wait_for(&check, secs, what).await.map(drop)
    }

    /// Ends a test's page: closes it, and fails with the console errors if it logged any, or with
    /// the Content-Security-Policy violations the page or its workers reported.
    pub async fn finish(self) -> Result<()> {
        let errors = self.errors().await?;
        // Reports are posted asynchronously: give any last one a moment to arrive.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let csp = self.csp_reports();
        self.close().await;
        if !csp.is_empty() {
            return Err(format!("Content-Security-Policy violations: {csp:?}").into());
        }
        if errors.is_empty() { Ok(()) } else { Err(format!("console errors: {errors:?}").into()) }
    }

    /// The CSP violation reports this page's server has received.
    pub fn csp_reports(&self) -> Vec<String> {
        self.server.as_ref().map(Server::csp_reports).unwrap_or_default()
    }

    /// Forgets the CSP reports so far.
    pub fn clear_csp_reports(&self) {
        if let Some(s) = &self.server {
            s.clear_csp_reports();
        }
    }

    /// Number in element `id`.
    pub async fn number(&self, id: &str) -> Result<f64> {
        let t = self.text(id).await?;
        t.trim().parse().map_err(|_| format!("{id} is not a number: {t:?}").into())
    }

    /// The batch size the page trains with (its batch select).
    pub async fn batch(&self) -> Result<f64> {
        let v = self.js("return +document.querySelector('[data-testid=batch-select]').value;").await?;
        v.as_f64().filter(|b| *b > 0.0).ok_or_else(|| format!("batch select: {v}").into())
    }

    /// The viewport position of CSS pixel (x, y) inside element `id`.
    async fn at(&self, id: &str, x: f64, y: f64) -> Result<(f64, f64)> {
        let r = self
            .js(&format!(
                "const e = document.querySelector('{}'); e.scrollIntoView({{block: 'nearest', inline: 'nearest'}}); \
                 const r = e.getBoundingClientRect(); return [r.left, r.top];",
                Self::sel(id)
            ))
            .await?;
        Ok((r[0].as_f64().unwrap_or(0.0) + x, r[1].as_f64().unwrap_or(0.0) + y))
    }

    /// A key press as a keyboard sends it (DevTools input events): `key` is a DOM key name
    /// ("t", " ", "ArrowRight", "Enter", "?").
    pub async fn key(&self, key: &str) -> Result<()> {
        let (code, text) = match key {
            "ArrowLeft" => (37, ""),
            "ArrowUp" => (38, ""),
            "ArrowRight" => (39, ""),
            "ArrowDown" => (40, ""),
            "Enter" => (13, "\r"),
            "Escape" => (27, ""),
            "PageUp" => (33, ""),
            "PageDown" => (34, ""),
            k if k.chars().count() == 1 => (k.chars().next().map_or(0, |c| c.to_ascii_uppercase() as u32), k),
            k => return Err(format!("no key code for {k}").into()),
        };
        for kind in ["keyDown", "keyUp"] {
            let mut params = json!({"type": kind, "key": key, "windowsVirtualKeyCode": code});
            if kind == "keyDown" && !text.is_empty() {
                params["text"] = json!(text);
            }
            self.browser.cdp("Input.dispatchKeyEvent", params).await?;
        }
        Ok(())
    }

    /// Touch points at CSS px inside element `id`, as a touch screen sends them (DevTools input
    /// events): `kind` is touchStart, touchMove or touchEnd (no points: every finger lifted).
    pub async fn touch(&self, id: &str, kind: &str, points: &[(f64, f64)]) -> Result<()> {
        let mut touch_points = Vec::new();
        for (i, &(x, y)) in points.iter().enumerate() {
            let (x, y) = self.at(id, x, y).await?;
            touch_points.push(json!({"x": x, "y": y, "id": i}));
        }
        self.browser
            .cdp("Input.dispatchTouchEvent", json!({"type": kind, "touchPoints": touch_points}))
            .await?;
        Ok(())
    }

    /// A real mouse click (DevTools input events) at CSS pixel (x, y) inside element `id`.
    pub async fn click_at(&self, id: &str, x: f64, y: f64) -> Result<()> {
        let (x, y) = self.at(id, x, y).await?;
        if self.engine() != Engine::Chromium {
            return self.w3c_pointer(&[(x, y)], true).await;
        }
        for kind in ["mouseMoved", "mousePressed", "mouseReleased"] {
            let params = json!({"type": kind, "x": x, "y": y, "button": "left", "buttons": if kind == "mousePressed" {1} else {0}, "clickCount": 1});
            self.browser.cdp("Input.dispatchMouseEvent", params).await?;
        }
        Ok(())
    }

    /// A real mouse move (DevTools input event, no button) to CSS pixel (x, y) inside element `id`.
    pub async fn hover_at(&self, id: &str, x: f64, y: f64) -> Result<()> {
        let (x, y) = self.at(id, x, y).await?;
        if self.engine() != Engine::Chromium {
            return self.w3c_pointer(&[(x, y)], false).await;
        }
        let params = json!({"type": "mouseMoved", "x": x, "y": y, "button": "none", "buttons": 0});
        self.browser.cdp("Input.dispatchMouseEvent", params).await?;
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
            let img = floats_f32(&self.js(DECODED).await?);
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

    /// Test point `i`'s place on the first map, in the map canvas's CSS pixels.
    pub async fn point_at(&self, i: usize) -> Result<Vec<f64>> {
        let at = self
            .js(&format!(
                "const m = window.lsxMap, v = window.lsxView, c = document.querySelector('[data-testid=latent-plot]');
                 return [(c.width / 2 + (m.points[{x}] - v[0]) * v[2]) / v[3], (c.height / 2 - (m.points[{y}] - v[1]) * v[2]) / v[3]];",
                x = 2 * i,
                y = 2 * i + 1
            ))
            .await?;
        Ok(floats(&at))
    }

    /// Makes the viewport `w × h` CSS pixels (for screenshots of a tall page).
    pub async fn set_viewport(&self, w: u32, h: u32) -> Result<()> {
        if self.engine() != Engine::Chromium {
            // No device emulation there: the window's size (its outer size, near enough).
            self.browser.client.set_window_size(w, h).await?;
            return Ok(());
        }
        let params = json!({"width": w, "height": h, "deviceScaleFactor": 1, "mobile": false});
        self.browser.cdp("Emulation.setDeviceMetricsOverride", params).await?;
        Ok(())
    }

    /// Pixel counts of canvas `id` as it looks over the white page: `[pixels, non-white, pure red (the
    /// path colour), pure black, grey (r = g = b strictly between 0 and 250)]`. Opaque canvases read
    /// as they are; on a map's transparent overlay only what it draws counts.
    pub async fn canvas_stats(&self, id: &str) -> Result<[f64; 5]> {
        let v = floats(&self.js(&scripts::canvas_stats(id)).await?);
        let f = |i: usize| v.get(i).copied().unwrap_or(0.0);
        Ok([f(0), f(1), f(2), f(3), f(4)])
    }

    /// Chooses `path` in file input `id` (a real WebDriver file upload).
    pub async fn upload(&self, id: &str, path: &Path) -> Result<()> {
        self.upload_many(id, &std::fs::canonicalize(path)?.display().to_string()).await
    }

    /// Chooses several files (absolute paths, one per line) in a `multiple` file input.
    pub async fn upload_many(&self, id: &str, paths: &str) -> Result<()> {
        let input = self.browser.client.find(Locator::Css(&Self::sel(id))).await?;
        input.send_keys(paths).await?;
        Ok(())
    }

    /// Opens ONNX `files` in *Your work*'s model input and waits for what the page says about them
    /// (not its "Opening…": that it explores them, or why not); returns it.
    pub async fn open_onnx(&self, files: &[&Path]) -> Result<String> {
        let all: std::io::Result<Vec<String>> =
            files.iter().map(|p| std::fs::canonicalize(p).map(|p| p.display().to_string())).collect();
        self.js("window.lsxSaid = []; return 1;").await?;
        self.upload_many("onnx-input", &all?.join("\n")).await?;
        let said = self
            .wait_for(
                "(window.lsxSaid || []).find(m => /Exploring|not opened|Nothing was changed|Error/.test(m))",
                60,
                "the page's answer to the opened files",
            )
            .await?;
        Ok(said.as_str().unwrap_or_default().to_string())
    }

    /// Opens `files` as [`Self::open_onnx`] does and waits until the map holds `points` points (a
    /// freshly opened model's: step 0); returns what the page said. Fails with that when no map comes.
    pub async fn open_onnx_and_map(&self, files: &[&Path], points: usize) -> Result<String> {
        let said = self.open_onnx(files).await?;
        let check = format!(
            "window.lsxMap && window.lsxMap.step === 0 && window.lsxMap.points.length === {}",
            2 * points
        );
        match self.wait_for(&check, 120, &format!("the opened model's map of {points} points")).await {
            Ok(_) => Ok(said),
            Err(e) => Err(format!("{e} (the page said: {said})").into()),
        }
    }

    /// The bytes of the `n`-th download (see the init script), with its file name.
    pub async fn download(&self, n: usize) -> Result<(String, Vec<u8>)> {
        let v = self
            .js(&format!(
                "const [name, url] = window.lsxDownloads[{n}];
                 const b = url.startsWith('data:') ? null : window.lsxBlobs.get(url);
                 const data = b ? await new Promise(r => {{ const f = new FileReader(); f.onload = () => r(f.result); f.readAsDataURL(b); }}) : url;
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

    /// Presses "From scratch" and waits until the new, untrained model is ready.
    pub async fn from_scratch(&self) -> Result<()> {
        self.click("scratch-button").await?;
        self.wait_for(
            "document.querySelector('[data-testid=step-count]')?.textContent.trim() === '0'",
            60,
            "the new model",
        )
        .await?;
        self.wait_ready().await
    }

    /// Waits (up to `secs`) for the map of the shipped pretrained weights (trained 5,000+ steps).
    pub async fn wait_pretrained_map(&self, secs: u64) -> Result<()> {
        self.wait_for("window.lsxMap && window.lsxMap.step >= 5000", secs, "the pretrained map").await?;
        Ok(())
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
        self.wait_status("loaded|Press Train|pretrained", 90, "the data").await
    }
}
