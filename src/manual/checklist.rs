//! Checklists for testers who work away from the terminal: the queue exported as Markdown,
//! HTML (to print) or CSV (to fill in a spreadsheet), and the filled CSV read back.
//!
//! The CSV has one row per item of the queue with what the tester reads (title,
//! requirements, pre-conditions, steps, expected result, the last result) and the columns
//! to fill: `status`, `actual`, `defect`, `tester`, `at`, with `case-hash` the hash of the
//! case as exported. A row that already has a valid result for the release carries it, so
//! that exporting and importing again changes nothing. Import reads every row first and
//! records nothing unless every filled row is sound; each bad row is named with its line.

use std::fmt::Write as _;

use serde::Serialize;

use super::{Item, Ledger, ManualResult, ManualStatus, Validity};
// A checklist cell is escaped exactly as a summary's table cell.
use crate::text::cell as md;

mod import;

pub use import::{ImportError, ImportErrorKind, Imported, RowError, RowProblem, import};

/// The columns of the exported CSV, in order.
pub const COLUMNS: [&str; 16] = [
    "case",
    "row",
    "title",
    "kind",
    "feature",
    "requirements",
    "preconditions",
    "steps",
    "expected",
    "last result",
    "status",
    "actual",
    "defect",
    "tester",
    "at",
    "case-hash",
];

/// One item of the queue with its last result, as every checklist shows it.
#[derive(Debug, Serialize)]
struct Entry {
    case: String,
    row: Option<usize>,
    label: String,
    title: String,
    kind: &'static str,
    place: String,
    requirements: Vec<String>,
    examples: Option<String>,
    preconditions: Vec<Vec<String>>,
    actions: Vec<Vec<String>>,
    expected: Vec<Vec<String>>,
    /// The last result in words, `None` when there is none.
    last: Option<String>,
    /// The result that counts for the release, to carry through the sheet.
    valid: Option<ManualResult>,
    hash: String,
}

