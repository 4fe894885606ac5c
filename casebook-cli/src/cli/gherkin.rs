//! `casebook gherkin`: parse feature files and print their messages as the official
//! `gherkin` executable does: `source`, `gherkinDocument` and `pickle` envelopes, or
//! `parseError` ones, as NDJSON on stdout.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use casebook_gherkin::{IdGenerator, IncrementingIds, Options, UuidIds, envelopes};

use casebook::exit;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Feature files: `.feature`, or `.feature.md` for Markdown with Gherkin. Each file's
    /// uri in the messages is its path as given.
    #[arg(value_name = "FILE", required = true)]
    files: Vec<PathBuf>,

    /// Leave out the `source` messages.
    #[arg(long)]
    no_source: bool,

    /// Leave out the `gherkinDocument` messages.
    #[arg(long)]
    no_ast: bool,

    /// Leave out the `pickle` messages.
    #[arg(long)]
    no_pickles: bool,

    /// Number ids 0, 1, 2, ... across all the files instead of making random UUIDs.
    #[arg(long)]
    predictable_ids: bool,
}

pub fn exec(args: &Args) -> anyhow::Result<u8> {
    let options = Options {
        source: !args.no_source,
        ast: !args.no_ast,
        pickles: !args.no_pickles,
    };
    let mut ids: Box<dyn IdGenerator> = if args.predictable_ids {
        Box::new(IncrementingIds::new())
    } else {
        Box::new(UuidIds::new())
    };
    let mut stdout = BufWriter::new(std::io::stdout().lock());
    let (mut parse_errors, mut unreadable) = (false, false);
    // A file that cannot be read is named and skipped: the messages of every other file are
    // still printed, and the exit code says that one was not.
    for path in &args.files {
        let text = match read(path) {
            Ok(text) => text,
            Err(reason) => {
                eprintln!("error: cannot read `{}`: {reason}", path.display());
                unreadable = true;
                continue;
            }
        };
        let uri = path.to_string_lossy();
        for envelope in envelopes(&uri, &text, options, ids.as_mut()) {
            parse_errors |= matches!(envelope, casebook_gherkin::Envelope::ParseError(_));
            writeln!(stdout, "{}", envelope.to_json())?;
        }
    }
    stdout.flush()?;
    Ok(if unreadable {
        exit::USAGE
    } else if parse_errors {
        exit::FAILED
    } else {
        exit::OK
    })
}

/// A file's text, without a byte order mark.
fn read(path: &std::path::Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|err| err.to_string())?;
    let text = String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_owned())?;
    Ok(match text.strip_prefix('\u{FEFF}') {
        Some(rest) => rest.to_owned(),
        None => text,
    })
}
