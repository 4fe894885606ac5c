//! Step definitions as the protocol shows them: each one's expression as written (a
//! Cucumber Expression or a regular expression), and what it captures from a step's text.
//!
//! cucumber-rs registers the compiled regex only, and a Cucumber Expression without
//! parameters compiles to the same regex as the regular expression of the same text. So the
//! expression is read back from the attribute at the definition's source location
//! (`#[given(expr = "...")]`, `regex = "..."` or a plain literal), and kept only if it
//! compiles to the registered regex. Without the source (a binary run elsewhere), a regex
//! that an expression made of its parameters compiles back to is shown as that expression,
//! any other as a regular expression.
//!
//! Captures are reported as the official Cucumber implementations report them: one argument
//! per parameter (or top-level regex group), each with its nested groups, a `{string}` with
//! the two groups of its quote styles, as the official expression compiler makes them.

use std::path::Path;

use cucumber::codegen::Expression;
use foldhash::HashMap;
use regex::Regex;

use super::envelope::{Group, Pattern, PatternType, StepMatchArgument, StepMatchArgumentsList};
use crate::registry::Definition;

/// A step definition ready to report matches.
#[derive(Debug, Clone)]
pub struct Matcher {
    /// The expression as written.
    pub pattern: Pattern,
    regex: Regex,
    /// The parameter type of each top-level group, for a Cucumber Expression.
    parameters: Vec<String>,
    /// The nesting of the regex's capture groups: the children of each group (0 is the
    /// whole match).
    tree: Vec<Vec<usize>>,
    /// The arguments of texts met before (see [`Matcher::remembered`]).
    remembered: HashMap<Box<str>, StepMatchArgumentsList>,
}

/// How many texts a matcher remembers the arguments of, so that a suite of many distinct
/// steps holds a bounded memory.
const REMEMBERED: usize = 512;

impl Matcher {
    /// The matcher of `definition`, reading its source under `root` when it can.
    pub fn new(definition: &Definition, root: &Path) -> Self {
        let regex = Regex::new(&definition.pattern).unwrap_or_else(|_| {
            Regex::new(&regex::escape(&definition.pattern)).expect("an escaped text compiles")
        });
        let pattern = definition
            .location
            .as_ref()
            .and_then(|location| written(location, root))
            .filter(|pattern| compiles_to(pattern, &definition.pattern))
            .unwrap_or_else(|| guess(definition));
        let parameters = match pattern.kind {
            PatternType::CucumberExpression => parameter_names(&pattern.source),
            PatternType::RegularExpression => Vec::new(),
        };
        let tree = group_tree(regex.as_str());
        Matcher {
            pattern,
            regex,
            parameters,
            tree,
            remembered: HashMap::default(),
        }
    }

    /// [`Matcher::arguments`], remembered for the texts met first. A suite repeats its
    /// steps (a Background in every scenario, the same check in many cases), and matching a
    /// text with its captures is most of what a test case's message costs.
    pub fn remembered(&mut self, text: &str) -> StepMatchArgumentsList {
        if let Some(arguments) = self.remembered.get(text) {
            return arguments.clone();
        }
        let arguments = self.arguments(text);
        if self.remembered.len() < REMEMBERED {
            self.remembered.insert(text.into(), arguments.clone());
        }
        arguments
    }

    /// What this definition captures from `text` (no arguments when it does not match).
    pub fn arguments(&self, text: &str) -> StepMatchArgumentsList {
        let Some(captures) = self.regex.captures(text) else {
            return StepMatchArgumentsList {
                step_match_arguments: Vec::new(),
            };
        };
        let mut roots = self.tree[0].iter().copied();
        let step_match_arguments = match self.pattern.kind {
            PatternType::RegularExpression => roots
                .map(|index| StepMatchArgument {
                    group: self.group(&captures, text, index),
                    parameter_type_name: None,
                })
                .collect(),
            // A parameter is one top-level group of the compiled regex, but a `{string}`
            // is two: one per quote style, the match being the one that took part.
            PatternType::CucumberExpression => self
                .parameters
                .iter()
                .filter_map(|name| {
                    let group = if name == "string" {
                        let (double, single) = (roots.next()?, roots.next()?);
                        string_group(&captures, text, double, single)
                    } else {
                        self.group(&captures, text, roots.next()?)
                    };
                    Some(StepMatchArgument {
                        group,
                        parameter_type_name: Some(name.clone()),
                    })
                })
                .collect(),
        };
        StepMatchArgumentsList {
            step_match_arguments,
        }
    }

