//! The stream's file: one envelope per line, ids from one generator, flushed at the points
//! where a run that dies must leave everything written before.

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::envelope::Envelope;
use casebook_gherkin::IdGenerator;

/// Where the stream goes and how ids are made.
pub struct Sink {
    pub(super) out: Box<dyn Write + Send>,
    pub(super) ids: Ids,
    /// The first write error; the run goes on without messages.
    pub(super) error: Option<std::io::Error>,
    /// The line being serialised.
    scratch: Lines,
    /// When the stream was last flushed.
    flushed: Instant,
}

/// How long written messages may wait in memory before they are flushed.
const FLUSH_EVERY: Duration = Duration::from_millis(100);

impl std::fmt::Debug for Sink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sink")
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl Sink {
    /// A stream to `out`, with ids from `ids`.
    pub fn new(out: impl Write + Send + 'static, ids: impl IdGenerator + Send + 'static) -> Self {
        Sink {
            out: Box::new(std::io::BufWriter::with_capacity(64 * 1024, out)),
            ids: Ids(Arc::new(Mutex::new(ids))),
            error: None,
            scratch: Lines::default(),
            flushed: Instant::now(),
        }
    }

    /// A stream to a new file at `path` (its directory made if need be), with short ids
    /// unique across runs ([`casebook_gherkin::RunIds`]).
    pub fn create(path: &Path) -> std::io::Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        // The last run's stream is removed rather than truncated: ext4 writes a truncated
        // file out to the disk when it is closed (so that a crash cannot leave it empty),
        // which would make the end of a run wait for the whole stream to reach the disk.
        match std::fs::remove_file(path) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => return Err(err),
            _ => {}
        }
        Ok(Sink::new(
            std::fs::File::create(path)?,
            casebook_gherkin::RunIds::new(),
        ))
    }

    pub(super) fn id(&mut self) -> String {
        self.ids.next()
    }

    /// Writes lines serialised elsewhere.
    pub(super) fn lines(&mut self, lines: &Lines) {
        if self.error.is_none() {
            self.error = self.out.write_all(&lines.0).err();
        }
    }

    pub(super) fn emit(&mut self, envelope: &Envelope) {
        // One buffer for every line: a run writes a few messages per step.
        let mut line = std::mem::take(&mut self.scratch);
        line.0.clear();
        line.envelope(envelope);
        self.lines(&line);
        self.scratch = line;
    }

    /// Flushes what is written, unless the last flush was less than [`FLUSH_EVERY`] ago: a
    /// run that dies leaves everything up to then, without a write to the disk after each of
    /// ten thousand scenarios.
    pub(super) fn flush(&mut self) {
        if self.flushed.elapsed() >= FLUSH_EVERY {
            self.flush_now();
        }
    }

    /// Flushes what is written.
    pub(super) fn flush_now(&mut self) {
        if self.error.is_none() {
            self.error = self.out.flush().err();
        }
        self.flushed = Instant::now();
    }
}

/// The stream's id generator, shared by everything that writes into it: ids are unique
/// whichever thread asks.
#[derive(Clone)]
pub(super) struct Ids(Arc<Mutex<dyn IdGenerator + Send>>);

impl Ids {
    /// A new id.
    pub(super) fn next(&self) -> String {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).new_id()
    }
}

impl IdGenerator for Ids {
    fn new_id(&mut self) -> String {
        self.next()
    }
}

impl std::fmt::Debug for Ids {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Ids")
    }
}

/// Messages serialised ahead of their place in the stream, one per line.
#[derive(Debug, Default)]
pub(super) struct Lines(Vec<u8>);

impl Lines {
    /// Adds one message of any serialisable shape.
    pub(super) fn serialize(&mut self, message: &impl serde::Serialize) {
        serde_json::to_writer(&mut self.0, message).expect("messages serialise to JSON");
        self.0.push(b'\n');
    }

    /// Adds one envelope, written as [`Envelope::write_json`] writes it.
    pub(super) fn envelope(&mut self, envelope: &Envelope) {
        envelope.write_json(&mut self.0);
        self.0.push(b'\n');
    }

    /// Adds one message serialised already.
    pub(super) fn line(&mut self, json: &[u8]) {
        self.0.extend_from_slice(json);
        self.0.push(b'\n');
    }
}
