//! casebook turns Gherkin feature files into a traceable library of test cases.
//!
//! Each Scenario is a **test case** with a stable ID tag and links to the requirements it
//! proves; the step definitions behind it are its **test script**. The library is laid out
//! as the pipeline it runs, one module per stage, data flowing one way:
//!
//! ```text
//! features/*.feature ─ parse ─▶ Feature ─ suite ─▶ Suite (cases, IDs, requirements, modes)
//! requirements.toml ─ catalog ─▶ Catalog
//! Suite + Catalog + config ─ lint ─▶ Diagnostics ─ lint::format ─▶ human · JSON · GitHub
//! manual-results/ ─ manual ─▶ Manual outcomes (per case, release, content hash)
//! Suite + Catalog + Bindings + RunRecord + Manual ─ trace ─▶ TraceMatrix ─ render ─▶ reports
//! ```
//!
//! [`project`] ties the stages together the way `casebook.toml` ([`config`]) says.

#![warn(missing_docs)]

pub mod catalog;
pub mod compile;
pub mod config;
pub mod event;
pub mod exit;
pub mod harness;
pub mod hooks;
pub mod lint;
pub mod location;
pub mod manual;
pub mod messages;
pub mod model;
pub mod output;
pub mod parse;
pub mod plan;
pub mod project;
pub mod record;
pub mod redact;
pub mod registry;
pub mod release;
pub mod render;
pub mod run;
pub mod steps;
pub mod suite;
pub mod text;
pub mod trace;
pub mod world;

pub use world::World;
