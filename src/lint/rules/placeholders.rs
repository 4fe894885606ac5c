//! `undefined-placeholder` and `unused-examples-column`: outline placeholders and Examples
//! columns that do not meet.

use std::sync::LazyLock;

use regex::Regex;

use crate::lint::{Context, Finding, Severity, rules::Rule};
use crate::location::Location;
use crate::model::{Case, Step};

static PLACEHOLDER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<([^<>\n]+)>").expect("valid regex"));

/// Every `<name>` in the step: its text, its table cells and its doc string.
fn placeholders(step: &Step) -> Vec<String> {
    let cells = step
        .table
        .iter()
        .flat_map(|table| table.rows.iter().flatten())
        .map(String::as_str);
    let texts = std::iter::once(step.text.as_str())
        .chain(cells)
        .chain(step.doc_string.as_ref().map(|doc| doc.content.as_str()));
    texts
        .flat_map(|text| PLACEHOLDER.captures_iter(text).map(|c| c[1].to_owned()))
        .collect()
}

/// Reports `<name>` in an outline's steps when an Examples block has no `name` column:
/// the step would run with the literal text `<name>`.
pub struct UndefinedPlaceholder;

impl Rule for UndefinedPlaceholder {
    fn name(&self) -> &'static str {
        "undefined-placeholder"
    }
    fn severity(&self) -> Severity {
        Severity::Warning
    }
    fn summary(&self) -> &'static str {
        "an outline step uses a <placeholder> that an Examples block has no column for"
    }
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for (_, case) in cx.suite.cases().filter(|(_, case)| case.is_outline()) {
            for step in &case.steps {
                for name in placeholders(step) {
                    let lacking: Vec<String> = case
                        .examples
                        .iter()
                        .filter(|examples| !examples.header().contains(&name))
                        .map(|examples| format!("line {}", examples.location.line))
                        .collect();
                    if !lacking.is_empty() {
                        out.push(
                            Finding::new(step.location.clone(), format!("<{name}> has no Examples column (Examples on {})", lacking.join(", ")))
                                .hint(format!("add a `{name}` column to the Examples table, or fix the placeholder's spelling")),
                        );
                    }
                }
            }
        }
    }
}

/// Reports Examples columns that neither the title nor any step of the outline uses: the
/// values would be ignored, and a reader would think they matter.
pub struct UnusedExamplesColumn;

impl Rule for UnusedExamplesColumn {
    fn name(&self) -> &'static str {
        "unused-examples-column"
    }
    fn severity(&self) -> Severity {
        Severity::Warning
    }
    fn summary(&self) -> &'static str {
        "an Examples column is used by no step of its outline"
    }
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for (_, case) in cx.suite.cases().filter(|(_, case)| case.is_outline()) {
            let used = used_names(case);
            for examples in &case.examples {
                let Some(table) = &examples.table else {
                    continue;
                };
                for column in examples
                    .header()
                    .iter()
                    .filter(|column| !used.contains(column))
                {
                    out.push(
                        Finding::new(
                            Location::new(
                                table.location.path.clone(),
                                table.location.line,
                                table.location.column,
                            ),
                            format!("Examples column `{column}` is used by no step"),
                        )
                        .hint(format!("use <{column}> in a step, or remove the column")),
                    );
                }
            }
        }
    }
}

fn used_names(case: &Case) -> Vec<String> {
    let in_title = PLACEHOLDER
        .captures_iter(&case.title)
        .map(|c| c[1].to_owned());
    in_title
        .chain(case.steps.iter().flat_map(placeholders))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::test_support::lines;

    const OUTLINE: &str = "Feature: F\n  Scenario Outline: o <title>\n    Given <a>\n      | <cell> |\n    Then <missing>\n    Examples:\n      | title | a | cell | unused |\n      | 1     | 2 | 3    | 4      |\n";

    #[test]
    fn reports_undefined_placeholders_at_the_step() {
        assert_eq!(lines(&UndefinedPlaceholder, OUTLINE, None), [5]);
    }

    #[test]
    fn reports_unused_columns_at_the_header() {
        assert_eq!(lines(&UnusedExamplesColumn, OUTLINE, None), [7]);
    }
}
