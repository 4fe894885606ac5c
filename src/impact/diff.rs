//! Unified diffs: what `git diff` prints and what `diff -u` and code review tools export.
//!
//! Read by hand rather than with a diff crate: impact needs git's own headers (renames with
//! no content change, new and deleted files, binary files, quoted paths), a position for
//! every problem in the input, and hunks counted by their headers, so that a removed line
//! that reads `--- x` is never taken for the next file's header.

use std::path::PathBuf;

/// One file a diff changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDiff {
    /// The file before the change, as the diff names it; `None` when the change adds it.
    pub old_path: Option<PathBuf>,
    /// The file after the change; `None` when the change deletes it.
    pub new_path: Option<PathBuf>,
    /// Whether the diff only says that a binary file differs.
    pub binary: bool,
    /// The changed lines, in file order.
    pub hunks: Vec<Hunk>,
    /// The line of the diff where this file's part starts.
    pub line: usize,
}

/// One `@@ -a,b +c,d @@` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hunk {
    /// The first line it covers in the new file (for an empty range, the line before it).
    pub new_start: usize,
    /// How many lines of the new file it covers.
    pub new_len: usize,
    /// Its lines, in order.
    pub lines: Vec<HunkLine>,
    /// The line of the diff its header is on.
    pub line: usize,
}

/// One line of a hunk, without its marker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HunkLine {
    /// In both versions.
    Context(String),
    /// Only in the old version.
    Removed(String),
    /// Only in the new version.
    Added(String),
}

/// A diff that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct DiffError {
    /// The line of the diff.
    pub line: usize,
    /// What is wrong there.
    pub message: String,
}

/// A hunk whose lines are not in the file it is for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line} of the file is not what the diff expects there (diff line {diff_line})")]
pub struct Mismatch {
    /// The line of the current file.
    pub line: usize,
    /// The line of the diff that expects something else.
    pub diff_line: usize,
}

/// Reads every file of a unified diff. Text before the first file (a commit message, mail
/// headers) is skipped; text that holds no file at all is an error, never an empty change.
pub fn parse(text: &str) -> Result<Vec<FileDiff>, DiffError> {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut files = Vec::new();
    let mut at = 0;
    while at < lines.len() {
        let line = lines[at];
        if line.starts_with("diff --git ") {
            at = git_file(&lines, at, &mut files)?;
        } else if line.starts_with("--- ")
            && lines.get(at + 1).is_some_and(|l| l.starts_with("+++ "))
        {
            let mut file = FileDiff::at(at + 1);
            file.old_path = path_of(&lines[at][4..], at + 1)?;
            file.new_path = path_of(&lines[at + 1][4..], at + 2)?;
            at = hunks(&lines, at + 2, &mut file)?;
            files.push(file);
        } else {
            at += 1;
        }
    }
    if files.is_empty() && !text.trim().is_empty() {
        return Err(DiffError {
            line: 1,
            message: "this is not a unified diff: no `diff --git` or `---`/`+++` file header"
                .into(),
        });
    }
    Ok(files)
}

impl FileDiff {
    fn at(line: usize) -> Self {
        Self {
            old_path: None,
            new_path: None,
            binary: false,
            hunks: Vec::new(),
            line,
        }
    }

    /// The text before the change, from `new` (the file as it is now; `None` when the
    /// change deletes it): the hunks undone, each of their lines checked against `new`.
    pub fn old_text(&self, new: Option<&str>) -> Result<String, Mismatch> {
        let new_lines: Vec<&str> = new.map_or_else(Vec::new, |text| text.split('\n').collect());
        let mut old: Vec<&str> = Vec::with_capacity(new_lines.len());
        let mut next = 0;
        for hunk in &self.hunks {
            // An empty range starts after the line its header names.
            let start = if hunk.new_len == 0 {
                hunk.new_start
            } else {
                hunk.new_start.saturating_sub(1)
            };
            let mismatch = |line: usize| Mismatch {
                line: line + 1,
                diff_line: hunk.line,
            };
            if start < next || start > new_lines.len() {
                return Err(mismatch(start.min(new_lines.len())));
            }
            old.extend_from_slice(&new_lines[next..start]);
            next = start;
            for line in &hunk.lines {
                match line {
                    HunkLine::Removed(text) => old.push(text),
                    HunkLine::Context(text) | HunkLine::Added(text) => {
                        if new_lines.get(next) != Some(&text.as_str()) {
                            return Err(mismatch(next));
                        }
                        if matches!(line, HunkLine::Context(_)) {
                            old.push(text);
                        }
                        next += 1;
                    }
                }
            }
        }
        old.extend_from_slice(&new_lines[next.min(new_lines.len())..]);
        Ok(old.join("\n"))
    }
}

