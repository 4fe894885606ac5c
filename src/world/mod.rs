//! [`World`]: the state every step definition gets, one per scenario.
//!
//! It holds the scenario's [`HttpSession`] (its own cookies, the last response, the
//! transcript), a browser on demand, scenario variables, typed state for a project's own
//! steps, and the attachments of the scenario. Settings shared by the whole run (base URL,
//! timeouts, redaction, where attachments go) come from the [`RunContext`] the runner
//! installs before the first scenario.

pub mod browser;
pub mod http;

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use crate::record::Attachment;
use crate::redact::Redactor;

pub use browser::{Browser, Browsers, WebDriver};
pub use http::{HttpSession, Response};

/// Settings shared by every scenario of a run.
#[derive(Debug, Clone)]
pub struct RunContext {
    /// Where the service under test is, e.g. `http://127.0.0.1:8080`.
    pub base_url: http::BaseUrl,
    /// How long any HTTP or browser operation may take.
    pub timeout: Duration,
    /// The HTTP client every scenario shares (see [`http::client`]).
    pub client: reqwest::Client,
    /// What is masked in transcripts.
    pub redactor: Redactor,
    /// The report directory; screenshots and transcripts go to its `attachments/`.
    pub report_dir: PathBuf,
    /// The browser pool, shared by every scenario.
    pub browsers: Arc<Browsers>,
    /// The most bytes of a response body a scenario reads (`run.max-body`).
    pub max_body: usize,
}

impl Default for RunContext {
    fn default() -> Self {
        Self {
            base_url: http::BaseUrl::new(
                &std::env::var("CASEBOOK_BASE_URL")
                    .unwrap_or_else(|_| "http://127.0.0.1:8080".to_owned()),
            ),
            timeout: Duration::from_secs(10),
            client: http::client(Duration::from_secs(10), &crate::tls::Tls::default())
                .expect("a client without `[tls]` files builds"),
            redactor: Redactor::default(),
            report_dir: PathBuf::from("target/casebook"),
            browsers: Arc::new(Browsers::new(
                std::env::var("CASEBOOK_WEBDRIVER_URL").map_or(
                    WebDriver::Chromedriver("chromedriver".into()),
                    WebDriver::Remote,
                ),
                2,
                Duration::from_secs(10),
            )),
            max_body: http::DEFAULT_MAX_BODY,
        }
    }
}

static CONTEXT: RwLock<Option<Arc<RunContext>>> = RwLock::new(None);

/// Installs the settings that worlds created from now on use, until the guard is dropped.
///
/// The guard matters: the context owns the browser pool, and chromedriver is stopped when
/// the last reference to the pool goes. A value left in a static would never be dropped.
#[must_use = "the settings are uninstalled when the guard is dropped"]
pub fn install(context: RunContext) -> Installed {
    *CONTEXT
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(Arc::new(context));
    Installed(())
}

/// Keeps a [`RunContext`] installed; see [`install`].
#[derive(Debug)]
pub struct Installed(());

impl Drop for Installed {
    fn drop(&mut self) {
        CONTEXT
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
    }
}

fn current() -> Arc<RunContext> {
    let installed = CONTEXT
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .clone();
    installed.unwrap_or_else(|| Arc::new(RunContext::default()))
}

/// The world of one scenario.
#[derive(cucumber::World)]
#[world(init = Self::new)]
pub struct World {
    context: Arc<RunContext>,
    /// The scenario's HTTP client, last response and transcript.
    pub http: HttpSession,
    browser: Option<Browser>,
    vars: HashMap<String, String>,
    state: HashMap<TypeId, Box<dyn Any>>,
    attachments: Vec<Attachment>,
    outbox: crate::event::Outbox,
}

impl fmt::Debug for World {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Typed state is opaque; variables may hold secrets a step stored.
        f.debug_struct("World")
            .field("base_url", &self.context.base_url)
            .field("exchanges", &self.http.exchange_count())
            .field("browser", &self.browser.is_some())
            .field("vars", &self.vars.keys().collect::<Vec<_>>())
            .field("attachments", &self.attachments)
            .finish_non_exhaustive()
    }
}

impl World {
    /// A fresh world with the run's settings.
    pub fn new() -> Self {
        let context = current();
        let http = HttpSession::on(
            &context.base_url,
            context.client.clone(),
            context.redactor.clone(),
        )
        .with_max_body(context.max_body);
        Self {
            context,
            http,
            browser: None,
            vars: HashMap::new(),
            state: HashMap::new(),
            attachments: Vec::new(),
            outbox: crate::event::Outbox::default(),
        }
    }

    /// The scenario's browser, opened from the pool on first use.
    pub async fn browser(&mut self) -> Result<&Browser, browser::Error> {
        if self.browser.is_none() {
            self.browser = Some(self.context.browsers.acquire().await?);
        }
        Ok(self.browser.as_ref().expect("just opened"))
    }

    /// The URL of `path` on the service under test.
    pub fn url(&self, path: &str) -> String {
        self.http.url(path)
    }

