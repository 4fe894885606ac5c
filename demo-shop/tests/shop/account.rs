//! features/account.feature: ACC-1, ACC-2.

use demo_shop::Shop;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use super::{advance, assert_testid, customer, get, inbox, page, post, signed_in, testid_text};

/// A shop with alice signed in who asked to move to alice.new@example.test; returns the link.
async fn alice_changed_email() -> (Shop, Client, String) {
    let shop = Shop::start().await.unwrap();
    customer(&shop, "alice", "alice@example.test", None).await;
    let alice = signed_in(&shop, "alice@example.test").await;
    let (status, body) = post(
        &alice,
        &shop,
        "/api/account/email",
        json!({ "email": "alice.new@example.test" }),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(
        body["message"],
        "We sent a verification link to alice.new@example.test"
    );
    let mails = inbox(&shop, "alice.new@example.test").await;
    assert_eq!(mails.len(), 1);
    let link = mails[0]["links"][0].as_str().unwrap().to_owned();
    (shop, alice, link)
}

async fn account(alice: &Client, shop: &Shop) -> Value {
    let (status, account) = get(alice, shop, "/api/account").await;
    assert_eq!(status, StatusCode::OK);
    account
}

#[tokio::test]
async fn change_sends_a_verification_email_to_the_new_address_only() {
    let (shop, alice, link) = alice_changed_email().await;
    let mail = &inbox(&shop, "alice.new@example.test").await[0];
    assert_eq!(mail["subject"], "Confirm your new e-mail address");
    assert_eq!(mail["sent_at"], "2025-01-01T09:00:00Z");
    assert!(
        link.starts_with(&format!("{}/account/verify?token=", shop.base_url())),
        "{link}"
    );
    assert!(mail["body"].as_str().unwrap().contains(&link));
    assert!(inbox(&shop, "alice@example.test").await.is_empty());

    let account = account(&alice, &shop).await;
    assert_eq!(account["email"], "alice@example.test");
    assert_eq!(account["pending_email"], "alice.new@example.test");
    assert_eq!(account["banner"], "Please verify your new e-mail address");
}

#[tokio::test]
async fn link_followed_after_14_minutes_switches_the_address_and_removes_the_banner() {
    let (shop, alice, link) = alice_changed_email().await;
    advance(&shop, 14).await;
    let response = alice.get(&link).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    assert_eq!(
        testid_text(&html, "message"),
        "Your e-mail address has been changed"
    );

    let account = account(&alice, &shop).await;
    assert_eq!(account["email"], "alice.new@example.test");
    assert_eq!(account["banner"], Value::Null);
    let (_, html) = page(&alice, &shop, "/account").await;
    assert_eq!(
        testid_text(&html, "account-email"),
        "alice.new@example.test"
    );
    assert!(!html.contains("warning-banner"));
    // The new address signs in; the link is spent.
    signed_in(&shop, "alice.new@example.test").await;
    let response = alice.get(&link).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::GONE);
}

#[tokio::test]
async fn link_still_works_at_exactly_15_minutes() {
    let (shop, alice, link) = alice_changed_email().await;
    advance(&shop, 15).await;
    let token = link.split("token=").nth(1).unwrap();
    let (status, body) = post(
        &alice,
        &shop,
        "/api/account/email/verify",
        json!({ "token": token }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["email"], "alice.new@example.test");
}

#[tokio::test]
async fn link_followed_after_16_minutes_is_expired_and_the_old_address_kept() {
    let (shop, alice, link) = alice_changed_email().await;
    advance(&shop, 16).await;
    let response = alice.get(&link).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::GONE);
    let html = response.text().await.unwrap();
    assert_eq!(
        testid_text(&html, "message"),
        "This verification link has expired"
    );
    let token = link.split("token=").nth(1).unwrap();
    let (status, body) = post(
        &alice,
        &shop,
        "/api/account/email/verify",
        json!({ "token": token }),
    )
    .await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(
        body,
        json!({ "error": "This verification link has expired" })
    );
    // The session was idle for 16 minutes only: still signed in.
    let account = account(&alice, &shop).await;
    assert_eq!(account["email"], "alice@example.test");
    assert_eq!(account["pending_email"], Value::Null);
}

#[tokio::test]
async fn warning_banner_shows_on_the_account_page_while_unverified() {
    let (shop, alice, _) = alice_changed_email().await;
    advance(&shop, 10).await;
    let (status, html) = page(&alice, &shop, "/account").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        testid_text(&html, "warning-banner"),
        "Please verify your new e-mail address"
    );
    assert_eq!(testid_text(&html, "account-email"), "alice@example.test");
    assert_eq!(
        testid_text(&html, "pending-email"),
        "alice.new@example.test"
    );
    assert_testid(&html, "change-email-form");
}

#[tokio::test]
async fn unknown_links_and_taken_or_invalid_addresses_are_refused() {
    let (shop, alice, _) = alice_changed_email().await;
    let (status, html) = page(&alice, &shop, "/account/verify?token=nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        testid_text(&html, "message"),
        "This verification link is not valid"
    );
    customer(&shop, "bob", "bob@example.test", None).await;
    let (status, body) = post(
        &alice,
        &shop,
        "/api/account/email",
        json!({ "email": "BOB@example.test" }),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, _) = post(
        &alice,
        &shop,
        "/api/account/email",
        json!({ "email": "no-at" }),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}