/// Reads one file of a git diff, from its `diff --git` line; returns the line after it.
fn git_file(lines: &[&str], start: usize, files: &mut Vec<FileDiff>) -> Result<usize, DiffError> {
    let mut file = FileDiff::at(start + 1);
    if let Some((old, new)) = git_header_paths(&lines[start]["diff --git ".len()..]) {
        file.old_path = Some(old);
        file.new_path = Some(new);
    }
    let mut at = start + 1;
    while let Some(line) = lines.get(at) {
        let number = at + 1;
        if line.starts_with("diff --git ") || line.starts_with("@@ ") {
            break;
        } else if line.starts_with("new file mode") {
            file.old_path = None;
        } else if line.starts_with("deleted file mode") {
            file.new_path = None;
        } else if let Some(path) = line.strip_prefix("rename from ") {
            file.old_path = Some(unquote(path, number)?.into());
        } else if let Some(path) = line.strip_prefix("rename to ") {
            file.new_path = Some(unquote(path, number)?.into());
        } else if line.starts_with("Binary files ") || line.starts_with("GIT binary patch") {
            file.binary = true;
        } else if let Some(path) = line.strip_prefix("--- ") {
            file.old_path = path_of(path, number)?;
        } else if let Some(path) = line.strip_prefix("+++ ") {
            file.new_path = path_of(path, number)?;
        }
        at += 1;
    }
    if file.old_path.is_none() && file.new_path.is_none() {
        return Err(DiffError {
            line: start + 1,
            message: "cannot tell which file this part of the diff is for".into(),
        });
    }
    let at = hunks(lines, at, &mut file)?;
    files.push(file);
    Ok(at)
}

/// The two paths of `a/P b/Q`, when they can be told apart: quoted, or the same path twice
/// (a rename names its paths again on lines of their own).
fn git_header_paths(rest: &str) -> Option<(PathBuf, PathBuf)> {
    if rest.starts_with('"') {
        let end = closing_quote(rest)?;
        let old = unquote(&rest[..=end], 0).ok()?;
        let new = unquote(rest[end + 1..].trim_start(), 0).ok()?;
        return Some((strip_prefix(&old).into(), strip_prefix(&new).into()));
    }
    let half = rest.len().checked_sub(1)? / 2;
    let (old, new) = (rest.get(..half)?, rest.get(half + 1..)?);
    (strip_prefix(old) == strip_prefix(new) && rest.as_bytes().get(half) == Some(&b' '))
        .then(|| (strip_prefix(old).into(), strip_prefix(new).into()))
}

/// Reads the hunks that follow a file header, from line `at`; returns the line after them.
fn hunks(lines: &[&str], mut at: usize, file: &mut FileDiff) -> Result<usize, DiffError> {
    while let Some(header) = lines.get(at).and_then(|line| line.strip_prefix("@@ ")) {
        let number = at + 1;
        let (old_len, new_start, new_len) = hunk_header(header).ok_or_else(|| DiffError {
            line: number,
            message: format!("`@@ {header}` is not a hunk header (`@@ -a,b +c,d @@`)"),
        })?;
        let mut hunk = Hunk {
            new_start,
            new_len,
            lines: Vec::new(),
            line: number,
        };
        let (mut old_left, mut new_left) = (old_len, new_len);
        at += 1;
        while old_left > 0 || new_left > 0 {
            let Some(line) = lines.get(at) else {
                return Err(DiffError {
                    line: at,
                    message: format!("the diff ends inside the hunk of line {number}"),
                });
            };
            // The marker is one ASCII byte; a line that starts with any other character (a
            // marker lost in a hand-edited diff) keeps it whole, and matches no marker.
            let (marker, text) = line.split_at_checked(1).unwrap_or((line, ""));
            let text = text.to_owned();
            match marker {
                " " | "" if old_left > 0 && new_left > 0 => {
                    old_left -= 1;
                    new_left -= 1;
                    hunk.lines.push(HunkLine::Context(text));
                }
                "-" if old_left > 0 => {
                    old_left -= 1;
                    hunk.lines.push(HunkLine::Removed(text));
                }
                "+" if new_left > 0 => {
                    new_left -= 1;
                    hunk.lines.push(HunkLine::Added(text));
                }
                "\\" => {}
                _ => {
                    return Err(DiffError {
                        line: at + 1,
                        message: format!(
                            "the hunk of line {number} has fewer lines than its header says"
                        ),
                    });
                }
            }
            at += 1;
        }
        // `\ No newline at end of file` after the last line.
        while lines.get(at).is_some_and(|line| line.starts_with('\\')) {
            at += 1;
        }
        file.hunks.push(hunk);
    }
    Ok(at)
}

