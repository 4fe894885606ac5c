//! The step definition tier: which executions a change to the step crate's Rust asks to run
//! again.
//!
//! A conservative static reading with `syn`, of every Rust file under the directories the
//! step definitions are in. Each top-level item (and each item of an inline module) is
//! compared with its earlier self by its tokens, doc comments left out. A changed step
//! function selects the cases whose steps bind to it (its place, from the registry, inside
//! the function's lines); a changed helper, type, constant or `impl` spreads by name to every
//! item that mentions it, until it reaches step functions. What cannot be followed by name
//! selects the whole suite, with the reason: an item macro (a hook's registration runs for
//! every case), a public item nothing here uses, a file that does not parse.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens as _;

use crate::location::{Location, display_path};
use crate::model::{Mode, Suite};
use crate::registry::{Binding, Bindings};

use super::{Impact, Reason};

/// One Rust file of the step crate: its text now and, when the change touched it, before.
#[derive(Debug)]
pub struct SourceFile {
    /// The file, absolute.
    pub path: PathBuf,
    /// Its text now; `None` when the change deletes it.
    pub new: Option<String>,
    /// Its text before the change, when the change touched it (`None` inside when the
    /// change adds it); `None` when it is unchanged.
    pub old: Option<Option<String>>,
}

/// One item, as compared and followed.
#[derive(Debug)]
struct Item {
    /// Which file of the list it is in.
    file: usize,
    /// What it is, with its name: unique in its file.
    key: String,
    /// What it defines, by name (a function's, a type's, an `impl`'s type).
    names: Vec<String>,
    /// Its tokens, without doc comments, as text.
    tokens: String,
    /// Every identifier it mentions.
    mentions: HashSet<String>,
    /// Its first and last line.
    lines: (usize, usize),
    kind: ItemKind,
    /// For a step function, its attributes (patterns) as text: when they change, steps
    /// bound to it may be unbound now, or bound to another.
    patterns: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ItemKind {
    /// A function with a `#[given]`, `#[when]`, `#[then]` or `#[step]` attribute.
    Step,
    /// A `use` declaration: the names of the whole file may mean something else now.
    Use,
    /// A macro invoked at the item level, such as a hook's registration.
    Macro,
    /// Anything else.
    Other { public: bool },
}

/// What a changed item reaches, and through what.
#[derive(Debug, Default)]
struct Spread {
    /// Step functions reached (by index into the items now), with why.
    steps: BTreeMap<usize, String>,
    /// Step functions that exist only before the change, or changed; their definitions may
    /// have gone, so that steps bound to them are unbound now.
    definitions_moved: bool,
    /// The changed items as they are now (by index): a name they define is used only when
    /// another item mentions it.
    origins: Vec<usize>,
    /// The names of step functions among the changed names: the registry runs them, so
    /// that no other item mentions them says nothing.
    step_names: HashSet<String>,
}

/// Adds to `impact` what the changes in `files` select, through `bindings`.
pub fn compare(files: &[SourceFile], suite: &Suite, bindings: &Bindings, impact: &mut Impact) {
    let mut now = Vec::new();
    let mut before = Vec::new();
    for (number, file) in files.iter().enumerate() {
        let shown = display_path(&file.path).to_path_buf();
        if let Some(text) = &file.new {
            match items(text, number) {
                Ok(found) => now.extend(found),
                Err(err) => return impact.whole(unparsable(&shown, &err, "")),
            }
        }
        if let Some(Some(text)) = &file.old {
            match items(text, number) {
                Ok(found) => before.extend(found),
                Err(err) => return impact.whole(unparsable(&shown, &err, " before the change")),
            }
        }
    }
    let Some(spread) = spread(files, &now, &before, impact) else {
        return;
    };
    select(files, &now, &spread, suite, bindings, impact);
}

/// What the changed items are: step functions changed themselves (or, through a changed
/// `use`, every step function of their file), and names that changed, each with the place
/// that changed it; `None` when the whole suite is selected.
fn seed(
    files: &[SourceFile],
    now: &[Item],
    before: &[Item],
    impact: &mut Impact,
) -> Option<(Spread, BTreeMap<String, String>)> {
    let mut spread = Spread::default();
    // Names that changed, each with the place that changed it.
    let mut changed: BTreeMap<String, String> = BTreeMap::new();
    let mut whole_files = BTreeSet::new();
    for (item, place) in changed_items(files, now, before) {
        let why = format!("`{}` changed ({place})", item.key);
        match item.kind {
            ItemKind::Step => {
                let find = |items: &[Item]| {
                    items
                        .iter()
                        .position(|n| n.file == item.file && n.key == item.key)
                };
                let (old, new) = (find(before), find(now));
                spread.definitions_moved |= match (old, new) {
                    (Some(old), Some(new)) => before[old].patterns != now[new].patterns,
                    _ => true,
                };
                if let Some(index) = new {
                    spread
                        .steps
                        .entry(index)
                        .or_insert(format!("changed ({place})"));
                    spread.origins.push(index);
                }
                // A step function may call another: its callers change with it.
                for name in &item.names {
                    spread.step_names.insert(name.clone());
                    changed.entry(name.clone()).or_insert_with(|| why.clone());
                }
            }
            ItemKind::Use => {
                whole_files.insert((item.file, why));
            }
            ItemKind::Macro => {
                impact.whole(Reason::new(format!(
                    "{why}: a macro at the item level (a hook, a registration) can reach every case"
                )));
                return None;
            }
            ItemKind::Other { .. } => {
                for name in &item.names {
                    changed.entry(name.clone()).or_insert_with(|| why.clone());
                }
                spread.origins.extend(
                    now.iter()
                        .position(|n| n.file == item.file && n.key == item.key),
                );
            }
        }
    }
    for (file, why) in whole_files {
        for (index, item) in now.iter().enumerate() {
            if item.file == file && item.kind == ItemKind::Step {
                spread
                    .steps
                    .entry(index)
                    .or_insert_with(|| format!("is in a file whose {why}"));
            }
        }
    }
    Some((spread, changed))
}

/// Which step functions the changed items reach; `None` when the whole suite is selected.
fn spread(
    files: &[SourceFile],
    now: &[Item],
    before: &[Item],
    impact: &mut Impact,
) -> Option<Spread> {
    let (mut spread, mut changed) = seed(files, now, before, impact)?;
    let mut reached = vec![false; now.len()];
    for &origin in &spread.origins {
        reached[origin] = true;
    }
    loop {
        let mut grew = false;
        for (index, item) in now.iter().enumerate() {
            // A `use` only brings a name in; the items that use it mention it themselves.
            if reached[index] || item.kind == ItemKind::Use {
                continue;
            }
            let Some((name, why)) = changed
                .iter()
                .find(|(name, _)| item.mentions.contains(*name))
            else {
                continue;
            };
            reached[index] = true;
            grew = true;
            let through = format!("uses `{name}`, and {why}");
            if item.kind == ItemKind::Macro {
                impact.whole(Reason::new(format!(
                    "a macro at the item level (a hook, a registration) {through}"
                )));
                return None;
            }
            let why = format!("`{}` {through}", item.key);
            for own in &item.names {
                changed.entry(own.clone()).or_insert_with(|| why.clone());
            }
            if item.kind == ItemKind::Step {
                spread.step_names.extend(item.names.iter().cloned());
                spread.steps.entry(index).or_insert(through);
            }
        }
        if !grew {
            break;
        }
    }
    // A changed name is used when an item that is not its own mentions it.
    let used: HashSet<String> = now
        .iter()
        .enumerate()
        .filter(|(index, item)| reached[*index] && item.kind != ItemKind::Use)
        .flat_map(|(_, item)| {
            item.mentions
                .iter()
                .filter(|m| changed.contains_key(*m) && !item.names.contains(m))
        })
        .cloned()
        .chain(spread.step_names.iter().cloned())
        .collect();
    unused(now, before, &changed, &used, impact)?;
    Some(spread)
}

/// The changed items nothing here uses: a public one selects the whole suite (code outside
/// the step definitions may call it), a private one is only noted.
fn unused(
    now: &[Item],
    before: &[Item],
    changed: &BTreeMap<String, String>,
    used: &HashSet<String>,
    impact: &mut Impact,
) -> Option<()> {
    for (name, why) in changed {
        if used.contains(name) {
            continue;
        }
        let public = now.iter().chain(before).any(|item| {
            item.names.contains(name) && matches!(item.kind, ItemKind::Other { public: true })
        });
        if public {
            impact.whole(Reason::new(format!(
                "{why}, is public, and no step definition uses it: code outside them may"
            )));
            return None;
        }
        impact.note(Reason::new(format!(
            "{why}, and no step definition uses it"
        )));
    }
    Some(())
}

/// Every item that differs between the two versions of a changed file, with its place.
fn changed_items<'i>(
    files: &[SourceFile],
    now: &'i [Item],
    before: &'i [Item],
) -> Vec<(&'i Item, String)> {
    let mut out = Vec::new();
    for (number, file) in files.iter().enumerate() {
        if file.old.is_none() {
            continue;
        }
        let shown = display_path(&file.path).display().to_string();
        let find =
            |items: &'i [Item], key: &str| items.iter().find(|i| i.file == number && i.key == key);
        for item in now.iter().filter(|i| i.file == number) {
            if find(before, &item.key).is_none_or(|old| old.tokens != item.tokens) {
                out.push((item, format!("{shown}:{}", item.lines.0)));
            }
        }
        for item in before.iter().filter(|i| i.file == number) {
            if find(now, &item.key).is_none() {
                out.push((item, format!("{shown}, removed")));
            }
        }
    }
    out
}

