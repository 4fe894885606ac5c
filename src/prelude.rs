//! What a step crate uses, in one line: `use casebook::prelude::*;`.
//!
//! The step attributes, the [`World`] steps run against, the hook macros and the run that
//! `BeforeAll`/`AfterAll` hooks get. The attributes expand to paths under `::cucumber`, so a
//! step crate depends on `cucumber` itself too, at the version casebook re-exports as
//! [`casebook::cucumber`](crate::cucumber).
//!
//! ```
//! use casebook::prelude::*;
//!
//! #[given(expr = "a cart with {int} items")]
//! async fn cart(world: &mut World, items: u32) {
//!     world.set_var("items", &items.to_string());
//! }
//!
//! async fn reset(world: &mut World) {
//!     world.set_var("items", "0");
//! }
//! casebook::before!(reset);
//! # fn main() {}
//! ```

pub use crate::World;
pub use crate::hooks::TestRun;
pub use crate::{after, after_all, before, before_all};
pub use cucumber::{given, step, then, when};
