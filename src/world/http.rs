//! [`HttpSession`]: one scenario's HTTP client, its last response and its transcript.
//!
//! Each scenario gets its own cookie store, so a sign-in in one case never leaks into
//! another. Every exchange is recorded into the transcript with secrets redacted and bodies
//! truncated, ready to be attached to a failure.

use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::Serialize;
use serde_json::Value;

use super::redact::Redactor;

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
}

impl Response {
    /// The body parsed as JSON.
    pub fn json(&self) -> Result<Value, Error> {
        serde_json::from_str(&self.body).map_err(|err| {
            Error::NotJson(format!(
                "{err}; body starts with {:?}",
                truncate(&self.body, 80)
            ))
        })
    }

    /// The value of a header, if present and text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }
}

/// One request and its response, as a report may show them: secrets redacted, bodies cut.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exchange {
    /// `GET`, `POST`, …
    pub method: String,
    /// The full URL.
    pub url: String,
    /// The request headers that were set explicitly.
    pub request_headers: Vec<(String, String)>,
    /// The request body, if any.
    pub request_body: Option<String>,
    /// The status code; `None` when the request failed.
    pub status: Option<u16>,
    /// The response headers.
    pub response_headers: Vec<(String, String)>,
    /// The response body.
    pub response_body: Option<String>,
    /// Why the request failed, if it did.
    pub error: Option<String>,
    /// How long it took, in milliseconds.
    pub duration_ms: u64,
}

/// One scenario's HTTP state.
#[derive(Debug)]
pub struct HttpSession {
    client: reqwest::Client,
    base_url: String,
    headers: Vec<(String, String)>,
    last: Option<Response>,
    transcript: Vec<Exchange>,
    redactor: Redactor,
}

impl HttpSession {
    /// A session against `base_url`, with a fresh cookie store; every request gives up after
    /// `timeout`.
    pub fn new(base_url: &str, timeout: Duration, redactor: Redactor) -> Self {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()
            .expect("an HTTP client without TLS always builds");
        Self {
            client,
            base_url: base_url.trim_end_matches('/').to_owned(),
            headers: Vec::new(),
            last: None,
            transcript: Vec::new(),
            redactor,
        }
    }

    /// The base URL requests are sent to.
    pub fn base_url(&self) -> &str {
        &self.base_url
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
            format!("{}{path}", self.base_url)
        } else {
            format!("{}/{path}", self.base_url)
        }
    }

    /// Sends a request with the scenario's headers (and `Content-Type: application/json`
    /// for a body that is JSON) and keeps the response as the last one.
    pub async fn send(
        &mut self,
        method: &str,
        path: &str,
        body: Option<&str>,
    ) -> Result<&Response, Error> {
        let url = self.url(path);
        let method_value = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|_| Error::Header(method.to_owned()))?;
        let parsed = reqwest::Url::parse(&url).map_err(|_| Error::Url(url.clone()))?;
        let mut headers = HeaderMap::new();
        for (name, value) in &self.headers {
            let name =
                HeaderName::from_bytes(name.as_bytes()).map_err(|_| Error::Header(name.clone()))?;
            let value =
                HeaderValue::from_str(value).map_err(|_| Error::Header(name.to_string()))?;
            headers.insert(name, value);
        }
        let mut request = self.client.request(method_value, parsed).headers(headers);
        if let Some(body) = body {
            let is_json = serde_json::from_str::<Value>(body).is_ok();
            if is_json
                && !self
                    .headers
                    .iter()
                    .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
            {
                request = request.header("content-type", "application/json");
            }
            request = request.body(body.to_owned());
        }

        let started = Instant::now();
        let result = async {
            let response = request.send().await?;
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let body = response.text().await?;
            Ok::<_, reqwest::Error>(Response {
                status,
                headers,
                body,
            })
        }
        .await;
        let mut exchange = Exchange {
            method: method.to_owned(),
            url: url.clone(),
            request_headers: self
                .headers
                .iter()
                .map(|(n, v)| (n.clone(), self.redactor.header(n, v).to_owned()))
                .collect(),
            request_body: body.map(|b| truncate(&self.redactor.body(b), TRANSCRIPT_BODY_LIMIT)),
            status: None,
            response_headers: Vec::new(),
            response_body: None,
            error: None,
            duration_ms: started.elapsed().as_millis() as u64,
        };
        match result {
            Ok(response) => {
                exchange.status = Some(response.status);
                exchange.response_headers = response
                    .headers
                    .iter()
                    .map(|(n, v)| {
                        (
                            n.to_string(),
                            self.redactor
                                .header(n.as_str(), v.to_str().unwrap_or("<binary>"))
                                .to_owned(),
                        )
                    })
                    .collect();
                exchange.response_body = Some(truncate(
                    &self.redactor.body(&response.body),
                    TRANSCRIPT_BODY_LIMIT,
                ));
                self.transcript.push(exchange);
                Ok(self.last.insert(response))
            }
            Err(err) => {
                let reason = describe(&err);
                exchange.error = Some(reason.clone());
                self.transcript.push(exchange);
                self.last = None;
                Err(Error::Request {
                    method: method.to_owned(),
                    url,
                    reason,
                })
            }
        }
    }

    /// The last response of the scenario.
    pub fn last(&self) -> Result<&Response, Error> {
        self.last.as_ref().ok_or(Error::NoResponse)
    }

    /// Every exchange of the scenario so far.
    pub fn transcript(&self) -> &[Exchange] {
        &self.transcript
    }
}

/// A reqwest error in words, with its cause chain (reqwest's own message alone says only
/// "error sending request").
fn describe(err: &reqwest::Error) -> String {
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
    text
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
mod tests {
    use super::*;

    #[test]
    fn paths_join_the_base_url() {
        let session = HttpSession::new(
            "http://127.0.0.1:9/",
            Duration::from_secs(1),
            Redactor::default(),
        );
        assert_eq!(session.url("/api/orders"), "http://127.0.0.1:9/api/orders");
        assert_eq!(session.url("api"), "http://127.0.0.1:9/api");
        assert_eq!(session.url("http://other/x"), "http://other/x");
    }

    #[test]
    fn truncation_keeps_characters_whole() {
        assert_eq!(truncate("héllo", 2), "h… (5 more bytes)");
        assert_eq!(truncate("short", 10), "short");
    }

    #[tokio::test]
    async fn an_unreachable_service_fails_with_the_url_and_a_hint() {
        // Port 9 (discard) on loopback: nothing listens, so the connection is refused.
        let mut session = HttpSession::new(
            "http://127.0.0.1:9",
            Duration::from_secs(2),
            Redactor::default(),
        );
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
}
