//! The results file: `manual-results/<release>.toml`, one per release, meant to be committed.
//!
//! TOML, one `[[result]]` table per answer in the order the answers were given (so that a
//! new answer is a few lines added at the end of the file, and a diff reads as what the
//! testers did), each with the case ID, the Examples row for an outline, the status, the
//! actual result, the defect link, the tester, the time (RFC 3339, UTC) and the hash of the
//! case's text when it was run. The last answer for a case (and row) counts; earlier ones
//! stay as its history.
//!
//! Every write takes an exclusive lock on the directory, reads the file again, adds the new
//! answers and replaces the file durably ([`write_durable`](crate::output::write_durable)):
//! two testers recording at once both keep their answers, and a killed process leaves
//! either the old file or the new one, never half of one. A file that does not parse is
//! never written over: the error names its line and column.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::location::line_col;

/// The version of the results file's format.
pub const FORMAT_VERSION: u32 = 1;

/// What a tester found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ManualStatus {
    /// The actual result is the expected one.
    Passed,
    /// It is not.
    Failed,
    /// The case could not be run (an environment down, a pre-condition that cannot be met).
    Blocked,
}

impl ManualStatus {
    /// Every status.
    pub const ALL: [ManualStatus; 3] = [
        ManualStatus::Passed,
        ManualStatus::Failed,
        ManualStatus::Blocked,
    ];

    /// The word in the file and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            ManualStatus::Passed => "passed",
            ManualStatus::Failed => "failed",
            ManualStatus::Blocked => "blocked",
        }
    }

    /// Reads a status as people type it: the word or its first letter, any case.
    pub fn parse(text: &str) -> Option<ManualStatus> {
        let text = text.trim().to_lowercase();
        // `[..1]` slices the status's own ASCII word, never the tester's text.
        ManualStatus::ALL
            .into_iter()
            .find(|s| text == s.as_str() || text == s.as_str()[..1])
    }
}

impl std::fmt::Display for ManualStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One answer of a tester.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ManualResult {
    /// The case ID.
    pub case: String,
    /// The Examples row (1-based over the outline, as in `run.json`), for an outline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    /// What the tester found.
    pub status: ManualStatus,
    /// What actually happened, in the tester's words.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub actual: String,
    /// A link to the defect raised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defect: Option<String>,
    /// Who ran it.
    #[serde(default)]
    pub tester: String,
    /// When, RFC 3339 in UTC (`2024-05-01T09:30:00Z`).
    pub at: String,
    /// The hash of the case's text when it was run (see [`case_hash`](super::case_hash)).
    pub case_hash: String,
}

impl ManualResult {
    /// Whether this answer is for `case` (and `row`).
    pub fn is_for(&self, case: &str, row: Option<usize>) -> bool {
        self.case == case && self.row == row
    }

    /// When it was given; the epoch for a time that does not parse (checked on load).
    pub fn time(&self) -> SystemTime {
        parse_time(&self.at).unwrap_or(SystemTime::UNIX_EPOCH)
    }
}

/// The results of one release, as read from its file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResultsFile {
    /// The file.
    pub path: PathBuf,
    /// The release it holds results of.
    pub release: String,
    /// Every answer, oldest first.
    pub results: Vec<ManualResult>,
}

impl ResultsFile {
    /// The last answer for `case` (and `row`).
    pub fn latest(&self, case: &str, row: Option<usize>) -> Option<&ManualResult> {
        self.results.iter().rev().find(|r| r.is_for(case, row))
    }
}

/// A results file that cannot be used: read, written, or locked; shown as
/// `file:line:col: message` where the position is known, the form editors jump to.
#[derive(Debug, thiserror::Error)]
#[error("{}: {kind}", crate::location::at(file, *position))]
pub struct Error {
    /// The file (or, for a directory that cannot be made or locked, the directory).
    pub file: PathBuf,
    /// The line and column of the problem, when known.
    pub position: Option<(usize, usize)>,
    /// What is wrong.
    pub kind: ErrorKind,
}