/// `-a[,b] +c[,d] @@ …` → (b, c, d).
fn hunk_header(header: &str) -> Option<(usize, usize, usize)> {
    let mut parts = header.split_whitespace();
    let old = parts.next()?.strip_prefix('-')?;
    let new = parts.next()?.strip_prefix('+')?;
    let range = |range: &str| -> Option<(usize, usize)> {
        match range.split_once(',') {
            Some((start, len)) => Some((start.parse().ok()?, len.parse().ok()?)),
            None => Some((range.parse().ok()?, 1)),
        }
    };
    let (_, old_len) = range(old)?;
    let (new_start, new_len) = range(new)?;
    Some((old_len, new_start, new_len))
}

/// The path of a `---` or `+++` line: `None` for `/dev/null`. A tab ends it (`diff -u`
/// writes the file's time after one).
fn path_of(text: &str, line: usize) -> Result<Option<PathBuf>, DiffError> {
    let text = if text.starts_with('"') {
        text
    } else {
        text.split('\t').next().unwrap_or(text).trim_end()
    };
    let path = unquote(text, line)?;
    if path == "/dev/null" {
        return Ok(None);
    }
    if path.is_empty() {
        return Err(DiffError {
            line,
            message: "a file header without a path".into(),
        });
    }
    Ok(Some(strip_prefix(&path).into()))
}

/// Git's `a/` and `b/` (and `i/`, `w/`, `c/`, `o/` with `diff.mnemonicPrefix`).
fn strip_prefix(path: &str) -> &str {
    match path.as_bytes() {
        [b'a' | b'b' | b'i' | b'w' | b'c' | b'o', b'/', ..] => &path[2..],
        _ => path,
    }
}

/// The byte index of the quote that closes the one `text` starts with.
fn closing_quote(text: &str) -> Option<usize> {
    let mut escaped = false;
    for (index, byte) in text.bytes().enumerate().skip(1) {
        match byte {
            b'\\' if !escaped => escaped = true,
            b'"' if !escaped => return Some(index),
            _ => escaped = false,
        }
    }
    None
}

