//! What the demo steps share: the scenario's tenant, the users it created, who "the
//! customer" is, and the way the customer was last answered (by the browser or the API).

use std::collections::HashMap;

use anyhow::{Context as _, bail};
use casebook::World;
use serde_json::{Value, json};

/// A user a scenario created.
#[derive(Debug, Clone)]
pub struct User {
    pub email: String,
    pub password: String,
}

/// Where the customer last saw the shop's answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Channel {
    #[default]
    Api,
    Browser,
}

/// The scenario's view of the shop, kept in the world.
#[derive(Debug, Default)]
pub struct ShopState {
    pub tenant: Option<String>,
    pub users: HashMap<String, User>,
    /// The user the case calls "the customer" (or "the admin"): the last one signed in.
    pub current: Option<String>,
    /// Who the browser is signed in as.
    pub browser_user: Option<String>,
    pub channel: Channel,
}

/// Sends a JSON request to the shop in the scenario's tenant and returns the status and body.
pub async fn call(
    world: &mut World,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> anyhow::Result<(u16, Value)> {
    ensure_tenant(world).await?;
    let body = body.map(|b| b.to_string());
    let response = world.http.send(method, path, body.as_deref()).await?;
    let value = if response.body.is_empty() {
        Value::Null
    } else {
        response.json()?.clone()
    };
    Ok((response.status, value))
}

/// Like [`call`], but a status outside 2xx is an error.
pub async fn fixture(
    world: &mut World,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> anyhow::Result<Value> {
    let (status, value) = call(world, method, path, body).await?;
    if !(200..300).contains(&status) {
        bail!("{method} {path} answered {status}: {value}");
    }
    Ok(value)
}

/// Creates the scenario's tenant on first use; the HTTP client keeps its cookie.
async fn ensure_tenant(world: &mut World) -> anyhow::Result<()> {
    if world.state::<ShopState>().tenant.is_some() {
        return Ok(());
    }
    let response = world.http.send("POST", "/test/tenants", None).await?;
    let tenant = response.json()?["tenant"]
        .as_str()
        .context("the shop gave no tenant id")?
        .to_owned();
    world.state::<ShopState>().tenant = Some(tenant);
    Ok(())
}

/// Creates a customer (or an admin) through the fixtures API and remembers it.
pub async fn create_user(
    world: &mut World,
    kind: &str,
    name: &str,
    extra: Value,
) -> anyhow::Result<()> {
    let mut body = json!({ "name": name });
    body.as_object_mut()
        .expect("an object")
        .extend(extra.as_object().cloned().unwrap_or_default());
    let user = fixture(world, "POST", &format!("/test/{kind}"), Some(body.clone())).await?;
    let email = user["email"]
        .as_str()
        .context("the shop gave no e-mail address")?
        .to_owned();
    let password = body["password"]
        .as_str()
        .unwrap_or(demo_shop::FIXTURE_PASSWORD)
        .to_owned();
    world
        .state::<ShopState>()
        .users
        .insert(name.to_owned(), User { email, password });
    Ok(())
}

/// A user the scenario created.
pub fn user(world: &mut World, name: &str) -> anyhow::Result<User> {
    world
        .state::<ShopState>()
        .users
        .get(name)
        .cloned()
        .with_context(|| format!("no user \"{name}\" was created in this scenario"))
}

/// "The customer": the user signed in last.
pub fn customer(world: &mut World) -> anyhow::Result<(String, User)> {
    let name = world
        .state::<ShopState>()
        .current
        .clone()
        .context("nobody has signed in yet in this scenario")?;
    Ok((name.clone(), user(world, &name)?))
}

/// Before anyone signed in, "the customer" is the scenario's only user; it becomes current.
pub fn only_customer(world: &mut World) -> anyhow::Result<(String, User)> {
    let state = world.state::<ShopState>();
    let mut users = state.users.iter();
    let (Some((name, user)), None) = (users.next(), users.next()) else {
        anyhow::bail!(
            "\"the customer\" is ambiguous: nobody signed in and the scenario has {} users",
            state.users.len()
        );
    };
    let (name, user) = (name.clone(), user.clone());
    state.current = Some(name.clone());
    Ok((name, user))
}

/// Signs the HTTP client in as `name` through the API.
pub async fn sign_in_api(world: &mut World, name: &str) -> anyhow::Result<()> {
    let user = user(world, name)?;
    fixture(
        world,
        "POST",
        "/api/session",
        Some(json!({ "email": user.email, "password": user.password })),
    )
    .await?;
    world.state::<ShopState>().current = Some(name.to_owned());
    Ok(())
}

/// Opens `path` in the browser, signed in as the customer through the sign-in form.
pub async fn open_page(world: &mut World, path: &str) -> anyhow::Result<()> {
    let (name, user) = customer(world)?;
    let tenant = world
        .state::<ShopState>()
        .tenant
        .clone()
        .context("the scenario has no tenant yet")?;
    let signed_in = world.state::<ShopState>().browser_user.as_deref() == Some(name.as_str());
    let join = world.url(&format!("/test/tenants/{tenant}/join?next=/sign-in"));
    let target = world.url(path);
    let browser = world.browser().await?;
    if !signed_in {
        browser.open(&join).await?;
        browser.fill("email", &user.email).await?;
        browser.fill("password", &user.password).await?;
        browser.activate("sign-in-submit").await?;
        browser
            .text("signed-in-as")
            .await
            .context("the sign-in form did not sign the customer in")?;
    }
    browser.open(&target).await?;
    let state = world.state::<ShopState>();
    state.browser_user = Some(name);
    state.channel = Channel::Browser;
    Ok(())
}

/// What the shop last told the customer: the page's message, or the API's `error`/`message`.
pub async fn last_message(world: &mut World) -> anyhow::Result<String> {
    if world.state::<ShopState>().channel == Channel::Browser {
        return Ok(world.browser().await?.text("message").await?);
    }
    let body = world.http.last()?.json()?;
    let message = body
        .get("error")
        .or_else(|| body.get("message"))
        .and_then(Value::as_str);
    message
        .map(str::to_owned)
        .with_context(|| format!("the last answer has no message: {body}"))
}

/// The e-mails the shop sent to `to`, oldest first, from the test inbox.
pub async fn inbox(world: &mut World, to: &str) -> anyhow::Result<Vec<Value>> {
    let path = format!(
        "/test/inbox?to={}",
        to.replace('+', "%2B").replace('@', "%40")
    );
    let inbox = fixture(world, "GET", &path, None).await?;
    Ok(inbox.as_array().cloned().unwrap_or_default())
}
