//! `report.html` in real headless Chromium: the dashboard agrees with the run record, the
//! filters work without a server, and the fixture's `<script>` and `<img onerror>` payloads
//! (in a title, a table cell, a doc string, an Examples cell and an HTTP body) run nowhere.

use std::sync::Arc;
use std::time::Duration;

use casebook::world::{Browser, Browsers, WebDriver};

use super::RUN;

/// Opens the fixture run's report, runs `check` on it and closes the browser.
fn with_report(check: impl AsyncFnOnce(&Browser)) {
    // The run happens before the browser's runtime starts: the harness has a runtime of its own.
    let url = format!("file://{}", RUN.path("report.html").display());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let pool = Arc::new(Browsers::new(
            WebDriver::Chromedriver("chromedriver".into()),
            1,
            Duration::from_secs(20),
        ));
        let browser = pool.acquire().await.expect("a headless Chromium session");
        browser.open(&url).await.unwrap();
        check(&browser).await;
        browser.release().await;
        pool.shutdown().await;
    });
}

/// The case IDs the page shows now (a hidden element has no text).
async fn visible_case_ids(browser: &Browser) -> Vec<String> {
    let mut ids = browser.texts("case-id").await.unwrap();
    ids.retain(|id| !id.is_empty());
    ids
}

/// The case IDs the page shows once they are `expected`, or after 5 s. The text filter
/// redraws the list on the next animation frame, so right after typing the page may still
/// show the list before, or be redrawing it while it is read (a stale element).
async fn settled_case_ids(browser: &Browser, expected: &[&str]) -> Vec<String> {
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let shown = browser.texts("case-id").await.map(|mut ids| {
            ids.retain(|id| !id.is_empty());
            ids
        });
        match shown {
            Ok(ids) if ids == expected || std::time::Instant::now() > deadline => return ids,
            Err(err) if std::time::Instant::now() > deadline => panic!("{err}"),
            _ => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

/// Whether any payload of the fixture ran: each sets `window.pwned`.
async fn pwned(browser: &Browser) -> serde_json::Value {
    browser
        .execute("return window.pwned === undefined ? null : String(window.pwned);")
        .await
        .unwrap()
}

#[test]
fn the_dashboard_shows_the_numbers_of_the_run_record() {
    require_browser!();
    let counts = &RUN.record.counts;
    with_report(async |browser| {
        assert_eq!(
            browser.text("executions").await.unwrap(),
            counts.executions.to_string()
        );
        assert_eq!(
            browser.text("executions-detail").await.unwrap(),
            counts.outcome_line()
        );
        assert_eq!(
            browser.text("cases").await.unwrap(),
            counts.cases.to_string()
        );
        assert_eq!(
            browser.text("cases-detail").await.unwrap(),
            format!(
                "{} automated, {} manual",
                counts.cases - counts.manual_cases,
                counts.manual_cases
            )
        );
        // The harness's definitions: the fixture's own, and casebook's built-in steps.
        let builtin = casebook::registry::Registry::collect::<casebook::World>()
            .definitions()
            .iter()
            .filter(|d| {
                d.location.as_ref().is_some_and(|l| {
                    l.path.as_ref() == std::path::Path::new(casebook::registry::BUILTIN_STEPS)
                })
            })
            .count();
        assert!(builtin > 0);
        // RPT-004 and RPT-005 have a step without a single definition: 5 of the 7
        // automated cases have a whole script.
        assert_eq!(browser.text("scripts").await.unwrap(), "5");
        assert_eq!(
            browser.text("scripts-detail").await.unwrap(),
            format!(
                "of 7 automated cases, from {} step definitions and {builtin} built-in steps",
                counts.definitions - builtin
            )
        );
        // RPT-1, RPT-2, RPT-3, RPT-5 and their parent RPT have cases; RPT-4 has none.
        assert_eq!(
            browser.text("requirements-covered").await.unwrap(),
            "5 of 6"
        );
        assert_eq!(
            browser.text("release").await.unwrap(),
            RUN.record.release.clone().unwrap()
        );
    });
}

#[test]
fn the_filters_narrow_the_cases_without_a_server() {
    require_browser!();
    with_report(async |browser| {
        let all = visible_case_ids(browser).await;
        assert_eq!(all.len(), RUN.record.counts.cases, "{all:?}");

        browser.select("filter-outcome", "failed").await.unwrap();
        assert_eq!(visible_case_ids(browser).await, ["RPT-007", "RPT-010"]);
        assert_eq!(
            browser.text("filter-count").await.unwrap(),
            format!("2 of {} cases shown", all.len())
        );
        for (outcome, cases) in [("blocked", ["RPT-008"]), ("stale", ["RPT-009"])] {
            browser.select("filter-outcome", outcome).await.unwrap();
            assert_eq!(visible_case_ids(browser).await, cases, "{outcome}");
        }

        browser.select("filter-outcome", "any").await.unwrap();
        browser.select("filter-requirement", "RPT-5").await.unwrap();
        assert_eq!(visible_case_ids(browser).await, ["RPT-004", "RPT-005"]);

        browser.select("filter-requirement", "any").await.unwrap();
        browser.select("filter-tag", "@manual").await.unwrap();
        assert_eq!(
            visible_case_ids(browser).await,
            ["RPT-006", "RPT-007", "RPT-008", "RPT-009"]
        );

        browser.select("filter-tag", "any").await.unwrap();
        browser.fill("filter-text", "rpt-003").await.unwrap();
        assert_eq!(settled_case_ids(browser, &["RPT-003"]).await, ["RPT-003"]);
        browser.fill("filter-text", "second attempt").await.unwrap();
        assert_eq!(settled_case_ids(browser, &["RPT-003"]).await, ["RPT-003"]);
    });
}

#[test]
fn no_payload_in_the_suite_or_the_run_executes() {
    require_browser!();
    with_report(async |browser| {
        assert_eq!(pwned(browser).await, serde_json::Value::Null);
        // Every payload is on the page, as text.
        let body = browser
            .execute("return document.body.innerText;")
            .await
            .unwrap();
        let body = body.as_str().unwrap();
        for shown in [
            r#"Titles <script>window.pwned = "title"</script> stay text"#,
            r#"<script>window.pwned = "table"</script>"#,
            r#"<img src=x onerror="window.pwned = 'doc string'">"#,
            r#"<img src=x onerror="window.pwned = 1">"#,
        ] {
            assert!(body.contains(shown), "{shown} is shown as text");
        }
        // The only images are the inlined screenshots.
        let sources = browser
            .execute("return Array.from(document.images, i => i.src.slice(0, 22));")
            .await
            .unwrap();
        assert_eq!(sources, serde_json::json!(["data:image/png;base64,"]));
        // Filtering moves the payloads around; still nothing runs.
        browser.fill("filter-text", "pwned").await.unwrap();
        browser.select("filter-outcome", "failed").await.unwrap();
        assert_eq!(pwned(browser).await, serde_json::Value::Null);
        // The page's policy refuses scripts it did not bring, even one injected later.
        let injected = browser
            .execute(
                "const s = document.createElement('script'); \
                 s.textContent = 'window.pwned = \"injected\"'; \
                 document.body.appendChild(s); return window.pwned === undefined;",
            )
            .await
            .unwrap();
        assert_eq!(injected, serde_json::Value::Bool(true));
    });
}

#[test]
fn report_html_of_the_fixture_run() {
    require_browser!();
    // The page's own style sheet and script are code, pinned by their files; the snapshot
    // pins what the run put on the page: the markup and the case data.
    let page = RUN.read("report.html");
    let main = &page[page.find("<header>").unwrap()..page.find("</main>").unwrap()];
    // The page escapes `/` and `=` inside attributes; a screenshot's pixels depend on the
    // machine's fonts, so the snapshot pins where it is, not what it shows.
    let main =
        regex::Regex::new(r"data:image(/|&#x2f;)png;base64,([A-Za-z0-9+/=]|&#x2f;|&#x3d;|&#x2b;)+")
            .unwrap()
            .replace_all(main, "data:image/png;base64,[png]");
    let main = regex::Regex::new(r"\b[0-9a-f]{40}\b")
        .unwrap()
        .replace_all(&main, "[commit]");
    insta::assert_snapshot!("report_html", super::normalize(&main));
}
