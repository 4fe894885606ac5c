//! Browsers for step definitions: a bounded pool of headless Chromium sessions driven
//! through WebDriver ([`fantoccini`]), and the [`Browser`] helpers steps use.
//!
//! The pool starts chromedriver itself on a free loopback port the first time a scenario
//! asks for a browser (or uses a WebDriver URL: a Selenium Grid when one machine is not
//! enough). Sessions are reused across scenarios and reset between them (cookies cleared,
//! `about:blank`), and at most `run.browsers` are open at once: scenarios are `!Send` and
//! interleave on one thread, so more browsers than cores only thrash.
//!
//! No browser outlives the run: chromedriver runs in its own process group with the
//! Chromium processes it starts, and the group is killed when the pool is dropped (normal
//! end, early return or panic). A signal or a `kill -9` ends the harness without a drop:
//! the kernel then kills chromedriver (`PR_SET_PDEATHSIG`), and a watchdog process, which
//! waits for the harness's end of a pipe to close, kills the rest of the group.

use std::fmt;
use std::future::Future;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// A browser operation that failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// There is no WebDriver to talk to.
    #[error(
        "no browser available: chromedriver was not found and no WebDriver URL is set\n\
         (hint: install Debian's `chromium` and `chromium-driver`, or set --webdriver-url, \
         CASEBOOK_WEBDRIVER_URL or `run.webdriver-url` in casebook.toml)"
    )]
    NoWebDriver,
    /// chromedriver did not start.
    #[error("cannot start chromedriver: {0}")]
    Start(String),
    /// No session could be opened.
    #[error(
        "cannot open a browser session at {url}: {reason}\n(hint: is the WebDriver server running, and is Chromium installed?)"
    )]
    Session {
        /// The WebDriver URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// A command failed.
    #[error("{action} failed: {reason}")]
    Command {
        /// What the step tried.
        action: String,
        /// Why it failed.
        reason: String,
    },
    /// A command took longer than the configured timeout.
    #[error("{action} timed out after {timeout:?}")]
    Timeout {
        /// What the step tried.
        action: String,
        /// The limit.
        timeout: Duration,
    },
}

/// Where sessions come from.
#[derive(Debug, Clone)]
pub enum WebDriver {
    /// Start this chromedriver (a path, or a name looked up on PATH) on a free loopback port.
    Chromedriver(String),
    /// Use the WebDriver server at this URL.
    Remote(String),
}

/// The run's bounded pool of browser sessions.
pub struct Browsers {
    source: WebDriver,
    timeout: Duration,
    /// Whether pages with an invalid certificate load (`[tls] accept-invalid-certs`).
    accept_insecure_certs: bool,
    slots: Arc<Semaphore>,
    idle: Mutex<Vec<Client>>,
    // Dropped in this order: chromedriver (and its Chromium processes) first, then the
    // profile directories they used.
    driver: tokio::sync::OnceCell<Result<Driver, Error>>,
    profiles: Mutex<Vec<tempfile::TempDir>>,
}

