//! The architecture, checked: data flows one way through the stages of `src/`, and no
//! hand-written function grows past [`MAX_LINES`].
//!
//! Every file under `src/` belongs to the top-level module it sits in (`src/run/cucumber.rs`
//! to `run`). A reference to another module (`use crate::x::…`, or a path `crate::x::…`
//! anywhere in the code) is an arrow from the file's module to `x`, and an arrow may only
//! point to a module that comes earlier in [`ORDER`]. So the tree has no import cycle, and no
//! stage reaches up to the harness, the world or a renderer. Test code (`#[cfg(test)]`,
//! `#[test]`) may build its fixtures with any stage and is not checked.
//!
//! Doc links (`[`parse`](crate::parse)`) are text to the compiler, and not arrows.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use syn::spanned::Spanned as _;
use syn::visit::{self, Visit};

/// The top-level modules of `src/`, each allowed to use only the ones before it.
///
/// The pipeline reads from top to bottom: plain data and helpers, the configuration, the
/// stages that read the suite, then the run (its plan, the bridge to cucumber-rs, the record
/// it is folded into, its event vocabulary, the world steps get, the hooks, the built-in
/// steps, the Cucumber Messages writer, the cucumber-rs glue), the stages that read a run,
/// and last what ties them together. A module that does not exist (yet) is no error; a
/// module of `src/` missing here is.
#[rustfmt::skip]
const ORDER: &[&str] = &[
    // Plain data and helpers every stage may use.
    "location", "model", "text", "output", "exit", "redact",
    // `casebook.toml`, validated: a leaf but for the helpers above.
    "config",
    // Its `[tls]` files read, and TLS failures told in words.
    "tls",
    // Which release is tested (git).
    "release",
    // Reading the suite.
    "parse", "suite", "ids", "contract", "catalog", "registry", "lint", "impact",
    // The run, and the record it is folded into.
    "plan", "compile", "record", "event", "world", "hooks", "steps", "messages", "run",
    // Reading a run.
    "manual", "trace", "render",
    // Tying the stages together.
    "project", "harness", "prelude", "cli", "main",
];

/// Arrows that still run back up while the code they need moves down; this list only
/// shrinks, and an entry that no file needs any more is an error.
const PENDING_ARROWS: &[(&str, &str)] = &[];

/// The longest a hand-written function may be, in lines from `fn` to its closing brace.
const MAX_LINES: usize = 80;

/// The directories whose functions are measured: every crate's source, and the demo shop's
/// step definitions (a directory that does not exist is skipped).
const MEASURED: &[&str] = &[
    "src",
    "casebook-gherkin/src",
    "casebook-cli/src",
    "demo-shop/src",
    "steps",
];

/// Functions over [`MAX_LINES`] that are being split; this list only shrinks, and an entry
/// that is no longer too long is an error. Each entry is a file and the function's name
/// (`Type::method` for a method).
const LONG_FUNCTIONS: &[(&str, &str)] = &[];

/// A reference from one module to another.
struct Arrow {
    file: PathBuf,
    line: usize,
    from: String,
    to: String,
}

/// A function and its length.
struct Function {
    file: PathBuf,
    line: usize,
    name: String,
    lines: usize,
}

#[test]
fn every_stage_imports_only_earlier_stages() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let src = root.join("src");
    let aliases = root_aliases(&src.join("lib.rs"));
    let mut problems = BTreeSet::new();
    let mut modules = BTreeSet::new();
    let mut pending_used = BTreeSet::new();
    for file in rust_files(&src) {
        let relative = file.strip_prefix(root).unwrap().to_path_buf();
        let Some(module) = top_module(file.strip_prefix(&src).unwrap()) else {
            continue;
        };
        modules.insert(module.clone());
        for arrow in arrows(&file, &relative, &module, &aliases) {
            let Some(problem) = upward(&arrow) else {
                continue;
            };
            let pair = (arrow.from.as_str(), arrow.to.as_str());
            if PENDING_ARROWS.contains(&pair) {
                pending_used.insert((arrow.from.clone(), arrow.to.clone()));
            } else {
                problems.insert(problem);
            }
        }
    }
    for module in &modules {
        if !ORDER.contains(&module.as_str()) {
            problems.insert(format!(
                "src/{module}: the module has no place in ORDER (tests/architecture.rs)\n"
            ));
        }
    }
    for (from, to) in PENDING_ARROWS {
        if !pending_used.contains(&(from.to_string(), to.to_string())) {
            problems.insert(format!(
                "PENDING_ARROWS: no file has {from} -> {to} any more: take it off the list\n"
            ));
        }
    }
    for (i, module) in ORDER.iter().enumerate() {
        if ORDER[..i].contains(module) {
            problems.insert(format!("ORDER: `{module}` is listed twice\n"));
        }
    }
    let problems: String = problems.into_iter().collect();
    assert!(problems.is_empty(), "arrows that run back up:\n{problems}");
}

