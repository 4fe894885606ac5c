//! Stage 2, suite: parsed [`Feature`]s + [`TagConventions`] → a classified [`Suite`].
//!
//! Reads every feature file of the project, then applies the tag conventions: which tag is a
//! case's ID, which requirements it covers (inherited Feature → Rule → Scenario → Examples),
//! whether it is manual, and one [`Execution`] per Examples row. One broken file becomes a
//! [`ParseFailure`]; every other file is still read.

use std::path::PathBuf;
use std::sync::Arc;

use crate::config::TagConventions;
use crate::location::Location;
use crate::model::{
    Case, ExampleRow, Execution, Feature, Mode, ParseFailure, RequirementId, RequirementRef, Suite,
    Tag,
};
use crate::parse;

/// Reads every feature file (`.feature` and `.feature.md`) under each of `paths` (files or
/// directories) into a suite.
pub fn load(paths: &[PathBuf], conventions: &TagConventions) -> Suite {
    let mut suite = Suite::default();
    let mut files = Vec::new();
    for path in paths {
        // Absolute paths, so that a file named both through the features directory and on
        // the command line is read once.
        let path = std::path::absolute(path).unwrap_or_else(|_| path.clone());
        let walk = parse::feature_files(&path);
        files.extend(walk.files);
        suite.failures.extend(
            walk.unreadable
                .into_iter()
                .map(|err| ParseFailure::unreadable(err.path, err.kind.to_string())),
        );
    }
    files.sort();
    files.dedup();
    for result in parse_all(&files, conventions) {
        match result {
            Ok(feature) => suite.features.push(feature),
            Err(failure) => suite.failures.push(failure),
        }
    }
    suite
}

/// Parses and classifies `files` on every core, keeping their order. Parsing dominates the
/// time of `casebook lint`, and files are independent of each other.
fn parse_all(
    files: &[PathBuf],
    conventions: &TagConventions,
) -> Vec<Result<Feature, ParseFailure>> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let chunk = files.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = files
            .chunks(chunk)
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|file| {
                            parse::parse_file(file).map(|feature| classify(feature, conventions))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| worker.join().expect("a parser thread panicked"))
            .collect()
    })
}

/// Fills in the ID, requirements, mode and executions of every case of `feature`.
pub fn classify(mut feature: Feature, conventions: &TagConventions) -> Feature {
    for case in &mut feature.cases {
        let rule_tags = case
            .rule
            .map_or(&[][..], |index| &feature.rules[index].tags[..]);
        classify_case(case, &feature.tags, rule_tags, conventions);
    }
    feature
}

fn classify_case(
    case: &mut Case,
    feature_tags: &[Tag],
    rule_tags: &[Tag],
    conventions: &TagConventions,
) {
    // Case IDs come from the scenario's own tags only: an ID inherited from a Feature would
    // give every case of the file the same ID.
    case.id_tags = case
        .tags
        .iter()
        .filter(|tag| conventions.is_case_id(&tag.name))
        .cloned()
        .collect();
    case.id = case
        .id_tags
        .first()
        .map(|tag| crate::model::CaseId(tag.name.clone()));

    let inherited: Vec<&Tag> = feature_tags
        .iter()
        .chain(rule_tags)
        .chain(&case.tags)
        .collect();
    case.effective_tags = unique(inherited.iter().map(|tag| tag.name.clone())).into();

    let has = |name: &str| case.effective_tags.iter().any(|tag| tag == name);
    let manual = has(&conventions.manual)
        || conventions
            .automation
            .as_deref()
            .is_some_and(|automation| !has(automation));
    case.mode = if manual {
        Mode::Manual
    } else {
        Mode::Automated
    };

    let case_requirements = requirement_refs(inherited.iter().copied(), conventions);
    let mut all = case_requirements.clone();
    for examples in &case.examples {
        all.extend(requirement_refs(examples.tags.iter(), conventions));
    }
    case.requirements = dedup_refs(all);

    case.executions = if case.examples.is_empty() {
        vec![Execution {
            row: None,
            tags: case.effective_tags.clone(),
            requirements: ids(&case_requirements).into(),
        }]
    } else {
        executions(case, &case_requirements, conventions)
    };
}

