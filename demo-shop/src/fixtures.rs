//! The test fixtures API under `/test`: what Given steps use to arrange a scenario, and what
//! Then steps use to look at side effects (e-mails, charges). Not part of the product API.
//!
//! Names, e-mail addresses and order numbers are unique per shop (or tenant): creating one
//! that exists is a 409. Scenarios sharing one server each take a tenant
//! (`POST /test/tenants`) and then need no unique suffixes; see the crate documentation.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::api::AddItem;
use crate::clock::rfc3339;
use crate::state::{
    CartView, Charge, Email, Failure, NewUser, OrderView, PaymentStatus, Role, State as Shop,
    UserView,
};
use crate::web::{
    ApiError, App, Current, JsonBody, TENANT_COOKIE, TENANT_HEADER, session_cookie, tenant_cookie,
    tenant_id,
};

/// The password of fixture users created without one.
pub const FIXTURE_PASSWORD: &str = "s3cret-Pass";

/// The most the clock can be moved in one call: 10 years.
const MAX_ADVANCE_SECONDS: u64 = 10 * 366 * 24 * 3600;

type ApiResult<T> = Result<T, ApiError>;

/// The `/test` routes.
pub fn routes() -> axum::Router<App> {
    axum::Router::new()
        .route("/test/customers", post(create_customer))
        .route("/test/admins", post(create_admin))
        .route(
            "/test/customers/{name}/cart",
            get(customer_cart).delete(clear_customer_cart),
        )
        .route("/test/customers/{name}/cart/items", post(fill_cart))
        .route("/test/orders", post(create_order))
        .route("/test/cards/decline", post(decline_card))
        .route("/test/charges", get(charges))
        .route("/test/inbox", get(inbox))
        .route("/test/clock", get(clock))
        .route("/test/clock/advance", post(advance_clock))
        .route("/test/sessions", post(open_session))
        .route("/test/sign-in-as", get(sign_in_as))
        .route("/test/tenants", post(create_tenant))
        .route("/test/tenants/current", delete(remove_tenant))
        .route("/test/tenants/{id}/join", get(join_tenant))
}

#[derive(Deserialize)]
struct NewUserBody {
    name: String,
    email: Option<String>,
    password: Option<String>,
    card_last4: Option<String>,
}

async fn create_customer(
    app: Current,
    JsonBody(body): JsonBody<NewUserBody>,
) -> ApiResult<Response> {
    create_user(&app, body, Role::Customer)
}

async fn create_admin(app: Current, JsonBody(body): JsonBody<NewUserBody>) -> ApiResult<Response> {
    create_user(&app, body, Role::Admin)
}

fn create_user(app: &Current, body: NewUserBody, role: Role) -> ApiResult<Response> {
    let mut state = app.lock();
    let email = match body.email {
        Some(email) => email,
        None => default_email(&state, &body.name),
    };
    let id = state.create_user(NewUser {
        name: &body.name,
        email: &email,
        password: body.password.as_deref().unwrap_or(FIXTURE_PASSWORD),
        role,
        card_last4: body.card_last4.as_deref(),
    })?;
    Ok((StatusCode::CREATED, Json(state.user_view(id))).into_response())
}

/// `<name>@example.test` with the name reduced to letters, digits, `.`, `-` and `_`, made unique
/// with `+2`, `+3`… when taken.
fn default_email(state: &Shop, name: &str) -> String {
    let local: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .collect::<String>()
        .to_ascii_lowercase();
    let local = if local.is_empty() {
        "user".to_owned()
    } else {
        local
    };
    let taken = |email: &str| state.email_in_use(email);
    let mut email = format!("{local}@example.test");
    let mut n = 2;
    while taken(&email) {
        email = format!("{local}+{n}@example.test");
        n += 1;
    }
    email
}

async fn customer_cart(app: Current, Path(name): Path<String>) -> ApiResult<Json<CartView>> {
    let state = app.lock();
    let user = state.user_named(&name)?;
    Ok(Json(state.cart_view(user)))
}

async fn clear_customer_cart(app: Current, Path(name): Path<String>) -> ApiResult<Json<CartView>> {
    let mut state = app.lock();
    let user = state.user_named(&name)?;
    state.clear_cart(user);
    Ok(Json(state.cart_view(user)))
}

async fn fill_cart(
    app: Current,
    Path(name): Path<String>,
    JsonBody(item): JsonBody<AddItem>,
) -> ApiResult<Json<CartView>> {
    let mut state = app.lock();
    let user = state.user_named(&name)?;
    state.add_to_cart(user, &item.product, item.quantity)?;
    Ok(Json(state.cart_view(user)))
}

#[derive(Deserialize)]
struct NewOrderBody {
    customer: String,
    number: Option<String>,
    #[serde(default)]
    items: Vec<AddItem>,
    payment_status: Option<PaymentStatus>,
}

