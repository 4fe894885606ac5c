//! Stage 3, catalog: `requirements.toml` → [`Catalog`] of [`Requirement`]s.
//!
//! One table per requirement, keyed by its ID. A malformed entry, an unknown key or a
//! `parent` that does not exist is a [`Problem`] with its line; the other entries are still
//! read, so one typo never hides the rest of the catalog.

use std::fmt;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use serde::de::IntoDeserializer;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::location::{Location, display_path, line_col};
use crate::model::RequirementId;

/// How much is at stake when a requirement breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Risk {
    /// Revenue, security and auth, data integrity: automation is non-negotiable.
    Critical,
    /// Important to customers.
    High,
    /// The default level.
    Normal,
    /// Cosmetic or rarely used.
    Low,
}

impl fmt::Display for Risk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Risk::Critical => "critical",
            Risk::High => "high",
            Risk::Normal => "normal",
            Risk::Low => "low",
        })
    }
}

/// A business rule that cases prove.
#[derive(Debug, Clone, Serialize)]
pub struct Requirement {
    /// Its ID, the table's key.
    pub id: RequirementId,
    /// A one-line title.
    pub title: String,
    /// Its risk level.
    pub risk: Risk,
    /// Where it is tracked.
    pub link: Option<String>,
    /// The team that owns it.
    pub owner: Option<String>,
    /// The requirement it belongs to (an epic above a story).
    pub parent: Option<RequirementId>,
    /// Where its table starts.
    pub location: Location,
}

/// The requirement catalog.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// The file it was read from.
    pub path: Arc<Path>,
    /// The file's text, for excerpts in diagnostics.
    pub source: Arc<str>,
    /// The valid requirements, in file order.
    pub requirements: Vec<Requirement>,
    /// IDs of entries that are in the file but malformed: known, so tags naming them are not
    /// reported a second time.
    pub malformed: Vec<RequirementId>,
}

impl Catalog {
    /// The requirement with this ID.
    pub fn get(&self, id: &str) -> Option<&Requirement> {
        self.requirements.iter().find(|r| r.id.0 == id)
    }

    /// Whether the file has an entry with this ID, valid or not.
    pub fn knows(&self, id: &str) -> bool {
        self.get(id).is_some() || self.malformed.iter().any(|m| m.0 == id)
    }
}

/// Something wrong in the catalog, with its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where it is.
    pub location: Location,
    /// What is wrong.
    pub message: String,
}

/// The outcome of reading a catalog: what could be read, and what was wrong.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The catalog; `None` when the file is not valid TOML at all.
    pub catalog: Option<Catalog>,
    /// Every problem found.
    pub problems: Vec<Problem>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRequirement {
    title: String,
    risk: Risk,
    link: Option<String>,
    owner: Option<String>,
    parent: Option<Spanned<String>>,
}

/// Reads the catalog at `path`.
pub fn load(path: &Path) -> std::io::Result<Loaded> {
    let text = std::fs::read_to_string(path)?;
    Ok(from_str(&text, display_path(path)))
}

/// Reads a catalog from its text; `path` is how the file is shown.
pub fn from_str(text: &str, path: Arc<Path>) -> Loaded {
    let at = |span: Range<usize>| {
        let (line, column) = line_col(text, span.start);
        Location::new(path.clone(), line, column)
    };
    // Read on past a duplicate key, which leaves the rest of the file whole: only the
    // entry that has one is lost. Any other error leaves nothing to trust.
    let (table, errors) = toml::de::DeTable::parse_recoverable(text);
    if let Some(err) = errors.iter().find(|err| err.message() != "duplicate key") {
        let problem = Problem {
            location: at(err.span().unwrap_or(0..0)),
            message: format!("invalid TOML: {}", crate::config::toml_message(err, text)),
        };
        return Loaded {
            catalog: None,
            problems: vec![problem],
        };
    }
    let table = table.into_inner();

    let mut entries: Vec<_> = table.into_iter().collect();
    entries.sort_by_key(|(key, _)| key.span().start);
    let mut problems = Vec::new();
    let mut requirements = Vec::new();
    let mut malformed = Vec::new();
    let mut parents = Vec::new();
    for (key, value) in entries {
        match requirement(key, value, &at) {
            Ok((requirement, parent)) => {
                parents.extend(parent);
                requirements.push(requirement);
            }
            Err((id, problem)) => {
                problems.push(problem);
                malformed.push(id);
            }
        }
    }

    // A requirement defined twice, or with a key given twice, is neither definition: which
    // one was meant is for its author to say.
    let mut twice = Vec::new();
    for err in &errors {
        let (id, problem, defined_twice) = duplicate(err, text, &at);
        // The keys of a table given again clash with the first one's: the table is the
        // one problem.
        if twice.contains(&id) {
            continue;
        }
        if defined_twice {
            twice.push(id.clone());
        }
        requirements.retain(|r: &Requirement| r.id != id);
        if !malformed.contains(&id) {
            malformed.push(id);
        }
        problems.push(problem);
    }

    let catalog = Catalog {
        path: path.clone(),
        source: Arc::from(text),
        requirements,
        malformed,
    };
    problems.extend(missing_parents(&catalog, parents));
    problems.extend(cycles(&catalog));
    Loaded {
        catalog: Some(catalog),
        problems,
    }
}

