//! Stage: render — the run record and the traceability matrix → report files.
//!
//! Every renderer is a pure function of [`Inputs`] (the suite, the catalog, the run record
//! and the matrix), so `casebook report` can re-render a saved run, and adding a format
//! touches one file and one line of [`write_all`]. Each escapes everything it shows.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use crate::catalog::Catalog;
use crate::config::Config;
use crate::model::Suite;
use crate::record::RunRecord;
use crate::trace::TraceMatrix;

pub mod cucumber_json;
pub mod html;
pub mod impact;
pub mod junit;
pub mod markdown;
pub mod steps;
pub mod terminal;
pub mod trace;

#[cfg(test)]
mod snapshots;

/// What every report is rendered from.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    /// The feature files as read (the record names cases by file and line).
    pub suite: &'a Suite,
    /// The requirements catalog, when the project has one.
    pub catalog: Option<&'a Catalog>,
    /// The run.
    pub record: &'a RunRecord,
    /// Requirement → cases → scripts → outcomes.
    pub matrix: &'a TraceMatrix,
    /// The configuration: the `[report]` settings and the tag conventions (what is quoted
    /// from the feature files comes masked in the matrix).
    pub config: &'a Config,
    /// The files the record's attachments name.
    pub attachments: &'a AttachmentFiles,
}

/// The attachment files of a run (screenshots, HTTP transcripts), read from the report
/// directory before rendering, so that the renderers that embed them stay pure functions.
#[derive(Debug, Default)]
pub struct AttachmentFiles(BTreeMap<PathBuf, Vec<u8>>);

impl AttachmentFiles {
    /// Reads every attachment of `record` that exists in `dir`. A file that is gone is left
    /// out: the reports then name it instead of showing it. Only plain relative paths are
    /// read: a record is data (`casebook report --run FILE` renders any file), and a path
    /// that climbs out of the report directory must not pull another file into a report.
    pub fn read(dir: &Path, record: &RunRecord) -> Self {
        let files = record
            .executions
            .iter()
            .flat_map(|execution| &execution.attachments)
            .filter(|attachment| {
                attachment
                    .path
                    .components()
                    .all(|c| matches!(c, Component::Normal(_)))
            })
            .filter_map(|attachment| {
                let bytes = std::fs::read(dir.join(&attachment.path)).ok()?;
                Some((attachment.path.clone(), bytes))
            })
            .collect();
        AttachmentFiles(files)
    }

    /// The bytes of the attachment at `path` (relative to the report directory).
    pub fn get(&self, path: &Path) -> Option<&[u8]> {
        self.0.get(path).map(Vec::as_slice)
    }
}

pub use crate::output::{Buffered, buffered};

/// A report format: a pure function of the inputs, written as it is produced.
pub type Renderer = fn(&Inputs<'_>, &mut dyn Write) -> std::io::Result<()>;

/// Every report file, by name, with its renderer.
const REPORTS: [(&str, Renderer); 4] = [
    ("summary.md", |i, out| {
        out.write_all(markdown::summary(i.record, i.matrix).as_bytes())
    }),
    ("junit.xml", |i, out| {
        junit::junit(i, i.config.report.junit, out)
    }),
    ("cucumber.json", cucumber_json::cucumber_json),
    ("report.html", html::report),
];

/// The names of the report files, in the order [`write_all`] writes them.
pub fn names() -> impl Iterator<Item = &'static str> {
    REPORTS.iter().map(|(name, _)| *name)
}

/// A report file that cannot be written (a full disk, a directory in its place).
#[derive(Debug, thiserror::Error)]
#[error("cannot write `{}`: {source}", path.display())]
pub struct WriteError {
    /// The file.
    pub path: PathBuf,
    /// Why.
    pub source: std::io::Error,
}

/// Writes every report file into `dir` and returns their paths, in the order listed.
///
/// The formats are rendered and written on threads of their own: each is a pure function of
/// the same inputs, and a run would otherwise add their times up at its end.
pub fn write_all(dir: &Path, inputs: &Inputs<'_>) -> Result<Vec<PathBuf>, WriteError> {
    std::thread::scope(|scope| {
        let writers: Vec<_> = REPORTS
            .into_iter()
            .map(|(name, render)| {
                scope.spawn(move || {
                    let path = dir.join(name);
                    match crate::output::write_report_with(&path, |out| render(inputs, out)) {
                        Ok(()) => Ok(path),
                        Err(source) => Err(WriteError { path, source }),
                    }
                })
            })
            .collect();
        writers
            .into_iter()
            .map(|writer| {
                writer
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_attachments_inside_the_report_directory_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let reports = dir.path().join("reports");
        std::fs::create_dir_all(reports.join("attachments")).unwrap();
        std::fs::write(reports.join("attachments/shot.png"), b"png").unwrap();
        std::fs::write(dir.path().join("secret.txt"), b"secret").unwrap();
        let attachment = |path: &str| crate::record::Attachment {
            name: path.to_owned(),
            media_type: "text/plain".to_owned(),
            path: PathBuf::from(path),
        };
        let mut record = RunRecord::default();
        record.executions.push(crate::record::ExecutionRecord {
            case_id: None,
            title: "t".into(),
            feature: "f".into(),
            file: "f.feature".into(),
            line: 1,
            example: None,
            requirements: vec![],
            status: crate::record::Status::Failed,
            attempts: 1,
            duration_ms: 0,
            steps: vec![],
            failure: None,
            attachments: vec![
                attachment("attachments/shot.png"),
                attachment("../secret.txt"),
                attachment("attachments/missing.png"),
            ],
            skipped_by_impact: false,
            step_durations_us: Vec::new(),
        });
        let read = AttachmentFiles::read(&reports, &record);
        assert_eq!(
            read.0.into_iter().collect::<Vec<_>>(),
            [(PathBuf::from("attachments/shot.png"), b"png".to_vec())]
        );
    }
}