fn executions(
    case: &Case,
    case_requirements: &[RequirementRef],
    conventions: &TagConventions,
) -> Vec<Execution> {
    let mut executions = Vec::new();
    for (index, examples) in case.examples.iter().enumerate() {
        let Some(table) = &examples.table else {
            continue;
        };
        let mut requirements = case_requirements.to_vec();
        requirements.extend(requirement_refs(examples.tags.iter(), conventions));
        let requirements: Arc<[RequirementId]> = ids(&dedup_refs(requirements)).into();
        let tags: Arc<[String]> = unique(
            case.effective_tags
                .iter()
                .chain(examples.tags.iter().map(|tag| &tag.name))
                .cloned(),
        )
        .into();
        let header = examples.header();
        for (row, cells) in table.rows.iter().enumerate().skip(1) {
            let line = table
                .lines
                .get(row)
                .copied()
                .unwrap_or(table.location.line + row);
            executions.push(Execution {
                row: Some(ExampleRow {
                    block: index,
                    row_in_block: row,
                    index_in_outline: executions.len() + 1,
                    location: Location::new(
                        case.location.path.clone(),
                        line,
                        table.location.column,
                    ),
                    values: header.iter().cloned().zip(cells.iter().cloned()).collect(),
                }),
                tags: tags.clone(),
                requirements: requirements.clone(),
            });
        }
    }
    executions
}

fn requirement_refs<'t>(
    tags: impl Iterator<Item = &'t Tag>,
    conventions: &TagConventions,
) -> Vec<RequirementRef> {
    tags.filter_map(|tag| {
        conventions
            .requirement_id(&tag.name)
            .map(|id| RequirementRef {
                id: RequirementId(id.to_owned()),
                location: tag.location.clone(),
            })
    })
    .collect()
}

/// Keeps the first mention of each requirement: the one highest up (Feature before Scenario).
fn dedup_refs(refs: Vec<RequirementRef>) -> Vec<RequirementRef> {
    let mut seen = std::collections::HashSet::new();
    refs.into_iter()
        .filter(|r| seen.insert(r.id.clone()))
        .collect()
}

fn ids(refs: &[RequirementRef]) -> Vec<RequirementId> {
    refs.iter().map(|r| r.id.clone()).collect()
}

fn unique(names: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    names.filter(|name| seen.insert(name.clone())).collect()
}