#[test]
fn no_hand_written_function_is_over_the_limit() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut problems = String::new();
    let mut allowed_and_long = BTreeSet::new();
    for dir in MEASURED
        .iter()
        .map(|dir| root.join(dir))
        .filter(|dir| dir.is_dir())
    {
        for file in rust_files(&dir) {
            let relative = file.strip_prefix(root).unwrap().to_path_buf();
            for function in functions(&file, &relative) {
                if function.lines <= MAX_LINES {
                    continue;
                }
                let shown = relative.to_string_lossy().replace('\\', "/");
                if LONG_FUNCTIONS.contains(&(shown.as_str(), function.name.as_str())) {
                    allowed_and_long.insert((shown, function.name));
                    continue;
                }
                let _ = writeln!(
                    problems,
                    "{}:{}: `{}` is {} lines, more than {MAX_LINES}",
                    function.file.display(),
                    function.line,
                    function.name,
                    function.lines
                );
            }
        }
    }
    for (file, name) in LONG_FUNCTIONS {
        if !allowed_and_long.contains(&(file.to_string(), name.to_string())) {
            let _ = writeln!(
                problems,
                "{file}: `{name}` is in LONG_FUNCTIONS but no longer over {MAX_LINES} lines \
                 (or gone): take it off the list"
            );
        }
    }
    assert!(problems.is_empty(), "functions too long:\n{problems}");
}

#[test]
fn an_upward_import_is_found() {
    let file = syn::parse_file(
        "use crate::model::Suite;\n\
         use crate::{location, harness::Args};\n\
         fn f() { let _ = crate::render::markdown::cell(\"\"); }\n\
         fn g() { println!(\"{}\", crate::manual::x()); }\n\
         #[cfg(test)]\n\
         mod tests { use crate::project::Project; }\n",
    )
    .unwrap();
    let found = Collector::arrows_of(
        &file,
        Path::new("src/config.rs"),
        "config",
        &BTreeMap::new(),
    );
    let upward: Vec<String> = found.iter().filter_map(upward).collect();
    assert_eq!(
        upward,
        [
            "src/config.rs:2: config -> harness (`harness` comes after `config`)\n",
            "src/config.rs:3: config -> render (`render` comes after `config`)\n",
            "src/config.rs:4: config -> manual (`manual` comes after `config`)\n",
        ]
    );
}

#[test]
fn a_long_function_is_measured_from_fn_to_its_brace() {
    let body = "    let _ = 1;\n".repeat(81);
    let text = format!("impl A {{\n    fn long() {{\n{body}    }}\n}}\nfn short() {{}}\n");
    let file = syn::parse_file(&text).unwrap();
    let aliases = BTreeMap::new();
    let mut collector = Collector::new(Path::new("src/a.rs"), "a", &aliases);
    collector.visit_file(&file);
    let lengths: Vec<(String, usize)> = collector
        .functions
        .iter()
        .map(|f| (f.name.clone(), f.lines))
        .collect();
    assert_eq!(
        lengths,
        [("A::long".to_owned(), 83), ("short".to_owned(), 1)]
    );
}

/// The arrow's complaint, if it runs back up.
fn upward(arrow: &Arrow) -> Option<String> {
    let rank = |module: &str| ORDER.iter().position(|m| *m == module);
    let (Some(from), Some(to)) = (rank(&arrow.from), rank(&arrow.to)) else {
        // A module missing from ORDER is reported once, by the caller.
        return None;
    };
    (to > from).then(|| {
        format!(
            "{}:{}: {} -> {} (`{}` comes after `{}`)\n",
            arrow.file.display(),
            arrow.line,
            arrow.from,
            arrow.to,
            arrow.to,
            arrow.from
        )
    })
}