/// The requirement a "duplicate key" error of the catalog is in, the problem, and whether
/// the requirement is defined twice (not just a key in it).
fn duplicate(
    err: &toml::de::Error,
    text: &str,
    at: &impl Fn(Range<usize>) -> Location,
) -> (RequirementId, Problem, bool) {
    let span = err.span().unwrap_or(0..0);
    let location = at(span.clone());
    let key = text.get(span).unwrap_or_default().trim();
    // The table a line is in is the nearest header at or above it.
    let headers: Vec<(usize, String)> = text
        .lines()
        .take(location.line)
        .enumerate()
        .filter_map(|(index, line)| header_id(line).map(|id| (index + 1, id)))
        .collect();
    let (id, message, twice) = match headers.last() {
        // The error is on a header: the table is given a second time.
        Some((line, id)) if *line == location.line => {
            let first = headers.iter().find(|(_, other)| other == id).map(|h| h.0);
            let first = first.filter(|&first| first < *line).unwrap_or(*line);
            let message = format!(
                "requirement `{id}` is defined twice (first at line {first}): neither is read"
            );
            (id.clone(), message, true)
        }
        Some((_, id)) => {
            let message = format!("requirement `{id}`: duplicate key `{key}`");
            (id.clone(), message, false)
        }
        // No header above: the key is an entry of its own (`ID = { … }`), given twice.
        None => {
            let message = format!("requirement `{key}` is defined twice: neither is read");
            (key.to_owned(), message, true)
        }
    };
    (RequirementId(id), Problem { location, message }, twice)
}

/// The ID of the requirement a table header line (`[ID]`, `[ID.more]`) opens.
fn header_id(line: &str) -> Option<String> {
    let line = line.trim_start();
    if !line.starts_with('[') {
        return None;
    }
    let table = toml::de::DeTable::parse(line).ok()?.into_inner();
    table
        .into_iter()
        .next()
        .map(|(key, _)| key.into_inner().to_string())
}

/// A `parent` as written: the requirement that names it, the ID it names, and where.
struct ParentRef {
    child: RequirementId,
    parent: String,
    location: Location,
}

/// The requirement of one entry of the catalog, with the `parent` it names; or, for an entry
/// that is not one, its ID and what is wrong.
fn requirement(
    key: Spanned<toml::de::DeString<'_>>,
    value: Spanned<toml::de::DeValue<'_>>,
    at: &impl Fn(Range<usize>) -> Location,
) -> Result<(Requirement, Option<ParentRef>), (RequirementId, Problem)> {
    let id = RequirementId(key.get_ref().to_string());
    let location = at(key.span());
    let span = value.span();
    let toml::de::DeValue::Table(fields) = value.into_inner() else {
        let problem = Problem {
            location,
            message: format!(
                "requirement `{id}` must be a table such as `[{id}]` with a `title` and a `risk`"
            ),
        };
        return Err((id, problem));
    };
    let raw = match RawRequirement::deserialize(Spanned::new(span, fields).into_deserializer()) {
        Ok(raw) => raw,
        Err(err) => {
            let problem = Problem {
                location: err.span().map_or(location, at),
                message: format!("requirement `{id}`: {}", err.message().trim_end()),
            };
            return Err((id, problem));
        }
    };
    let parent = raw.parent.as_ref().map(|parent| ParentRef {
        child: id.clone(),
        parent: parent.get_ref().clone(),
        location: at(parent.span()),
    });
    let requirement = Requirement {
        id,
        title: raw.title,
        risk: raw.risk,
        link: raw.link,
        owner: raw.owner,
        parent: raw.parent.map(|p| RequirementId(p.into_inner())),
        location,
    };
    Ok((requirement, parent))
}