/// Test support: the suite of one feature file at `path` with `text`, read with the default
/// tag conventions. Panics on a syntax error: a test's feature is written to parse.
#[cfg(test)]
pub(crate) fn suite_from(path: &str, text: &str) -> Suite {
    let feature = crate::parse::parse_str(text, Arc::from(std::path::Path::new(path)))
        .unwrap_or_else(|err| panic!("the test's feature parses: {err:?}"));
    Suite {
        features: vec![classify(feature, &TagConventions::default())],
        failures: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use super::*;
    use crate::config::Config;
    use crate::model::FailureKind;

    fn classify_text(text: &str, conventions: &TagConventions) -> Feature {
        let feature = crate::parse::parse_str(text, Arc::from(Path::new("t.feature"))).unwrap();
        classify(feature, conventions)
    }

    fn ids(refs: &[RequirementRef]) -> Vec<&str> {
        refs.iter().map(|r| r.id.0.as_str()).collect()
    }

    const SHOP: &str = indoc::indoc! {"
        @req:EPIC @smoke
        Feature: Shop
          Background:
            Given the shop is open

          @PAY-1 @req:STORY-1
          Scenario: plain
            Then it works

          @req:RULE-1 @manual
          Rule: by hand
            @PAY-2
            Scenario Outline: outline <n>
              Given <n> items
              Then <n> shown

              @req:EX-1 @fast
              Examples: first
                | n |
                | 1 |
                | 2 |

              Examples: second
                | n |
                | 3 |
    "};

    #[test]
    fn ids_requirements_and_tags_are_inherited_downward() {
        let feature = classify_text(SHOP, &TagConventions::default());
        let [plain, outline] = &feature.cases[..] else {
            panic!("two cases")
        };
        assert_eq!(plain.id.as_ref().unwrap().0, "PAY-1");
        assert_eq!(ids(&plain.requirements), ["EPIC", "STORY-1"]);
        assert_eq!(
            &plain.effective_tags[..],
            ["req:EPIC", "smoke", "PAY-1", "req:STORY-1"]
        );
        assert_eq!(plain.mode, Mode::Automated);
        // The Rule's tags reach the outline; the Examples' only reach their own rows.
        assert_eq!(outline.id.as_ref().unwrap().0, "PAY-2");
        assert_eq!(ids(&outline.requirements), ["EPIC", "RULE-1", "EX-1"]);
        assert_eq!(outline.mode, Mode::Manual);
        let row_requirements: Vec<Vec<&str>> = outline
            .executions
            .iter()
            .map(|e| e.requirements.iter().map(|r| r.0.as_str()).collect())
            .collect();
        assert_eq!(
            row_requirements,
            [
                vec!["EPIC", "RULE-1", "EX-1"],
                vec!["EPIC", "RULE-1", "EX-1"],
                vec!["EPIC", "RULE-1"]
            ]
        );
        assert!(outline.executions[0].tags.contains(&"fast".to_owned()));
        assert!(!outline.executions[2].tags.contains(&"fast".to_owned()));
    }

    #[test]
    fn an_outline_has_one_execution_per_examples_row() {
        let feature = classify_text(SHOP, &TagConventions::default());
        let outline = &feature.cases[1];
        let rows: Vec<(usize, usize, usize, usize, String)> = outline
            .executions
            .iter()
            .map(|e| {
                let row = e.row.as_ref().unwrap();
                (
                    row.block,
                    row.row_in_block,
                    row.index_in_outline,
                    row.location.line,
                    row.substitute("<n> items"),
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                (0, 1, 1, 20, "1 items".into()),
                (0, 2, 2, 21, "2 items".into()),
                (1, 1, 3, 25, "3 items".into())
            ]
        );
        assert_eq!(feature.cases[0].executions.len(), 1);
        assert!(feature.cases[0].executions[0].row.is_none());
        assert_eq!(outline.background[0].text, "the shop is open");
    }

    #[test]
    fn an_automation_tag_makes_untagged_cases_manual() {
        let config = Config::from_str(
            "[tags]\nautomation = 'smoke'",
            Path::new("c.toml"),
            Path::new("/"),
        )
        .unwrap();
        let feature = classify_text(SHOP, &config.tags);
        assert_eq!(
            feature.cases[0].mode,
            Mode::Automated,
            "@smoke is inherited from the Feature"
        );
        let text = SHOP.replace("@req:EPIC @smoke", "@req:EPIC");
        let feature = classify_text(&text, &config.tags);
        assert_eq!(feature.cases[0].mode, Mode::Manual);
    }

    #[test]
    fn one_broken_file_leaves_the_others_readable() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("a.feature"),
            "Feature: A\n  Scenario: s\n    Given x\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("b.feature"),
            "Feature: B\n  Scenario: s\n    Given x\n  Blah\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("c.feature"),
            "Feature: C\n  Scenario: s\n    Given x\n",
        )
        .unwrap();
        let suite = load(&[dir.path().to_path_buf()], &TagConventions::default());
        let names: Vec<_> = suite.features.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["A", "C"]);
        assert_eq!(suite.failures.len(), 1);
        assert!(suite.failures[0].path.ends_with("b.feature"));
        assert_eq!(suite.failures[0].errors[0].location.line, 4);
    }

    fn write(dir: &Path, path: &str, name: &str) {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(
            path,
            format!("Feature: {name}\n  Scenario: s\n    Given x\n"),
        )
        .unwrap();
    }

    #[test]
    fn a_dangling_link_and_a_link_loop_are_findings_and_every_other_file_is_read() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.feature", "A");
        write(dir.path(), "sub/b.feature", "B");
        write(dir.path(), "z.feature", "Z");
        // An editor's lock file: a link to a target that does not exist.
        std::os::unix::fs::symlink("nobody@host.1234", dir.path().join(".#a.feature")).unwrap();
        std::os::unix::fs::symlink("..", dir.path().join("sub/loop")).unwrap();
        let suite = load(&[dir.path().to_path_buf()], &TagConventions::default());
        let names: Vec<_> = suite.features.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["A", "B", "Z"]);
        let failures: Vec<(String, FailureKind, &str)> = suite
            .failures
            .iter()
            .map(|f| {
                let name = f.path.file_name().unwrap().to_string_lossy().into_owned();
                (name, f.kind, f.errors[0].message.as_str())
            })
            .collect();
        assert_eq!(failures.len(), 2, "{failures:?}");
        assert_eq!(failures[0].0, ".#a.feature");
        assert_eq!(failures[0].1, FailureKind::Unreadable);
        assert!(
            failures[0]
                .2
                .contains("`nobody@host.1234`, which does not exist"),
            "{failures:?}"
        );
        assert_eq!(failures[1].0, "loop");
        assert_eq!(failures[1].1, FailureKind::Unreadable);
        assert!(failures[1].2.contains("loops back to"), "{failures:?}");
    }

    #[test]
    fn an_unreadable_directory_is_a_finding_and_every_other_file_is_read() {
        // SAFETY: geteuid has no preconditions and cannot fail.
        if unsafe { libc::geteuid() } == 0 {
            eprintln!("skipped: root reads a directory whatever its permissions");
            return;
        }
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.feature", "A");
        write(dir.path(), "locked/b.feature", "B");
        write(dir.path(), "z.feature", "Z");
        let locked = dir.path().join("locked");
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
        let suite = load(&[dir.path().to_path_buf()], &TagConventions::default());
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
        let names: Vec<_> = suite.features.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["A", "Z"]);
        let [failure] = &suite.failures[..] else {
            panic!("one failure: {:?}", suite.failures)
        };
        assert!(failure.path.ends_with("locked"), "{failure:?}");
        assert_eq!(failure.kind, FailureKind::Unreadable);
        assert!(
            failure.errors[0].message.contains("ermission denied"),
            "{failure:?}"
        );
    }
}