/// What is wrong with a results file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The file or its directory cannot be read, written or locked. The cause is shown in
    /// the message, so it is not a `source` as well: a cause chain would show it twice.
    #[error("{0}")]
    Io(std::io::Error),
    /// Not TOML, or a key or value the format does not have: the toml crate's message.
    #[error("{0}")]
    Toml(String),
    /// A `format-version` this casebook does not read.
    #[error("format-version {0} is not one this casebook reads ({FORMAT_VERSION})")]
    FormatVersion(u32),
    /// A result without a case ID.
    #[error("`case` is empty")]
    EmptyCase,
    /// `row = 0`.
    #[error("`row` counts from 1 (the first Examples row)")]
    RowZero,
    /// `at` is not a time.
    #[error("`at` = {0:?} is not an RFC 3339 time such as 2024-05-01T09:30:00Z")]
    Time(String),
    /// `case-hash` is not a hash.
    #[error("`case-hash` is not `sha256:` and 64 hex digits")]
    Hash,
    /// The file of `release` records another release, whose label maps to the same name.
    #[error(
        "holds the results of release `{found}`, not `{release}`: two labels share one file name\n\
         (hint: use release labels that differ in letters, digits, `.`, `-` or `_`)"
    )]
    OtherRelease {
        /// The release the file records.
        found: String,
        /// The release asked for.
        release: String,
    },
}

impl Error {
    /// A file that cannot be read or written, or a directory that cannot be made or locked.
    fn io(file: &Path, err: std::io::Error) -> Self {
        Error {
            file: file.to_path_buf(),
            position: None,
            kind: ErrorKind::Io(err),
        }
    }
}

