//! Hooks: a project's code run around each scenario (`Before`, `After`) or around the whole
//! run (`BeforeAll`, `AfterAll`), registered next to the step definitions and reported in
//! the Cucumber Messages as Cucumber reports them.
//!
//! A hook is an `async fn`, registered with a macro at the item level:
//!
//! ```
//! use casebook::World;
//! use casebook::hooks::TestRun;
//!
//! async fn reset_data(world: &mut World) -> anyhow::Result<()> {
//!     world.set_var("cart", "empty");
//!     Ok(())
//! }
//! casebook::before!(reset_data);
//!
//! async fn close_account(_: &mut World) {}
//! casebook::after!(close_account, name = "close the account", tags = "@account and not @keep");
//!
//! async fn seed(run: &mut TestRun<World>) {
//!     run.log("seeded");
//! }
//! casebook::before_all!(seed);
//! # fn main() {}
//! ```
//!
//! Why macros and `inventory`, as cucumber-rs registers step definitions: a hook is known
//! before anything runs (the messages list every hook first, and each test case lists the
//! hooks it runs as test steps), a harness needs no list to keep up to date, and each hook
//! belongs to the world type its function takes, so that several worlds in one binary (the
//! Compatibility Kit's samples) each see only their own hooks.
//!
//! The order is the order of the source: hooks are sorted by file, line and column, as step
//! definitions are. `Before` and `BeforeAll` hooks run in that order, `After` and `AfterAll`
//! hooks in reverse, as in Cucumber: the last set-up is the first torn down.
//!
//! A hook fails by panicking or returning `Err`, and may end as pending or skipped with
//! [`pending`](crate::event::pending) and [`skip`](crate::event::skip), as a step can.
//! What that does to the scenario is Cucumber's: after a `Before` hook that does not pass,
//! the later `Before` hooks and every step are skipped; `After` hooks always run, each of
//! them; a failed `BeforeAll` hook runs no test case (the other `BeforeAll` hooks and every
//! `AfterAll` hook still run, to clean up) and fails the run, as a failed `AfterAll` does.

use std::any::{Any, TypeId};
use std::marker::PhantomData;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::SystemTime;

use cucumber::gherkin::tagexpr::TagOperation;
use cucumber::tag::Ext as _;
use futures::FutureExt as _;
use futures::future::LocalBoxFuture;

use crate::event::{Attachment, Outbox, StepEnd, StepOutcome};

/// When a hook runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HookKind {
    /// Before each scenario's steps.
    Before,
    /// After each scenario's steps, whatever happened to them.
    After,
    /// Once, before the first scenario.
    BeforeAll,
    /// Once, after the last scenario.
    AfterAll,
}

impl HookKind {
    /// Whether it runs around each scenario rather than around the run.
    pub fn per_scenario(self) -> bool {
        matches!(self, HookKind::Before | HookKind::After)
    }
}

impl std::fmt::Display for HookKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            HookKind::Before => "Before",
            HookKind::After => "After",
            HookKind::BeforeAll => "BeforeAll",
            HookKind::AfterAll => "AfterAll",
        })
    }
}

/// A hook's name and tag expression, as the registration macros take them
/// (`name = "…"`, `tags = "…"`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Its name, shown in reports.
    pub name: Option<&'static str>,
    /// The tag expression a scenario's tags must match for a `Before` or `After` hook to
    /// run in it, e.g. `@db and not @readonly`.
    pub tags: Option<&'static str>,
}

impl Options {
    /// No name, every scenario.
    pub const fn new() -> Self {
        Options {
            name: None,
            tags: None,
        }
    }

    /// With a name.
    pub const fn name(mut self, name: &'static str) -> Self {
        self.name = Some(name);
        self
    }

    /// Only for scenarios whose tags match `tags`.
    pub const fn tags(mut self, tags: &'static str) -> Self {
        self.tags = Some(tags);
        self
    }
}

/// How a registered hook is called: on the world (`Before`, `After`) or on the
/// [`TestRun`] (`BeforeAll`, `AfterAll`), erased to `dyn Any` so that one inventory holds
/// the hooks of every world type. The future panics when the hook fails.
pub type Call = for<'a> fn(&'a mut dyn Any) -> LocalBoxFuture<'a, ()>;

