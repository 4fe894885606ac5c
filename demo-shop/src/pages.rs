//! The HTML pages for the browser flows: server-rendered, no JavaScript, forms posted as
//! `application/x-www-form-urlencoded`.
//!
//! Conventions the browser step definitions rely on:
//! - every important element has a `data-testid`;
//! - what the customer is told after an action is in `[data-testid="message"]` (with
//!   `data-kind="error"` or `"success"`);
//! - a page that needs a session redirects (303) to `/sign-in?next=<page>` without one, and
//!   to `/sign-in?next=<page>&reason=expired` when it expired; the sign-in page then shows
//!   `[data-testid="sign-in-notice"]` ("Your session has expired. Please sign in again.").

use std::fmt::Write;

use axum::Form;
use axum::extract::{Path, Query};
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::html::{Viewer, esc, layout, message, url_encode};
use crate::state::{
    CATALOGUE, CheckoutOutcome, Failure, LineView, OrderView, Role, State as Shop, UserId,
    find_product, money,
};
use crate::web::{App, Current, clear_session_cookie, link_base, session_cookie, session_token};

/// The page routes.
pub fn routes() -> axum::Router<App> {
    axum::Router::new()
        .route("/", get(home))
        .route("/products/{id}", get(product))
        .route("/sign-in", get(sign_in_page).post(sign_in))
        .route("/sign-out", post(sign_out))
        .route("/cart", get(cart))
        .route("/cart/items", post(add_to_cart))
        .route("/cart/clear", post(clear_cart))
        .route("/checkout", get(checkout_page).post(checkout))
        .route("/orders", get(orders))
        .route("/orders/{number}", get(order))
        .route("/admin/orders", get(admin_orders))
        .route("/account", get(account))
        .route("/account/email", post(change_email))
        .route("/account/verify", get(verify))
}

/// `next` when it is a plain path on this site (starts with one `/`, visible ASCII only),
/// else `/`. Keeps sign-in redirects from leaving the shop.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(next)
            if next.starts_with('/')
                && !next.starts_with("//")
                && !next.contains('\\')
                && next.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            next.to_owned()
        }
        _ => "/".to_owned(),
    }
}

fn redirect(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = location.parse() {
        response.headers_mut().insert(LOCATION, value);
    }
    response
}

fn render(
    status: StatusCode,
    title: &str,
    state: &Shop,
    user: Option<UserId>,
    body: &str,
) -> Response {
    let viewer = user.map(|id| Viewer {
        name: state.user_name(id),
        role: state.role(id),
    });
    (status, Html(layout(title, viewer.as_ref(), body))).into_response()
}

/// The signed-in user for a page anyone may see (a live session counts as activity).
fn viewer(state: &mut Shop, headers: &HeaderMap) -> Option<UserId> {
    state.authenticate(session_token(headers).as_deref()).ok()
}

/// The signed-in user, or the redirect to the sign-in page that brings them back to `back_to`.
fn require_user(state: &mut Shop, headers: &HeaderMap, back_to: &str) -> Result<UserId, SignIn> {
    match state.authenticate(session_token(headers).as_deref()) {
        Ok(user) => Ok(user),
        Err(Failure::SessionExpired) => Err(SignIn(format!(
            "/sign-in?next={}&reason=expired",
            url_encode(back_to)
        ))),
        Err(_) => Err(SignIn(format!("/sign-in?next={}", url_encode(back_to)))),
    }
}

/// A redirect to the sign-in page, to this location.
struct SignIn(String);

impl IntoResponse for SignIn {
    fn into_response(self) -> Response {
        redirect(&self.0)
    }
}

fn path_and_query(uri: &Uri) -> &str {
    uri.path_and_query().map_or("/", |pq| pq.as_str())
}

fn add_to_cart_button(product_id: &str) -> String {
    format!(
        r#"<form class="inline" method="post" action="/cart/items"><input type="hidden" name="product" value="{}"><input type="hidden" name="quantity" value="1"><button type="submit" data-testid="add-to-cart">Add to cart</button></form>"#,
        esc(product_id)
    )
}

