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

/// Converts a byte offset in `text` into a 1-based line and column (in characters).
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// Shows `path` relative to the current directory when it lies below it.
pub fn display_path(path: &Path) -> Arc<Path> {
    let relative = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf));
    Arc::from(relative.unwrap_or_else(|| path.to_path_buf()))
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
    fn displays_as_path_line_column() {
        let location = Location::new(Arc::from(Path::new("features/a.feature")), 3, 5);
        assert_eq!(location.to_string(), "features/a.feature:3:5");
    }
}
