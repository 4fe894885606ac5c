//! `casebook trace ID`: the whole chain of one requirement or one case, for the terminal —
//! requirement → cases → scripts (step definitions with their place) → latest outcomes.

use std::fmt::Write;

use crate::trace::{CaseRow, RequirementRow, TraceMatrix};

/// The chain of the requirement or case with this ID; `None` when neither exists.
/// The chain of `id` as JSON: `{"kind": "requirement", "requirement", "children",
/// "cases"}` or `{"kind": "case", "case", "requirements"}`, each row as the matrix has it;
/// `None` when no requirement or case has the ID.
pub fn chain_json(matrix: &TraceMatrix, id: &str) -> Option<String> {
    #[derive(serde::Serialize)]
    #[serde(tag = "kind", rename_all = "lowercase")]
    enum Chain<'m> {
        Requirement {
            requirement: &'m RequirementRow,
            children: Vec<&'m str>,
            cases: Vec<&'m CaseRow>,
        },
        Case {
            case: &'m CaseRow,
            requirements: Vec<&'m RequirementRow>,
        },
    }
    let id = id.strip_prefix('@').unwrap_or(id);
    let chain = if let Some(requirement) = matrix.requirements.iter().find(|r| r.id == id) {
        Chain::Requirement {
            requirement,
            children: matrix
                .requirements
                .iter()
                .filter(|r| r.parent.as_deref() == Some(id))
                .map(|r| r.id.as_str())
                .collect(),
            cases: requirement
                .cases
                .iter()
                .map(|&i| &matrix.cases[i])
                .collect(),
        }
    } else {
        let case = matrix.cases.iter().find(|c| c.id.as_deref() == Some(id))?;
        Chain::Case {
            case,
            requirements: matrix
                .requirements
                .iter()
                .filter(|r| case.requirements.contains(&r.id))
                .collect(),
        }
    };
    let mut text = serde_json::to_string_pretty(&chain).expect("plain data serializes");
    text.push('\n');
    Some(text)
}

/// The chain of `id` for people: a requirement's cases, scripts and outcomes, or a case's.
pub fn chain(matrix: &TraceMatrix, id: &str) -> Option<String> {
    let id = id.strip_prefix('@').unwrap_or(id);
    if let Some(requirement) = matrix.requirements.iter().find(|r| r.id == id) {
        return Some(requirement_chain(matrix, requirement));
    }
    let case = matrix.cases.iter().find(|c| c.id.as_deref() == Some(id))?;
    Some(case_chain(matrix, case))
}

fn requirement_chain(matrix: &TraceMatrix, requirement: &RequirementRow) -> String {
    let mut out = String::new();
    let risk = requirement
        .risk
        .map_or("not in the catalog".to_owned(), |r| r.to_string());
    writeln!(out, "requirement {}  {}", requirement.id, requirement.title).unwrap();
    writeln!(out, "  risk {risk}, {}", requirement.status.label()).unwrap();
    if let Some(link) = &requirement.link {
        writeln!(out, "  link   {link}").unwrap();
    }
    if let Some(owner) = &requirement.owner {
        writeln!(out, "  owner  {owner}").unwrap();
    }
    if let Some(parent) = &requirement.parent {
        let title = matrix
            .requirements
            .iter()
            .find(|r| &r.id == parent)
            .map_or("", |r| r.title.as_str());
        writeln!(out, "  parent {parent}  {title}").unwrap();
    }
    for child in matrix
        .requirements
        .iter()
        .filter(|r| r.parent.as_deref() == Some(requirement.id.as_str()))
    {
        writeln!(
            out,
            "  child  {}  {} ({})",
            child.id,
            child.title,
            child.status.label()
        )
        .unwrap();
    }
    let c = &requirement.counts;
    write!(
        out,
        "  {} case{} ({} automated, {} manual); executions: {} passed, {} failed, {} unbound, {} not run",
        c.cases,
        if c.cases == 1 { "" } else { "s" },
        c.automated,
        c.manual,
        c.passed,
        c.failed,
        c.unbound,
        c.not_run
    )
    .unwrap();
    if c.blocked + c.stale > 0 {
        write!(out, " ({} blocked, {} stale)", c.blocked, c.stale).unwrap();
    }
    out.push('\n');
    if requirement.cases.is_empty() {
        writeln!(out, "  no case covers it").unwrap();
    }
    for &index in &requirement.cases {
        let case = &matrix.cases[index];
        let through = if requirement.direct_cases.contains(&index) {
            String::new()
        } else {
            " (through a child)".to_owned()
        };
        out.push('\n');
        case_lines(case, &mut out, &through);
    }
    out
}

fn case_chain(matrix: &TraceMatrix, case: &CaseRow) -> String {
    let mut out = String::new();
    case_lines(case, &mut out, "");
    if case.requirements.is_empty() {
        writeln!(out, "  proves no requirement").unwrap();
    }
    for id in &case.requirements {
        match matrix.requirements.iter().find(|r| &r.id == id) {
            Some(r) if r.in_catalog => writeln!(
                out,
                "  proves {}  {} ({}, {})",
                r.id,
                r.title,
                r.risk.map_or(String::new(), |risk| risk.to_string()),
                r.status.label()
            )
            .unwrap(),
            _ => writeln!(out, "  proves {id} (not in the catalog)").unwrap(),
        }
    }
    out
}

