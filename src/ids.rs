//! Stage: ids — a case ID tag for every case without one, written into its feature file.
//!
//! For a suite that did not start with casebook's conventions: `casebook ids assign --prefix
//! SHOP` gives each case without an ID the next free `SHOP-<n>` (numbers go on after the
//! highest the suite has with that prefix, so no two cases share one). The edit is the least
//! that does it: ` @SHOP-12` right after the case's last tag, or, for a case without tags,
//! a line of its own above the Scenario line, indented like it and ending like it. Nothing
//! else in a file changes, byte for byte; a file that does not parse, or would not parse
//! with the new tags, is left as it is.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::TagConventions;
use crate::location::display_path;
use crate::model::{Case, Feature, Suite};

/// One ID given to one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// The case's file, as shown.
    pub path: Arc<Path>,
    /// The Scenario line.
    pub line: usize,
    /// The ID, without `@`.
    pub id: String,
    /// The case's title.
    pub title: String,
}

/// One feature file with its new text.
#[derive(Debug)]
pub struct FileEdit {
    /// The file, as read.
    pub path: PathBuf,
    /// Its text with the new tags.
    pub text: String,
    /// The IDs given in it, in file order.
    pub assignments: Vec<Assignment>,
}

/// Why no ID can be assigned.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The prefix is empty or holds more than letters, digits and dashes.
    #[error("the prefix `{0}` must be letters, digits and dashes, such as `SHOP` or `PAY-CC`")]
    Prefix(String),
    /// `PREFIX-1` would not be read as a case ID.
    #[error(
        "`{id}` would not be a case ID: the `case-id` pattern of casebook.toml is `{pattern}`\n(hint: choose a prefix the pattern accepts, such as upper-case letters)"
    )]
    NotAnId {
        /// The first ID the prefix would give.
        id: String,
        /// The configured pattern.
        pattern: String,
    },
}

/// A feature file that is left as it is, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The file, as shown.
    pub path: PathBuf,
    /// Why.
    pub why: String,
}

/// The edits that give every case of `suite` without an ID one with `prefix`, and the files
/// that cannot be edited. Reads each file again, so that its bytes (a byte order mark, CR
/// LF line ends) stay as they are.
pub fn assign(
    suite: &Suite,
    conventions: &TagConventions,
    prefix: &str,
) -> Result<(Vec<FileEdit>, Vec<Skipped>), Error> {
    if prefix.is_empty() || !prefix.chars().all(|c| c.is_alphanumeric() || c == '-') {
        return Err(Error::Prefix(prefix.to_owned()));
    }
    let mut numbers = Numbers::of(suite, prefix);
    let first = numbers.peek();
    if !conventions.is_case_id(&first) {
        return Err(Error::NotAnId {
            id: first,
            pattern: conventions.case_id.as_str().to_owned(),
        });
    }
    let mut edits = Vec::new();
    let mut skipped: Vec<Skipped> = suite
        .failures
        .iter()
        .map(|failure| Skipped {
            path: failure.path.to_path_buf(),
            why: "it does not parse (`casebook lint` shows why)".to_owned(),
        })
        .collect();
    for feature in &suite.features {
        if feature.cases.iter().all(|case| case.id.is_some()) {
            continue;
        }
        match edit_file(feature, conventions, &mut numbers) {
            Ok(edit) => edits.push(edit),
            Err(why) => skipped.push(Skipped {
                path: display_path(&feature.path).to_path_buf(),
                why,
            }),
        }
    }
    Ok((edits, skipped))
}

/// The next free numbers of a prefix, zero-padded as the suite's IDs with it are.
struct Numbers {
    prefix: String,
    next: u64,
    width: usize,
}

impl Numbers {
    fn of(suite: &Suite, prefix: &str) -> Self {
        let mut next = 1;
        let mut width = 0;
        let start = format!("{prefix}-");
        for (_, case) in suite.cases() {
            let Some(digits) = case.id.as_ref().and_then(|id| id.0.strip_prefix(&start)) else {
                continue;
            };
            if let Ok(number) = digits.parse::<u64>() {
                next = next.max(number + 1);
                if digits.starts_with('0') {
                    width = width.max(digits.len());
                }
            }
        }
        Self {
            prefix: prefix.to_owned(),
            next,
            width,
        }
    }