/// Every `.rs` file under `dir`, in a stable order.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The top-level module a file of `src/` belongs to; `None` for the crate root.
fn top_module(relative: &Path) -> Option<String> {
    let first = relative.components().next()?.as_os_str().to_str()?;
    match first {
        "lib.rs" => None,
        file => Some(file.trim_end_matches(".rs").to_owned()),
    }
}

/// The names `lib.rs` re-exports (`pub use world::World`), by the module they come from.
fn root_aliases(lib: &Path) -> BTreeMap<String, String> {
    let file = syn::parse_file(&std::fs::read_to_string(lib).unwrap()).unwrap();
    let mut aliases = BTreeMap::new();
    for item in &file.items {
        if let syn::Item::Use(item) = item {
            let mut leaves = Vec::new();
            flatten(&item.tree, &mut Vec::new(), &mut leaves);
            for (path, _) in leaves {
                if let (Some(module), Some(name)) = (path.first(), path.last())
                    && path.len() > 1
                {
                    aliases.insert(name.clone(), module.clone());
                }
            }
        }
    }
    aliases
}

/// Every path a use tree names, with the span of its first segment.
fn flatten(
    tree: &syn::UseTree,
    prefix: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, proc_macro2::Span)>,
) {
    match tree {
        syn::UseTree::Path(path) => {
            prefix.push(path.ident.to_string());
            flatten(&path.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(name) => {
            let mut path = prefix.clone();
            path.push(name.ident.to_string());
            out.push((path, name.ident.span()));
        }
        syn::UseTree::Rename(rename) => {
            let mut path = prefix.clone();
            path.push(rename.ident.to_string());
            out.push((path, rename.ident.span()));
        }
        syn::UseTree::Glob(glob) => out.push((prefix.clone(), glob.star_token.span())),
        syn::UseTree::Group(group) => {
            for tree in &group.items {
                flatten(tree, prefix, out);
            }
        }
    }
}

fn arrows(
    file: &Path,
    relative: &Path,
    module: &str,
    aliases: &BTreeMap<String, String>,
) -> Vec<Arrow> {
    let text = std::fs::read_to_string(file).unwrap();
    let parsed = syn::parse_file(&text)
        .unwrap_or_else(|err| panic!("{}: cannot parse: {err}", relative.display()));
    // A file of tests only (`#![cfg(test)]`) is test code as a whole.
    if is_test(&parsed.attrs) {
        return Vec::new();
    }
    Collector::arrows_of(&parsed, relative, module, aliases)
}

fn functions(file: &Path, relative: &Path) -> Vec<Function> {
    let text = std::fs::read_to_string(file).unwrap();
    let parsed = syn::parse_file(&text)
        .unwrap_or_else(|err| panic!("{}: cannot parse: {err}", relative.display()));
    if is_test(&parsed.attrs) {
        return Vec::new();
    }
    let aliases = BTreeMap::new();
    let mut collector = Collector::new(relative, "", &aliases);
    collector.visit_file(&parsed);
    collector.functions
}

/// Walks one file's non-test code, collecting its arrows and its functions.
struct Collector<'a> {
    file: &'a Path,
    module: &'a str,
    aliases: &'a BTreeMap<String, String>,
    arrows: Vec<Arrow>,
    functions: Vec<Function>,
    /// The type of the `impl` block being walked, to name its methods.
    self_type: Option<String>,
}

impl<'a> Collector<'a> {
    fn new(file: &'a Path, module: &'a str, aliases: &'a BTreeMap<String, String>) -> Self {
        Self {
            file,
            module,
            aliases,
            arrows: Vec::new(),
            functions: Vec::new(),
            self_type: None,
        }
    }

    fn arrows_of(
        file: &syn::File,
        relative: &'a Path,
        module: &'a str,
        aliases: &'a BTreeMap<String, String>,
    ) -> Vec<Arrow> {
        let mut collector = Collector::new(relative, module, aliases);
        collector.visit_file(file);
        collector.arrows
    }

    /// Records an arrow for a path that starts with `crate`.
    fn reference(&mut self, segments: &[String], span: proc_macro2::Span) {
        let [first, second, ..] = segments else {
            return;
        };
        if first != "crate" {
            return;
        }
        let to = self.aliases.get(second).unwrap_or(second);
        if to != self.module {
            self.arrows.push(Arrow {
                file: self.file.to_path_buf(),
                line: span.start().line,
                from: self.module.to_owned(),
                to: to.clone(),
            });
        }
    }

    /// Records the `crate::x` paths in a stream of tokens.
    fn tokens(&mut self, tokens: proc_macro2::TokenStream) {
        let tokens: Vec<proc_macro2::TokenTree> = tokens.into_iter().collect();
        for (i, token) in tokens.iter().enumerate() {
            match token {
                proc_macro2::TokenTree::Group(group) => self.tokens(group.stream()),
                proc_macro2::TokenTree::Ident(ident) if ident == "crate" => {
                    if let [
                        proc_macro2::TokenTree::Punct(a),
                        proc_macro2::TokenTree::Punct(b),
                        proc_macro2::TokenTree::Ident(name),
                        ..,
                    ] = &tokens[i + 1..]
                        && a.as_char() == ':'
                        && b.as_char() == ':'
                    {
                        self.reference(&["crate".to_owned(), name.to_string()], ident.span());
                    }
                }
                _ => {}
            }
        }
    }

    fn function(&mut self, name: String, sig: &syn::Signature, block: &syn::Block) {
        let start = sig.fn_token.span().start().line;
        let end = block.brace_token.span.close().end().line;
        self.functions.push(Function {
            file: self.file.to_path_buf(),
            line: start,
            name,
            lines: end + 1 - start,
        });
    }
}

/// Whether the attributes mark test-only code.
fn is_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        let path = attr.path();
        if path.is_ident("test") {
            return true;
        }
        path.is_ident("cfg")
            && attr
                .parse_args::<syn::Meta>()
                .is_ok_and(|meta| meta.path().is_ident("test"))
    })
}

fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    match item {
        syn::Item::Const(i) => &i.attrs,
        syn::Item::Enum(i) => &i.attrs,
        syn::Item::ExternCrate(i) => &i.attrs,
        syn::Item::Fn(i) => &i.attrs,
        syn::Item::ForeignMod(i) => &i.attrs,
        syn::Item::Impl(i) => &i.attrs,
        syn::Item::Macro(i) => &i.attrs,
        syn::Item::Mod(i) => &i.attrs,
        syn::Item::Static(i) => &i.attrs,
        syn::Item::Struct(i) => &i.attrs,
        syn::Item::Trait(i) => &i.attrs,
        syn::Item::TraitAlias(i) => &i.attrs,
        syn::Item::Type(i) => &i.attrs,
        syn::Item::Union(i) => &i.attrs,
        syn::Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

impl<'ast> Visit<'ast> for Collector<'_> {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        if !is_test(item_attrs(item)) {
            visit::visit_item(self, item);
        }
    }

    fn visit_impl_item(&mut self, item: &'ast syn::ImplItem) {
        if let syn::ImplItem::Fn(f) = item
            && is_test(&f.attrs)
        {
            return;
        }
        visit::visit_impl_item(self, item);
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        let mut leaves = Vec::new();
        flatten(&item.tree, &mut Vec::new(), &mut leaves);
        for (path, span) in leaves {
            self.reference(&path, span);
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        self.reference(&segments, path.span());
        visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        // A macro's arguments are tokens to syn (`format!("{}", crate::x::f())`): a path in
        // them is `crate`, `::`, a name.
        self.tokens(mac.tokens.clone());
        visit::visit_macro(self, mac);
    }

    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        self.function(item.sig.ident.to_string(), &item.sig, &item.block);
        visit::visit_item_fn(self, item);
    }

    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        let outer = self.self_type.take();
        self.self_type = match &*item.self_ty {
            syn::Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
            _ => None,
        };
        visit::visit_item_impl(self, item);
        self.self_type = outer;
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        let name = match &self.self_type {
            Some(ty) => format!("{ty}::{}", item.sig.ident),
            None => item.sig.ident.to_string(),
        };
        self.function(name, &item.sig, &item.block);
        visit::visit_impl_item_fn(self, item);
    }

    fn visit_trait_item_fn(&mut self, item: &'ast syn::TraitItemFn) {
        if let Some(block) = &item.default {
            self.function(item.sig.ident.to_string(), &item.sig, block);
        }
        visit::visit_trait_item_fn(self, item);
    }
}
