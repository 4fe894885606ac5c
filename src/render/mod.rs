//! Stage: render — the run record and the traceability matrix → report files.
//!
//! Every renderer is a pure function of the record and the matrix (and the catalog for
//! titles), so `casebook report` can re-render a saved run, and adding a format touches one
//! file. Each escapes everything it shows.

pub mod markdown;
pub mod trace;
