//! A filled CSV checklist read back: [`import`] opens the sheet, reads each row with a
//! status as a [`ManualResult`], and returns them only when no row has a problem; each bad
//! row is an [`ImportError`] naming its line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::manual::{Ledger, ManualResult, ManualStatus, is_hash, results};
use crate::model::Suite;

/// A filled checklist, read.
#[derive(Debug, Default)]
pub struct Imported {
    /// The new answers, in the sheet's order.
    pub results: Vec<ManualResult>,
    /// Rows the results file already has, answer for answer.
    pub unchanged: usize,
    /// Rows without a status: not run.
    pub empty: usize,
}

impl Imported {
    /// Counts an answer as new, or as one the results file already has.
    fn add(&mut self, result: ManualResult, ledger: &Ledger) {
        if ledger.current.results.contains(&result) {
            self.unchanged += 1;
        } else {
            self.results.push(result);
        }
    }
}

/// A filled checklist that cannot be read, or one bad row of it; shown as
/// `FILE:LINE: message`.
#[derive(Debug, thiserror::Error)]
#[error("{}:{line}: {kind}", file.display())]
pub struct ImportError {
    /// The sheet.
    pub file: PathBuf,
    /// The line of the sheet, 1 for the header.
    pub line: u64,
    /// What is wrong there.
    pub kind: ImportErrorKind,
}

/// What is wrong at a line of a filled checklist. A CSV error is shown in the message, so
/// it is not a `source` as well: a cause chain would show it twice.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportErrorKind {
    /// The header row cannot be read.
    #[error("not a CSV checklist: {0}")]
    NotCsv(csv::Error),
    /// The header lacks a column the import needs.
    #[error(
        "the header has no `case` and `status` columns\n\
         (hint: start from `casebook manual export --format csv`)"
    )]
    MissingColumns,
    /// A data row cannot be read as CSV (a stray quote, a cell too many or too few).
    #[error("cannot read the row: {0}")]
    Unreadable(csv::Error),
    /// A data row reads, but its answer is not sound.
    #[error(transparent)]
    Row(#[from] RowError),
}

/// Why one row of a filled checklist is not an answer: every problem the row has, shown
/// joined by `; `.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct RowError(pub Vec<RowProblem>);

/// One thing wrong with a row of a filled checklist.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RowProblem {
    /// The row has no status, yet says what happened.
    #[error("`{case}` has an actual result or a defect but no status (passed, failed or blocked)")]
    NoStatus {
        /// The case ID as written.
        case: String,
    },
    /// The status is not one of the three.
    #[error("status `{0}` is not passed, failed or blocked")]
    ManualStatus(String),
    /// `row` is not a number from 1.
    #[error("row `{0}` is not an Examples row number")]
    Row(String),
    /// `case` is empty.
    #[error("`case` is empty")]
    EmptyCase,
    /// A `row` for a case that is not an outline.
    #[error("case `{0}` is not an outline: leave `row` empty")]
    NotAnOutline(String),
    /// No `row` for an outline.
    #[error("case `{0}` is an outline: `row` says which Examples row")]
    Outline(String),
    /// An outline without that row.
    #[error("case `{case}` has no Examples row {row}")]
    NoSuchRow {
        /// The case ID.
        case: String,
        /// The row asked for.
        row: usize,
    },
    /// No case has this ID.
    #[error("no case has the ID `{0}`")]
    NoSuchCase(String),
    /// `at` is not a time.
    #[error("`at` = `{0}` is not a time such as 2024-05-01T09:30:00Z")]
    Time(String),
    /// `case-hash` is not a hash.
    #[error("`case-hash` = `{0}` is not `sha256:` and 64 hex digits")]
    Hash(String),
}

