//! features/access.feature: ACL-1, ACL-2.

use demo_shop::Shop;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use super::{client, customer, get, page, post, signed_in};

/// alice with order 1001, bob with order 1002, admin carol; each signed in.
async fn background() -> (Shop, Client, Client, Client) {
    let shop = Shop::start().await.unwrap();
    customer(&shop, "alice", "alice@example.test", None).await;
    customer(&shop, "bob", "bob@example.test", None).await;
    let (status, carol) = post(
        &client(),
        &shop,
        "/test/admins",
        json!({ "name": "carol", "email": "carol@example.test", "password": "s3cret-Pass" }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(carol["role"], "admin");
    for (customer, number) in [("alice", "1001"), ("bob", "1002")] {
        let (status, order) = post(
            &client(),
            &shop,
            "/test/orders",
            json!({ "customer": customer, "number": number }),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{order}");
        assert_eq!(order["payment_status"], "captured");
    }
    let alice = signed_in(&shop, "alice@example.test").await;
    let bob = signed_in(&shop, "bob@example.test").await;
    let carol = signed_in(&shop, "carol@example.test").await;
    (shop, alice, bob, carol)
}

fn numbers(orders: &Value) -> Vec<&str> {
    orders
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["number"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn only_the_owner_or_an_admin_may_open_an_order() {
    let (shop, alice, bob, carol) = background().await;
    let (status, body) = get(&alice, &shop, "/api/orders/1002").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        body,
        json!({ "error": "This order belongs to another customer" })
    );
    let (status, order) = get(&bob, &shop, "/api/orders/1002").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(order["customer"], "bob");
    let (status, order) = get(&carol, &shop, "/api/orders/1002").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(order["number"], "1002");
    let (status, _) = get(&alice, &shop, "/api/orders/9999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = get(&client(), &shop, "/api/orders/1001").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn order_history_lists_only_the_customers_own_orders() {
    let (shop, alice, _, _) = background().await;
    let (status, orders) = get(&alice, &shop, "/api/orders").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(numbers(&orders), ["1001"]);
    let (status, html) = page(&alice, &shop, "/orders").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(r#"data-order-number="1001""#));
    assert!(!html.contains(r#"data-order-number="1002""#));
}

#[tokio::test]
async fn admin_sees_every_customers_orders() {
    let (shop, _, _, carol) = background().await;
    let (status, orders) = get(&carol, &shop, "/api/admin/orders").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(numbers(&orders), ["1002", "1001"]);
    let (status, html) = page(&carol, &shop, "/admin/orders").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(r#"data-order-number="1001""#));
    assert!(html.contains(r#"data-order-number="1002""#));
    assert!(html.contains(r#"data-testid="order-customer">bob<"#));
}

#[tokio::test]
async fn customer_is_refused_the_admin_order_overview() {
    let (shop, alice, _, _) = background().await;
    let (status, body) = get(&alice, &shop, "/api/admin/orders").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"], "Only admins may see every order");
    let (status, html) = page(&alice, &shop, "/admin/orders").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!html.contains(r#"data-order-number="1002""#));
    let (status, _) = page(&alice, &shop, "/orders/1002").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
