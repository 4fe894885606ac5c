//! Snapshots of every report format over inputs built by hand: a suite from inline Gherkin,
//! a catalog from inline TOML, a run record with an execution in every outcome, a tester's
//! result, and the bindings of a small registry. Nothing runs and no browser is needed, so a
//! change to a renderer shows here as a diff of that renderer's output alone; the reports of
//! a real run are snapshotted end to end in `tests/reports/`.
//!
//! Every value is fixed (timestamps, durations, the loopback port), so nothing needs
//! redacting.

#![cfg(test)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{AttachmentFiles, Inputs};
use crate::catalog::{self, Catalog};
use crate::config::{Config, JunitDialect};
use crate::manual::{self, Ledger};
use crate::model::{StepKind, Suite};
use crate::record::{
    AmbiguousStep, ExampleRef, ExecutionRecord, Failure, RunCounts, RunRecord, Selection,
    StepCounts, StepRecord, StepStatus, UnboundStep,
};
use crate::record::{Attachment, Exchange};
use crate::redact::Redactor;
use crate::registry::{Bindings, Definition, Registry};
use crate::trace::TraceMatrix;
use crate::{suite, trace};

const FILE: &str = "features/checkout.feature";

/// One feature file with a case for every outcome, an outline with two Examples blocks and
/// a manual case. The line numbers are the record's: keep them in step.
const FEATURE: &str = indoc::indoc! {r#"
    @req:SHOP
    Feature: Checkout
      Paying for a cart.

      Background:
        Given a cart with 2 items

      @SNP-1 @req:PAY-1
      Scenario: a card payment is accepted
        When the customer pays by card
        Then the order is paid

      @SNP-2 @req:PAY-1
      Scenario: a declined card is refused
        When the customer pays with a declined card
        Then the order is refused

      @SNP-3 @req:PAY-2
      Scenario: a slow gateway is retried
        When the customer pays by card
        Then the order is paid

      @SNP-4 @req:PAY-2
      Scenario: a voucher pays part of the order
        When the customer pays with a voucher
        Then the order is paid

      @SNP-5
      Scenario: the total is shown
        When the customer looks at the total
        Then the order is paid

      @SNP-6 @req:PAY-1
      Scenario: a receipt is sent
        When the customer pays by card
        Then a receipt is sent

      @SNP-7 @req:PAY-1
      Scenario Outline: pays with <card>
        When the customer pays with <card>
        Then the order is <state>

        Examples: Accepted
          | card | state |
          | visa | paid  |

        @req:PAY-2
        Examples: Declined
          | card    | state   |
          | expired | refused |

      @SNP-8 @manual @req:UX-1
      Scenario: the receipt looks right
        Given a printed receipt
        Then the logo is sharp
"#};

const CATALOG: &str = indoc::indoc! {r#"
    [SHOP]
    title = "The shop takes money"
    risk = "high"
    owner = "checkout-team"

    [PAY-1]
    title = "A card pays an order"
    risk = "critical"
    parent = "SHOP"
    link = "https://tracker.example/PAY-1"

    [PAY-2]
    title = "A failed payment is retried or refused"
    risk = "high"
    parent = "SHOP"

    [UX-1]
    title = "The receipt is legible"
    risk = "low"

    [LOST-1]
    title = "Nothing proves this yet"
    risk = "normal"
"#};

/// Given, When, Then definitions at fixed places; "the customer looks at the total" matches
/// two, "the customer pays with a voucher" none, and "the cart is empty" is used by no step.
fn definitions() -> Vec<Definition> {
    let definition = |kind, pattern: &str, place: &str| Definition {
        kind,
        pattern: pattern.into(),
        location: place.parse().ok(),
    };
    vec![
        definition(
            StepKind::Given,
            r"^a cart with (\d+) items$",
            "steps/cart.rs:5:1",
        ),
        definition(
            StepKind::When,
            "^the customer pays by card$",
            "steps/pay.rs:10:1",
        ),
        definition(
            StepKind::When,
            "^the customer pays with (visa|expired|a declined card)$",
            "steps/pay.rs:20:1",
        ),
        definition(
            StepKind::Then,
            "^the order is (paid|refused)$",
            "steps/pay.rs:30:1",
        ),
        definition(
            StepKind::When,
            "^the customer looks at the total$",
            "steps/total.rs:5:1",
        ),
        definition(
            StepKind::When,
            "^the customer looks at (.*)$",
            "steps/total.rs:12:1",
        ),
        definition(
            StepKind::Then,
            "^a receipt is sent$",
            "steps/receipt.rs:8:1",
        ),
        definition(StepKind::Then, "^the cart is empty$", "steps/cart.rs:20:1"),
    ]
}

fn suite() -> Suite {
    suite::suite_from(FILE, FEATURE)
}

fn catalog() -> Catalog {
    catalog::from_str(CATALOG, Arc::from(Path::new("requirements.toml")))
        .catalog
        .unwrap()
}

fn step(
    keyword: &str,
    text: &str,
    line: usize,
    status: StepStatus,
    definition: Option<&str>,
) -> StepRecord {
    StepRecord {
        keyword: keyword.into(),
        text: text.into(),
        line,
        background: line == 6,
        status,
        definition: definition.map(Into::into),
    }
}

/// The Background's step, as an execution lists it.
fn background(status: StepStatus) -> StepRecord {
    step(
        "Given",
        "a cart with 2 items",
        6,
        status,
        Some("steps/cart.rs:5:1"),
    )
}

fn execution(
    id: &str,
    title: &str,
    line: usize,
    status: crate::record::Status,
    duration_ms: u64,
) -> ExecutionRecord {
    // The feature's requirement first, then the case's own, as a run lists them.
    let own = match id {
        "SNP-3" | "SNP-4" => Some("PAY-2"),
        "SNP-5" => None,
        _ => Some("PAY-1"),
    };
    let requirements = std::iter::once("SHOP").chain(own).map(Into::into).collect();
    // Only an execution that ran has attempts.
    let ran = matches!(
        status,
        crate::record::Status::Passed
            | crate::record::Status::Failed
            | crate::record::Status::Flaky
    );
    ExecutionRecord {
        case_id: Some(id.into()),
        title: title.into(),
        feature: "Checkout".into(),
        file: FILE.into(),
        line,
        example: None,
        requirements,
        status,
        attempts: usize::from(ran),
        duration_ms,
        steps: Vec::new(),
        failure: None,
        attachments: Vec::new(),
        skipped_by_impact: false,
        step_durations_us: Vec::new(),
    }
}

const SCREENSHOT: &str = "attachments/SNP-2-1.png";

/// A run that ended in every outcome, in suite order.
fn record() -> RunRecord {
    use crate::record::Status::*;
    use StepStatus as S;
    let passed = execution("SNP-1", "a card payment is accepted", 9, Passed, 120);
    let mut failed = execution("SNP-2", "a declined card is refused", 14, Failed, 340);
    failed.steps = vec![
        background(S::Passed),
        step(
            "When",
            "the customer pays with a declined card",
            15,
            S::Passed,
            Some("steps/pay.rs:20:1"),
        ),
        step(
            "Then",
            "the order is refused",
            16,
            S::Failed,
            Some("steps/pay.rs:30:1"),
        ),
    ];
    failed.failure = Some(Box::new(Failure {
        step: "Then the order is refused".into(),
        line: 16,
        error: "expected the order to be refused, it is \"paid\"".into(),
        definition: Some("steps/pay.rs:30:1".into()),
        exchange: Some(Exchange {
            method: "POST".into(),
            url: "http://127.0.0.1:8080/orders/17/payment".into(),
            request_headers: vec![("authorization".into(), "[redacted]".into())],
            request_body: Some(r#"{"card":"4000000000000002"}"#.into()),
            status: Some(200),
            response_headers: vec![("content-type".into(), "application/json".into())],
            response_body: Some(r#"{"order":17,"state":"paid"}"#.into()),
            error: None,
            duration_ms: 12,
        }),
    }));
    failed.attachments = vec![Attachment {
        name: "screenshot of http://127.0.0.1:8080/orders/17".into(),
        media_type: "image/png".into(),
        path: PathBuf::from(SCREENSHOT),
    }];
    let mut flaky = execution("SNP-3", "a slow gateway is retried", 19, Flaky, 2050);
    flaky.attempts = 2;
    flaky.steps = vec![
        background(S::Passed),
        step(
            "When",
            "the customer pays by card",
            20,
            S::Passed,
            Some("steps/pay.rs:10:1"),
        ),
        step(
            "Then",
            "the order is paid",
            21,
            S::Passed,
            Some("steps/pay.rs:30:1"),
        ),
    ];
    let mut unbound = execution("SNP-4", "a voucher pays part of the order", 24, Unbound, 0);
    unbound.steps = vec![
        background(S::Skipped),
        step(
            "When",
            "the customer pays with a voucher",
            25,
            S::Unbound,
            None,
        ),
        step(
            "Then",
            "the order is paid",
            26,
            S::Skipped,
            Some("steps/pay.rs:30:1"),
        ),
    ];
    let mut ambiguous = execution("SNP-5", "the total is shown", 29, Ambiguous, 0);
    ambiguous.steps = vec![
        background(S::Skipped),
        step(
            "When",
            "the customer looks at the total",
            30,
            S::Ambiguous,
            None,
        ),
        step(
            "Then",
            "the order is paid",
            31,
            S::Skipped,
            Some("steps/pay.rs:30:1"),
        ),
    ];
    let skipped = execution("SNP-6", "a receipt is sent", 34, Skipped, 0);
    let row = |index_in_outline, line, card: &str, state: &str| ExampleRef {
        index_in_outline,
        line,
        values: vec![("card".into(), card.into()), ("state".into(), state.into())],
    };
    let mut visa = execution("SNP-7", "pays with <card>", 39, Passed, 95);
    visa.example = Some(row(1, 45, "visa", "paid"));
    let mut expired = execution("SNP-7", "pays with <card>", 39, Passed, 101);
    expired.example = Some(row(2, 50, "expired", "refused"));
    expired.requirements = vec!["SHOP".into(), "PAY-1".into(), "PAY-2".into()];
    let all = definitions();
    RunRecord {
        format_version: crate::record::FORMAT_VERSION,
        release: Some("2.1.0".into()),
        commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
        started_at: "2026-11-20T09:00:00Z".into(),
        finished_at: "2026-11-20T09:00:03Z".into(),
        selection: Selection {
            tags: Some("not @wip".into()),
            name: None,
            dry_run: false,
            strict: false,
            impact: None,
        },
        counts: RunCounts {
            cases: 8,
            manual_cases: 1,
            executions: 8,
            definitions: all.len(),
            bound_steps: 13,
            unbound_steps: 1,
            ambiguous_steps: 1,
            passed: 3,
            failed: 1,
            skipped: 1,
            skipped_by_impact: 0,
            unbound: 1,
            ambiguous: 1,
            flaky: 1,
            steps: StepCounts {
                passed: 14,
                failed: 1,
                skipped: 7,
                unbound: 1,
                ambiguous: 1,
            },
        },
        executions: vec![
            passed, failed, flaky, unbound, ambiguous, skipped, visa, expired,
        ],
        unbound_steps: vec![UnboundStep {
            kind: StepKind::When,
            text: "the customer pays with a voucher".into(),
            places: vec![format!("{FILE}:25")],
            snippet: crate::registry::snippet(
                StepKind::When,
                "the customer pays with a voucher",
                false,
                false,
            ),
        }],
        ambiguous_steps: vec![AmbiguousStep {
            text: "the customer looks at the total".into(),
            places: vec![format!("{FILE}:30")],
            definitions: all[4..6].to_vec(),
        }],
        unused_definitions: vec![all[7].clone()],
        run_hook_failures: Vec::new(),
        interrupted: None,
    }
}

/// The tester's results: the manual case passed this release.
fn ledger(suite: &Suite) -> Ledger {
    let case = suite.features[0]
        .cases
        .iter()
        .find(|c| c.title == "the receipt looks right")
        .unwrap();
    let mut ledger = Ledger::empty("2.1.0");
    ledger.current.release = "2.1.0".into();
    ledger.current.results.push(manual::ManualResult {
        case: "SNP-8".into(),
        row: None,
        status: manual::ManualStatus::Passed,
        actual: "The logo is sharp at 300 dpi".into(),
        defect: None,
        tester: "tess".into(),
        at: "2026-11-20T10:15:00Z".into(),
        case_hash: manual::case_hash(case, &case.executions[0]),
    });
    ledger
}

/// Everything a renderer reads, built once per test.
struct Fixture {
    suite: Suite,
    catalog: Catalog,
    record: RunRecord,
    matrix: TraceMatrix,
    config: Config,
    attachments: AttachmentFiles,
}

impl Fixture {
    fn new() -> Self {
        let suite = suite();
        let catalog = catalog();
        let record = record();
        let registry = Registry::from_definitions(definitions()).unwrap();
        let bindings = Bindings::of(&registry, &suite);
        let matrix = trace::build(
            &suite,
            Some(&catalog),
            Some(&bindings),
            &record,
            Some(&ledger(&suite)),
            &Redactor::default(),
        );
        // The PNG signature stands in for the screenshot: the renderers only copy the bytes.
        let png = b"\x89PNG\r\n\x1a\n".to_vec();
        let attachments = AttachmentFiles([(PathBuf::from(SCREENSHOT), png)].into());
        Fixture {
            suite,
            catalog,
            record,
            matrix,
            config: Config::defaults(Path::new("project")),
            attachments,
        }
    }

    fn inputs(&self) -> Inputs<'_> {
        Inputs {
            suite: &self.suite,
            catalog: Some(&self.catalog),
            record: &self.record,
            matrix: &self.matrix,
            config: &self.config,
            attachments: &self.attachments,
        }
    }

    fn render(
        &self,
        renderer: impl Fn(&Inputs<'_>, &mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> String {
        let mut out = Vec::new();
        renderer(&self.inputs(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }
}

#[test]
fn junit_xml_jenkins() {
    let fixture = Fixture::new();
    let xml = fixture.render(|i, out| super::junit::junit(i, JunitDialect::Jenkins, out));
    insta::assert_snapshot!(xml);
}

#[test]
fn junit_xml_surefire() {
    let fixture = Fixture::new();
    let xml = fixture.render(|i, out| super::junit::junit(i, JunitDialect::Surefire, out));
    insta::assert_snapshot!(xml);
}

#[test]
fn cucumber_json() {
    let fixture = Fixture::new();
    let json = fixture.render(super::cucumber_json::cucumber_json);
    // Compact on disk; indented here so that a change shows as the lines it touches.
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    insta::assert_snapshot!(serde_json::to_string_pretty(&value).unwrap());
}

#[test]
fn summary_md() {
    let fixture = Fixture::new();
    insta::assert_snapshot!(super::markdown::summary(&fixture.record, &fixture.matrix));
}

#[test]
fn trace_of_a_requirement_and_of_a_case() {
    let fixture = Fixture::new();
    let chains: Vec<String> = ["SHOP", "PAY-1", "SNP-2", "SNP-7", "@SNP-8"]
        .into_iter()
        .map(|id| super::trace::chain(&fixture.matrix, id).unwrap())
        .collect();
    insta::assert_snapshot!(chains.join("\n---\n"));
}

/// The page without what is not data: the style sheet, the script and the policy holding
/// their hashes change with the page's code, not with its inputs.
fn report_html() -> (String, serde_json::Value) {
    let fixture = Fixture::new();
    let html = fixture.render(super::html::report);
    let (head, rest) = html
        .split_once(r#"<script type="application/json" id="case-data">"#)
        .unwrap();
    let (data, tail) = rest.split_once("</script>").unwrap();
    let data: serde_json::Value = serde_json::from_str(data).unwrap();
    let page = format!(
        "{head}<script type=\"application/json\" id=\"case-data\">[case data]</script>{tail}"
    );
    let code = regex::Regex::new(r"(?s)<style>.*?</style>|<script>.*?</script>").unwrap();
    let page = code.replace_all(&page, "[code]");
    let csp = regex::Regex::new(r#"content="default-src[^"]*""#).unwrap();
    (
        csp.replace(&page, r#"content="[policy]""#).into_owned(),
        data,
    )
}

#[test]
fn report_html_page() {
    insta::assert_snapshot!(report_html().0);
}

#[test]
fn report_html_case_data() {
    let data = report_html().1;
    insta::assert_snapshot!(serde_json::to_string_pretty(&data).unwrap());
}
