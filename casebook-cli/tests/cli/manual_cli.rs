//! `casebook manual` without a terminal session: the queue, recorded results and their
//! staleness, checklists out and back, and the results in `casebook trace`.

use std::path::Path;

use crate::support::{Output, casebook, copy_of_manual_fixture};

fn results(dir: &Path, release: &str) -> String {
    std::fs::read_to_string(dir.join("manual-results").join(format!("{release}.toml")))
        .unwrap_or_else(|e| panic!("manual-results/{release}.toml: {e}"))
}

fn ok(output: Output) -> Output {
    assert_eq!(output.code, 0, "{output:#?}");
    output
}

#[test]
fn the_queue_has_manual_cases_rows_and_cases_awaiting_automation() {
    let project = copy_of_manual_fixture("shop");
    let list = ok(casebook(
        project.path(),
        &["manual", "list", "--release", "1.0"],
    ));
    let labels: Vec<&str> = list
        .stdout
        .lines()
        .filter(|l| l.starts_with("  MAN-"))
        .map(|l| l.trim())
        .collect();
    assert_eq!(
        labels,
        [
            "MAN-001        The logo is sharp",
            "MAN-002        Prices read naturally",
            "MAN-003 row 1  Paying with visa works",
            "MAN-003 row 2  Paying with amex works",
            "MAN-011        An automated case awaiting its script [awaiting automation]",
        ],
        "{}",
        list.stdout
    );
    assert!(
        list.stdout.starts_with(
            "manual queue of release 1.0: 5 cases (4 manual, 1 awaiting automation)\n"
        ),
        "{}",
        list.stdout
    );
    assert!(
        list.stdout
            .ends_with("0 passed, 0 failed, 0 blocked, 0 stale, 5 not run\n"),
        "{}",
        list.stdout
    );

    let tagged = ok(casebook(
        project.path(),
        &["manual", "list", "--release", "1.0", "--tags", "@locale"],
    ));
    assert!(
        tagged.stdout.contains(": 1 case (1 manual"),
        "{}",
        tagged.stdout
    );
    let bad = casebook(project.path(), &["manual", "list", "--tags", "@a and"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("invalid tag expression `@a and`"),
        "{}",
        bad.stderr
    );
}

#[test]
fn a_recorded_result_is_stale_for_another_release_and_once_its_case_changes() {
    let project = copy_of_manual_fixture("shop");
    let dir = project.path();
    ok(casebook(
        dir,
        &[
            "manual",
            "record",
            "@MAN-001",
            "--status",
            "failed",
            "--actual",
            "The logo is blurred",
            "--defect",
            "https://bugs.example/7",
            "--release",
            "1.0",
            "--tester",
            "bob",
        ],
    ));
    let file = results(dir, "1.0");
    for expected in [
        "release = \"1.0\"\n",
        "\n[[result]]\ncase = \"MAN-001\"\nstatus = \"failed\"\nactual = \"The logo is blurred\"\ndefect = \"https://bugs.example/7\"\ntester = \"bob\"\nat = \"",
        "case-hash = \"sha256:",
    ] {
        assert!(file.contains(expected), "{expected:?} in\n{file}");
    }

    let same = ok(casebook(dir, &["manual", "list", "--release", "1.0"]));
    assert!(same.stdout.contains("failed by bob at "), "{}", same.stdout);
    assert!(
        same.stdout.contains("defect: https://bugs.example/7"),
        "{}",
        same.stdout
    );
    assert!(
        same.stdout
            .contains("0 passed, 1 failed, 0 blocked, 0 stale, 4 not run")
    );

    let next = ok(casebook(dir, &["manual", "list", "--release", "2.0"]));
    assert!(
        next.stdout
            .contains("failed (stale: other release, release 1.0, "),
        "{}",
        next.stdout
    );
    assert!(
        next.stdout
            .contains("0 passed, 0 failed, 0 blocked, 1 stale, 4 not run")
    );

    // A new title leaves the contract as it was; a changed step does not.
    let feature = dir.join("features/shop.feature");
    let text = std::fs::read_to_string(&feature).unwrap();
    std::fs::write(
        &feature,
        text.replace("The logo is sharp\n", "The logo looks sharp\n"),
    )
    .unwrap();
    let retitled = ok(casebook(dir, &["manual", "list", "--release", "1.0"]));
    assert!(
        retitled.stdout.contains("1 failed, 0 blocked, 0 stale"),
        "{}",
        retitled.stdout
    );
    std::fs::write(
        &feature,
        text.replace(
            "Then the logo is sharp",
            "Then the logo is sharp at any size",
        ),
    )
    .unwrap();
    let changed = ok(casebook(dir, &["manual", "list", "--release", "1.0"]));
    assert!(
        changed
            .stdout
            .contains("failed (stale: case changed, release 1.0, "),
        "{}",
        changed.stdout
    );
}

#[test]
fn record_names_what_it_cannot_record() {
    let project = copy_of_manual_fixture("shop");
    let dir = project.path();
    let cases: [(&[&str], &str); 5] = [
        (&["NOPE-1"], "no case has the ID `NOPE-1`"),
        (
            &["MAN-003"],
            "case `MAN-003` is an outline: --row N says which Examples row (1 to 2)",
        ),
        (
            &["MAN-003", "--row", "3"],
            "case `MAN-003` has no Examples row 3 (it has 1 to 2)",
        ),
        (
            &["MAN-001", "--row", "1"],
            "case `MAN-001` is not an outline",
        ),
        (
            &["MAN-010"],
            "case `MAN-010` is automated and every step has a step definition",
        ),
    ];
    for (args, message) in cases {
        let mut full = vec!["manual", "record"];
        full.extend_from_slice(args);
        full.extend(["--status", "passed", "--release", "1.0"]);
        let output = casebook(dir, &full);
        assert_eq!(output.code, 2, "{args:?}: {output:#?}");
        assert!(
            output.stderr.contains(message),
            "{args:?}: {}",
            output.stderr
        );
    }
    assert!(!dir.join("manual-results").exists(), "nothing was written");

    // A case awaiting its script, and an outline's row, are recorded.
    ok(casebook(
        dir,
        &[
            "manual",
            "record",
            "MAN-011",
            "--status",
            "blocked",
            "--release",
            "1.0",
        ],
    ));
    ok(casebook(
        dir,
        &[
            "manual",
            "record",
            "MAN-003",
            "--row",
            "2",
            "--status",
            "passed",
            "--release",
            "1.0",
        ],
    ));
    let file = results(dir, "1.0");
    assert!(
        file.contains("case = \"MAN-003\"\nrow = 2\nstatus = \"passed\"\n"),
        "{file}"
    );
}

#[test]
fn a_broken_results_file_is_named_and_never_written_over() {
    let project = copy_of_manual_fixture("shop");
    let dir = project.path();
    std::fs::create_dir_all(dir.join("manual-results")).unwrap();
    let broken = "format-version = 1\nrelease = \"1.0\"\n\n[[result]]\ncase = \"MAN-001\"\nstatus = \"maybe\"\n";
    std::fs::write(dir.join("manual-results/1.0.toml"), broken).unwrap();
    std::fs::write(
        dir.join("manual-results/0.9.toml"),
        "format-version = 1\nrelease = \"0.9\"\n",
    )
    .unwrap();

    let record = casebook(
        dir,
        &[
            "manual",
            "record",
            "MAN-001",
            "--status",
            "passed",
            "--release",
            "1.0",
        ],
    );
    assert_eq!(record.code, 2);
    assert!(
        record
            .stderr
            .contains("manual-results/1.0.toml:6:10: unknown variant `maybe`"),
        "{}",
        record.stderr
    );
    assert_eq!(results(dir, "1.0"), broken);

    // Reading goes on without it, and says so.
    let list = ok(casebook(dir, &["manual", "list", "--release", "1.0"]));
    assert!(list.stderr.contains("1.0.toml:6:10"), "{}", list.stderr);
    assert!(list.stdout.contains("5 not run"), "{}", list.stdout);
}

/// Fills the cells of a CSV checklist: `cells` are (case label, column, value).
fn fill(sheet: &str, cells: &[(&str, Option<usize>, &str, &str)]) -> String {
    let mut reader = csv::Reader::from_reader(sheet.as_bytes());
    let header = reader.headers().unwrap().clone();
    let index = |name: &str| header.iter().position(|h| h == name).unwrap();
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&header).unwrap();
    for record in reader.records() {
        let mut row: Vec<String> = record.unwrap().iter().map(str::to_owned).collect();
        for (case, number, column, value) in cells {
            let same_row = number.map(|n| n.to_string()).unwrap_or_default();
            if row[index("case")] == *case && row[index("row")] == same_row {
                row[index(column)] = (*value).to_owned();
            }
        }
        writer.write_record(&row).unwrap();
    }
    String::from_utf8(writer.into_inner().unwrap()).unwrap()
}

