//! `casebook run`: API cases with the built-in steps and no Rust, against the demo shop
//! served on loopback, and its refusals.

use crate::support::{casebook, workspace_root};

/// The runner tests' HTTP fixture, which `casebook run` needs no Rust for.
fn http_fixture() -> std::path::PathBuf {
    workspace_root().join("tests/fixtures/runner/http")
}

/// `casebook run` of the HTTP fixture against `base_url`, reports into `report_dir`.
fn run_http_fixture(base_url: &str, report_dir: &str) -> crate::support::Output {
    casebook(
        &http_fixture(),
        &["run", "--base-url", base_url, "--report-dir", report_dir],
    )
}

#[test]
fn runs_api_cases_with_the_built_in_steps() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let shop = runtime.block_on(demo_shop::Shop::start()).unwrap();
    let reports = tempfile::tempdir().unwrap();
    let report_dir = reports.path().display().to_string();
    let output = run_http_fixture(shop.base_url(), &report_dir);
    assert_eq!(output.code, 0, "{}{}", output.stdout, output.stderr);
    assert!(
        output.stdout.contains("1 passed, 0 failed"),
        "{}",
        output.stdout
    );
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(reports.path().join("run.json")).unwrap())
            .unwrap();
    assert_eq!(record["executions"][0]["status"], "passed");
    assert_eq!(record["executions"][0]["case_id"], "HTTP-1");
    assert!(reports.path().join("steps.json").is_file());
    assert!(
        !output.stdout.contains('\x1b'),
        "no colour into a pipe: {:?}",
        output.stdout
    );
    let coloured = casebook(
        &http_fixture(),
        &[
            "run",
            "--base-url",
            shop.base_url(),
            "--report-dir",
            &report_dir,
            "--color",
            "always",
        ],
    );
    assert!(
        coloured
            .stdout
            .contains("\x1b[32m1 passed, 0 failed\x1b[0m"),
        "{:?}",
        coloured.stdout
    );
    drop(shop);

    // `casebook report` renders the summary again from the record, running nothing.
    std::fs::remove_file(reports.path().join("summary.md")).unwrap();
    let again = casebook(&http_fixture(), &["report", "--report-dir", &report_dir]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    let summary = std::fs::read_to_string(reports.path().join("summary.md")).unwrap();
    assert!(
        summary.starts_with("## ✅ casebook: 1 passed, 0 failed"),
        "{summary}"
    );
}

#[test]
fn a_dry_run_in_the_user_s_own_directory_removes_only_what_casebook_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let theirs = ["summary.md", "report.html", "cucumber.json", "junit.xml"];
    for name in theirs {
        std::fs::write(dir.path().join(name), format!("the user's own {name}")).unwrap();
    }
    let report_dir = dir.path().display().to_string();
    let dry = casebook(
        &http_fixture(),
        &["run", "--dry-run", "--report-dir", &report_dir],
    );
    assert_eq!(dry.code, 0, "{}{}", dry.stdout, dry.stderr);
    for name in theirs {
        let text = std::fs::read_to_string(dir.path().join(name)).unwrap();
        assert_eq!(text, format!("the user's own {name}"), "{name} was kept");
    }
    assert!(dir.path().join("run.json").is_file());
}

#[test]
fn a_report_that_cannot_be_written_fails_the_run_after_its_outcome() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let shop = runtime.block_on(demo_shop::Shop::start()).unwrap();
    let reports = tempfile::tempdir().unwrap();
    // A directory where the page goes: its rename fails as a full disk's write would.
    std::fs::create_dir_all(reports.path().join("report.html/in-the-way")).unwrap();
    let report_dir = reports.path().display().to_string();
    let output = run_http_fixture(shop.base_url(), &report_dir);
    assert_eq!(output.code, 1, "the failure exit code: {}", output.stderr);
    assert!(
        output.stdout.contains("1 passed, 0 failed"),
        "{}",
        output.stdout
    );
    assert!(
        output.stderr.contains(&format!(
            "error: cannot write `{}`",
            reports.path().join("report.html").display()
        )),
        "{}",
        output.stderr
    );
    for name in ["run.json", "summary.md", "junit.xml", "cucumber.json"] {
        assert!(
            reports.path().join(name).is_file(),
            "{name} is still written"
        );
    }
}

