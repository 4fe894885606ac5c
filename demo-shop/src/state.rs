//! The shop's domain: users, sessions, carts, orders, payments, e-mails, all in memory.
//!
//! Every rule of the shop lives here, behind plain methods on [`State`]; the HTTP layers
//! (`api`, `pages`, `fixtures`) only translate requests into calls and results into responses.
//! One [`State`] belongs to one shop instance, so two shops never see each other's data.

use std::collections::HashMap;

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::clock::{Clock, Instant, rfc3339};
use crate::token::TokenSource;

/// A session ends when it has been idle for longer than this (30 minutes, shop time).
/// Idle for exactly 30 minutes is still alive; 30 minutes and 1 second is expired.
pub const SESSION_IDLE_LIMIT: u64 = 30 * 60;

/// A verification link works for this long after the change was requested (15 minutes, shop
/// time). Exactly 15 minutes after is still valid; 15 minutes and 1 second is expired.
pub const VERIFICATION_LINK_VALIDITY: u64 = 15 * 60;

/// The failed sign-in attempt in a row that locks the account.
pub const MAX_FAILED_SIGN_INS: u32 = 5;

/// The banner on the account while a change of e-mail address waits for verification.
pub const VERIFY_BANNER: &str = "Please verify your new e-mail address";

/// Subject of the e-mail sent after a captured checkout.
pub const ORDER_CONFIRMED_SUBJECT: &str = "Your order is confirmed";

/// Subject of the e-mail sent to a new address to verify it.
pub const VERIFY_EMAIL_SUBJECT: &str = "Confirm your new e-mail address";

/// The message of a declined checkout.
pub const CARD_DECLINED: &str = "Your card was declined";

/// The first order number checkout hands out; numbers already taken are skipped.
const FIRST_ORDER_NUMBER: u64 = 100_001;

/// Why a request was refused; each maps to one HTTP status and one message for the customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// No session, or an unknown session cookie.
    NotSignedIn,
    /// The session was idle for too long.
    SessionExpired,
    /// Wrong password or unknown e-mail address (never says which).
    BadCredentials,
    /// Too many failed sign-ins in a row.
    Locked,
    /// Signed in, but not allowed.
    Forbidden(&'static str),
    /// No such thing.
    NotFound(String),
    /// Checkout of an empty cart.
    EmptyCart,
    /// Checkout without a saved card.
    NoSavedCard,
    /// A malformed or impossible request.
    Invalid(String),
    /// The name, e-mail address or order number is taken.
    Conflict(String),
    /// A verification link followed after its 15 minutes.
    LinkExpired,
    /// A verification link that does not exist or was replaced by a newer one.
    LinkInvalid,
    /// A verification link followed a second time.
    LinkUsed,
}

impl Failure {
    /// The HTTP status of this failure.
    pub fn status(&self) -> StatusCode {
        match self {
            Failure::NotSignedIn | Failure::SessionExpired | Failure::BadCredentials => {
                StatusCode::UNAUTHORIZED
            }
            Failure::Locked => StatusCode::LOCKED,
            Failure::Forbidden(_) => StatusCode::FORBIDDEN,
            Failure::NotFound(_) | Failure::LinkInvalid => StatusCode::NOT_FOUND,
            Failure::EmptyCart | Failure::NoSavedCard | Failure::Invalid(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Failure::Conflict(_) => StatusCode::CONFLICT,
            Failure::LinkExpired | Failure::LinkUsed => StatusCode::GONE,
        }
    }

    /// What the customer is told.
    pub fn message(&self) -> String {
        match self {
            Failure::NotSignedIn => "Please sign in".into(),
            Failure::SessionExpired => "Your session has expired. Please sign in again.".into(),
            Failure::BadCredentials => "E-mail or password is incorrect".into(),
            Failure::Locked => "Your account is locked".into(),
            Failure::Forbidden(message) => (*message).into(),
            Failure::NotFound(message) | Failure::Invalid(message) | Failure::Conflict(message) => {
                message.clone()
            }
            Failure::EmptyCart => "Your cart is empty".into(),
            Failure::NoSavedCard => "There is no saved card on your account".into(),
            Failure::LinkExpired => "This verification link has expired".into(),
            Failure::LinkInvalid => "This verification link is not valid".into(),
            Failure::LinkUsed => "This verification link has already been used".into(),
        }
    }
}

/// A product of the fixed catalogue. Prices are in euro cents.
#[derive(Debug, Serialize)]
pub struct Product {
    /// URL-safe identifier, e.g. `coffee-beans-1kg`.
    pub id: &'static str,
    /// Display name, e.g. `Coffee beans 1kg`.
    pub name: &'static str,
    /// Price in euro cents.
    pub price: u64,
    /// One line about the product.
    pub description: &'static str,
}

/// The catalogue every shop starts with.
pub static CATALOGUE: &[Product] = &[
    Product {
        id: "coffee-beans-1kg",
        name: "Coffee beans 1kg",
        price: 2490,
        description: "Whole beans, medium roast, from a single estate.",
    },
    Product {
        id: "espresso-cups",
        name: "Espresso cups (set of 2)",
        price: 1290,
        description: "Thick-walled porcelain cups that keep the espresso hot.",
    },
    Product {
        id: "hand-grinder",
        name: "Hand grinder",
        price: 4990,
        description: "Conical steel burrs, 40 grind settings.",
    },
    Product {
        id: "paper-filters",
        name: "Paper filters (100)",
        price: 490,
        description: "Unbleached filters for pour-over brewers.",
    },
    Product {
        id: "milk-frother",
        name: "Milk frother",
        price: 3490,
        description: "Battery-powered whisk for foamed milk.",
    },
];

/// Finds a catalogue product by its id or its name (any case).
pub fn find_product(reference: &str) -> Option<&'static Product> {
    let reference = reference.trim();
    CATALOGUE
        .iter()
        .find(|p| p.id.eq_ignore_ascii_case(reference) || p.name.eq_ignore_ascii_case(reference))
}