/// Selects the executions whose steps bind to a reached step function's definitions.
fn select(
    files: &[SourceFile],
    now: &[Item],
    spread: &Spread,
    suite: &Suite,
    bindings: &Bindings,
    impact: &mut Impact,
) {
    let mut reasons: BTreeMap<usize, String> = BTreeMap::new();
    for (index, definition) in bindings.definitions().iter().enumerate() {
        let Some(location) = &definition.location else {
            continue;
        };
        let path = crate::location::absolute(&location.path);
        let holder = spread.steps.iter().find(|(item, _)| {
            let item = &now[**item];
            files[item.file].path == path && (item.lines.0..=item.lines.1).contains(&location.line)
        });
        if let Some((item, why)) = holder {
            reasons.insert(
                index,
                format!(
                    "its step `{}` runs `{}`, which {why}",
                    definition.display_pattern(),
                    now[*item].key
                ),
            );
        }
    }
    for (number, (_, case)) in suite.cases().enumerate() {
        for (execution, steps) in bindings.of_case(number).enumerate() {
            let concrete = case.steps_of(&case.executions[execution]);
            for (step, binding) in concrete.zip(steps) {
                let why = match binding {
                    Binding::Bound(index) => reasons.get(index).cloned(),
                    Binding::Ambiguous(indexes) => indexes.iter().find_map(|i| reasons.get(i).cloned()),
                    Binding::Unbound => None,
                }
                .or_else(|| {
                    // A manual case's steps need no definition.
                    let automated = case.mode == Mode::Automated;
                    (spread.definitions_moved && automated && !matches!(binding, Binding::Bound(_))).then(|| {
                        "it has a step without exactly one definition, and step definitions changed".to_owned()
                    })
                });
                if let Some(why) = why {
                    impact.select(number, execution, Reason::at(&why, &step.step.location));
                    break;
                }
            }
        }
    }
}

