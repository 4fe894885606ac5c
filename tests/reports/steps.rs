//! Step definitions of the reports' fixture project (`tests/fixtures/reports/`): each exists
//! to make one case end in one outcome.

use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::ensure;
use casebook::World;
use cucumber::{gherkin::Step, given, then, when};

#[given("a step that always passes")]
async fn always_passes(_: &mut World) {}

#[then("the case passes")]
async fn case_passes(_: &mut World) {}

#[given("these items are in the cart:")]
async fn items(_: &mut World, step: &Step) -> anyhow::Result<()> {
    let rows = step.table.as_ref().map_or(0, |t| t.rows.len());
    ensure!(
        rows == 3,
        "expected a header and two items, got {rows} rows"
    );
    Ok(())
}

#[when("the note says:")]
async fn note(_: &mut World, step: &Step) -> anyhow::Result<()> {
    ensure!(step.docstring.is_some(), "the note has a doc string");
    Ok(())
}

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

#[given("the shop's home page is open in the browser")]
async fn home_page(world: &mut World) -> anyhow::Result<()> {
    let url = world.url("/");
    world.browser().await?.open(&url).await?;
    Ok(())
}

#[then(expr = "the page says {string}")]
async fn page_says(world: &mut World, text: String) -> anyhow::Result<()> {
    let browser = world.browser().await?;
    let title = browser.texts("page-title").await?.join(" ");
    ensure!(
        title.contains(&text),
        "the page does not say {text:?}; its title is {title:?}"
    );
    Ok(())
}
