//! The `meta` message: what made the stream, where it ran, and the CI build, when there is
//! one.

use super::envelope::{Ci, Git, Meta, Product};

/// The `meta` of a run of this casebook on this machine, with the CI build the environment
/// describes (GitHub Actions, GitLab CI, Jenkins, or any CI that sets `CI`).
pub fn meta() -> Meta {
    Meta {
        protocol_version: super::PROTOCOL_VERSION,
        implementation: Product {
            name: "casebook".to_owned(),
            version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        },
        runtime: Product {
            name: "Rust".to_owned(),
            version: None,
        },
        os: Product {
            name: std::env::consts::OS.to_owned(),
            version: os_release(),
        },
        cpu: Product {
            name: std::env::consts::ARCH.to_owned(),
            version: None,
        },
        ci: ci(|name| std::env::var(name).ok().filter(|value| !value.is_empty())),
    }
}

/// The kernel release (`uname -r`).
fn os_release() -> Option<String> {
    // SAFETY: `uname` fills the zeroed struct it is given; its fields are NUL-terminated.
    let mut name: libc::utsname = unsafe { std::mem::zeroed() };
    if unsafe { libc::uname(&mut name) } != 0 {
        return None;
    }
    let release = unsafe { std::ffi::CStr::from_ptr(name.release.as_ptr()) };
    Some(release.to_string_lossy().into_owned())
}

/// The CI build `env` describes.
fn ci(env: impl Fn(&str) -> Option<String>) -> Option<Ci> {
    let git = |remote: Option<String>, revision: Option<String>, branch: Option<String>| {
        Some(Git {
            remote: remote?,
            revision: revision?,
            branch,
        })
    };
    if env("GITHUB_ACTIONS").is_some() {
        let server = env("GITHUB_SERVER_URL").unwrap_or_else(|| "https://github.com".into());
        let repository = env("GITHUB_REPOSITORY");
        return Some(Ci {
            name: "GitHub Actions".to_owned(),
            url: repository
                .as_ref()
                .zip(env("GITHUB_RUN_ID"))
                .map(|(repository, run)| format!("{server}/{repository}/actions/runs/{run}")),
            build_number: env("GITHUB_RUN_ID"),
            git: git(
                repository.map(|repository| format!("{server}/{repository}.git")),
                env("GITHUB_SHA"),
                env("GITHUB_HEAD_REF").or_else(|| env("GITHUB_REF_NAME")),
            ),
        });
    }
    if env("GITLAB_CI").is_some() {
        return Some(Ci {
            name: "GitLab".to_owned(),
            url: env("CI_PIPELINE_URL"),
            build_number: env("CI_PIPELINE_IID"),
            git: git(
                env("CI_REPOSITORY_URL"),
                env("CI_COMMIT_SHA"),
                env("CI_COMMIT_BRANCH"),
            ),
        });
    }
    if env("JENKINS_URL").is_some() {
        return Some(Ci {
            name: "Jenkins".to_owned(),
            url: env("BUILD_URL"),
            build_number: env("BUILD_NUMBER"),
            git: git(env("GIT_URL"), env("GIT_COMMIT"), env("GIT_BRANCH")),
        });
    }
    env("CI").map(|_| Ci {
        name: "CI".to_owned(),
        url: None,
        build_number: None,
        git: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(vars: &[(&str, &str)]) -> Option<Ci> {
        ci(|name| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        })
    }

    #[test]
    fn the_ci_build_comes_from_the_environment() {
        assert!(with(&[]).is_none());
        let github = with(&[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_REPOSITORY", "acme/shop"),
            ("GITHUB_RUN_ID", "42"),
            ("GITHUB_SHA", "abc"),
            ("GITHUB_REF_NAME", "main"),
        ])
        .unwrap();
        assert_eq!(
            github.url.as_deref(),
            Some("https://github.com/acme/shop/actions/runs/42")
        );
        let git = github.git.unwrap();
        assert_eq!(
            (
                git.remote.as_str(),
                git.revision.as_str(),
                git.branch.as_deref()
            ),
            ("https://github.com/acme/shop.git", "abc", Some("main"))
        );
        assert_eq!(with(&[("CI", "true")]).unwrap().name, "CI");
    }
}
