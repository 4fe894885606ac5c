//! features/checkout.feature: PAY-7 to PAY-11.

use demo_shop::Shop;
use reqwest::{Client, StatusCode};
use serde_json::json;

use super::{client, customer, get, inbox, post, signed_in};

/// A shop with alice (card 4242) signed in and 1 "Coffee beans 1kg" in her cart.
async fn alice_with_coffee() -> (Shop, Client) {
    let shop = Shop::start().await.unwrap();
    customer(&shop, "alice", "alice@example.test", Some("4242")).await;
    let alice = signed_in(&shop, "alice@example.test").await;
    let (status, cart) = post(
        &alice,
        &shop,
        "/api/cart/items",
        json!({ "product": "Coffee beans 1kg", "quantity": 1 }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{cart}");
    assert_eq!(cart["items"][0]["product"], "Coffee beans 1kg");
    assert_eq!(cart["items"][0]["quantity"], 1);
    (shop, alice)
}

#[tokio::test]
async fn saved_card_is_charged_the_order_confirmed_and_the_cart_emptied() {
    let (shop, alice) = alice_with_coffee().await;
    let (status, body) = post(&alice, &shop, "/api/checkout", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["message"], "Your order is confirmed");
    let order = &body["order"];
    assert_eq!(order["payment_status"], "captured");
    assert_eq!(order["customer"], "alice");
    assert_eq!(order["total"], 2490);
    assert_eq!(order["captured_amount"], 2490);
    assert_eq!(order["items"][0]["product"], "Coffee beans 1kg");
    let number = order["number"].as_str().unwrap().to_owned();

    let mails = inbox(&shop, "alice@example.test").await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0]["subject"], "Your order is confirmed");
    assert!(mails[0]["body"].as_str().unwrap().contains(&number));
    let (_, clock) = get(&client(), &shop, "/test/clock").await;
    let sent = mails[0]["sent_at_elapsed_seconds"].as_u64().unwrap();
    assert!(clock["elapsed_seconds"].as_u64().unwrap() - sent <= 120);

    let (_, cart) = get(&alice, &shop, "/api/cart").await;
    assert_eq!(cart["items"], json!([]));
    assert_eq!(cart["total"], 0);

    let (status, latest) = get(&alice, &shop, "/api/orders/latest").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(latest["payment_status"], "captured");
    assert_eq!(latest["number"], number.as_str());

    let (_, charges) = get(&client(), &shop, "/test/charges?last4=4242").await;
    assert_eq!(charges[0]["status"], "captured");
    assert_eq!(charges[0]["captured_amount"], 2490);
}

#[tokio::test]
async fn declined_card_takes_no_money_and_keeps_the_cart() {
    let (shop, alice) = alice_with_coffee().await;
    let (status, body) = post(
        &client(),
        &shop,
        "/test/cards/decline",
        json!({ "last4": "4242", "customer": "alice" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (status, body) = post(&alice, &shop, "/api/checkout", json!({})).await;
    assert_eq!(status, StatusCode::PAYMENT_REQUIRED, "{body}");
    assert_eq!(body["error"], "Your card was declined");
    assert_eq!(body["order"]["payment_status"], "declined");
    assert_eq!(body["order"]["captured_amount"], 0);

    let (_, orders) = get(&alice, &shop, "/api/orders").await;
    assert_eq!(orders.as_array().unwrap().len(), 1);
    assert_eq!(orders[0]["payment_status"], "declined");

    let (_, charges) = get(&client(), &shop, "/test/charges?customer=alice&last4=4242").await;
    let taken: u64 = charges
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["captured_amount"].as_u64().unwrap())
        .sum();
    assert_eq!(taken, 0, "{charges}");
    assert_eq!(charges[0]["status"], "declined");

    let (_, cart) = get(&alice, &shop, "/api/cart").await;
    assert_eq!(cart["items"][0]["product"], "Coffee beans 1kg");
    assert_eq!(cart["items"][0]["quantity"], 1);
    assert!(inbox(&shop, "alice@example.test").await.is_empty());
}

#[tokio::test]
async fn empty_cart_is_refused_and_no_order_created() {
    let (shop, alice) = alice_with_coffee().await;
    let (status, cart) =
        super::json_of(alice.delete(shop.url("/api/cart")).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cart["items"], json!([]));

    let (status, body) = post(&alice, &shop, "/api/checkout", json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body, json!({ "error": "Your cart is empty" }));
    let (_, orders) = get(&alice, &shop, "/api/orders").await;
    assert_eq!(orders, json!([]));
    let (status, _) = get(&alice, &shop, "/api/orders/latest").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, charges) = get(&client(), &shop, "/test/charges").await;
    assert_eq!(charges, json!([]));
}

#[tokio::test]
async fn checkout_needs_a_session_and_a_known_product() {
    let (shop, alice) = alice_with_coffee().await;
    let (status, body) = post(&client(), &shop, "/api/checkout", json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "Please sign in");
    let (status, body) = post(
        &alice,
        &shop,
        "/api/cart/items",
        json!({ "product": "Tea" }),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) = post(&alice, &shop, "/api/cart/items", json!({ "quantity": 1 })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("product"),
        "{body}"
    );
    let (status, products) = get(&client(), &shop, "/api/products").await;
    assert_eq!(status, StatusCode::OK);
    assert!(products.as_array().unwrap().len() >= 4);
    assert_eq!(products[0]["name"], "Coffee beans 1kg");
}
