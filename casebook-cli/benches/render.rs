//! Benchmark: the reports of a 10,000-case run, rendered and opened.
//!
//! `cargo bench --bench render` writes the generated project of `corpus.rs` (500 files × 20
//! cases: 12,000 executions, some failing, some unbound), runs it once with `casebook run`
//! against the demo shop on loopback, then times `casebook report` (reading the suite, the
//! catalog, `run.json` and `steps.json`, building the matrix and writing every report),
//! process start included, over several runs. Last it opens `report.html` in headless
//! Chromium and reads the page's own timings: until the DOM is ready, until the page has
//! loaded, and one outcome filter over every case.
//!
//! Options: `cargo bench --bench render -- [FEATURES] [CASES_PER_FEATURE] [RUNS]`.

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use casebook::world::{Browsers, WebDriver};

#[path = "corpus.rs"]
mod corpus;

fn main() {
    let (features, per_feature, runs) = corpus::size(5);

    let dir = tempfile::tempdir().expect("a temporary directory");
    corpus::write_project(dir.path(), features, per_feature);
    let binary = env!("CARGO_BIN_EXE_casebook");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let shop = runtime
        .block_on(demo_shop::Shop::start())
        .expect("the demo shop starts");

    let (outcome, run_time) = run_once(binary, dir.path(), shop.base_url());

    let mut times = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let output = Command::new(binary)
            .arg("report")
            .current_dir(dir.path())
            .output()
            .expect("casebook runs");
        times.push(start.elapsed());
        assert!(output.status.success(), "report failed: {output:?}");
    }
    times.sort();
    let report_dir = dir.path().join("target/casebook");
    let size =
        |name: &str| std::fs::metadata(report_dir.join(name)).map_or(0.0, |m| m.len() as f64 / 1e6);
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("casebook report, {features} files x {per_feature} cases, {runs} runs");
    println!(
        "  the run: {outcome} ({:.2} s with its reports)",
        run_time.as_secs_f64()
    );
    println!(
        "  wall ms: median {:.1}, min {:.1}, max {:.1}",
        ms(times[times.len() / 2]),
        ms(times[0]),
        ms(times[times.len() - 1])
    );
    for name in [
        "report.html",
        "cucumber.json",
        "junit.xml",
        "run.json",
        "summary.md",
    ] {
        println!("  {name}: {:.1} MB", size(name));
    }

    open_in_chromium(&runtime, &report_dir);
}

/// `casebook run` once against `base_url`: its outcome line and how long it took.
fn run_once(binary: &str, dir: &std::path::Path, base_url: &str) -> (String, Duration) {
    let start = Instant::now();
    let run = Command::new(binary)
        .args(["run", "--base-url", base_url])
        .current_dir(dir)
        .env_remove("CI")
        .output()
        .expect("casebook runs");
    let run_time = start.elapsed();
    let stdout = String::from_utf8_lossy(&run.stdout);
    let outcome = stdout
        .lines()
        .find(|l| l.starts_with(|c: char| c.is_ascii_digit()) && l.contains(" passed, "))
        .unwrap_or("(no outcome line)")
        .to_owned();
    (outcome, run_time)
}

/// Opens `report.html` in headless Chromium and prints the page's own timings.
fn open_in_chromium(runtime: &tokio::runtime::Runtime, report_dir: &std::path::Path) {
    let url = format!("file://{}", report_dir.join("report.html").display());
    let timings = runtime.block_on(async {
        let pool = Arc::new(Browsers::new(
            WebDriver::Chromedriver("chromedriver".into()),
            1,
            Duration::from_secs(120),
        ));
        let browser = pool.acquire().await.expect("a headless Chromium session");
        browser.open(&url).await.unwrap();
        let timings = browser
            .execute(
                "const n = performance.getEntriesByType('navigation')[0];
                 const select = document.getElementById('filter-outcome');
                 const start = performance.now();
                 select.value = 'failed';
                 select.dispatchEvent(new Event('change'));
                 const filter = performance.now() - start;
                 return [n.domContentLoadedEventEnd, n.loadEventEnd, filter,
                         document.getElementById('filter-count').value];",
            )
            .await
            .unwrap();
        browser.release().await;
        pool.shutdown().await;
        timings
    });
    println!(
        "  Chromium: DOM ready {:.0} ms, loaded {:.0} ms, outcome filter {:.0} ms ({})",
        timings[0].as_f64().unwrap_or(0.0),
        timings[1].as_f64().unwrap_or(0.0),
        timings[2].as_f64().unwrap_or(0.0),
        timings[3].as_str().unwrap_or("")
    );
}
