//! Secret redaction: what a transcript, a report or a log shows instead of a secret.
//!
//! Headers such as `Authorization`, `Cookie` and `Set-Cookie`, and JSON or form fields whose
//! names look like a password, token, secret or API key, are replaced by [`REDACTED`] before
//! anything is stored. Redaction happens where exchanges are recorded, so no later stage can
//! leak what it never received.
//!
//! Plain data and regexes, below every stage: [`config`](crate::config) compiles the
//! project's [`Redactor`] once while it validates `[run]`, and the world, the messages and the
//! renderers borrow (or cheaply clone) that one.

use regex::Regex;
use serde_json::Value;

/// What a secret is replaced with.
pub const REDACTED: &str = "[REDACTED]";

/// Which headers and fields hold secrets. Cheap to clone: every scenario gets one.
#[derive(Debug, Clone)]
pub struct Redactor {
    headers: std::sync::Arc<[String]>,
    fields: Regex,
    /// Secrets inside free text (an error message quoting a body or a header): a JSON
    /// member, a `key=value` pair or a `Header: value` line whose name is a secret's.
    in_text: Regex,
}

/// Headers that always carry credentials.
pub const DEFAULT_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
    "api-key",
    "x-auth-token",
];

/// JSON and form field names that hold secrets (matched anywhere in the name, any case).
pub const DEFAULT_FIELDS: &str =
    "pass(word|wd)?|token|secret|api[-_]?key|authorization|cookie|session|card[-_]?number|cvc|cvv";

impl Default for Redactor {
    fn default() -> Self {
        Self::new(
            DEFAULT_HEADERS.iter().map(|h| (*h).to_owned()).collect(),
            DEFAULT_FIELDS,
        )
        .expect("the default field pattern compiles")
    }
}

impl Redactor {
    /// Redacts the given header names (any case) and field names matching `fields`.
    pub fn new(headers: Vec<String>, fields: &str) -> Result<Self, regex::Error> {
        let header_names: Vec<String> = headers.iter().map(|h| regex::escape(h)).collect();
        let headers_pattern = if header_names.is_empty() {
            "$^".to_owned()
        } else {
            header_names.join("|")
        };
        // Each alternative keeps its name part and masks what follows: a JSON member with a
        // string value; the same inside a JSON string (quotes escaped, as an error quoting
        // a body with `{:?}` writes them); a JSON member with a number or a boolean; a
        // `key=value` pair (a query, a form, a fragment); a `Header: value` line; and the
        // password of a URL's `user:password@`.
        let in_text = Regex::new(&format!(
            r##"(?i)(?P<json>"[^"]*(?:{fields})[^"]*"\s*:\s*)"(?:[^"\\]|\\.)*"|(?P<escaped>\\"[^"\\]*(?:{fields})[^"\\]*\\"\s*:\s*)\\"(?:[^"\\]|\\[^"])*\\"|(?P<scalar>"[^"]*(?:{fields})[^"]*"\s*:\s*)(?:-?[0-9][0-9.eE+-]*|true|false)|(?P<pair>\b\w*(?:{fields})\w*=)[^&\s"#]+|(?P<header>\b(?:{headers_pattern})\s*:\s*)[^\n]+|(?P<userinfo>\b[a-z][a-z0-9+.-]*://[^/\s:@]*:)[^/\s@]+@"##
        ))?;
        Ok(Self {
            headers: headers
                .into_iter()
                .map(|h| h.to_ascii_lowercase())
                .collect(),
            fields: Regex::new(&format!("(?i){fields}"))?,
            in_text,
        })
    }

    /// The default headers plus `extra_headers`, and field names matching `fields`: what
    /// `[run]` configures with `redact-headers` and `redact-fields`.
    pub fn with_defaults(extra_headers: &[String], fields: &str) -> Result<Self, regex::Error> {
        let headers = DEFAULT_HEADERS
            .iter()
            .map(|h| (*h).to_owned())
            .chain(extra_headers.iter().cloned())
            .collect();
        Self::new(headers, fields)
    }