/// One hook as the registration macros submit it (see the module docs).
#[doc(hidden)]
#[derive(Debug)]
pub struct Registration {
    pub kind: HookKind,
    pub options: Options,
    pub file: &'static str,
    pub line: u32,
    pub column: u32,
    /// The world type the hook belongs to.
    pub world: fn() -> TypeId,
    pub call: Call,
}

cucumber::codegen::inventory::collect!(Registration);

/// What a `BeforeAll` or `AfterAll` hook gets: the run's attachments, for the world type
/// `W` whose run it is.
#[derive(Debug)]
pub struct TestRun<W> {
    outbox: Outbox,
    _world: PhantomData<fn() -> W>,
}

impl<W> TestRun<W> {
    fn new(outbox: Outbox) -> Self {
        TestRun {
            outbox,
            _world: PhantomData,
        }
    }

    /// Attaches text or bytes to the running hook.
    pub fn attach(&self, attachment: Attachment) {
        self.outbox.attach(attachment);
    }

    /// Attaches text, as the official `log`.
    pub fn log(&self, text: impl Into<String>) {
        self.outbox.log(text);
    }
}

/// One hook of a world, as a run uses it.
#[derive(Debug, Clone)]
pub struct Hook {
    /// When it runs.
    pub kind: HookKind,
    /// Its name, if it has one.
    pub name: Option<String>,
    /// Its tag expression as written, if it has one.
    pub tags: Option<String>,
    /// Where it is registered.
    pub location: crate::location::Location,
    expression: Option<TagOperation>,
    call: Call,
}

impl Hook {
    /// Whether it runs in a scenario with these tags (with or without their `@`).
    pub fn applies_to<'t>(&self, tags: impl IntoIterator<Item = &'t str>) -> bool {
        let names: Vec<&str> = tags
            .into_iter()
            .map(|tag| tag.strip_prefix('@').unwrap_or(tag))
            .collect();
        self.expression
            .as_ref()
            .is_none_or(|expression| expression.eval(names.iter()))
    }

    /// How people know it: its name, else its kind and place.
    pub fn label(&self) -> String {
        match &self.name {
            Some(name) => format!("{} hook `{name}`", self.kind),
            None => format!("{} hook at {}", self.kind, self.location),
        }
    }

    /// Its file, as messages name it, and its line.
    pub fn file_and_line(&self) -> (String, Option<usize>) {
        (
            self.location.path.display().to_string(),
            Some(self.location.line),
        )
    }
}

/// Every hook registered for a world type, in source order.
#[derive(Debug, Clone, Default)]
pub struct Hooks {
    hooks: Vec<Hook>,
}

impl Hooks {
    /// The hooks registered in this binary for world type `W`.
    ///
    /// # Panics
    ///
    /// When a hook's tag expression does not parse: a mistake in the harness's code, which
    /// would otherwise run the hook in the wrong scenarios.
    pub fn collect<W: 'static>() -> Self {
        let wanted = TypeId::of::<W>();
        let mut registrations: Vec<&Registration> =
            cucumber::codegen::inventory::iter::<Registration>
                .into_iter()
                .filter(|r| (r.world)() == wanted)
                .collect();
        // Inventory order depends on the linker: sort into source order.
        registrations.sort_by_key(|r| (r.file, r.line, r.column));
        let hooks = registrations
            .into_iter()
            .map(|r| {
                let location = crate::location::Location::new(
                    crate::location::normalize(std::path::Path::new(r.file)).into(),
                    r.line as usize,
                    r.column as usize,
                );
                let expression = r.options.tags.map(|tags| {
                    tags.parse::<TagOperation>().unwrap_or_else(|err| {
                        panic!("{location}: the hook's tag expression `{tags}`: {err}")
                    })
                });
                Hook {
                    kind: r.kind,
                    name: r.options.name.map(str::to_owned),
                    tags: r.options.tags.map(str::to_owned),
                    location,
                    expression,
                    call: r.call,
                }
            })
            .collect();
        Hooks { hooks }
    }

    /// Every hook, in source order.
    pub fn all(&self) -> &[Hook] {
        &self.hooks
    }

    /// The indexes of the hooks of `kind` that run in a scenario with `tags` (every hook
    /// for `BeforeAll` and `AfterAll`), in the order they run: source order, reversed for
    /// `After` and `AfterAll`.
    pub fn running<'t>(
        &self,
        kind: HookKind,
        tags: impl IntoIterator<Item = &'t str> + Clone,
    ) -> Vec<usize> {
        let mut indexes: Vec<usize> = (0..self.hooks.len())
            .filter(|&i| {
                let hook = &self.hooks[i];
                hook.kind == kind && (!kind.per_scenario() || hook.applies_to(tags.clone()))
            })
            .collect();
        if matches!(kind, HookKind::After | HookKind::AfterAll) {
            indexes.reverse();
        }
        indexes
    }
}

