//! Stage: run — the selected automated executions, executed through cucumber-rs, folded into a
//! [`RunRecord`](crate::record::RunRecord).
//!
//! Before anything runs, every step is bound against the registry ([`plan`](crate::plan)).
//! Executions with an unbound or ambiguous step are not executed: they cannot pass, and
//! running their first steps would only send requests for nothing. They are recorded as
//! `unbound` or `ambiguous`, never as passed and never silently skipped. The others run in
//! cucumber-rs, whose events the `recorder` folds into attempts; [`execute`] turns those
//! into the record ([`record::fold`](crate::record::fold)).
//!
//! One job a file:
//! - `execute`: [`execute`] and [`dry_run`], with their [`Options`];
//! - `cucumber`: the glue to cucumber-rs (the scenario hooks, the parser and its
//!   back-pressure window);
//! - `hooks`: the `BeforeAll` and `AfterAll` hooks;
//! - `stream`: the messages of the run, and [`run_messages`];
//! - `recorder`: the cucumber-rs writer that folds events into attempts.

mod cucumber;
mod execute;
mod hooks;
mod recorder;
mod stream;

pub use crate::plan::{Filter, Plan};
pub use crate::record::fold::passed;
pub use execute::{MESSAGES, Options, Order, dry_run, execute};
pub use stream::run_messages;