impl fmt::Debug for Browsers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Browsers")
            .field("source", &self.source)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Browsers {
    /// A pool of at most `size` sessions; every operation gives up after `timeout`.
    pub fn new(source: WebDriver, size: usize, timeout: Duration) -> Self {
        Self {
            source,
            timeout,
            accept_insecure_certs: false,
            slots: Arc::new(Semaphore::new(size.max(1))),
            idle: Mutex::new(Vec::new()),
            driver: tokio::sync::OnceCell::new(),
            profiles: Mutex::new(Vec::new()),
        }
    }

    /// The same pool, its browsers accepting invalid certificates or not, as the HTTP
    /// client does (`[tls] accept-invalid-certs`).
    pub fn accept_insecure_certs(mut self, accept: bool) -> Self {
        self.accept_insecure_certs = accept;
        self
    }

    /// A session for one scenario: an idle one reset, or a new one. Waits while all are busy.
    pub async fn acquire(self: &Arc<Self>) -> Result<Browser, Error> {
        let permit = self
            .slots
            .clone()
            .acquire_owned()
            .await
            .expect("the pool's semaphore is never closed");
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let client = match idle {
            Some(client) => client,
            None => self.open().await?,
        };
        Ok(Browser {
            client: Some(client),
            pool: self.clone(),
            _permit: permit,
            timeout: self.timeout,
        })
    }

    async fn url(&self) -> Result<String, Error> {
        match &self.source {
            WebDriver::Remote(url) => Ok(url.clone()),
            WebDriver::Chromedriver(program) => {
                let driver = self
                    .driver
                    .get_or_init(|| Driver::start(program, self.timeout))
                    .await;
                driver
                    .as_ref()
                    .map(|driver| driver.url.clone())
                    .map_err(Clone::clone)
            }
        }
    }

    async fn open(&self) -> Result<Client, Error> {
        let url = self.url().await?;
        let profile = tempfile::tempdir().map_err(|e| Error::Start(e.to_string()))?;
        let mut args = vec![
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-breakpad",
            "--disable-crash-reporter",
            "--window-size=1280,900",
        ]
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>();
        // A fresh profile per session, so no state leaks between sessions of the pool.
        args.push(format!("--user-data-dir={}", profile.path().display()));
        self.profiles
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(profile);
        let mut builder = ClientBuilder::new(HttpConnector::new());
        builder.capabilities(self.capabilities(args));
        // Starting Chromium takes longer than a page operation.
        match tokio::time::timeout(self.timeout * 3, builder.connect(&url)).await {
            Ok(Ok(client)) => Ok(client),
            Ok(Err(err)) => Err(Error::Session {
                url,
                reason: err.to_string(),
            }),
            Err(_) => Err(Error::Session {
                url,
                reason: format!("no answer within {:?}", self.timeout * 3),
            }),
        }
    }

    /// What a new session asks for: headless Chromium with `args`, and whether it accepts
    /// invalid certificates.
    fn capabilities(&self, args: Vec<String>) -> serde_json::Map<String, serde_json::Value> {
        let mut options = json!({ "args": args });
        // Debian's /usr/bin/chromium is a shell wrapper; chromedriver wants the binary.
        if std::path::Path::new("/usr/lib/chromium/chromium").exists() {
            options["binary"] = json!("/usr/lib/chromium/chromium");
        }
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        capabilities.insert("goog:chromeOptions".into(), options);
        capabilities.insert(
            "acceptInsecureCerts".into(),
            json!(self.accept_insecure_certs),
        );
        capabilities
    }

    /// Takes a session back, reset for the next scenario; a session that cannot be reset is
    /// closed instead.
    async fn give_back(&self, client: Client) {
        let reset = async {
            client.goto("about:blank").await?;
            client.delete_all_cookies().await
        };
        match tokio::time::timeout(self.timeout, reset).await {
            Ok(Ok(())) => self
                .idle
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(client),
            _ => {
                let _ = tokio::time::timeout(self.timeout, client.close()).await;
            }
        }
    }

    /// Closes every idle session. Call at the end of a run, before the pool is dropped.
    pub async fn shutdown(&self) {
        let idle: Vec<Client> =
            std::mem::take(&mut *self.idle.lock().unwrap_or_else(|p| p.into_inner()));
        for client in idle {
            let _ = tokio::time::timeout(self.timeout, client.close()).await;
        }
    }
}

/// A browser session lent to one scenario.
pub struct Browser {
    client: Option<Client>,
    pool: Arc<Browsers>,
    _permit: OwnedSemaphorePermit,
    timeout: Duration,
}

impl fmt::Debug for Browser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Browser").finish_non_exhaustive()
    }
}

impl Browser {
    fn client(&self) -> &Client {
        self.client
            .as_ref()
            .expect("a lent browser has its client until it is given back")
    }