/// A path as git writes it: plain, or in double quotes with C escapes (octal bytes of UTF-8).
fn unquote(text: &str, line: usize) -> Result<String, DiffError> {
    let Some(inner) = text.strip_prefix('"') else {
        return Ok(text.to_owned());
    };
    let bad = |message: &str| DiffError {
        line,
        message: format!("{message} in the quoted path {text}"),
    };
    let inner = inner
        .strip_suffix('"')
        .ok_or_else(|| bad("no closing quote"))?;
    let mut bytes = Vec::with_capacity(inner.len());
    let mut chars = inner.bytes();
    while let Some(byte) = chars.next() {
        if byte != b'\\' {
            bytes.push(byte);
            continue;
        }
        let escape = chars.next().ok_or_else(|| bad("a lone backslash"))?;
        bytes.push(match escape {
            b'n' => b'\n',
            b't' => b'\t',
            b'r' => b'\r',
            b'"' => b'"',
            b'\\' => b'\\',
            b'a' => 7,
            b'b' => 8,
            b'f' => 12,
            b'v' => 11,
            b'0'..=b'3' => {
                let digits = [
                    escape,
                    chars.next().unwrap_or(b'x'),
                    chars.next().unwrap_or(b'x'),
                ];
                let octal = std::str::from_utf8(&digits)
                    .ok()
                    .and_then(|d| u8::from_str_radix(d, 8).ok());
                octal.ok_or_else(|| bad("a bad octal escape"))?
            }
            _ => return Err(bad("an unknown escape")),
        });
    }
    String::from_utf8(bytes).map_err(|_| bad("bytes that are not UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GIT: &str = "commit message\n\ndiff --git a/features/pay.feature b/features/pay.feature\nindex 1..2 100644\n--- a/features/pay.feature\n+++ b/features/pay.feature\n@@ -2,2 +2,2 @@ Feature: Pay\n   Scenario: pays\n-    Given a card\n+    Given a debit card\n@@ -9,0 +10,1 @@\n+    Then it is paid\ndiff --git a/old name.rs b/new name.rs\nsimilarity index 100%\nrename from old name.rs\nrename to new name.rs\ndiff --git a/logo.png b/logo.png\nnew file mode 100644\nBinary files /dev/null and b/logo.png differ\ndiff --git \"a/t\\303\\251st.feature\" \"b/t\\303\\251st.feature\"\ndeleted file mode 100644\n--- \"a/t\\303\\251st.feature\"\n+++ /dev/null\n@@ -1 +0,0 @@\n-Feature: gone\n";

    #[test]
    fn reads_git_headers_renames_binary_and_quoted_paths() {
        let files = parse(GIT).unwrap();
        assert_eq!(files.len(), 4);
        assert_eq!(
            files[0].new_path.as_deref(),
            Some("features/pay.feature".as_ref())
        );
        assert_eq!(files[0].hunks.len(), 2);
        assert_eq!(files[0].hunks[1].new_start, 10);
        assert_eq!(files[1].old_path.as_deref(), Some("old name.rs".as_ref()));
        assert_eq!(files[1].new_path.as_deref(), Some("new name.rs".as_ref()));
        assert!(files[1].hunks.is_empty());
        assert!(files[2].binary && files[2].old_path.is_none());
        assert_eq!(files[3].old_path.as_deref(), Some("tést.feature".as_ref()));
        assert_eq!(files[3].new_path, None);
    }

    #[test]
    fn a_removed_line_that_looks_like_a_header_stays_in_its_hunk() {
        let diff = "--- a/x.txt\n+++ b/x.txt\n@@ -1 +1 @@\n--- not a header\n+++ neither\n";
        let files = parse(diff).unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(
            files[0].hunks[0].lines,
            vec![
                HunkLine::Removed("-- not a header".into()),
                HunkLine::Added("++ neither".into())
            ]
        );
    }

    #[test]
    fn undoes_the_hunks_against_the_new_text() {
        let files = parse(GIT).unwrap();
        let new = "Feature: Pay\n  Scenario: pays\n    Given a debit card\n4\n5\n6\n7\n8\n9\n    Then it is paid\n11\n";
        let old = files[0].old_text(Some(new)).unwrap();
        assert_eq!(
            old,
            "Feature: Pay\n  Scenario: pays\n    Given a card\n4\n5\n6\n7\n8\n9\n11\n"
        );
        assert_eq!(files[3].old_text(None).unwrap(), "Feature: gone");
    }

    #[test]
    fn a_hunk_that_does_not_match_the_file_is_a_mismatch() {
        let files = parse(GIT).unwrap();
        let err = files[0]
            .old_text(Some("Feature: Pay\n  Scenario: other\n"))
            .unwrap_err();
        assert_eq!((err.line, err.diff_line), (2, 7));
    }

    #[test]
    fn bad_input_names_its_line() {
        assert_eq!(parse("hello\nworld\n").unwrap_err().line, 1);
        let short = "--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n";
        let err = parse(short).unwrap_err();
        assert!(
            err.message.contains("ends inside the hunk of line 3"),
            "{err}"
        );
        let header = "--- a/x\n+++ b/x\n@@ nonsense @@\n";
        assert_eq!(parse(header).unwrap_err().line, 3);
        assert_eq!(parse("").unwrap(), vec![]);
    }

    #[test]
    fn a_hunk_line_without_its_marker_in_another_script_is_bad_input() {
        let diff = "--- a/x\n+++ b/x\n@@ -1 +1 @@\nétape sans marque\n";
        let err = parse(diff).unwrap_err();
        assert_eq!(err.line, 4);
        assert!(err.message.contains("fewer lines"), "{}", err.message);
    }

    #[test]
    fn plain_diff_u_output_with_times() {
        let diff = "--- old/pay.feature\t2026-01-01 10:00:00\n+++ new/pay.feature\t2026-01-02 10:00:00\n@@ -1 +1 @@\n-a\n+b\n";
        let files = parse(diff).unwrap();
        assert_eq!(
            files[0].new_path.as_deref(),
            Some("new/pay.feature".as_ref())
        );
        assert_eq!(files[0].old_text(Some("b\n")).unwrap(), "a\n");
    }
}
