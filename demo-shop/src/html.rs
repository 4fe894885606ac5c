//! Building HTML as strings: escaping, URL encoding and the page layout.
//!
//! Every value that did not come from this source file goes through [`esc`] before it is
//! put into markup, attributes included.

use std::fmt::Write;

use crate::state::Role;

/// Escapes text for HTML content and double- or single-quoted attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes everything but unreserved characters, for a query-string value.
pub fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Who is signed in, as the page header shows it.
pub struct Viewer<'a> {
    /// The user's name.
    pub name: &'a str,
    /// The user's role.
    pub role: Role,
}

const STYLE: &str = "\
body{margin:0;font-family:system-ui,sans-serif;color:#222;background:#faf8f5;line-height:1.5}\
header{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;padding:.75rem 1rem;background:#3b2a1e;color:#fff}\
header a{color:#fff}\
.logo{font-weight:700;font-size:1.25rem;text-decoration:none}\
nav{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center}\
main{max-width:48rem;margin:0 auto;padding:1rem}\
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #ddd}\
.banner{background:#fff3cd;border:1px solid #e0c060;padding:.75rem;margin-bottom:1rem}\
.message{padding:.75rem;margin-bottom:1rem;border:1px solid #999}\
.error{background:#fde2e1;border-color:#c0392b}\
.success{background:#e3f6e5;border-color:#2e7d32}\
label{display:block;margin:.5rem 0}input{font:inherit;padding:.4rem;max-width:100%}\
button{font:inherit;padding:.5rem 1rem;min-height:44px;cursor:pointer}\
form.inline{display:inline}";

/// A whole page: header with logo and navigation, then `body` (already safe HTML).
pub fn layout(title: &str, viewer: Option<&Viewer<'_>>, body: &str) -> String {
    let mut nav = String::from(
        r#"<a href="/cart" data-testid="nav-cart">Cart</a> <a href="/orders" data-testid="nav-orders">Orders</a> <a href="/account" data-testid="nav-account">Account</a>"#,
    );
    match viewer {
        Some(viewer) => {
            if viewer.role == Role::Admin {
                nav.push_str(
                    r#" <a href="/admin/orders" data-testid="nav-admin-orders">All orders</a>"#,
                );
            }
            let _ = write!(
                nav,
                r#" <span>Signed in as <strong data-testid="signed-in-as">{}</strong></span> <form class="inline" method="post" action="/sign-out"><button type="submit" data-testid="sign-out">Sign out</button></form>"#,
                esc(viewer.name)
            );
        }
        None => nav.push_str(r#" <a href="/sign-in" data-testid="nav-sign-in">Sign in</a>"#),
    }
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · Casebook Coffee</title>
<style>{STYLE}</style>
</head>
<body>
<header><a href="/" class="logo" data-testid="logo">☕ Casebook Coffee</a><nav data-testid="nav">{nav}</nav></header>
<main>
<h1 data-testid="page-title">{title}</h1>
{body}
</main>
</body>
</html>
"#,
        title = esc(title),
    )
}

/// What the customer is told after an action: `data-testid="message"`, with `data-kind`
/// `error` or `success`.
pub fn message(kind: &str, text: &str) -> String {
    let role = if kind == "error" { "alert" } else { "status" };
    format!(
        r#"<p class="message {kind}" role="{role}" data-testid="message" data-kind="{kind}">{}</p>"#,
        esc(text)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc(r#"<script>alert("x" + 'y')</script> & co"#),
            "&lt;script&gt;alert(&quot;x&quot; + &#39;y&#39;)&lt;/script&gt; &amp; co"
        );
    }

    #[test]
    fn url_encodes_queries() {
        assert_eq!(url_encode("/orders?a=1&b"), "/orders%3Fa%3D1%26b");
        assert_eq!(url_encode("ä"), "%C3%A4");
    }

    #[test]
    fn layout_escapes_the_viewer() {
        let viewer = Viewer {
            name: "<b>x</b>",
            role: Role::Admin,
        };
        let page = layout("T", Some(&viewer), "");
        assert!(page.contains("&lt;b&gt;x&lt;/b&gt;"));
        assert!(page.contains(r#"data-testid="nav-admin-orders""#));
        assert!(!page.contains("<b>x"));
    }
}