/// Reads a filled CSV checklist. Every row is checked before anything is returned: any bad
/// row makes the whole sheet an error, one [`ImportError`] (`FILE:LINE: message`) per bad
/// row.
///
/// `case` and `status` are required columns; `row`, `actual`, `defect`, `tester`, `at` and
/// `case-hash` are read when present; other columns are ignored. A row without a status is
/// not run. An empty `tester` is `tester`, an empty `at` is now, and an empty `case-hash` is
/// the case's hash now. Sheets separated by `;` (as spreadsheets write them in some
/// languages) are read too.
pub fn import(
    text: &str,
    file: &Path,
    suite: &Suite,
    ledger: &Ledger,
    tester: &str,
) -> Result<Imported, Vec<ImportError>> {
    let at = |line: u64, kind: ImportErrorKind| ImportError {
        file: file.to_path_buf(),
        line,
        kind,
    };
    let mut sheet = Sheet::open(text).map_err(|kind| vec![at(1, kind)])?;
    let executions = Executions::of(suite);
    let defaults = Defaults {
        tester,
        at: results::now(),
    };
    let mut imported = Imported::default();
    let mut errors = Vec::new();
    let text = sheet.text;
    for record in sheet.reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(err) => {
                let line = err.position().map_or(0, |p| line_of(text, p));
                errors.push(at(line, ImportErrorKind::Unreadable(err)));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| line_of(text, p));
        let cells = Cells {
            record: &record,
            columns: &sheet.columns,
        };
        if cells.is_blank() {
            continue;
        }
        let read = if cells.status().is_empty() {
            not_run(&cells).map(|()| imported.empty += 1)
        } else {
            parse_row(&cells, &executions, &defaults).map(|result| imported.add(result, ledger))
        };
        if let Err(err) = read {
            errors.push(at(line, err.into()));
        }
    }
    if errors.is_empty() {
        Ok(imported)
    } else {
        Err(errors)
    }
}

/// A filled checklist opened: its header read, its data rows still to come.
struct Sheet<'t> {
    /// The sheet's text, without a byte order mark.
    text: &'t str,
    reader: csv::Reader<&'t [u8]>,
    columns: Columns,
}

impl<'t> Sheet<'t> {
    /// Opens the sheet in `text` (a byte order mark first is dropped), with the delimiter
    /// its header uses, and finds its columns.
    fn open(text: &'t str) -> Result<Self, ImportErrorKind> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter(text.lines().next().unwrap_or("")))
            .flexible(false)
            .from_reader(text.as_bytes());
        let header = reader.headers().map_err(ImportErrorKind::NotCsv)?;
        let columns = Columns::of(header).ok_or(ImportErrorKind::MissingColumns)?;
        Ok(Sheet {
            text,
            reader,
            columns,
        })
    }
}

/// The line of `text` a record starts on. The reader's own count, and its byte offset, come
/// out one short in a sheet whose lines end in CR LF, as spreadsheets save them: the reader
/// ends a record at the CR, and the record after it starts at the LF.
fn line_of(text: &str, position: &csv::Position) -> u64 {
    let bytes = text.as_bytes();
    let mut offset = usize::try_from(position.byte())
        .unwrap_or(usize::MAX)
        .min(bytes.len());
    while matches!(bytes.get(offset), Some(b'\r' | b'\n')) {
        offset += 1;
    }
    bytes[..offset].iter().filter(|&&b| b == b'\n').count() as u64 + 1
}

/// The delimiter a sheet uses, told from its header: `;` when the header has semicolons and
/// no comma (as spreadsheets write CSV in some languages), else `,`.
fn delimiter(header: &str) -> u8 {
    if !header.contains(',') && header.contains(';') {
        b';'
    } else {
        b','
    }
}

/// Where the columns the import reads are in a sheet; a header names them in any case and
/// order.
#[derive(Debug, PartialEq, Eq)]
struct Columns {
    case: usize,
    status: usize,
    row: Option<usize>,
    actual: Option<usize>,
    defect: Option<usize>,
    tester: Option<usize>,
    at: Option<usize>,
    case_hash: Option<usize>,
}

impl Columns {
    /// The columns of `header`; `None` without a `case` or a `status` column.
    fn of(header: &csv::StringRecord) -> Option<Columns> {
        let column = |name: &str| {
            header
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(name))
        };
        Some(Columns {
            case: column("case")?,
            status: column("status")?,
            row: column("row"),
            actual: column("actual"),
            defect: column("defect"),
            tester: column("tester"),
            at: column("at"),
            case_hash: column("case-hash"),
        })
    }
}

/// One data row of a sheet, its cells by column, trimmed; a column the sheet lacks reads as
/// empty.
struct Cells<'r> {
    record: &'r csv::StringRecord,
    columns: &'r Columns,
}

impl<'r> Cells<'r> {
    /// A cell as the tester wrote it: the quote that kept a formula-like cell text in the
    /// spreadsheet taken off.
    fn get(&self, index: Option<usize>) -> &'r str {
        crate::text::from_spreadsheet(index.and_then(|i| self.record.get(i)).unwrap_or("").trim())
    }

    fn case(&self) -> &'r str {
        self.get(Some(self.columns.case))
    }

    fn status(&self) -> &'r str {
        self.get(Some(self.columns.status))
    }

    /// A row with nothing in it, as spreadsheets leave at the end.
    fn is_blank(&self) -> bool {
        self.record.iter().all(|cell| cell.trim().is_empty())
    }
}

