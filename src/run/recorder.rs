//! [`Recorder`]: the cucumber-rs writer that folds the event stream into an
//! [`Attempt`] per execution (the record's fold then makes the record of them), and shows
//! progress while it does.
//!
//! Scenarios run concurrently, so their events interleave. The recorder keys every event by
//! its scenario (feature file and line), which makes the order of arrival irrelevant: that
//! is why it is [`Normalized`](cucumber::writer::Normalized) without cucumber's `Normalize`
//! buffer, and why the run record it feeds is in suite order whatever finished first.

use foldhash::{HashMap, HashMapExt as _};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use cucumber::event::{
    self, Cucumber, Feature as FeatureEvent, Rule as RuleEvent, Scenario as ScenarioEvent,
};
use cucumber::{Event, gherkin, parser};

use crate::World;
use crate::plan::{Lookup, Plan};
use crate::record::fold::{Attempt, ReportedStep};
use crate::record::{Attachment, Failure, StepStatus};
use crate::redact::Redactor;

/// The attempts of the finished scenarios, by planned index: the run's futures are `!Send`
/// and run on one thread, so a shared cell is enough.
pub type Finished = std::rc::Rc<std::cell::RefCell<Vec<Attempt>>>;

/// Collects attempts per planned execution.
pub struct Recorder {
    /// Which execution a scenario stands for.
    lookup: Lookup,
    /// The file number of each feature the runner reported, by its path as the runner
    /// gives it, so a path is resolved once per file. (Not by the feature's address:
    /// features are built and dropped as the run goes, and an address may come back.)
    files: HashMap<Box<[u8]>, Option<usize>>,
    /// Attempts by planned index.
    pub attempts: Vec<Attempt>,
    /// The attempts of the scenarios that finished for good, by planned index, shared with
    /// the run: what an interrupted run still records. Each moves there from `attempts`.
    finished: Finished,
    /// Where failure transcripts are written, and how they are named in the record.
    attachments: AttachmentSink,
    /// Masks secrets in error messages, which may quote bodies and headers.
    redactor: Redactor,
    progress: Progress,
}

/// Writes attachment files under the report directory.
#[derive(Debug, Clone)]
pub struct AttachmentSink {
    /// The report directory; attachment paths in the record are relative to it.
    pub report_dir: PathBuf,
    /// A file-name stem per planned execution (`PAY-CC-014`, `PAY-CC-014-row2`).
    pub stems: Vec<String>,
}

impl Recorder {
    /// A recorder for `plan`, expecting `runnable` executions to be run.
    pub fn new(
        plan: &Plan<'_>,
        runnable: usize,
        attachments: AttachmentSink,
        redactor: Redactor,
        progress_after: Option<Arc<AtomicBool>>,
        finished: Finished,
    ) -> Self {
        Self {
            finished,
            redactor,
            lookup: plan.lookup.clone(),
            files: HashMap::new(),
            attempts: plan
                .executions
                .iter()
                .map(|planned| Attempt::new(planned.steps.len()))
                .collect(),
            attachments,
            progress: Progress::new(runnable, progress_after),
        }
    }

    fn index(&mut self, feature: &gherkin::Feature, scenario: &gherkin::Scenario) -> Option<usize> {
        let path = feature.path.as_deref()?;
        let key = crate::compile::path_key(path);
        let file = match self.files.get(key) {
            Some(file) => *file,
            None => *self
                .files
                .entry(key.into())
                .or_insert(self.lookup.file(path)),
        };
        self.lookup.execution(file?, scenario.position.line)
    }

    fn on_scenario(
        &mut self,
        feature: &gherkin::Feature,
        scenario: &gherkin::Scenario,
        event: event::RetryableScenario<World>,
    ) {
        let Some(index) = self.index(feature, scenario) else {
            return;
        };
        let will_retry = event.retries.is_some_and(|retries| retries.left > 0);
        let attempt = &mut self.attempts[index];
        match event.event {
            ScenarioEvent::Started => attempt.start(),
            ScenarioEvent::Step(step, outcome) | ScenarioEvent::Background(step, outcome) => {
                self.on_step(index, &step, outcome)
            }
            ScenarioEvent::Hook(kind, event::Hook::Failed(world, info)) => {
                let attempt = &mut self.attempts[index];
                attempt.ever_failed = true;
                attempt.failure.get_or_insert_with(|| {
                    Box::new(Failure {
                        step: format!("{kind:?} hook"),
                        line: scenario.position.line,
                        error: self.redactor.text(&panic_message(&info)),
                        definition: None,
                        exchange: None,
                    })
                });
                if let Some(world) = world {
                    self.attach(index, &world);
                }
            }
            ScenarioEvent::Hook(..) | ScenarioEvent::Log(_) => {}
            ScenarioEvent::Finished => {
                let failed = attempt.finish();
                // The last attempt is final: it moves to the run's record of what finished,
                // which an interrupted run still has. One to be retried stays, to go on.
                if !(failed && will_retry) {
                    self.progress.finished(failed);
                    if let Some(slot) = self.finished.borrow_mut().get_mut(index) {
                        *slot = std::mem::take(&mut self.attempts[index]);
                    }
                }
            }
        }
    }

