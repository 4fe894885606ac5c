//! The product's JSON API under `/api`.
//!
//! Every refusal is `{"error": "…"}` with a meaningful status (see [`Failure::status`]).
//! Every request with a live session cookie counts as activity for that session.

use axum::Json;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;

use crate::state::{
    AccountView, CATALOGUE, CartView, CheckoutOutcome, OrderView, Product, UserView,
};
use crate::web::{
    ApiError, App, Current, JsonBody, clear_session_cookie, link_base, session_cookie,
    session_token,
};

type ApiResult<T> = Result<T, ApiError>;

/// The `/api` routes.
pub fn routes() -> axum::Router<App> {
    axum::Router::new()
        .route("/health", get(health))
        .route("/api/products", get(products))
        .route(
            "/api/session",
            get(current_session).post(sign_in).delete(sign_out),
        )
        .route("/api/account", get(account))
        .route("/api/account/email", post(change_email))
        .route("/api/account/email/verify", post(verify_email))
        .route("/api/cart", get(cart).delete(clear_cart))
        .route("/api/cart/items", post(add_to_cart))
        .route("/api/checkout", post(checkout))
        .route("/api/orders", get(orders))
        .route("/api/orders/latest", get(latest_order))
        .route("/api/orders/{number}", get(order))
        .route("/api/admin/orders", get(all_orders))
}

/// The health check load balancers and `Given the service is up` ask for.
async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

async fn products() -> Json<&'static [Product]> {
    Json(CATALOGUE)
}

#[derive(Deserialize)]
struct Credentials {
    email: String,
    password: String,
}

async fn sign_in(
    app: Current,
    JsonBody(credentials): JsonBody<Credentials>,
) -> ApiResult<Response> {
    let mut state = app.lock();
    let (token, user) = state.sign_in(&credentials.email, &credentials.password)?;
    Ok((session_cookie(&token), Json(state.user_view(user))).into_response())
}

async fn current_session(app: Current, headers: HeaderMap) -> ApiResult<Json<UserView>> {
    let mut state = app.lock();
    let user = state.authenticate(session_token(&headers).as_deref())?;
    Ok(Json(state.user_view(user)))
}

async fn sign_out(app: Current, headers: HeaderMap) -> Response {
    app.lock().sign_out(session_token(&headers).as_deref());
    (StatusCode::NO_CONTENT, clear_session_cookie()).into_response()
}

async fn account(app: Current, headers: HeaderMap) -> ApiResult<Json<AccountView>> {
    let mut state = app.lock();
    let user = state.authenticate(session_token(&headers).as_deref())?;
    Ok(Json(state.account_view(user)))
}

#[derive(Deserialize)]
struct NewEmail {
    email: String,
}

async fn change_email(
    app: Current,
    headers: HeaderMap,
    JsonBody(body): JsonBody<NewEmail>,
) -> ApiResult<Response> {
    let mut state = app.lock();
    let user = state.authenticate(session_token(&headers).as_deref())?;
    let email = state.request_email_change(user, &body.email, &link_base(&headers))?;
    let body = json!({
        "message": format!("We sent a verification link to {email}"),
        "account": state.account_view(user),
    });
    Ok((StatusCode::ACCEPTED, Json(body)).into_response())
}

#[derive(Deserialize)]
struct Token {
    token: String,
}

async fn verify_email(
    app: Current,
    JsonBody(body): JsonBody<Token>,
) -> ApiResult<Json<serde_json::Value>> {
    let mut state = app.lock();
    let user = state.verify_email(&body.token)?;
    Ok(Json(json!({
        "message": "Your e-mail address has been changed",
        "email": state.user_view(user).email,
    })))
}

async fn cart(app: Current, headers: HeaderMap) -> ApiResult<Json<CartView>> {
    let mut state = app.lock();
    let user = state.authenticate(session_token(&headers).as_deref())?;
    Ok(Json(state.cart_view(user)))
}

fn one() -> u32 {
    1
}

/// Body of `POST /api/cart/items` and `POST /test/customers/{name}/cart/items`.
#[derive(Deserialize)]
pub(crate) struct AddItem {
    /// Product id or name.
    pub product: String,
    /// How many; 1 when left out.
    #[serde(default = "one")]
    pub quantity: u32,
}

async fn add_to_cart(
    app: Current,
    headers: HeaderMap,
    JsonBody(item): JsonBody<AddItem>,
) -> ApiResult<Json<CartView>> {
    let mut state = app.lock();
    let user = state.authenticate(session_token(&headers).as_deref())?;
    state.add_to_cart(user, &item.product, item.quantity)?;
    Ok(Json(state.cart_view(user)))
}

async fn clear_cart(app: Current, headers: HeaderMap) -> ApiResult<Json<CartView>> {
    let mut state = app.lock();
    let user = state.authenticate(session_token(&headers).as_deref())?;
    state.clear_cart(user);
    Ok(Json(state.cart_view(user)))
}

async fn checkout(app: Current, headers: HeaderMap) -> ApiResult<Response> {
    let mut state = app.lock();
    let user = state.authenticate(session_token(&headers).as_deref())?;
    Ok(match state.checkout(user)? {
        CheckoutOutcome::Captured(order) => (
            StatusCode::CREATED,
            Json(json!({ "message": "Your order is confirmed", "order": order })),
        )
            .into_response(),
        CheckoutOutcome::Declined(order) => (
            StatusCode::PAYMENT_REQUIRED,
            Json(json!({ "error": crate::state::CARD_DECLINED, "order": order })),
        )
            .into_response(),
    })
}

async fn orders(app: Current, headers: HeaderMap) -> ApiResult<Json<Vec<OrderView>>> {
    let mut state = app.lock();
    let user = state.authenticate(session_token(&headers).as_deref())?;
    Ok(Json(state.own_orders(user)))
}

async fn latest_order(app: Current, headers: HeaderMap) -> ApiResult<Json<OrderView>> {
    let mut state = app.lock();
    let user = state.authenticate(session_token(&headers).as_deref())?;
    Ok(Json(state.latest_order(user)?))
}

async fn order(
    app: Current,
    headers: HeaderMap,
    Path(number): Path<String>,
) -> ApiResult<Json<OrderView>> {
    let mut state = app.lock();
    let user = state.authenticate(session_token(&headers).as_deref())?;
    Ok(Json(state.order(user, &number)?))
}

async fn all_orders(app: Current, headers: HeaderMap) -> ApiResult<Json<Vec<OrderView>>> {
    let mut state = app.lock();
    let user = state.authenticate(session_token(&headers).as_deref())?;
    Ok(Json(state.all_orders(user)?))
}