    fn peek(&self) -> String {
        format!("{}-{:0width$}", self.prefix, self.next, width = self.width)
    }

    fn take(&mut self) -> String {
        let id = self.peek();
        self.next += 1;
        id
    }
}

/// The new text of one feature file: the file read again and edited from its last case up,
/// so that each edit's place is still where the parse found it; checked by parsing it.
fn edit_file(
    feature: &Feature,
    conventions: &TagConventions,
    numbers: &mut Numbers,
) -> Result<FileEdit, String> {
    let path = feature.path.to_path_buf();
    let text = std::fs::read_to_string(&path).map_err(|err| format!("cannot read it: {err}"))?;
    let body = text.strip_prefix('\u{feff}').unwrap_or(&text);
    if body.replace("\r\n", "").contains('\r') {
        return Err("its lines end in a lone CR, which this edit does not keep".to_owned());
    }
    let mut assignments: Vec<(Assignment, usize, String)> = Vec::new();
    for case in feature.cases.iter().filter(|case| case.id.is_none()) {
        let id = numbers.take();
        let (offset, insert) = insertion(body, case, &id)?;
        let assignment = Assignment {
            path: feature.path.clone(),
            line: case.location.line,
            id,
            title: case.title.clone(),
        };
        assignments.push((assignment, offset, insert));
    }
    let mut edited = body.to_owned();
    for (_, offset, insert) in assignments.iter().rev() {
        edited.insert_str(*offset, insert);
    }
    let edited = format!("{}{edited}", &text[..text.len() - body.len()]);
    check(&edited, feature, conventions, &assignments)?;
    Ok(FileEdit {
        path,
        text: edited,
        assignments: assignments.into_iter().map(|(a, _, _)| a).collect(),
    })
}

/// Where in `body` the ID tag of `case` goes, and the text to insert there.
fn insertion(body: &str, case: &Case, id: &str) -> Result<(usize, String), String> {
    let lines = line_starts(body);
    let line_of = |line: usize| -> Result<&str, String> {
        let start = *lines
            .get(line - 1)
            .ok_or_else(|| format!("line {line} is past its end"))?;
        let end = body[start..].find('\n').map_or(body.len(), |i| start + i);
        Ok(&body[start..end])
    };
    if let Some(tag) = case
        .tags
        .iter()
        .max_by_key(|tag| (tag.location.line, tag.location.column))
    {
        // Right after the last tag: a comment after the tags stays a comment.
        let text = line_of(tag.location.line)?;
        let chars = tag.location.column - 1 + 1 + tag.name.chars().count();
        let within = text
            .char_indices()
            .nth(chars)
            .map_or(text.len(), |(index, _)| index);
        let offset = lines[tag.location.line - 1] + within;
        return Ok((offset, format!(" @{id}")));
    }
    let text = line_of(case.location.line)?;
    let indent: String = text.chars().take_while(|c| c.is_whitespace()).collect();
    let ending = if text.ends_with('\r') { "\r\n" } else { "\n" };
    Ok((
        lines[case.location.line - 1],
        format!("{indent}@{id}{ending}"),
    ))
}

/// The byte offset where each line of `text` starts.
fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(index, _)| index + 1))
        .collect()
}

