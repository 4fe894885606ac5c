//! What steps and hooks attach ([`event::Attachment`]s, kept in a world's
//! [`Outbox`](crate::event::Outbox) until the writer places them in their test step), as
//! `attachment` messages, redacted on the way out.

use std::time::SystemTime;

use super::envelope::{self, Envelope};
use crate::event::{Attachment, Body};

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
