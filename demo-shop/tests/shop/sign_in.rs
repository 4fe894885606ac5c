//! features/sign_in.feature: AUTH-1, AUTH-2, AUTH-3.

use demo_shop::Shop;
use reqwest::StatusCode;
use reqwest::header::SET_COOKIE;
use serde_json::json;

use super::{advance, client, customer, get, json_of, post, signed_in};

async fn shop_with_alice() -> Shop {
    let shop = Shop::start().await.unwrap();
    customer(&shop, "alice", "alice@example.test", None).await;
    shop
}

async fn attempt(
    client: &reqwest::Client,
    shop: &Shop,
    email: &str,
    password: &str,
) -> (StatusCode, serde_json::Value) {
    post(
        client,
        shop,
        "/api/session",
        json!({ "email": email, "password": password }),
    )
    .await
}

#[tokio::test]
async fn correct_password_signs_in_with_an_http_only_cookie() {
    let shop = shop_with_alice().await;
    let client = client();
    let response = client
        .post(shop.url("/api/session"))
        .json(&json!({ "email": "alice@example.test", "password": "s3cret-Pass" }))
        .send()
        .await
        .unwrap();
    let cookie = response.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["name"], "alice");
    assert!(
        !body.to_string().contains("s3cret"),
        "password echoed: {body}"
    );

    let (status, me) = get(&client, &shop, "/api/session").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["name"], "alice");
    assert_eq!(me["email"], "alice@example.test");
    assert_eq!(me["role"], "customer");
}

#[tokio::test]
async fn wrong_password_or_unknown_email_is_refused() {
    let shop = shop_with_alice().await;
    for (email, password) in [
        ("alice@example.test", "wrong-Pass"),
        ("alice@example.test", "S3CRET-PASS"),
        ("nobody@example.test", "s3cret-Pass"),
    ] {
        let client = client();
        let (status, body) = attempt(&client, &shop, email, password).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{email} {password}");
        assert_eq!(body, json!({ "error": "E-mail or password is incorrect" }));
        let (status, _) = get(&client, &shop, "/api/session").await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "signed in after {email} {password}"
        );
    }
}

#[tokio::test]
async fn five_failed_attempts_lock_the_account() {
    let shop = shop_with_alice().await;
    let client = client();
    for _ in 0..5 {
        let (status, body) = attempt(&client, &shop, "alice@example.test", "wrong-Pass").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["error"], "E-mail or password is incorrect");
    }
    let (status, body) = attempt(&client, &shop, "alice@example.test", "s3cret-Pass").await;
    assert_eq!(status, StatusCode::LOCKED);
    assert_eq!(body, json!({ "error": "Your account is locked" }));
    let (status, _) = get(&client, &shop, "/api/session").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn four_failed_attempts_do_not_lock_and_a_success_resets_the_count() {
    let shop = shop_with_alice().await;
    let client = client();
    for round in 0..2 {
        for _ in 0..4 {
            let (status, _) = attempt(&client, &shop, "alice@example.test", "wrong-Pass").await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "round {round}");
        }
        let (status, body) = attempt(&client, &shop, "alice@example.test", "s3cret-Pass").await;
        assert_eq!(status, StatusCode::OK, "round {round}: {body}");
        let (status, me) = get(&client, &shop, "/api/session").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(me["name"], "alice");
    }
}

#[tokio::test]
async fn session_expires_after_31_idle_minutes() {
    let shop = shop_with_alice().await;
    let alice = signed_in(&shop, "alice@example.test").await;
    advance(&shop, 31).await;
    let (status, body) = get(&alice, &shop, "/api/orders").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        body["error"],
        "Your session has expired. Please sign in again."
    );
    // Expired for good, even though that request came in.
    let (status, _) = get(&alice, &shop, "/api/session").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // The order history page asks to sign in again.
    let response = alice.get(shop.url("/orders")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        response.headers()["location"],
        "/sign-in?next=/orders&reason=expired"
    );
}

#[tokio::test]
async fn activity_within_30_minutes_keeps_the_session_alive() {
    let shop = shop_with_alice().await;
    let alice = signed_in(&shop, "alice@example.test").await;
    advance(&shop, 20).await;
    let (status, _) = get(&alice, &shop, "/api/orders").await;
    assert_eq!(status, StatusCode::OK);
    advance(&shop, 20).await;
    let (status, me) = get(&alice, &shop, "/api/session").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["name"], "alice");
    // Exactly 30 idle minutes is still alive; a page view is activity too.
    advance(&shop, 30).await;
    let (status, _) = super::page(&alice, &shop, "/orders").await;
    assert_eq!(status, StatusCode::OK);
    advance(&shop, 30).await;
    let (status, _) = get(&alice, &shop, "/api/session").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let shop = shop_with_alice().await;
    let alice = signed_in(&shop, "alice@example.test").await;
    assert_eq!(
        super::delete(&alice, &shop, "/api/session").await,
        StatusCode::NO_CONTENT
    );
    let (status, body) = get(&alice, &shop, "/api/session").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "Please sign in");
}
