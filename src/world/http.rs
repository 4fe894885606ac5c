//! [`HttpSession`]: one scenario's HTTP client, its last response and its transcript.
//!
//! Each scenario gets its own cookie store, so a sign-in in one case never leaks into
//! another. Every exchange is recorded into the transcript with secrets redacted and bodies
//! truncated, ready to be attached to a failure.

use std::time::{Duration, Instant};

use cookie_store::CookieStore;
use reqwest::Url;
use reqwest::header::{
    CONTENT_TYPE, COOKIE, HeaderMap, HeaderName, HeaderValue, LOCATION, SET_COOKIE,
};
use serde_json::Value;

use crate::record::Exchange;
use crate::redact::Redactor;
use crate::tls::{self, Tls};

/// Bodies longer than this are cut in the transcript (the step still sees all of it).
pub const TRANSCRIPT_BODY_LIMIT: usize = 4096;

/// An HTTP failure a step reports.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The base URL joined with the path is not a URL.
    #[error("`{0}` is not a valid URL (base URL plus path)")]
    Url(String),
    /// A header name or value is not valid HTTP.
    #[error("invalid request header `{0}`")]
    Header(String),
    /// The request did not complete.
    #[error(
        "{method} {url} failed: {reason}\n(hint: is the service running at the base URL? set it with --base-url or `base-url` in casebook.toml)"
    )]
    Request {
        /// The method.
        method: String,
        /// The URL.
        url: String,
        /// What went wrong, timeout included.
        reason: String,
    },
    /// The TLS handshake failed: the certificate problem in words, and the setting that
    /// fixes it (rather than the hint of a service that is not running).
    #[error("{method} {url} failed: {problem}\n(hint: {hint})")]
    Tls {
        /// The method.
        method: String,
        /// The URL.
        url: String,
        /// What is wrong with the certificate or the handshake.
        problem: String,
        /// What fixes it.
        hint: &'static str,
    },
    /// The response body is larger than `run.max-body`: reading it on would hold up every
    /// other scenario and fill the memory.
    #[error(
        "{method} {url}: the response body is larger than {limit}, so casebook stopped reading it\n(hint: raise `max-body` under [run] in casebook.toml if the service really sends that much)"
    )]
    BodyTooLarge {
        /// The method.
        method: String,
        /// The URL.
        url: String,
        /// The limit, as people write it (`8.0 MiB`).
        limit: String,
    },
    /// A step asked for a response before any request was sent.
    #[error("no request has been sent yet in this scenario")]
    NoResponse,
    /// The response body is not JSON.
    #[error("the response body is not JSON: {0}")]
    NotJson(String),
}

/// A response, kept whole for the steps that check it.
#[derive(Debug, Clone)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The headers.
    pub headers: HeaderMap,
    /// The body as text.
    pub body: String,
    /// The body as JSON, parsed when a step first asks: a scenario checks several values of
    /// one response.
    parsed: std::sync::OnceLock<Result<Value, String>>,
}

impl Response {
    /// The body parsed as JSON.
    pub fn json(&self) -> Result<&Value, Error> {
        self.parsed
            .get_or_init(|| {
                serde_json::from_str(&self.body).map_err(|err| {
                    format!("{err}; body starts with {:?}", truncate(&self.body, 80))
                })
            })
            .as_ref()
            .map_err(|err| Error::NotJson(err.clone()))
    }

    /// The value of a header, if present and text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }
}

/// One scenario's HTTP state.
///
/// The client, and with it the pool of open connections, is the run's; the cookies are the
/// scenario's own. Building a client per scenario would open a new connection for every
/// scenario, which on a large suite costs more than the requests themselves.
#[derive(Debug)]
pub struct HttpSession {
    client: reqwest::Client,
    cookies: CookieStore,
    /// The run's base URL, parsed once: a URL parsed whole for every request would parse
    /// its host every time.
    base: BaseUrl,
    headers: Vec<(String, String)>,
    /// The index in `exchanges` of the last response, when the last request got one.
    last: Option<usize>,
    exchanges: Vec<Recorded>,
    redactor: Redactor,
    /// The most bytes of a response body read.
    max_body: usize,
}