    fn on_step(&mut self, index: usize, step: &gherkin::Step, outcome: event::Step<World>) {
        let (line, attempt) = (step.position.line, &mut self.attempts[index]);
        match outcome {
            event::Step::Started => attempt.step_started(),
            event::Step::Passed(_, definition) => {
                attempt.report(ReportedStep {
                    line,
                    status: StepStatus::Passed,
                    definition,
                });
            }
            event::Step::Skipped => {
                attempt.report(ReportedStep {
                    line,
                    status: StepStatus::Skipped,
                    definition: None,
                });
            }
            event::Step::Failed(_, location, world, error) => {
                let (status, error) = match error {
                    event::StepError::NotFound => (
                        StepStatus::Unbound,
                        "no step definition matches this step".to_owned(),
                    ),
                    event::StepError::AmbiguousMatch(err) => {
                        (StepStatus::Ambiguous, err.to_string())
                    }
                    event::StepError::Panic(info) => (StepStatus::Failed, panic_message(&info)),
                };
                attempt.report(ReportedStep {
                    line,
                    status,
                    definition: location,
                });
                attempt.ever_failed = true;
                attempt.failure = Some(Box::new(Failure {
                    step: format!("{}{}", step.keyword, step.value),
                    line,
                    error: self.redactor.text(&error),
                    definition: location.map(|at| crate::registry::place(at).to_string()),
                    exchange: None,
                }));
                if let Some(world) = world {
                    self.attach(index, &world);
                }
            }
        }
    }

    /// Keeps what the failed scenario's world attached, writes its HTTP transcript, and
    /// puts its last exchange beside the failure.
    fn attach(&mut self, index: usize, world: &Arc<World>) {
        let mut attachments = world.attachments().to_vec();
        if world.http.exchange_count() > 0 {
            let transcript = world.http.transcript();
            if let Some(failure) = &mut self.attempts[index].failure {
                failure.exchange = transcript.last().cloned();
            }
            let name = format!("attachments/{}-http.json", self.attachments.stems[index]);
            let json = serde_json::to_string_pretty(&transcript).expect("plain data serializes");
            match crate::output::write_atomic(
                &self.attachments.report_dir.join(&name),
                json.as_bytes(),
            ) {
                Ok(()) => attachments.push(Attachment {
                    name: "http transcript".into(),
                    media_type: "application/json".into(),
                    path: PathBuf::from(name),
                }),
                Err(err) => eprintln!("warning: cannot write the HTTP transcript `{name}`: {err}"),
            }
        }
        self.attempts[index].attachments = attachments;
    }

    /// Ends the progress line.
    pub fn finish(&mut self) {
        self.progress.done();
    }
}

impl cucumber::Writer<World> for Recorder {
    type Cli = cucumber::cli::Empty;

    async fn handle_event(&mut self, event: parser::Result<Event<Cucumber<World>>>, _: &Self::Cli) {
        // Parse errors are reported by lint, with better positions; nothing to record here.
        let Ok(event) = event else { return };
        match event.value {
            Cucumber::Feature(feature, FeatureEvent::Scenario(scenario, event)) => {
                self.on_scenario(&feature, &scenario, event)
            }
            Cucumber::Feature(
                feature,
                FeatureEvent::Rule(_, RuleEvent::Scenario(scenario, event)),
            ) => self.on_scenario(&feature, &scenario, event),
            Cucumber::Finished => self.finish(),
            _ => {}
        }
    }
}

// Events are keyed by scenario, so their interleaving does not matter (see the module docs).
impl cucumber::writer::Normalized for Recorder {}

