//! Stage: render — the run record and the traceability matrix → report files.
//!
//! Every renderer is a pure function of [`Inputs`] (the suite, the catalog, the run record
//! and the matrix), so `casebook report` can re-render a saved run, and adding a format
//! touches one file and one line of [`write_all`]. Each escapes everything it shows.

use std::path::{Path, PathBuf};

use crate::catalog::Catalog;
use crate::model::Suite;
use crate::record::RunRecord;
use crate::trace::TraceMatrix;

pub mod markdown;
pub mod trace;

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
}

/// A report format: a pure function of the inputs.
pub type Renderer = fn(&Inputs<'_>) -> String;

/// Writes every report file into `dir` and returns their paths, in the order written.
pub fn write_all(dir: &Path, inputs: &Inputs<'_>) -> std::io::Result<Vec<PathBuf>> {
    let reports: [(&str, Renderer); 1] =
        [("summary.md", |i| markdown::summary(i.record, i.matrix))];
    let mut written = Vec::with_capacity(reports.len());
    for (name, render) in reports {
        let path = dir.join(name);
        crate::output::write_atomic(&path, render(inputs).as_bytes())?;
        written.push(path);
    }
    Ok(written)
}
