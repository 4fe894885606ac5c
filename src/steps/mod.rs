//! The built-in steps: a standard library that every harness has, so that API test cases
//! need no Rust at all.
//!
//! ```text
//! Given the service is up
//! Given I set the request header "<name>" to "<value>"
//! When I send a GET request to "<path>"          (and POST, PUT, PATCH, DELETE; a doc string is the body)
//! Then the response status should be <int>
//! Then the response header "<name>" should contain "<text>"
//! Then the response JSON at "<json path>" should be <int> | "<string>"
//! Then the response JSON at "<json path>" should have <int> items
//! Then the response body should contain "<text>"
//! Then the response JSON should contain:          + table | path | value |
//! Then the response JSON should include:          + doc string (JSON subset match)
//! ```
//!
//! JSON paths are RFC 9535 (`$.items[0].name`). Steps registered in a library can vanish at
//! link time when nothing refers to their object file, so the runner calls [`link`].

mod http;

/// Keeps the built-in steps in every binary that runs casebook. The runner calls it; a
/// project that builds its own `cucumber::Cucumber` around [`World`](crate::World) should too.
#[inline(never)]
pub fn link() {
    http::link();
}

/// Whether a step definition at this place is one of the built-in steps.
pub fn is_builtin(location: &crate::location::Location) -> bool {
    location.path.as_ref() == std::path::Path::new(crate::registry::BUILTIN_STEPS)
}
