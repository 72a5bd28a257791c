//! A headless Chromium for the web pages' tests, driven over WebDriver (`chromedriver`, from
//! Debian's `chromium-driver`, which `.ci/run` installs when the machine lacks it). One
//! `chromedriver` serves every test of the run; each test has its own browser session. A test
//! never skips: without `chromedriver` or `chromium` it fails, saying what to install.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

/// The `chromedriver` of this run, started by the first test that needs it.
static DRIVER: OnceLock<Mutex<Driver>> = OnceLock::new();

struct Driver {
    /// Kept so the process lives as long as the test binary (killed with it).
    _child: Child,
    url: String,
}

fn program(name: &str, package: &str) -> PathBuf {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths).map(|directory| directory.join(name)).find(|candidate| candidate.is_file())
    });
    found.unwrap_or_else(|| {
        panic!("`{name}` is not installed: the web tests need Debian's `{package}` (`apt-get install {package}`; `.ci/run` does it)")
    })
}

fn driver_url() -> String {
    let driver = DRIVER.get_or_init(|| {
        program("chromium", "chromium");
        let chromedriver = program("chromedriver", "chromium-driver");
        let port = TcpListener::bind("127.0.0.1:0").and_then(|listener| listener.local_addr()).unwrap().port();
        let child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver did not listen on port {port} within 20 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Mutex::new(Driver { _child: child, url: format!("http://127.0.0.1:{port}") })
    });
    driver.lock().unwrap_or_else(std::sync::PoisonError::into_inner).url.clone()
}

/// A new headless browser session, `width` pixels wide.
pub(crate) async fn browser(width: u32) -> Client {
    let mut capabilities = Capabilities::new();
    let arguments = [
        "--headless=new".to_owned(),
        // Chromium's sandbox needs a user namespace CI containers often lack.
        "--no-sandbox".to_owned(),
        "--disable-gpu".to_owned(),
        "--disable-dev-shm-usage".to_owned(),
        format!("--window-size={width},1000"),
        "--lang=zh-CN".to_owned(),
    ];
    capabilities
        .insert("goog:chromeOptions".to_owned(), json!({"binary": program("chromium", "chromium"), "args": arguments}));
    ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities)
        .connect(&driver_url())
        .await
        .expect("a headless Chromium session starts")
}

/// Saves what the browser shows as `target/screenshots/NAME.png`.
pub(crate) async fn screenshot(client: &Client, name: &str) {
    let directory = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target").join("screenshots");
    std::fs::create_dir_all(&directory).unwrap();
    let png = client.screenshot().await.expect("a screenshot");
    std::fs::write(directory.join(format!("{name}.png")), png).unwrap();
}

/// Signs in at `base` with `token` and waits for the page it lands on.
pub(crate) async fn sign_in(client: &Client, base: &str, token: &str) {
    client.goto(&format!("{base}/watch")).await.unwrap();
    let key = client.find(Locator::Css("#key")).await.expect("the sign-in form");
    key.send_keys(token).await.unwrap();
    client.find(Locator::Css("form[action='/sign-in'] button")).await.unwrap().click().await.unwrap();
    wait_for(client, "h1", |_| true).await;
}

/// The text of the first element matching `css`, once `ready` holds for it (10 s at most).
pub(crate) async fn wait_for(client: &Client, css: &str, ready: impl Fn(&str) -> bool) -> String {
    let started = Instant::now();
    loop {
        if let Ok(element) = client.find(Locator::Css(css)).await
            && let Ok(text) = element.text().await
            && ready(&text)
        {
            return text;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "`{css}` did not appear as awaited");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
