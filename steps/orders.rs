//! Order history, the admin's overview, and who may see which order.

use anyhow::{Context as _, ensure};
use casebook::World;
use cucumber::{given, then, when};

use super::checkout::number;
use super::shop::{self, Channel, ShopState};

#[given("the customer has opened the order history")]
#[when("the customer opens the order history")]
async fn opens_history(world: &mut World) -> anyhow::Result<()> {
    shop::call(world, "GET", "/api/orders", None).await?;
    world.state::<ShopState>().channel = Channel::Api;
    Ok(())
}

/// The admin's own screen: the order overview in the browser.
#[when("the admin opens the order overview")]
async fn opens_overview(world: &mut World) -> anyhow::Result<()> {
    shop::open_page(world, "/admin/orders").await
}

#[then(expr = "order {string} is listed")]
async fn listed(world: &mut World, order: String) -> anyhow::Result<()> {
    let numbers = listed_numbers(world).await?;
    ensure!(
        numbers.contains(&order),
        "order {order} is not listed; the list holds {numbers:?}"
    );
    Ok(())
}

#[then(expr = "order {string} is not listed")]
async fn not_listed(world: &mut World, order: String) -> anyhow::Result<()> {
    let numbers = listed_numbers(world).await?;
    ensure!(
        !numbers.contains(&order),
        "order {order} is listed, but must not be"
    );
    Ok(())
}

/// The order numbers on the list the customer last looked at, in the browser or the API.
async fn listed_numbers(world: &mut World) -> anyhow::Result<Vec<String>> {
    if world.state::<ShopState>().channel == Channel::Browser {
        return Ok(world.browser().await?.texts("order-number").await?);
    }
    let response = world.http.last()?;
    ensure!(
        response.status == 200,
        "the order list was refused: {}",
        response.status
    );
    let orders = response.json()?;
    Ok(orders
        .as_array()
        .context("the answer is not a list of orders")?
        .iter()
        .map(number)
        .collect())
}