#[test]
fn a_csv_checklist_goes_through_a_spreadsheet_and_back() {
    let project = copy_of_manual_fixture("shop");
    let dir = project.path();
    ok(casebook(
        dir,
        &[
            "manual",
            "export",
            "--format",
            "csv",
            "--release",
            "1.0",
            "-o",
            "sheet.csv",
        ],
    ));
    let sheet = std::fs::read_to_string(dir.join("sheet.csv")).unwrap();
    assert_eq!(
        sheet.lines().next().unwrap(),
        "case,row,title,kind,feature,requirements,preconditions,steps,expected,last result,status,actual,defect,tester,at,case-hash"
    );
    let actual = "Prices show \"1234.50\", not \"1.234,50 €\";\nsee the screenshot";
    let filled = fill(
        &sheet,
        &[
            ("MAN-001", None, "status", "passed"),
            ("MAN-002", None, "status", "Failed"),
            ("MAN-002", None, "actual", actual),
            (
                "MAN-002",
                None,
                "defect",
                "https://bugs.example/12?lang=de&view=1",
            ),
            ("MAN-002", None, "tester", "Zoë"),
            ("MAN-002", None, "at", "2024-05-02 10:15"),
            ("MAN-003", Some(2), "status", "b"),
        ],
    );
    std::fs::write(dir.join("filled.csv"), &filled).unwrap();
    let import = ok(casebook(
        dir,
        &[
            "manual",
            "import",
            "filled.csv",
            "--release",
            "1.0",
            "--tester",
            "ann",
        ],
    ));
    assert!(
        import.stderr.contains("imported 3 results for release 1.0"),
        "{}",
        import.stderr
    );
    assert!(
        import.stderr.contains("0 unchanged, 2 not run"),
        "{}",
        import.stderr
    );
    let file = results(dir, "1.0");
    let expected = format!(
        "case = \"MAN-002\"\nstatus = \"failed\"\nactual = {}\ndefect = \"https://bugs.example/12?lang=de&view=1\"\ntester = \"Zoë\"\nat = \"2024-05-02T10:15:00Z\"\n",
        toml::Value::String(actual.to_owned())
    );
    assert!(file.contains(&expected), "{expected}\nin\n{file}");
    assert!(
        file.contains("case = \"MAN-001\"\nstatus = \"passed\"\ntester = \"ann\"\n"),
        "{file}"
    );
    assert!(
        file.contains("case = \"MAN-003\"\nrow = 2\nstatus = \"blocked\"\n"),
        "{file}"
    );

    // Exported again, the sheet carries the results; read back, it changes nothing.
    ok(casebook(
        dir,
        &[
            "manual",
            "export",
            "--format",
            "csv",
            "--release",
            "1.0",
            "-o",
            "again.csv",
        ],
    ));
    let again = ok(casebook(
        dir,
        &["manual", "import", "again.csv", "--release", "1.0"],
    ));
    assert!(
        again
            .stderr
            .contains("imported 0 results for release 1.0; 3 unchanged, 2 not run"),
        "{}",
        again.stderr
    );
    assert_eq!(results(dir, "1.0"), file);
}