    /// Free text as it may be shown: secret JSON members, `key=value` pairs and header lines
    /// inside it are masked. For error messages, which may quote anything.
    pub fn text(&self, text: &str) -> String {
        self.in_text
            .replace_all(text, |c: &regex::Captures<'_>| {
                let part = |name| c.name(name).map(|m| m.as_str());
                if let Some(name) = part("json").or(part("scalar")) {
                    format!("{name}\"{REDACTED}\"")
                } else if let Some(name) = part("escaped") {
                    format!("{name}\\\"{REDACTED}\\\"")
                } else if let Some(name) = part("userinfo") {
                    format!("{name}{REDACTED}@")
                } else {
                    let name = part("pair").or(part("header")).unwrap_or("");
                    format!("{name}{REDACTED}")
                }
            })
            .into_owned()
    }

    /// Whether [`Redactor::text`] would mask anything in `text`: a cheaper question than
    /// masking it, for text that is shown whole when it has no secret.
    pub fn has_secret(&self, text: &str) -> bool {
        self.in_text.is_match(text)
    }

    /// Whether a header's value must not be shown.
    pub fn is_secret_header(&self, name: &str) -> bool {
        self.headers.iter().any(|h| h.eq_ignore_ascii_case(name))
    }

    /// The header's value as it may be shown: a secret header's masked, and the URL of a
    /// redirect (`Location`) masked as [`Redactor::url`] masks one.
    pub fn header<'v>(&self, name: &str, value: &'v str) -> std::borrow::Cow<'v, str> {
        if self.is_secret_header(name) {
            std::borrow::Cow::Borrowed(REDACTED)
        } else if ["location", "content-location", "refresh"]
            .iter()
            .any(|h| h.eq_ignore_ascii_case(name))
            && self.has_secret(value)
        {
            std::borrow::Cow::Owned(self.text(value))
        } else {
            std::borrow::Cow::Borrowed(value)
        }
    }

    /// A URL as it may be shown: the password of its `user:password@` and the values of
    /// query or fragment parameters with secret names (`api_key=`, `access_token=`) masked.
    pub fn url(&self, url: &str) -> String {
        self.text(url)
    }

    /// A body as it may be shown: JSON and form fields with secret names are masked; any
    /// other text is masked as free text is (see [`Redactor::text`]), since a body that is
    /// almost JSON, such as a template with a quote too many, still carries its secrets.
    pub fn body(&self, body: &str) -> String {
        if let Ok(mut json) = serde_json::from_str::<Value>(body) {
            if self.json(&mut json) {
                return serde_json::to_string(&json).expect("a JSON value serializes");
            }
            return body.to_owned();
        }
        if looks_like_form(body) {
            return self.form(body);
        }
        self.text(body)
    }

    /// Masks secret fields in place; whether anything changed.
    fn json(&self, value: &mut Value) -> bool {
        match value {
            Value::Object(map) => {
                let mut changed = false;
                for (key, value) in map.iter_mut() {
                    if self.fields.is_match(key) && !value.is_null() {
                        *value = Value::String(REDACTED.to_owned());
                        changed = true;
                    } else {
                        changed |= self.json(value);
                    }
                }
                changed
            }
            Value::Array(items) => items
                .iter_mut()
                .fold(false, |changed, item| self.json(item) | changed),
            // JSON inside a JSON string (a payload, a message) carries its secrets too.
            Value::String(text) if self.has_secret(text) => {
                *text = self.text(text);
                true
            }
            _ => false,
        }
    }

    fn form(&self, body: &str) -> String {
        body.split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) if self.fields.is_match(key) => format!("{key}={REDACTED}"),
                _ => pair.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// `a=1&b=2`: no spaces or line breaks, and every part has a key.