/// An exchange as it happened. Redaction and truncation wait until someone asks for the
/// transcript, which is only when a case fails: most exchanges are never shown.
#[derive(Debug)]
struct Recorded {
    method: String,
    url: String,
    request_headers: Vec<(String, String)>,
    request_body: Option<String>,
    response: Result<Response, Unanswered>,
    duration_ms: u64,
}

/// Why an exchange has no response to check.
#[derive(Debug, Clone)]
enum Unanswered {
    /// The request failed (its reason in words, timeout included).
    Failed(String),
    /// The TLS handshake failed.
    Tls(tls::Failure),
    /// The body went past the limit, in bytes.
    TooLarge(usize),
}

impl std::fmt::Display for Unanswered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unanswered::Failed(reason) => f.write_str(reason),
            Unanswered::Tls(failure) => f.write_str(&failure.problem),
            Unanswered::TooLarge(limit) => write!(
                f,
                "the response body is larger than {}; casebook stopped reading it",
                bytesize::ByteSize(*limit as u64).display().iec()
            ),
        }
    }
}

impl Unanswered {
    /// The error of the step whose `method` request to `url` went unanswered.
    fn error(&self, method: &reqwest::Method, url: &Url) -> Error {
        let (method, url) = (method.to_string(), url.to_string());
        match self {
            Unanswered::TooLarge(limit) => Error::BodyTooLarge {
                method,
                url,
                limit: bytesize::ByteSize(*limit as u64)
                    .display()
                    .iec()
                    .to_string(),
            },
            Unanswered::Failed(reason) => Error::Request {
                method,
                url,
                reason: reason.clone(),
            },
            Unanswered::Tls(failure) => Error::Tls {
                method,
                url,
                problem: failure.problem.clone(),
                hint: failure.hint,
            },
        }
    }
}

/// The body of `response`, read until it ends or passes `limit` bytes.
async fn read_body(response: &mut reqwest::Response, limit: usize) -> Result<String, Unanswered> {
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|err| describe(&err))? {
        if bytes.len() + chunk.len() > limit {
            return Err(Unanswered::TooLarge(limit));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(String::from_utf8(bytes)
        .unwrap_or_else(|err| String::from_utf8_lossy(err.as_bytes()).into_owned()))
}

/// The base URL of the service under test, as written (without trailing slashes) and
/// parsed with a trailing slash for the paths joined under it. Parsed once per run: every
/// scenario starts a session on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    text: String,
    parsed: Option<Url>,
}

impl BaseUrl {
    /// `text`, parsed (a text that is no URL stays text; its requests fail with a message
    /// that names it).
    pub fn new(text: &str) -> Self {
        let text = text.trim_end_matches('/').to_owned();
        let parsed = Url::parse(&format!("{text}/")).ok();
        Self { text, parsed }
    }
}

pub use crate::config::DEFAULT_MAX_BODY;

/// The most redirects one request follows.
const MAX_REDIRECTS: usize = 10;

/// The client every scenario of a run shares: no cookie store of its own (each session
/// keeps its own jar) and no automatic redirects (the session follows them itself, so that
/// cookies set on the way are kept); every request gives up after `timeout`. HTTPS trusts
/// the platform's roots and what `tls` adds.
pub fn client(timeout: Duration, tls: &Tls) -> Result<reqwest::Client, tls::Error> {
    tls::install_provider();
    let builder = || {
        let builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .connect_timeout(timeout);
        tls.apply(builder)
    };
    match builder().build() {
        Ok(client) => Ok(client),
        // A machine without CA certificates (a slim container) still tests plain HTTP and
        // the services `ca-cert` vouches for: their roots alone are trusted then.
        Err(_) if !tls.accept_invalid_certs => builder()
            .tls_certs_only(tls.roots.iter().cloned())
            .build()
            .map_err(|err| tls::Error::Client(tls::words(&err))),
        Err(err) => Err(tls::Error::Client(tls::words(&err))),
    }
}

