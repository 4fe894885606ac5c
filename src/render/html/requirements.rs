//! The requirements section: the traceability matrix, each requirement with the cases that
//! prove it, and the anchors and labels every section uses to link to a case.

use serde::Serialize;

use super::is_web_link;
use super::page::Css;
use crate::render::Inputs;
use crate::trace::CaseRow;

#[derive(Debug, Serialize)]
pub(super) struct RequirementView {
    pub(super) id: String,
    pub(super) title: String,
    pub(super) risk: Option<String>,
    pub(super) link: Option<String>,
    pub(super) owner: Option<String>,
    pub(super) depth: usize,
    pub(super) in_catalog: bool,
    pub(super) status: &'static str,
    pub(super) status_label: &'static str,
    pub(super) counts: crate::trace::Counts,
    pub(super) rolled_up: usize,
    pub(super) cases: Vec<CaseLink>,
}

#[derive(Debug, Serialize)]
pub(super) struct CaseLink {
    pub(super) anchor: String,
    pub(super) label: String,
    pub(super) outcome: &'static str,
}

pub(super) fn case_anchor(row: &CaseRow, index: usize) -> String {
    match &row.id {
        Some(id) => format!("case-{id}"),
        None => format!("case-{index}"),
    }
}

pub(super) fn case_label(row: &CaseRow) -> String {
    match &row.id {
        Some(id) => format!("{id}: {}", row.title),
        None => row.title.clone(),
    }
}

pub(super) fn requirements(inputs: &Inputs<'_>) -> Vec<RequirementView> {
    let cases = &inputs.matrix.cases;
    inputs
        .matrix
        .requirements
        .iter()
        .map(|r| RequirementView {
            id: r.id.clone(),
            title: r.title.clone(),
            risk: r.risk.map(|risk| risk.to_string()),
            link: r.link.clone().filter(|link| is_web_link(link)),
            owner: r.owner.clone(),
            depth: r.depth.min(6),
            in_catalog: r.in_catalog,
            status: r.status.css(),
            status_label: r.status.label(),
            counts: r.counts,
            rolled_up: r.cases.len() - r.direct_cases.len(),
            // A parent lists the cases tagged with it; its children list the rest.
            cases: r
                .direct_cases
                .iter()
                .map(|&i| CaseLink {
                    anchor: case_anchor(&cases[i], i),
                    label: case_label(&cases[i]),
                    outcome: r.outcome_of(cases, i).css(),
                })
                .collect(),
        })
        .collect()
}
