//! `report.html`: the living documentation, one self-contained file a product owner opens
//! by double-click.
//!
//! The page is built in two steps: `page` turns the [`Inputs`] into a view model (plain
//! serializable data; one module per section: `dashboard`, `requirements`, `cases`,
//! `failures`), and a minijinja template (`html/report.html.j2`) renders it with HTML
//! auto-escaping, so every text from the suite, the run or a service arrives as text. The
//! features and their cases travel as JSON inside the page (`script_json`), from which the
//! page's script draws the cases that match the filters, a page at a time, through
//! `textContent` only: at ten thousand cases, the same as markup would take Chromium seconds
//! to lay out. The style sheet and the script are inlined, and the page's
//! Content-Security-Policy allows exactly those two (by SHA-256 hash) and `data:` images:
//! nothing else can run, even if escaping were ever missed.

use base64::Engine as _;
use serde::Serialize;
use sha2::Digest as _;

use super::Inputs;

mod cases;
mod dashboard;
mod failures;
mod page;
mod requirements;

const TEMPLATE: &str = include_str!("html/report.html.j2");

const STYLE: &str = include_str!("html/report.css");

const SCRIPT: &str = include_str!("html/report.js");

/// Renders `report.html` into `out`.
pub fn report(inputs: &Inputs<'_>, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut env = minijinja::Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    env.add_template("report.html", TEMPLATE)
        .expect("the report template parses");
    let page = page::page(inputs);
    let template = env
        .get_template("report.html")
        .expect("the report template is there");
    let context = minijinja::context! {
        page => page,
        style => STYLE,
        script => SCRIPT,
        csp => content_security_policy(),
    };
    match template.render_captured_to(context, out) {
        Ok(_) => Ok(()),
        Err(err) => Err(std::io::Error::other(err)),
    }
}

/// Allows the page's own style sheet and script, and images inlined as `data:` URIs; nothing
/// else (no network, no other script, no plug-in, no form target).
fn content_security_policy() -> String {
    let hash = |text: &str| {
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(text.as_bytes()))
    };
    format!(
        "default-src 'none'; script-src 'sha256-{}'; style-src 'sha256-{}'; img-src data:; \
         base-uri 'none'; form-action 'none'",
        hash(SCRIPT),
        hash(STYLE)
    )
}

/// JSON that can sit inside a `<script>` element: `<`, `>` and `&` are written as `\u` escapes,
/// so no `</script>` or `<!--` in a title can end the element early.
fn script_json(value: &impl Serialize) -> String {
    let json = serde_json::to_string(value).expect("plain data serializes");
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            c => out.push(c),
        }
    }
    out
}

/// Only web links become `href`s: a `javascript:` link in the catalog must not run.
fn is_web_link(link: &str) -> bool {
    let lower = link.to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_close_its_element() {
        let json = script_json(&["</script><!-- & -->"]);
        assert!(!json.contains('<') && !json.contains('>') && !json.contains('&'));
        let back: Vec<String> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, ["</script><!-- & -->"]);
    }

    #[test]
    fn only_web_links_become_links() {
        assert!(is_web_link("https://tracker.example/PAY-7"));
        assert!(is_web_link("HTTP://tracker.example/PAY-7"));
        assert!(!is_web_link("javascript:alert(1)"));
        assert!(!is_web_link("data:text/html,<script>"));
    }

    #[test]
    fn the_policy_allows_exactly_the_page_s_own_style_and_script() {
        let csp = content_security_policy();
        assert!(csp.starts_with("default-src 'none'; script-src 'sha256-"));
        assert_eq!(csp.matches("'sha256-").count(), 2);
        assert!(!csp.contains("unsafe"));
    }
}
