//! The demo shop over real HTTP on loopback: one test per behaviour the feature files need.
//!
//! Each test starts its own shop, so tests run in parallel and in any order.

mod access;
mod account;
mod checkout;
mod fixtures;
mod pages;
mod sign_in;

use demo_shop::Shop;
use reqwest::{Client, StatusCode, redirect};
use serde_json::{Value, json};

/// A browser-like client: keeps cookies (one jar per client, so one client per user).
/// Does not follow redirects, so tests can look at them.
pub fn client() -> Client {
    install_provider();
    Client::builder()
        .cookie_store(true)
        .redirect(redirect::Policy::none())
        .build()
        .expect("client")
}

/// Installs rustls's crypto provider, which every reqwest client of the workspace needs
/// before it is built; a second call finds it installed.
pub fn install_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Status and JSON body.
pub async fn json_of(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.expect("body");
    let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    (status, value)
}

pub async fn get(client: &Client, shop: &Shop, path: &str) -> (StatusCode, Value) {
    json_of(client.get(shop.url(path)).send().await.expect("GET")).await
}

pub async fn post(client: &Client, shop: &Shop, path: &str, body: Value) -> (StatusCode, Value) {
    json_of(
        client
            .post(shop.url(path))
            .json(&body)
            .send()
            .await
            .expect("POST"),
    )
    .await
}

pub async fn delete(client: &Client, shop: &Shop, path: &str) -> StatusCode {
    client
        .delete(shop.url(path))
        .send()
        .await
        .expect("DELETE")
        .status()
}

/// Status and HTML of a page.
pub async fn page(client: &Client, shop: &Shop, path: &str) -> (StatusCode, String) {
    let response = client.get(shop.url(path)).send().await.expect("GET page");
    (response.status(), response.text().await.expect("page"))
}

/// Creates a verified customer through the fixtures API.
pub async fn customer(shop: &Shop, name: &str, email: &str, card: Option<&str>) -> Value {
    let mut body = json!({ "name": name, "email": email, "password": "s3cret-Pass" });
    if let Some(card) = card {
        body["card_last4"] = json!(card);
    }
    let (status, user) = post(&client(), shop, "/test/customers", body).await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    user
}

/// A client signed in with the password `s3cret-Pass`.
pub async fn signed_in(shop: &Shop, email: &str) -> Client {
    let client = client();
    let (status, body) = post(
        &client,
        shop,
        "/api/session",
        json!({ "email": email, "password": "s3cret-Pass" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    client
}

/// Moves the shop's clock forward.
pub async fn advance(shop: &Shop, minutes: u64) {
    let (status, body) = post(
        &client(),
        shop,
        "/test/clock/advance",
        json!({ "minutes": minutes }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// The e-mails sent to `to`.
pub async fn inbox(shop: &Shop, to: &str) -> Vec<Value> {
    let (status, body) = get(&client(), shop, &format!("/test/inbox?to={to}")).await;
    assert_eq!(status, StatusCode::OK);
    body.as_array().expect("a list").clone()
}

/// Asserts a page contains an element with `data-testid="{id}"`.
#[track_caller]
pub fn assert_testid(html: &str, id: &str) {
    assert!(
        html.contains(&format!(r#"data-testid="{id}""#)),
        "no data-testid={id:?} in\n{html}"
    );
}

/// The text of the first element with `data-testid="{id}"` (tags inside are kept).
#[track_caller]
pub fn testid_text<'a>(html: &'a str, id: &str) -> &'a str {
    let marker = format!(r#"data-testid="{id}""#);
    let at = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no data-testid={id:?} in\n{html}"));
    let start = at + html[at..].find('>').expect("tag end") + 1;
    let end = start + html[start..].find("</").expect("closing tag");
    &html[start..end]
}