fn case_lines(case: &CaseRow, out: &mut String, note: &str) {
    let id = case.id.as_deref().unwrap_or("(no ID)");
    let mode = match case.mode {
        crate::model::Mode::Automated if case.awaiting_automation => {
            "automated, awaiting automation"
        }
        crate::model::Mode::Automated => "automated",
        crate::model::Mode::Manual => "manual",
    };
    writeln!(out, "  case {id}  {}{note}", case.title).unwrap();
    writeln!(
        out,
        "    {}:{}, {mode}, {}",
        case.file,
        case.line,
        case.outcome.label()
    )
    .unwrap();
    if case.executions.len() > 1 {
        let outcomes: Vec<String> = case
            .executions
            .iter()
            .map(|e| {
                format!(
                    "row {} {}",
                    e.index_in_outline.unwrap_or(0),
                    e.outcome.label()
                )
            })
            .collect();
        writeln!(out, "    executions: {}", outcomes.join(", ")).unwrap();
    }
    for execution in &case.executions {
        let Some(manual) = &execution.manual else {
            continue;
        };
        let row = execution
            .index_in_outline
            .map(|row| format!("row {row} "))
            .unwrap_or_default();
        writeln!(out, "    {row}manual result: {}", manual.said()).unwrap();
        if !manual.actual.is_empty() {
            let actual: Vec<&str> = manual.actual.split_whitespace().collect();
            writeln!(out, "      actual: {}", actual.join(" ")).unwrap();
        }
        if let Some(defect) = &manual.defect {
            writeln!(out, "      defect: {defect}").unwrap();
        }
    }
    if case.unbound {
        writeln!(
            out,
            "    a step has no step definition: a spec without a script"
        )
        .unwrap();
    }
    for script in &case.script {
        writeln!(
            out,
            "    script {}  {}",
            script.pattern,
            script.location_text().as_deref().unwrap_or("?")
        )
        .unwrap();
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use super::*;

    use crate::record::RunRecord;
    use crate::registry::{Definition, Registry};
    use crate::{catalog, model, suite};

    fn matrix() -> TraceMatrix {
        let text = "Feature: F\n  @PAY-1 @req:PAY-7\n  Scenario: pays\n    Given a card\n    Then it is paid\n";
        let suite = suite::suite_from("t.feature", text);
        let catalog = "[PAY]\ntitle = 'Payments'\nrisk = 'high'\n[PAY-7]\ntitle = 'Saved cards'\nrisk = 'critical'\nparent = 'PAY'\nlink = 'https://tracker.example/PAY-7'\n";
        let catalog = catalog::from_str(catalog, Arc::from(Path::new("r.toml")))
            .catalog
            .unwrap();
        let definition = |kind, pattern: &str, location: &str| Definition {
            kind,
            pattern: pattern.into(),
            location: location.parse().ok(),
        };
        let registry = Registry::from_definitions(vec![
            definition(model::StepKind::Given, "^a card$", "steps/pay.rs:3:1"),
            definition(model::StepKind::Then, "^it is paid$", "steps/pay.rs:8:1"),
        ])
        .unwrap();
        crate::trace::build(
            &suite,
            Some(&catalog),
            Some(&crate::registry::Bindings::of(&registry, &suite)),
            &RunRecord::default(),
            None,
            &crate::redact::Redactor::default(),
        )
    }

    #[test]
    fn a_requirement_shows_its_cases_and_their_scripts() {
        let text = chain(&matrix(), "PAY-7").unwrap();
        assert!(
            text.starts_with("requirement PAY-7  Saved cards\n  risk critical, not run\n"),
            "{text}"
        );
        assert!(
            text.contains("  link   https://tracker.example/PAY-7\n  parent PAY  Payments\n"),
            "{text}"
        );
        assert!(
            text.contains("  case PAY-1  pays\n    t.feature:3, automated, not run\n"),
            "{text}"
        );
        assert!(
            text.contains(
                "    script a card  steps/pay.rs:3:1\n    script it is paid  steps/pay.rs:8:1\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn an_epic_shows_cases_through_its_children_and_a_case_its_requirements() {
        let matrix = matrix();
        let epic = chain(&matrix, "PAY").unwrap();
        assert!(
            epic.contains("  child  PAY-7  Saved cards (not run)\n"),
            "{epic}"
        );
        assert!(
            epic.contains("  case PAY-1  pays (through a child)\n"),
            "{epic}"
        );
        let case = chain(&matrix, "@PAY-1").unwrap();
        assert!(
            case.contains("  proves PAY-7  Saved cards (critical, not run)\n"),
            "{case}"
        );
        assert_eq!(chain(&matrix, "NOPE-1"), None);
    }
}
