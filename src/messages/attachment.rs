//! What steps and hooks attach: text or bytes, kept in a world's [`Outbox`] until the
//! writer places them in their test step, redacted on the way out.

use super::envelope::{self, Envelope};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// Text or bytes a step attaches to its test step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The content.
    pub body: Body,
    /// Its media type, e.g. `text/plain` or `image/png`.
    pub media_type: String,
    /// The file name a reader should save it as, if any.
    pub file_name: Option<String>,
}

/// An attachment's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// Text, written as it is.
    Text(String),
    /// Bytes, written in base64.
    Bytes(Vec<u8>),
}

/// Where a world puts what it attaches until the run writes it out, with the step that
/// was running when it was attached. Cloning shares the outbox.
///
/// The runner's events reach the writer after the fact, so an attachment is known by when
/// it was made: it belongs to the step whose event of ending comes first after it.
#[derive(Debug, Clone, Default)]
pub struct Outbox(Arc<Mutex<Vec<(SystemTime, Attachment)>>>);

impl Outbox {
    /// Attaches `attachment` to the running step.
    pub fn attach(&self, attachment: Attachment) {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push((SystemTime::now(), attachment));
    }

    /// Attaches text, as the official `log`.
    pub fn log(&self, text: impl Into<String>) {
        self.attach(Attachment {
            body: Body::Text(text.into()),
            media_type: "text/x.cucumber.log+plain".to_owned(),
            file_name: None,
        });
    }

    /// Everything attached, in order, leaving the outbox empty.
    pub(crate) fn drain(&self) -> Vec<Attachment> {
        self.take(SystemTime::now())
    }

    /// What was attached up to `until`, in order; the rest stays.
    pub(super) fn take(&self, until: SystemTime) -> Vec<Attachment> {
        let mut all = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let (taken, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut *all)
            .into_iter()
            .partition(|(at, _)| *at <= until);
        *all = kept;
        taken
            .into_iter()
            .map(|(_, attachment)| attachment)
            .collect()
    }
}

/// A world the messages can follow: it gives the run its outbox, and may clean up after a
/// scenario.
pub trait MessageWorld:
    cucumber::World + cucumber::codegen::WorldInventory + std::fmt::Debug
{
    /// The outbox the run gives each scenario's world before its first step.
    fn outbox(&mut self) -> &mut Outbox;

    /// Called after every scenario, `failed` or not (casebook's world hands its browser
    /// back here, with a screenshot on failure).
    fn finish(&mut self, failed: bool) -> impl std::future::Future<Output = ()> {
        let _ = failed;
        async {}
    }
}

pub(super) fn redact_attachment(
    mut attachment: Attachment,
    redactor: Option<&crate::redact::Redactor>,
) -> Attachment {
    if let (Some(redactor), Body::Text(text)) = (redactor, &attachment.body) {
        attachment.body = Body::Text(redactor.text(text));
    }
    attachment
}

/// Redacts every string of a message.
pub(super) fn redact_strings(value: &mut serde_json::Value, redactor: &crate::redact::Redactor) {
    match value {
        serde_json::Value::String(text) => *text = redactor.text(text),
        serde_json::Value::Array(items) => {
            items
                .iter_mut()
                .for_each(|item| redact_strings(item, redactor));
        }
        serde_json::Value::Object(map) => {
            map.values_mut()
                .for_each(|item| redact_strings(item, redactor));
        }
        _ => {}
    }
}

pub(super) fn attachment_envelope(
    attachment: Attachment,
    started_id: &str,
    step_id: Option<&str>,
    at: SystemTime,
) -> Envelope {
    use base64::Engine as _;
    let (body, content_encoding) = match attachment.body {
        Body::Text(text) => (text, "IDENTITY"),
        Body::Bytes(bytes) => (
            base64::engine::general_purpose::STANDARD.encode(bytes),
            "BASE64",
        ),
    };
    Envelope::Attachment(envelope::Attachment {
        test_case_started_id: Some(started_id.to_owned()),
        test_step_id: step_id.map(str::to_owned),
        test_run_hook_started_id: None,
        body,
        content_encoding,
        media_type: attachment.media_type,
        file_name: attachment.file_name,
        timestamp: at.into(),
    })
}
