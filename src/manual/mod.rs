//! Stage: manual — testers' results of the cases without a script → manual outcomes per case,
//! release and content hash.
//!
//! ```text
//! manual-results/<release>.toml ─ manual ─▶ Ledger (the latest answer per case, valid or stale)
//! Suite + Bindings ─ manual::queue ─▶ the cases a tester runs
//! ```
//!
//! A case is manual when it has the manual tag, or when `[tags] automation` is set and it
//! lacks that tag ([`suite`](crate::suite) decides); an automated case with a step that has
//! no single step definition waits for its script in the same queue, "awaiting automation".
//! Testers answer through `casebook manual run` ([`session`]), `record`, or a checklist
//! round trip ([`checklist`]); [`results`] keeps every answer in a TOML file per release.
//! A result counts for the release it was recorded in, and only while the hash of the
//! case's steps ([`case_hash`]) is the one it was run against: otherwise it is **stale**.

pub mod checklist;
pub mod queue;
pub mod results;
pub mod session;

use std::path::Path;

use serde::Serialize;

use crate::release;

pub use crate::contract::{case_hash, is_hash};
pub use queue::{Item, Kind, Queue};
pub use results::{ManualResult, ManualStatus, ResultsFile};

/// The label results are recorded under when no release is known ([`release::UNRELEASED`]).
pub use crate::release::UNRELEASED;

/// The testers' results that count for `release` (see [`release::counted`]): those of
/// `<dir>/<release>.toml`, and the other releases' as stale. A results file that cannot be
/// read is named on stderr, and the caller goes on without it.
pub fn ledger(dir: &Path, release: &str) -> Ledger {
    let ledger = Ledger::load(dir, release);
    for problem in &ledger.problems {
        eprintln!("warning: skipped a manual results file that cannot be read: {problem}");
    }
    ledger
}

/// Why a result no longer proves its case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Validity {
    /// Recorded for the release reported, against the case's current steps.
    Valid,
    /// Recorded for another release.
    OtherRelease,
    /// The case's steps have changed since it was run.
    CaseChanged,
}

impl Validity {
    /// The words reports show.
    pub fn label(self) -> &'static str {
        match self {
            Validity::Valid => "valid",
            Validity::OtherRelease => "stale: other release",
            Validity::CaseChanged => "stale: case changed",
        }
    }

    /// Whether the result still counts.
    pub fn is_valid(self) -> bool {
        self == Validity::Valid
    }
}

/// The latest result of one case (and row), with what it is worth now.
#[derive(Debug, Clone, Copy)]
pub struct Latest<'l> {
    /// The answer.
    pub result: &'l ManualResult,
    /// The release it was recorded for.
    pub release: &'l str,
    /// Whether it still counts.
    pub validity: Validity,
}

/// Every results file of a project, read for one release: the results that count for it,
/// and those of other releases, which can only be shown as stale.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    /// The release reported.
    pub release: String,
    /// Its results.
    pub current: ResultsFile,
    /// The other releases' files.
    pub others: Vec<ResultsFile>,
    /// Files that could not be read; the others still are.
    pub problems: Vec<String>,
}

impl Ledger {
    /// No result at all, for `release`.
    pub fn empty(release: &str) -> Self {
        Ledger {
            release: release.to_owned(),
            ..Ledger::default()
        }
    }

    /// Reads every `*.toml` file of `dir` for `release`. A file that cannot be read is left
    /// out and named in [`Ledger::problems`]; no directory means no result yet.
    pub fn load(dir: &Path, release: &str) -> Self {
        let mut ledger = Ledger::empty(release);
        let current = results::path(dir, release);
        ledger.current.path = current.clone();
        ledger.current.release = release.to_owned();
        let Ok(entries) = std::fs::read_dir(dir) else {
            return ledger;
        };
        let mut files: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|e| e == "toml") && path.is_file())
            .collect();
        files.sort();
        for file in files {
            match results::load(&file, release) {
                Ok(read) if file == current && read.release == release => ledger.current = read,
                Ok(read) => ledger.others.push(read),
                Err(err) => ledger.problems.push(err.to_string()),
            }
        }
        ledger
    }

    /// The result that stands for `case` (and `row`), whose steps now hash to `hash`: the
    /// last answer of the release reported, or else the newest answer of any other release,
    /// which is stale.
    pub fn latest(&self, case: &str, row: Option<usize>, hash: &str) -> Option<Latest<'_>> {
        if let Some(result) = self.current.latest(case, row) {
            let validity = if result.case_hash == hash {
                Validity::Valid
            } else {
                Validity::CaseChanged
            };
            return Some(Latest {
                result,
                release: &self.current.release,
                validity,
            });
        }
        self.others
            .iter()
            .filter_map(|file| file.latest(case, row).map(|r| (file, r)))
            .max_by_key(|(_, r)| r.time())
            .map(|(file, result)| Latest {
                result,
                release: &file.release,
                validity: Validity::OtherRelease,
            })
    }
}

