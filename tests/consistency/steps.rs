//! Step definitions of the consistency fixture (`tests/fixtures/consistency/`): baskets that
//! need no service, and a check that fails on odd counts so that some rows fail.

use anyhow::{Context as _, ensure};
use casebook::World;
use cucumber::{gherkin::Step, given, then, when};

#[given("the shelf is stocked")]
async fn shelf(_: &mut World) {}

#[given("the rule's shelf is stocked")]
async fn rule_shelf(_: &mut World) {}

#[given(expr = "a basket with {int} {string}")]
async fn basket(world: &mut World, count: u32, item: String) {
    world.set_var("count", count.to_string());
    world.set_var("item", item);
}

#[when("the basket is described:")]
async fn described(world: &mut World, step: &Step) -> anyhow::Result<()> {
    let text = step.docstring.as_deref().context("a doc string")?;
    let expected = format!(
        "{} of {}",
        world.var("count").unwrap_or_default(),
        world.var("item").unwrap_or_default()
    );
    ensure!(
        text.trim() == expected,
        "described as {text:?}, not {expected:?}"
    );
    Ok(())
}

#[then("the basket holds:")]
async fn holds(_: &mut World, step: &Step) -> anyhow::Result<()> {
    let rows = step.table.as_ref().map_or(0, |t| t.rows.len());
    ensure!(rows == 2, "a header and one row, not {rows} rows");
    Ok(())
}

#[then(expr = "the count {int} is even")]
async fn even(_: &mut World, count: u32) -> anyhow::Result<()> {
    ensure!(count.is_multiple_of(2), "{count} is odd");
    Ok(())
}
