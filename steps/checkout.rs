//! The cart, checkout with the saved card, payments and the order confirmation e-mail.

use anyhow::{Context as _, ensure};
use casebook::World;
use cucumber::{given, then, when};
use serde_json::{Value, json};

use super::shop::{self, Channel, ShopState};

#[given(expr = "the cart holds {int} {string}")]
async fn cart_holds(world: &mut World, quantity: u32, product: String) -> anyhow::Result<()> {
    shop::fixture(world, "DELETE", "/api/cart", None).await?;
    shop::fixture(
        world,
        "POST",
        "/api/cart/items",
        Some(json!({ "product": product, "quantity": quantity })),
    )
    .await?;
    Ok(())
}

#[given("the cart is empty")]
async fn cart_emptied(world: &mut World) -> anyhow::Result<()> {
    shop::fixture(world, "DELETE", "/api/cart", None).await?;
    Ok(())
}

#[then(expr = "the cart holds {int} {string}")]
async fn cart_still_holds(world: &mut World, quantity: u64, product: String) -> anyhow::Result<()> {
    let cart = shop::fixture(world, "GET", "/api/cart", None).await?;
    let items = cart["items"]
        .as_array()
        .context("the cart has no items list")?;
    let found = items
        .iter()
        .find(|item| item["product"] == product.as_str());
    ensure!(
        found.is_some_and(|item| item["quantity"] == quantity),
        "expected {quantity} \"{product}\" in the cart, found {items:?}"
    );
    Ok(())
}

#[then("the cart is empty")]
async fn cart_is_empty(world: &mut World) -> anyhow::Result<()> {
    let cart = shop::fixture(world, "GET", "/api/cart", None).await?;
    ensure!(
        cart["item_count"] == 0,
        "expected an empty cart, found {}",
        cart["items"]
    );
    Ok(())
}

#[given(expr = "the card issuer declines the card ending in {string}")]
async fn issuer_declines(world: &mut World, last4: String) -> anyhow::Result<()> {
    shop::fixture(
        world,
        "POST",
        "/test/cards/decline",
        Some(json!({ "last4": last4 })),
    )
    .await?;
    Ok(())
}

/// The customer's own flow: the checkout page in the browser, paying with the saved card.
#[when("the customer checks out with the saved card")]
async fn checks_out(world: &mut World) -> anyhow::Result<()> {
    shop::open_page(world, "/checkout").await?;
    let browser = world.browser().await?;
    if browser.has("pay-with-saved-card").await? {
        browser.activate("pay-with-saved-card").await?;
    }
    // Whatever the outcome, the shop tells the customer in `message`.
    browser.text("message").await?;
    Ok(())
}

#[given("the customer has checked out with the saved card")]
async fn has_checked_out(world: &mut World) -> anyhow::Result<()> {
    shop::fixture(world, "POST", "/api/checkout", None).await?;
    Ok(())
}

#[then(expr = "an order is created with payment status {string}")]
async fn order_created(world: &mut World, status: String) -> anyhow::Result<()> {
    let order = shop::fixture(world, "GET", "/api/orders/latest", None).await?;
    ensure!(
        order["payment_status"] == status.as_str(),
        "expected payment status {status:?}, the order says {}",
        order["payment_status"]
    );
    Ok(())
}

#[then("no order is created")]
async fn no_order(world: &mut World) -> anyhow::Result<()> {
    let orders = shop::fixture(world, "GET", "/api/orders", None).await?;
    ensure!(
        orders.as_array().is_some_and(Vec::is_empty),
        "expected no order, found {orders}"
    );
    Ok(())
}

#[then(expr = "no money is taken from the card ending in {string}")]
async fn no_money_taken(world: &mut World, last4: String) -> anyhow::Result<()> {
    let charges =
        shop::fixture(world, "GET", &format!("/test/charges?last4={last4}"), None).await?;
    let charges = charges
        .as_array()
        .context("the shop gave no list of charges")?;
    ensure!(
        !charges.is_empty(),
        "the card ending in {last4} was never charged at all"
    );
    let taken: u64 = charges
        .iter()
        .filter_map(|c| c["captured_amount"].as_u64())
        .sum();
    ensure!(
        taken == 0,
        "{taken} cents were taken from the card ending in {last4}"
    );
    Ok(())
}

#[then(expr = "the customer receives an e-mail {string} within {int} minutes")]
async fn customer_receives(world: &mut World, subject: String, minutes: u64) -> anyhow::Result<()> {
    let (_, customer) = shop::customer(world)?;
    email_arrives(world, subject, customer.email, minutes).await
}

/// Waits (in real time, up to the run's timeout) for the e-mail to reach the test inbox,
/// then checks by the shop's clock that it was sent within the last `minutes`.
#[then(expr = "an e-mail {string} arrives at {string} within {int} minutes")]
async fn email_arrives(
    world: &mut World,
    subject: String,
    to: String,
    minutes: u64,
) -> anyhow::Result<()> {
    let deadline = std::time::Instant::now() + world.context().timeout;
    loop {
        let inbox = shop::inbox(world, &to).await?;
        let clock = shop::fixture(world, "GET", "/test/clock", None).await?;
        let now = clock["elapsed_seconds"].as_u64().unwrap_or(0);
        let found = inbox
            .iter()
            .find(|mail| mail["subject"] == subject.as_str())
            .cloned();
        if let Some(mail) = found {
            let sent = mail["sent_at_elapsed_seconds"].as_u64().unwrap_or(0);
            ensure!(
                now.saturating_sub(sent) <= minutes * 60,
                "\"{subject}\" was sent {} minutes ago, not within {minutes}",
                (now - sent) / 60
            );
            world.state::<ShopState>().channel = Channel::Api;
            return Ok(());
        }
        ensure!(
            std::time::Instant::now() < deadline,
            "no e-mail \"{subject}\" reached {to}; the inbox holds {inbox:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The order number in a JSON order, as text.
pub fn number(order: &Value) -> String {
    order["number"]
        .as_str()
        .map_or_else(|| order["number"].to_string(), str::to_owned)
}
