//! The project's own executable specifications: `cargo test --test specs`.
//!
//! The demo shop's test cases (`features/`) run against the demo shop, started in-process on
//! a free loopback port unless a base URL is configured, with the step definitions in
//! `steps/`. casebook lints the suite, binds every step, runs the automated cases through
//! real HTTP and headless Chromium, and writes its reports to `target/casebook/`.

#[path = "../steps/mod.rs"]
mod steps;

fn main() -> std::process::ExitCode {
    casebook::harness::Harness::new()
        .root(env!("CARGO_MANIFEST_DIR"))
        .default_service(|| async {
            let shop = demo_shop::Shop::start().await?;
            Ok((shop.base_url().to_owned(), shop))
        })
        .run()
}