/// The file that holds the results of `release` in `dir`: the label with every character
/// that does not belong in a file name (`/` in `release/2024-05`) made `_`. Two labels that
/// end up with one name are told apart by the `release` the file records.
pub fn path(dir: &Path, release: &str) -> PathBuf {
    let name: String = release
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '+') {
                c
            } else {
                '_'
            }
        })
        .collect();
    // `.` and `..` are directories, and a leading dot hides the file.
    let name = match name.trim_start_matches('.') {
        "" => "_".to_owned(),
        _ if name.starts_with('.') => format!("_{name}"),
        _ => name,
    };
    dir.join(format!("{name}.toml"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawFile {
    format_version: Spanned<u32>,
    release: String,
    #[serde(default)]
    result: Vec<RawResult>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawResult {
    case: Spanned<String>,
    #[serde(default)]
    row: Option<Spanned<usize>>,
    status: ManualStatus,
    #[serde(default)]
    actual: String,
    #[serde(default)]
    defect: Option<String>,
    #[serde(default)]
    tester: String,
    at: Spanned<String>,
    case_hash: Spanned<String>,
}

/// Reads a results file's text; `file` names it in errors.
pub fn parse(text: &str, file: &Path) -> Result<ResultsFile, Error> {
    let error = |span: Option<std::ops::Range<usize>>, kind: ErrorKind| Error {
        file: file.to_path_buf(),
        position: span.map(|span| line_col(text, span.start)),
        kind,
    };
    let raw: RawFile = toml::from_str(text).map_err(|err| {
        let message = crate::config::toml_message(&err, text);
        error(err.span(), ErrorKind::Toml(message))
    })?;
    if *raw.format_version.get_ref() != FORMAT_VERSION {
        return Err(error(
            Some(raw.format_version.span()),
            ErrorKind::FormatVersion(*raw.format_version.get_ref()),
        ));
    }
    let mut results = Vec::with_capacity(raw.result.len());
    for r in raw.result {
        if r.case.get_ref().trim().is_empty() {
            return Err(error(Some(r.case.span()), ErrorKind::EmptyCase));
        }
        if let Some(row) = &r.row
            && *row.get_ref() == 0
        {
            return Err(error(Some(row.span()), ErrorKind::RowZero));
        }
        if parse_time(r.at.get_ref()).is_none() {
            return Err(error(
                Some(r.at.span()),
                ErrorKind::Time(r.at.get_ref().clone()),
            ));
        }
        if !crate::contract::is_hash(r.case_hash.get_ref()) {
            return Err(error(Some(r.case_hash.span()), ErrorKind::Hash));
        }
        results.push(ManualResult {
            case: r.case.into_inner(),
            row: r.row.map(Spanned::into_inner),
            status: r.status,
            actual: r.actual,
            defect: r.defect.filter(|d| !d.is_empty()),
            tester: r.tester,
            at: r.at.into_inner(),
            case_hash: r.case_hash.into_inner(),
        });
    }
    Ok(ResultsFile {
        path: file.to_path_buf(),
        release: raw.release,
        results,
    })
}

/// Reads the results file at `file`; an empty one of `release` when there is none yet.
pub fn load(file: &Path, release: &str) -> Result<ResultsFile, Error> {
    match std::fs::read_to_string(file) {
        Ok(text) => parse(&text, file),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(ResultsFile {
            path: file.to_path_buf(),
            release: release.to_owned(),
            results: Vec::new(),
        }),
        Err(err) => Err(Error::io(file, err)),
    }
}

/// The file's text: a comment that says what it is, then one `[[result]]` per answer.
pub fn to_toml(file: &ResultsFile) -> String {
    let mut out = format!(
        "# Manual test results of release {}, written by `casebook manual`.\n\
         # One [[result]] per answer, oldest first: the last one for a case (and Examples row)\n\
         # counts. `case-hash` is the hash of the case's steps when it was run: when the steps\n\
         # change, the result is stale.\n\
         format-version = {FORMAT_VERSION}\n\
         release = {}\n",
        // The comment is one line whatever the label holds: a newline in it would end the
        // comment and leave the rest of the label to be read as TOML.
        file.release.escape_debug(),
        quote(&file.release)
    );
    for r in &file.results {
        out.push_str("\n[[result]]\n");
        out.push_str(&format!("case = {}\n", quote(&r.case)));
        if let Some(row) = r.row {
            out.push_str(&format!("row = {row}\n"));
        }
        out.push_str(&format!("status = {}\n", quote(r.status.as_str())));
        if !r.actual.is_empty() {
            out.push_str(&format!("actual = {}\n", quote(&r.actual)));
        }
        if let Some(defect) = &r.defect {
            out.push_str(&format!("defect = {}\n", quote(defect)));
        }
        out.push_str(&format!("tester = {}\n", quote(&r.tester)));
        out.push_str(&format!("at = {}\n", quote(&r.at)));
        out.push_str(&format!("case-hash = {}\n", quote(&r.case_hash)));
    }
    out
}

/// A TOML string, escaped by the toml crate (multi-line text may come out as a `"""` string).
fn quote(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

/// Adds `results` to the file of `release` in `dir` and writes it durably, under an
/// exclusive lock on the directory; `replace` names an earlier answer of the same session to
/// take out first (a tester's answer completed with the actual result). Returns the file.
pub fn append(
    dir: &Path,
    release: &str,
    results: &[ManualResult],
    replace: Option<&ManualResult>,
) -> Result<PathBuf, Error> {
    std::fs::create_dir_all(dir).map_err(|err| Error::io(dir, err))?;
    let _lock = Lock::exclusive(dir)?;
    let file = path(dir, release);
    let mut current = load(&file, release)?;
    if current.release != release {
        return Err(Error {
            file,
            position: None,
            kind: ErrorKind::OtherRelease {
                found: current.release,
                release: release.to_owned(),
            },
        });
    }
    if let Some(old) = replace
        && let Some(index) = current.results.iter().rposition(|r| r == old)
    {
        current.results.remove(index);
    }
    current.results.extend_from_slice(results);
    crate::output::write_durable(&file, to_toml(&current).as_bytes())
        .map_err(|err| Error::io(&file, err))?;
    Ok(file)
}

/// An exclusive `flock` on a directory, released when dropped (or when the process dies).
struct Lock {
    // Held for its descriptor: closing it releases the lock.
    _handle: std::fs::File,
}

impl Lock {
    fn exclusive(dir: &Path) -> Result<Self, Error> {
        use std::os::fd::AsRawFd as _;
        let handle = std::fs::File::open(dir).map_err(|err| Error::io(dir, err))?;
        // SAFETY: flock on a descriptor this function owns; no memory is shared.
        let locked = unsafe { libc::flock(handle.as_raw_fd(), libc::LOCK_EX) };
        if locked != 0 {
            return Err(Error::io(dir, std::io::Error::last_os_error()));
        }
        Ok(Lock { _handle: handle })
    }
}

/// Now, as the results file writes it.
pub fn now() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
}

/// Reads a time as testers and spreadsheets write it: RFC 3339 (`2024-05-01T09:30:00Z`,
/// `+02:00`), with a space for the `T`, without seconds, or a date alone (midnight, UTC).
pub fn parse_time(text: &str) -> Option<SystemTime> {
    let text = text.trim();
    // An offset at the end: humantime reads UTC only. The text is the tester's, in any
    // script: it is split only where a character starts (`split_at_checked`), and the
    // offset's digits are taken with `get`, so no byte index can fall inside a character.
    let (base, offset) = match text
        .len()
        .checked_sub(6)
        .and_then(|i| text.split_at_checked(i))
    {
        Some((base, offset))
            if base.len() >= 16
                && (offset.starts_with('+') || offset.starts_with('-'))
                && offset.as_bytes().get(3) == Some(&b':') =>
        {
            let hours: u64 = offset.get(1..3)?.parse().ok()?;
            let minutes: u64 = offset.get(4..6)?.parse().ok()?;
            let seconds = Duration::from_secs(hours * 3600 + minutes * 60);
            (base, Some((offset.starts_with('+'), seconds)))
        }
        _ => (text, None),
    };
    let base = base.strip_suffix('Z').unwrap_or(base);
    let full = match base.len() {
        10 => format!("{base}T00:00:00"),
        16 => format!("{base}:00"),
        _ => base.to_owned(),
    };
    let time = humantime::parse_rfc3339_weak(&full).ok()?;
    let time = match offset {
        Some((true, by)) => time.checked_sub(by),
        Some((false, by)) => time.checked_add(by),
        None => Some(time),
    }?;
    // An offset can move a time that reads out of the range RFC 3339 writes, and
    // `format_time` panics outside it: such a time is no time the file can hold.
    let last = SystemTime::UNIX_EPOCH + Duration::from_secs(LAST_RFC3339_SECOND);
    (SystemTime::UNIX_EPOCH..=last)
        .contains(&time)
        .then_some(time)
}

/// The last second RFC 3339 writes, 9999-12-31T23:59:59Z, counted from the epoch.
const LAST_RFC3339_SECOND: u64 = 253_402_300_799;

/// A time as the results file writes it: RFC 3339 in UTC, to the second.
pub fn format_time(time: SystemTime) -> String {
    humantime::format_rfc3339_seconds(time).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(case: &str, status: ManualStatus) -> ManualResult {
        ManualResult {
            case: case.to_owned(),
            row: None,
            status,
            actual: String::new(),
            defect: None,
            tester: "alice".to_owned(),
            at: "2024-05-01T09:30:00Z".to_owned(),
            case_hash: format!("sha256:{}", "a".repeat(64)),
        }
    }

    #[test]
    fn every_field_survives_the_file() {
        let mut failed = result("UX-1", ManualStatus::Failed);
        failed.row = Some(2);
        failed.actual =
            "The logo is \"blurred\"\non two lines, with a tab\tand ünïcode 🙂 and '''".into();
        failed.defect = Some("https://tracker.example/BUG-1?a=1&b=2".into());
        let file = ResultsFile {
            path: PathBuf::from("r/1.0.toml"),
            release: "1.0 \"quoted\"".into(),
            results: vec![
                result("UX-0", ManualStatus::Passed),
                failed,
                result("UX-2", ManualStatus::Blocked),
            ],
        };
        let text = to_toml(&file);
        assert_eq!(
            parse(&text, Path::new("r/1.0.toml")).unwrap(),
            file,
            "{text}"
        );
        assert!(
            text.contains("\n[[result]]\ncase = \"UX-0\"\nstatus = \"passed\"\n"),
            "{text}"
        );
    }

    #[test]
    fn a_broken_file_is_named_with_its_line_and_column() {
        let text = "format-version = 1\nrelease = \"1.0\"\n\n[[result]]\ncase = \"UX-1\"\nstatus = \"fine\"\ntester = \"a\"\nat = \"2024-05-01T09:30:00Z\"\ncase-hash = \"x\"\n";
        let err = parse(text, Path::new("manual-results/1.0.toml")).unwrap_err();
        assert_eq!(err.position.map(|p| p.0), Some(6), "{err}");
        assert!(
            err.to_string().starts_with("manual-results/1.0.toml:6:"),
            "{err}"
        );
        assert!(
            matches!(&err.kind, ErrorKind::Toml(message) if message.contains("fine")),
            "{err}"
        );

        let text = text.replace("\"fine\"", "\"passed\"");
        let err = parse(&text, Path::new("f.toml")).unwrap_err();
        assert_eq!(err.position, Some((9, 13)), "{err}");
        assert!(matches!(err.kind, ErrorKind::Hash), "{err}");
        assert_eq!(
            err.to_string(),
            "f.toml:9:13: `case-hash` is not `sha256:` and 64 hex digits"
        );

        let text = text.replace("2024-05-01T09:30:00Z", "yesterday");
        let err = parse(&text, Path::new("f.toml")).unwrap_err();
        assert_eq!(err.position, Some((8, 6)), "{err}");
        assert_eq!(
            err.to_string(),
            "f.toml:8:6: `at` = \"yesterday\" is not an RFC 3339 time such as 2024-05-01T09:30:00Z"
        );
    }

    #[test]
    fn a_time_in_other_scripts_is_not_a_time_and_no_panic() {
        for text in [
            "01/05/2024 à 9h30",
            "2024年5月1日",
            "2024-05-01 à 09h30",
            "2024-05-01T09:30é:00",
            "2024-05-01T09:30+é:00",
            "2024-05-01T09:30:00+0é:0",
            "ééééééééééé",
        ] {
            assert_eq!(parse_time(text), None, "{text}");
        }
        assert!(parse_time("2024-05-01T09:30:00+02:00").is_some());
    }

    #[test]
    fn a_results_file_with_such_a_time_is_an_error_at_its_line() {
        let hash = format!("sha256:{}", "a".repeat(64));
        let text = format!(
            "format-version = 1\nrelease = \"1.0\"\n\n[[result]]\ncase = \"UX-1\"\nstatus = \"passed\"\nat = \"2024年5月1日\"\ncase-hash = \"{hash}\"\n"
        );
        let err = parse(&text, Path::new("f.toml")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "f.toml:7:6: `at` = \"2024年5月1日\" is not an RFC 3339 time such as 2024-05-01T09:30:00Z"
        );
    }

    #[test]
    fn a_duplicate_key_is_named_with_its_line() {
        let text = "format-version = 1\nrelease = \"1.0\"\n\n[[result]]\ncase = \"UX-1\"\nstatus = \"passed\"\nstatus = \"failed\"\n";
        let err = parse(text, Path::new("f.toml")).unwrap_err();
        assert_eq!(err.to_string(), "f.toml:7:1: duplicate key `status`");
    }

    #[test]
    fn a_release_label_with_a_newline_is_kept_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let release = "1.0\n[[result]]\r\tevil";
        let written = append(
            dir.path(),
            release,
            &[result("UX-1", ManualStatus::Passed)],
            None,
        )
        .unwrap();
        let read = load(&written, release).unwrap();
        assert_eq!(read.release, release);
        assert_eq!(read.results, [result("UX-1", ManualStatus::Passed)]);
    }

    #[test]
    fn each_check_of_a_result_names_its_place() {
        let hash = format!("sha256:{}", "a".repeat(64));
        let file =
            |body: &str| format!("format-version = 1\nrelease = \"1.0\"\n\n[[result]]\n{body}");
        let valid = format!(
            "case = \"UX-1\"\nstatus = \"passed\"\nat = \"2024-05-01T09:30:00Z\"\ncase-hash = \"{hash}\"\n"
        );
        assert!(parse(&file(&valid), Path::new("f.toml")).is_ok());
        for (text, shown) in [
            (
                valid.replace("\"UX-1\"", "\" \""),
                "f.toml:5:8: `case` is empty",
            ),
            (
                format!("row = 0\n{valid}"),
                "f.toml:5:7: `row` counts from 1 (the first Examples row)",
            ),
        ] {
            let err = parse(&file(&text), Path::new("f.toml")).unwrap_err();
            assert_eq!(err.to_string(), shown);
        }
        let err = parse(
            &file(&valid).replace("format-version = 1", "format-version = 7"),
            Path::new("f.toml"),
        )
        .unwrap_err();
        assert!(matches!(err.kind, ErrorKind::FormatVersion(7)), "{err:?}");
        assert_eq!(
            err.to_string(),
            "f.toml:1:18: format-version 7 is not one this casebook reads (1)"
        );
    }

    #[test]
    fn two_releases_sharing_a_file_name_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let answer = [result("UX-1", ManualStatus::Passed)];
        let file = append(dir.path(), "release/1", &answer, None).unwrap();
        let err = append(dir.path(), "release_1", &answer, None).unwrap_err();
        assert_eq!(err.file, file);
        assert_eq!(
            err.to_string(),
            format!(
                "{}: holds the results of release `release/1`, not `release_1`: two labels \
                 share one file name\n(hint: use release labels that differ in letters, digits, \
                 `.`, `-` or `_`)",
                file.display()
            )
        );
    }

    #[test]
    fn a_directory_that_cannot_be_made_is_an_io_error() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("manual-results");
        std::fs::write(&blocker, "").unwrap();
        let err = append(
            &blocker,
            "1.0",
            &[result("UX-1", ManualStatus::Passed)],
            None,
        )
        .unwrap_err();
        assert_eq!(
            (err.file.as_path(), err.position),
            (blocker.as_path(), None)
        );
        let ErrorKind::Io(cause) = &err.kind else {
            panic!("{err:?}")
        };
        assert_eq!(err.to_string(), format!("{}: {cause}", blocker.display()));
    }

    #[test]
    fn release_labels_become_safe_file_names() {
        let dir = Path::new("m");
        assert_eq!(path(dir, "v1.4.0"), Path::new("m/v1.4.0.toml"));
        assert_eq!(
            path(dir, "release/2024-05"),
            Path::new("m/release_2024-05.toml")
        );
        assert_eq!(path(dir, ".."), Path::new("m/_.toml"));
        assert_eq!(path(dir, ".hidden"), Path::new("m/_.hidden.toml"));
        assert_eq!(path(dir, "../../etc/x"), Path::new("m/_.._.._etc_x.toml"));
    }

    #[test]
    fn appends_keep_every_answer_and_replace_only_the_one_named() {
        let dir = tempfile::tempdir().unwrap();
        let first = result("UX-1", ManualStatus::Failed);
        let file = append(dir.path(), "1.0", std::slice::from_ref(&first), None).unwrap();
        let mut completed = first.clone();
        completed.actual = "blurred".into();
        append(
            dir.path(),
            "1.0",
            &[result("UX-2", ManualStatus::Passed)],
            None,
        )
        .unwrap();
        append(
            dir.path(),
            "1.0",
            std::slice::from_ref(&completed),
            Some(&first),
        )
        .unwrap();
        let read = load(&file, "1.0").unwrap();
        assert_eq!(
            read.results,
            [result("UX-2", ManualStatus::Passed), completed]
        );
        // Nothing but the results file is left in the directory.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_broken_file_is_never_written_over() {
        let dir = tempfile::tempdir().unwrap();
        let file = path(dir.path(), "1.0");
        std::fs::write(&file, "format-version = 1\nrelease = \"1.0\"\n[[result]\n").unwrap();
        let err = append(
            dir.path(),
            "1.0",
            &[result("UX-1", ManualStatus::Passed)],
            None,
        )
        .unwrap_err();
        assert_eq!(err.position.map(|p| p.0), Some(3), "{err}");
        assert!(
            std::fs::read_to_string(&file)
                .unwrap()
                .ends_with("[[result]\n")
        );
    }

    #[test]
    fn times_are_read_as_spreadsheets_write_them() {
        let utc = parse_time("2024-05-01T09:30:00Z").unwrap();
        assert_eq!(parse_time("2024-05-01 09:30:00"), Some(utc));
        assert_eq!(parse_time("2024-05-01 09:30"), Some(utc));
        assert_eq!(parse_time("2024-05-01T11:30:00+02:00"), Some(utc));
        assert_eq!(parse_time("2024-05-01T08:30:00-01:00"), Some(utc));
        assert_eq!(
            format_time(parse_time("2024-05-01").unwrap()),
            "2024-05-01T00:00:00Z"
        );
        assert_eq!(parse_time("01/05/2024"), None);
        assert_eq!(parse_time(""), None);
    }

    #[test]
    fn a_time_an_offset_moves_out_of_rfc_3339_is_not_a_time() {
        // Before 1970 and after the year 9999: `format_time` would panic on either.
        for text in ["1970-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"] {
            assert_eq!(parse_time(text), None, "{text}");
        }
        for (text, written) in [
            ("1970-01-01T01:00:00+01:00", "1970-01-01T00:00:00Z"),
            ("9999-12-31T22:59:59-01:00", "9999-12-31T23:59:59Z"),
        ] {
            assert_eq!(parse_time(text).map(format_time).as_deref(), Some(written));
        }
    }

    #[test]
    fn statuses_are_read_as_typed() {
        assert_eq!(ManualStatus::parse("P"), Some(ManualStatus::Passed));
        assert_eq!(ManualStatus::parse(" Failed "), Some(ManualStatus::Failed));
        assert_eq!(ManualStatus::parse("b"), Some(ManualStatus::Blocked));
        assert_eq!(ManualStatus::parse("ok"), None);
    }
}
