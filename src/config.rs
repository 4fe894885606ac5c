//! `casebook.toml`: where things are, the tag conventions and the lint settings.
//!
//! Loading goes from text to a raw serde struct (every key optional, unknown keys refused)
//! to a validated [`Config`] whose regexes are compiled and whose paths are resolved against
//! the directory of the file. No file means the defaults documented on each field.
//! Errors name the file, the line and column, and the key.
//!
//! A leaf: the lint settings are kept as written ([`LintSettings`]), and the lint checks
//! them against its own rules and defaults (`lint::Settings::resolve`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use regex::Regex;
use serde::Deserialize;
use toml::Spanned;

use crate::location::line_col;
use crate::redact::{self, Redactor};

/// The name of the configuration file, looked for in the current directory and its parents.
pub const FILE_NAME: &str = "casebook.toml";

/// The default case-ID pattern: `PAY-CC-014`, `AUTH-1`, `TEST-0042`.
pub const DEFAULT_CASE_ID: &str = "^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*-[0-9]+$";
/// The default requirement-tag pattern; its one capture group is the requirement ID.
pub const DEFAULT_REQUIREMENT: &str = "req:(.+)";
/// The default manual tag.
pub const DEFAULT_MANUAL: &str = "manual";
/// The largest response body a step reads by default (`run.max-body`): far more than an API
/// or a page sends, far less than what would hold up the other scenarios.
pub const DEFAULT_MAX_BODY: usize = 8 << 20;

/// A validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The directory that relative paths are resolved against: the config file's, or the
    /// current directory when there is no file.
    pub root: PathBuf,
    /// The file the configuration was read from, if any.
    pub file: Option<PathBuf>,
    /// Where the feature files are (`features` = `"features"`).
    pub features: PathBuf,
    /// The requirement catalog (`requirements` = `"requirements.toml"`).
    pub requirements: PathBuf,
    /// Whether `requirements` was set explicitly (then a missing catalog is an error).
    pub requirements_explicit: bool,
    /// Where reports are written (`report-dir` = `"target/casebook"`).
    pub report_dir: PathBuf,
    /// Where testers' results of manual cases are kept, one file per release
    /// (`manual-results` = `"manual-results"`).
    pub manual_results: PathBuf,
    /// How tags are read.
    pub tags: TagConventions,
    /// The lint settings.
    pub lint: LintSettings,
    /// The runner settings.
    pub run: RunSettings,
    /// The report settings.
    pub report: ReportSettings,
    /// The settings of change-based selection.
    pub impact: ImpactSettings,
    /// How HTTPS services are trusted and how casebook proves who it is to them.
    pub tls: TlsSettings,
}

/// The TLS settings (`[tls]`), paths resolved; the files are read when a run starts, so
/// that the commands that send nothing work without them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsSettings {
    /// A PEM bundle of certificate authorities trusted beside the platform's roots
    /// (`ca-cert`, unset).
    pub ca_cert: Option<PathBuf>,
    /// The PEM certificate and private key casebook shows a service that asks for one
    /// (`client-cert` and `client-key`, both or neither, unset).
    pub client: Option<ClientIdentity>,
    /// Whether any certificate, valid or not, is accepted (`accept-invalid-certs`, false).
    pub accept_invalid_certs: bool,
}

/// The files of a client certificate, for mutual TLS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientIdentity {
    /// The certificate chain, PEM (`client-cert`).
    pub cert: PathBuf,
    /// Its private key, PEM (`client-key`).
    pub key: PathBuf,
}

/// The settings of change-based selection (`[impact]`).
#[derive(Debug, Clone)]
pub struct ImpactSettings {
    /// A tag expression whose cases every selection includes (`always`, unset by default).
    pub always: Option<(String, cucumber::gherkin::tagexpr::TagOperation)>,
    /// Files, as globs relative to the root, whose changes change no case (`ignore`).
    pub ignore: globset::GlobSet,
    /// The globs of `ignore` as written.
    pub ignore_globs: Vec<String>,
}

/// The files whose changes select nothing unless `[impact] ignore` says otherwise: prose,
/// licences and editor and CI settings, none of which a case runs.
pub const DEFAULT_IMPACT_IGNORE: &[&str] = &[
    "**/*.md",
    "**/LICENSE*",
    "**/.gitignore",
    "docs/**",
    ".github/**",
    ".vscode/**",
    ".idea/**",
];

