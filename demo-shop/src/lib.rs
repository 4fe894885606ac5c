//! The demo shop: a small coffee shop web application, the system under test of casebook's
//! own executable specifications (`features/*.feature`).
//!
//! Step definitions drive it through real HTTP and a real browser:
//!
//! ```no_run
//! # async fn example() -> std::io::Result<()> {
//! let shop = demo_shop::Shop::start().await?; // 127.0.0.1 on a free port
//! let url = shop.url("/api/products");         // e.g. http://127.0.0.1:41234/api/products
//! # let _ = url;
//! shop.stop().await;
//! # Ok(())
//! # }
//! ```
//!
//! Everything lives in memory, one state per shop instance: two shops never share users,
//! orders, e-mails or clocks. Nothing is persisted.
//!
//! # Three surfaces
//!
//! - **The product API**, JSON under `/api`: sessions (cookie `session`, HttpOnly), the
//!   catalogue, the cart, checkout with the saved card, orders, the account and its e-mail
//!   change. Every refusal is `{"error": "…"}`. Amounts are integers in euro cents.
//! - **The pages**, server-rendered HTML for the browser flows (`/sign-in`, `/cart`,
//!   `/checkout`, `/orders`, `/admin/orders`, `/account`, `/account/verify`), every important
//!   element marked with a `data-testid`.
//! - **The test fixtures API**, JSON under `/test`, for Given steps and for looking at side
//!   effects: create customers, admins and orders, make a card decline, fill a cart, read the
//!   inbox and the charges, move the test clock, open a session without a password.
//!
//! # Time
//!
//! The shop has its own clock, which starts at 2025-01-01T09:00:00Z and stands still until
//! `POST /test/clock/advance {"minutes": N}` moves it. Every expiry and timestamp reads it,
//! never the wall clock:
//! - a session expires when idle for more than 30 minutes (exactly 30 is still alive); every
//!   request carrying a live session cookie is activity;
//! - a verification link works for 15 minutes (exactly 15 still works, 15:01 does not).
//!
//! # Isolation: one shop, or one tenant, per scenario
//!
//! Scenarios running in parallel must not see each other's users, orders, e-mails or clock
//! moves. Two ways:
//!
//! - **A shop per scenario**: [`Shop::start`] takes about a millisecond.
//! - **A tenant per scenario** in one shared shop: `POST /test/tenants` creates an empty,
//!   complete shop inside the server (its own users, orders, inbox and clock) and answers with
//!   a `shop_tenant` cookie; every later request carrying that cookie (or the header
//!   `X-Shop-Tenant: <id>`) works on that tenant. A browser joins with
//!   `GET /test/tenants/{id}/join?next=/sign-in`. Requests without a tenant use the default
//!   state, so a shop started for one scenario needs none of this.
//!
//! Within one shop or tenant, user names, e-mail addresses and order numbers are unique:
//! creating one that exists answers 409. Step definitions that share a state between
//! scenarios without tenants must give every name, address and order number a unique suffix
//! (`alice-7f3a`), and must not move the shared clock.

#![warn(missing_docs)]

mod api;
mod clock;
mod fixtures;
mod html;
mod pages;
mod state;
mod token;
mod web;

use std::future::Future;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use fixtures::FIXTURE_PASSWORD;
pub use state::{
    CARD_DECLINED, MAX_FAILED_SIGN_INS, ORDER_CONFIRMED_SUBJECT, SESSION_IDLE_LIMIT,
    VERIFICATION_LINK_VALIDITY, VERIFY_BANNER, VERIFY_EMAIL_SUBJECT,
};
pub use web::{SESSION_COOKIE, TENANT_COOKIE, TENANT_HEADER};

/// How long [`Shop::stop`] waits for open requests before cutting them off.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// The whole application with a fresh, empty state: the product API, the pages and the test
/// fixtures API. For embedding the shop in another server or serving it yourself.
pub fn router() -> axum::Router {
    axum::Router::new()
        .merge(api::routes())
        .merge(pages::routes())
        .merge(fixtures::routes())
        .with_state(web::App::default())
}

/// Serves a fresh shop on `listener` until Ctrl-C, then finishes the open requests.
/// For a `casebook demo`-style command.
pub async fn serve(listener: TcpListener) -> io::Result<()> {
    serve_until(listener, async {
        if tokio::signal::ctrl_c().await.is_err() {
            // Without a Ctrl-C handler, serve until the process ends.
            std::future::pending::<()>().await;
        }
    })
    .await
}

/// Serves a fresh shop on `listener` until `shutdown` completes, then finishes the open
/// requests.
pub async fn serve_until(
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    axum::serve(listener, router())
        .with_graceful_shutdown(shutdown)
        .await
}

/// A running shop on an ephemeral loopback port, with its own state. Stops when dropped.
///
/// Must be started and dropped inside a Tokio runtime.
#[derive(Debug)]
pub struct Shop {
    base_url: String,
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<io::Result<()>>>,
}

impl Shop {
    /// Binds `127.0.0.1:0` and serves a fresh shop from a Tokio task.
    pub async fn start() -> io::Result<Shop> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let (shutdown, signal) = oneshot::channel::<()>();
        let task = tokio::spawn(serve_until(listener, async {
            let _ = signal.await;
        }));
        Ok(Shop {
            base_url: format!("http://{addr}"),
            addr,
            shutdown: Some(shutdown),
            task: Some(task),
        })
    }

    /// Where the shop answers, without a trailing slash, e.g. `http://127.0.0.1:41234`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The absolute URL of `path` (which starts with `/`) on this shop.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// The socket address the shop listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting connections, lets open requests finish (at most 5 seconds, then they
    /// are cut off) and waits until the server is gone.
    pub async fn stop(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(STOP_GRACE, task).await.is_err() {
                abort.abort();
            }
        }
    }
}

impl Drop for Shop {
    /// Asks the server to shut down gracefully and cuts it off after 5 seconds; does not wait.
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(task) = self.task.take()
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            let abort = task.abort_handle();
            runtime.spawn(async move {
                if tokio::time::timeout(STOP_GRACE, task).await.is_err() {
                    abort.abort();
                }
            });
        }
    }
}