async fn home(app: Current, headers: HeaderMap) -> Response {
    let mut state = app.lock();
    let user = viewer(&mut state, &headers);
    let mut body = String::from(r#"<ul data-testid="product-list">"#);
    for p in CATALOGUE {
        let _ = write!(
            body,
            r#"<li data-testid="product" data-product-id="{id}"><a href="/products/{id}" data-testid="product-name">{name}</a> <span data-testid="product-price">{price}</span> {button}</li>"#,
            id = esc(p.id),
            name = esc(p.name),
            price = money(p.price),
            button = add_to_cart_button(p.id),
        );
    }
    body.push_str("</ul>");
    render(
        StatusCode::OK,
        "Coffee and everything for it",
        &state,
        user,
        &body,
    )
}

async fn product(app: Current, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let mut state = app.lock();
    let user = viewer(&mut state, &headers);
    let Some(p) = CATALOGUE.iter().find(|p| p.id == id) else {
        let body = message("error", "There is no such product");
        return render(StatusCode::NOT_FOUND, "Not found", &state, user, &body);
    };
    let body = format!(
        r#"<p data-testid="product-description">{}</p><p>Price: <strong data-testid="product-price">{}</strong></p>{}"#,
        esc(p.description),
        money(p.price),
        add_to_cart_button(p.id)
    );
    render(StatusCode::OK, p.name, &state, user, &body)
}

// --- sign-in -------------------------------------------------------------------------------

#[derive(Deserialize)]
struct SignInQuery {
    next: Option<String>,
    reason: Option<String>,
}

fn sign_in_form(next: &str, email: &str) -> String {
    format!(
        r#"<form method="post" action="/sign-in" data-testid="sign-in-form">
<input type="hidden" name="next" value="{next}">
<label>E-mail address <input type="text" inputmode="email" name="email" autocomplete="username" value="{email}" data-testid="email"></label>
<label>Password <input type="password" name="password" autocomplete="current-password" data-testid="password"></label>
<button type="submit" data-testid="sign-in-submit">Sign in</button>
</form>"#,
        next = esc(next),
        email = esc(email),
    )
}

async fn sign_in_page(
    app: Current,
    headers: HeaderMap,
    Query(query): Query<SignInQuery>,
) -> Response {
    let mut state = app.lock();
    let user = viewer(&mut state, &headers);
    let notice = match query.reason.as_deref() {
        Some("expired") => "Your session has expired. Please sign in again.",
        _ if query.next.is_some() => "Please sign in to continue.",
        _ => "",
    };
    let mut body = String::new();
    if !notice.is_empty() {
        let _ = write!(
            body,
            r#"<p class="banner" role="status" data-testid="sign-in-notice">{notice}</p>"#
        );
    }
    body.push_str(&sign_in_form(&safe_next(query.next.as_deref()), ""));
    render(StatusCode::OK, "Sign in", &state, user, &body)
}

#[derive(Deserialize)]
struct SignInFormBody {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

async fn sign_in(app: Current, headers: HeaderMap, Form(form): Form<SignInFormBody>) -> Response {
    let mut state = app.lock();
    let next = safe_next(form.next.as_deref());
    match state.sign_in(&form.email, &form.password) {
        Ok((token, _)) => {
            let mut response = redirect(&next);
            let [(name, value)] = session_cookie(&token);
            response.headers_mut().insert(name, value);
            response
        }
        Err(failure) => {
            let user = viewer(&mut state, &headers);
            let body = format!(
                "{}{}",
                message("error", &failure.message()),
                sign_in_form(&next, &form.email)
            );
            render(failure.status(), "Sign in", &state, user, &body)
        }
    }
}

async fn sign_out(app: Current, headers: HeaderMap) -> Response {
    app.lock().sign_out(session_token(&headers).as_deref());
    let mut response = redirect("/sign-in");
    let [(name, value)] = clear_session_cookie();
    response.headers_mut().insert(name, value);
    response
}

// --- cart and checkout ---------------------------------------------------------------------

fn lines_table(testid: &str, lines: &[LineView], total: u64) -> String {
    let mut out = format!(
        r#"<table data-testid="{testid}"><thead><tr><th>Product</th><th>Quantity</th><th>Price</th></tr></thead><tbody>"#
    );
    let row_testid = if testid == "cart-items" {
        "cart-item"
    } else {
        "order-item"
    };
    for line in lines {
        let _ = write!(
            out,
            r#"<tr data-testid="{row_testid}" data-product-id="{id}"><td data-testid="{row_testid}-name">{name}</td><td data-testid="{row_testid}-quantity">{quantity}</td><td data-testid="{row_testid}-total">{total}</td></tr>"#,
            id = esc(line.product_id),
            name = esc(line.product),
            quantity = line.quantity,
            total = money(line.line_total),
        );
    }
    let total_testid = if testid == "cart-items" {
        "cart-total"
    } else {
        "order-total"
    };
    let _ = write!(
        out,
        r#"</tbody></table><p>Total: <strong data-testid="{total_testid}">{}</strong></p>"#,
        money(total)
    );
    out
}

fn cart_section(state: &Shop, user: UserId) -> String {
    let cart = state.cart_view(user);
    if cart.items.is_empty() {
        r#"<p data-testid="cart-empty">Your cart is empty</p>"#.to_owned()
    } else {
        lines_table("cart-items", &cart.items, cart.total)
    }
}

async fn cart(app: Current, headers: HeaderMap, uri: Uri) -> Response {
    let mut state = app.lock();
    let user = match require_user(&mut state, &headers, path_and_query(&uri)) {
        Ok(user) => user,
        Err(sign_in) => return sign_in.into_response(),
    };
    let mut body = cart_section(&state, user);
    if !state.cart_view(user).items.is_empty() {
        body.push_str(
            r#"<p><a href="/checkout" data-testid="go-to-checkout">Go to checkout</a></p><form method="post" action="/cart/clear"><button type="submit" data-testid="clear-cart">Empty the cart</button></form>"#,
        );
    }
    body.push_str(
        r#"<form method="post" action="/cart/items" data-testid="add-to-cart-form"><label>Product <select name="product" data-testid="product-select">"#,
    );
    for p in CATALOGUE {
        let _ = write!(
            body,
            r#"<option value="{}">{}</option>"#,
            esc(p.id),
            esc(p.name)
        );
    }
    body.push_str(
        r#"</select></label><label>Quantity <input type="number" name="quantity" value="1" min="1" max="99" data-testid="quantity"></label><button type="submit" data-testid="add-to-cart">Add to cart</button></form>"#,
    );
    render(StatusCode::OK, "Your cart", &state, Some(user), &body)
}

#[derive(Deserialize)]
struct AddItemForm {
    #[serde(default)]
    product: String,
    quantity: Option<String>,
}

async fn add_to_cart(app: Current, headers: HeaderMap, Form(form): Form<AddItemForm>) -> Response {
    let mut state = app.lock();
    let user = match require_user(&mut state, &headers, "/cart") {
        Ok(user) => user,
        Err(sign_in) => return sign_in.into_response(),
    };
    let quantity = match form.quantity.as_deref().map(str::trim) {
        None | Some("") => Ok(1),
        Some(q) => q.parse::<u32>().map_err(|_| {
            Failure::Invalid("The quantity of a product must be between 1 and 99".into())
        }),
    };
    let product = find_product(&form.product).map_or(form.product.as_str(), |p| p.id);
    match quantity.and_then(|q| state.add_to_cart(user, product, q)) {
        Ok(()) => redirect("/cart"),
        Err(failure) => {
            let body = format!(
                "{}{}",
                message("error", &failure.message()),
                cart_section(&state, user)
            );
            render(failure.status(), "Your cart", &state, Some(user), &body)
        }
    }
}

async fn clear_cart(app: Current, headers: HeaderMap) -> Response {
    let mut state = app.lock();
    match require_user(&mut state, &headers, "/cart") {
        Ok(user) => {
            state.clear_cart(user);
            redirect("/cart")
        }
        Err(sign_in) => sign_in.into_response(),
    }
}

fn checkout_form(state: &Shop, user: UserId) -> String {
    let card = match state.saved_card(user) {
        Some(last4) => format!(
            r#"<p data-testid="saved-card">Saved card ending in <span data-testid="saved-card-last4">{}</span></p>"#,
            esc(last4)
        ),
        None => r#"<p data-testid="no-saved-card">There is no saved card on your account</p>"#
            .to_owned(),
    };
    format!(
        r#"{card}<form method="post" action="/checkout" data-testid="checkout-form"><button type="submit" data-testid="pay-with-saved-card">Pay with saved card</button></form>"#
    )
}

async fn checkout_page(app: Current, headers: HeaderMap, uri: Uri) -> Response {
    let mut state = app.lock();
    let user = match require_user(&mut state, &headers, path_and_query(&uri)) {
        Ok(user) => user,
        Err(sign_in) => return sign_in.into_response(),
    };
    let body = format!(
        "{}{}",
        cart_section(&state, user),
        checkout_form(&state, user)
    );
    render(StatusCode::OK, "Checkout", &state, Some(user), &body)
}

fn order_summary(order: &OrderView) -> String {
    format!(
        r#"<dl data-testid="order-summary"><dt>Order</dt><dd><a href="/orders/{number}" data-testid="order-number">{number}</a></dd><dt>Payment</dt><dd data-testid="payment-status">{status}</dd><dt>Charged</dt><dd data-testid="captured-amount">{captured}</dd></dl>"#,
        number = esc(&order.number),
        status = order.payment_status.as_str(),
        captured = money(order.captured_amount),
    )
}

async fn checkout(app: Current, headers: HeaderMap) -> Response {
    let mut state = app.lock();
    let user = match require_user(&mut state, &headers, "/checkout") {
        Ok(user) => user,
        Err(sign_in) => return sign_in.into_response(),
    };
    let (status, body) = match state.checkout(user) {
        Ok(CheckoutOutcome::Captured(order)) => (
            StatusCode::OK,
            format!(
                r#"{}{}<p><a href="/orders" data-testid="go-to-orders">See your orders</a></p>"#,
                message("success", "Your order is confirmed"),
                order_summary(&order)
            ),
        ),
        Ok(CheckoutOutcome::Declined(order)) => (
            StatusCode::PAYMENT_REQUIRED,
            format!(
                "{}{}{}{}",
                message("error", crate::state::CARD_DECLINED),
                order_summary(&order),
                cart_section(&state, user),
                checkout_form(&state, user)
            ),
        ),
        Err(failure) => (
            failure.status(),
            format!(
                "{}{}{}",
                message("error", &failure.message()),
                cart_section(&state, user),
                checkout_form(&state, user)
            ),
        ),
    };
    render(status, "Checkout", &state, Some(user), &body)
}

// --- orders --------------------------------------------------------------------------------

fn order_list(orders: &[OrderView], with_customer: bool) -> String {
    if orders.is_empty() {
        return r#"<p data-testid="no-orders">There are no orders yet</p>"#.to_owned();
    }
    let mut out = String::from(r#"<ul data-testid="order-list">"#);
    for order in orders {
        let customer = if with_customer {
            format!(
                r#" · <span data-testid="order-customer">{}</span>"#,
                esc(&order.customer)
            )
        } else {
            String::new()
        };
        let _ = write!(
            out,
            r#"<li data-testid="order" data-order-number="{number}"><a href="/orders/{number}" data-testid="order-number">{number}</a>{customer} · <span data-testid="payment-status">{status}</span> · <span data-testid="order-total">{total}</span> · <span data-testid="order-date">{date}</span></li>"#,
            number = esc(&order.number),
            status = order.payment_status.as_str(),
            total = money(order.total),
            date = esc(&order.placed_at[..10]),
        );
    }
    out.push_str("</ul>");
    out
}

async fn orders(app: Current, headers: HeaderMap, uri: Uri) -> Response {
    let mut state = app.lock();
    let user = match require_user(&mut state, &headers, path_and_query(&uri)) {
        Ok(user) => user,
        Err(sign_in) => return sign_in.into_response(),
    };
    let body = order_list(&state.own_orders(user), false);
    render(StatusCode::OK, "Your orders", &state, Some(user), &body)
}

async fn order(app: Current, headers: HeaderMap, uri: Uri, Path(number): Path<String>) -> Response {
    let mut state = app.lock();
    let user = match require_user(&mut state, &headers, path_and_query(&uri)) {
        Ok(user) => user,
        Err(sign_in) => return sign_in.into_response(),
    };
    match state.order(user, &number) {
        Ok(order) => {
            let body = format!(
                r#"<section data-testid="order-detail"><p>Customer: <span data-testid="order-customer">{}</span></p>{}{}</section>"#,
                esc(&order.customer),
                order_summary(&order),
                lines_table("order-items", &order.items, order.total)
            );
            render(
                StatusCode::OK,
                &format!("Order {}", order.number),
                &state,
                Some(user),
                &body,
            )
        }
        Err(failure) => {
            let body = message("error", &failure.message());
            render(failure.status(), "Order", &state, Some(user), &body)
        }
    }
}

async fn admin_orders(app: Current, headers: HeaderMap, uri: Uri) -> Response {
    let mut state = app.lock();
    let user = match require_user(&mut state, &headers, path_and_query(&uri)) {
        Ok(user) => user,
        Err(sign_in) => return sign_in.into_response(),
    };
    match state.all_orders(user) {
        Ok(orders) => {
            let body = order_list(&orders, true);
            render(StatusCode::OK, "All orders", &state, Some(user), &body)
        }
        Err(failure) => {
            let body = message("error", &failure.message());
            render(failure.status(), "All orders", &state, Some(user), &body)
        }
    }
}

// --- account -------------------------------------------------------------------------------

fn account_body(state: &Shop, user: UserId, told: &str) -> String {
    let account = state.account_view(user);
    let mut body = String::new();
    if let (Some(banner), Some(pending)) = (account.banner, &account.pending_email) {
        let _ = write!(
            body,
            r#"<div class="banner" role="alert" data-testid="warning-banner">{}</div><p>We sent a verification link to <span data-testid="pending-email">{}</span>. It works for 15 minutes.</p>"#,
            esc(banner),
            esc(pending)
        );
    }
    body.push_str(told);
    let card = account
        .user
        .saved_card
        .as_ref()
        .map_or("none".to_owned(), |c| {
            format!("ending in {}", esc(&c.last4))
        });
    let role = match account.user.role {
        Role::Admin => "admin",
        Role::Customer => "customer",
    };
    let _ = write!(
        body,
        r#"<dl><dt>Name</dt><dd data-testid="account-name">{name}</dd><dt>E-mail address</dt><dd data-testid="account-email">{email}</dd><dt>Role</dt><dd data-testid="account-role">{role}</dd><dt>Saved card</dt><dd data-testid="saved-card">{card}</dd></dl>
<form method="post" action="/account/email" data-testid="change-email-form"><label>New e-mail address <input type="text" inputmode="email" name="email" autocomplete="email" data-testid="new-email"></label><button type="submit" data-testid="change-email-submit">Change e-mail address</button></form>"#,
        name = esc(&account.user.name),
        email = esc(&account.user.email),
    );
    body
}

async fn account(app: Current, headers: HeaderMap, uri: Uri) -> Response {
    let mut state = app.lock();
    let user = match require_user(&mut state, &headers, path_and_query(&uri)) {
        Ok(user) => user,
        Err(sign_in) => return sign_in.into_response(),
    };
    let body = account_body(&state, user, "");
    render(StatusCode::OK, "Your account", &state, Some(user), &body)
}

#[derive(Deserialize)]
struct EmailForm {
    #[serde(default)]
    email: String,
}

async fn change_email(app: Current, headers: HeaderMap, Form(form): Form<EmailForm>) -> Response {
    let mut state = app.lock();
    let user = match require_user(&mut state, &headers, "/account") {
        Ok(user) => user,
        Err(sign_in) => return sign_in.into_response(),
    };
    let (status, told) = match state.request_email_change(user, &form.email, &link_base(&headers)) {
        Ok(email) => (
            StatusCode::OK,
            message(
                "success",
                &format!("We sent a verification link to {email}"),
            ),
        ),
        Err(failure) => (failure.status(), message("error", &failure.message())),
    };
    let body = account_body(&state, user, &told);
    render(status, "Your account", &state, Some(user), &body)
}

#[derive(Deserialize)]
struct VerifyQuery {
    token: Option<String>,
}

async fn verify(app: Current, headers: HeaderMap, Query(query): Query<VerifyQuery>) -> Response {
    let mut state = app.lock();
    let result = state.verify_email(query.token.as_deref().unwrap_or(""));
    let user = viewer(&mut state, &headers);
    let (status, body) = match result {
        Ok(verified) => (
            StatusCode::OK,
            format!(
                r#"{}<p>Your account's e-mail address is now <span data-testid="verified-email">{}</span>.</p><p><a href="/account" data-testid="go-to-account">Go to your account</a></p>"#,
                message("success", "Your e-mail address has been changed"),
                esc(&state.user_view(verified).email)
            ),
        ),
        Err(failure) => (
            failure.status(),
            format!(
                r#"{}<p><a href="/account" data-testid="go-to-account">Go to your account</a></p>"#,
                message("error", &failure.message())
            ),
        ),
    };
    render(status, "Verify your e-mail address", &state, user, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_the_site() {
        assert_eq!(safe_next(Some("/orders?x=1")), "/orders?x=1");
        assert_eq!(safe_next(Some("//evil.test/")), "/");
        assert_eq!(safe_next(Some("https://evil.test/")), "/");
        assert_eq!(safe_next(Some("/\\evil.test")), "/");
        assert_eq!(safe_next(Some("/a b")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