fn unparsable(path: &Path, err: &syn::Error, when: &str) -> Reason {
    let start = err.span().start();
    Reason::at(
        &format!("cannot read its Rust{when} ({err}): what it changes cannot be followed"),
        &Location::new(path.into(), start.line, start.column + 1),
    )
}

/// The items of a file, inline modules' items included.
fn items(text: &str, file: usize) -> Result<Vec<Item>, syn::Error> {
    let parsed = syn::parse_file(text)?;
    let mut out = Vec::new();
    collect(&parsed.items, file, "", &mut out);
    Ok(out)
}

fn collect(items: &[syn::Item], file: usize, module: &str, out: &mut Vec<Item>) {
    for item in items {
        if let syn::Item::Mod(inner) = item
            && let Some((_, content)) = &inner.content
        {
            collect(content, file, &format!("{module}{}::", inner.ident), out);
            continue;
        }
        let (what, names, kind) = describe(item);
        let tokens = item.to_token_stream();
        // `impl Trait for X` is keyed by its trait too, so that moving one impl of a type
        // above another changes neither.
        let mut key = match item {
            syn::Item::Impl(syn::ItemImpl {
                trait_: Some((_, path, _)),
                ..
            }) => format!(
                "impl {} for {module}{}",
                path.to_token_stream(),
                names.join(",")
            ),
            _ => format!("{what} {module}{}", names.join(",")),
        };
        let same = out
            .iter()
            .filter(|i| i.file == file && i.key.split(" #").next() == Some(key.as_str()))
            .count();
        if same > 0 {
            key.push_str(&format!(" #{}", same + 1));
        }
        let mut mentions = HashSet::new();
        let lines = lines(tokens.clone());
        let patterns = match item {
            syn::Item::Fn(f) if kind == ItemKind::Step => f
                .attrs
                .iter()
                .filter(|attr| !attr.path().is_ident("doc"))
                .map(|attr| attr.to_token_stream().to_string())
                .collect(),
            _ => String::new(),
        };
        out.push(Item {
            file,
            key,
            names,
            tokens: without_docs(tokens, &mut mentions).to_string(),
            mentions,
            lines,
            kind,
            patterns,
        });
    }
}