impl Default for ImpactSettings {
    fn default() -> Self {
        let globs: Vec<String> = DEFAULT_IMPACT_IGNORE
            .iter()
            .map(|g| (*g).to_owned())
            .collect();
        Self {
            always: None,
            ignore: glob_set(&globs).expect("the default globs are valid"),
            ignore_globs: globs,
        }
    }
}

fn glob_set(globs: &[String]) -> Result<globset::GlobSet, globset::Error> {
    let mut set = globset::GlobSetBuilder::new();
    for glob in globs {
        set.add(
            globset::GlobBuilder::new(glob)
                .literal_separator(true)
                .build()?,
        );
    }
    set.build()
}

/// The report settings (`[report]`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReportSettings {
    /// Which schema `junit.xml` follows (`junit` = `"jenkins"`).
    pub junit: JunitDialect,
}

/// The schema `junit.xml` follows. Neither schema has a place for everything the report
/// knows, so the project picks the consumer it feeds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum JunitDialect {
    /// Jenkins's JUnit schema (`jenkins-junit.xsd`): one `testsuite` per feature file;
    /// the case ID, the requirements and a flaky case's failed attempts go in `system-out`.
    #[default]
    Jenkins,
    /// Maven Surefire's schema (`surefire-test-report-3.0.2.xsd`): one `testsuite` and a
    /// `flakyFailure` per failed attempt of a flaky case, plus one extension the schema does
    /// not have: per-testcase `properties` `test_key` and `requirements`, which Xray's JUnit
    /// import reads.
    Surefire,
}

impl JunitDialect {
    /// Every dialect with its name in `casebook.toml`.
    pub const ALL: [(&'static str, JunitDialect); 2] = [
        ("jenkins", JunitDialect::Jenkins),
        ("surefire", JunitDialect::Surefire),
    ];

    /// Its name in `casebook.toml`.
    pub fn name(self) -> &'static str {
        match self {
            JunitDialect::Jenkins => "jenkins",
            JunitDialect::Surefire => "surefire",
        }
    }
}

/// The runner settings (`[run]`).
#[derive(Debug, Clone)]
pub struct RunSettings {
    /// Where the service under test is (`base-url`, unset: the harness starts its own).
    pub base_url: Option<String>,
    /// A WebDriver server to use instead of starting chromedriver (`webdriver-url`, unset).
    pub webdriver_url: Option<String>,
    /// The chromedriver to start when there is no WebDriver URL (`chromedriver`, found on PATH).
    pub chromedriver: String,
    /// How long one HTTP request or browser operation may take (`timeout`, `"10s"`).
    pub timeout: std::time::Duration,
    /// How many browser sessions may be open at once (`browsers`, 2).
    pub browsers: usize,
    /// The most bytes of a response body a step reads (`max-body`, 8 MiB); a larger body
    /// fails its step.
    pub max_body: usize,
    /// Extra header names whose values are redacted (`redact-headers`, none).
    pub redact_headers: Vec<String>,
    /// A regex of JSON and form field names whose values are redacted (`redact-fields`).
    pub redact_fields: String,
    /// The default headers and `redact-headers`, and `redact-fields`, compiled once: what
    /// every transcript, message and report masks.
    pub redactor: Redactor,
}

impl Default for RunSettings {
    fn default() -> Self {
        Self {
            base_url: None,
            webdriver_url: None,
            chromedriver: "chromedriver".to_owned(),
            timeout: std::time::Duration::from_secs(10),
            browsers: 2,
            max_body: DEFAULT_MAX_BODY,
            redact_headers: Vec::new(),
            redact_fields: redact::DEFAULT_FIELDS.to_owned(),
            redactor: Redactor::default(),
        }
    }
}

/// How tags are read: which one is the case ID, which ones name requirements, what is manual.
#[derive(Debug, Clone)]
pub struct TagConventions {
    /// Matches a whole case-ID tag (`[tags] case-id`).
    pub case_id: Regex,
    /// Matches a whole requirement tag; its one capture group is the requirement ID
    /// (`[tags] requirement`).
    pub requirement: Regex,
    /// Marks a case as manual (`[tags] manual` = `"manual"`).
    pub manual: String,
    /// When set, every case without this tag is manual (`[tags] automation`, unset).
    pub automation: Option<String>,
}