#[test]
fn a_sheet_with_bad_rows_is_not_half_imported() {
    let project = copy_of_manual_fixture("shop");
    let dir = project.path();
    let sheet = ok(casebook(
        dir,
        &["manual", "export", "--format", "csv", "--release", "1.0"],
    ))
    .stdout;
    let filled = fill(
        &sheet,
        &[
            ("MAN-001", None, "status", "passed"),
            ("MAN-002", None, "status", "done"),
            ("MAN-003", Some(1), "status", "passed"),
            ("MAN-003", Some(1), "at", "last tuesday"),
            ("MAN-011", None, "actual", "it refunded twice"),
        ],
    );
    std::fs::write(dir.join("filled.csv"), &filled).unwrap();
    let import = casebook(dir, &["manual", "import", "filled.csv", "--release", "1.0"]);
    assert_eq!(import.code, 1, "{import:#?}");
    // Each row's line: MAN-002's cells have multi-line steps, so lines are not rows.
    let lines: Vec<usize> = filled
        .match_indices("\nMAN-")
        .map(|(at, _)| filled[..at].matches('\n').count() + 2)
        .collect();
    let errors: Vec<&str> = import
        .stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    assert_eq!(
        errors,
        [
            format!(
                "error: filled.csv:{}: status `done` is not passed, failed or blocked",
                lines[1]
            ),
            format!(
                "error: filled.csv:{}: `at` = `last tuesday` is not a time such as 2024-05-01T09:30:00Z",
                lines[2]
            ),
            format!(
                "error: filled.csv:{}: `MAN-011` has an actual result or a defect but no status (passed, failed or blocked)",
                lines[4]
            ),
        ],
        "{}",
        import.stderr
    );
    assert!(
        import
            .stderr
            .contains("nothing imported: 3 bad rows in filled.csv")
    );
    assert!(
        !dir.join("manual-results").exists(),
        "MAN-001's good row was not recorded either"
    );
}