/// The text of a panic payload: steps fail by panicking, with a `String` or a `&str`, or
/// end as pending or skipped with casebook's payload (which the record counts as failed:
/// the case did not pass).
fn panic_message(info: &event::Info) -> String {
    let (status, message) = crate::event::panic_outcome(info);
    match status {
        crate::event::StepEnd::Pending => format!("pending: {}", message.unwrap_or_default()),
        crate::event::StepEnd::Skipped => format!("skipped: {}", message.unwrap_or_default()),
        _ => message.unwrap_or_default(),
    }
}

/// A one-line progress display on stderr: rewritten in place on a terminal, printed every
/// tenth of the way otherwise (CI logs should not fill with thousands of lines).
struct Progress {
    total: usize,
    done: usize,
    failed: usize,
    terminal: bool,
    last_step: usize,
    /// The count of done cases the last line showed.
    shown: usize,
    /// Set when what shows first has been printed (see `Options::progress_after`).
    after: Option<Arc<AtomicBool>>,
    /// When the first case started, for the estimate of what is left.
    started: std::time::Instant,
    /// When the last line was written: a log (CI) gets one every few seconds.
    last_line: std::time::Instant,
}

/// How often a log that is not a terminal gets a progress line, besides every tenth of the
/// run: often enough to show a long run is alive, rarely enough to keep the log short.
const LOG_EVERY: Duration = Duration::from_secs(5);

/// The progress line: how many cases are done and failed, and, once one is done, about how
/// long the rest will take at the pace so far.
fn progress_line(done: usize, total: usize, failed: usize, elapsed: Duration) -> String {
    let mut line = format!("running {done}/{total} cases: {failed} failed");
    if done > 0 && done < total {
        let left = elapsed.mul_f64((total - done) as f64 / done as f64);
        let seconds = left.as_secs();
        let estimate = match seconds {
            0..=59 => format!("{}s", seconds.max(1)),
            60..=3599 => format!("{}m {:02}s", seconds / 60, seconds % 60),
            _ => format!("{}h {:02}m", seconds / 3600, seconds / 60 % 60),
        };
        line.push_str(&format!(", about {estimate} left"));
    }
    line
}

impl Progress {
    fn new(total: usize, after: Option<Arc<AtomicBool>>) -> Self {
        Self {
            total,
            done: 0,
            failed: 0,
            terminal: std::io::stderr().is_terminal(),
            last_step: 0,
            shown: 0,
            after,
            started: std::time::Instant::now(),
            last_line: std::time::Instant::now(),
        }
    }

    fn finished(&mut self, failed: bool) {
        self.done += 1;
        self.failed += usize::from(failed);
        let step = self.done * 10 / self.total.max(1);
        // A line held back is shown with the next case after the wait.
        let may_show = self
            .after
            .as_ref()
            .is_none_or(|after| after.load(Ordering::Acquire));
        let due = self.last_line.elapsed() >= LOG_EVERY;
        if may_show && (self.terminal || step > self.last_step || due) {
            self.last_step = step;
            self.show();
        }
    }

    fn show(&mut self) {
        self.shown = self.done;
        self.last_line = std::time::Instant::now();
        let line = progress_line(self.done, self.total, self.failed, self.started.elapsed());
        let mut stderr = std::io::stderr().lock();
        let _ = if self.terminal {
            // The line shortens as the estimate does: clear what the last one left.
            write!(stderr, "\r{line}\x1b[K")
        } else {
            writeln!(stderr, "{line}")
        };
    }

    fn done(&mut self) {
        // A run quicker than what shows first waits for it, so that its last line comes after.
        if let Some(after) = &self.after {
            while !after.load(Ordering::Acquire) {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        if self.done > 0 && self.shown != self.done {
            self.show();
        }
        if self.terminal && self.done > 0 {
            eprintln!();
        }
        self.terminal = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_progress_line_estimates_what_is_left_at_the_pace_so_far() {
        let line = |done, total, failed, seconds| {
            progress_line(done, total, failed, Duration::from_secs(seconds))
        };
        assert_eq!(line(0, 20, 0, 0), "running 0/20 cases: 0 failed");
        assert_eq!(
            line(5, 20, 1, 10),
            "running 5/20 cases: 1 failed, about 30s left"
        );
        assert_eq!(
            line(10, 1000, 0, 60),
            "running 10/1000 cases: 0 failed, about 1h 39m left"
        );
        assert_eq!(
            line(1, 100, 0, 3600),
            "running 1/100 cases: 0 failed, about 99h 00m left"
        );
        assert_eq!(line(20, 20, 2, 40), "running 20/20 cases: 2 failed");
    }
}
