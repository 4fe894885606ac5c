//! What the stream has said of each test case: its steps, its outbox and its attempts.
//! The preparation makes them and the [`Session`](super::Session) follows them.

use std::collections::VecDeque;
use std::time::SystemTime;

use super::envelope::TestStepResultStatus;
use crate::event::Outbox;
use crate::hooks::{self, HookKind};
use crate::model::StepKind;
use crate::registry::Binding;

/// A step of a test case: a pickle step, or a `Before` or `After` hook.
#[derive(Debug)]
pub(super) struct TestStep {
    pub(super) id: String,
    /// The hook (its index in the session's hooks), for a hook step.
    pub(super) hook: Option<usize>,
    pub(super) pickle_step_id: String,
    pub(super) line: usize,
    pub(super) kind: StepKind,
    pub(super) text: String,
    pub(super) has_table: bool,
    pub(super) has_doc_string: bool,
    pub(super) binding: Binding,
}

/// A test case and its current attempt.
#[derive(Debug)]
pub(super) struct TestCase {
    pub(super) id: String,
    pub(super) uri: String,
    pub(super) steps: Vec<TestStep>,
    pub(super) outbox: Outbox,
    pub(super) attempts: usize,
    pub(super) current: Option<Attempt>,
    /// How the hooks of each phase ended (`Before` or `After`, and each hook's step and
    /// outcome), recorded as the runner runs them and reported when its events of that
    /// phase come: first in, first out, since a retry may run before the writer is done
    /// with the attempt before.
    pub(super) hook_runs: VecDeque<(HookKind, Vec<(usize, hooks::HookOutcome)>)>,
}

/// One attempt of a test case: what the stream has reported of each step so far.
#[derive(Debug)]
pub(super) struct Attempt {
    pub(super) id: String,
    pub(super) reported: Vec<Option<TestStepResultStatus>>,
    pub(super) running: Option<(usize, SystemTime)>,
}