    fn group(&self, captures: &regex::Captures<'_>, text: &str, index: usize) -> Group {
        let mut group = matched(captures, text, index);
        group.children = self.tree[index]
            .iter()
            .map(|&child| self.group(captures, text, child))
            .collect();
        group
    }
}

fn matched(captures: &regex::Captures<'_>, text: &str, index: usize) -> Group {
    match captures.get(index) {
        Some(found) => Group {
            start: Some(utf16_len(&text[..found.start()])),
            value: Some(found.as_str().to_owned()),
            children: Vec::new(),
        },
        None => Group::default(),
    }
}

fn utf16_len(text: &str) -> usize {
    text.encode_utf16().count()
}

/// A `{string}` argument as the official compiler's regex groups it:
/// `"([^"\\]*(\\.[^"\\]*)*)"|'([^'\\]*(\\.[^'\\]*)*)'`, from the groups of the text
/// inside double and single quotes.
fn string_group(captures: &regex::Captures<'_>, text: &str, double: usize, single: usize) -> Group {
    let inner = |index: usize| {
        captures.get(index).map(|found| {
            let start = utf16_len(&text[..found.start()]);
            let value = found.as_str();
            // The repeated `(\\.[^"\\]*)` group holds its last repetition, if any: from
            // the last backslash that starts an escape to the end.
            let mut last = None;
            let mut chars = value.char_indices();
            while let Some((at, c)) = chars.next() {
                if c == '\\' {
                    last = Some(at);
                    chars.next();
                }
            }
            let escape = last.map_or_else(Group::default, |at| Group {
                start: Some(start + utf16_len(&value[..at])),
                value: Some(value[at..].to_owned()),
                children: Vec::new(),
            });
            (
                found,
                Group {
                    start: Some(start),
                    value: Some(value.to_owned()),
                    children: vec![escape],
                },
            )
        })
    };
    let unmatched = || Group {
        children: vec![Group::default()],
        ..Group::default()
    };
    let (double, single) = (inner(double), inner(single));
    let Some(found) = double.as_ref().or(single.as_ref()).map(|(found, _)| *found) else {
        return Group::default();
    };
    // The quotes around the text are part of the argument.
    let (start, end) = (found.start() - 1, found.end() + 1);
    Group {
        start: Some(utf16_len(&text[..start])),
        value: Some(text[start..end].to_owned()),
        children: vec![
            double.map_or_else(unmatched, |(_, group)| group),
            single.map_or_else(unmatched, |(_, group)| group),
        ],
    }
}

/// The names of the parameters of a Cucumber Expression, in order (`""` for `{}`).
fn parameter_names(expression: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut chars = expression.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '{' => names.push(chars.by_ref().take_while(|&c| c != '}').collect()),
            _ => {}
        }
    }
    names
}

/// The children of every capture group of `pattern` (index 0: the top-level groups).
fn group_tree(pattern: &str) -> Vec<Vec<usize>> {
    let mut tree = vec![Vec::new()];
    // The capture index of each open parenthesis (None for a non-capturing one).
    let mut open: Vec<Option<usize>> = Vec::new();
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    let mut rest = pattern;
    while let Some(c) = chars.next() {
        rest = &rest[c.len_utf8()..];
        match c {
            '\\' => {
                if let Some(escaped) = chars.next() {
                    rest = &rest[escaped.len_utf8()..];
                }
            }
            '[' if !in_class => in_class = true,
            ']' if in_class => in_class = false,
            '(' if !in_class => {
                let capturing = !rest.starts_with('?')
                    || rest.starts_with("?P<")
                    || (rest.starts_with("?<")
                        && !rest.starts_with("?<=")
                        && !rest.starts_with("?<!"));
                if capturing {
                    let index = tree.len();
                    tree.push(Vec::new());
                    let parent = open.iter().rev().find_map(|g| *g).unwrap_or(0);
                    tree[parent].push(index);
                    open.push(Some(index));
                } else {
                    open.push(None);
                }
            }
            ')' if !in_class => {
                open.pop();
            }
            _ => {}
        }
    }
    tree
}