/// A base URL casebook cannot test: not a URL, or of a scheme other than HTTP's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{url}` is not a base URL casebook can test: {reason}\n(hint: write it as http://HOST:PORT or https://HOST:PORT)"
)]
pub struct UnusableBaseUrl {
    /// The URL as given.
    pub url: String,
    /// What is wrong with it.
    pub reason: String,
}

impl BaseUrl {
    /// Checks that `text` is an `http` or `https` URL, before anything is sent to it.
    pub fn check(text: &str) -> Result<(), UnusableBaseUrl> {
        let unusable = |reason: String| UnusableBaseUrl {
            url: text.to_owned(),
            reason,
        };
        if !text.contains("://") {
            return Err(unusable("it has no scheme".to_owned()));
        }
        let url = Url::parse(text).map_err(|err| unusable(format!("it is not a URL ({err})")))?;
        match url.scheme() {
            "http" | "https" => Ok(()),
            scheme => Err(unusable(format!(
                "casebook speaks HTTP and HTTPS, not `{scheme}`"
            ))),
        }
    }
}

impl HttpSession {
    /// A session against `base_url` on the run's `client`, with no cookies yet.
    pub fn new(base_url: &str, client: reqwest::Client, redactor: Redactor) -> Self {
        Self::on(&BaseUrl::new(base_url), client, redactor)
    }

    /// A session against the run's parsed `base` URL.
    pub fn on(base: &BaseUrl, client: reqwest::Client, redactor: Redactor) -> Self {
        Self {
            max_body: DEFAULT_MAX_BODY,
            client,
            cookies: CookieStore::default(),
            base: base.clone(),
            headers: Vec::new(),
            last: None,
            exchanges: Vec::new(),
            redactor,
        }
    }

    /// The same session, reading at most `limit` bytes of a response body (`run.max-body`).
    pub fn with_max_body(mut self, limit: usize) -> Self {
        self.max_body = limit;
        self
    }

    /// The base URL requests are sent to.
    pub fn base_url(&self) -> &str {
        &self.base.text
    }

    /// Sets a header on every later request of the scenario.
    pub fn set_header(&mut self, name: &str, value: &str) {
        self.headers
            .retain(|(existing, _)| !existing.eq_ignore_ascii_case(name));
        self.headers.push((name.to_owned(), value.to_owned()));
    }