/// A user's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Sees and buys for themself.
    Customer,
    /// Sees every order.
    Admin,
}

/// Index of a user in [`State::users`].
pub type UserId = usize;

#[derive(Debug)]
struct Card {
    last4: String,
    declines: bool,
}

#[derive(Debug, Clone)]
struct Line {
    product: &'static Product,
    quantity: u32,
}

#[derive(Debug)]
struct User {
    name: String,
    email: String,
    password: [u64; 2],
    role: Role,
    card: Option<Card>,
    failed_sign_ins: u32,
    locked: bool,
    cart: Vec<Line>,
    /// Token of the e-mail change waiting for verification, if any.
    pending: Option<String>,
}

/// Whether the money was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PaymentStatus {
    /// The card was charged: `captured_amount` equals the total.
    Captured,
    /// The issuer refused: nothing was taken.
    Declined,
}

impl PaymentStatus {
    /// `captured` or `declined`.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Captured => "captured",
            PaymentStatus::Declined => "declined",
        }
    }
}

#[derive(Debug)]
struct Order {
    number: String,
    customer: UserId,
    items: Vec<Line>,
    total: u64,
    payment_status: PaymentStatus,
    captured_amount: u64,
    card_last4: Option<String>,
    placed_at: Instant,
}

#[derive(Debug)]
struct Session {
    user: UserId,
    last_activity: Instant,
    expired: bool,
}

#[derive(Debug)]
struct Verification {
    user: UserId,
    email: String,
    requested_at: Instant,
    used: bool,
}

/// An e-mail the shop sent, kept in the test inbox.
#[derive(Debug, Clone, Serialize)]
pub struct Email {
    /// Recipient address.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// When it was sent, RFC 3339 by the test clock.
    pub sent_at: String,
    /// Seconds since the shop started (test clock) when it was sent.
    pub sent_at_elapsed_seconds: u64,
    /// Every link in the body, in order.
    pub links: Vec<String>,
}

/// One attempt to charge a card, kept for `GET /test/charges`.
#[derive(Debug, Clone, Serialize)]
pub struct Charge {
    /// Name of the customer whose card it is.
    pub customer: String,
    /// Last 4 digits of the card.
    pub card_last4: String,
    /// Amount asked for, in cents.
    pub amount: u64,
    /// Amount actually taken, in cents (0 when declined).
    pub captured_amount: u64,
    /// `captured` or `declined`.
    pub status: PaymentStatus,
    /// The order it paid for.
    pub order: String,
    /// When, RFC 3339 by the test clock.
    pub at: String,
}

/// A user as the API shows it. Never carries the password.
#[derive(Debug, Serialize)]
pub struct UserView {
    /// Unique name.
    pub name: String,
    /// Current (verified) e-mail address.
    pub email: String,
    /// `customer` or `admin`.
    pub role: Role,
    /// Always true: every user of the demo shop is verified.
    pub verified: bool,
    /// The saved card, if any.
    pub saved_card: Option<CardView>,
}

/// A saved card as shown: only its last 4 digits.
#[derive(Debug, Serialize)]
pub struct CardView {
    /// Last 4 digits.
    pub last4: String,
}

