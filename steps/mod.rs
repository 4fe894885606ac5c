//! The demo shop's step definitions: the test scripts behind `features/`.
//!
//! They speak the cases' business language and map it onto the shop: the fixtures API for
//! pre-conditions, the JSON API for most actions and checks, and the browser for the flows a
//! customer clicks through (checkout, the account page, the admin's order overview). Every
//! scenario works in a tenant of its own, a complete shop inside the shared server, so cases
//! running at the same time never see each other's users, orders, e-mails or clock.

mod account;
mod checkout;
mod customers;
mod orders;
mod shop;