#[test]
fn a_dry_run_records_and_lints_but_leaves_no_report_of_an_earlier_run() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let shop = runtime.block_on(demo_shop::Shop::start()).unwrap();
    let reports = tempfile::tempdir().unwrap();
    let report_dir = reports.path().display().to_string();
    let rendered = ["report.html", "junit.xml", "cucumber.json", "summary.md"];
    let full = run_http_fixture(shop.base_url(), &report_dir);
    assert_eq!(full.code, 0, "{}{}", full.stdout, full.stderr);
    for name in rendered.iter().chain(&["messages.ndjson"]) {
        assert!(reports.path().join(name).is_file(), "{name} after a run");
    }

    let dry = casebook(
        &http_fixture(),
        &["run", "--dry-run", "--report-dir", &report_dir],
    );
    assert_eq!(dry.code, 0, "{}{}", dry.stdout, dry.stderr);
    for name in rendered.iter().chain(&["messages.ndjson"]) {
        assert!(
            !reports.path().join(name).exists(),
            "{name} after a dry run"
        );
    }
    for name in ["run.json", "lint.json", "steps.json"] {
        assert!(
            reports.path().join(name).is_file(),
            "{name} after a dry run"
        );
    }
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(reports.path().join("run.json")).unwrap())
            .unwrap();
    assert_eq!(record["selection"]["dry_run"], true);
    assert_eq!(record["executions"][0]["status"], "skipped");

    // The reports of the dry run's record, on demand.
    let report = casebook(&http_fixture(), &["report", "--report-dir", &report_dir]);
    assert_eq!(report.code, 0, "{}", report.stderr);
    for name in rendered {
        assert!(
            reports.path().join(name).is_file(),
            "{name} after casebook report"
        );
    }
    let summary = std::fs::read_to_string(reports.path().join("summary.md")).unwrap();
    assert!(summary.contains("1 skipped"), "{summary}");
}

#[test]
fn a_run_without_a_service_is_refused_but_a_dry_run_needs_none() {
    let reports = tempfile::tempdir().unwrap();
    let report_dir = reports.path().display().to_string();
    let refused = casebook(&http_fixture(), &["run", "--report-dir", &report_dir]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused.stderr.contains(
            "no service to test\n(hint: set --base-url, CASEBOOK_BASE_URL or `run.base-url`"
        ),
        "{}",
        refused.stderr
    );
    let dry = casebook(
        &http_fixture(),
        &["run", "--dry-run", "--report-dir", &report_dir],
    );
    assert_eq!(dry.code, 0, "{}{}", dry.stdout, dry.stderr);
    assert!(
        dry.stdout.contains("dry run: nothing executed"),
        "{}",
        dry.stdout
    );
}

/// The secrets a hostile service plants, each where a step's error, a transcript or a URL
/// would carry it.
const SECRETS: &[&str] = &[
    "sid-s3cr3t-1",
    "pw-s3cr3t-2",
    "key-s3cr3t-3",
    "session-s3cr3t-4",
    "token-s3cr3t-5",
    "broken-s3cr3t-6",
    "nested-s3cr3t-7",
    "query-s3cr3t-8",
    "userinfo-s3cr3t-9",
    "redirect-s3cr3t-10",
    "header-s3cr3t-11",
];

/// A service on loopback that answers with secrets everywhere: in a cookie, in JSON at any
/// depth, in JSON that does not parse, in JSON inside a JSON string, in a redirect's URL.
fn hostile_service() -> String {
    use std::io::{Read as _, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for socket in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut socket = socket;
                let mut request = vec![0u8; 8192];
                let n = socket.read(&mut request).unwrap_or(0);
                let request = String::from_utf8_lossy(&request[..n]).into_owned();
                let path = request.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let (status, headers, body) = match path.split('?').next().unwrap_or("") {
                    "/cookie" => ("200 OK", "Set-Cookie: sid=sid-s3cr3t-1; HttpOnly\r\n", "ok".to_owned()),
                    "/nested" => (
                        "200 OK",
                        "Content-Type: application/json\r\n",
                        r#"{"user":{"name":"ann","password":"pw-s3cr3t-2","apiKey":"key-s3cr3t-3","session":{"id":"session-s3cr3t-4"}},"items":[{"token":"token-s3cr3t-5"}]}"#.to_owned(),
                    ),
                    "/broken" => (
                        "200 OK",
                        "Content-Type: application/json\r\n",
                        r#"{"password": "broken-s3cr3t-6", oops"#.to_owned(),
                    ),
                    "/stringly" => (
                        "200 OK",
                        "Content-Type: application/json\r\n",
                        r#"{"payload":"{\"token\": \"nested-s3cr3t-7\"}"}"#.to_owned(),
                    ),
                    "/redirect" => (
                        "302 Found",
                        "Location: /landing?access_token=redirect-s3cr3t-10\r\n",
                        String::new(),
                    ),
                    _ => ("500 Internal Server Error", "", "no".to_owned()),
                };
                let answer = format!(
                    "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(answer.as_bytes());
            });
        }
    });
    format!("127.0.0.1:{}", address.port())
}