impl TagConventions {
    /// The requirement ID a tag names, if it is a requirement tag.
    pub fn requirement_id<'t>(&self, tag: &'t str) -> Option<&'t str> {
        let captures = self.requirement.captures(tag)?;
        captures
            .get(1)
            .map(|id| id.as_str())
            .filter(|id| !id.is_empty())
    }

    /// Whether a tag is a case ID. A requirement tag never is.
    pub fn is_case_id(&self, tag: &str) -> bool {
        self.case_id.is_match(tag) && self.requirement_id(tag).is_none()
    }
}

impl Default for TagConventions {
    fn default() -> Self {
        Self {
            case_id: anchored(DEFAULT_CASE_ID).expect("the default case-ID pattern compiles"),
            requirement: anchored(DEFAULT_REQUIREMENT)
                .expect("the default requirement pattern compiles"),
            manual: DEFAULT_MANUAL.to_owned(),
            automation: None,
        }
    }
}

/// The lint settings (`[lint]`) as written: which rules exist and what their defaults are
/// is the lint's to know, so the lint resolves these (`lint::Settings::resolve`).
#[derive(Debug, Clone, Default)]
pub struct LintSettings {
    /// The file they were read from, as errors show it; `None` for the defaults.
    pub file: Option<PathBuf>,
    /// The most steps a case may have before `too-many-steps` warns (`max-steps`).
    pub max_steps: Option<usize>,
    /// Words that couple a case to the UI (`ui-words`).
    pub ui_words: Option<Vec<String>>,
    /// The level of each rule named in `[lint.rules]`, in the file's order.
    pub rules: Vec<RuleLevel>,
}

/// A rule's level as `[lint.rules]` sets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleLevel {
    /// The rule's name as written.
    pub name: String,
    /// Its level.
    pub level: Level,
    /// The line and column of the name in the file.
    pub position: Option<(usize, usize)>,
}

/// A rule's level as written in `[lint.rules]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// `"error"`.
    Error,
    /// `"warning"`.
    Warning,
    /// `"off"`: the rule does not run.
    Off,
}

/// A configuration that cannot be used: where, and what is wrong; shown as
/// `file:line:col: message`, the form editors and CI annotations jump to.
#[derive(Debug, thiserror::Error)]
#[error("{}: {kind}", crate::location::at(file, *position))]
pub struct Error {
    /// The file.
    pub file: PathBuf,
    /// The line and column of the problem, when known.
    pub position: Option<(usize, usize)>,
    /// What is wrong.
    pub kind: ErrorKind,
}