fn entries(queue: &[Item<'_>], ledger: &Ledger) -> Vec<Entry> {
    queue
        .iter()
        .map(|item| {
            let latest = ledger.latest(item.id, item.row, &item.hash);
            let sections = item.sections();
            let lines = |steps: &[super::queue::TesterStep]| -> Vec<Vec<String>> {
                steps.iter().map(|s| s.lines("")).collect()
            };
            Entry {
                case: item.id.to_owned(),
                row: item.row,
                label: item.label(),
                title: item.title(),
                kind: item.kind.label(),
                place: item.place(),
                requirements: item.requirements().into_iter().map(str::to_owned).collect(),
                examples: item.execution.row.as_ref().map(|row| {
                    row.values
                        .iter()
                        .map(|(k, v)| format!("{k} = {v}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                }),
                preconditions: lines(&sections.preconditions),
                actions: lines(&sections.actions),
                expected: lines(&sections.expected),
                last: latest.map(|l| {
                    let mut text = format!(
                        "{} by {} at {} (release {}",
                        l.result.status, l.result.tester, l.result.at, l.release
                    );
                    if l.validity != Validity::Valid {
                        write!(text, ", {}", l.validity.label()).unwrap();
                    }
                    text.push(')');
                    text
                }),
                valid: latest
                    .filter(|l| l.validity.is_valid())
                    .map(|l| l.result.clone()),
                hash: item.hash.clone(),
            }
        })
        .collect()
}

/// The checklist as CSV (RFC 4180, a header row, then one row per item).
pub fn csv(queue: &[Item<'_>], ledger: &Ledger) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(COLUMNS).expect("writing to memory");
    for e in entries(queue, ledger) {
        let steps = |steps: &[Vec<String>]| {
            steps
                .iter()
                .flatten()
                .cloned()
                .collect::<Vec<_>>()
                .join("\n")
        };
        let valid = e.valid.as_ref();
        let cells = [
            e.case.as_str(),
            &e.row.map(|r| r.to_string()).unwrap_or_default(),
            &e.title,
            e.kind,
            &e.place,
            &e.requirements.join(" "),
            &steps(&e.preconditions),
            &steps(&e.actions),
            &steps(&e.expected),
            e.last.as_deref().unwrap_or(""),
            valid.map_or("", |r| r.status.as_str()),
            valid.map_or("", |r| r.actual.as_str()),
            valid.and_then(|r| r.defect.as_deref()).unwrap_or(""),
            valid.map_or("", |r| r.tester.as_str()),
            valid.map_or("", |r| r.at.as_str()),
            valid.map_or(e.hash.as_str(), |r| r.case_hash.as_str()),
        ];
        // A cell that starts like a formula would run in the tester's spreadsheet.
        writer
            .write_record(
                cells
                    .iter()
                    .map(|cell| crate::text::to_spreadsheet(cell).into_owned()),
            )
            .expect("writing to memory");
    }
    String::from_utf8(writer.into_inner().expect("writing to memory")).expect("UTF-8 in, UTF-8 out")
}

/// The checklist in Markdown: one section per item, with boxes to tick.
pub fn markdown(queue: &[Item<'_>], ledger: &Ledger) -> String {
    let mut out = format!(
        "# Manual test checklist: release {}\n\n{} case{} to run. Record the results with \
         `casebook manual record`, or fill in the CSV checklist (`casebook manual export --format csv`) \
         and read it back with `casebook manual import`.\n",
        md(&ledger.release),
        queue.len(),
        if queue.len() == 1 { "" } else { "s" }
    );
    for e in entries(queue, ledger) {
        writeln!(out, "\n## {}: {}\n", md(&e.label), md(&e.title)).unwrap();
        let mut about = vec![
            format!("`{}`", e.place.replace('`', "'")),
            e.kind.to_owned(),
        ];
        if !e.requirements.is_empty() {
            about.push(format!("requirements {}", md(&e.requirements.join(", "))));
        }
        writeln!(out, "{}", about.join(" · ")).unwrap();
        if let Some(examples) = &e.examples {
            writeln!(out, "\nExamples row: {}", md(examples)).unwrap();
        }
        if let Some(last) = &e.last {
            writeln!(out, "\nLast result: {}", md(last)).unwrap();
        }
        for (heading, steps) in [
            ("Pre-conditions", &e.preconditions),
            ("Steps", &e.actions),
            ("Expected result", &e.expected),
        ] {
            if steps.is_empty() {
                continue;
            }
            writeln!(out, "\n**{heading}**\n").unwrap();
            for lines in steps {
                let (first, rest) = lines.split_first().expect("a step has a line");
                writeln!(out, "- {}", md(first)).unwrap();
                if !rest.is_empty() {
                    // Tables and doc strings keep their layout in a code block.
                    out.push_str("\n  ```\n");
                    for line in rest {
                        writeln!(out, "  {}", line.trim_start().replace("```", "'''")).unwrap();
                    }
                    out.push_str("  ```\n");
                }
            }
        }
        let ticked = |status: ManualStatus| {
            if e.valid.as_ref().is_some_and(|r| r.status == status) {
                "[x]"
            } else {
                "[ ]"
            }
        };
        writeln!(
            out,
            "\n**Result**\n\n- {} passed\n- {} failed\n- {} blocked\n\nActual result: {}\n\nDefect link: {}\n\nTester and date: {}",
            ticked(ManualStatus::Passed),
            ticked(ManualStatus::Failed),
            ticked(ManualStatus::Blocked),
            e.valid.as_ref().map_or(String::new(), |r| md(&r.actual)),
            e.valid.as_ref().and_then(|r| r.defect.as_deref()).map_or(String::new(), md),
            e.valid.as_ref().map_or(String::new(), |r| md(&format!("{}, {}", r.tester, r.at))),
        )
        .unwrap();
    }
    out
}

const HTML: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Manual test checklist: release {{ release }}</title>
<style>
body { font: 15px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1f2328; }
section { border: 1px solid #d0d7de; border-radius: 6px; padding: .5rem 1rem; margin: 1rem 0; break-inside: avoid; }
.meta { color: #57606a; font-size: .85rem; }
pre { background: #f6f8fa; padding: .25rem .5rem; margin: .25rem 0; white-space: pre-wrap; }
ul.steps { padding-left: 1.2rem; }
.answer span { display: inline-block; margin-right: 1.5rem; }
.line { border-bottom: 1px solid #8c959f; min-height: 1.6rem; margin: .3rem 0; }
</style>
</head>
<body>
<h1>Manual test checklist: release {{ release }}</h1>
<p>{{ entries|length }} case{% if entries|length != 1 %}s{% endif %} to run. Record the results with <code>casebook manual record</code>, or fill in the CSV checklist and read it back with <code>casebook manual import</code>.</p>
{%- for e in entries %}
<section id="{{ e.label }}">
<h2>{{ e.label }}: {{ e.title }}</h2>
<p class="meta">{{ e.place }} · {{ e.kind }}{% if e.requirements %} · requirements {{ e.requirements|join(", ") }}{% endif %}</p>
{%- if e.examples %}<p>Examples row: {{ e.examples }}</p>{% endif %}
{%- if e.last %}<p class="meta">Last result: {{ e.last }}</p>{% endif %}
{%- for heading, steps in [("Pre-conditions", e.preconditions), ("Steps", e.actions), ("Expected result", e.expected)] %}
{%- if steps %}
<h3>{{ heading }}</h3>
<ul class="steps">
{%- for lines in steps %}<li>{{ lines[0] }}{% if lines|length > 1 %}<pre>{% for line in lines[1:] %}{{ line|trim }}
{% endfor %}</pre>{% endif %}</li>{% endfor %}
</ul>
{%- endif %}
{%- endfor %}
<p class="answer">{% for s in ["passed", "failed", "blocked"] %}<span>{% if e.valid and e.valid.status == s %}☑{% else %}☐{% endif %} {{ s }}</span>{% endfor %}</p>
<p>Actual result:</p><div class="line">{% if e.valid %}{{ e.valid.actual }}{% endif %}</div>
<p>Defect link:</p><div class="line">{% if e.valid and e.valid.defect %}{{ e.valid.defect }}{% endif %}</div>
<p>Tester and date:</p><div class="line">{% if e.valid %}{{ e.valid.tester }}, {{ e.valid.at }}{% endif %}</div>
</section>
{%- endfor %}
</body>
</html>
"#;

/// The checklist as a printable HTML page, every text escaped.
pub fn html(queue: &[Item<'_>], ledger: &Ledger) -> String {
    let mut env = minijinja::Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    env.add_template("checklist.html", HTML)
        .expect("the checklist template parses");
    env.get_template("checklist.html")
        .and_then(|t| {
            t.render(minijinja::context! {
                release => ledger.release,
                entries => entries(queue, ledger),
            })
        })
        .expect("the checklist template renders")
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    use crate::manual::results;
    use crate::model::Suite;

    const FEATURE: &str = "Feature: F\n  @A-1 @manual @req:UX-1\n  Scenario: logo, \"sharp\"\n    Given a page:\n      | size | 32 |\n    When she looks\n    Then the logo is sharp\n\n  @A-2 @manual\n  Scenario Outline: pays with <card>\n    Then it says <word>\n\n    Examples:\n      | card | word |\n      | visa | yes  |\n      | amex | no   |\n";

    pub(super) fn suite() -> Suite {
        crate::suite::suite_from("t.feature", FEATURE)
    }

    /// A spreadsheet's edit: the cell of `column` in data row `row` (0-based) set to `value`.
    fn fill(csv_text: &str, row: usize, column: &str, value: &str) -> String {
        let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
        let header = reader.headers().unwrap().clone();
        let index = header.iter().position(|h| h == column).unwrap();
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(&header).unwrap();
        for (i, record) in reader.records().enumerate() {
            let mut cells: Vec<String> = record.unwrap().iter().map(str::to_owned).collect();
            if i == row {
                cells[index] = value.to_owned();
            }
            writer.write_record(&cells).unwrap();
        }
        String::from_utf8(writer.into_inner().unwrap()).unwrap()
    }

    #[test]
    fn cells_that_start_like_formulas_stay_text_and_come_back_unchanged() {
        let suite = suite();
        let queue = super::super::queue::build(&suite, None, None);
        let ledger = Ledger::empty("1.0");
        let sheet = csv(&queue.items, &ledger);
        let actual = "=HYPERLINK(\"https://evil.example\",\"details\")";
        let mut filled = fill(&sheet, 0, "status", "failed");
        filled = fill(&filled, 0, "actual", actual);
        filled = fill(&filled, 0, "defect", "+SUM(1;2)");
        filled = fill(&filled, 0, "tester", "@bob");
        let imported = import(&filled, Path::new("sheet.csv"), &suite, &ledger, "carol").unwrap();
        let dir = tempfile::tempdir().unwrap();
        results::append(dir.path(), "1.0", &imported.results, None).unwrap();
        let ledger = Ledger::load(dir.path(), "1.0");
        let exported = csv(&queue.items, &ledger);
        let mut reader = csv::Reader::from_reader(exported.as_bytes());
        for record in reader.records() {
            for cell in record.unwrap().iter() {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@']),
                    "a spreadsheet would run {cell:?}"
                );
            }
        }
        assert!(exported.contains("'=HYPERLINK("), "{exported}");
        let round = import(&exported, Path::new("again.csv"), &suite, &ledger, "carol").unwrap();
        assert_eq!(
            (round.results.len(), round.unchanged),
            (0, 1),
            "read back unchanged"
        );
        let result = ledger
            .latest("A-1", None, &queue.items[0].hash)
            .unwrap()
            .result;
        assert_eq!(result.actual, actual);
        assert_eq!(result.defect.as_deref(), Some("+SUM(1;2)"));
        assert_eq!(result.tester, "@bob");
    }

    #[test]
    fn a_filled_sheet_comes_back_with_every_field() {
        let suite = suite();
        let queue = super::super::queue::build(&suite, None, None);
        let ledger = Ledger::empty("1.0");
        let sheet = csv(&queue.items, &ledger);
        assert!(sheet.starts_with("case,row,title,kind,feature,requirements,preconditions,steps,expected,last result,status,actual,defect,tester,at,case-hash\n"), "{sheet}");
        assert!(
            sheet.contains("\"Given a page:\n    | size | 32 |\""),
            "{sheet}"
        );
        let actual = "Blurred, \"badly\";\nsecond line, ünïcode 🙂";
        let mut filled = fill(&sheet, 0, "status", "Failed");
        filled = fill(&filled, 0, "actual", actual);
        filled = fill(&filled, 0, "defect", "https://bugs.example/1?a=1&b=2");
        filled = fill(&filled, 0, "tester", "bob");
        filled = fill(&filled, 0, "at", "2024-05-01 11:30:00+02:00");
        filled = fill(&filled, 2, "status", "p");
        let imported = import(&filled, Path::new("sheet.csv"), &suite, &ledger, "carol").unwrap();
        assert_eq!(imported.empty, 1, "the visa row was not run");
        let [failed, passed] = &imported.results[..] else {
            panic!("{:?}", imported.results)
        };
        assert_eq!(
            failed,
            &ManualResult {
                case: "A-1".into(),
                row: None,
                status: ManualStatus::Failed,
                actual: actual.into(),
                defect: Some("https://bugs.example/1?a=1&b=2".into()),
                tester: "bob".into(),
                at: "2024-05-01T09:30:00Z".into(),
                case_hash: queue.items[0].hash.clone(),
            }
        );
        assert_eq!((passed.row, passed.tester.as_str()), (Some(2), "carol"));
        assert_eq!(passed.case_hash, queue.items[2].hash);

        // Recorded, exported again and read back: nothing new.
        let dir = tempfile::tempdir().unwrap();
        results::append(dir.path(), "1.0", &imported.results, None).unwrap();
        let ledger = Ledger::load(dir.path(), "1.0");
        let again = csv(&queue.items, &ledger);
        let round = import(&again, Path::new("again.csv"), &suite, &ledger, "carol").unwrap();
        assert_eq!(
            (round.results.len(), round.unchanged, round.empty),
            (0, 2, 1)
        );
    }

    #[test]
    fn markdown_and_html_checklists_escape_what_they_quote() {
        let text = FEATURE.replace("logo, \"sharp\"", "<script>alert(1)</script> *bold*");
        let suite = crate::suite::suite_from("t.feature", &text);
        let queue = super::super::queue::build(&suite, None, None);
        let ledger = Ledger::empty("1.0");
        let md = markdown(&queue.items, &ledger);
        assert!(
            md.contains("## A-1: &lt;script&gt;alert(1)&lt;/script&gt; \\*bold\\*"),
            "{md}"
        );
        assert!(
            md.contains("**Expected result**\n\n- Then the logo is sharp\n"),
            "{md}"
        );
        assert!(md.contains("  ```\n  | size | 32 |\n  ```\n"), "{md}");
        assert!(md.contains("## A-2 row 2: pays with amex"), "{md}");
        let html = html(&queue.items, &ledger);
        assert!(!html.contains("<script>"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"),
            "{html}"
        );
        assert!(html.contains("<li>Then it says no</li>"), "{html}");
    }
}
