//! Customers, admins, signing in, and the shop's clock.

use anyhow::ensure;
use casebook::World;
use cucumber::{given, then, when};
use serde_json::json;

use super::shop::{self, Channel, ShopState};

#[given(expr = "a verified customer {string} with a saved card ending in {string}")]
async fn customer_with_card(world: &mut World, name: String, last4: String) -> anyhow::Result<()> {
    shop::create_user(world, "customers", &name, json!({ "card_last4": last4 })).await
}

#[given(expr = "a verified customer {string} with e-mail {string}")]
async fn customer_with_email(world: &mut World, name: String, email: String) -> anyhow::Result<()> {
    shop::create_user(world, "customers", &name, json!({ "email": email })).await
}

#[given(expr = "a verified customer {string} with e-mail {string} and password {string}")]
async fn customer_with_password(
    world: &mut World,
    name: String,
    email: String,
    password: String,
) -> anyhow::Result<()> {
    shop::create_user(
        world,
        "customers",
        &name,
        json!({ "email": email, "password": password }),
    )
    .await
}

#[given(expr = "a verified customer {string} with a placed order {string}")]
async fn customer_with_order(
    world: &mut World,
    name: String,
    number: String,
) -> anyhow::Result<()> {
    shop::create_user(world, "customers", &name, json!({})).await?;
    let order = json!({ "customer": name, "number": number, "items": [{ "product": "Coffee beans 1kg", "quantity": 1 }] });
    shop::fixture(world, "POST", "/test/orders", Some(order)).await?;
    Ok(())
}

#[given(expr = "an admin {string}")]
async fn admin(world: &mut World, name: String) -> anyhow::Result<()> {
    shop::create_user(world, "admins", &name, json!({})).await
}

#[given(expr = "{string} is signed in")]
async fn is_signed_in(world: &mut World, name: String) -> anyhow::Result<()> {
    shop::sign_in_api(world, &name).await
}

#[when(expr = "the customer signs in with e-mail {string} and password {string}")]
async fn signs_in(world: &mut World, email: String, password: String) -> anyhow::Result<()> {
    let (status, body) = shop::call(
        world,
        "POST",
        "/api/session",
        Some(json!({ "email": email, "password": password })),
    )
    .await?;
    let state = world.state::<ShopState>();
    state.channel = Channel::Api;
    if status == 200 {
        state.current = body["name"].as_str().map(str::to_owned);
    }
    Ok(())
}

#[given(expr = "the customer has failed to sign in {int} times in a row")]
async fn failed_sign_ins(world: &mut World, times: u32) -> anyhow::Result<()> {
    let (name, user) = shop::customer(world).or_else(|_| shop::only_customer(world))?;
    for attempt in 1..=times {
        let body = json!({ "email": user.email, "password": format!("{}-wrong", user.password) });
        let (status, _) = shop::call(world, "POST", "/api/session", Some(body)).await?;
        ensure!(
            status != 200,
            "attempt {attempt} with a wrong password signed {name} in"
        );
    }
    Ok(())
}

#[then(expr = "the customer is signed in as {string}")]
async fn signed_in_as(world: &mut World, name: String) -> anyhow::Result<()> {
    let (status, body) = shop::call(world, "GET", "/api/session", None).await?;
    ensure!(
        status == 200,
        "the customer is not signed in: {status} {body}"
    );
    ensure!(
        body["name"] == name.as_str(),
        "signed in as {}, not {name}",
        body["name"]
    );
    Ok(())
}

#[then("the customer is not signed in")]
async fn not_signed_in(world: &mut World) -> anyhow::Result<()> {
    let (status, body) = shop::call(world, "GET", "/api/session", None).await?;
    ensure!(
        status == 401,
        "expected no session, but the shop answered {status}: {body}"
    );
    Ok(())
}

#[then("the customer is asked to sign in again")]
async fn asked_to_sign_in_again(world: &mut World) -> anyhow::Result<()> {
    let response = world.http.last()?;
    ensure!(
        response.status == 401,
        "expected the shop to refuse with 401, got {}",
        response.status
    );
    let message = shop::last_message(world).await?;
    ensure!(
        message.contains("sign in again"),
        "expected to be asked to sign in again, was told {message:?}"
    );
    Ok(())
}

#[then(expr = "the customer is told {string}")]
async fn is_told(world: &mut World, expected: String) -> anyhow::Result<()> {
    let message = shop::last_message(world).await?;
    ensure!(
        message == expected,
        "expected to be told {expected:?}, was told {message:?}"
    );
    Ok(())
}

#[given(regex = r"^(\d+) minutes have passed$")]
#[when(regex = r"^(\d+) minutes pass$")]
async fn minutes_pass(world: &mut World, minutes: u64) -> anyhow::Result<()> {
    shop::fixture(
        world,
        "POST",
        "/test/clock/advance",
        Some(json!({ "minutes": minutes })),
    )
    .await?;
    Ok(())
}
