//! Stage: registry — the step definitions compiled into a harness, and the binding of every
//! step of the suite to them, known before any scenario runs.
//!
//! cucumber-rs registers each `#[given]`, `#[when]` and `#[then]` function through
//! `inventory`, with its pattern and source location. [`Registry`] reads them back;
//! [`Registry::bind`] matches a step the way cucumber-rs will at run time (same kind, same
//! regex), so a step is [`Binding::Bound`], [`Binding::Unbound`] or [`Binding::Ambiguous`]
//! before anything is executed. [`Bindings::of`] binds every step of a suite once; lint, the
//! run's plan, the manual queue and the trace matrix all read that one value. The registry is
//! saved as `steps.json` so that `casebook lint` can report unbound steps without a build.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use cucumber::codegen::{StepConstructor, WorldInventory, inventory};
use regex::{Regex, RegexSet};
use serde::{Deserialize, Serialize};

use crate::location::Location;
use crate::model::{Case, Execution, StepKind, Suite};

/// The version of the `steps.json` format.
pub const FORMAT_VERSION: u32 = 1;

/// One step definition: a script's building block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Definition {
    /// Given, When or Then.
    pub kind: StepKind,
    /// The regex the step text must match (cucumber expressions are compiled to one).
    pub pattern: String,
    /// Where the function is, as the macro recorded it (`path:line:column` in the files).
    #[serde(with = "crate::location::as_text")]
    pub location: Option<Location>,
}

impl Definition {
    /// Where it is, `path:line:column`, when known.
    pub fn location_text(&self) -> Option<String> {
        self.location.as_ref().map(ToString::to_string)
    }

    /// The pattern as people write it: a cucumber expression's parameters shown as
    /// `{string}`, `{int}`, `{float}`, `{word}` again, and the anchors dropped.
    pub fn display_pattern(&self) -> String {
        // The regexes cucumber-expressions compiles each parameter type to. A `{string}`
        // names its groups after the parameter's position (`__0_0`, `__1_0`, …).
        static PARAMETERS: std::sync::LazyLock<Vec<(Regex, &str)>> = std::sync::LazyLock::new(
            || {
                let literal = |text: &str| regex::escape(text);
                let string = literal(r#"(?:"(?P<__0_0>[^"\\]*(?:\\.[^"\\]*)*)"|'(?P<__0_1>[^'\\]*(?:\\.[^'\\]*)*)')"#)
                .replace("__0_", r"__\d+_");
                [
                    (string, "{string}"),
                    (literal(r"((?:-?\d+)|(?:\d+))"), "{int}"),
                    (
                        literal(r"((?=.*\d.*)[-+]?\d*(?:\.(?=\d.*))?\d*(?:\d+[E][+-]?\d+)?)"),
                        "{float}",
                    ),
                    (literal(r"([^\s]+)"), "{word}"),
                    (literal("(.*)"), "{}"),
                ]
                .into_iter()
                .map(|(pattern, name)| {
                    (
                        Regex::new(&pattern).expect("an escaped literal is a valid regex"),
                        name,
                    )
                })
                .collect()
            },
        );
        let mut pattern = self
            .pattern
            .strip_prefix('^')
            .unwrap_or(&self.pattern)
            .to_owned();
        if pattern.ends_with('$') {
            pattern.pop();
        }
        for (regex, name) in PARAMETERS.iter() {
            pattern = regex.replace_all(&pattern, *name).into_owned();
        }
        pattern
    }
}

/// How casebook's built-in steps are shown: their source is in casebook's own crate, which
/// for a project is a path in the machine's cargo registry that means nothing to a reader.
pub const BUILTIN_STEPS: &str = "casebook::steps::http";

/// Where a step definition is. A harness that includes its steps with
/// `#[path = "../steps/mod.rs"]` compiles them as `tests/../steps/x.rs`: shown as
/// `steps/x.rs`. casebook's built-in steps are shown as [`BUILTIN_STEPS`].
pub fn place(location: cucumber::step::Location) -> Location {
    // The built-in steps sit next to this file in casebook's crate, however it was built.
    let builtin = std::path::Path::new(file!()).with_file_name("steps/http.rs");
    if std::path::Path::new(location.path) == builtin {
        return Location::new(
            std::path::Path::new(BUILTIN_STEPS).into(),
            location.line as usize,
            location.column as usize,
        );
    }
    let path = crate::location::normalize(std::path::Path::new(location.path));
    Location::new(
        path.into(),
        location.line as usize,
        location.column as usize,
    )
}

/// A definition's place as something to sort by: its file, then its line and column.
fn place_key(definition: &Definition) -> (&Path, usize, usize) {
    match &definition.location {
        Some(location) => (&location.path, location.line, location.column),
        None => (Path::new(""), 0, 0),
    }
}

/// How a step relates to the definitions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "binding", content = "definitions", rename_all = "lowercase")]
pub enum Binding {
    /// Exactly one definition matches (its index).
    Bound(usize),
    /// No definition matches.
    Unbound,
    /// Several definitions match (their indexes).
    Ambiguous(Vec<usize>),
}

/// Every step definition of a harness.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    /// Shared with the [`Bindings`] made of it, which name definitions by index.
    definitions: Arc<[Definition]>,
    /// Per step kind (Given, When, Then): one set of every pattern of that kind, and the
    /// index in `definitions` of each pattern of the set. One pass of a set finds every
    /// matching definition, which is what binding a large suite spends its time on.
    sets: [(RegexSet, Vec<usize>); 3],
}