/// Every execution of the suite with an ID, by case ID and Examples row, with its hash now.
struct Executions<'s>(BTreeMap<(&'s str, Option<usize>), String>);

impl<'s> Executions<'s> {
    fn of(suite: &'s Suite) -> Self {
        let mut executions = BTreeMap::new();
        for (_, case) in suite.cases() {
            let Some(id) = &case.id else { continue };
            for (index, execution) in case.executions.iter().enumerate() {
                let row = execution.row.as_ref().map(|_| index + 1);
                executions
                    .entry((id.0.as_str(), row))
                    .or_insert_with(|| crate::manual::case_hash(case, execution));
            }
        }
        Executions(executions)
    }

    /// The hash now of `case`'s execution `row`, or why the sheet cannot name it so.
    fn hash<'a>(&'a self, case: &'a str, row: Option<usize>) -> Result<&'a str, RowProblem> {
        if let Some(hash) = self.0.get(&(case, row)) {
            return Ok(hash);
        }
        let has = |row| self.0.contains_key(&(case, row));
        Err(match row {
            _ if case.is_empty() => RowProblem::EmptyCase,
            Some(_) if has(None) => RowProblem::NotAnOutline(case.to_owned()),
            None if has(Some(1)) => RowProblem::Outline(case.to_owned()),
            Some(row) => RowProblem::NoSuchRow {
                case: case.to_owned(),
                row,
            },
            None => RowProblem::NoSuchCase(case.to_owned()),
        })
    }
}

/// What an answer that leaves them empty gets: the tester importing, and the time now.
struct Defaults<'a> {
    tester: &'a str,
    at: String,
}

/// A row without a status is a case not run, unless it says what happened.
fn not_run(cells: &Cells<'_>) -> Result<(), RowError> {
    if cells.get(cells.columns.actual).is_empty() && cells.get(cells.columns.defect).is_empty() {
        Ok(())
    } else {
        Err(RowError(vec![RowProblem::NoStatus {
            case: cells.case().to_owned(),
        }]))
    }
}

/// The answer in a row with a status, or every problem the row has.
fn parse_row(
    cells: &Cells<'_>,
    executions: &Executions<'_>,
    defaults: &Defaults<'_>,
) -> Result<ManualResult, RowError> {
    let columns = cells.columns;
    let case = cells.case();
    let mut problems = Problems::default();
    let status = problems.check(
        ManualStatus::parse(cells.status())
            .ok_or_else(|| RowProblem::ManualStatus(cells.status().to_owned())),
    );
    let row = problems.check(examples_row(cells.get(columns.row)));
    let current = row.and_then(|row| problems.check(executions.hash(case, row)));
    let at = problems.check(time(cells.get(columns.at), &defaults.at));
    let given = problems.check(given_hash(cells.get(columns.case_hash)));
    let (Some(status), Some(row), Some(current), Some(at), Some(given)) =
        (status, row, current, at, given)
    else {
        return Err(RowError(problems.0));
    };
    Ok(ManualResult {
        case: case.to_owned(),
        row,
        status,
        actual: cells.get(columns.actual).to_owned(),
        defect: Some(cells.get(columns.defect).to_owned()).filter(|d| !d.is_empty()),
        tester: match cells.get(columns.tester) {
            "" => defaults.tester.to_owned(),
            name => name.to_owned(),
        },
        at,
        case_hash: given.unwrap_or(current).to_owned(),
    })
}

/// The problems of one row, gathered in the order of its columns.
#[derive(Default)]
struct Problems(Vec<RowProblem>);

impl Problems {
    /// The value, or `None` with its problem noted.
    fn check<T>(&mut self, value: Result<T, RowProblem>) -> Option<T> {
        value.map_err(|problem| self.0.push(problem)).ok()
    }
}

/// The `row` cell: empty for a case that is not an outline, else a number from 1.
fn examples_row(text: &str) -> Result<Option<usize>, RowProblem> {
    match text {
        "" => Ok(None),
        text => text
            .parse::<usize>()
            .ok()
            .filter(|&r| r > 0)
            .map(Some)
            .ok_or_else(|| RowProblem::Row(text.to_owned())),
    }
}