/// Every `parent` that names no entry of the catalog, in file order.
fn missing_parents(catalog: &Catalog, parents: Vec<ParentRef>) -> impl Iterator<Item = Problem> {
    parents
        .into_iter()
        .filter(|p| !catalog.knows(&p.parent))
        .map(
            |ParentRef {
                 child,
                 parent,
                 location,
             }| Problem {
                location,
                message: format!(
                    "requirement `{child}` names parent `{parent}`, which is not in the catalog"
                ),
            },
        )
}

/// A `parent` chain that comes back to where it started would make every roll-up loop.
fn cycles(catalog: &Catalog) -> Vec<Problem> {
    let mut problems = Vec::new();
    for requirement in &catalog.requirements {
        let mut current = requirement.parent.as_ref();
        let mut steps = 0;
        while let Some(parent) = current {
            if parent == &requirement.id {
                problems.push(Problem {
                    location: requirement.location.clone(),
                    message: format!(
                        "requirement `{}` is its own ancestor through `parent`",
                        requirement.id
                    ),
                });
                break;
            }
            steps += 1;
            if steps > catalog.requirements.len() {
                break;
            }
            current = catalog.get(&parent.0).and_then(|p| p.parent.as_ref());
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Loaded {
        from_str(text, Arc::from(Path::new("requirements.toml")))
    }

    #[test]
    fn entries_are_read_in_file_order() {
        let loaded = read(indoc::indoc! {r#"
            [PAY]
            title = "Payments"
            risk = "critical"

            [PAY-7]
            title = "Saved cards can be charged"
            risk = "critical"
            link = "https://tracker.example/PAY-7"
            owner = "payments"
            parent = "PAY"

            [AB-1]
            title = "Later"
            risk = "low"
        "#});
        assert_eq!(loaded.problems, []);
        let catalog = loaded.catalog.unwrap();
        let ids: Vec<_> = catalog
            .requirements
            .iter()
            .map(|r| r.id.0.as_str())
            .collect();
        assert_eq!(ids, ["PAY", "PAY-7", "AB-1"]);
        let pay7 = catalog.get("PAY-7").unwrap();
        assert_eq!(pay7.location.line, 5);
        assert_eq!(pay7.risk, Risk::Critical);
        assert_eq!(pay7.parent, Some(RequirementId("PAY".into())));
        assert_eq!(pay7.link.as_deref(), Some("https://tracker.example/PAY-7"));
    }

    #[test]
    fn an_unknown_key_is_reported_with_its_line_and_the_rest_survives() {
        let loaded = read(
            "[A-1]\ntitle = 'a'\nrisk = 'low'\nownr = 'x'\n\n[A-2]\ntitle = 'b'\nrisk = 'high'\n",
        );
        assert_eq!(loaded.problems.len(), 1);
        assert_eq!(loaded.problems[0].location.line, 4);
        assert!(
            loaded.problems[0].message.contains("unknown field `ownr`"),
            "{:?}",
            loaded.problems
        );
        let catalog = loaded.catalog.unwrap();
        assert!(catalog.get("A-2").is_some());
        assert!(catalog.knows("A-1"));
    }

    #[test]
    fn a_bad_risk_and_a_missing_title_are_reported() {
        let loaded = read("[A-1]\ntitle = 'a'\nrisk = 'severe'\n\n[A-2]\nrisk = 'low'\n");
        let lines: Vec<_> = loaded.problems.iter().map(|p| p.location.line).collect();
        assert_eq!(lines, [3, 5], "{:?}", loaded.problems);
        assert!(
            loaded.problems[1].message.contains("title"),
            "{:?}",
            loaded.problems
        );
    }

    #[test]
    fn a_missing_parent_is_reported_at_the_parent_key() {
        let loaded = read("[A-1]\ntitle = 'a'\nrisk = 'low'\nparent = 'NOPE'\n");
        assert_eq!(loaded.problems.len(), 1);
        assert_eq!(loaded.problems[0].location.line, 4);
        assert!(loaded.problems[0].message.contains("`NOPE`"));
    }

    #[test]
    fn a_parent_cycle_is_reported() {
        let loaded = read(
            "[A]\ntitle = 'a'\nrisk = 'low'\nparent = 'B'\n[B]\ntitle = 'b'\nrisk = 'low'\nparent = 'A'\n",
        );
        assert_eq!(loaded.problems.len(), 2, "{:?}", loaded.problems);
    }

    #[test]
    fn an_entry_that_is_not_a_table_is_known_but_malformed() {
        let loaded = read("A-0 = 'x'\n\n[A-1]\ntitle = 'a'\nrisk = 'low'\nparent = 'A-0'\n");
        let [problem] = &loaded.problems[..] else {
            panic!("{:?}", loaded.problems)
        };
        assert_eq!(problem.location.line, 1);
        assert_eq!(
            problem.message,
            "requirement `A-0` must be a table such as `[A-0]` with a `title` and a `risk`"
        );
        let catalog = loaded.catalog.unwrap();
        assert!(catalog.get("A-0").is_none());
        assert!(
            catalog.knows("A-0"),
            "so naming it as a parent is no second problem"
        );
    }

    #[test]
    fn missing_parents_are_reported_in_file_order() {
        let loaded = read(
            "[A]\ntitle = 'a'\nrisk = 'low'\nparent = 'Y'\n[B]\ntitle = 'b'\nrisk = 'low'\nparent = 'A'\n[C]\ntitle = 'c'\nrisk = 'low'\nparent = 'X'\n",
        );
        let messages: Vec<_> = loaded.problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "requirement `A` names parent `Y`, which is not in the catalog",
                "requirement `C` names parent `X`, which is not in the catalog",
            ]
        );
    }

    #[test]
    fn a_duplicated_table_is_reported_at_its_line_and_the_rest_survives() {
        let loaded = read(indoc::indoc! {r#"
            [PAY-1]
            title = "Pay"
            risk = "high"

            [PAY-2]
            title = "Refund"
            risk = "low"

            [PAY-1]
            title = "Pay again"
            risk = "low"
        "#});
        let catalog = loaded.catalog.expect("the catalog is still read");
        let ids: Vec<_> = catalog
            .requirements
            .iter()
            .map(|r| r.id.0.as_str())
            .collect();
        assert_eq!(ids, ["PAY-2"]);
        assert!(catalog.knows("PAY-1"), "a tag naming it is not unknown too");
        let problems: Vec<(usize, &str)> = loaded
            .problems
            .iter()
            .map(|p| (p.location.line, p.message.as_str()))
            .collect();
        assert_eq!(
            problems,
            [(
                9,
                "requirement `PAY-1` is defined twice (first at line 1): neither is read"
            )]
        );
    }

    #[test]
    fn a_duplicate_key_in_a_table_is_named_and_the_rest_survives() {
        let loaded = read(indoc::indoc! {r#"
            [PAY-1]
            title = "Pay"
            title = "Pay twice"
            risk = "high"

            [PAY-2]
            title = "Refund"
            risk = "low"
        "#});
        let catalog = loaded.catalog.expect("the catalog is still read");
        let ids: Vec<_> = catalog
            .requirements
            .iter()
            .map(|r| r.id.0.as_str())
            .collect();
        assert_eq!(ids, ["PAY-2"]);
        let problems: Vec<(String, &str)> = loaded
            .problems
            .iter()
            .map(|p| (p.location.to_string(), p.message.as_str()))
            .collect();
        assert_eq!(
            problems,
            [(
                "requirements.toml:3:1".to_owned(),
                "requirement `PAY-1`: duplicate key `title`"
            )]
        );
    }

    #[test]
    fn invalid_toml_is_one_problem_with_a_position() {
        let loaded = read("[A-1]\ntitle = \n");
        assert!(loaded.catalog.is_none());
        assert_eq!(loaded.problems[0].location.line, 2);
    }
}