/// What an item is, the names it defines, and how it spreads.
fn describe(item: &syn::Item) -> (&'static str, Vec<String>, ItemKind) {
    use syn::Item as I;
    let public = |vis: &syn::Visibility| !matches!(vis, syn::Visibility::Inherited);
    let other = |what, ident: &syn::Ident, vis| {
        (
            what,
            vec![ident.to_string()],
            ItemKind::Other {
                public: public(vis),
            },
        )
    };
    match item {
        I::Fn(f) => {
            let step = f.attrs.iter().any(|attr| {
                attr.path().segments.last().is_some_and(|s| {
                    ["given", "when", "then", "step"].contains(&s.ident.to_string().as_str())
                })
            });
            let kind = if step {
                ItemKind::Step
            } else {
                ItemKind::Other {
                    public: public(&f.vis),
                }
            };
            ("fn", vec![f.sig.ident.to_string()], kind)
        }
        I::Struct(s) => other("struct", &s.ident, &s.vis),
        I::Enum(e) => other("enum", &e.ident, &e.vis),
        I::Union(u) => other("union", &u.ident, &u.vis),
        I::Const(c) => other("const", &c.ident, &c.vis),
        I::Static(s) => other("static", &s.ident, &s.vis),
        I::Type(t) => other("type", &t.ident, &t.vis),
        I::Trait(t) => other("trait", &t.ident, &t.vis),
        I::TraitAlias(t) => other("trait", &t.ident, &t.vis),
        I::Mod(m) => (
            "mod",
            vec![m.ident.to_string()],
            ItemKind::Other { public: false },
        ),
        I::Impl(i) => {
            let name = type_name(&i.self_ty);
            ("impl", vec![name], ItemKind::Other { public: true })
        }
        I::Macro(m) => match &m.ident {
            Some(name) => (
                "macro_rules",
                vec![name.to_string()],
                ItemKind::Other { public: true },
            ),
            None => (
                "macro",
                vec![m.mac.path.to_token_stream().to_string()],
                ItemKind::Macro,
            ),
        },
        I::Use(u) => (
            "use",
            vec![u.tree.to_token_stream().to_string()],
            ItemKind::Use,
        ),
        _ => (
            "item",
            vec![item.to_token_stream().to_string()],
            ItemKind::Macro,
        ),
    }
}

