//! The Cucumber Messages of a run (`messages.ndjson`): starting and ending the stream, the
//! plan of each feature file it tells of, and [`run_messages`], which runs a suite for its
//! messages alone (the Cucumber Compatibility Kit's samples).

use std::collections::HashMap;
use std::path::Path;

use super::cucumber::{Discard, cucumber_run};
use super::hooks::run_hooks;
use super::{Options, Order};
use crate::event::MessageWorld;
use crate::hooks::{HookKind, Hooks};
use crate::location::absolute;
use crate::messages::{self, FilePlan, PlannedCase, Session, Sink};
use crate::model::{Feature, Suite};
use crate::plan::{self, Plan};
use crate::registry::Registry;

/// Starts the messages of a run: `meta`, the step definitions, `testRunStarted`, and the
/// files that did not parse.
pub(super) fn start_messages(
    suite: &Suite,
    registry: &Registry,
    hooks: &Hooks,
    options: &Options,
    sink: Sink,
    redactor: Option<crate::redact::Redactor>,
) -> messages::Shared {
    // Step definitions name their files relative to the package they are compiled in,
    // which is where `cargo test` runs a test binary.
    let root = std::env::current_dir().unwrap_or_default();
    let mut session = Session::start(
        sink,
        messages::meta(),
        registry,
        hooks,
        &root,
        options.strict,
    );
    if let Some(redactor) = redactor {
        session = session.redact(redactor);
    }
    for failure in &suite.failures {
        if !failure.source.is_empty() {
            session.unparsed(&failure.path.to_string_lossy(), &failure.source);
        }
    }
    messages::Shared::new(session)
}

/// Ends the messages of a run with `testRunFinished`, and says if they could not be written.
pub(super) fn finish_messages(session: &messages::Shared, path: &Path) {
    let mut session = session.lock();
    session.finish();
    if let Some(err) = session.error() {
        eprintln!("warning: `{}` is incomplete: {err}", path.display());
    }
}

/// Every feature file of the suite with the test cases the plan selected in it, and how each
/// runs.
pub(super) fn file_plans(suite: &Suite, plan: &Plan<'_>, options: &Options) -> Vec<FilePlan> {
    let mut files: Vec<FilePlan> = suite
        .features
        .iter()
        .enumerate()
        .map(|(number, feature)| FilePlan {
            number,
            uri: feature.path.to_string_lossy().into_owned(),
            path: absolute(&feature.path),
            source: feature.source.clone(),
            cases: HashMap::new(),
            reverse: options.order == Order::Reverse,
        })
        .collect();
    let numbers: HashMap<*const Feature, usize> = suite
        .features
        .iter()
        .enumerate()
        .map(|(number, feature)| (std::ptr::from_ref(feature), number))
        .collect();
    for planned in &plan.executions {
        let Some(&number) = numbers.get(&std::ptr::from_ref(planned.feature)) else {
            continue;
        };
        let run = if options.dry_run || planned.skipped_by_impact {
            messages::Run::Not
        } else if planned.is_runnable() {
            messages::Run::All
        } else if options.run_unresolved {
            messages::Run::UntilUnresolved
        } else {
            messages::Run::Not
        };
        files[number].cases.insert(
            plan::pickle_line(planned.case, planned.execution),
            PlannedCase {
                bindings: planned
                    .steps
                    .iter()
                    .map(|step| (step.kind, step.binding.clone()))
                    .collect(),
                run,
            },
        );
    }
    if options.order == Order::Reverse {
        files.reverse();
    }
    files
}

/// Writes the messages of a run in which nothing executes.
pub(super) fn report_without_running(session: &messages::Shared, files: &[FilePlan]) {
    let mut session = session.lock();
    for file in files {
        session.file(file);
    }
}

/// Runs `suite` with the step definitions of world `W` (any world, not only casebook's),
/// writing only Cucumber Messages to `sink`; whether the run succeeded, as its
/// `testRunFinished` says. This is how the Cucumber Compatibility Kit's samples run.
pub async fn run_messages<W: MessageWorld>(
    suite: &Suite,
    registry: &Registry,
    options: &Options,
    sink: Sink,
) -> bool {
    // A run of another world's suite, on its own: nothing bound it before.
    let bindings = crate::registry::Bindings::of(registry, suite);
    let plan = Plan::new(suite, &bindings, &options.filter);
    let hooks = Hooks::collect::<W>();
    let session = start_messages(suite, registry, &hooks, options, sink, None);
    let mut files = file_plans(suite, &plan, options);
    let before_all = if options.dry_run {
        Vec::new()
    } else {
        run_hooks::<W>(&session, HookKind::BeforeAll, options).await
    };
    if !before_all.is_empty() {
        // Cucumber runs no test case after a failed `BeforeAll` hook, nor makes one.
        files.iter_mut().for_each(|file| file.cases.clear());
    }
    if files
        .iter()
        .all(|f| f.cases.values().all(|c| c.run == messages::Run::Not))
    {
        report_without_running(&session, &files);
    } else {
        cucumber_run::<W, _>(files, session.clone(), Discard, options).await;
    }
    if !options.dry_run {
        run_hooks::<W>(&session, HookKind::AfterAll, options).await;
    }
    let mut session = session.lock();
    session.finish()
}
