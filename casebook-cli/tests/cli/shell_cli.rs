//! `casebook completions SHELL` and `casebook man`: what a shell and `man` read.

use crate::support::{casebook, workspace_root};

#[test]
fn completions_name_every_command_and_bash_reads_its_script() {
    let root = workspace_root();
    for shell in ["bash", "zsh", "fish"] {
        let output = casebook(&root, &["completions", shell]);
        assert_eq!(output.code, 0, "{shell}: {}", output.stderr);
        for command in ["lint", "run", "impact", "trace", "manual", "ids"] {
            assert!(
                output.stdout.contains(command),
                "{shell} completes `{command}`"
            );
        }
    }
    let script = casebook(&root, &["completions", "bash"]).stdout;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("casebook.bash");
    std::fs::write(&file, script).unwrap();
    let checked = std::process::Command::new("bash")
        .arg("-n")
        .arg(&file)
        .output()
        .expect("bash runs");
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
}

#[test]
fn the_manual_page_is_roff_for_section_one() {
    let output = casebook(&workspace_root(), &["man"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert!(
        output.stdout.contains(".TH casebook 1"),
        "{}",
        output.stdout
    );
    assert!(output.stdout.contains("impact"), "{}", output.stdout);
}
