//! The change since a revision, as git tells it: the work tree (committed or not, and new
//! files git does not know yet) against the commit where it left the revision's line.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::Error;

/// Where the work tree's repository starts.
pub fn toplevel(dir: &Path) -> Result<PathBuf, Error> {
    let out = git(dir, &["rev-parse", "--show-toplevel"]).map_err(|err| match err {
        Error::Git { .. } => Error::NotARepository(dir.to_path_buf()),
        other => other,
    })?;
    Ok(PathBuf::from(out.trim_end_matches('\n')))
}

/// The commit `since` and the work tree share: `git merge-base`, so that `--since main` on a
/// branch means what the branch changed, not what landed on `main` after it.
pub fn base(root: &Path, since: &str) -> Result<String, Error> {
    let shallow = || {
        git(root, &["rev-parse", "--is-shallow-repository"]).is_ok_and(|out| out.trim() == "true")
    };
    let commit = git(
        root,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &format!("{since}^{{commit}}"),
        ],
    )
    .map_err(|_| Error::UnknownRevision {
        revision: since.to_owned(),
        shallow: shallow(),
    })?;
    let commit = commit.trim();
    let base = git(root, &["merge-base", commit, "HEAD"]).map_err(|_| Error::NoBase {
        revision: since.to_owned(),
        shallow: shallow(),
    })?;
    Ok(base.trim().to_owned())
}

/// The diff from `base` to the work tree, with renames found, and the paths of the files
/// that git does not track yet (and does not ignore), relative to `root`.
pub fn changes(root: &Path, base: &str) -> Result<(String, Vec<PathBuf>), Error> {
    let diff = git(
        root,
        &[
            "-c",
            "core.quotePath=false",
            "diff",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "--find-renames",
            "--unified=0",
            "--src-prefix=a/",
            "--dst-prefix=b/",
            base,
            "--",
        ],
    )?;
    let untracked = git(root, &["ls-files", "-z", "--others", "--exclude-standard"])?;
    let untracked = untracked
        .split('\0')
        .filter(|path| !path.is_empty())
        .map(PathBuf::from)
        .collect();
    Ok((diff, untracked))
}

/// Runs git in `dir`; its output, or its error message.
fn git(dir: &Path, args: &[&str]) -> Result<String, Error> {
    let command = || format!("git {}", args.join(" "));
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        // The user's locale must not translate the output that is read here.
        .env("LC_ALL", "C")
        .output()
        .map_err(|source| Error::NoGit { source })?;
    if !out.status.success() {
        return Err(Error::Git {
            command: command(),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        });
    }
    String::from_utf8(out.stdout).map_err(|_| Error::Git {
        command: command(),
        stderr: "its output is not UTF-8".into(),
    })
}