/// The account page's data.
#[derive(Debug, Serialize)]
pub struct AccountView {
    /// The user.
    #[serde(flatten)]
    pub user: UserView,
    /// The new address waiting for verification (while its link is valid).
    pub pending_email: Option<String>,
    /// [`VERIFY_BANNER`] while a change waits for verification, else null.
    pub banner: Option<&'static str>,
}

/// A cart or order line as shown.
#[derive(Debug, Serialize)]
pub struct LineView {
    /// Product name.
    pub product: &'static str,
    /// Product id.
    pub product_id: &'static str,
    /// How many.
    pub quantity: u32,
    /// Price of one, in cents.
    pub unit_price: u64,
    /// `quantity * unit_price`, in cents.
    pub line_total: u64,
}

/// A cart as shown.
#[derive(Debug, Serialize)]
pub struct CartView {
    /// The lines, in the order they were first added.
    pub items: Vec<LineView>,
    /// Sum of the quantities.
    pub item_count: u32,
    /// Sum of the line totals, in cents.
    pub total: u64,
    /// Always `EUR`.
    pub currency: &'static str,
}

/// An order as shown.
#[derive(Debug, Serialize)]
pub struct OrderView {
    /// Order number.
    pub number: String,
    /// Name of the customer who placed it.
    pub customer: String,
    /// What was ordered.
    pub items: Vec<LineView>,
    /// Total in cents.
    pub total: u64,
    /// Always `EUR`.
    pub currency: &'static str,
    /// `captured` or `declined`.
    pub payment_status: PaymentStatus,
    /// Money taken, in cents: the total when captured, 0 when declined.
    pub captured_amount: u64,
    /// The card charged, if any.
    pub card_last4: Option<String>,
    /// When, RFC 3339 by the test clock.
    pub placed_at: String,
}

/// What a checkout did.
#[derive(Debug)]
pub enum CheckoutOutcome {
    /// Paid: the order, the cart was emptied and a confirmation sent.
    Captured(OrderView),
    /// Refused by the issuer: the order (nothing taken), the cart is kept.
    Declined(OrderView),
}

/// What a fixture user is made of.
#[derive(Debug)]
pub struct NewUser<'a> {
    /// Unique name.
    pub name: &'a str,
    /// Unique e-mail address.
    pub email: &'a str,
    /// Password.
    pub password: &'a str,
    /// Role.
    pub role: Role,
    /// Last 4 digits of a saved card.
    pub card_last4: Option<&'a str>,
}

/// Everything one shop knows.
#[derive(Debug)]
pub struct State {
    /// The test clock.
    pub clock: Clock,
    users: Vec<User>,
    sessions: HashMap<String, Session>,
    orders: Vec<Order>,
    inbox: Vec<Email>,
    charges: Vec<Charge>,
    verifications: HashMap<String, Verification>,
    tokens: TokenSource,
    next_order_number: u64,
}

impl Default for State {
    fn default() -> Self {
        State::new()
    }
}

impl State {
    /// An empty shop: no users, no orders, the clock at its start.
    pub fn new() -> Self {
        State {
            clock: Clock::default(),
            users: Vec::new(),
            sessions: HashMap::new(),
            orders: Vec::new(),
            inbox: Vec::new(),
            charges: Vec::new(),
            verifications: HashMap::new(),
            tokens: TokenSource::new(),
            next_order_number: FIRST_ORDER_NUMBER,
        }
    }

    // --- users -------------------------------------------------------------------------------

    fn user_by_name(&self, name: &str) -> Option<UserId> {
        self.users.iter().position(|u| u.name == name)
    }

    fn user_by_email(&self, email: &str) -> Option<UserId> {
        let email = email.trim();
        self.users
            .iter()
            .position(|u| u.email.eq_ignore_ascii_case(email))
    }

    /// Whether a user has this e-mail address (any case).
    pub fn email_in_use(&self, email: &str) -> bool {
        self.user_by_email(email).is_some()
    }

    /// The user called `name`, or a 404.
    pub fn user_named(&self, name: &str) -> Result<UserId, Failure> {
        self.user_by_name(name)
            .ok_or_else(|| Failure::NotFound(format!("There is no user named {name:?}")))
    }