/// The expression in the attribute at `location`, if it can be read.
fn written(location: &crate::location::Location, root: &Path) -> Option<Pattern> {
    let line = location.line;
    let text = std::fs::read_to_string(root.join(&location.path)).ok()?;
    let start = text
        .lines()
        .take(line - 1)
        .map(|l| l.len() + 1)
        .sum::<usize>();
    let attribute = text.get(start..)?;
    let open = attribute.find('(')?;
    let mut rest = attribute[open + 1..].trim_start();
    let mut kind = PatternType::CucumberExpression;
    let mut literal = true;
    for (key, pattern_type) in [
        ("expr", PatternType::CucumberExpression),
        ("regex", PatternType::RegularExpression),
    ] {
        if let Some(value) = rest
            .strip_prefix(key)
            .and_then(|after| after.trim_start().strip_prefix('='))
        {
            rest = value.trim_start();
            kind = pattern_type;
            literal = false;
        }
    }
    let source = string_literal(rest)?;
    Some(if literal {
        // A plain string matches itself exactly: a Cucumber Expression of the same text,
        // with what expressions give a meaning to escaped.
        Pattern {
            source: crate::registry::escape_expression(&source),
            kind: PatternType::CucumberExpression,
        }
    } else {
        Pattern { source, kind }
    })
}

/// The value of the Rust string literal at the start of `text`: `"..."` with escapes, or
/// `r"..."`, `r#"..."#`.
fn string_literal(text: &str) -> Option<String> {
    if let Some(raw) = text.strip_prefix('r') {
        let hashes = raw.chars().take_while(|&c| c == '#').count();
        let body = raw[hashes..].strip_prefix('"')?;
        let end = format!("\"{}", "#".repeat(hashes));
        return body.find(&end).map(|at| body[..at].to_owned());
    }
    let mut chars = text.strip_prefix('"')?.chars();
    let mut out = String::new();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                '0' => out.push('\0'),
                '\n' => {
                    // A line continuation: the next line's leading whitespace is dropped.
                    while chars.clone().next().is_some_and(char::is_whitespace) {
                        chars.next();
                    }
                }
                'u' => {
                    let code: String = chars.by_ref().skip(1).take_while(|&c| c != '}').collect();
                    out.push(char::from_u32(u32::from_str_radix(&code, 16).ok()?)?);
                }
                other => out.push(other),
            },
            other => out.push(other),
        }
    }
    None
}

/// Whether `pattern` compiles to the regex cucumber-rs registered.
fn compiles_to(pattern: &Pattern, registered: &str) -> bool {
    match pattern.kind {
        PatternType::RegularExpression => pattern.source == registered,
        PatternType::CucumberExpression => {
            Expression::regex(&pattern.source).is_ok_and(|regex| regex.as_str() == registered)
        }
    }
}

