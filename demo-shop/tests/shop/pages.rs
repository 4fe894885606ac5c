//! The HTML pages the browser flows use: elements by data-testid, forms, redirects, escaping.

use demo_shop::Shop;
use reqwest::{Client, StatusCode};
use serde_json::json;

use super::{assert_testid, client, customer, page, post, testid_text};

/// Signs in through the sign-in form; returns where it redirected to.
async fn sign_in_form(
    client: &Client,
    shop: &Shop,
    email: &str,
    password: &str,
) -> reqwest::Response {
    client
        .post(shop.url("/sign-in"))
        .form(&[
            ("email", email),
            ("password", password),
            ("next", "/orders"),
        ])
        .send()
        .await
        .unwrap()
}

async fn submit(
    client: &Client,
    shop: &Shop,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String) {
    let response = client.post(shop.url(path)).form(form).send().await.unwrap();
    let status = response.status();
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned());
    match location {
        Some(location) if status == StatusCode::SEE_OTHER => page(client, shop, &location).await,
        _ => (status, response.text().await.unwrap()),
    }
}

#[tokio::test]
async fn sign_in_form_signs_in_and_goes_to_next() {
    let shop = Shop::start().await.unwrap();
    customer(&shop, "alice", "alice@example.test", None).await;
    let browser = client();
    let (status, html) = page(&browser, &shop, "/sign-in").await;
    assert_eq!(status, StatusCode::OK);
    for id in [
        "logo",
        "nav",
        "nav-sign-in",
        "sign-in-form",
        "email",
        "password",
        "sign-in-submit",
    ] {
        assert_testid(&html, id);
    }
    assert!(html.contains(r#"<meta name="viewport""#));

    let response = sign_in_form(&browser, &shop, "alice@example.test", "s3cret-Pass").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/orders");
    let (status, html) = page(&browser, &shop, "/orders").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(testid_text(&html, "signed-in-as"), "alice");
    assert_testid(&html, "no-orders");

    let (status, html) = submit(&browser, &shop, "/sign-out", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_testid(&html, "sign-in-form");
    let response = browser.get(shop.url("/orders")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn sign_in_form_tells_a_wrong_password_and_never_echoes_it() {
    let shop = Shop::start().await.unwrap();
    customer(&shop, "alice", "alice@example.test", None).await;
    let browser = client();
    let response = sign_in_form(&browser, &shop, "alice@example.test", "wrong-Pass").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let html = response.text().await.unwrap();
    assert_eq!(
        testid_text(&html, "message"),
        "E-mail or password is incorrect"
    );
    assert!(html.contains(r#"value="alice@example.test""#));
    assert!(!html.contains("wrong-Pass"));
    assert!(!html.contains("signed-in-as"));
}

#[tokio::test]
async fn pages_that_need_a_session_send_to_sign_in() {
    let shop = Shop::start().await.unwrap();
    let browser = client();
    for path in [
        "/cart",
        "/checkout",
        "/orders",
        "/orders/1",
        "/admin/orders",
        "/account",
    ] {
        let response = browser.get(shop.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(
            response.headers()["location"],
            &format!("/sign-in?next={path}")
        );
    }
    let (_, html) = page(&browser, &shop, "/sign-in?next=/orders&reason=expired").await;
    assert_eq!(
        testid_text(&html, "sign-in-notice"),
        "Your session has expired. Please sign in again."
    );
    assert!(html.contains(r#"name="next" value="/orders""#));
}

#[tokio::test]
async fn cart_and_checkout_pages_pay_with_the_saved_card() {
    let shop = Shop::start().await.unwrap();
    customer(&shop, "alice", "alice@example.test", Some("4242")).await;
    let browser = client();
    sign_in_form(&browser, &shop, "alice@example.test", "s3cret-Pass").await;

    let (status, html) = submit(&browser, &shop, "/checkout", &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(testid_text(&html, "message"), "Your cart is empty");

    let (status, html) = submit(
        &browser,
        &shop,
        "/cart/items",
        &[("product", "coffee-beans-1kg"), ("quantity", "1")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(testid_text(&html, "cart-item-name"), "Coffee beans 1kg");
    assert_eq!(testid_text(&html, "cart-item-quantity"), "1");
    assert_eq!(testid_text(&html, "cart-total"), "€24.90");
    for id in [
        "go-to-checkout",
        "clear-cart",
        "add-to-cart-form",
        "product-select",
        "quantity",
    ] {
        assert_testid(&html, id);
    }

    let (status, html) = page(&browser, &shop, "/checkout").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(testid_text(&html, "saved-card-last4"), "4242");
    assert_testid(&html, "checkout-form");
    assert_testid(&html, "pay-with-saved-card");

    post(
        &client(),
        &shop,
        "/test/cards/decline",
        json!({ "last4": "4242" }),
    )
    .await;
    let (status, html) = submit(&browser, &shop, "/checkout", &[]).await;
    assert_eq!(status, StatusCode::PAYMENT_REQUIRED);
    assert_eq!(testid_text(&html, "message"), "Your card was declined");
    assert_eq!(testid_text(&html, "payment-status"), "declined");
    assert_eq!(testid_text(&html, "captured-amount"), "€0.00");
    assert_eq!(testid_text(&html, "cart-item-quantity"), "1");

    let (_, html) = page(&browser, &shop, "/orders").await;
    assert_testid(&html, "order-list");
    assert_eq!(testid_text(&html, "payment-status"), "declined");
    assert_testid(&html, "order-number");

    let (status, html) = submit(&browser, &shop, "/cart/clear", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(testid_text(&html, "cart-empty"), "Your cart is empty");
}

#[tokio::test]
async fn checkout_page_confirms_a_captured_payment() {
    let shop = Shop::start().await.unwrap();
    customer(&shop, "alice", "alice@example.test", Some("4242")).await;
    let (status, _) = post(
        &client(),
        &shop,
        "/test/customers/alice/cart/items",
        json!({ "product": "Coffee beans 1kg" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let browser = client();
    let response = browser
        .get(shop.url("/test/sign-in-as?name=alice&next=/checkout"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["location"], "/checkout");

    let (status, html) = submit(&browser, &shop, "/checkout", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(testid_text(&html, "message"), "Your order is confirmed");
    assert_eq!(testid_text(&html, "payment-status"), "captured");
    assert_eq!(testid_text(&html, "captured-amount"), "€24.90");

    let (_, html) = page(&browser, &shop, "/orders").await;
    assert_eq!(testid_text(&html, "payment-status"), "captured");
    let (_, html) = page(&browser, &shop, "/cart").await;
    assert_testid(&html, "cart-empty");
}

#[tokio::test]
async fn account_page_changes_the_email_and_shows_the_banner() {
    let shop = Shop::start().await.unwrap();
    customer(&shop, "alice", "alice@example.test", Some("4242")).await;
    let browser = client();
    sign_in_form(&browser, &shop, "alice@example.test", "s3cret-Pass").await;
    let (status, html) = page(&browser, &shop, "/account").await;
    assert_eq!(status, StatusCode::OK);
    for id in [
        "account-name",
        "account-email",
        "change-email-form",
        "new-email",
        "change-email-submit",
    ] {
        assert_testid(&html, id);
    }
    assert!(!html.contains("warning-banner"));

    let (status, html) = submit(
        &browser,
        &shop,
        "/account/email",
        &[("email", "alice.new@example.test")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        testid_text(&html, "message"),
        "We sent a verification link to alice.new@example.test"
    );
    assert_eq!(
        testid_text(&html, "warning-banner"),
        "Please verify your new e-mail address"
    );
    assert_eq!(testid_text(&html, "account-email"), "alice@example.test");
}

#[tokio::test]
async fn every_user_supplied_value_is_escaped() {
    let shop = Shop::start().await.unwrap();
    let name = "<script>alert(1)</script>";
    customer(&shop, name, "evil@example.test", None).await;
    post(
        &client(),
        &shop,
        "/test/orders",
        json!({ "customer": name, "number": "1001" }),
    )
    .await;
    post(
        &client(),
        &shop,
        "/test/admins",
        json!({ "name": "carol", "email": "carol@example.test", "password": "s3cret-Pass" }),
    )
    .await;
    let evil = client();
    sign_in_form(&evil, &shop, "evil@example.test", "s3cret-Pass").await;
    let carol = client();
    sign_in_form(&carol, &shop, "carol@example.test", "s3cret-Pass").await;

    for (browser, path) in [
        (&evil, "/account"),
        (&evil, "/orders"),
        (&carol, "/admin/orders"),
        (&carol, "/orders/1001"),
    ] {
        let (status, html) = page(browser, &shop, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(!html.contains("<script"), "{path}: {html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{path}: {html}"
        );
    }
    // A hostile e-mail address typed into a form is escaped too.
    let (_, html) = submit(
        &evil,
        &shop,
        "/account/email",
        &[("email", "x\"><script>@x.test")],
    )
    .await;
    assert!(!html.contains("<script"), "{html}");
    let response = sign_in_form(&client(), &shop, "\"><script>x</script>", "pw").await;
    assert!(!response.text().await.unwrap().contains("<script"));
}

#[tokio::test]
async fn home_and_product_pages_show_the_catalogue() {
    let shop = Shop::start().await.unwrap();
    let browser = client();
    let (status, html) = page(&browser, &shop, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert_testid(&html, "product-list");
    assert_eq!(testid_text(&html, "product-name"), "Coffee beans 1kg");
    assert_testid(&html, "add-to-cart");
    let (status, html) = page(&browser, &shop, "/products/coffee-beans-1kg").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(testid_text(&html, "page-title"), "Coffee beans 1kg");
    assert_eq!(testid_text(&html, "product-price"), "€24.90");
    let (status, _) = page(&browser, &shop, "/products/tea").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Adding to the cart without a session asks to sign in first.
    let response = browser
        .post(shop.url("/cart/items"))
        .form(&[("product", "coffee-beans-1kg")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/sign-in?next=/cart");
}
