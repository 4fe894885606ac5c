//! What a failed execution leaves behind for people to look at: [`Attachment`]s (a
//! screenshot, an HTTP transcript) and the [`Exchange`]s a transcript holds.
//!
//! Plain data of the record: the world builds them while the scenario runs, the record keeps
//! them, and renderers show them, none of them knowing how they were made.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// A file or text attached to a scenario's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// What it is, e.g. `screenshot` or `http transcript`.
    pub name: String,
    /// Its media type, e.g. `image/png`.
    pub media_type: String,
    /// The file, relative to the report directory.
    pub path: PathBuf,
}

/// One request and its response, as a report may show them: secrets redacted, bodies cut.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