    /// Ends the scenario: on failure, the HTTP transcript (secrets masked) and a screenshot
    /// of the page with its URL are attached, so that Cucumber's own HTML formatter shows
    /// them from the messages too; then the browser goes back to the pool. The runner calls
    /// this after every scenario.
    pub async fn finish(&mut self, failed: bool) {
        if failed && self.http.exchange_count() > 0 {
            let transcript = self.http.transcript();
            let json = serde_json::to_string_pretty(&transcript).expect("plain data serializes");
            self.outbox.attach(crate::event::Attachment {
                body: crate::event::Body::Text(json),
                media_type: "application/json".into(),
                file_name: Some("http-transcript.json".into()),
            });
        }
        let Some(browser) = self.browser.take() else {
            return;
        };
        if failed {
            self.attach_screenshot(&browser).await;
        }
        browser.release().await;
    }

    async fn attach_screenshot(&mut self, browser: &Browser) {
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let relative = PathBuf::from(format!("attachments/screenshot-{n}.png"));
        let page = browser
            .url()
            .await
            .unwrap_or_else(|err| format!("(unknown: {err})"));
        match browser.screenshot().await {
            Ok(png) => {
                match crate::output::write_atomic(&self.context.report_dir.join(&relative), &png) {
                    Ok(()) => self.attach(Attachment {
                        name: format!("screenshot of {page}"),
                        media_type: "image/png".into(),
                        path: relative,
                    }),
                    Err(err) => eprintln!("warning: cannot write a screenshot: {err}"),
                }
            }
            Err(err) => eprintln!("warning: cannot take a screenshot of {page}: {err}"),
        }
    }

    /// The run's settings.
    pub fn context(&self) -> &RunContext {
        &self.context
    }

    /// Stores a scenario variable.
    pub fn set_var(&mut self, name: &str, value: impl Into<String>) {
        self.vars.insert(name.to_owned(), value.into());
    }

    /// A scenario variable.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// Replaces every `${name}` in `text` with the scenario variable of that name, and every
    /// `${env:NAME}` with the environment variable `NAME`: secrets such as API tokens stay out
    /// of feature files, and so out of every report that quotes a step.
    pub fn expand(&self, text: &str) -> String {
        static ENV: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
            regex::Regex::new(r"\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}").expect("valid regex")
        });
        let text = self
            .vars
            .iter()
            .fold(text.to_owned(), |text, (name, value)| {
                text.replace(&format!("${{{name}}}"), value)
            });
        ENV.replace_all(&text, |c: &regex::Captures<'_>| {
            std::env::var(&c[1]).unwrap_or_default()
        })
        .into_owned()
    }

    /// The scenario's value of type `T`, created with `Default` on first use.
    pub fn state<T: Any + Default>(&mut self) -> &mut T {
        self.state
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Box::new(T::default()))
            .downcast_mut()
            .expect("the entry of a TypeId holds that type")
    }

    /// Attaches a file, already written under the report directory, to the scenario: in
    /// `run.json` and, with its content, in the run's messages.
    pub fn attach(&mut self, attachment: Attachment) {
        match std::fs::read(self.context.report_dir.join(&attachment.path)) {
            Ok(bytes) => self.outbox.attach(crate::event::Attachment {
                body: crate::event::Body::Bytes(bytes),
                media_type: attachment.media_type.clone(),
                file_name: attachment
                    .path
                    .file_name()
                    .map(|name| name.to_string_lossy().into_owned()),
            }),
            Err(err) => eprintln!(
                "warning: cannot read the attachment `{}`: {err}",
                attachment.path.display()
            ),
        }
        self.attachments.push(attachment);
    }

    /// Attaches text or bytes to the running step, in the run's messages (`attachment`).
    pub fn attach_to_step(&self, attachment: crate::event::Attachment) {
        self.outbox.attach(attachment);
    }

    /// What has been attached so far.
    pub fn attachments(&self) -> &[Attachment] {
        &self.attachments
    }
}

impl crate::event::MessageWorld for World {
    fn outbox(&mut self) -> &mut crate::event::Outbox {
        &mut self.outbox
    }

    async fn finish(&mut self, failed: bool) {
        World::finish(self, failed).await;
    }
}

impl Default for World {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Cart(Vec<String>);

    #[test]
    fn typed_state_and_variables_live_in_the_world() {
        let mut world = World::new();
        world.state::<Cart>().0.push("tea".into());
        world.state::<Cart>().0.push("milk".into());
        assert_eq!(world.state::<Cart>().0, ["tea", "milk"]);
        world.set_var("order", "1001");
        assert_eq!(world.expand("/api/orders/${order}"), "/api/orders/1001");
        let path = std::env::var("PATH").unwrap();
        assert_eq!(
            world.expand("${env:PATH}|${env:CASEBOOK_SURELY_UNSET}|"),
            format!("{path}||")
        );
        assert_eq!(world.var("missing"), None);
    }
}