/// What is wrong with a configuration.
#[derive(Debug, thiserror::Error)]
pub enum ErrorKind {
    /// The file cannot be read.
    #[error("cannot read the file: {0}")]
    Read(std::io::Error),
    /// The file is a symbolic link to nothing: an error rather than no configuration, which
    /// would run with the defaults in silence.
    #[error("cannot read the file: it is a symbolic link to `{}`, which does not exist", .0.display())]
    DanglingLink(PathBuf),
    /// It is not TOML, or not the shape `casebook.toml` has (TOML's own words).
    #[error("{0}")]
    Syntax(String),
    /// A setting casebook refuses (an unknown rule, a bad pattern, duration or dialect),
    /// with a hint where there is one.
    #[error("{0}")]
    Setting(String),
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    features: Option<String>,
    requirements: Option<String>,
    report_dir: Option<String>,
    manual_results: Option<String>,
    #[serde(default)]
    tags: RawTags,
    #[serde(default)]
    lint: RawLint,
    #[serde(default)]
    run: RawRun,
    #[serde(default)]
    report: RawReport,
    #[serde(default)]
    impact: RawImpact,
    #[serde(default)]
    tls: RawTls,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawTls {
    ca_cert: Option<Spanned<String>>,
    client_cert: Option<Spanned<String>>,
    client_key: Option<Spanned<String>>,
    // Read as any value, so that a wrong one is named with its key.
    accept_invalid_certs: Option<Spanned<toml::Value>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawImpact {
    always: Option<Spanned<String>>,
    ignore: Option<Spanned<Vec<String>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawReport {
    junit: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawRun {
    base_url: Option<String>,
    webdriver_url: Option<String>,
    chromedriver: Option<String>,
    timeout: Option<Spanned<String>>,
    browsers: Option<usize>,
    max_body: Option<Spanned<String>>,
    redact_headers: Option<Vec<String>>,
    redact_fields: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawTags {
    case_id: Option<Spanned<String>>,
    requirement: Option<Spanned<String>>,
    manual: Option<String>,
    automation: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawLint {
    max_steps: Option<usize>,
    ui_words: Option<Vec<String>>,
    #[serde(default)]
    rules: BTreeMap<Spanned<String>, Level>,
}

impl Config {
    /// The defaults, rooted at `root`.
    pub fn defaults(root: &Path) -> Self {
        Self {
            root: root.to_path_buf(),
            file: None,
            features: root.join("features"),
            requirements: root.join("requirements.toml"),
            requirements_explicit: false,
            report_dir: root.join("target/casebook"),
            manual_results: root.join("manual-results"),
            tags: TagConventions::default(),
            lint: LintSettings::default(),
            run: RunSettings::default(),
            report: ReportSettings::default(),
            impact: ImpactSettings::default(),
            tls: TlsSettings::default(),
        }
    }

    /// Finds `casebook.toml` in `start` or the nearest parent that has one and loads it;
    /// the defaults rooted at `start` when there is none.
    pub fn discover(start: &Path) -> Result<Self, Error> {
        match start
            .ancestors()
            .map(|dir| dir.join(FILE_NAME))
            // A link whose target is missing is found too, and then fails to load.
            .find(|file| std::fs::symlink_metadata(file).is_ok_and(|meta| !meta.is_dir()))
        {
            Some(file) => Self::load(&file),
            None => Ok(Self::defaults(start)),
        }
    }

    /// Loads a configuration file.
    pub fn load(file: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(file).map_err(|err| Error {
            file: file.to_path_buf(),
            position: None,
            kind: match std::fs::read_link(file) {
                Ok(target) if err.kind() == std::io::ErrorKind::NotFound => {
                    ErrorKind::DanglingLink(target)
                }
                _ => ErrorKind::Read(err),
            },
        })?;
        let root = file.parent().unwrap_or(Path::new(".")).to_path_buf();
        Self::from_str(&text, file, &root)
    }

    /// Reads a configuration from `text`; `file` names it in errors and `root` anchors
    /// its relative paths.
    pub fn from_str(text: &str, file: &Path, root: &Path) -> Result<Self, Error> {
        let at = |span: Option<Span>, kind| Error {
            file: crate::location::display_path(file).to_path_buf(),
            position: span.map(|span| line_col(text, span.start)),
            kind,
        };
        let error = |span, message| at(span, ErrorKind::Setting(message));
        let raw: RawConfig = toml::from_str(text)
            .map_err(|err| at(err.span(), ErrorKind::Syntax(toml_message(&err, text))))?;

        let mut config = Self::defaults(root);
        config.file = Some(file.to_path_buf());
        if let Some(features) = raw.features {
            config.features = root.join(features);
        }
        if let Some(requirements) = raw.requirements {
            config.requirements = root.join(requirements);
            config.requirements_explicit = true;
        }
        if let Some(report_dir) = raw.report_dir {
            config.report_dir = root.join(report_dir);
        }
        if let Some(manual_results) = raw.manual_results {
            config.manual_results = root.join(manual_results);
        }
        raw.tags.apply(&mut config.tags, &error)?;
        raw.run.apply(&mut config.run, root, &error)?;
        raw.report.apply(&mut config.report, &error)?;
        raw.impact.apply(&mut config.impact, &error)?;
        raw.tls.apply(&mut config.tls, root, &error)?;
        config.lint = raw.lint.into_written(text, file);
        Ok(config)
    }
}

/// A byte range of the file, for an error's line and column.
type Span = std::ops::Range<usize>;

/// Makes the error of a key at a span.
type ErrorAt<'a> = dyn Fn(Option<Span>, String) -> Error + 'a;

impl RawTags {
    /// `[tags]` over the defaults; the patterns compiled.
    fn apply(self, tags: &mut TagConventions, error: &ErrorAt<'_>) -> Result<(), Error> {
        let pattern = |value: Spanned<String>, key: &str| {
            anchored(value.get_ref()).map_err(|err| {
                error(
                    Some(value.span()),
                    format!("invalid regex in `{key}`: {err}"),
                )
            })
        };
        if let Some(case_id) = self.case_id {
            tags.case_id = pattern(case_id, "tags.case-id")?;
        }
        if let Some(requirement) = self.requirement {
            let span = requirement.span();
            let regex = pattern(requirement, "tags.requirement")?;
            // Group 0 is the whole match, so one capture group means a length of 2.
            if regex.captures_len() != 2 {
                return Err(error(
                    Some(span),
                    "`tags.requirement` must have exactly one capture group, the requirement ID\n\
                     (hint: the default is `req:(.+)`)"
                        .to_owned(),
                ));
            }
            tags.requirement = regex;
        }
        if let Some(manual) = self.manual {
            tags.manual = manual;
        }
        tags.automation = self.automation.filter(|tag| !tag.is_empty());
        Ok(())
    }
}

impl RawRun {
    /// `[run]` over the defaults; a path relative to `root`, the redaction compiled.
    fn apply(self, run: &mut RunSettings, root: &Path, error: &ErrorAt<'_>) -> Result<(), Error> {
        run.base_url = self.base_url.filter(|url| !url.is_empty());
        run.webdriver_url = self.webdriver_url.filter(|url| !url.is_empty());
        if let Some(chromedriver) = self.chromedriver {
            // A path in the file is relative to the file, like every other path.
            run.chromedriver = if chromedriver.contains('/') {
                root.join(chromedriver).display().to_string()
            } else {
                chromedriver
            };
        }
        if let Some(timeout) = self.timeout {
            run.timeout = humantime::parse_duration(timeout.get_ref()).map_err(|err| {
                error(Some(timeout.span()), format!("invalid duration in `run.timeout`: {err}\n(hint: write it like \"10s\" or \"1m 30s\")"))
            })?;
        }
        if let Some(browsers) = self.browsers {
            run.browsers = browsers.max(1);
        }
        if let Some(max_body) = self.max_body {
            let bytes = max_body
                .get_ref()
                .parse::<bytesize::ByteSize>()
                .ok()
                .filter(|size| size.as_u64() > 0)
                .ok_or_else(|| {
                    error(
                        Some(max_body.span()),
                        format!("invalid size `{}` in `run.max-body`\n(hint: write it like \"8 MiB\" or \"500 KB\")", max_body.get_ref()),
                    )
                })?;
            run.max_body = usize::try_from(bytes.as_u64()).unwrap_or(usize::MAX);
        }
        if let Some(headers) = self.redact_headers {
            run.redact_headers = headers;
        }
        let fields_span = self.redact_fields.as_ref().map(Spanned::span);
        let invalid = |err| {
            error(
                fields_span.clone(),
                format!("invalid regex in `run.redact-fields`: {err}"),
            )
        };
        if let Some(fields) = self.redact_fields {
            // Compiled as written first, so that an error quotes the user's pattern.
            Regex::new(fields.get_ref()).map_err(invalid)?;
            run.redact_fields = fields.into_inner();
        }
        run.redactor =
            Redactor::with_defaults(&run.redact_headers, &run.redact_fields).map_err(invalid)?;
        Ok(())
    }
}

impl RawImpact {
    /// `[impact]` over the defaults: the tag expression parsed, the globs compiled.
    fn apply(self, impact: &mut ImpactSettings, error: &ErrorAt<'_>) -> Result<(), Error> {
        if let Some(always) = self
            .always
            .filter(|always| !always.get_ref().trim().is_empty())
        {
            let parsed = always.get_ref().parse().map_err(|err| {
                error(
                    Some(always.span()),
                    format!("`impact.always` is not a tag expression: {err}\n(hint: write it like \"@smoke or @critical\")"),
                )
            })?;
            impact.always = Some((always.into_inner(), parsed));
        }
        if let Some(ignore) = self.ignore {
            let span = ignore.span();
            let globs = ignore.into_inner();
            impact.ignore = glob_set(&globs).map_err(|err| {
                error(
                    Some(span),
                    format!("invalid glob in `impact.ignore`: {err}"),
                )
            })?;
            impact.ignore_globs = globs;
        }
        Ok(())
    }
}

impl RawTls {
    /// `[tls]` over the defaults: the paths resolved against `root`, the client's two
    /// files given together or not at all.
    fn apply(self, tls: &mut TlsSettings, root: &Path, error: &ErrorAt<'_>) -> Result<(), Error> {
        let path = |value: Option<Spanned<String>>, key: &str| match value {
            Some(value) if value.get_ref().trim().is_empty() => Err(error(
                Some(value.span()),
                format!(
                    "`tls.{key}` is empty\n(hint: a path to a PEM file, relative to casebook.toml; or leave the key out)"
                ),
            )),
            Some(value) => Ok(Some((root.join(value.get_ref()), value.span()))),
            None => Ok(None),
        };
        tls.ca_cert = path(self.ca_cert, "ca-cert")?.map(|(path, _)| path);
        let cert = path(self.client_cert, "client-cert")?;
        let key = path(self.client_key, "client-key")?;
        tls.client = match (cert, key) {
            (Some((cert, _)), Some((key, _))) => Some(ClientIdentity { cert, key }),
            (None, None) => None,
            (Some((_, span)), None) | (None, Some((_, span))) => {
                return Err(error(
                    Some(span),
                    "`tls.client-cert` and `tls.client-key` go together\n(hint: mutual TLS needs both: the client certificate and its private key, as PEM files)".to_owned(),
                ));
            }
        };
        if let Some(accept) = self.accept_invalid_certs {
            tls.accept_invalid_certs = accept.get_ref().as_bool().ok_or_else(|| {
                error(
                    Some(accept.span()),
                    format!(
                        "`tls.accept-invalid-certs` must be true or false, not `{}`",
                        accept.get_ref()
                    ),
                )
            })?;
        }
        Ok(())
    }
}

impl RawReport {
    /// `[report]` over the defaults.
    fn apply(self, report: &mut ReportSettings, error: &ErrorAt<'_>) -> Result<(), Error> {
        if let Some(junit) = self.junit {
            report.junit = JunitDialect::ALL
                .iter()
                .find(|(name, _)| name == junit.get_ref())
                .map(|(_, dialect)| *dialect)
                .ok_or_else(|| {
                    error(
                        Some(junit.span()),
                        format!(
                            "unknown JUnit dialect `{}` in `report.junit`\n(hint: \"jenkins\" (the default) or \"surefire\", whose properties Xray reads)",
                            junit.get_ref()
                        ),
                    )
                })?;
        }
        Ok(())
    }
}

impl RawLint {
    /// `[lint]` as written, each rule name with its place in `text` (the lint checks them).
    fn into_written(self, text: &str, file: &Path) -> LintSettings {
        let mut rules: Vec<(Spanned<String>, Level)> = self.rules.into_iter().collect();
        rules.sort_by_key(|(name, _)| name.span().start);
        LintSettings {
            file: Some(crate::location::display_path(file).to_path_buf()),
            max_steps: self.max_steps,
            ui_words: self.ui_words,
            rules: rules
                .into_iter()
                .map(|(name, level)| RuleLevel {
                    position: Some(line_col(text, name.span().start)),
                    name: name.into_inner(),
                    level,
                })
                .collect(),
        }
    }
}

/// Compiles `pattern` so that it must match a whole tag.
/// The toml crate's words for `err`, with the key of a duplicate named: its message says
/// only "duplicate key", and the key is the text under its span.
pub fn toml_message(err: &toml::de::Error, text: &str) -> String {
    let message = err.message().trim_end();
    let key = err.span().and_then(|span| text.get(span)).map(str::trim);
    match key {
        Some(key) if message == "duplicate key" && !key.is_empty() => {
            format!("duplicate key `{key}`")
        }
        _ => message.to_owned(),
    }
}

fn anchored(pattern: &str) -> Result<Regex, regex::Error> {
    // Compile it as written first, so that an error quotes the user's pattern, not ours.
    Regex::new(pattern)?;
    Regex::new(&format!("^(?:{pattern})$"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, Error> {
        Config::from_str(text, Path::new("casebook.toml"), Path::new("/project"))
    }

    #[test]
    fn no_keys_means_the_defaults() {
        let config = parse("").unwrap();
        assert_eq!(config.features, Path::new("/project/features"));
        assert_eq!(config.requirements, Path::new("/project/requirements.toml"));
        assert_eq!(config.report_dir, Path::new("/project/target/casebook"));
        assert!(config.tags.is_case_id("PAY-CC-014"));
        assert!(!config.tags.is_case_id("pay-cc-014"));
        assert_eq!(config.tags.requirement_id("req:PAY-7"), Some("PAY-7"));
        assert_eq!(config.tags.manual, "manual");
        assert_eq!(config.tags.automation, None);
        assert_eq!(config.lint.max_steps, None);
        assert!(config.lint.rules.is_empty());
    }

    #[test]
    fn the_shipped_casebook_toml_documents_the_defaults() {
        let shipped = parse(include_str!("../casebook.toml")).unwrap();
        let defaults = Config::defaults(Path::new("/project"));
        assert_eq!(shipped.features, defaults.features);
        assert_eq!(shipped.requirements, defaults.requirements);
        assert_eq!(shipped.report_dir, defaults.report_dir);
        assert_eq!(shipped.manual_results, defaults.manual_results);
        assert_eq!(
            shipped.tags.case_id.as_str(),
            defaults.tags.case_id.as_str()
        );
        assert_eq!(
            shipped.tags.requirement.as_str(),
            defaults.tags.requirement.as_str()
        );
        assert_eq!(shipped.tags.manual, defaults.tags.manual);
        assert_eq!(shipped.tags.automation, defaults.tags.automation);
        // The lint's defaults are the lint's: `lint::settings` checks the shipped ones.
        assert!(shipped.lint.rules.is_empty());
        assert_eq!(shipped.run.base_url, defaults.run.base_url);
        assert_eq!(shipped.run.webdriver_url, defaults.run.webdriver_url);
        assert_eq!(shipped.run.chromedriver, defaults.run.chromedriver);
        assert_eq!(shipped.run.timeout, defaults.run.timeout);
        assert_eq!(shipped.run.browsers, defaults.run.browsers);
        assert_eq!(shipped.run.redact_headers, defaults.run.redact_headers);
        assert_eq!(shipped.run.redact_fields, defaults.run.redact_fields);
        assert_eq!(shipped.report, defaults.report);
        assert_eq!(shipped.tls, defaults.tls);
    }

    #[test]
    fn tls_settings_are_read_relative_to_the_file() {
        assert_eq!(parse("").unwrap().tls, TlsSettings::default());
        let config = parse(
            "[tls]\nca-cert = 'certs/ca.pem'\nclient-cert = 'me.pem'\nclient-key = 'me.key'\naccept-invalid-certs = true\n",
        )
        .unwrap();
        assert_eq!(
            config.tls,
            TlsSettings {
                ca_cert: Some(PathBuf::from("/project/certs/ca.pem")),
                client: Some(ClientIdentity {
                    cert: PathBuf::from("/project/me.pem"),
                    key: PathBuf::from("/project/me.key"),
                }),
                accept_invalid_certs: true,
            }
        );
    }

    #[test]
    fn a_bad_tls_setting_is_named_with_its_key_and_place() {
        for (text, position, words) in [
            (
                "[tls]\nclient-cert = 'me.pem'\n",
                (2, 15),
                "`tls.client-cert` and `tls.client-key` go together",
            ),
            (
                "[tls]\n\nclient-key = 'me.key'\n",
                (3, 14),
                "`tls.client-cert` and `tls.client-key` go together",
            ),
            (
                "[tls]\naccept-invalid-certs = 'yes'\n",
                (2, 24),
                "`tls.accept-invalid-certs` must be true or false, not `\"yes\"`",
            ),
            ("[tls]\nca-cert = ''\n", (2, 11), "`tls.ca-cert` is empty"),
            (
                "[tls]\nca_cert = 'ca.pem'\n",
                (2, 1),
                "unknown field `ca_cert`",
            ),
        ] {
            let err = parse(text).unwrap_err();
            assert_eq!(err.position, Some(position), "{text}: {err}");
            assert!(err.kind.to_string().contains(words), "{text}: {err}");
            assert!(err.to_string().starts_with("casebook.toml:"), "{err}");
        }
    }

    #[test]
    fn every_key_is_read() {
        let config = parse(
            r#"
            features = "specs"
            requirements = "reqs.toml"
            report-dir = "out"
            manual-results = "results"
            [tags]
            case-id = "TEST_[A-Z]+-[0-9]+"
            requirement = "REQ_(.+)"
            manual = "by-hand"
            automation = "automated"
            [lint]
            max-steps = 20
            ui-words = ["click"]
            [lint.rules]
            too-many-steps = "error"
            empty-feature = "off"
            "#,
        )
        .unwrap();
        assert_eq!(config.features, Path::new("/project/specs"));
        assert!(config.requirements_explicit);
        assert_eq!(config.report_dir, Path::new("/project/out"));
        assert_eq!(config.manual_results, Path::new("/project/results"));
        assert!(config.tags.is_case_id("TEST_ABC-1"));
        assert_eq!(config.tags.requirement_id("REQ_ABC-2"), Some("ABC-2"));
        assert_eq!(config.tags.manual, "by-hand");
        assert_eq!(config.tags.automation.as_deref(), Some("automated"));
        assert_eq!(config.lint.max_steps, Some(20));
        assert_eq!(
            config.lint.ui_words.as_deref(),
            Some(&["click".to_owned()][..])
        );
        assert_eq!(
            config.lint.rules,
            [
                RuleLevel {
                    name: "too-many-steps".to_owned(),
                    level: Level::Error,
                    position: Some((15, 13)),
                },
                RuleLevel {
                    name: "empty-feature".to_owned(),
                    level: Level::Off,
                    position: Some((16, 13)),
                },
            ]
        );
    }

    #[test]
    fn run_settings_are_read() {
        let config = parse("[run]\nbase-url = 'http://127.0.0.1:3000'\ntimeout = '1m 30s'\nbrowsers = 4\nredact-fields = 'pin'\n").unwrap();
        assert_eq!(
            config.run.base_url.as_deref(),
            Some("http://127.0.0.1:3000")
        );
        assert_eq!(config.run.timeout, std::time::Duration::from_secs(90));
        assert_eq!(config.run.browsers, 4);
        assert_eq!(config.run.redact_fields, "pin");
        let err = parse("[run]\ntimeout = 'soon'\n").unwrap_err();
        assert!(
            err.kind
                .to_string()
                .contains("invalid duration in `run.timeout`"),
            "{err}"
        );
        assert_eq!(err.position, Some((2, 11)));
    }

    #[test]
    fn the_largest_body_is_read_as_a_size() {
        assert_eq!(parse("").unwrap().run.max_body, 8 << 20);
        assert_eq!(
            parse("[run]\nmax-body = '500 KB'\n").unwrap().run.max_body,
            500_000
        );
        assert_eq!(
            parse("[run]\nmax-body = '2 MiB'\n").unwrap().run.max_body,
            2 << 20
        );
        for bad in ["'lots'", "'0 B'"] {
            let err = parse(&format!("[run]\nmax-body = {bad}\n")).unwrap_err();
            assert!(err.kind.to_string().contains("invalid size"), "{err}");
            assert_eq!(err.position, Some((2, 12)));
        }
    }

    #[test]
    fn the_junit_dialect_is_read_and_a_bad_one_is_named() {
        assert_eq!(parse("").unwrap().report.junit, JunitDialect::Jenkins);
        let config = parse("[report]\njunit = 'surefire'\n").unwrap();
        assert_eq!(config.report.junit, JunitDialect::Surefire);
        let err = parse("[report]\njunit = 'xray'\n").unwrap_err();
        assert_eq!(err.position, Some((2, 9)));
        assert!(
            err.kind
                .to_string()
                .contains("unknown JUnit dialect `xray` in `report.junit`"),
            "{err}"
        );
        assert!(err.to_string().starts_with("casebook.toml:2:9: "), "{err}");
    }

    #[test]
    fn a_requirement_tag_is_never_a_case_id() {
        let config = parse("[tags]\nrequirement = '(PAY-[0-9]+)'").unwrap();
        assert!(!config.tags.is_case_id("PAY-7"));
        assert!(config.tags.is_case_id("PAY-CC-7"));
    }

    #[test]
    fn an_unknown_key_is_named_with_its_line() {
        let err = parse("features = 'f'\n[tags]\ncase_id = 'X-1'\n").unwrap_err();
        assert_eq!(err.position, Some((3, 1)));
        assert!(
            err.kind.to_string().contains("unknown field `case_id`"),
            "{err}"
        );
    }

    #[test]
    fn a_duplicate_key_is_named_with_its_line() {
        let err = parse("features = 'f'\n[tags]\nmanual = 'a'\nmanual = 'b'\n").unwrap_err();
        assert_eq!(err.position, Some((4, 1)));
        assert_eq!(err.kind.to_string(), "duplicate key `manual`");
    }

    #[test]
    fn a_casebook_toml_that_is_a_broken_link_is_an_error_that_names_it() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(FILE_NAME);
        std::os::unix::fs::symlink("shared/casebook.toml", &file).unwrap();
        let err = Config::discover(dir.path()).unwrap_err();
        assert_eq!(err.file, file);
        assert_eq!(
            err.kind.to_string(),
            "cannot read the file: it is a symbolic link to `shared/casebook.toml`, which does \
             not exist"
        );
    }

    #[test]
    fn a_bad_regex_names_the_key() {
        let err = parse("[tags]\ncase-id = '(unclosed'\n").unwrap_err();
        assert_eq!(err.position, Some((2, 11)));
        assert!(
            err.kind
                .to_string()
                .contains("invalid regex in `tags.case-id`"),
            "{err}"
        );
        assert!(err.to_string().starts_with("casebook.toml:2:11: "), "{err}");
    }

    #[test]
    fn a_requirement_pattern_needs_one_group() {
        let err = parse("[tags]\nrequirement = 'req:.+'\n").unwrap_err();
        assert!(
            err.kind.to_string().contains("exactly one capture group"),
            "{err}"
        );
    }
}