/// The saved form of a registry (`steps.json`).
#[derive(Debug, Serialize, Deserialize)]
struct Saved {
    format_version: u32,
    definitions: Vec<Definition>,
}

impl Registry {
    /// The definitions registered for world type `W` in this binary.
    pub fn collect<W: WorldInventory>() -> Self {
        let mut definitions = Vec::new();
        let mut push =
            |kind, (location, regex, _): (cucumber::step::Location, fn() -> Regex, _)| {
                definitions.push((
                    Definition {
                        kind,
                        pattern: regex().as_str().to_owned(),
                        location: Some(place(location)),
                    },
                    regex(),
                ));
            };
        for step in inventory::iter::<W::Given> {
            push(StepKind::Given, step.inner());
        }
        for step in inventory::iter::<W::When> {
            push(StepKind::When, step.inner());
        }
        for step in inventory::iter::<W::Then> {
            push(StepKind::Then, step.inner());
        }
        // Inventory order depends on the linker; sort so output is stable, in source order
        // (by file, then line and column as numbers).
        definitions
            .sort_by(|(a, _), (b, _)| (place_key(a), &a.pattern).cmp(&(place_key(b), &b.pattern)));
        let definitions = definitions
            .into_iter()
            .map(|(definition, _)| definition)
            .collect();
        Self::from_definitions(definitions).expect("cucumber-rs compiled every pattern already")
    }

    /// A registry of the given definitions (for `steps.json` and tests).
    pub fn from_definitions(definitions: Vec<Definition>) -> Result<Self, regex::Error> {
        let set = |kind: StepKind| -> Result<(RegexSet, Vec<usize>), regex::Error> {
            let indexes: Vec<usize> = (0..definitions.len())
                .filter(|&i| definitions[i].kind == kind)
                .collect();
            let set = RegexSet::new(indexes.iter().map(|&i| &definitions[i].pattern))?;
            Ok((set, indexes))
        };
        let sets = [
            set(StepKind::Given)?,
            set(StepKind::When)?,
            set(StepKind::Then)?,
        ];
        Ok(Self {
            definitions: definitions.into(),
            sets,
        })
    }

    /// Every definition.
    pub fn definitions(&self) -> &[Definition] {
        &self.definitions
    }

    /// How a step of this kind and text binds.
    pub fn bind(&self, kind: StepKind, text: &str) -> Binding {
        let (set, indexes) = &self.sets[kind as usize];
        let matches: Vec<usize> = set.matches(text).into_iter().map(|i| indexes[i]).collect();
        match matches.as_slice() {
            [] => Binding::Unbound,
            [one] => Binding::Bound(*one),
            _ => Binding::Ambiguous(matches),
        }
    }

    /// The registry as `steps.json`.
    pub fn to_json(&self) -> String {
        let saved = Saved {
            format_version: FORMAT_VERSION,
            definitions: self.definitions.to_vec(),
        };
        serde_json::to_string_pretty(&saved).expect("plain data serializes")
    }