#[test]
fn no_secret_of_a_hostile_service_reaches_a_report_or_the_terminal() {
    let address = hostile_service();
    let project = tempfile::tempdir().unwrap();
    let feature = r#"Feature: A hostile service

  @SEC-1
  Scenario: a cookie quoted in an error
    When I send a GET request to "/cookie"
    Then the response header "Set-Cookie" should contain "nothing"

  @SEC-2
  Scenario: secrets at every depth of JSON quoted in an error
    When I send a GET request to "/nested"
    Then the response body should contain "nothing"

  @SEC-3
  Scenario: a secret in JSON that does not parse
    When I send a GET request to "/broken"
    Then the response JSON at "$.password" should be "nothing"

  @SEC-4
  Scenario: a secret in JSON inside a JSON string
    When I send a GET request to "/stringly"
    Then the response JSON at "$.payload" should be "nothing"

  @SEC-5
  Scenario: a secret in the query of a URL
    Given I set the request header "X-Auth-Token" to "${env:HOSTILE_TOKEN}"
    When I send a GET request to "/data?api_key=${env:HOSTILE_KEY}"
    Then the response status should be 200

  @SEC-6
  Scenario: a secret in a redirect's URL
    When I send a GET request to "/redirect"
    Then the response status should be 200
"#;
    crate::support::write(
        project.path(),
        "features/hostile.feature",
        feature.as_bytes(),
    );
    crate::support::write(project.path(), "casebook.toml", b"");
    let reports = project.path().join("reports");
    let base_url = format!("http://ann:userinfo-s3cr3t-9@{address}");
    let output = casebook(
        project.path(),
        &[
            "run",
            "--base-url",
            &base_url,
            "--report-dir",
            &reports.display().to_string(),
        ],
    );
    assert_eq!(
        output.code, 1,
        "every case fails: {}{}",
        output.stdout, output.stderr
    );
    assert!(
        output.stdout.contains("0 passed, 6 failed"),
        "{}",
        output.stdout
    );
    let mut shown = vec![
        ("stdout".to_owned(), output.stdout.clone()),
        ("stderr".to_owned(), output.stderr.clone()),
    ];
    for entry in walkdir(&reports) {
        let text = String::from_utf8_lossy(&std::fs::read(&entry).unwrap()).into_owned();
        shown.push((entry.display().to_string(), text));
    }
    assert!(
        shown.len() > 8,
        "the reports, the messages and the transcripts: {shown:?}"
    );
    let mut leaks = Vec::new();
    for (place, text) in &shown {
        for secret in SECRETS {
            if text.contains(secret) {
                leaks.push(format!("{secret} in {place}"));
            }
        }
    }
    assert!(leaks.is_empty(), "secrets shown: {leaks:#?}");
}