#[test]
fn markdown_and_html_checklists_show_every_case() {
    let project = copy_of_manual_fixture("shop");
    let dir = project.path();
    let md = ok(casebook(
        dir,
        &["manual", "export", "--format", "md", "--release", "1.0"],
    ))
    .stdout;
    assert!(
        md.starts_with("# Manual test checklist: release 1.0\n\n5 cases to run."),
        "{md}"
    );
    assert!(
        md.contains("\n## MAN-003 row 2: Paying with amex works\n"),
        "{md}"
    );
    assert!(
        md.contains("**Pre-conditions**\n\n- Given the demo shop is open  (Background)\n- Given the shop language is \"Deutsch\"\n"),
        "{md}"
    );
    assert!(
        md.contains("  ```\n  | page | price      |\n  | cart | 1.234,50 € |\n  ```\n"),
        "{md}"
    );
    let html = ok(casebook(
        dir,
        &["manual", "export", "--format", "html", "--release", "1.0"],
    ))
    .stdout;
    assert!(
        html.contains("<h2>MAN-011: An automated case awaiting its script</h2>"),
        "{html}"
    );
    assert!(html.contains("awaiting automation"), "{html}");
    assert!(html.contains("Thank you: paid"), "{html}");
}

#[test]
fn trace_shows_the_tester_s_result_and_counts_it() {
    let project = copy_of_manual_fixture("shop");
    let dir = project.path();
    ok(casebook(
        dir,
        &[
            "manual",
            "record",
            "MAN-001",
            "--status",
            "passed",
            "--release",
            "1.0",
            "--tester",
            "ann",
        ],
    ));
    ok(casebook(
        dir,
        &[
            "manual",
            "record",
            "MAN-002",
            "--status",
            "failed",
            "--actual",
            "prices in English",
            "--release",
            "1.0",
            "--tester",
            "ann",
        ],
    ));
    let trace = ok(casebook(dir, &["trace", "SHOP-1", "--release", "1.0"]));
    assert!(
        trace.stdout.contains("  2 cases (0 automated, 2 manual); executions: 1 passed, 1 failed, 0 unbound, 0 not run\n"),
        "{}",
        trace.stdout
    );
    assert!(
        trace.stdout.contains("  risk normal, failing\n"),
        "{}",
        trace.stdout
    );
    assert!(
        trace
            .stdout
            .contains("    manual result: failed by ann at "),
        "{}",
        trace.stdout
    );
    assert!(
        trace.stdout.contains("      actual: prices in English\n"),
        "{}",
        trace.stdout
    );

    // For another release, the same results are stale and prove nothing.
    let later = ok(casebook(dir, &["trace", "SHOP-1", "--release", "2.0"]));
    assert!(
        later
            .stdout
            .contains("executions: 0 passed, 0 failed, 0 unbound, 2 not run (0 blocked, 2 stale)"),
        "{}",
        later.stdout
    );
    assert!(
        later
            .stdout
            .contains("manual result: passed (stale: other release) by ann")
    );
    let case = ok(casebook(dir, &["trace", "MAN-011", "--release", "1.0"]));
    assert!(
        case.stdout
            .contains(", automated, awaiting automation, not run\n"),
        "{}",
        case.stdout
    );
}