    /// Reads a saved `steps.json`.
    pub fn load(path: &Path) -> Result<Self, LoadError> {
        let error = |kind| LoadError {
            path: path.to_path_buf(),
            kind,
        };
        let text = std::fs::read_to_string(path).map_err(|e| error(LoadErrorKind::Io(e)))?;
        let saved: Saved =
            serde_json::from_str(&text).map_err(|e| error(LoadErrorKind::Json(e)))?;
        if saved.format_version != FORMAT_VERSION {
            return Err(error(LoadErrorKind::FormatVersion(saved.format_version)));
        }
        Self::from_definitions(saved.definitions).map_err(|e| error(LoadErrorKind::Pattern(e)))
    }
}

/// A `steps.json` that cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot read the step definitions `{}`: {kind}", path.display())]
pub struct LoadError {
    /// The file.
    pub path: std::path::PathBuf,
    /// What is wrong.
    pub kind: LoadErrorKind,
}

/// What is wrong with a `steps.json`.
#[derive(Debug, thiserror::Error)]
pub enum LoadErrorKind {
    /// It cannot be read.
    #[error("{0}")]
    Io(std::io::Error),
    /// It is not the JSON `steps.json` holds.
    #[error("{0}")]
    Json(serde_json::Error),
    /// It was written by another version of casebook.
    #[error(
        "format version {0}, this casebook reads {FORMAT_VERSION}\n(hint: run the harness again to write it anew)"
    )]
    FormatVersion(u32),
    /// A pattern in it does not compile.
    #[error("{0}")]
    Pattern(regex::Error),
}

/// How every step of every execution of a suite binds: the registry stage's output, made
/// once per run by [`Bindings::of`]. Cases are numbered in suite order ([`Suite::cases`]).
#[derive(Debug, Clone, Default)]
pub struct Bindings {
    /// The registry's definitions, which bindings name by index.
    definitions: Arc<[Definition]>,
    /// Every step of every execution, in suite order, Background steps first.
    steps: Vec<Binding>,
    /// Where each execution's steps start in `steps`, in suite order, then `steps.len()`.
    executions: Vec<usize>,
    /// Where each case's executions start in `executions`, in suite order, then their count.
    cases: Vec<usize>,
}

impl Bindings {
    /// Binds every step of `suite` to `registry`'s definitions.
    pub fn of(registry: &Registry, suite: &Suite) -> Self {
        // A suite repeats most of its step texts: each distinct one goes through the regex
        // sets once.
        let mut seen: [foldhash::HashMap<std::borrow::Cow<'_, str>, Binding>; 3] =
            Default::default();
        let mut bindings = Self {
            definitions: registry.definitions.clone(),
            ..Self::default()
        };
        for (_, case) in suite.cases() {
            bindings.cases.push(bindings.executions.len());
            for execution in &case.executions {
                bindings.executions.push(bindings.steps.len());
                for step in case.steps_of(execution) {
                    let kind = step.step.kind;
                    let binding = seen[kind as usize]
                        .entry(step.text())
                        .or_insert_with_key(|text| registry.bind(kind, text))
                        .clone();
                    bindings.steps.push(binding);
                }
            }
        }
        bindings.cases.push(bindings.executions.len());
        bindings.executions.push(bindings.steps.len());
        bindings
    }

    /// The definitions bindings name by index.
    pub fn definitions(&self) -> &[Definition] {
        &self.definitions
    }

    /// How each step of execution `execution` of case number `case` binds, in the order of
    /// [`Case::steps_of`].
    pub fn of_execution(&self, case: usize, execution: usize) -> &[Binding] {
        self.steps_at(self.cases[case] + execution)
    }

    /// The bindings of each execution of case number `case`, in order.
    pub fn of_case(&self, case: usize) -> impl Iterator<Item = &[Binding]> {
        (self.cases[case]..self.cases[case + 1]).map(|at| self.steps_at(at))
    }

    /// The bindings of execution number `at` of the suite.
    fn steps_at(&self, at: usize) -> &[Binding] {
        &self.steps[self.executions[at]..self.executions[at + 1]]
    }
}

/// The binding of one step of one execution of a case, with the step it binds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepBinding<'a> {
    /// The step's kind.
    pub kind: StepKind,
    /// The step's text, with the Examples row's values in place (borrowed from the case
    /// when there are none: most steps of a large suite).
    pub text: Cow<'a, str>,
    /// Whether it comes from a Background.
    pub background: bool,
    /// Its line in the feature file.
    pub line: usize,
    /// How it binds.
    pub binding: Binding,
}

