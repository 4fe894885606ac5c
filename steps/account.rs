//! Changing the e-mail address: the verification link, its 15 minutes, and the banner.

use anyhow::{Context as _, ensure};
use casebook::World;
use cucumber::{given, then, when};
use serde_json::json;

use super::shop::{self, Channel, ShopState};

#[given(expr = "the customer has changed the e-mail address to {string}")]
#[when(expr = "the customer changes the e-mail address to {string}")]
async fn changes_email(world: &mut World, email: String) -> anyhow::Result<()> {
    shop::fixture(
        world,
        "POST",
        "/api/account/email",
        Some(json!({ "email": email })),
    )
    .await?;
    world.state::<ShopState>().channel = Channel::Api;
    Ok(())
}

#[when(expr = "the customer follows the verification link sent to {string}")]
async fn follows_link(world: &mut World, to: String) -> anyhow::Result<()> {
    let inbox = shop::inbox(world, &to).await?;
    // The newest verification link: an older one is void once the address changed again.
    let link = inbox
        .iter()
        .rev()
        .find_map(|mail| {
            mail["links"]
                .as_array()?
                .iter()
                .find_map(|l| l.as_str().filter(|l| l.contains("token=")))
        })
        .with_context(|| format!("no verification link reached {to}"))?
        .to_owned();
    let token = link
        .split("token=")
        .nth(1)
        .unwrap_or_default()
        .split('&')
        .next()
        .unwrap_or_default()
        .to_owned();
    shop::call(
        world,
        "POST",
        "/api/account/email/verify",
        Some(json!({ "token": token })),
    )
    .await?;
    world.state::<ShopState>().channel = Channel::Api;
    Ok(())
}

#[then(expr = "the account e-mail address is {string}")]
async fn account_email(world: &mut World, email: String) -> anyhow::Result<()> {
    let account = shop::fixture(world, "GET", "/api/account", None).await?;
    ensure!(
        account["email"] == email.as_str(),
        "the account's e-mail address is {}, not {email}",
        account["email"]
    );
    Ok(())
}

#[when("the customer opens the account page")]
async fn opens_account(world: &mut World) -> anyhow::Result<()> {
    shop::open_page(world, "/account").await
}

#[then(expr = "the warning banner {string} is shown")]
async fn banner_shown(world: &mut World, text: String) -> anyhow::Result<()> {
    let shown = world.browser().await?.text("warning-banner").await?;
    ensure!(
        shown.contains(&text),
        "the banner says {shown:?}, not {text:?}"
    );
    Ok(())
}

#[then("no warning banner is shown")]
async fn no_banner(world: &mut World) -> anyhow::Result<()> {
    let account = shop::fixture(world, "GET", "/api/account", None).await?;
    ensure!(
        account["banner"].is_null(),
        "a banner is shown: {}",
        account["banner"]
    );
    Ok(())
}