/// How one hook ended.
#[derive(Debug, Clone)]
pub struct HookOutcome {
    /// Passed, failed, pending or skipped.
    pub status: StepEnd,
    /// Why it did not pass.
    pub message: Option<String>,
    /// When it started.
    pub started: SystemTime,
    /// When it ended.
    pub finished: SystemTime,
}

impl HookOutcome {
    /// A hook that was not run: skipped, now.
    pub fn not_run() -> Self {
        let now = SystemTime::now();
        HookOutcome {
            status: StepEnd::Skipped,
            message: None,
            started: now,
            finished: now,
        }
    }

    /// Ends the running scenario hook the way this outcome did, so that cucumber-rs sees
    /// the scenario's hook fail (and skips its steps, for a `Before` hook): the payload
    /// the record reads names the hook.
    pub(crate) fn resume(&self, hook: &Hook) -> ! {
        let message = self.message.clone();
        let payload: Box<dyn Any + Send> = match self.status {
            StepEnd::Pending => Box::new(StepOutcome::Pending(message)),
            StepEnd::Skipped => Box::new(StepOutcome::Skipped(message)),
            _ => Box::new(format!("{}: {}", hook.label(), message.unwrap_or_default())),
        };
        std::panic::resume_unwind(payload)
    }
}

/// Runs one hook on `target` (the world, or the [`TestRun`]), catching its failure.
pub(crate) async fn run(hook: &Hook, target: &mut dyn Any) -> HookOutcome {
    let started = SystemTime::now();
    let result = AssertUnwindSafe((hook.call)(target)).catch_unwind().await;
    let finished = SystemTime::now();
    let (status, message) = match result {
        Ok(()) => (StepEnd::Passed, None),
        Err(payload) => crate::event::panic_outcome(&Arc::from(payload)),
    };
    HookOutcome {
        status,
        message,
        started,
        finished,
    }
}

/// Runs the `BeforeAll` or `AfterAll` hook `hook` of world type `W`, with `outbox` for
/// what it attaches.
pub(crate) async fn run_for_test_run<W: 'static>(hook: &Hook, outbox: Outbox) -> HookOutcome {
    let mut test_run = TestRun::<W>::new(outbox);
    run(hook, &mut test_run).await
}

/// What a hook function may return: nothing, or a `Result` whose error fails the hook.
pub trait HookOutput {
    /// Fails the running hook (by panicking) when this is an error.
    fn check(self);
}

impl HookOutput for () {
    fn check(self) {}
}

impl<E: std::fmt::Display> HookOutput for Result<(), E> {
    fn check(self) {
        if let Err(err) = self {
            // The error's text is the hook's message, as a step's is; no panic message
            // is printed for an error the hook returned on purpose.
            std::panic::resume_unwind(Box::new(err.to_string()));
        }
    }
}

/// What the registration macros expand to; not for direct use.
#[doc(hidden)]
pub mod __private {
    use super::*;

    pub use cucumber::codegen::inventory;
    pub use futures::future::LocalBoxFuture;

