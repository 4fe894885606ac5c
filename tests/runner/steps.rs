//! Step definitions of the runner's fixture projects (`tests/fixtures/runner/`), each made
//! to produce one outcome: a failing browser check, an ambiguous step, a flaky step.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::ensure;
use casebook::World;
use cucumber::gherkin::Step;
use cucumber::{given, then};

/// The doc strings and tables the argument steps received, in the order they ran.
pub static RECEIVED: Mutex<Vec<Received>> = Mutex::new(Vec::new());

/// What one argument step received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// A doc string's content.
    DocString(String),
    /// A data table's cells.
    Table(Vec<Vec<String>>),
}

#[given("this doc string is received:")]
async fn doc_string_received(_: &mut World, step: &Step) {
    let content = step.docstring.clone().expect("the step has a doc string");
    RECEIVED.lock().unwrap().push(Received::DocString(content));
}

#[given("these cells are received:")]
async fn cells_received(_: &mut World, step: &Step) {
    let table = step.table.as_ref().expect("the step has a table");
    RECEIVED
        .lock()
        .unwrap()
        .push(Received::Table(table.rows.clone()));
}

#[given("a step that always passes")]
async fn always_passes(_: &mut World) {}

#[then("the case passes")]
async fn case_passes(_: &mut World) {}

#[given("an ambiguous step")]
async fn ambiguous_one(_: &mut World) {}

#[given(regex = "^an ambiguous (step|thing)$")]
async fn ambiguous_two(_: &mut World, _what: String) {}

static FAILED_ONCE: AtomicBool = AtomicBool::new(false);

/// Fails the first time it runs in a process, passes afterwards.
#[given("a step that fails on its first attempt")]
async fn fails_once(_: &mut World) -> anyhow::Result<()> {
    ensure!(
        FAILED_ONCE.swap(true, Ordering::SeqCst),
        "the first attempt fails on purpose"
    );
    Ok(())
}

/// Lets the next fixture run fail once again.
pub fn reset_flaky() {
    FAILED_ONCE.store(false, Ordering::SeqCst);
}

#[given("the shop's home page is open in the browser")]
async fn home_page(world: &mut World) -> anyhow::Result<()> {
    let url = world.url("/");
    world.browser().await?.open(&url).await?;
    Ok(())
}

#[then(expr = "the page says {string}")]
async fn page_says(world: &mut World, text: String) -> anyhow::Result<()> {
    let browser = world.browser().await?;
    let body = browser.texts("page-title").await?.join(" ");
    ensure!(
        body.contains(&text),
        "the page does not say {text:?}; its title is {body:?}"
    );
    Ok(())
}

// The `hooks` fixture's hooks. Scenario hooks run only in its `@hooked` cases; the run hooks
// run in every run of this binary, and fail only when a test asks them to.

/// What the hooks did, in order.
pub static HOOKS_RAN: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Makes the next runs' `BeforeAll` hook fail (until set back).
pub static FAIL_BEFORE_ALL: AtomicBool = AtomicBool::new(false);

fn ran(what: &str) {
    HOOKS_RAN
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(what.to_owned());
}

async fn open_account(world: &mut World) -> anyhow::Result<()> {
    ran("open the account");
    world.attach_to_step(casebook::event::Attachment {
        body: casebook::event::Body::Text("the account is open".to_owned()),
        media_type: "text/plain".to_owned(),
        file_name: None,
    });
    Ok(())
}
casebook::before!(open_account, name = "open the account", tags = "@hooked");

async fn refuse(_: &mut World) -> anyhow::Result<()> {
    ran("refuse");
    anyhow::bail!("the Before hook refuses")
}
casebook::before!(refuse, tags = "@before-fails");

async fn never_reached(_: &mut World) {
    ran("never reached");
}
casebook::before!(never_reached, tags = "@before-fails");

async fn close_account(_: &mut World) {
    ran("close the account");
}
casebook::after!(close_account, tags = "@hooked");

async fn break_after(_: &mut World) {
    ran("break");
    panic!("the After hook breaks");
}
casebook::after!(break_after, name = "break", tags = "@after-fails");

async fn set_up_run(_: &mut casebook::hooks::TestRun<World>) -> anyhow::Result<()> {
    ran("set up the run");
    ensure!(
        !FAIL_BEFORE_ALL.load(Ordering::SeqCst),
        "the BeforeAll hook fails on purpose"
    );
    Ok(())
}
casebook::before_all!(set_up_run, name = "set up the run");

async fn tear_down_run(run: &mut casebook::hooks::TestRun<World>) {
    ran("tear down the run");
    run.log("torn down");
}
casebook::after_all!(tear_down_run);
