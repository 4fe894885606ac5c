//! HTTP plumbing shared by the API, the pages and the fixtures: the shared state and its
//! tenants, the cookies, JSON errors and the JSON body extractor.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Json;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::{COOKIE, HOST, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::state::{Failure, State};
use crate::token::TokenSource;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "session";

/// Name of the cookie that picks a tenant (see the crate documentation).
pub const TENANT_COOKIE: &str = "shop_tenant";

/// Name of the header that picks a tenant; wins over the cookie.
pub const TENANT_HEADER: &str = "x-shop-tenant";

type Shared = Arc<Mutex<State>>;

/// Everything one running shop serves: its default state, and the isolated states of its
/// tenants.
///
/// A tenant is a complete shop of its own (users, orders, e-mails, clock) inside the same
/// server, created with `POST /test/tenants` and picked per request by the `shop_tenant`
/// cookie or the `X-Shop-Tenant` header. Scenarios that share one server each take a tenant
/// and then cannot disturb each other, not even by moving the clock. Requests without a
/// tenant use the default state.
#[derive(Clone, Default)]
pub struct App {
    default: Shared,
    tenants: Arc<Mutex<Tenants>>,
}

#[derive(Default)]
struct Tenants {
    ids: TokenSource,
    states: HashMap<String, Shared>,
}

impl App {
    fn tenants(&self) -> MutexGuard<'_, Tenants> {
        self.tenants
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Creates a tenant with a fresh, empty state; returns its id.
    pub fn create_tenant(&self) -> String {
        let mut tenants = self.tenants();
        let id = tenants.ids.token();
        tenants.states.insert(id.clone(), Shared::default());
        id
    }

    /// Forgets a tenant and all its data; false when there was none.
    pub fn remove_tenant(&self, id: &str) -> bool {
        self.tenants().states.remove(id).is_some()
    }

    /// Whether the tenant exists.
    pub fn has_tenant(&self, id: &str) -> bool {
        self.tenants().states.contains_key(id)
    }

    /// The state a request works on: its tenant's, or the default one.
    fn state_for(&self, tenant: Option<&str>) -> Option<Shared> {
        match tenant {
            None => Some(self.default.clone()),
            Some(id) => self.tenants().states.get(id).cloned(),
        }
    }
}

/// The tenant a request asks for: the `X-Shop-Tenant` header, else the `shop_tenant` cookie.
pub fn tenant_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get(TENANT_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .or_else(|| cookie(headers, TENANT_COOKIE))
}

/// The state of the shop (or tenant) a request is for. Taken by every handler of the API,
/// the pages and the fixtures; a request for an unknown tenant is refused with a 404.
pub struct Current(Shared);

impl Current {
    /// Locks the state. A handler that panicked cannot leave it half-changed in a way that
    /// matters for a demo, so a poisoned lock is taken over.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl FromRequestParts<App> for Current {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let tenant = tenant_id(&parts.headers);
        app.state_for(tenant.as_deref())
            .map(Current)
            .ok_or_else(|| {
                json_error(
                    StatusCode::NOT_FOUND,
                    "There is no such tenant: create one with POST /test/tenants",
                )
            })
    }
}

/// The value of cookie `name` in the request, if set and not empty.
fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim_matches('"').to_owned())
        .filter(|value| !value.is_empty())
}

/// The session token from the request's cookies, if any.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    cookie(headers, SESSION_COOKIE)
}

/// A `Set-Cookie` header that starts the session `token`.
pub fn session_cookie(token: &str) -> [(HeaderName, HeaderValue); 1] {
    let value = format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax");
    [(
        SET_COOKIE,
        HeaderValue::from_str(&value).expect("tokens are hex"),
    )]
}

/// A `Set-Cookie` header that removes the session cookie.
pub fn clear_session_cookie() -> [(HeaderName, HeaderValue); 1] {
    [(
        SET_COOKIE,
        HeaderValue::from_static("session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
    )]
}

/// A `Set-Cookie` header that picks tenant `id` (or, with `None`, forgets the tenant).
pub fn tenant_cookie(id: Option<&str>) -> [(HeaderName, HeaderValue); 1] {
    let value = match id {
        Some(id) => format!("{TENANT_COOKIE}={id}; Path=/; HttpOnly; SameSite=Lax"),
        None => format!("{TENANT_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
    };
    [(
        SET_COOKIE,
        HeaderValue::from_str(&value).expect("tenant ids are hex"),
    )]
}

/// `http://` plus the request's `Host`, the start of absolute links in e-mails; empty (links
/// relative to the shop) when the host is missing or looks odd.
pub fn link_base(headers: &HeaderMap) -> String {
    let host = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let plausible = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b));
    if plausible {
        format!("http://{host}")
    } else {
        String::new()
    }
}

/// A refusal answered as JSON: `{"error": "…"}` with the failure's status.
#[derive(Debug)]
pub struct ApiError(pub Failure);

impl From<Failure> for ApiError {
    fn from(failure: Failure) -> Self {
        ApiError(failure)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        json_error(self.0.status(), &self.0.message())
    }
}

/// `{"error": message}` with `status`.
pub fn json_error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

/// Like [`axum::Json`], but a body that cannot be read is refused as `{"error": "…"}`.
pub struct JsonBody<T>(pub T);

impl<T, S> FromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(JsonBody(value)),
            Err(rejection) => Err(json_error(rejection.status(), &rejection.body_text())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_session_cookie_among_others() {
        let mut headers = HeaderMap::new();
        headers.append(COOKIE, HeaderValue::from_static("a=1; session=abc; b=2"));
        assert_eq!(session_token(&headers).as_deref(), Some("abc"));
        let mut headers = HeaderMap::new();
        headers.append(COOKIE, HeaderValue::from_static("a=1"));
        headers.append(COOKIE, HeaderValue::from_static("session="));
        assert_eq!(session_token(&headers), None);
    }

    #[test]
    fn link_base_uses_a_plausible_host_only() {
        let mut headers = HeaderMap::new();
        headers.insert(HOST, HeaderValue::from_static("127.0.0.1:4000"));
        assert_eq!(link_base(&headers), "http://127.0.0.1:4000");
        headers.insert(HOST, HeaderValue::from_static("evil.test/<x>"));
        assert_eq!(link_base(&headers), "");
    }
}