    async fn run<T, F>(&self, action: impl Into<String>, command: F) -> Result<T, Error>
    where
        F: Future<Output = Result<T, fantoccini::error::CmdError>>,
    {
        let action = action.into();
        match tokio::time::timeout(self.timeout, command).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(err)) => Err(Error::Command {
                action,
                reason: err.to_string(),
            }),
            Err(_) => Err(Error::Timeout {
                action,
                timeout: self.timeout,
            }),
        }
    }

    /// Waits for an element, polling every 50 ms up to the timeout.
    async fn find(
        &self,
        selector: &str,
    ) -> Result<fantoccini::elements::Element, fantoccini::error::CmdError> {
        self.client()
            .wait()
            .at_most(self.timeout)
            .every(Duration::from_millis(50))
            .for_element(Locator::Css(selector))
            .await
    }

    /// Opens a URL.
    pub async fn open(&self, url: &str) -> Result<(), Error> {
        self.run(format!("opening {url}"), self.client().goto(url))
            .await
    }

    /// The URL of the page.
    pub async fn url(&self) -> Result<String, Error> {
        self.run("reading the page URL", self.client().current_url())
            .await
            .map(|url| url.to_string())
    }

    /// Types `value` into the element marked `data-testid="test_id"`, replacing its content.
    pub async fn fill(&self, test_id: &str, value: &str) -> Result<(), Error> {
        let action = format!("filling [data-testid={test_id}]");
        let selector = by_test_id(test_id);
        self.run(action, async {
            let element = self.find(&selector).await?;
            element.clear().await?;
            element.send_keys(value).await
        })
        .await
    }

    /// Activates the element marked `data-testid="test_id"` (a link, a control).
    pub async fn activate(&self, test_id: &str) -> Result<(), Error> {
        let selector = by_test_id(test_id);
        self.run(format!("activating [data-testid={test_id}]"), async {
            self.find(&selector).await?.click().await
        })
        .await
    }

    /// Chooses the option labelled `label` in the `<select>` marked `data-testid="test_id"`.
    pub async fn select(&self, test_id: &str, label: &str) -> Result<(), Error> {
        let selector = by_test_id(test_id);
        self.run(
            format!("choosing {label:?} in [data-testid={test_id}]"),
            async { self.find(&selector).await?.select_by_label(label).await },
        )
        .await
    }

    /// Runs `script` in the page as the body of a function and returns what it returns,
    /// for checks no element shows (e.g. a global the page's own script sets).
    pub async fn execute(&self, script: &str) -> Result<serde_json::Value, Error> {
        self.run(
            "running a script in the page",
            self.client().execute(script, Vec::new()),
        )
        .await
    }

    /// The text of the element marked `data-testid="test_id"`, waiting for it to appear.
    pub async fn text(&self, test_id: &str) -> Result<String, Error> {
        let selector = by_test_id(test_id);
        self.run(format!("reading [data-testid={test_id}]"), async {
            self.find(&selector).await?.text().await
        })
        .await
    }

    /// The texts of every element marked `data-testid="test_id"` (none is not an error).
    pub async fn texts(&self, test_id: &str) -> Result<Vec<String>, Error> {
        let selector = by_test_id(test_id);
        self.run(format!("reading every [data-testid={test_id}]"), async {
            let mut texts = Vec::new();
            for element in self.client().find_all(Locator::Css(&selector)).await? {
                texts.push(element.text().await?);
            }
            Ok(texts)
        })
        .await
    }

    /// Whether an element marked `data-testid="test_id"` is on the page now.
    pub async fn has(&self, test_id: &str) -> Result<bool, Error> {
        Ok(!self.texts(test_id).await?.is_empty())
    }

    /// Waits until the page's text contains `text`.
    pub async fn wait_for_text(&self, text: &str) -> Result<(), Error> {
        let client = self.client();
        self.run(format!("waiting for the text {text:?}"), async {
            loop {
                let body = client.find(Locator::Css("body")).await?.text().await?;
                if body.contains(text) {
                    return Ok(());
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
        .await
    }

    /// A PNG of the page.
    pub async fn screenshot(&self) -> Result<Vec<u8>, Error> {
        self.run("taking a screenshot", self.client().screenshot())
            .await
    }

    /// Gives the session back to the pool, reset for the next scenario.
    pub async fn release(mut self) {
        if let Some(client) = self.client.take() {
            self.pool.give_back(client).await;
        }
    }
}

fn by_test_id(test_id: &str) -> String {
    format!(
        "[data-testid=\"{}\"]",
        test_id.replace('\\', "\\\\").replace('"', "\\\"")
    )
}

/// A chromedriver process of the pool's own.
struct Driver {
    child: Child,
    url: String,
    /// Kills the group if the harness ends without dropping the driver; `None` when no
    /// shell could be started for it.
    _watchdog: Option<Watchdog>,
}

impl Driver {
    async fn start(program: &str, timeout: Duration) -> Result<Self, Error> {
        let program = which(program).ok_or(Error::NoWebDriver)?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .map_err(|e| Error::Start(format!("no free port: {e}")))?
            .port();
        let mut command = Command::new(program);
        command
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        own_process_group(&mut command);
        let child = command.spawn().map_err(|e| Error::Start(e.to_string()))?;
        let watchdog = Watchdog::guard(child.id() as libc::pid_t).ok();
        let driver = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
            _watchdog: watchdog,
        };
        // Ready when its port accepts connections.
        let deadline = tokio::time::Instant::now() + timeout;
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            if tokio::time::Instant::now() > deadline {
                return Err(Error::Start(format!(
                    "chromedriver did not listen on port {port} within {timeout:?}"
                )));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(driver)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The whole group: chromedriver and the Chromium processes it started.
        let group = self.child.id() as libc::pid_t;
        // SAFETY: kill(2) with a negative pid signals the process group we created.
        unsafe {
            libc::kill(-group, libc::SIGKILL);
        }
        let _ = self.child.wait();
    }
}

/// A process that kills a process group once this process ends, however it ends: it waits
/// on a pipe whose other end only this process holds (close-on-exec, so no child inherits
/// it), and the kernel closes that end when this process exits, is killed, or drops it.
struct Watchdog {
    child: Child,
}

impl Watchdog {
    fn guard(group: libc::pid_t) -> std::io::Result<Self> {
        let mut command = Command::new("/bin/sh");
        command
            .args(["-c", r#"read _; kill -KILL "-$1""#, "casebook-watchdog"])
            .arg(group.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        use std::os::unix::process::CommandExt;
        // SAFETY: only async-signal-safe calls between fork and exec. A group of its own: a
        // Ctrl-C in the terminal signals the harness's group, and must not end the watchdog
        // before it has done its work.
        unsafe {
            command.pre_exec(|| {
                libc::setpgid(0, 0);
                Ok(())
            });
        }
        Ok(Self {
            child: command.spawn()?,
        })
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

/// Puts the child in a process group of its own and asks the kernel to kill it when the
/// harness dies, so that no chromedriver survives a crash or a `kill -9` of the run.
fn own_process_group(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        command.pre_exec(|| {
            libc::setpgid(0, 0);
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
}

fn which(program: &str) -> Option<std::path::PathBuf> {
    if program.contains('/') {
        let path = std::path::PathBuf::from(program);
        return path.is_file().then_some(path);
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|path| path.is_file())
    })
}

#[cfg(test)]
mod tests {
    use std::os::unix::process::ExitStatusExt as _;

    use super::*;

    #[test]
    fn accept_invalid_certs_reaches_the_browser_s_capabilities() {
        let pool = |accept| {
            Browsers::new(
                WebDriver::Remote("http://127.0.0.1:9".into()),
                1,
                Duration::from_secs(1),
            )
            .accept_insecure_certs(accept)
        };
        assert_eq!(
            pool(false).capabilities(Vec::new())["acceptInsecureCerts"],
            json!(false)
        );
        assert_eq!(
            pool(true).capabilities(Vec::new())["acceptInsecureCerts"],
            json!(true)
        );
    }

    #[test]
    fn the_watchdog_kills_the_group_when_its_holder_ends() {
        // A stand-in for chromedriver and its Chromium: a group of its own.
        let mut group = Command::new("sleep");
        group.arg("600");
        own_process_group(&mut group);
        let mut browser = group.spawn().unwrap();
        let watchdog = Watchdog::guard(browser.id() as libc::pid_t).unwrap();
        // A child started later must not hold the pipe open.
        let mut bystander = Command::new("sleep").arg("600").spawn().unwrap();
        // Closing the holder's end is what the kernel does when the harness dies.
        drop(watchdog);
        let status = browser.wait().unwrap();
        assert_eq!(status.signal(), Some(libc::SIGKILL), "{status:?}");
        assert_eq!(
            bystander.try_wait().unwrap(),
            None,
            "only the group is killed"
        );
        bystander.kill().unwrap();
        bystander.wait().unwrap();
    }
}
