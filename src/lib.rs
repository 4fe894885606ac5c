//! casebook turns Gherkin feature files into a traceable library of test cases.
//!
//! Each Scenario is a **test case** with a stable ID tag and links to the requirements it
//! proves; the step definitions behind it are its **test script**. The library is laid out
//! as the pipeline it runs, one module per stage, data flowing one way:
//!
//! ```text
//! features/*.feature ─ parse ─ suite ─▶ Suite (cases, requirements, executions; each one's steps are its pickle)
//!                                     └─ ids ─▶ an ID tag for every case without one, written back
//!                                     └─ contract ─▶ the hash of what each execution asks
//! requirements.toml ─ catalog ─▶ Catalog
//! step definitions ─ registry ─▶ Bindings, computed once per run
//! Suite + Catalog + Bindings + config ─ lint ─▶ Diagnostics
//! Suite + Bindings + a change (git, a diff) ─ impact ─▶ the cases the change can break
//! Suite + Bindings ─ plan ─▶ Plan ─ run (cucumber-rs, World) ─▶ events ─ record ─▶ RunRecord
//!                                                          └─ messages ─▶ messages.ndjson
//! manual-results/ ─ manual ─▶ testers' results (per case, release, content hash)
//! Suite + Catalog + Bindings + RunRecord + manual ─ trace ─▶ TraceMatrix (the only join)
//! RunRecord + TraceMatrix ─ render ─▶ report.html · junit.xml · cucumber.json · summary.md · terminal
//! ```
//!
//! The modules, in that order; each imports only those above it (`tests/architecture.rs`
//! holds the order). [`project`] and [`harness`] tie the stages together the way
//! `casebook.toml` ([`config`]) says.

#![warn(missing_docs)]

// Plain data and helpers every stage may use.
pub mod location;
pub mod model;
pub mod text;
pub mod output;
pub mod exit;
pub mod redact;
// `casebook.toml`, and the release under test.
pub mod config;
pub mod tls;
pub mod release;
// Reading the suite, its requirements and its step definitions.
pub mod parse;
pub mod suite;
pub mod ids;
pub mod contract;
pub mod catalog;
pub mod registry;
pub mod lint;
pub mod impact;
// Running it, and the record of the run.
pub mod plan;
pub mod compile;
pub mod record;
pub mod event;
pub mod world;
pub mod hooks;
pub mod steps;
pub mod messages;
pub mod run;
// Reading a run: testers' results, the matrix, the reports.
pub mod manual;
pub mod trace;
pub mod render;
// Tying the stages together.
pub mod project;
pub mod harness;
pub mod prelude;

/// The cucumber-rs casebook is built on. Its step attributes (`#[given]`, …) expand to
/// paths under `::cucumber`, so a step crate also depends on it directly, at this version
/// (`cucumber = "0.23"`): two versions would be two step registries.
pub use cucumber;
pub use world::World;
