//! A WebDriver session in a fresh browser (a new profile each launch): Debian's Chromium through its
//! chromedriver, with the init script installed and Chrome DevTools commands sent through chromedriver
//! (`goog/cdp/execute`); or, for the core suite in every engine a classroom has, Debian's Firefox ESR
//! through geckodriver (crates.io) and WebKitGTK's MiniBrowser (Safari's engine) through Debian's
//! WebKitWebDriver under Xvfb. Those two have no DevTools: the server serves them the init script
//! ([`crate::Server::start_for`]) and input goes through W3C WebDriver actions.

use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder};
use serde_json::{Value, json};

use crate::Result;
use crate::scripts::INIT_SCRIPT;

/// A browser engine the tests drive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Chromium,
    Firefox,
    WebKit,
}

impl Engine {
    /// Its name as people know it.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Chromium => "Chromium",
            Engine::Firefox => "Firefox ESR",
            Engine::WebKit => "WebKitGTK (Safari's engine)",
        }
    }

    /// Its version, as the browser prints it.
    pub fn version(self) -> Option<String> {
        let out = match self {
            Engine::Chromium => Command::new("/usr/bin/chromium").arg("--version").output(),
            Engine::Firefox => Command::new("/usr/bin/firefox-esr").arg("--version").output(),
            // (MiniBrowser prints nothing without a display: its Debian package's version.)
            Engine::WebKit => Command::new("dpkg-query")
                .args(["-W", "-f", "WebKitGTK ${Version}", "libwebkit2gtk-4.1-0"])
                .output(),
        };
        Some(String::from_utf8_lossy(&out.ok()?.stdout).trim().to_string())
    }
}

/// The MiniBrowser WebKitWebDriver starts (Debian's webkit2gtk-driver).
const MINIBROWSER: &str = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";

/// A WebDriver process and its browser session.
pub struct Browser {
    driver: Child,
    pub client: Client,
    pub engine: Engine,
    /// A flag only this browser's Chromium processes carry, so that they can be ended for sure.
    marker: String,
    /// The X server WebKitGTK draws into (it has no headless mode).
    display: Option<Child>,
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
        Self::launch_engine(Engine::Chromium).await
    }

    /// A fresh session in `engine`. Its driver and browser run in their own process group, ended
    /// with it.
    pub async fn launch_engine(engine: Engine) -> Result<Self> {
        if engine == Engine::Chromium {
            return Self::launch_chromium().await;
        }
        let port = free_port()?;
        let mut display = None;
        let mut cmd = match engine {
            Engine::Firefox => {
                let mut c = Command::new("geckodriver");
                c.args(["--port", &port.to_string(), "--log", "fatal"]);
                c
            }
            _ => {
                let screen = port % 10_000 + 100;
                let x = Command::new("Xvfb")
                    .args([
                        format!(":{screen}"),
                        "-screen".into(),
                        "0".into(),
                        "1280x1024x24".into(),
                        "-nolisten".into(),
                        "tcp".into(),
                    ])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .process_group(0)
                    .spawn()
                    .map_err(|e| format!("Xvfb: {e} (run scripts/install-tools.sh)"))?;
                display = Some(x);
                let mut c = Command::new("WebKitWebDriver");
                c.arg(format!("--port={port}")).env("DISPLAY", format!(":{screen}"));
                c
            }
        };
        let driver = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .map_err(|e| format!("{}'s WebDriver: {e} (run scripts/install-tools.sh)", engine.name()))?;
        let caps = match engine {
            Engine::Firefox => json!({
                "browserName": "firefox",
                "moz:firefoxOptions": { "binary": "/usr/bin/firefox-esr", "args": ["-headless"] }
            }),
            _ => json!({
                "browserName": "MiniBrowser",
                "webkitgtk:browserOptions": { "binary": MINIBROWSER, "args": ["--automation"] }
            }),
        };
        let client = match Self::connect(port, caps).await {
            Ok(c) => c,
            Err(e) => {
                for mut p in [Some(driver), display].into_iter().flatten() {
                    let _ = Command::new("kill").args(["-9", "--", &format!("-{}", p.id())]).status();
                    let _ = p.wait();
                }
                return Err(e);
            }
        };
        let browser = Self { driver, client, engine, marker: String::new(), display };
        browser.client.set_window_size(1280, 1000).await?;
        Ok(browser)
    }

    /// The WebDriver session at `port`, retried while the driver starts.
    async fn connect(port: u16, caps: Value) -> Result<Client> {
        let caps = caps.as_object().cloned().unwrap_or_default();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(c) => return Ok(c),
                Err(e) if Instant::now() > deadline => {
                    return Err(format!("no WebDriver session: {e}").into());
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        }
    }

    async fn launch_chromium() -> Result<Self> {
        let port = free_port()?;
        // Chromium ignores flags it does not know; this one names this browser's processes.
        let marker = format!("--lsx-test-browser={port}");
        let mut driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("chromedriver: {e} (run scripts/install-tools.sh)"))?;
        let mut args = vec![
            "--headless=new",
            "--no-sandbox",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
            "--enable-unsafe-webgpu",
            "--window-size=1280,1000",
            &marker,
        ];
        // `BENCH_GPU=1 make bench`: WebGPU on the machine's own GPU (Vulkan) rather than a software
        // adapter, where there is one (elsewhere the rows are skipped and the browser stays as it is).
        if std::env::var("BENCH_GPU").as_deref() == Ok("1") && crate::hardware_gpu().0 {
            args.extend(["--enable-features=Vulkan", "--use-angle=vulkan", "--ignore-gpu-blocklist"]);
        }
        let caps = json!({ "goog:chromeOptions": { "binary": "/usr/bin/chromium", "args": args } });
        let client = match Self::connect(port, caps).await {
            Ok(c) => c,
            Err(e) => {
                let _ = driver.kill();
                let _ = driver.wait();
                return Err(e);
            }
        };
        let browser = Self { driver, client, engine: Engine::Chromium, marker, display: None };
        browser.cdp("Page.addScriptToEvaluateOnNewDocument", json!({"source": INIT_SCRIPT})).await?;
        Ok(browser)
    }

    /// The version of the Chromium the tests drive (`chromium --version`).
    pub fn version() -> Option<String> {
        let out = Command::new("/usr/bin/chromium").arg("--version").output().ok()?;
        Some(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// Sends a Chrome DevTools command (e.g. `Input.dispatchMouseEvent`) and returns its result.
    pub async fn cdp(&self, cmd: &'static str, params: Value) -> Result<Value> {
        Ok(self.client.issue_cmd(Cdp { cmd, params }).await?)
    }

    /// Ends the session (Chromium quits) and stops chromedriver.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

impl Drop for Browser {
    /// Stops chromedriver also when a test fails before `close` (it used to outlive the test).
    fn drop(&mut self) {
        if self.engine != Engine::Chromium {
            // Its own process group: the driver and the browser it started.
            let _ = Command::new("kill").args(["-9", "--", &format!("-{}", self.driver.id())]).status();
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        if let Some(mut x) = self.display.take() {
            let _ = x.kill();
            let _ = x.wait();
        }
        if self.marker.is_empty() {
            return;
        }
        // Chromium outlives chromedriver when the WebDriver session was not closed cleanly, and a
        // page left training would slow every later test: end this browser's processes.
        let _ = Command::new("pkill").args(["-f", "--", &self.marker]).status();
    }
}