    /// An `async fn(&mut W)`: a `Before` or `After` hook of world `W`.
    pub trait ScenarioHook<W>: Copy + 'static {
        /// Calls it.
        fn call_on(self, world: &mut W) -> LocalBoxFuture<'_, ()>;
    }

    impl<W: 'static, F, O> ScenarioHook<W> for F
    where
        F: for<'a> AsyncFn(&'a mut W) -> O + Copy + 'static,
        O: HookOutput,
    {
        fn call_on(self, world: &mut W) -> LocalBoxFuture<'_, ()> {
            Box::pin(async move { self(world).await.check() })
        }
    }

    /// An `async fn(&mut TestRun<W>)`: a `BeforeAll` or `AfterAll` hook of world `W`.
    pub trait RunHook<W>: Copy + 'static {
        /// Calls it.
        fn call_on(self, run: &mut TestRun<W>) -> LocalBoxFuture<'_, ()>;
    }

    impl<W: 'static, F, O> RunHook<W> for F
    where
        F: for<'a> AsyncFn(&'a mut TestRun<W>) -> O + Copy + 'static,
        O: HookOutput,
    {
        fn call_on(self, run: &mut TestRun<W>) -> LocalBoxFuture<'_, ()> {
            Box::pin(async move { self(run).await.check() })
        }
    }

    /// The world type of a scenario hook.
    pub fn scenario_world<W: 'static, F: ScenarioHook<W>>(_: F) -> TypeId {
        TypeId::of::<W>()
    }

    /// Calls a scenario hook on the world behind `target`.
    pub fn call_scenario<W: 'static, F: ScenarioHook<W>>(
        target: &mut dyn Any,
        hook: F,
    ) -> LocalBoxFuture<'_, ()> {
        match target.downcast_mut::<W>() {
            Some(world) => hook.call_on(world),
            None => unreachable!("a hook is only run with its own world"),
        }
    }

    /// The world type of a run hook.
    pub fn run_world<W: 'static, F: RunHook<W>>(_: F) -> TypeId {
        TypeId::of::<W>()
    }

    /// Calls a run hook on the [`TestRun`] behind `target`.
    pub fn call_run<W: 'static, F: RunHook<W>>(
        target: &mut dyn Any,
        hook: F,
    ) -> LocalBoxFuture<'_, ()> {
        match target.downcast_mut::<TestRun<W>>() {
            Some(run) => hook.call_on(run),
            None => unreachable!("a hook is only run with its own world's test run"),
        }
    }
}

/// Registers an `async fn(&mut W)` as a `Before` hook of world `W`:
/// `casebook::before!(my_hook);`, `casebook::before!(my_hook, name = "…", tags = "@db");`.
/// See [`casebook::hooks`](crate::hooks).
#[macro_export]
macro_rules! before {
    ($hook:path $(, $option:ident = $value:expr)* $(,)?) => {
        $crate::__hook!(Before, scenario_world, call_scenario, $hook $(, $option = $value)*);
    };
}

/// Registers an `async fn(&mut W)` as an `After` hook of world `W`:
/// `casebook::after!(my_hook);`, `casebook::after!(my_hook, name = "…", tags = "@db");`.
/// After hooks run in reverse order of registration. See [`casebook::hooks`](crate::hooks).
#[macro_export]
macro_rules! after {
    ($hook:path $(, $option:ident = $value:expr)* $(,)?) => {
        $crate::__hook!(After, scenario_world, call_scenario, $hook $(, $option = $value)*);
    };
}

/// Registers an `async fn(&mut casebook::hooks::TestRun<W>)` as a `BeforeAll` hook of
/// world `W`: `casebook::before_all!(my_hook);`, with an optional `name = "…"`. See
/// [`casebook::hooks`](crate::hooks).
#[macro_export]
macro_rules! before_all {
    ($hook:path $(, $option:ident = $value:expr)* $(,)?) => {
        $crate::__hook!(BeforeAll, run_world, call_run, $hook $(, $option = $value)*);
    };
}

/// Registers an `async fn(&mut casebook::hooks::TestRun<W>)` as an `AfterAll` hook of
/// world `W`: `casebook::after_all!(my_hook);`, with an optional `name = "…"`. AfterAll
/// hooks run in reverse order of registration. See [`casebook::hooks`](crate::hooks).
#[macro_export]
macro_rules! after_all {
    ($hook:path $(, $option:ident = $value:expr)* $(,)?) => {
        $crate::__hook!(AfterAll, run_world, call_run, $hook $(, $option = $value)*);
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __hook {
    ($kind:ident, $world:ident, $call:ident, $hook:path $(, $option:ident = $value:expr)*) => {
        const _: () = {
            fn world() -> ::std::any::TypeId {
                $crate::hooks::__private::$world($hook)
            }
            fn call<'a>(
                target: &'a mut dyn ::std::any::Any,
            ) -> $crate::hooks::__private::LocalBoxFuture<'a, ()> {
                $crate::hooks::__private::$call(target, $hook)
            }
            $crate::hooks::__private::inventory::submit! {
                $crate::hooks::Registration {
                    kind: $crate::hooks::HookKind::$kind,
                    options: $crate::hooks::Options::new() $(.$option($value))*,
                    file: ::std::file!(),
                    line: ::std::line!(),
                    column: ::std::column!(),
                    world,
                    call,
                }
            }
        };
    };
}