#[test]
fn a_time_in_another_script_is_a_bad_row_and_a_file_holding_one_loses_no_command() {
    let project = copy_of_manual_fixture("shop");
    let dir = project.path();
    let sheet = ok(casebook(
        dir,
        &["manual", "export", "--format", "csv", "--release", "1.0"],
    ))
    .stdout;
    let filled = fill(
        &sheet,
        &[
            ("MAN-001", None, "status", "passed"),
            ("MAN-001", None, "at", "01/05/2024 à 9h30"),
            ("MAN-002", None, "status", "passed"),
            ("MAN-002", None, "at", "2024年5月1日"),
        ],
    );
    std::fs::write(dir.join("filled.csv"), &filled).unwrap();
    let import = casebook(dir, &["manual", "import", "filled.csv", "--release", "1.0"]);
    assert_eq!(import.code, 1, "{import:#?}");
    for at in ["01/05/2024 à 9h30", "2024年5月1日"] {
        assert!(
            import.stderr.contains(&format!(
                "`at` = `{at}` is not a time such as 2024-05-01T09:30:00Z"
            )),
            "{}",
            import.stderr
        );
    }

    // Such a time written into a results file by hand: the file is named with the line, and
    // every command still does its work.
    ok(casebook(
        dir,
        &[
            "manual",
            "record",
            "MAN-001",
            "--status",
            "passed",
            "--release",
            "1.0",
            "--tester",
            "alice",
        ],
    ));
    let file = dir.join("manual-results/1.0.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let at_line = text.lines().position(|l| l.starts_with("at = ")).unwrap() + 1;
    std::fs::write(
        &file,
        text.lines()
            .map(|l| {
                if l.starts_with("at = ") {
                    "at = \"2024年5月1日\""
                } else {
                    l
                }
            })
            .collect::<Vec<_>>()
            .join("\n"),
    )
    .unwrap();
    for args in [
        &["manual", "list", "--release", "1.0"][..],
        &["trace", "MAN-001", "--release", "1.0"][..],
    ] {
        let output = casebook(dir, args);
        assert_eq!(output.code, 0, "{args:?}: {output:#?}");
        assert!(
            output.stderr.contains(&format!(
                "manual-results/1.0.toml:{at_line}:6: `at` = \"2024年5月1日\" is not an RFC 3339 time"
            )),
            "{args:?}: {output:#?}"
        );
    }
}

#[test]
fn the_queue_as_json_gives_each_execution_its_state_and_result() {
    let project = copy_of_manual_fixture("shop");
    let dir = project.path();
    ok(casebook(
        dir,
        &[
            "manual",
            "record",
            "@MAN-001",
            "--status",
            "blocked",
            "--actual",
            "no printer",
            "--release",
            "1.0",
            "--tester",
            "bob",
        ],
    ));
    let output = ok(casebook(
        dir,
        &["manual", "list", "--release", "1.0", "--format", "json"],
    ));
    let json: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(json["release"], "1.0");
    let items = json["items"].as_array().unwrap();
    let item = |id: &str| items.iter().find(|i| i["case"] == id).unwrap();
    let blocked = item("MAN-001");
    assert_eq!(blocked["state"], "blocked");
    assert_eq!(blocked["result"]["tester"], "bob");
    assert_eq!(blocked["result"]["actual"], "no printer");
    assert_eq!(blocked["result"]["counts"], true);
    assert!(
        blocked["case_hash"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    let others: Vec<&serde_json::Value> = items.iter().filter(|i| i["case"] != "MAN-001").collect();
    assert!(!others.is_empty());
    assert!(
        others
            .iter()
            .all(|i| i["state"] == "not run" && i["result"].is_null()),
        "{json:#}"
    );
}