/// The last identifier of a type's path: `Shop` of `crate::shop::Shop<'a>`.
fn type_name(ty: &syn::Type) -> String {
    match ty {
        syn::Type::Path(path) => path
            .path
            .segments
            .last()
            .map_or_else(String::new, |s| s.ident.to_string()),
        other => other.to_token_stream().to_string(),
    }
}

/// `tokens` without `#[doc = …]` attributes, collecting every identifier on the way.
fn without_docs(tokens: TokenStream, mentions: &mut HashSet<String>) -> TokenStream {
    let mut out = Vec::new();
    let mut trees = tokens.into_iter().peekable();
    while let Some(tree) = trees.next() {
        match tree {
            TokenTree::Punct(punct) if punct.as_char() == '#' => {
                if let Some(TokenTree::Group(group)) = trees.peek()
                    && is_doc(group)
                {
                    trees.next();
                    continue;
                }
                out.push(TokenTree::Punct(punct));
            }
            TokenTree::Group(group) => {
                let inner = without_docs(group.stream(), mentions);
                out.push(TokenTree::Group(proc_macro2::Group::new(
                    group.delimiter(),
                    inner,
                )));
            }
            TokenTree::Ident(ident) => {
                // `number: u32` (a parameter, a field, a binding) names no item; `a::b` does.
                let declared = matches!(
                    trees.peek(),
                    Some(TokenTree::Punct(p)) if p.as_char() == ':' && p.spacing() == proc_macro2::Spacing::Alone
                );
                if !declared {
                    mentions.insert(ident.to_string().trim_start_matches("r#").to_owned());
                }
                out.push(TokenTree::Ident(ident));
            }
            other => out.push(other),
        }
    }
    out.into_iter().collect()
}

fn is_doc(group: &proc_macro2::Group) -> bool {
    group
        .stream()
        .into_iter()
        .next()
        .is_some_and(|t| t.to_string() == "doc")
}