    /// The full URL of `path` (a path is joined to the base URL; a full URL is kept).
    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http://") || path.starts_with("https://") {
            path.to_owned()
        } else if path.starts_with('/') {
            format!("{}{path}", self.base.text)
        } else {
            format!("{}/{path}", self.base.text)
        }
    }

    /// The URL of `path`, as [`url`](Self::url) spells it, parsed: a path is joined under
    /// the parsed base URL, its leading slash dropped and `./` put before it, so that it
    /// stays a path below the base's however it starts (`//x` included).
    fn resolve(&self, path: &str) -> Result<Url, Error> {
        let joined = match &self.base.parsed {
            Some(base) if !path.starts_with("http://") && !path.starts_with("https://") => {
                let below = path.strip_prefix('/').unwrap_or(path);
                base.join(&format!("./{below}"))
            }
            _ => Url::parse(&self.url(path)),
        };
        joined.map_err(|_| Error::Url(self.url(path)))
    }

    /// Sends a request with the scenario's headers and cookies (and `Content-Type:
    /// application/json` for a body that is JSON), follows redirects, and keeps the final
    /// response as the last one.
    pub async fn send(
        &mut self,
        method: &str,
        path: &str,
        body: Option<&str>,
    ) -> Result<&Response, Error> {
        let mut method = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|_| Error::Header(method.to_owned()))?;
        let mut url = self.resolve(path)?;
        let mut body = body.map(str::to_owned);
        let mut headers = HeaderMap::new();
        for (name, value) in &self.headers {
            let name =
                HeaderName::from_bytes(name.as_bytes()).map_err(|_| Error::Header(name.clone()))?;
            let value =
                HeaderValue::from_str(value).map_err(|_| Error::Header(name.to_string()))?;
            headers.insert(name, value);
        }
        if body
            .as_deref()
            .is_some_and(|b| serde_json::from_str::<Value>(b).is_ok())
            && !headers.contains_key(CONTENT_TYPE)
        {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        for _ in 0..=MAX_REDIRECTS {
            let response = self
                .exchange(&method, &url, &headers, body.as_deref())
                .await?;
            let location = response
                .header(LOCATION.as_str())
                .filter(|_| (300..400).contains(&response.status));
            let Some(next) = location.and_then(|location| url.join(location).ok()) else {
                return self.last();
            };
            // 303, and 301/302 after a POST, turn into a GET without a body, as browsers do.
            let status = response.status;
            if status == 303 || (matches!(status, 301 | 302) && method == reqwest::Method::POST) {
                method = reqwest::Method::GET;
                body = None;
                headers.remove(CONTENT_TYPE);
            }
            url = next;
        }
        Err(Error::Request {
            method: method.to_string(),
            url: url.to_string(),
            reason: format!("more than {MAX_REDIRECTS} redirects"),
        })
    }

    /// One request and its response, recorded; cookies read from and stored in the jar.
    async fn exchange(
        &mut self,
        method: &reqwest::Method,
        url: &Url,
        headers: &HeaderMap,
        body: Option<&str>,
    ) -> Result<&Response, Error> {
        let mut request = self
            .client
            .request(method.clone(), url.clone())
            .headers(headers.clone());
        if let Some(cookies) = self.cookie_header(url) {
            request = request.header(COOKIE, cookies);
        }
        if let Some(body) = body {
            request = request.body(body.to_owned());
        }
        let started = Instant::now();
        let result = async {
            let mut response = request.send().await.map_err(|err| describe(&err))?;
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let body = read_body(&mut response, self.max_body).await?;
            Ok::<_, Unanswered>(Response {
                status,
                headers,
                body,
                parsed: std::sync::OnceLock::new(),
            })
        }
        .await;
        let recorded = Recorded {
            method: method.to_string(),
            url: url.to_string(),
            request_headers: self.headers.clone(),
            request_body: body.map(str::to_owned),
            response: result,
            duration_ms: started.elapsed().as_millis() as u64,
        };
        self.exchanges.push(recorded);
        let index = self.exchanges.len() - 1;
        match &self.exchanges[index].response {
            Ok(response) => {
                for set_cookie in response.headers.get_all(SET_COOKIE) {
                    // A cookie the store refuses (bad syntax, another domain) is dropped, as
                    // a browser drops it.
                    if let Ok(text) = std::str::from_utf8(set_cookie.as_bytes()) {
                        let _ = self.cookies.parse(text, url);
                    }
                }
                self.last = Some(index);
                self.last()
            }
            Err(unanswered) => {
                self.last = None;
                Err(unanswered.error(method, url))
            }
        }
    }

    /// The `Cookie` header the store holds for `url`, if any cookie applies.
    fn cookie_header(&self, url: &Url) -> Option<HeaderValue> {
        let mut header = String::new();
        for (name, value) in self.cookies.get_request_values(url) {
            if !header.is_empty() {
                header.push_str("; ");
            }
            header.push_str(name);
            header.push('=');
            header.push_str(value);
        }
        (!header.is_empty())
            .then(|| HeaderValue::from_str(&header).ok())
            .flatten()
    }

    /// The last response of the scenario.
    pub fn last(&self) -> Result<&Response, Error> {
        let recorded = self
            .last
            .map(|i| &self.exchanges[i])
            .ok_or(Error::NoResponse)?;
        recorded.response.as_ref().map_err(|_| Error::NoResponse)
    }

    /// How many exchanges the scenario has had.
    pub fn exchange_count(&self) -> usize {
        self.exchanges.len()
    }

    /// Every exchange of the scenario so far, secrets redacted and bodies cut, as a report
    /// may show them.
    pub fn transcript(&self) -> Vec<Exchange> {
        let redactor = &self.redactor;
        let headers = |pairs: &mut dyn Iterator<Item = (&str, &str)>| -> Vec<(String, String)> {
            pairs
                .map(|(name, value)| (name.to_owned(), redactor.header(name, value).into_owned()))
                .collect()
        };
        let body = |text: &str| truncate(&redactor.body(text), TRANSCRIPT_BODY_LIMIT);
        self.exchanges
            .iter()
            .map(|recorded| {
                let mut exchange = Exchange {
                    method: recorded.method.clone(),
                    url: redactor.url(&recorded.url),
                    request_headers: headers(
                        &mut recorded
                            .request_headers
                            .iter()
                            .map(|(n, v)| (n.as_str(), v.as_str())),
                    ),
                    request_body: recorded.request_body.as_deref().map(body),
                    status: None,
                    response_headers: Vec::new(),
                    response_body: None,
                    error: None,
                    duration_ms: recorded.duration_ms,
                };
                match &recorded.response {
                    Ok(response) => {
                        exchange.status = Some(response.status);
                        exchange.response_headers = headers(
                            &mut response
                                .headers
                                .iter()
                                .map(|(n, v)| (n.as_str(), v.to_str().unwrap_or("<binary>"))),
                        );
                        exchange.response_body = Some(body(&response.body));
                    }
                    Err(unanswered) => exchange.error = Some(unanswered.to_string()),
                }
                exchange
            })
            .collect()
    }
}

