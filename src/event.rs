//! The run's event vocabulary: what steps and hooks attach, how a step may end other than
//! passing or failing, and the status a step or hook ended with.
//!
//! These types are the interface between the code that runs (the world, the hooks, the
//! step definitions) and the code that tells of the run (the Cucumber Messages writer, the
//! record). They sit below both, so neither the world nor the hooks know the wire format of
//! [`messages`](crate::messages), which converts them into its own envelopes.

use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// How a step or hook ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StepEnd {
    /// It passed.
    Passed,
    /// It did not run, or decided not to.
    Skipped,
    /// It is not written yet.
    Pending,
    /// No definition matches it.
    Undefined,
    /// Several definitions match it.
    Ambiguous,
    /// It failed.
    Failed,
}

impl StepEnd {
    /// Whether a test case with a step in this status did not pass (Cucumber's "failed-ish";
    /// without `strict`, only a failure counts).
    pub fn fails(self, strict: bool) -> bool {
        match self {
            StepEnd::Passed | StepEnd::Skipped => false,
            StepEnd::Failed => true,
            StepEnd::Pending | StepEnd::Undefined | StepEnd::Ambiguous => strict,
        }
    }
}

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

/// Where a world puts what it attaches until the run writes it out, with the time it was
/// attached. Cloning shares the outbox.
///
/// The runner's events reach the writer after the fact, so an attachment is known by when
/// it was made: it belongs to the step that was running then.
#[derive(Debug, Clone, Default)]
pub struct Outbox(Arc<Mutex<Vec<(SystemTime, Attachment)>>>);

impl Outbox {
    /// Attaches `attachment` to the running step.
    pub fn attach(&self, attachment: Attachment) {
        self.attach_at(SystemTime::now(), attachment);
    }

    /// Attaches `attachment` as made at `at`.
    pub fn attach_at(&self, at: SystemTime, attachment: Attachment) {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push((at, attachment));
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
    pub fn drain(&self) -> Vec<Attachment> {
        self.take(SystemTime::now())
    }

    /// What was attached up to `until`, in order; the rest stays.
    pub fn take(&self, until: SystemTime) -> Vec<Attachment> {
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

/// A world the run can follow: it gives the run its outbox, and may clean up after a
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

/// What a step that panicked with one of these payloads reports, instead of failing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepOutcome {
    /// The step is not written yet: pending.
    Pending(Option<String>),
    /// The step decided not to run: skipped, and so are the steps after it.
    Skipped(Option<String>),
}

/// Ends the running step as pending.
pub fn pending(message: Option<&str>) -> ! {
    std::panic::resume_unwind(Box::new(StepOutcome::Pending(message.map(str::to_owned))))
}

/// Ends the running step as skipped (so are the steps after it).
pub fn skip(message: Option<&str>) -> ! {
    std::panic::resume_unwind(Box::new(StepOutcome::Skipped(message.map(str::to_owned))))
}

/// The status and message of a step that panicked with `info`.
pub fn panic_outcome(info: &cucumber::event::Info) -> (StepEnd, Option<String>) {
    if let Some(outcome) = info.downcast_ref::<StepOutcome>() {
        return match outcome {
            StepOutcome::Pending(message) => (StepEnd::Pending, message.clone()),
            StepOutcome::Skipped(message) => (StepEnd::Skipped, message.clone()),
        };
    }
    let message = info
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| info.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "the step panicked with a value that is not text".to_owned());
    (StepEnd::Failed, Some(message))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn an_outbox_gives_what_was_attached_up_to_a_time() {
        let outbox = Outbox::default();
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(10);
        let text = |s: &str| Attachment {
            body: Body::Text(s.to_owned()),
            media_type: "text/plain".to_owned(),
            file_name: None,
        };
        outbox.attach_at(t0, text("a"));
        outbox.attach_at(t0 + Duration::from_secs(2), text("b"));
        assert_eq!(outbox.take(t0 + Duration::from_secs(1)), [text("a")]);
        assert_eq!(outbox.drain(), [text("b")]);
    }

    #[test]
    fn a_panic_payload_says_how_the_step_ended() {
        let info = |payload: Box<dyn std::any::Any + Send>| -> cucumber::event::Info {
            std::sync::Arc::from(payload)
        };
        let pending = info(Box::new(StepOutcome::Pending(Some("later".into()))));
        assert_eq!(
            panic_outcome(&pending),
            (StepEnd::Pending, Some("later".into()))
        );
        let failed = info(Box::new("boom"));
        assert_eq!(
            panic_outcome(&failed),
            (StepEnd::Failed, Some("boom".into()))
        );
    }
}