/// The first and last line of an item's tokens, its doc comments left out (they come first,
/// and a step's place is its attribute's).
fn lines(tokens: TokenStream) -> (usize, usize) {
    let mut first = usize::MAX;
    let mut last = 0;
    let mut trees = tokens.into_iter().peekable();
    while let Some(tree) = trees.next() {
        if let TokenTree::Punct(punct) = &tree
            && punct.as_char() == '#'
            && let Some(TokenTree::Group(group)) = trees.peek()
            && is_doc(group)
        {
            trees.next();
            continue;
        }
        let span = tree.span();
        first = first.min(span.start().line);
        last = last.max(span.end().line);
    }
    (first, last)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::model::StepKind;
    use crate::registry::{Definition, Registry};

    const FEATURE: &str = "Feature: F\n  @A-1\n  Scenario: a\n    Given one\n\n  @A-2\n  Scenario: b\n    Given two\n";

    const STEPS: &str = "use super::helpers::format;\n\n#[given(\"one\")]\nfn one(_: &mut World) {\n    let _ = format(1);\n}\n\n#[given(\"two\")]\nfn two(_: &mut World) {}\n\nfn unused_private() {}\n";

    /// What a change of `steps/a.rs` from `before` to `now` selects.
    fn impact(before: &str, now: &str) -> Impact {
        impact_of(&[SourceFile {
            path: "/p/steps/a.rs".into(),
            new: Some(now.to_owned()),
            old: Some(Some(before.to_owned())),
        }])
    }

    /// What the change of `files` selects in a two-case suite whose steps bind to
    /// `steps/a.rs` lines 3 and 8.
    fn impact_of(files: &[SourceFile]) -> Impact {
        let feature = crate::parse::parse_str(FEATURE, Path::new("f.feature").into()).unwrap();
        let suite = Suite {
            features: vec![crate::suite::classify(feature, &Default::default())],
            failures: Vec::new(),
        };
        let definition = |kind, pattern: &str, line| Definition {
            kind,
            pattern: pattern.into(),
            location: format!("/p/steps/a.rs:{line}:1").parse().ok(),
        };
        let registry = Registry::from_definitions(vec![
            definition(StepKind::Given, "^one$", 3),
            definition(StepKind::Given, "^two$", 8),
        ])
        .unwrap();
        let bindings = Bindings::of(&registry, &suite);
        let mut impact = Impact::default();
        compare(files, &suite, &bindings, &mut impact);
        impact
    }

    fn cases(impact: &Impact) -> Vec<usize> {
        let mut cases: Vec<usize> = impact.selected.keys().map(|(case, _)| *case).collect();
        cases.dedup();
        cases
    }

    #[test]
    fn a_step_function_another_calls_selects_the_caller_s_cases_too() {
        let calls = STEPS.replace(
            "fn two(_: &mut World) {}",
            "fn two(world: &mut World) {\n    one(world);\n}",
        );
        let impact = impact(
            &calls,
            &calls.replace("let _ = format(1);", "let _ = format(2);"),
        );
        assert_eq!(cases(&impact), [0, 1]);
        let reasons = format!("{:?}", impact.selected);
        assert!(
            reasons.contains("runs `fn two`, which uses `one`, and `fn one` changed"),
            "{reasons}"
        );
    }

    #[test]
    fn a_parameter_of_the_same_name_is_no_use_of_a_function() {
        let named = STEPS.replace(
            "fn two(_: &mut World) {}",
            "fn two(_: &mut World, format: u32) {}",
        );
        let helper = "pub fn format(n: u32) -> u32 {\n    n\n}\n";
        let files = |before: &str| -> Vec<SourceFile> {
            vec![
                SourceFile {
                    path: "/p/steps/a.rs".into(),
                    new: Some(named.clone()),
                    old: None,
                },
                SourceFile {
                    path: "/p/steps/helpers.rs".into(),
                    new: Some(helper.replace("n\n", "n + 1\n")),
                    old: Some(Some(before.to_owned())),
                },
            ]
        };
        let impact = impact_of(&files(helper));
        assert_eq!(cases(&impact), [0], "only `one` calls `format`");
        assert!(impact.whole_suite.is_empty(), "{:?}", impact.whole_suite);
    }

    #[test]
    fn moving_one_impl_of_a_type_above_another_changes_nothing() {
        let (display, debug) = (
            "impl std::fmt::Display for Card {}\n",
            "impl std::fmt::Debug for Card {}\n",
        );
        let before = format!("{STEPS}{display}{debug}");
        let after = format!("{STEPS}{debug}{display}");
        let impact = impact(&before, &after);
        assert_eq!(cases(&impact), Vec::<usize>::new());
        assert!(
            impact.whole_suite.is_empty() && impact.notes.is_empty(),
            "{impact:?}"
        );
    }

    #[test]
    fn a_changed_use_selects_every_step_of_its_file() {
        let impact = impact(STEPS, &STEPS.replace("helpers::format", "other::format"));
        assert_eq!(cases(&impact), [0, 1]);
        assert!(impact.whole_suite.is_empty());
    }

    #[test]
    fn a_changed_private_function_nothing_uses_is_only_noted() {
        let impact = impact(
            STEPS,
            &STEPS.replace("fn unused_private() {}", "fn unused_private() { todo!() }"),
        );
        assert_eq!(cases(&impact), Vec::<usize>::new());
        assert!(
            impact.notes[0].why.contains("no step definition uses it"),
            "{:?}",
            impact.notes
        );
    }

    #[test]
    fn rust_that_does_not_parse_selects_everything_with_its_place() {
        let impact = impact(
            STEPS,
            &STEPS.replace("fn two(_: &mut World) {}", "fn two(_: &mut World) {"),
        );
        let reason = &impact.whole_suite[0];
        assert!(reason.why.starts_with("cannot read its Rust"), "{reason:?}");
        assert_eq!(reason.file.as_deref(), Some("/p/steps/a.rs"));
    }

    #[test]
    fn a_renamed_step_function_keeps_its_cases_and_flags_the_unbound_ones() {
        // The old `two` is gone and a new function with another pattern took its place.
        let impact = impact(
            STEPS,
            &STEPS.replace("#[given(\"two\")]\nfn two", "#[given(\"three\")]\nfn three"),
        );
        assert_eq!(cases(&impact), [1]);
    }
}
