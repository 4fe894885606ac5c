//! Stage: render — the run record and the traceability matrix → report files.
//!
//! Every renderer is a pure function of [`Inputs`] (the suite, the catalog, the run record
//! and the matrix), so `casebook report` can re-render a saved run, and adding a format
//! touches one file and one line of [`write_all`]. Each escapes everything it shows.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::catalog::Catalog;
use crate::model::Suite;
use crate::record::RunRecord;
use crate::registry::Registry;
use crate::trace::TraceMatrix;

pub mod html;
pub mod markdown;
pub mod trace;

/// What every report is rendered from.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    /// The feature files as read (the record names cases by file and line).
    pub suite: &'a Suite,
    /// The requirements catalog, when the project has one.
    pub catalog: Option<&'a Catalog>,
    /// The step definitions the run bound steps to (in `casebook report`, those saved in
    /// `steps.json`, when there is one).
    pub registry: Option<&'a Registry>,
    /// The run.
    pub record: &'a RunRecord,
    /// Requirement → cases → scripts → outcomes.
    pub matrix: &'a TraceMatrix,
    /// The files the record's attachments name.
    pub attachments: &'a AttachmentFiles,
}

/// The attachment files of a run's failed executions (screenshots, HTTP transcripts), read
/// from the report directory before rendering, so that renderers that inline them stay pure
/// functions.
#[derive(Debug, Default)]
pub struct AttachmentFiles(BTreeMap<PathBuf, Vec<u8>>);

impl AttachmentFiles {
    /// Reads every attachment of a failed execution that exists under `dir`. A file that is
    /// gone is left out: the reports then name it instead of showing it.
    pub fn read(dir: &Path, record: &RunRecord) -> Self {
        let files = record
            .failed()
            .flat_map(|e| &e.attachments)
            .filter_map(|a| Some((a.path.clone(), std::fs::read(dir.join(&a.path)).ok()?)))
            .collect();
        AttachmentFiles(files)
    }

    /// The bytes of the attachment at `path` (relative to the report directory).
    pub fn get(&self, path: &Path) -> Option<&[u8]> {
        self.0.get(path).map(Vec::as_slice)
    }
}

/// A report format: a pure function of the inputs.
pub type Renderer = fn(&Inputs<'_>) -> String;

/// Writes every report file into `dir` and returns their paths, in the order written.
pub fn write_all(dir: &Path, inputs: &Inputs<'_>) -> std::io::Result<Vec<PathBuf>> {
    let reports: [(&str, Renderer); 2] = [
        ("summary.md", |i| markdown::summary(i.record, i.matrix)),
        ("report.html", html::report),
    ];
    let mut written = Vec::with_capacity(reports.len());
    for (name, render) in reports {
        let path = dir.join(name);
        crate::output::write_atomic(&path, render(inputs).as_bytes())?;
        written.push(path);
    }
    Ok(written)
}
