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

use std::io::Write as _;

use base64::Engine as _;
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
        page => &page,
        style => STYLE,
        script => SCRIPT,
        csp => content_security_policy(),
    };
    let html = template.render(context).map_err(std::io::Error::other)?;
    // The case data, most of the page on a large suite, goes straight from the view model
    // into the file, at the one place the template marks: escaping turns every `<` of a
    // text into `&lt;`, so the marker cannot come from the suite or the run.
    let (head, tail) = html
        .split_once(CASE_DATA)
        .expect("the template marks the place of the case data");
    out.write_all(head.as_bytes())?;
    let features = cases::Features {
        inputs,
        scripts: &page.script_index,
    };
    let mut data = super::buffered(&mut *out);
    script_json(&mut data, &features)?;
    data.flush()?;
    drop(data);
    out.write_all(tail.as_bytes())
}

/// Writes `value` as JSON that can sit inside a `<script>` element (see [`ScriptSafe`]).
fn script_json(out: impl std::io::Write, value: &impl serde::Serialize) -> std::io::Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(out, ScriptSafe);
    value
        .serialize(&mut serializer)
        .map_err(std::io::Error::other)
}

/// Where the template wants the case data.
const CASE_DATA: &str = "<casebook-case-data/>";

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

/// Formats JSON so that it can sit inside a `<script>` element: `<`, `>` and `&` are written
/// as `\u` escapes, so no `</script>` or `<!--` in a title can end the element early. JSON
/// has these characters only inside strings, where the escapes mean the same; the formatter
/// sees exactly those, as the unescaped runs of every string and key.
struct ScriptSafe;

impl serde_json::ser::Formatter for ScriptSafe {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let bytes = fragment.as_bytes();
        let mut start = 0;
        for (i, byte) in bytes.iter().enumerate() {
            let escaped: &[u8] = match byte {
                b'<' => b"\\u003c",
                b'>' => b"\\u003e",
                b'&' => b"\\u0026",
                _ => continue,
            };
            writer.write_all(&bytes[start..i])?;
            writer.write_all(escaped)?;
            start = i + 1;
        }
        writer.write_all(&bytes[start..])
    }
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
        let mut json = Vec::new();
        let value = std::collections::BTreeMap::from([("<b>&", ["</script><!-- & -->"])]);
        script_json(&mut json, &value).unwrap();
        let json = String::from_utf8(json).unwrap();
        assert!(!json.contains('<') && !json.contains('>') && !json.contains('&'));
        let back: std::collections::BTreeMap<String, Vec<String>> =
            serde_json::from_str(&json).unwrap();
        assert_eq!(back["<b>&"], ["</script><!-- & -->"]);
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
