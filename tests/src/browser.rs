//! Debian's chromedriver and a session in a fresh headless Chromium (a new profile each launch), with
//! the init script installed and Chrome DevTools commands sent through chromedriver (`goog/cdp/execute`).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder};
use serde_json::{Value, json};

use crate::Result;
use crate::scripts::INIT_SCRIPT;

/// A chromedriver process and its browser session.
pub struct Browser {
    driver: Child,
    pub client: Client,
    /// A flag only this browser's Chromium processes carry, so that they can be ended for sure.
    marker: String,
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
                    let _ = driver.kill();
                    let _ = driver.wait();
                    return Err(format!("no WebDriver session: {e}").into());
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        };
        let browser = Self { driver, client, marker };
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
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        // Chromium outlives chromedriver when the WebDriver session was not closed cleanly, and a
        // page left training would slow every later test: end this browser's processes.
        let _ = Command::new("pkill").args(["-f", "--", &self.marker]).status();
    }
}