/// Every file below `dir`.
fn walkdir(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walkdir(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn a_run_that_selects_no_case_says_so_and_fails_when_strict() {
    let reports = tempfile::tempdir().unwrap();
    let report_dir = reports.path().display().to_string();
    let args = [
        "run",
        "--dry-run",
        "--tags",
        "@no-such-tag",
        "--report-dir",
        &report_dir,
    ];
    let lenient = casebook(&http_fixture(), &args);
    assert_eq!(lenient.code, 0, "{}{}", lenient.stdout, lenient.stderr);
    assert!(
        lenient
            .stdout
            .contains("warning: the run selected no case (1 case in the suite, 0 manual)"),
        "{}",
        lenient.stdout
    );

    let strict = casebook(&http_fixture(), &[&args[..], &["--strict"]].concat());
    assert_eq!(strict.code, 1, "{}{}", strict.stdout, strict.stderr);
    assert!(
        strict
            .stdout
            .contains("error: the run selected no case, which fails a strict run"),
        "{}",
        strict.stdout
    );
}

/// A service that answers `/fast` at once and never answers `/slow`; each `/slow` request
/// is announced on the channel.
fn service_with_a_slow_path() -> (String, std::sync::mpsc::Receiver<()>) {
    use std::io::{Read as _, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (slow, asked) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for socket in listener.incoming().flatten() {
            let slow = slow.clone();
            std::thread::spawn(move || {
                let mut socket = socket;
                let mut request = [0u8; 4096];
                let n = socket.read(&mut request).unwrap_or(0);
                if String::from_utf8_lossy(&request[..n]).starts_with("GET /slow") {
                    let _ = slow.send(());
                    std::thread::sleep(std::time::Duration::from_secs(60));
                } else {
                    let _ = socket.write_all(
                        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
                    );
                }
            });
        }
    });
    (base, asked)
}

#[test]
fn an_interrupted_run_records_what_finished_and_removes_the_old_reports() {
    let (base_url, slow_asked) = service_with_a_slow_path();
    let project = tempfile::tempdir().unwrap();
    let feature = "Feature: One fast case, one that hangs\n\n  @INT-1\n  Scenario: fast\n    When I send a GET request to \"/fast\"\n    Then the response status should be 200\n\n  @INT-2\n  Scenario: slow\n    When I send a GET request to \"/slow\"\n    Then the response status should be 200\n";
    crate::support::write(project.path(), "features/run.feature", feature.as_bytes());
    crate::support::write(
        project.path(),
        "casebook.toml",
        b"[run]\ntimeout = \"60s\"\n",
    );
    let reports = project.path().join("reports");
    let report_dir = reports.display().to_string();
    // The reports of an earlier, finished run.
    let earlier = casebook(
        project.path(),
        &["run", "--dry-run", "--report-dir", &report_dir],
    );
    assert_eq!(earlier.code, 0, "{}", earlier.stderr);
    let again = casebook(project.path(), &["report", "--report-dir", &report_dir]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(reports.join("summary.md").is_file());

    let child = std::process::Command::new(env!("CARGO_BIN_EXE_casebook"))
        .args(["run", "--base-url", &base_url, "--report-dir", &report_dir])
        .current_dir(project.path())
        .env("NO_COLOR", "1")
        .env_remove("CI")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    slow_asked
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("the slow case asks");
    // The fast case has its answer by now; the slow one never will.
    std::thread::sleep(std::time::Duration::from_millis(500));
    let kill = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted by SIGINT"), "{stderr}");
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(reports.join("run.json")).unwrap()).unwrap();
    assert_eq!(record["interrupted"], "SIGINT");
    let status = |id: &str| {
        record["executions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["case_id"] == id)
            .map(|e| e["status"].clone())
    };
    assert_eq!(status("INT-1"), Some("passed".into()), "{record:#}");
    assert_eq!(status("INT-2"), Some("skipped".into()), "{record:#}");
    for name in ["summary.md", "report.html", "junit.xml", "cucumber.json"] {
        assert!(
            !reports.join(name).exists(),
            "{name} of the earlier run is removed"
        );
    }
}

/// A CA and a certificate it signs for 127.0.0.1, served over TLS on a loopback port that
/// answers `200 ok` to every request: the CA's PEM and the base URL.
fn https_service() -> (String, String) {
    use std::io::{Read as _, Write as _};
    use std::sync::Arc;

    let named = |name: &str| {
        let mut dn = rcgen::DistinguishedName::new();
        dn.push(rcgen::DnType::CommonName, name);
        dn
    };
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.distinguished_name = named("the team's CA");
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let ca_pem = ca.self_signed(&ca_key).unwrap().pem();
    let mut leaf = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap();
    leaf.distinguished_name = named("the service");
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let issuer = rcgen::Issuer::from_params(&ca, &ca_key);
    let certificate = leaf.signed_by(&leaf_key, &issuer).unwrap();
    let key = rustls::pki_types::PrivatePkcs8KeyDer::from(leaf_key.serialize_der());
    let config = Arc::new(
        rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![certificate.der().clone()], key.into())
        .unwrap(),
    );
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("https://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for socket in listener.incoming().flatten() {
            let _ = socket.set_read_timeout(Some(std::time::Duration::from_secs(5)));
            let connection = rustls::ServerConnection::new(config.clone()).unwrap();
            let mut stream = rustls::StreamOwned::new(connection, socket);
            let mut request = Vec::new();
            let mut buffer = [0u8; 1024];
            // A refused handshake ends the read with an error: the next connection then.
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buffer) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buffer[..n]),
                }
            }
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
            stream.conn.send_close_notify();
            let _ = stream.flush();
        }
    });
    (ca_pem, base)
}

const HTTPS_FEATURE: &[u8] = b"Feature: A service checked over HTTPS

  @TLS-1
  Scenario: The service answers over HTTPS
    When I send a GET request to \"/ok\"
    Then the response status should be 200
";