    /// Creates a verified user (fixture). Names and e-mail addresses are unique per shop.
    pub fn create_user(&mut self, new: NewUser<'_>) -> Result<UserId, Failure> {
        let name = new.name;
        if name.trim().is_empty() || name.chars().count() > 200 {
            return Err(Failure::Invalid(
                "A name must have 1 to 200 characters".into(),
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(Failure::Invalid(
                "A name must not contain control characters".into(),
            ));
        }
        let email = validate_email(new.email)?;
        if new.password.is_empty() {
            return Err(Failure::Invalid("A password must not be empty".into()));
        }
        if self.user_by_name(name).is_some() {
            return Err(Failure::Conflict(format!(
                "A user named {name:?} already exists"
            )));
        }
        if self.user_by_email(&email).is_some() {
            return Err(Failure::Conflict(format!(
                "The e-mail address {email} is already in use"
            )));
        }
        let card = match new.card_last4 {
            None => None,
            Some(last4) => Some(Card {
                last4: validate_last4(last4)?,
                declines: false,
            }),
        };
        let password = self.tokens.digest(name, new.password);
        self.users.push(User {
            name: name.to_owned(),
            email,
            password,
            role: new.role,
            card,
            failed_sign_ins: 0,
            locked: false,
            cart: Vec::new(),
            pending: None,
        });
        Ok(self.users.len() - 1)
    }

    /// The user as the API shows it.
    pub fn user_view(&self, id: UserId) -> UserView {
        let user = &self.users[id];
        UserView {
            name: user.name.clone(),
            email: user.email.clone(),
            role: user.role,
            verified: true,
            saved_card: user.card.as_ref().map(|c| CardView {
                last4: c.last4.clone(),
            }),
        }
    }

    /// The user's name.
    pub fn user_name(&self, id: UserId) -> &str {
        &self.users[id].name
    }

    /// The user's role.
    pub fn role(&self, id: UserId) -> Role {
        self.users[id].role
    }

    // --- sessions ----------------------------------------------------------------------------

    /// Checks the password and opens a session; returns the session token.
    ///
    /// The 5th wrong password in a row locks the account (that attempt still answers
    /// "E-mail or password is incorrect"); from then on every attempt, even with the right
    /// password, answers "Your account is locked". A success resets the count. Unknown e-mail
    /// addresses count nowhere.
    pub fn sign_in(&mut self, email: &str, password: &str) -> Result<(String, UserId), Failure> {
        let Some(id) = self.user_by_email(email) else {
            return Err(Failure::BadCredentials);
        };
        let digest = self.tokens.digest(&self.users[id].name, password);
        let user = &mut self.users[id];
        if user.locked {
            return Err(Failure::Locked);
        }
        if user.password != digest {
            user.failed_sign_ins += 1;
            if user.failed_sign_ins >= MAX_FAILED_SIGN_INS {
                user.locked = true;
            }
            return Err(Failure::BadCredentials);
        }
        user.failed_sign_ins = 0;
        Ok((self.open_session(id), id))
    }

    /// Opens a session for a user without a password (fixture).
    pub fn open_session(&mut self, user: UserId) -> String {
        let token = self.tokens.token();
        let session = Session {
            user,
            last_activity: self.clock.now(),
            expired: false,
        };
        self.sessions.insert(token.clone(), session);
        token
    }

    /// The user of the session `token`, counting this as activity.
    ///
    /// A session idle for more than [`SESSION_IDLE_LIMIT`] is expired for good.
    pub fn authenticate(&mut self, token: Option<&str>) -> Result<UserId, Failure> {
        let now = self.clock.now();
        let session = token
            .and_then(|t| self.sessions.get_mut(t))
            .ok_or(Failure::NotSignedIn)?;
        if session.expired || now.saturating_sub(session.last_activity) > SESSION_IDLE_LIMIT {
            session.expired = true;
            return Err(Failure::SessionExpired);
        }
        session.last_activity = now;
        Ok(session.user)
    }

    /// Ends the session `token`, if there is one.
    pub fn sign_out(&mut self, token: Option<&str>) {
        if let Some(token) = token {
            self.sessions.remove(token);
        }
    }

    // --- cart --------------------------------------------------------------------------------

    /// The user's cart.
    pub fn cart_view(&self, user: UserId) -> CartView {
        let lines = &self.users[user].cart;
        CartView {
            items: lines.iter().map(line_view).collect(),
            item_count: lines.iter().map(|l| l.quantity).sum(),
            total: total(lines),
            currency: "EUR",
        }
    }

    /// Adds `quantity` of a product (by id or name) to the user's cart.
    pub fn add_to_cart(
        &mut self,
        user: UserId,
        product: &str,
        quantity: u32,
    ) -> Result<(), Failure> {
        let product = find_product(product)
            .ok_or_else(|| Failure::NotFound(format!("There is no product {product:?}")))?;
        let cart = &mut self.users[user].cart;
        let line = cart.iter().position(|l| l.product.id == product.id);
        let already = line.map_or(0, |i| cart[i].quantity);
        if quantity == 0 || already + quantity > 99 {
            return Err(Failure::Invalid(
                "The quantity of a product must be between 1 and 99".into(),
            ));
        }
        match line {
            Some(i) => cart[i].quantity += quantity,
            None => cart.push(Line { product, quantity }),
        }
        Ok(())
    }

    /// Empties the user's cart.
    pub fn clear_cart(&mut self, user: UserId) {
        self.users[user].cart.clear();
    }

    // --- checkout and orders -----------------------------------------------------------------

    /// The user's saved card's last 4 digits, if any.
    pub fn saved_card(&self, user: UserId) -> Option<&str> {
        self.users[user].card.as_ref().map(|c| c.last4.as_str())
    }

    /// Pays for the user's cart with the saved card.
    ///
    /// An empty cart or a missing card is refused before anything happens (no order). A
    /// declined card still creates an order, with status `declined` and nothing captured, and
    /// keeps the cart. A captured payment creates the order, empties the cart and sends
    /// "Your order is confirmed" to the user's current address.
    pub fn checkout(&mut self, user: UserId) -> Result<CheckoutOutcome, Failure> {
        let now = self.clock.now();
        let u = &self.users[user];
        if u.cart.is_empty() {
            return Err(Failure::EmptyCart);
        }
        let card = u.card.as_ref().ok_or(Failure::NoSavedCard)?;
        let items = u.cart.clone();
        let amount = total(&items);
        let (status, captured) = if card.declines {
            (PaymentStatus::Declined, 0)
        } else {
            (PaymentStatus::Captured, amount)
        };
        let last4 = card.last4.clone();
        let customer = u.name.clone();
        let number = self.fresh_order_number();
        self.charges.push(Charge {
            customer,
            card_last4: last4.clone(),
            amount,
            captured_amount: captured,
            status,
            order: number.clone(),
            at: rfc3339(now),
        });
        self.orders.push(Order {
            number,
            customer: user,
            items,
            total: amount,
            payment_status: status,
            captured_amount: captured,
            card_last4: Some(last4),
            placed_at: now,
        });
        let view = self.order_view(self.orders.len() - 1);
        if status == PaymentStatus::Declined {
            return Ok(CheckoutOutcome::Declined(view));
        }
        self.users[user].cart.clear();
        let body = confirmation_body(&self.users[user].name, &view);
        let to = self.users[user].email.clone();
        self.send(to, ORDER_CONFIRMED_SUBJECT, body, Vec::new());
        Ok(CheckoutOutcome::Captured(view))
    }

    fn fresh_order_number(&mut self) -> String {
        loop {
            let number = self.next_order_number.to_string();
            self.next_order_number += 1;
            if !self.orders.iter().any(|o| o.number == number) {
                return number;
            }
        }
    }

    /// Creates an order directly (fixture). `number` must be new; without one, the next free
    /// number is taken. Captured fixture orders record a charge when the customer has a card.
    pub fn create_order(
        &mut self,
        customer: UserId,
        number: Option<&str>,
        items: Vec<(String, u32)>,
        status: PaymentStatus,
    ) -> Result<OrderView, Failure> {
        let number = match number {
            Some(number) => {
                let ok = !number.is_empty()
                    && number.len() <= 40
                    && number
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                    && number != "latest";
                if !ok {
                    return Err(Failure::Invalid(
                        "An order number has 1 to 40 letters, digits, - or _ and is not \"latest\""
                            .into(),
                    ));
                }
                if self.orders.iter().any(|o| o.number == number) {
                    return Err(Failure::Conflict(format!("Order {number} already exists")));
                }
                number.to_owned()
            }
            None => self.fresh_order_number(),
        };
        let mut lines = Vec::new();
        for (product, quantity) in items {
            let product = find_product(&product)
                .ok_or_else(|| Failure::NotFound(format!("There is no product {product:?}")))?;
            if quantity == 0 || quantity > 99 {
                return Err(Failure::Invalid(
                    "The quantity of a product must be between 1 and 99".into(),
                ));
            }
            lines.push(Line { product, quantity });
        }
        if lines.is_empty() {
            lines.push(Line {
                product: &CATALOGUE[0],
                quantity: 1,
            });
        }
        let amount = total(&lines);
        let captured = match status {
            PaymentStatus::Captured => amount,
            PaymentStatus::Declined => 0,
        };
        let now = self.clock.now();
        let last4 = self.saved_card(customer).map(str::to_owned);
        if let Some(last4) = &last4 {
            self.charges.push(Charge {
                customer: self.users[customer].name.clone(),
                card_last4: last4.clone(),
                amount,
                captured_amount: captured,
                status,
                order: number.clone(),
                at: rfc3339(now),
            });
        }
        self.orders.push(Order {
            number,
            customer,
            items: lines,
            total: amount,
            payment_status: status,
            captured_amount: captured,
            card_last4: last4,
            placed_at: now,
        });
        Ok(self.order_view(self.orders.len() - 1))
    }

    fn order_view(&self, index: usize) -> OrderView {
        let order = &self.orders[index];
        OrderView {
            number: order.number.clone(),
            customer: self.users[order.customer].name.clone(),
            items: order.items.iter().map(line_view).collect(),
            total: order.total,
            currency: "EUR",
            payment_status: order.payment_status,
            captured_amount: order.captured_amount,
            card_last4: order.card_last4.clone(),
            placed_at: rfc3339(order.placed_at),
        }
    }

    /// The user's own orders, newest first.
    pub fn own_orders(&self, user: UserId) -> Vec<OrderView> {
        (0..self.orders.len())
            .rev()
            .filter(|&i| self.orders[i].customer == user)
            .map(|i| self.order_view(i))
            .collect()
    }

    /// The user's newest order, or a 404.
    pub fn latest_order(&self, user: UserId) -> Result<OrderView, Failure> {
        self.own_orders(user)
            .into_iter()
            .next()
            .ok_or_else(|| Failure::NotFound("You have no orders yet".into()))
    }

    /// One order: 404 when unknown, 403 when it is another customer's and `user` is no admin.
    pub fn order(&self, user: UserId, number: &str) -> Result<OrderView, Failure> {
        let index = self
            .orders
            .iter()
            .position(|o| o.number == number)
            .ok_or_else(|| Failure::NotFound(format!("There is no order {number}")))?;
        if self.orders[index].customer != user && self.users[user].role != Role::Admin {
            return Err(Failure::Forbidden("This order belongs to another customer"));
        }
        Ok(self.order_view(index))
    }

    /// Every order of every customer, newest first; admins only (403 otherwise).
    pub fn all_orders(&self, user: UserId) -> Result<Vec<OrderView>, Failure> {
        if self.users[user].role != Role::Admin {
            return Err(Failure::Forbidden("Only admins may see every order"));
        }
        Ok((0..self.orders.len())
            .rev()
            .map(|i| self.order_view(i))
            .collect())
    }

    // --- payments (fixtures) -----------------------------------------------------------------

    /// Makes the issuer decline saved cards ending in `last4`: only `customer`'s when given,
    /// else every customer's. Returns how many cards now decline; 404 when none matched.
    pub fn decline_card(
        &mut self,
        last4: &str,
        customer: Option<UserId>,
    ) -> Result<usize, Failure> {
        let mut count = 0;
        for (id, user) in self.users.iter_mut().enumerate() {
            if customer.is_some_and(|c| c != id) {
                continue;
            }
            if let Some(card) = user.card.as_mut().filter(|c| c.last4 == last4) {
                card.declines = true;
                count += 1;
            }
        }
        if count == 0 {
            return Err(Failure::NotFound(format!(
                "There is no saved card ending in {last4}"
            )));
        }
        Ok(count)
    }

    /// Every charge attempt, oldest first, optionally only a customer's or a card's.
    pub fn charges(&self, customer: Option<&str>, last4: Option<&str>) -> Vec<Charge> {
        self.charges
            .iter()
            .filter(|c| customer.is_none_or(|n| c.customer == n))
            .filter(|c| last4.is_none_or(|l| c.card_last4 == l))
            .cloned()
            .collect()
    }

    // --- e-mail ------------------------------------------------------------------------------

    fn send(&mut self, to: String, subject: &str, body: String, links: Vec<String>) {
        let now = self.clock.now();
        self.inbox.push(Email {
            to,
            subject: subject.to_owned(),
            body,
            sent_at: rfc3339(now),
            sent_at_elapsed_seconds: self.clock.elapsed(),
            links,
        });
    }

    /// Every e-mail sent, oldest first, optionally only those to `to` (any case). A space in
    /// `to` is read as `+` (addresses have no spaces; an unencoded `+` in a query string
    /// arrives as one).
    pub fn inbox(&self, to: Option<&str>) -> Vec<Email> {
        let to = to.map(|to| to.trim().replace(' ', "+"));
        self.inbox
            .iter()
            .filter(|m| to.as_deref().is_none_or(|to| m.to.eq_ignore_ascii_case(to)))
            .cloned()
            .collect()
    }

    // --- account -----------------------------------------------------------------------------

    /// The account as its page shows it.
    pub fn account_view(&self, user: UserId) -> AccountView {
        let pending = self.users[user]
            .pending
            .as_ref()
            .and_then(|token| self.verifications.get(token))
            .filter(|v| self.link_is_fresh(v));
        AccountView {
            user: self.user_view(user),
            pending_email: pending.map(|v| v.email.clone()),
            banner: pending.map(|_| VERIFY_BANNER),
        }
    }

    fn link_is_fresh(&self, verification: &Verification) -> bool {
        self.clock.now().saturating_sub(verification.requested_at) <= VERIFICATION_LINK_VALIDITY
    }

    /// Asks to move the account to `new_email`: the address stays as it is, a verification
    /// e-mail with a link `{link_base}/account/verify?token=…` goes to the new address, and any
    /// earlier pending change is replaced (its link stops working).
    pub fn request_email_change(
        &mut self,
        user: UserId,
        new_email: &str,
        link_base: &str,
    ) -> Result<String, Failure> {
        let email = validate_email(new_email)?;
        if self.users[user].email.eq_ignore_ascii_case(&email) {
            return Err(Failure::Invalid(
                "This is already your e-mail address".into(),
            ));
        }
        if self.user_by_email(&email).is_some() {
            return Err(Failure::Conflict(
                "This e-mail address is already in use".into(),
            ));
        }
        let token = self.tokens.token();
        self.verifications.insert(
            token.clone(),
            Verification {
                user,
                email: email.clone(),
                requested_at: self.clock.now(),
                used: false,
            },
        );
        self.users[user].pending = Some(token.clone());
        let link = format!("{link_base}/account/verify?token={token}");
        let body = format!(
            "Hello {},\n\nplease confirm your new e-mail address {email} by following this link \
             within 15 minutes:\n\n{link}\n\nUntil then your account keeps the address {}.\n",
            self.users[user].name, self.users[user].email
        );
        self.send(email.clone(), VERIFY_EMAIL_SUBJECT, body, vec![link]);
        Ok(email)
    }

    /// Follows a verification link: switches the address when the link is at most 15 minutes
    /// old (by the test clock), is the newest of its account and was not used yet.
    pub fn verify_email(&mut self, token: &str) -> Result<UserId, Failure> {
        let verification = self.verifications.get(token).ok_or(Failure::LinkInvalid)?;
        if verification.used {
            return Err(Failure::LinkUsed);
        }
        if !self.link_is_fresh(verification) {
            return Err(Failure::LinkExpired);
        }
        let user = verification.user;
        if self.users[user].pending.as_deref() != Some(token) {
            return Err(Failure::LinkInvalid);
        }
        let email = verification.email.clone();
        if self
            .user_by_email(&email)
            .is_some_and(|other| other != user)
        {
            return Err(Failure::Conflict(
                "This e-mail address is already in use".into(),
            ));
        }
        if let Some(v) = self.verifications.get_mut(token) {
            v.used = true;
        }
        let u = &mut self.users[user];
        u.email = email;
        u.pending = None;
        Ok(user)
    }
}

fn line_view(line: &Line) -> LineView {
    LineView {
        product: line.product.name,
        product_id: line.product.id,
        quantity: line.quantity,
        unit_price: line.product.price,
        line_total: line.product.price * u64::from(line.quantity),
    }
}

fn total(lines: &[Line]) -> u64 {
    lines
        .iter()
        .map(|l| l.product.price * u64::from(l.quantity))
        .sum()
}

/// Formats cents as euros, e.g. `€24.90`.
pub fn money(cents: u64) -> String {
    format!("€{}.{:02}", cents / 100, cents % 100)
}

fn confirmation_body(name: &str, order: &OrderView) -> String {
    let mut body = format!(
        "Hello {name},\n\nthank you for your order {}. We charged {} to your card ending in {}.\n\n",
        order.number,
        money(order.captured_amount),
        order.card_last4.as_deref().unwrap_or("----"),
    );
    for item in &order.items {
        body.push_str(&format!(
            "{} x {}  {}\n",
            item.quantity,
            item.product,
            money(item.line_total)
        ));
    }
    body.push_str(&format!("\nTotal: {}\n", money(order.total)));
    body
}

/// Trims and checks an e-mail address: one `@`, something on both sides, no spaces.
fn validate_email(email: &str) -> Result<String, Failure> {
    let email = email.trim();
    let ok = email.len() <= 254
        && email.split('@').count() == 2
        && email.split('@').all(|part| !part.is_empty())
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(email.to_owned())
    } else {
        Err(Failure::Invalid(format!(
            "{email:?} is not a valid e-mail address"
        )))
    }
}

fn validate_last4(last4: &str) -> Result<String, Failure> {
    if last4.len() == 4 && last4.bytes().all(|b| b.is_ascii_digit()) {
        Ok(last4.to_owned())
    } else {
        Err(Failure::Invalid(
            "The last digits of a card are exactly 4 digits".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shop_with_alice() -> (State, UserId) {
        let mut state = State::new();
        let alice = state
            .create_user(NewUser {
                name: "alice",
                email: "alice@example.test",
                password: "s3cret-Pass",
                role: Role::Customer,
                card_last4: Some("4242"),
            })
            .unwrap();
        (state, alice)
    }

    #[test]
    fn products_are_found_by_id_or_name() {
        assert_eq!(
            find_product("Coffee beans 1kg").unwrap().id,
            "coffee-beans-1kg"
        );
        assert_eq!(find_product("coffee-beans-1kg").unwrap().price, 2490);
        assert!(find_product("tea").is_none());
    }

    #[test]
    fn session_boundary_is_thirty_minutes_inclusive() {
        let (mut state, alice) = shop_with_alice();
        let token = state.open_session(alice);
        state.clock.advance(SESSION_IDLE_LIMIT);
        assert_eq!(state.authenticate(Some(&token)), Ok(alice));
        state.clock.advance(SESSION_IDLE_LIMIT + 1);
        assert_eq!(
            state.authenticate(Some(&token)),
            Err(Failure::SessionExpired)
        );
        assert_eq!(state.authenticate(Some("nope")), Err(Failure::NotSignedIn));
        assert_eq!(state.authenticate(None), Err(Failure::NotSignedIn));
    }

    #[test]
    fn verification_boundary_is_fifteen_minutes_inclusive() {
        let (mut state, alice) = shop_with_alice();
        state.request_email_change(alice, "a@new.test", "").unwrap();
        let link = state.inbox(Some("a@new.test"))[0].links[0].clone();
        let token = link.rsplit('=').next().unwrap().to_owned();
        state.clock.advance(VERIFICATION_LINK_VALIDITY);
        assert_eq!(state.account_view(alice).banner, Some(VERIFY_BANNER));
        assert_eq!(state.verify_email(&token), Ok(alice));
        assert_eq!(state.user_view(alice).email, "a@new.test");
        assert_eq!(state.verify_email(&token), Err(Failure::LinkUsed));

        state.request_email_change(alice, "b@new.test", "").unwrap();
        let link = state.inbox(Some("b@new.test"))[0].links[0].clone();
        let token = link.rsplit('=').next().unwrap().to_owned();
        state.clock.advance(VERIFICATION_LINK_VALIDITY + 1);
        assert_eq!(state.verify_email(&token), Err(Failure::LinkExpired));
        assert_eq!(state.user_view(alice).email, "a@new.test");
        assert_eq!(state.account_view(alice).banner, None);
    }

    #[test]
    fn inbox_reads_a_space_as_plus() {
        let (mut state, alice) = shop_with_alice();
        state
            .request_email_change(alice, "a+x@new.test", "")
            .unwrap();
        assert_eq!(state.inbox(Some("a x@new.test")).len(), 1);
        assert_eq!(state.inbox(Some("A+X@new.test")).len(), 1);
        assert_eq!(state.inbox(Some("ax@new.test")).len(), 0);
        assert_eq!(state.inbox(None).len(), 1);
    }

    #[test]
    fn a_newer_change_replaces_the_older_link() {
        let (mut state, alice) = shop_with_alice();
        state.request_email_change(alice, "a@new.test", "").unwrap();
        state.request_email_change(alice, "b@new.test", "").unwrap();
        let old = state.inbox(Some("a@new.test"))[0].links[0].clone();
        let old = old.rsplit('=').next().unwrap();
        assert_eq!(state.verify_email(old), Err(Failure::LinkInvalid));
        assert_eq!(state.verify_email("unknown"), Err(Failure::LinkInvalid));
    }

    #[test]
    fn fixture_validation() {
        let (mut state, alice) = shop_with_alice();
        let again = |name, email| NewUser {
            name,
            email,
            password: "x",
            role: Role::Customer,
            card_last4: None,
        };
        assert!(matches!(
            state.create_user(again("alice", "other@example.test")),
            Err(Failure::Conflict(_))
        ));
        assert!(matches!(
            state.create_user(again("alice2", "ALICE@example.test")),
            Err(Failure::Conflict(_))
        ));
        assert!(matches!(
            state.create_user(again("bob", "not an address")),
            Err(Failure::Invalid(_))
        ));
        assert!(matches!(
            state.create_order(alice, Some("latest"), vec![], PaymentStatus::Captured),
            Err(Failure::Invalid(_))
        ));
        state
            .create_order(alice, Some("1001"), vec![], PaymentStatus::Captured)
            .unwrap();
        assert!(matches!(
            state.create_order(alice, Some("1001"), vec![], PaymentStatus::Captured),
            Err(Failure::Conflict(_))
        ));
    }

    #[test]
    fn money_formats_cents() {
        assert_eq!(money(2490), "€24.90");
        assert_eq!(money(5), "€0.05");
    }
}