/// The steps of one execution with their bindings (`bindings`: that execution's, from
/// [`Bindings::of_execution`]).
pub fn step_bindings<'a>(
    case: &'a Case,
    execution: &'a Execution,
    bindings: &[Binding],
) -> Vec<StepBinding<'a>> {
    case.steps_of(execution)
        .zip(bindings)
        .map(|(step, binding)| StepBinding {
            kind: step.step.kind,
            text: step.text(),
            background: step.background,
            line: step.step.location.line,
            binding: binding.clone(),
        })
        .collect()
}

/// Definitions that none of `bindings` uses.
pub fn unused<'b>(
    registry: &Registry,
    bindings: impl IntoIterator<Item = &'b Binding>,
) -> Vec<usize> {
    let mut used = BTreeSet::new();
    for binding in bindings {
        match binding {
            Binding::Bound(i) => {
                used.insert(*i);
            }
            Binding::Ambiguous(all) => used.extend(all.iter().copied()),
            Binding::Unbound => {}
        }
    }
    (0..registry.definitions.len())
        .filter(|i| !used.contains(i))
        .collect()
}

/// A Rust skeleton for an unbound step: the attribute with a cucumber expression whose
/// quoted strings, integers and decimals become typed parameters, and a body to fill in.
pub fn snippet(kind: StepKind, text: &str, has_table: bool, has_doc_string: bool) -> String {
    snippet_with(kind, text, has_table, has_doc_string, |_| false)
}

/// Every skeleton for an unbound step, as Cucumber suggests them: [`snippet`]'s first,
/// then those that read integers as `{float}` too (an integer matches both), up to 2⁴
/// combinations.
pub fn snippets(kind: StepKind, text: &str, has_table: bool, has_doc_string: bool) -> Vec<String> {
    let integers = PARAMETER
        .find_iter(text)
        .filter(|found| !found.as_str().starts_with('"') && !found.as_str().contains('.'))
        .count()
        .min(4);
    (0..1u32 << integers)
        .map(|floats| {
            let mut integer = 0;
            snippet_with(kind, text, has_table, has_doc_string, |_| {
                let this = integer;
                integer += 1;
                this < integers && (floats >> this) & 1 == 1
            })
        })
        .collect()
}

static PARAMETER: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    Regex::new(r#""[^"]*"|-?\b\d+\.\d+\b|-?\b\d+\b"#).expect("valid regex")
});

/// A skeleton; `as_float` says, integer by integer, whether it is read as `{float}`.
fn snippet_with(
    kind: StepKind,
    text: &str,
    has_table: bool,
    has_doc_string: bool,
    mut as_float: impl FnMut(&str) -> bool,
) -> String {
    let mut expression = String::new();
    let mut parameters = Vec::new();
    let mut last = 0;
    for found in PARAMETER.find_iter(text) {
        expression.push_str(&escape_expression(&text[last..found.start()]));
        let value = found.as_str();
        let (placeholder, ty) = if value.starts_with('"') {
            ("{string}", "String")
        } else if value.contains('.') || as_float(value) {
            ("{float}", "f64")
        } else {
            ("{int}", "i64")
        };
        expression.push_str(placeholder);
        parameters.push(format!("arg{}: {ty}", parameters.len() + 1));
        last = found.end();
    }
    expression.push_str(&escape_expression(&text[last..]));
    if has_table || has_doc_string {
        parameters.push("step: &Step".to_owned());
    }
    let attribute = match kind {
        StepKind::Given => "given",
        StepKind::When => "when",
        StepKind::Then => "then",
    };
    let name = function_name(&PARAMETER.replace_all(text, " "));
    let mut arguments = vec!["world: &mut World".to_owned()];
    arguments.extend(parameters);
    format!(
        "#[{attribute}(expr = {expression:?})]\nasync fn {name}({}) {{\n    todo!({:?})\n}}\n",
        arguments.join(", "),
        format!("{} {text}", attribute)
    )
}