/// Why a request failed: a TLS failure told in words, or the reqwest error with its cause
/// chain (reqwest's own message alone says only "error sending request").
fn describe(err: &reqwest::Error) -> Unanswered {
    if let Some(failure) = tls::failure(err) {
        return Unanswered::Tls(failure);
    }
    let mut text = if err.is_timeout() {
        "timed out".to_owned()
    } else {
        err.to_string()
    };
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    Unanswered::Failed(text)
}

/// Cuts `text` at `limit` bytes (on a character boundary) and says how much was left out.
pub fn truncate(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_owned();
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} more bytes)", &text[..end], text.len() - end)
}

#[cfg(test)]
mod https_tests;

#[cfg(test)]
mod tests {
    use super::*;

    /// The run's client as it is without `[tls]` settings.
    fn test_client(seconds: u64) -> reqwest::Client {
        client(Duration::from_secs(seconds), &Tls::default()).unwrap()
    }

    #[tokio::test]
    async fn an_endless_body_is_cut_at_the_limit_and_fails_its_step() {
        use std::io::{Read as _, Write as _};
        // A hostile server on loopback: a body that never ends.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            let (mut socket, _) = listener.accept().unwrap();
            let mut request = [0u8; 1024];
            let _ = socket.read(&mut request);
            let head = b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n";
            let chunk = vec![b'x'; 64 << 10];
            if socket.write_all(head).is_ok() {
                while socket.write_all(&chunk).is_ok() {}
            }
        });
        let mut session =
            HttpSession::new(&base, test_client(30), Redactor::default()).with_max_body(1 << 20);
        let err = session.send("GET", "/", None).await.unwrap_err();
        assert!(matches!(err, Error::BodyTooLarge { .. }), "{err}");
        assert!(err.to_string().contains("larger than 1.0 MiB"), "{err}");
        let transcript = session.transcript();
        let recorded = transcript[0].error.as_deref().unwrap();
        assert!(recorded.contains("larger than 1.0 MiB"), "{recorded}");
    }

    #[test]
    fn paths_join_the_base_url() {
        let session = HttpSession::new("http://127.0.0.1:9/", test_client(1), Redactor::default());
        assert_eq!(session.url("/api/orders"), "http://127.0.0.1:9/api/orders");
        assert_eq!(session.url("api"), "http://127.0.0.1:9/api");
        assert_eq!(session.url("http://other/x"), "http://other/x");
    }

    #[test]
    fn resolved_paths_are_the_urls_spelled_whole() {
        for base in [
            "http://127.0.0.1:9",
            "http://127.0.0.1:9/",
            "http://shop.test/api/v1/",
        ] {
            let session = HttpSession::new(base, test_client(1), Redactor::default());
            for path in [
                "/api/orders?status=paid&x=%41#top",
                "api",
                "",
                "/",
                "?q=1",
                "//twice/slashed",
                "/a b/ü/../c",
                "/items/605",
                "http://other/x",
                "https://other:8443/y?z",
            ] {
                assert_eq!(
                    session.resolve(path).unwrap().as_str(),
                    Url::parse(&session.url(path)).unwrap().as_str(),
                    "{base} + {path}"
                );
            }
        }
    }

    #[test]
    fn a_base_url_of_another_scheme_is_refused_before_anything_is_sent() {
        for ok in ["http://127.0.0.1:8080", "https://staging.example.test/api"] {
            assert_eq!(BaseUrl::check(ok), Ok(()), "{ok}");
        }
        for (url, reason) in [
            (
                "ftp://files.example.test",
                "casebook speaks HTTP and HTTPS, not `ftp`",
            ),
            (
                "file:///srv/shop",
                "casebook speaks HTTP and HTTPS, not `file`",
            ),
            ("127.0.0.1:8080", "it has no scheme"),
            ("localhost:8080", "it has no scheme"),
            ("http://", "it is not a URL"),
        ] {
            let err = BaseUrl::check(url).unwrap_err();
            assert!(err.reason.starts_with(reason), "{url}: {err}");
            assert!(
                err.to_string()
                    .contains("(hint: write it as http://HOST:PORT or https://HOST:PORT)"),
                "{err}"
            );
        }
    }

    #[test]
    fn truncation_keeps_characters_whole() {
        assert_eq!(truncate("héllo", 2), "h… (5 more bytes)");
        assert_eq!(truncate("short", 10), "short");
    }

    #[tokio::test]
    async fn an_unreachable_service_fails_with_the_url_and_a_hint() {
        // Port 9 (discard) on loopback: nothing listens, so the connection is refused.
        let mut session =
            HttpSession::new("http://127.0.0.1:9", test_client(2), Redactor::default());
        let err = session
            .send("GET", "/health", None)
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("GET http://127.0.0.1:9/health failed: "),
            "{err}"
        );
        assert!(err.contains("hint"), "{err}");
        assert_eq!(session.transcript().len(), 1);
        assert!(session.transcript()[0].error.is_some());
    }

    #[tokio::test]
    async fn cookies_belong_to_the_session_and_survive_redirects() {
        let shop = demo_shop::Shop::start().await.unwrap();
        let shared = test_client(5);
        let mut alice = HttpSession::new(shop.base_url(), shared.clone(), Redactor::default());
        let mut stranger = HttpSession::new(shop.base_url(), shared, Redactor::default());

        alice
            .send("POST", "/test/customers", Some(r#"{"name":"alice"}"#))
            .await
            .unwrap();
        let signed_in = alice
            .send(
                "POST",
                "/api/session",
                Some(r#"{"email":"alice@example.test","password":"s3cret-Pass"}"#),
            )
            .await
            .unwrap();
        assert_eq!(signed_in.status, 200);
        assert_eq!(
            alice
                .send("GET", "/api/session", None)
                .await
                .unwrap()
                .status,
            200,
            "the session cookie is sent back"
        );
        assert_eq!(
            stranger
                .send("GET", "/api/session", None)
                .await
                .unwrap()
                .status,
            401,
            "another session has no cookie"
        );

        // A redirect (303 to the sign-in page) is followed, with the cookie it sets kept.
        let tenant = alice
            .send("POST", "/test/tenants", None)
            .await
            .unwrap()
            .json()
            .unwrap()["tenant"]
            .as_str()
            .unwrap()
            .to_owned();
        let page = alice
            .send(
                "GET",
                &format!("/test/tenants/{tenant}/join?next=/sign-in"),
                None,
            )
            .await
            .unwrap();
        assert_eq!(page.status, 200);
        assert!(page.body.contains("sign-in-form"));
        let transcript = alice.transcript();
        let statuses: Vec<Option<u16>> =
            transcript.iter().rev().take(2).map(|e| e.status).collect();
        assert_eq!(statuses, [Some(200), Some(303)]);
        // Secrets never reach the transcript.
        let sign_in = &transcript[1];
        assert!(
            sign_in
                .request_body
                .as_deref()
                .unwrap()
                .contains(r#""password":"[REDACTED]""#),
            "{sign_in:?}"
        );
        assert!(
            sign_in
                .response_headers
                .iter()
                .any(|(n, v)| n == "set-cookie" && v == "[REDACTED]"),
            "{sign_in:?}"
        );
    }
}
