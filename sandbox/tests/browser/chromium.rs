//! A real headless Chromium driven over WebDriver: Debian's `chromedriver` (`.ci/browser-deps` installs it with
//! `chromium`), started here on a free loopback port, and a fantoccini client with a session in a fresh profile.
//! Dropping the [`Browser`] kills chromedriver and the Chromium it started (their process group) and removes the
//! profile.
//!
//! Chromium's flags keep it off the network (which is closed here: without them it waits on connections to
//! Google's services) and out of the GPU and the sandboxing a root container cannot give it.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// How long a page may take to show what a test waits for.
pub const PATIENCE: Duration = Duration::from_secs(15);

const FLAGS: [&str; 9] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1366,900",
];

/// A Chromium session and the chromedriver serving it.
pub struct Browser {
    pub client: Client,
    _driver: Driver,
}

/// The chromedriver this test started, with Chromium's profile directory; dropping it ends them and removes it.
struct Driver {
    child: Child,
    profile: PathBuf,
}

impl Browser {
    /// Starts chromedriver and opens a session. Panics (the test fails) when chromedriver or Chromium is missing:
    /// the browser tests are part of the suite, and CI installs both.
    pub async fn start() -> Browser {
        for tool in [CHROMEDRIVER, CHROMIUM] {
            assert!(
                Path::new(tool).exists(),
                "{tool} is missing: the browser tests need Debian's chromium and chromium-driver; run .ci/browser-deps \
                 (as root) to install them"
            );
        }
        let port = free_port();
        let profile = std::env::temp_dir().join(format!("snapbi-chromium-{}-{port}", std::process::id()));
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group, so that dropping the browser ends Chromium too, even when a test failed
            // before closing the session.
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("{CHROMEDRIVER} does not start: {e}"));
        // From here on, a panic (no session) still ends chromedriver.
        let driver = Driver { child, profile };
        wait_for_port(port);
        let client = session(port, &driver.profile).await;
        Browser {
            client,
            _driver: driver,
        }
    }

    /// Opens `url` and waits for `css` to be on the page.
    pub async fn open(&self, url: &str, css: &str) {
        self.client.goto(url).await.expect("navigates");
        self.element(css).await;
    }

    /// The element `css` selects, once it is there.
    pub async fn element(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css} on the page within {PATIENCE:?}: {e}"))
    }

    /// The text of `css`'s element, once it is there. Read in one script, so a live page swapping its content in
    /// between cannot leave a stale element.
    pub async fn text(&self, css: &str) -> String {
        let script = "const e = document.querySelector(arguments[0]); return e ? e.innerText.trim() : null;";
        let deadline = Instant::now() + PATIENCE;
        loop {
            let found = self
                .client
                .execute(script, vec![json!(css)])
                .await
                .expect("script runs");
            if let Value::String(text) = found {
                return text;
            }
            assert!(Instant::now() < deadline, "no {css} on the page within {PATIENCE:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until no element matches `css`.
    pub async fn wait_until_gone(&self, css: &str) {
        let script = "return document.querySelector(arguments[0]) === null;";
        let deadline = Instant::now() + PATIENCE;
        while self
            .client
            .execute(script, vec![json!(css)])
            .await
            .expect("script runs")
            != Value::Bool(true)
        {
            assert!(Instant::now() < deadline, "{css} still on the page after {PATIENCE:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Clicks `css`'s element, again if a live update replaced it between finding and clicking.
    pub async fn click(&self, css: &str) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            match self.element(css).await.click().await {
                Ok(()) => return,
                Err(e) if is_stale(&e) && Instant::now() < deadline => continue,
                Err(e) => panic!("cannot click {css}: {e}"),
            }
        }
    }

    /// Waits until the text of the whole page holds `wanted`, and returns that text.
    pub async fn wait_for_text(&self, wanted: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let text = self.text("body").await;
            if text.contains(wanted) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "the page never showed {wanted:?}; it shows:\n{text}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until `script` returns `wanted`.
    pub async fn wait_for(&self, script: &str, wanted: Value) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let got = self.run(script).await;
            if got == wanted {
                return;
            }
            assert!(Instant::now() < deadline, "{script} gave {got}, never {wanted}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Runs `script` in the page and returns its value.
    pub async fn run(&self, script: &str) -> Value {
        self.client.execute(script, Vec::new()).await.expect("script runs")
    }

    /// Writes a screenshot of the page to `$SNAPBI_SCREENSHOTS/name.png` when that variable names a directory
    /// (README's command for `docs/screenshots/`); does nothing otherwise.
    pub async fn screenshot(&self, name: &str) {
        let Some(dir) = std::env::var_os("SNAPBI_SCREENSHOTS") else {
            return;
        };
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir).expect("screenshot directory");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("screenshot written");
    }

    /// Ends the session (Chromium quits), then chromedriver.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The group's id is chromedriver's pid (process_group(0)): chromedriver and the Chromium it started.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

fn is_stale(e: &fantoccini::error::CmdError) -> bool {
    matches!(e, fantoccini::error::CmdError::Standard(w) if w.error == fantoccini::error::ErrorStatus::StaleElementReference)
}

/// A WebDriver session with Chromium's flags and a fresh profile in `profile`.
async fn session(port: u16, profile: &Path) -> Client {
    let mut args: Vec<String> = FLAGS.iter().map(|f| (*f).to_owned()).collect();
    args.push(format!("--user-data-dir={}", profile.display()));
    let capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": { "binary": CHROMIUM, "args": args },
    });
    let Value::Object(capabilities) = capabilities else {
        unreachable!("a JSON object")
    };
    ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .unwrap_or_else(|e| panic!("no Chromium session from chromedriver: {e}"))
}

/// A loopback port nobody listens on now.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    listener.local_addr().expect("address").port()
}

/// Waits until chromedriver listens on `port`.
fn wait_for_port(port: u16) {
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + PATIENCE;
    while TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver never listened on {address}");
        std::thread::sleep(Duration::from_millis(50));
    }
}
