//! Step definitions of the consistency fixture (`tests/fixtures/consistency/`): baskets that
//! need no service, and a check that fails on odd counts so that some rows fail.

use anyhow::{Context as _, ensure};
use casebook::World;
use casebook::record::Attachment;
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

#[then("the basket is put away")]
async fn put_away(_: &mut World) {}

/// An odd count fails, and leaves a note of why attached to the failing step.
#[then(expr = "the count {int} is even")]
async fn even(world: &mut World, count: u32) -> anyhow::Result<()> {
    if !count.is_multiple_of(2) {
        let path = std::path::PathBuf::from(format!("attachments/odd-{count}.txt"));
        let file = world.context().report_dir.join(&path);
        std::fs::create_dir_all(file.parent().unwrap())?;
        std::fs::write(&file, format!("{count} is odd"))?;
        world.attach(Attachment {
            name: format!("why {count} fails"),
            media_type: "text/plain".into(),
            path,
        });
    }
    ensure!(count.is_multiple_of(2), "{count} is odd");
    Ok(())
}
