//! Writing files whole or not at all: records that must survive a crash, and reports, which
//! can always be rendered again.

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` through a temporary file in the same directory, its data synced
/// before a rename, so that a reader never sees half the file, even if the process dies or
/// the power is cut midway (the record of a run, a screenshot).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, |out| out.write_all(bytes))
}

/// Like [`write_atomic`], and durable: once it returns, the new file survives a crash or a
/// power cut, because the file's data and the directory entry the rename changed are both
/// synced. For what cannot be produced again, such as a tester's recorded answers; the rest
/// skip the directory's sync, and reports the data's too ([`write_report_with`]).
pub fn write_durable(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic(path, bytes)?;
    let dir = path
        .parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::File::open(dir)?.sync_all()
}

/// Like [`write_atomic`], for output that is produced while it is written (a large JSON
/// document serialized straight to the file rather than into memory first).
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    replace(path, write, Data::Synced)
}

/// Like [`write_atomic_with`], for a report: a reader never sees half of it and a process
/// that dies leaves the last one whole, but the file's data is not waited for on the disk
/// before the rename. A power cut may then lose the new report, which `casebook report`
/// renders again from `run.json`; every run saves the wait (a few milliseconds a file, at
/// the end of the run, where the reports are written).
pub fn write_report_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    replace(path, write, Data::Unsynced)
}

/// Whether the file's data is synced to the disk before the rename.
#[derive(PartialEq)]
enum Data {
    Synced,
    Unsynced,
}

/// Writes `path` through a temporary file in its directory and a rename.
fn replace(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    data: Data,
) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    sweep_once(dir);
    let mut temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .tempfile_in(dir)?;
    // Reports are for everyone who can read the directory, not only for the writer (the
    // temporary file starts private).
    use std::os::unix::fs::PermissionsExt;
    temp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    {
        let mut out = std::io::BufWriter::new(temp.as_file_mut());
        write(&mut out)?;
        out.flush()?;
    }
    if data == Data::Synced {
        temp.as_file().sync_all()?;
    }
    temp.persist(path).map_err(|err| err.error)?;
    Ok(())
}

/// How the temporary files of [`replace`] start: a process killed between their creation and
/// the rename leaves one behind, and the next process that writes there knows it for its own.
const TEMP_PREFIX: &str = ".casebook-tmp-";

/// How old a temporary file is before it counts as left behind: a write takes far less, so a
/// younger one may be another process's write in progress.
const STALE: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// Removes the temporary files a killed process left in `dir`, the first time this process
/// writes there (`manual-results/` is committed: they must not pile up in it).
fn sweep_once(dir: &Path) {
    static SWEPT: std::sync::Mutex<Vec<std::path::PathBuf>> = std::sync::Mutex::new(Vec::new());
    let mut swept = SWEPT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if swept.iter().any(|done| done == dir) {
        return;
    }
    swept.push(dir.to_path_buf());
    drop(swept);
    remove_stale_temporaries(dir, STALE);
}

/// Removes the files of `dir` named like [`replace`]'s temporaries and older than `age`.
/// Errors are ignored: a leftover that cannot be removed harms no write.
fn remove_stale_temporaries(dir: &Path, age: std::time::Duration) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let named = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(TEMP_PREFIX));
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|modified| modified.elapsed().is_ok_and(|elapsed| elapsed > age));
        if named && old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The output of a writer that writes in many small pieces (a serializer's): buffered in
/// front of the file's writer, so that each piece is a copy into memory rather than a call
/// through `dyn Write`.
pub type Buffered<'a> = std::io::BufWriter<&'a mut dyn Write>;

/// `out`, [`Buffered`]; flush it when done, so that a failed write is an error.
pub fn buffered(out: &mut dyn Write) -> Buffered<'_> {
    std::io::BufWriter::with_capacity(1 << 16, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_the_whole_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/report.json");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two");
        assert_eq!(
            std::fs::read_dir(path.parent().unwrap()).unwrap().count(),
            1
        );
        write_durable(&path, b"three").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "three");
        write_report_with(&path, |out| out.write_all(b"four")).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "four");
        assert_eq!(
            std::fs::read_dir(path.parent().unwrap()).unwrap().count(),
            1
        );
    }

    #[test]
    fn the_first_write_into_a_directory_removes_what_a_killed_process_left() {
        let dir = tempfile::tempdir().unwrap();
        let left = dir.path().join(".casebook-tmp-a1b2c3");
        let fresh = dir.path().join(".casebook-tmp-d4e5f6");
        let theirs = dir.path().join(".tmp-someone-else");
        for path in [&left, &fresh, &theirs] {
            std::fs::write(path, b"half").unwrap();
        }
        let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        for path in [&left, &theirs] {
            std::fs::File::options()
                .write(true)
                .open(path)
                .unwrap()
                .set_modified(hour_ago)
                .unwrap();
        }
        write_durable(&dir.path().join("1.0.toml"), b"results").unwrap();
        assert!(!left.exists(), "a leftover of a killed write is removed");
        assert!(fresh.exists(), "a write that may be in progress is kept");
        assert!(theirs.exists(), "another program's file is kept");
    }
}