/// Escapes what cucumber expressions give a meaning to: `(`, `)`, `{`, `}` and `/`.
pub(crate) fn escape_expression(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '(' | ')' | '{' | '}' | '/' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `the customer checks out` → `the_customer_checks_out`.
fn function_name(text: &str) -> String {
    let words: Vec<String> = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let name = words.join("_");
    match name.chars().next() {
        None => "step".to_owned(),
        Some(c) if c.is_ascii_digit() => format!("step_{name}"),
        Some(_) => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry() -> Registry {
        let definition = |kind, pattern: &str| Definition {
            kind,
            pattern: pattern.into(),
            location: None,
        };
        Registry::from_definitions(vec![
            definition(StepKind::Given, r"^a customer (.+)$"),
            definition(StepKind::Given, r"^a customer alice$"),
            definition(StepKind::When, r"^she pays$"),
            definition(StepKind::Then, r"^nothing$"),
        ])
        .unwrap()
    }

    #[test]
    fn binds_by_kind_and_text() {
        let registry = registry();
        assert_eq!(registry.bind(StepKind::When, "she pays"), Binding::Bound(2));
        assert_eq!(
            registry.bind(StepKind::Given, "she pays"),
            Binding::Unbound,
            "kinds do not mix"
        );
        assert_eq!(
            registry.bind(StepKind::Given, "a customer bob"),
            Binding::Bound(0)
        );
        assert_eq!(
            registry.bind(StepKind::Given, "a customer alice"),
            Binding::Ambiguous(vec![0, 1])
        );
    }

    #[test]
    fn the_built_in_steps_are_registered() {
        let registry = Registry::collect::<crate::World>();
        assert!(matches!(
            registry.bind(StepKind::Given, "the service is up"),
            Binding::Bound(_)
        ));
        assert!(matches!(
            registry.bind(StepKind::When, r#"I send a POST request to "/api/cart""#),
            Binding::Bound(_)
        ));
        assert!(matches!(
            registry.bind(StepKind::Then, r#"the response JSON at "$.id" should be 7"#),
            Binding::Bound(_)
        ));
        assert!(matches!(
            registry.bind(
                StepKind::Then,
                r#"the response JSON at "$.id" should be "x""#
            ),
            Binding::Bound(_)
        ));
        // Shown by name, not by the path of the crate on the machine that built it.
        let location = registry.definitions()[0].location_text().unwrap();
        assert!(location.starts_with("casebook::steps::http:"), "{location}");
    }

    #[test]
    fn cucumber_expressions_display_as_written() {
        let registry = Registry::collect::<crate::World>();
        let shown: Vec<String> = registry
            .definitions()
            .iter()
            .map(Definition::display_pattern)
            .collect();
        for expected in [
            "I set the request header {string} to {string}",
            "the response status should be {int}",
            "the response JSON at {string} should have {int} items",
            "the service is up",
        ] {
            assert!(
                shown.iter().any(|s| s == expected),
                "{expected} not in {shown:#?}"
            );
        }
    }

    #[test]
    fn saved_registries_load_back() {
        let registry = registry();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("steps.json");
        std::fs::write(&path, registry.to_json()).unwrap();
        assert_eq!(
            Registry::load(&path).unwrap().definitions(),
            registry.definitions()
        );
    }

    #[test]
    fn integers_are_suggested_as_int_and_as_float() {
        let expressions: Vec<String> =
            snippets(StepKind::Given, "a list of 8 things", false, false)
                .iter()
                .map(|s| s.lines().next().unwrap().to_owned())
                .collect();
        assert_eq!(
            expressions,
            [
                r#"#[given(expr = "a list of {int} things")]"#,
                r#"#[given(expr = "a list of {float} things")]"#
            ]
        );
        assert_eq!(snippets(StepKind::Given, "1 and 2", false, false).len(), 4);
        assert_eq!(
            snippets(StepKind::Given, r#"a "many" list of 3.14"#, false, false).len(),
            1
        );
    }

    #[test]
    fn snippets_type_their_parameters() {
        let snippet = snippet(
            StepKind::Given,
            r#"a verified customer "alice" with 2 cards (1.5 EUR)"#,
            false,
            true,
        );
        assert_eq!(
            snippet,
            "#[given(expr = \"a verified customer {string} with {int} cards \\\\({float} EUR\\\\)\")]\n\
             async fn a_verified_customer_with_cards_eur(world: &mut World, arg1: String, arg2: i64, arg3: f64, step: &Step) {\n    \
             todo!(\"given a verified customer \\\"alice\\\" with 2 cards (1.5 EUR)\")\n}\n"
        );
    }
}
