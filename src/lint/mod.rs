//! Stage 4, lint: suite + catalog + settings → [`Diagnostic`]s, each with a stable rule name.
//!
//! Every rule is a small unit struct in [`rules`], listed once in [`rules::ALL`], with its
//! own defaults; [`Settings::resolve`] checks `[lint]` of `casebook.toml` against them.
//! Rules only report; [`check`] applies the configured severities, drops rules turned off
//! and sorts the findings by place, and [`format`](mod@format) renders them for people, for tools and for GitHub.

mod check;
mod diagnostic;
pub mod format;
pub mod rules;
mod settings;

pub use check::{Context, Summary, check};
pub use diagnostic::{Diagnostic, Finding, Severity};
pub use settings::Settings;