#[test]
fn an_https_service_passes_with_its_ca_in_ca_cert_and_fails_without_naming_the_setting() {
    let (ca_pem, base) = https_service();
    let run = |config: &str| {
        let dir = crate::support::project(&[
            ("casebook.toml", config.as_bytes()),
            ("certs/ca.pem", ca_pem.as_bytes()),
            ("features/tls.feature", HTTPS_FEATURE),
        ]);
        let output = casebook(
            dir.path(),
            &["run", "--base-url", &base, "--report-dir", "reports"],
        );
        (dir, output)
    };

    let (_dir, trusted) = run("[tls]\nca-cert = \"certs/ca.pem\"\n");
    assert_eq!(trusted.code, 0, "{}{}", trusted.stdout, trusted.stderr);
    assert!(
        trusted.stdout.contains("1 passed, 0 failed"),
        "{}",
        trusted.stdout
    );
    assert!(
        !trusted.stderr.contains("accept-invalid-certs"),
        "{}",
        trusted.stderr
    );

    let (_dir, unknown) = run("");
    assert_eq!(unknown.code, 1, "{}{}", unknown.stdout, unknown.stderr);
    let shown = format!("{}{}", unknown.stdout, unknown.stderr);
    assert!(
        shown.contains("signed by a certificate authority casebook does not trust"),
        "{shown}"
    );
    assert!(shown.contains("`ca-cert` under [tls]"), "{shown}");
    assert!(!shown.contains("is the service running"), "{shown}");

    let (_dir, lenient) = run("[tls]\naccept-invalid-certs = true\n");
    assert_eq!(lenient.code, 0, "{}{}", lenient.stdout, lenient.stderr);
    assert!(
        lenient
            .stderr
            .starts_with("warning: `accept-invalid-certs` is on under [tls]"),
        "{}",
        lenient.stderr
    );
}

#[test]
fn a_base_url_casebook_cannot_speak_is_a_usage_error_before_anything_runs() {
    for url in [
        "ftp://files.example.test",
        "file:///srv/shop",
        "127.0.0.1:8080",
    ] {
        let dir = crate::support::project(&[("features/tls.feature", HTTPS_FEATURE)]);
        let output = casebook(
            dir.path(),
            &["run", "--base-url", url, "--report-dir", "reports"],
        );
        assert_eq!(output.code, 2, "{url}: {}{}", output.stdout, output.stderr);
        assert!(
            output
                .stderr
                .contains(&format!("`{url}` is not a base URL casebook can test")),
            "{}",
            output.stderr
        );
        assert!(
            !dir.path().join("reports/run.json").exists(),
            "{url}: nothing ran"
        );
    }
}

#[test]
fn a_tls_file_that_cannot_be_read_is_a_usage_error_naming_it() {
    let dir = crate::support::project(&[
        ("casebook.toml", b"[tls]\nca-cert = \"certs/missing.pem\"\n"),
        ("features/tls.feature", HTTPS_FEATURE),
    ]);
    let output = casebook(
        dir.path(),
        &[
            "run",
            "--base-url",
            "https://127.0.0.1:9",
            "--report-dir",
            "reports",
        ],
    );
    assert_eq!(output.code, 2, "{}{}", output.stdout, output.stderr);
    assert!(
        output
            .stderr
            .contains("certs/missing.pem` (`tls.ca-cert`): cannot read it"),
        "{}",
        output.stderr
    );
}

#[test]
fn each_case_is_a_test_to_cargo_nextest() {
    let list = casebook(&http_fixture(), &["run", "--list", "--format", "terse"]);
    assert_eq!(list.code, 0, "{}", list.stderr);
    assert_eq!(
        list.stdout.lines().last(),
        Some("HTTP-1: test"),
        "{}",
        list.stdout
    );
    let ignored = casebook(
        &http_fixture(),
        &["run", "--list", "--format", "terse", "--ignored"],
    );
    assert_eq!(ignored.code, 0, "{}", ignored.stderr);
    assert!(
        !ignored.stdout.contains(": test"),
        "no case is ignored: {}",
        ignored.stdout
    );

    // Run as nextest runs a test: each case's reports in a directory of its own.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let shop = runtime.block_on(demo_shop::Shop::start()).unwrap();
    let project = tempfile::tempdir().unwrap();
    crate::support::write(
        project.path(),
        "casebook.toml",
        b"report-dir = \"reports\"\n",
    );
    let feature = std::fs::read(http_fixture().join("features/http.feature")).unwrap();
    crate::support::write(project.path(), "features/http.feature", &feature);
    let output = crate::support::casebook_with_env(
        project.path(),
        &[
            "run",
            "--base-url",
            shop.base_url(),
            "HTTP-1",
            "--exact",
            "--nocapture",
        ],
        &[("NEXTEST_RUN_ID", "0f1e2d3c")],
    );
    assert_eq!(output.code, 0, "{}{}", output.stdout, output.stderr);
    assert!(
        project
            .path()
            .join("reports/nextest/HTTP-1/run.json")
            .is_file()
    );
}