/// The `at` cell as the results file writes times; `now` when empty.
fn time(text: &str, now: &str) -> Result<String, RowProblem> {
    match text {
        "" => Ok(now.to_owned()),
        text => results::parse_time(text)
            .map(results::format_time)
            .ok_or_else(|| RowProblem::Time(text.to_owned())),
    }
}

/// The `case-hash` cell: `None` when empty (the case's hash now counts), else a hash.
fn given_hash(text: &str) -> Result<Option<&str>, RowProblem> {
    match text {
        "" => Ok(None),
        text if is_hash(text) => Ok(Some(text)),
        text => Err(RowProblem::Hash(text.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::manual::checklist::tests::suite;

    #[test]
    fn bad_rows_are_named_by_line_and_nothing_is_imported() {
        let suite = suite();
        let sheet = "case,row,status,actual,at,case-hash\n\
                     A-1,,passed,,,\n\
                     A-9,,passed,,,\n\
                     A-1,,fine,,,\n\
                     A-2,,passed,,,\n\
                     A-2,7,passed,,,\n\
                     A-1,,,it broke,,\n\
                     \"A-1\",,blocked,\"two\nlines\",yesterday,sha256:xyz\n\
                     A-2,1,f,,,\n";
        let errors = import(
            sheet,
            Path::new("s.csv"),
            &suite,
            &Ledger::empty("1.0"),
            "t",
        )
        .unwrap_err();
        let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            errors,
            [
                "s.csv:3: no case has the ID `A-9`",
                "s.csv:4: status `fine` is not passed, failed or blocked",
                "s.csv:5: case `A-2` is an outline: `row` says which Examples row",
                "s.csv:6: case `A-2` has no Examples row 7",
                "s.csv:7: `A-1` has an actual result or a defect but no status (passed, failed or blocked)",
                "s.csv:8: `at` = `yesterday` is not a time such as 2024-05-01T09:30:00Z; `case-hash` = `sha256:xyz` is not `sha256:` and 64 hex digits",
            ]
        );
        // Saved by a spreadsheet: CR LF line ends, a multi-line cell, the same lines.
        let crlf = sheet.replace('\n', "\r\n");
        let errors = import(
            &crlf,
            Path::new("s.csv"),
            &suite,
            &Ledger::empty("1.0"),
            "t",
        )
        .unwrap_err();
        let lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [3, 4, 5, 6, 7, 8], "{errors:?}");
        let errors = import(
            "id,result\nA-1,passed\n",
            Path::new("s.csv"),
            &suite,
            &Ledger::empty("1.0"),
            "t",
        )
        .unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(
            errors[0].to_string(),
            "s.csv:1: the header has no `case` and `status` columns\n\
             (hint: start from `casebook manual export --format csv`)"
        );
    }

    #[test]
    fn a_time_an_offset_moves_before_1970_is_a_bad_row() {
        let errors = import(
            "case,status,at\nA-1,passed,1970-01-01T00:00:00+01:00\n",
            Path::new("s.csv"),
            &suite(),
            &Ledger::empty("1.0"),
            "t",
        )
        .unwrap_err();
        let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            errors,
            [
                "s.csv:2: `at` = `1970-01-01T00:00:00+01:00` is not a time such as 2024-05-01T09:30:00Z"
            ]
        );
    }

    #[test]
    fn semicolon_sheets_and_a_byte_order_mark_are_read() {
        let suite = suite();
        let sheet = "\u{feff}case;row;status;actual\nA-1;;passed;fine, really\n";
        let imported = import(
            sheet,
            Path::new("s.csv"),
            &suite,
            &Ledger::empty("1.0"),
            "t",
        )
        .unwrap();
        assert_eq!(imported.results[0].actual, "fine, really");
    }

    #[test]
    fn the_delimiter_is_told_from_the_header() {
        assert_eq!(delimiter("case,status"), b',');
        assert_eq!(delimiter("case;status"), b';');
        // A comma wins: a `;` inside a column name does not make a semicolon sheet.
        assert_eq!(delimiter("case,status;note"), b',');
        assert_eq!(delimiter(""), b',');
    }

    #[test]
    fn columns_are_found_in_any_case_and_order() {
        let header = csv::StringRecord::from(vec!["Status ", "note", "CASE", "case-hash"]);
        assert_eq!(
            Columns::of(&header),
            Some(Columns {
                case: 2,
                status: 0,
                row: None,
                actual: None,
                defect: None,
                tester: None,
                at: None,
                case_hash: Some(3),
            })
        );
        assert_eq!(Columns::of(&csv::StringRecord::from(vec!["case"])), None);
        let Err(kind) = Sheet::open("id,result\n") else {
            panic!("a sheet without `case` and `status` opened")
        };
        assert!(matches!(kind, ImportErrorKind::MissingColumns), "{kind:?}");
    }

    #[test]
    fn an_execution_is_named_by_case_and_row() {
        let suite = suite();
        let executions = Executions::of(&suite);
        assert!(executions.hash("A-1", None).is_ok_and(is_hash));
        assert!(executions.hash("A-2", Some(2)).is_ok());
        for (case, row, problem) in [
            ("", None, RowProblem::EmptyCase),
            ("", Some(1), RowProblem::EmptyCase),
            ("A-1", Some(1), RowProblem::NotAnOutline("A-1".into())),
            ("A-2", None, RowProblem::Outline("A-2".into())),
            (
                "A-2",
                Some(3),
                RowProblem::NoSuchRow {
                    case: "A-2".into(),
                    row: 3,
                },
            ),
            ("A-9", None, RowProblem::NoSuchCase("A-9".into())),
            (
                "A-9",
                Some(1),
                RowProblem::NoSuchRow {
                    case: "A-9".into(),
                    row: 1,
                },
            ),
        ] {
            assert_eq!(executions.hash(case, row), Err(problem), "{case} {row:?}");
        }
    }

    #[test]
    fn cells_read_as_answers_or_as_problems() {
        assert_eq!(examples_row(""), Ok(None));
        assert_eq!(examples_row("2"), Ok(Some(2)));
        for bad in ["0", "-1", "two", "1.5"] {
            assert_eq!(examples_row(bad), Err(RowProblem::Row(bad.into())));
        }
        assert_eq!(time("", "NOW"), Ok("NOW".into()));
        assert_eq!(
            time("2024-05-01 11:30:00+02:00", "NOW"),
            Ok("2024-05-01T09:30:00Z".into())
        );
        assert_eq!(time("soon", "NOW"), Err(RowProblem::Time("soon".into())));
        let hash = format!("sha256:{}", "0".repeat(64));
        assert_eq!(given_hash(""), Ok(None));
        assert_eq!(given_hash(&hash), Ok(Some(hash.as_str())));
        assert_eq!(given_hash("md5:1"), Err(RowProblem::Hash("md5:1".into())));
    }

    #[test]
    fn a_row_is_an_answer_or_every_problem_it_has() {
        let suite = suite();
        let executions = Executions::of(&suite);
        let header = csv::StringRecord::from(vec!["case", "row", "status", "actual", "at"]);
        let columns = Columns::of(&header).unwrap();
        let defaults = Defaults {
            tester: "carol",
            at: "2024-05-01T09:30:00Z".into(),
        };
        let row = |cells: Vec<&str>| {
            let record = csv::StringRecord::from(cells);
            let cells = Cells {
                record: &record,
                columns: &columns,
            };
            (not_run(&cells), parse_row(&cells, &executions, &defaults))
        };

        let (_, answer) = row(vec![" A-2 ", "1", "B", " down ", ""]);
        assert_eq!(
            answer,
            Ok(ManualResult {
                case: "A-2".into(),
                row: Some(1),
                status: ManualStatus::Blocked,
                actual: "down".into(),
                defect: None,
                tester: "carol".into(),
                at: "2024-05-01T09:30:00Z".into(),
                case_hash: executions.hash("A-2", Some(1)).unwrap().to_owned(),
            })
        );
        let (_, answer) = row(vec!["A-1", "x", "ok", "", "then"]);
        let error = answer.unwrap_err();
        assert_eq!(
            error.0,
            [
                RowProblem::ManualStatus("ok".into()),
                RowProblem::Row("x".into()),
                RowProblem::Time("then".into()),
            ]
        );
        assert_eq!(
            error.to_string(),
            "status `ok` is not passed, failed or blocked; row `x` is not an Examples row \
             number; `at` = `then` is not a time such as 2024-05-01T09:30:00Z"
        );
        assert_eq!(row(vec!["A-1", "", "", "", ""]).0, Ok(()));
        assert_eq!(
            row(vec!["A-1", "", "", "it broke", ""]).0,
            Err(RowError(vec![RowProblem::NoStatus { case: "A-1".into() }]))
        );
    }
}
