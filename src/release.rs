//! Leaf: git, and the release label a run or a tester's result belongs to.
//!
//! A run is labelled `git describe --tags --always --dirty` ([`Revision`]) unless `--release`
//! names it; the manual commands record for `git describe --tags --always` ([`recording`]);
//! the manual results that count for a run are those of its label without `-dirty`
//! ([`results_release`]). Every stage that needs one of these calls down into this module.

use std::path::Path;

/// The label results are recorded under when neither `--release`, `CASEBOOK_RELEASE` nor
/// `git describe` gives one.
pub const UNRELEASED: &str = "unreleased";

/// The trimmed output of a git command in `dir`, if git is there and succeeds.
pub fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?.trim().to_owned();
    (output.status.success() && !text.is_empty()).then_some(text)
}

/// What a run tested, as git tells it; `None` outside git.
#[derive(Debug, Clone, Default)]
pub struct Revision {
    /// `git describe --tags --always --dirty`: the run's release unless one is named.
    pub describe: Option<String>,
    /// `git rev-parse HEAD`.
    pub commit: Option<String>,
}

impl Revision {
    /// Asks git in `dir`.
    pub fn of(dir: &Path) -> Self {
        Revision {
            describe: git(dir, &["describe", "--tags", "--always", "--dirty"]),
            commit: git(dir, &["rev-parse", "HEAD"]),
        }
    }
}

/// The release the manual commands record for: `explicit` (`--release` or
/// `CASEBOOK_RELEASE`), else `git describe --tags --always` in `root`, else
/// [`UNRELEASED`]. Never `-dirty`: recording a result changes the checkout it is recorded in.
pub fn recording(explicit: Option<&str>, root: &Path) -> String {
    explicit
        .map(str::trim)
        .filter(|label| !label.is_empty())
        .map(str::to_owned)
        .or_else(|| git(root, &["describe", "--tags", "--always"]))
        .unwrap_or_else(|| UNRELEASED.to_owned())
}

/// The release whose results count for a run labelled `label` (`None`: a run outside git).
/// A run in a checkout with uncommitted changes is labelled `<describe>-dirty`: its manual
/// results are those of `<describe>`, since results files are themselves uncommitted
/// changes until someone commits them.
pub fn results_release(label: Option<&str>) -> String {
    match label {
        Some(label) => label.strip_suffix("-dirty").unwrap_or(label).to_owned(),
        None => UNRELEASED.to_owned(),
    }
}

/// The release whose manual results a report of a run counts: `explicit` (`--release`),
/// else `run`, the label of the run reported ([`results_release`]).
pub fn counted(explicit: Option<&str>, run: Option<&str>) -> String {
    results_release(explicit.or(run))
}

/// Like [`counted`], for a report that may come before any run (`casebook trace`): with
/// neither label, the release the manual commands record for in `root` ([`recording`]).
pub fn counted_or_recording(explicit: Option<&str>, run: Option<&str>, root: &Path) -> String {
    match explicit.or(run) {
        Some(label) => results_release(Some(label)),
        None => recording(None, root),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dirty_checkout_reports_the_results_of_its_release() {
        assert_eq!(results_release(Some("v1.2-3-gabc-dirty")), "v1.2-3-gabc");
        assert_eq!(results_release(Some("1.0.0")), "1.0.0");
        assert_eq!(results_release(None), UNRELEASED);
        assert_eq!(recording(Some(" 2.0 "), Path::new("/")), "2.0");
    }

    #[test]
    fn a_named_release_comes_before_the_run_s_own() {
        assert_eq!(counted(Some("2.0"), Some("1.0-dirty")), "2.0");
        assert_eq!(counted(None, Some("1.0-dirty")), "1.0");
        assert_eq!(counted(None, None), UNRELEASED);
        assert_eq!(
            counted_or_recording(None, Some("1.0"), Path::new("/")),
            "1.0"
        );
    }
}