async fn create_order(
    app: Current,
    JsonBody(body): JsonBody<NewOrderBody>,
) -> ApiResult<(StatusCode, Json<OrderView>)> {
    let mut state = app.lock();
    let customer = state.user_named(&body.customer)?;
    let items = body
        .items
        .into_iter()
        .map(|i| (i.product, i.quantity))
        .collect();
    let order = state.create_order(
        customer,
        body.number.as_deref(),
        items,
        body.payment_status.unwrap_or(PaymentStatus::Captured),
    )?;
    Ok((StatusCode::CREATED, Json(order)))
}

#[derive(Deserialize)]
struct DeclineBody {
    last4: String,
    customer: Option<String>,
}

async fn decline_card(
    app: Current,
    JsonBody(body): JsonBody<DeclineBody>,
) -> ApiResult<Json<serde_json::Value>> {
    let mut state = app.lock();
    let customer = match &body.customer {
        Some(name) => Some(state.user_named(name)?),
        None => None,
    };
    let count = state.decline_card(&body.last4, customer)?;
    Ok(Json(
        json!({ "last4": body.last4, "declining_cards": count }),
    ))
}

#[derive(Deserialize)]
struct ChargesQuery {
    customer: Option<String>,
    last4: Option<String>,
}

async fn charges(app: Current, Query(query): Query<ChargesQuery>) -> Json<Vec<Charge>> {
    let state = app.lock();
    Json(state.charges(query.customer.as_deref(), query.last4.as_deref()))
}

#[derive(Deserialize)]
struct InboxQuery {
    to: Option<String>,
}

async fn inbox(app: Current, Query(query): Query<InboxQuery>) -> Json<Vec<Email>> {
    Json(app.lock().inbox(query.to.as_deref()))
}

/// The test clock as `GET /test/clock` shows it.
#[derive(Serialize)]
struct ClockView {
    now: String,
    elapsed_seconds: u64,
    elapsed_minutes: u64,
}

fn clock_view(state: &Shop) -> ClockView {
    ClockView {
        now: rfc3339(state.clock.now()),
        elapsed_seconds: state.clock.elapsed(),
        elapsed_minutes: state.clock.elapsed() / 60,
    }
}

async fn clock(app: Current) -> Json<ClockView> {
    Json(clock_view(&app.lock()))
}

#[derive(Deserialize)]
struct Advance {
    #[serde(default)]
    minutes: u64,
    #[serde(default)]
    seconds: u64,
}

async fn advance_clock(
    app: Current,
    JsonBody(body): JsonBody<Advance>,
) -> ApiResult<Json<ClockView>> {
    let seconds = body
        .minutes
        .checked_mul(60)
        .and_then(|s| s.checked_add(body.seconds))
        .filter(|&s| s <= MAX_ADVANCE_SECONDS)
        .ok_or_else(|| Failure::Invalid("The clock moves at most 10 years at a time".into()))?;
    let mut state = app.lock();
    state.clock.advance(seconds);
    Ok(Json(clock_view(&state)))
}

#[derive(Deserialize)]
struct SessionBody {
    name: String,
}

async fn open_session(app: Current, JsonBody(body): JsonBody<SessionBody>) -> ApiResult<Response> {
    let mut state = app.lock();
    let user = state.user_named(&body.name)?;
    let token = state.open_session(user);
    let view: UserView = state.user_view(user);
    Ok((session_cookie(&token), Json(view)).into_response())
}

#[derive(Deserialize)]
struct SignInAs {
    name: String,
    next: Option<String>,
}

async fn sign_in_as(app: Current, Query(query): Query<SignInAs>) -> ApiResult<Response> {
    let mut state = app.lock();
    let user = state.user_named(&query.name)?;
    let token = state.open_session(user);
    let next = crate::pages::safe_next(query.next.as_deref());
    let mut response = (StatusCode::SEE_OTHER, session_cookie(&token)).into_response();
    response.headers_mut().insert(
        LOCATION,
        next.parse().expect("safe_next returns a plain path"),
    );
    Ok(response)
}

async fn create_tenant(State(app): State<App>) -> Response {
    let id = app.create_tenant();
    let body = json!({ "tenant": id, "header": TENANT_HEADER, "cookie": TENANT_COOKIE });
    (StatusCode::CREATED, tenant_cookie(Some(&id)), Json(body)).into_response()
}

async fn remove_tenant(State(app): State<App>, headers: HeaderMap) -> Response {
    if let Some(id) = tenant_id(&headers) {
        app.remove_tenant(&id);
    }
    (StatusCode::NO_CONTENT, tenant_cookie(None)).into_response()
}

#[derive(Deserialize)]
struct Next {
    next: Option<String>,
}

async fn join_tenant(
    State(app): State<App>,
    Path(id): Path<String>,
    Query(query): Query<Next>,
) -> ApiResult<Response> {
    if !app.has_tenant(&id) {
        return Err(Failure::NotFound(format!("There is no tenant {id:?}")).into());
    }
    let next = crate::pages::safe_next(query.next.as_deref());
    let mut response = (StatusCode::SEE_OTHER, tenant_cookie(Some(&id))).into_response();
    response.headers_mut().insert(
        LOCATION,
        next.parse().expect("safe_next returns a plain path"),
    );
    Ok(response)
}