fn looks_like_form(body: &str) -> bool {
    !body.is_empty()
        && !body.contains(char::is_whitespace)
        && body
            .split('&')
            .all(|pair| pair.split_once('=').is_some_and(|(key, _)| !key.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_their_passwords_and_secret_parameters() {
        let redactor = Redactor::default();
        assert_eq!(
            redactor.url("http://ann:pa55@shop.test/a?api_key=k1&page=2#access_token=t1"),
            "http://ann:[REDACTED]@shop.test/a?api_key=[REDACTED]&page=2#access_token=[REDACTED]"
        );
        assert_eq!(
            redactor.url("http://shop.test/a?page=2"),
            "http://shop.test/a?page=2"
        );
        assert_eq!(
            redactor.header("Location", "/next?access_token=t2"),
            "/next?access_token=[REDACTED]"
        );
    }

    #[test]
    fn secrets_in_escaped_json_and_in_json_strings_are_masked() {
        let redactor = Redactor::default();
        // An error quoting a body with `{:?}`, and a number as a secret's value.
        assert_eq!(
            redactor.text(r#"body starts with "{\"password\": \"p1\", oops""#),
            r#"body starts with "{\"password\": \"[REDACTED]\", oops""#
        );
        assert_eq!(
            redactor.text(r#"{"pin_token": 12345}"#),
            r#"{"pin_token": "[REDACTED]"}"#
        );
        let body = redactor.body(r#"{"payload":"{\"token\": \"t3\"}"}"#);
        assert!(!body.contains("t3"), "{body}");
    }

    #[test]
    fn secret_headers_are_masked_in_any_case() {
        let redactor = Redactor::default();
        assert_eq!(redactor.header("Authorization", "Bearer abc"), REDACTED);
        assert_eq!(redactor.header("set-cookie", "session=1"), REDACTED);
        assert_eq!(
            redactor.header("Accept", "application/json"),
            "application/json"
        );
    }

    #[test]
    fn secret_json_fields_are_masked_at_any_depth() {
        let redactor = Redactor::default();
        let body =
            r#"{"email":"a@b.c","password":"hunter2","nested":[{"accessToken":"t","id":1}]}"#;
        let shown: Value = serde_json::from_str(&redactor.body(body)).unwrap();
        assert_eq!(
            shown,
            serde_json::json!({"email":"a@b.c","password":REDACTED,"nested":[{"accessToken":REDACTED,"id":1}]})
        );
    }

    #[test]
    fn a_body_that_is_not_quite_json_is_masked_as_text() {
        let redactor = Redactor::default();
        let body = r#"{"email": "<img src="x">@example.test", "password": "hunter2"}"#;
        assert!(serde_json::from_str::<Value>(body).is_err());
        assert_eq!(
            redactor.body(body),
            r#"{"email": "<img src="x">@example.test", "password": "[REDACTED]"}"#
        );
    }

    #[test]
    fn form_fields_are_masked_and_other_text_is_kept() {
        let redactor = Redactor::default();
        assert_eq!(
            redactor.body("email=a%40b.c&password=hunter2"),
            "email=a%40b.c&password=[REDACTED]"
        );
        assert_eq!(
            redactor.body("plain text, with password words"),
            "plain text, with password words"
        );
    }

    #[test]
    fn secrets_inside_free_text_are_masked() {
        let redactor = Redactor::default();
        let error = "expected 200, got 401; body: {\"password\": \"hunter2\", \"user\": \"al\"}\nAuthorization: Bearer abc.def\nsent token=xyz&page=2";
        assert_eq!(
            redactor.text(error),
            "expected 200, got 401; body: {\"password\": \"[REDACTED]\", \"user\": \"al\"}\nAuthorization: [REDACTED]\nsent token=[REDACTED]&page=2"
        );
        assert_eq!(
            redactor.text("order 1001 was not listed"),
            "order 1001 was not listed"
        );
    }

    #[test]
    fn the_field_pattern_is_configurable() {
        let redactor = Redactor::new(vec!["x-internal".into()], "pin").unwrap();
        assert_eq!(
            redactor.body(r#"{"pin":"1234","password":"x"}"#),
            r#"{"password":"x","pin":"[REDACTED]"}"#
        );
        assert_eq!(redactor.header("X-Internal", "v"), REDACTED);
    }
}
