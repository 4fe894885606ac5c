//! The `BeforeAll` and `AfterAll` hooks of a run, reported in its messages.

use super::Options;
use crate::event;
use crate::hooks::{self, HookKind};
use crate::messages;
use crate::record::RunHookFailure;

/// Runs the `BeforeAll` or `AfterAll` hooks of world `W`, reporting each in the messages;
/// the ones that failed (failed, or pending in a strict run). Every one runs, even after
/// one failed: a later hook may have something to set up or clean up of its own.
pub(super) async fn run_hooks<W: 'static>(
    session: &messages::Shared,
    kind: HookKind,
    options: &Options,
) -> Vec<RunHookFailure> {
    let running: Vec<(usize, hooks::Hook)> = {
        let session = session.lock();
        let all = session.hooks();
        all.running(kind, std::iter::empty())
            .into_iter()
            .map(|index| (index, all.all()[index].clone()))
            .collect()
    };
    let mut failures = Vec::new();
    for (index, hook) in running {
        let outbox = event::Outbox::default();
        let outcome = hooks::run_for_test_run::<W>(&hook, outbox.clone()).await;
        let mut session = session.lock();
        session.test_run_hook(index, &outcome, outbox.drain());
        if outcome.status.fails(options.strict) {
            failures.push(RunHookFailure {
                hook: hook.label(),
                error: options
                    .context
                    .redactor
                    .text(outcome.message.as_deref().unwrap_or("pending")),
            });
        }
    }
    failures
}
