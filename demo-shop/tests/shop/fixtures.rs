//! The fixtures API, the test clock, isolation between shops and stopping a shop.

use demo_shop::{FIXTURE_PASSWORD, Shop};
use reqwest::StatusCode;
use serde_json::json;

use super::{advance, client, customer, get, inbox, post, signed_in};

#[tokio::test]
async fn two_shops_are_isolated() {
    let (a, b) = (Shop::start().await.unwrap(), Shop::start().await.unwrap());
    assert_ne!(a.base_url(), b.base_url());
    customer(&a, "alice", "alice@example.test", Some("4242")).await;
    // The same name and address are free in the other shop.
    customer(&b, "alice", "alice@example.test", Some("4242")).await;

    let in_a = signed_in(&a, "alice@example.test").await;
    let in_b = signed_in(&b, "alice@example.test").await;
    post(
        &in_a,
        &a,
        "/api/cart/items",
        json!({ "product": "Hand grinder" }),
    )
    .await;
    let (status, _) = post(&in_a, &a, "/api/checkout", json!({})).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(inbox(&a, "alice@example.test").await.len(), 1);
    assert!(inbox(&b, "alice@example.test").await.is_empty());
    let (_, orders) = get(&in_b, &b, "/api/orders").await;
    assert_eq!(orders, json!([]));
    let (_, cart) = get(&in_b, &b, "/api/cart").await;
    assert_eq!(cart["items"], json!([]));

    advance(&a, 31).await;
    let (_, clock) = get(&client(), &b, "/test/clock").await;
    assert_eq!(clock["elapsed_seconds"], 0);
    assert_eq!(
        get(&in_a, &a, "/api/session").await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(get(&in_b, &b, "/api/session").await.0, StatusCode::OK);
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn names_addresses_and_order_numbers_are_unique_per_shop() {
    let shop = Shop::start().await.unwrap();
    customer(&shop, "alice", "alice@example.test", None).await;
    let (status, body) = post(
        &client(),
        &shop,
        "/test/customers",
        json!({ "name": "alice", "email": "other@example.test" }),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"], "A user named \"alice\" already exists");
    let (status, _) = post(
        &client(),
        &shop,
        "/test/admins",
        json!({ "name": "alice-2", "email": "Alice@Example.test" }),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);

    let order = json!({ "customer": "alice", "number": "1001" });
    assert_eq!(
        post(&client(), &shop, "/test/orders", order.clone())
            .await
            .0,
        StatusCode::CREATED
    );
    assert_eq!(
        post(&client(), &shop, "/test/orders", order).await.0,
        StatusCode::CONFLICT
    );
    let (status, _) = post(
        &client(),
        &shop,
        "/test/orders",
        json!({ "customer": "nobody" }),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = post(
        &client(),
        &shop,
        "/test/customers",
        json!({ "email": "x@y" }),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"].as_str().unwrap().contains("name"), "{body}");
}

#[tokio::test]
async fn defaults_and_sessions_without_a_password() {
    let shop = Shop::start().await.unwrap();
    let (status, user) = post(
        &client(),
        &shop,
        "/test/customers",
        json!({ "name": "Dana Doe" }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(user["email"], "danadoe@example.test");
    assert_eq!(user["verified"], true);
    assert_eq!(user["saved_card"], json!(null));
    let (_, twin) = post(
        &client(),
        &shop,
        "/test/customers",
        json!({ "name": "dana-doe?" }),
    )
    .await;
    assert_eq!(twin["email"], "dana-doe@example.test");
    let (_, third) = post(
        &client(),
        &shop,
        "/test/customers",
        json!({ "name": "DanaDoe" }),
    )
    .await;
    assert_eq!(third["email"], "danadoe+2@example.test");
    signed_in(&shop, "danadoe@example.test").await; // FIXTURE_PASSWORD
    assert_eq!(FIXTURE_PASSWORD, "s3cret-Pass");

    let dana = client();
    let (status, me) = post(
        &dana,
        &shop,
        "/test/sessions",
        json!({ "name": "Dana Doe" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["name"], "Dana Doe");
    assert_eq!(
        get(&dana, &shop, "/api/session").await.1["name"],
        "Dana Doe"
    );

    let (status, cart) = post(
        &client(),
        &shop,
        "/test/customers/Dana%20Doe/cart/items",
        json!({ "product": "paper-filters", "quantity": 3 }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{cart}");
    assert_eq!(get(&dana, &shop, "/api/cart").await.1["total"], 3 * 490);
}

#[tokio::test]
async fn the_test_clock_moves_only_when_told() {
    let shop = Shop::start().await.unwrap();
    let (_, clock) = get(&client(), &shop, "/test/clock").await;
    assert_eq!(clock["now"], "2025-01-01T09:00:00Z");
    let (status, clock) = post(
        &client(),
        &shop,
        "/test/clock/advance",
        json!({ "minutes": 90, "seconds": 5 }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(clock["now"], "2025-01-01T10:30:05Z");
    assert_eq!(clock["elapsed_minutes"], 90);
    let (status, body) = post(
        &client(),
        &shop,
        "/test/clock/advance",
        json!({ "minutes": -1 }),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"].is_string());
    let (status, _) = post(
        &client(),
        &shop,
        "/test/clock/advance",
        json!({ "minutes": u64::MAX }),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_stopped_shop_no_longer_answers() {
    let shop = Shop::start().await.unwrap();
    let url = shop.url("/api/products");
    let browser = client();
    assert_eq!(
        browser.get(&url).send().await.unwrap().status(),
        StatusCode::OK
    );
    shop.stop().await;
    assert!(client().get(&url).send().await.is_err());

    let dropped = Shop::start().await.unwrap();
    let url = dropped.url("/api/products");
    drop(dropped);
    let mut gone = false;
    for _ in 0..50 {
        if client().get(&url).send().await.is_err() {
            gone = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(gone, "a dropped shop still answers");
}

#[tokio::test]
async fn tenants_isolate_scenarios_sharing_one_shop() {
    let shop = Shop::start().await.unwrap();
    let (one, two) = (client(), client());
    for scenario in [&one, &two] {
        let (status, body) = post(scenario, &shop, "/test/tenants", json!({})).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["cookie"], "shop_tenant");
        // Same names, addresses and order numbers in each tenant.
        let (status, _) = post(
            scenario,
            &shop,
            "/test/customers",
            json!({ "name": "alice", "email": "alice@example.test", "card_last4": "4242" }),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        let order = json!({ "customer": "alice", "number": "1001" });
        assert_eq!(
            post(scenario, &shop, "/test/orders", order).await.0,
            StatusCode::CREATED
        );
        let credentials = json!({ "email": "alice@example.test", "password": FIXTURE_PASSWORD });
        assert_eq!(
            post(scenario, &shop, "/api/session", credentials).await.0,
            StatusCode::OK
        );
    }
    // Moving one tenant's clock leaves the other's sessions alone.
    post(&one, &shop, "/test/clock/advance", json!({ "minutes": 31 })).await;
    assert_eq!(
        get(&one, &shop, "/api/session").await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(get(&two, &shop, "/api/session").await.0, StatusCode::OK);
    assert_eq!(
        get(&two, &shop, "/test/clock").await.1["elapsed_seconds"],
        0
    );
    // The default state (no tenant) saw none of it.
    let (_, mails) = get(&client(), &shop, "/test/inbox").await;
    assert_eq!(mails, json!([]));
    let (status, _) = post(
        &client(),
        &shop,
        "/api/session",
        json!({ "email": "alice@example.test", "password": FIXTURE_PASSWORD }),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // A browser joins a tenant by following a link; a client may use the header instead.
    let (_, created) = post(&two, &shop, "/test/tenants", json!({})).await;
    let id = created["tenant"].as_str().unwrap().to_owned();
    post(&two, &shop, "/test/customers", json!({ "name": "zoe" })).await;
    let browser = client();
    let response = browser
        .get(shop.url(&format!("/test/tenants/{id}/join?next=/sign-in")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/sign-in");
    let zoe = json!({ "email": "zoe@example.test", "password": FIXTURE_PASSWORD });
    assert_eq!(
        post(&browser, &shop, "/api/session", zoe.clone()).await.0,
        StatusCode::OK
    );
    crate::install_provider();
    let by_header = reqwest::Client::new()
        .post(shop.url("/api/session"))
        .header("X-Shop-Tenant", &id)
        .json(&zoe)
        .send()
        .await
        .unwrap();
    assert_eq!(by_header.status(), StatusCode::OK);

    // Unknown tenants are refused; a removed tenant is gone.
    let unknown = reqwest::Client::new()
        .get(shop.url("/test/clock"))
        .header("X-Shop-Tenant", "nope")
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        super::delete(&browser, &shop, "/test/tenants/current").await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        post(&browser, &shop, "/api/session", zoe).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, _) = get(&two, &shop, "/api/session").await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "two's tenant was removed too"
    );
}

#[tokio::test]
async fn the_health_check_answers_ok() {
    let shop = Shop::start().await.expect("shop");
    let (status, body) = get(&client(), &shop, "/health").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({ "status": "ok" }));
}