/// Who is testing: `explicit` (`--tester` or `CASEBOOK_TESTER`), else git's `user.name`,
/// else the login name.
pub fn tester(explicit: Option<&str>, root: &Path) -> String {
    explicit
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(str::to_owned)
        .or_else(|| release::git(root, &["config", "user.name"]))
        .or_else(|| std::env::var("USER").ok().filter(|u| !u.is_empty()))
        .unwrap_or_else(|| "unknown".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(case: &str, status: ManualStatus, at: &str, hash: &str) -> ManualResult {
        ManualResult {
            case: case.into(),
            row: None,
            status,
            actual: String::new(),
            defect: None,
            tester: "t".into(),
            at: at.into(),
            case_hash: hash.into(),
        }
    }

    fn file(release: &str, results: Vec<ManualResult>) -> ResultsFile {
        ResultsFile {
            path: format!("{release}.toml").into(),
            release: release.into(),
            results,
        }
    }

    #[test]
    fn a_result_is_stale_for_another_release_or_a_changed_case() {
        let (old, new) = ("sha256:old", "sha256:new");
        let ledger = Ledger {
            release: "2.0".into(),
            current: file(
                "2.0",
                vec![
                    answer("A-1", ManualStatus::Failed, "2024-06-01T00:00:00Z", new),
                    answer("A-1", ManualStatus::Passed, "2024-06-02T00:00:00Z", new),
                    answer("A-2", ManualStatus::Passed, "2024-06-01T00:00:00Z", old),
                ],
            ),
            others: vec![
                file(
                    "1.0",
                    vec![answer(
                        "A-3",
                        ManualStatus::Failed,
                        "2024-01-01T00:00:00Z",
                        new,
                    )],
                ),
                file(
                    "1.1",
                    vec![answer(
                        "A-3",
                        ManualStatus::Blocked,
                        "2024-02-01T00:00:00Z",
                        new,
                    )],
                ),
                file(
                    "0.9",
                    vec![answer(
                        "A-1",
                        ManualStatus::Failed,
                        "2024-12-01T00:00:00Z",
                        new,
                    )],
                ),
            ],
            problems: Vec::new(),
        };
        let latest = |case| {
            ledger
                .latest(case, None, new)
                .map(|l| (l.result.status, l.release, l.validity.label()))
        };
        assert_eq!(
            latest("A-1"),
            Some((ManualStatus::Passed, "2.0", "valid")),
            "the last answer of the release reported counts, however new another release's is"
        );
        assert_eq!(
            latest("A-2"),
            Some((ManualStatus::Passed, "2.0", "stale: case changed"))
        );
        assert_eq!(
            latest("A-3"),
            Some((ManualStatus::Blocked, "1.1", "stale: other release")),
            "the newest of the other releases"
        );
        assert_eq!(latest("A-4"), None);
        assert!(
            ledger.latest("A-1", Some(1), new).is_none(),
            "rows are apart"
        );
    }

    #[test]
    fn every_file_is_read_and_a_broken_one_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let hash = format!("sha256:{}", "b".repeat(64));
        let mut result = answer("A-1", ManualStatus::Passed, "2024-06-01T00:00:00Z", &hash);
        results::append(dir.path(), "1.0", std::slice::from_ref(&result), None).unwrap();
        result.status = ManualStatus::Failed;
        results::append(dir.path(), "2.0", std::slice::from_ref(&result), None).unwrap();
        std::fs::write(dir.path().join("broken.toml"), "release = \n").unwrap();
        let ledger = Ledger::load(dir.path(), "2.0");
        assert_eq!(ledger.current.results, [result]);
        assert_eq!(ledger.others.len(), 1);
        assert_eq!(ledger.problems.len(), 1);
        assert!(
            ledger.problems[0].contains("broken.toml:1:"),
            "{:?}",
            ledger.problems
        );
        assert_eq!(
            Ledger::load(&dir.path().join("none"), "2.0")
                .current
                .results,
            []
        );
    }
}
