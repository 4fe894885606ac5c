//! [`Location`]: one position in a project file, shared by every stage.
//!
//! Parse errors, cases, steps, tags, catalog entries and lint findings all carry a
//! `Location`, displayed as `path:line:column` so that terminals and editors can jump to it.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;

/// A 1-based line and column in a file.
///
/// The path is shared (`Arc`) because every step and tag of a file points at the same one.
/// It is stored as the project shows it: relative to the directory casebook runs in when the
/// file is below it, as given otherwise.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    /// The file, as shown to people.
    pub path: Arc<Path>,
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
}

impl Location {
    /// A position in `path`.
    pub fn new(path: Arc<Path>, line: usize, column: usize) -> Self {
        Self { path, line, column }
    }

    /// The start of a file, for findings about a file as a whole.
    pub fn file(path: Arc<Path>) -> Self {
        Self::new(path, 1, 1)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.path.display(), self.line, self.column)
    }
}

/// `file` and, when known, `:line:col`: where a problem in a file is, as editors and CI
/// annotations take it.
pub fn at(file: &Path, position: Option<(usize, usize)>) -> String {
    match position {
        Some((line, column)) => format!("{}:{line}:{column}", file.display()),
        None => file.display().to_string(),
    }
}

/// Reads the displayed form back: `path:line:column`, as files that name places keep them.
impl std::str::FromStr for Location {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut parts = text.rsplitn(3, ':');
        let column = parts.next().and_then(|c| c.parse().ok());
        let line = parts.next().and_then(|l| l.parse().ok());
        match (parts.next(), line, column) {
            (Some(path), Some(line), Some(column)) if !path.is_empty() => {
                Ok(Location::new(Path::new(path).into(), line, column))
            }
            _ => Err(format!("`{text}` is not a place `path:line:column`")),
        }
    }
}

/// An optional place written as its text, `path:line:column` (`steps.json`, `run.json`, the
/// matrix): `#[serde(with = "crate::location::as_text")]`.
pub mod as_text {
    use serde::{Deserialize, Deserializer, Serializer};

    use super::Location;

    /// Writes the place as `path:line:column`.
    pub fn serialize<S: Serializer>(place: &Option<Location>, s: S) -> Result<S::Ok, S::Error> {
        match place {
            Some(place) => s.collect_str(place),
            None => s.serialize_none(),
        }
    }

    /// Reads a place written as `path:line:column`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Location>, D::Error> {
        match Option::<String>::deserialize(d)? {
            Some(text) => text.parse().map(Some).map_err(serde::de::Error::custom),
            None => Ok(None),
        }
    }
}

/// Converts a byte offset in `text` into a 1-based line and column (in characters).
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    // An offset inside a character (from a parser that counts bytes) counts as that
    // character's start, so that no slice falls between its bytes.
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// Shows `path` relative to the current directory when it lies below it, with `.` and `..`
/// resolved, so that one file always shows the same way however it was reached.
pub fn display_path(path: &Path) -> Arc<Path> {
    let absolute = normalize(&std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()));
    let relative = std::env::current_dir()
        .ok()
        .and_then(|cwd| {
            absolute
                .strip_prefix(normalize(&cwd))
                .ok()
                .map(Path::to_path_buf)
        })
        .filter(|relative| !relative.as_os_str().is_empty());
    Arc::from(relative.unwrap_or(absolute))
}

/// One spelling of a file, however it was reached: absolute (against the current
/// directory) and normalised, to compare paths from different sources (the suite, the
/// runner's features, a diff, the registry's places).
pub fn absolute(path: &Path) -> std::path::PathBuf {
    normalize(&std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()))
}

/// Resolves `.` and `..` without touching the file system (links are left as written).
pub fn normalize(path: &Path) -> std::path::PathBuf {
    use std::path::Component;
    let mut out = std::path::PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_lines_and_characters() {
        let text = "ab\nçd\nef";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 3), (2, 1));
        // `ç` is two bytes but one column.
        assert_eq!(line_col(text, 5), (2, 2));
        assert_eq!(line_col(text, text.len()), (3, 3));
    }

    #[test]
    fn line_col_of_an_offset_inside_a_character_is_the_characters_place() {
        let text = "ab\nçd";
        assert_eq!(line_col(text, 4), (2, 1));
    }

    #[test]
    fn display_paths_resolve_dots_below_the_current_directory() {
        let cwd = std::env::current_dir().unwrap();
        let shown = display_path(&cwd.join("conf/../cases/./a.feature"));
        assert_eq!(&*shown, Path::new("cases/a.feature"));
        assert_eq!(
            &*display_path(Path::new("/elsewhere/../x.feature")),
            Path::new("/x.feature")
        );
    }

    #[test]
    fn displays_as_path_line_column() {
        let location = Location::new(Arc::from(Path::new("features/a.feature")), 3, 5);
        assert_eq!(location.to_string(), "features/a.feature:3:5");
    }
}