/// Parses the edited text: every assigned case has its ID, and nothing else moved.
fn check(
    edited: &str,
    feature: &Feature,
    conventions: &TagConventions,
    assignments: &[(Assignment, usize, String)],
) -> Result<(), String> {
    let parsed = crate::parse::parse_str(edited, feature.path.clone())
        .map_err(|_| "it would not parse with the new tags".to_owned())?;
    let parsed = crate::suite::classify(parsed, conventions);
    let ids: Vec<Option<&str>> = parsed
        .cases
        .iter()
        .map(|case| case.id.as_ref().map(|id| id.0.as_str()))
        .collect();
    let mut assigned = assignments.iter().map(|(a, _, _)| a.id.as_str());
    let expected: Vec<Option<&str>> = feature
        .cases
        .iter()
        .map(|case| match &case.id {
            Some(id) => Some(id.0.as_str()),
            None => assigned.next(),
        })
        .collect();
    if ids != expected {
        return Err("the new tags would not read as the IDs of its cases".to_owned());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn suite_of(files: &[(&str, &str)]) -> (tempfile::TempDir, Suite) {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let suite = crate::suite::load(&[dir.path().to_path_buf()], &TagConventions::default());
        (dir, suite)
    }

    /// `after` with every inserted ` @ID` or `@ID` line taken out, to compare with `before`.
    fn without(after: &str, ids: &[&str]) -> String {
        let mut text = after.to_owned();
        for id in ids {
            // A line of its own first: its indentation would read as ` @ID` too.
            for inserted in [format!("@{id}\r\n"), format!("@{id}\n"), format!(" @{id}")] {
                if let Some(at) = text.find(&inserted) {
                    let start = if inserted.starts_with('@') {
                        text[..at].rfind('\n').map_or(0, |i| i + 1)
                    } else {
                        at
                    };
                    text.replace_range(start..at + inserted.len(), "");
                    break;
                }
            }
        }
        text
    }

    const SHOP: &str = "\u{feff}@req:SHOP\r\nFeature: Shop\r\n\r\n  @SHOP-7 @smoke\r\n  Scenario: has an ID\r\n    Given a shop\r\n\r\n  @wip @slow # not yet\r\n  Scenario: tagged, no ID\r\n    Given a cart\r\n\r\n  Rule: refunds\r\n\r\n    Scenario Outline: untagged <n>\r\n      Given <n> refunds\r\n\r\n      Examples:\r\n        | n |\r\n        | 1 |\r\n";

    #[test]
    fn ids_go_after_the_tags_or_on_a_line_of_their_own_and_nothing_else_changes() {
        let (_dir, suite) = suite_of(&[("shop.feature", SHOP)]);
        let (edits, skipped) = assign(&suite, &TagConventions::default(), "SHOP").unwrap();
        assert!(skipped.is_empty(), "{skipped:?}");
        let [edit] = &edits[..] else {
            panic!("{edits:?}")
        };
        let ids: Vec<&str> = edit.assignments.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["SHOP-8", "SHOP-9"]);
        assert!(
            edit.text.contains("  @wip @slow @SHOP-8 # not yet\r\n"),
            "{:?}",
            edit.text
        );
        assert!(
            edit.text
                .contains("\r\n    @SHOP-9\r\n    Scenario Outline: untagged <n>\r\n"),
            "{:?}",
            edit.text
        );
        assert_eq!(
            without(&edit.text, &ids),
            SHOP,
            "byte for byte apart from the tags"
        );
    }

    #[test]
    fn numbers_continue_after_the_highest_and_keep_its_zeros() {
        let text =
            "Feature: F\n  @TC-0041\n  Scenario: a\n    Given a\n\n  Scenario: b\n    Given b\n";
        let (_dir, suite) = suite_of(&[("f.feature", text)]);
        let (edits, _) = assign(&suite, &TagConventions::default(), "TC").unwrap();
        assert_eq!(edits[0].assignments[0].id, "TC-0042");
    }

    #[test]
    fn a_prefix_the_pattern_refuses_is_an_error_and_a_broken_file_is_skipped() {
        let (_dir, suite) = suite_of(&[
            ("ok.feature", "Feature: F\n  Scenario: a\n    Given a\n"),
            (
                "broken.feature",
                "Feature: F\n  Scenario: a\n    Given a\n    Bogus line\n",
            ),
        ]);
        let conventions = TagConventions::default();
        let err = assign(&suite, &conventions, "shop").unwrap_err();
        assert!(
            err.to_string().contains("`shop-1` would not be a case ID"),
            "{err}"
        );
        assert!(matches!(
            assign(&suite, &conventions, "S P"),
            Err(Error::Prefix(_))
        ));
        let (edits, skipped) = assign(&suite, &conventions, "OK").unwrap();
        assert_eq!(edits.len(), 1);
        assert_eq!(skipped.len(), 1);
        assert!(skipped[0].path.ends_with("broken.feature"), "{skipped:?}");
    }
}