/// The expression of a definition whose source cannot be read.
fn guess(definition: &Definition) -> Pattern {
    let shown = definition.display_pattern();
    let pattern = Pattern {
        source: shown,
        kind: PatternType::CucumberExpression,
    };
    if compiles_to(&pattern, &definition.pattern) {
        pattern
    } else {
        Pattern {
            source: definition.pattern.clone(),
            kind: PatternType::RegularExpression,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::StepKind;

    fn definition(pattern: &str) -> Definition {
        Definition {
            kind: StepKind::Given,
            pattern: pattern.to_owned(),
            location: None,
        }
    }

    fn arguments(matcher: &Matcher, text: &str) -> serde_json::Value {
        serde_json::to_value(matcher.arguments(text)).unwrap()
    }

    #[test]
    fn remembered_arguments_are_the_arguments_and_memory_stays_bounded() {
        let regex = Expression::regex("item {int} costs {int}")
            .unwrap()
            .as_str()
            .to_owned();
        let mut matcher = Matcher::new(&definition(&regex), Path::new("."));
        for round in 0..2 {
            for n in 0..REMEMBERED + 10 {
                let text = format!("item {n} costs {}", n * 3);
                assert_eq!(
                    serde_json::to_value(matcher.remembered(&text)).unwrap(),
                    arguments(&matcher, &text),
                    "{text}, round {round}"
                );
            }
        }
        assert_eq!(matcher.remembered.len(), REMEMBERED);
    }

    #[test]
    fn expression_parameters_are_named_and_strings_grouped_as_cucumber_does() {
        let regex = Expression::regex("the string {string} is {int} long")
            .unwrap()
            .as_str()
            .to_owned();
        let matcher = Matcher::new(&definition(&regex), Path::new("."));
        assert_eq!(
            matcher.pattern,
            Pattern {
                source: "the string {string} is {int} long".into(),
                kind: PatternType::CucumberExpression
            }
        );
        assert_eq!(
            arguments(&matcher, r#"the string 'a\'b' is 5 long"#)["stepMatchArguments"][0],
            serde_json::json!({"group": {"start": 11, "value": "'a\\'b'", "children": [
                {"children": [{}]},
                {"start": 12, "value": "a\\'b", "children": [{"start": 13, "value": "\\'b"}]}
            ]}, "parameterTypeName": "string"})
        );
        assert_eq!(
            arguments(&matcher, r#"the string "hello" is 5 long"#),
            serde_json::json!({"stepMatchArguments": [
                {"group": {"start": 11, "value": "\"hello\"", "children": [
                    {"start": 12, "value": "hello", "children": [{}]},
                    {"children": [{}]}
                ]}, "parameterTypeName": "string"},
                {"group": {"start": 22, "value": "5"}, "parameterTypeName": "int"}
            ]})
        );
    }

    #[test]
    fn regex_groups_nest_and_unmatched_ones_are_empty() {
        let matcher = Matcher::new(
            &definition(r"^a (.*?)(?: and a (.*?))?(?: and a ((x)|y))?$"),
            Path::new("."),
        );
        assert_eq!(matcher.pattern.kind, PatternType::RegularExpression);
        assert_eq!(
            arguments(&matcher, "a cucumber and a zucchini"),
            serde_json::json!({"stepMatchArguments": [
                {"group": {"start": 2, "value": "cucumber"}},
                {"group": {"start": 17, "value": "zucchini"}},
                {"group": {"children": [{}]}}
            ]})
        );
        assert_eq!(
            arguments(&matcher, "a cucumber and a zucchini and a x"),
            serde_json::json!({"stepMatchArguments": [
                {"group": {"start": 2, "value": "cucumber"}},
                {"group": {"start": 17, "value": "zucchini"}},
                {"group": {"start": 32, "value": "x", "children": [{"start": 32, "value": "x"}]}}
            ]})
        );
    }

    #[test]
    fn the_written_attribute_decides_between_expression_and_regex() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("steps.rs"),
            "#[given(regex = r\"^a step$\")]\nfn a() {}\n#[given(\n    expr = \"a step\"\n)]\nfn b() {}\n#[given(\"a (literal)\")]\nfn c() {}\n",
        )
        .unwrap();
        let at = |line: usize, pattern: &str| {
            let mut definition = definition(pattern);
            definition.location = format!("steps.rs:{line}:1").parse().ok();
            Matcher::new(&definition, dir.path()).pattern
        };
        assert_eq!(at(1, "^a step$").kind, PatternType::RegularExpression);
        assert_eq!(at(3, "^a step$").kind, PatternType::CucumberExpression);
        let literal = at(7, &format!("^{}$", regex::escape("a (literal)")));
        assert_eq!(literal.source, r"a \(literal\)");
        // Without the source, the regex a parameterless expression compiles to is shown
        // as that expression.
        assert_eq!(at(99, "^a step$").kind, PatternType::CucumberExpression);
    }
}
