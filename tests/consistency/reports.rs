//! What each report shows of each execution, read back the way its readers read it.

use std::collections::BTreeMap;

use crate::expected::{Argument, Counts, Execution, Shown, Step};

/// The steps of every `<testcase>` of `junit.xml`, by its execution's line (from the
/// `case:` line of its story).
pub fn junit(xml: &str, expected: &BTreeMap<usize, Execution>) -> Vec<(usize, Shown)> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stories = Vec::new();
    let mut in_case = false;
    let mut text = String::new();
    loop {
        match reader.read_event().expect("junit.xml is XML") {
            quick_xml::events::Event::Start(e) if e.name().as_ref() == "testcase" => {
                in_case = true;
            }
            quick_xml::events::Event::End(e) if e.name().as_ref() == "testcase" => {
                in_case = false;
            }
            quick_xml::events::Event::Start(e) if in_case && e.name().as_ref() == "system-out" => {
                text.clear();
            }
            quick_xml::events::Event::Text(t) if in_case => {
                text.push_str(&t.xml10_content());
            }
            quick_xml::events::Event::GeneralRef(r) if in_case => {
                match r.resolve_char_ref().unwrap() {
                    Some(c) => text.push(c),
                    None => text.push_str(
                        quick_xml::escape::resolve_predefined_entity(&r.xml10_content())
                            .expect("only XML's own entities"),
                    ),
                }
            }
            quick_xml::events::Event::End(e) if in_case && e.name().as_ref() == "system-out" => {
                stories.push(std::mem::take(&mut text));
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    stories
        .iter()
        .map(|story| junit_story(story, expected))
        .collect()
}

/// One testcase's story: `case: file:line[, Examples row n (line l)]`, then `steps:` with
/// one line per step (`status    Keyword text  (definition)`), its table rows or doc string
/// indented below it.
fn junit_story(story: &str, expected: &BTreeMap<usize, Execution>) -> (usize, Shown) {
    let case = story
        .lines()
        .find_map(|l| l.strip_prefix("case: "))
        .unwrap_or_else(|| panic!("a story without its case: {story}"));
    let line = match case.split_once("(line ") {
        Some((_, rest)) => rest.trim_end_matches(')').parse().unwrap(),
        None => case.rsplit(':').next().unwrap().parse().unwrap(),
    };
    let mut steps: Shown = Vec::new();
    let mut doc: Option<Vec<String>> = None;
    let lines = story.lines().skip_while(|l| *l != "steps:").skip(1);
    for text in lines {
        let trimmed = text.trim();
        if let Some(lines) = &mut doc {
            if trimmed == "\"\"\"" {
                let content = lines.join("\n");
                steps.last_mut().unwrap().argument = Argument::DocString(content);
                doc = None;
            } else {
                lines.push(trimmed.to_owned());
            }
        } else if trimmed.is_empty() {
            // The failure's details follow the steps after an empty line.
            break;
        } else if trimmed == "\"\"\"" {
            doc = Some(Vec::new());
        } else if let Some(row) = trimmed.strip_prefix('|') {
            let cells = row
                .trim_end_matches('|')
                .split('|')
                .map(|c| c.trim().to_owned())
                .collect();
            let step = steps.last_mut().unwrap();
            match &mut step.argument {
                Argument::Table(rows) => rows.push(cells),
                _ => step.argument = Argument::Table(vec![cells]),
            }
        } else {
            // `passed    Given a basket with 1 "pen"  (steps.rs:14:1)`
            // A manual case's steps have no status.
            let step = match trimmed.split_once(' ') {
                Some((status, step)) if STATUSES.contains(&status) => step.trim_start(),
                _ => trimmed,
            };
            let step = step.rsplit_once("  (").map_or(step, |(step, _)| step);
            let (_, text) = step.split_once(' ').unwrap();
            // The story names no step lines: each step takes its line from the pickle step
            // at its place, so that a step shown in another's place still differs in text.
            let at = steps.len();
            let line = expected
                .get(&line)
                .and_then(|e| e.steps.get(at))
                .map_or(0, |s| s.line);
            steps.push(Step {
                line,
                text: text.to_owned(),
                argument: Argument::None,
            });
        }
    }
    (line, steps)
}

const STATUSES: [&str; 5] = ["passed", "failed", "skipped", "unbound", "ambiguous"];

/// The steps of every scenario element of `cucumber.json`: the Background element before
/// it, then its own, by the element's line (its Examples row's, for an outline).
pub fn cucumber_json(json: &str) -> Vec<(usize, Shown)> {
    let features: serde_json::Value = serde_json::from_str(json).unwrap();
    let mut shown = Vec::new();
    for feature in features.as_array().unwrap() {
        let mut background: Shown = Vec::new();
        for element in feature["elements"].as_array().unwrap() {
            let steps = element["steps"]
                .as_array()
                .unwrap()
                .iter()
                .map(|step| Step {
                    line: step["line"].as_u64().unwrap() as usize,
                    text: step["name"].as_str().unwrap().to_owned(),
                    argument: if let Some(rows) = step.get("rows") {
                        Argument::Table(
                            rows.as_array()
                                .unwrap()
                                .iter()
                                .map(|row| {
                                    row["cells"]
                                        .as_array()
                                        .unwrap()
                                        .iter()
                                        .map(|c| c.as_str().unwrap().to_owned())
                                        .collect()
                                })
                                .collect(),
                        )
                    } else if let Some(doc) = step.get("doc_string") {
                        Argument::DocString(doc["value"].as_str().unwrap().to_owned())
                    } else {
                        Argument::None
                    },
                });
            if element["type"] == "background" {
                background = steps.collect();
            } else {
                let line = element["line"].as_u64().unwrap() as usize;
                let all = std::mem::take(&mut background).into_iter().chain(steps);
                shown.push((line, all.collect()));
            }
        }
    }
    shown
}

/// The case data of `report.html`: each case's steps as written, its Backgrounds', and the
/// cells of each Examples row; an outline's row shows its steps with those cells in place.
pub fn html_cases(html: &str, expected: &BTreeMap<usize, Execution>) -> Vec<(usize, Shown)> {
    let data = html
        .split_once(r#"<script type="application/json" id="case-data">"#)
        .and_then(|(_, rest)| rest.split_once("</script>"))
        .map(|(data, _)| data)
        .expect("report.html has its case data");
    let features: serde_json::Value = serde_json::from_str(data).unwrap();
    let mut shown = Vec::new();
    for feature in features.as_array().unwrap() {
        let feature_background = block_steps(&feature["background"]);
        for case in feature["cases"].as_array().unwrap() {
            let mut background = feature_background.clone();
            if let Some(rule) = case["rule"].as_u64() {
                background.extend(block_steps(&feature["rules"][rule as usize]));
            }
            let own = steps_of(&case["steps"]);
            // The page shows no lines: rows are an outline's executions in file order.
            let id = case["id"].as_str().unwrap();
            let mut line_of_row = expected
                .iter()
                .filter(|(_, e)| e.case_id == id)
                .map(|(line, _)| *line);
            let Some(blocks) = case["examples"].as_array().filter(|b| !b.is_empty()) else {
                let line = case["line"].as_u64().unwrap() as usize;
                let steps = background.iter().chain(&own).map(shown_step).collect();
                shown.push((line, with_lines(steps, expected.get(&line))));
                continue;
            };
            for block in blocks {
                let header: Vec<&str> = block["header"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|h| h.as_str().unwrap())
                    .collect();
                for row in block["rows"].as_array().unwrap() {
                    let cells: Vec<&str> = row["cells"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|c| c.as_str().unwrap())
                        .collect();
                    let fill = |text: &str| {
                        header
                            .iter()
                            .zip(&cells)
                            .fold(text.to_owned(), |text, (name, value)| {
                                text.replace(&format!("<{name}>"), value)
                            })
                    };
                    let steps = background
                        .iter()
                        .map(shown_step)
                        .chain(own.iter().map(|step| {
                            let mut step = shown_step(step);
                            step.text = fill(&step.text);
                            step.argument = match step.argument {
                                Argument::Table(rows) => Argument::Table(
                                    rows.iter()
                                        .map(|r| r.iter().map(|c| fill(c)).collect())
                                        .collect(),
                                ),
                                Argument::DocString(doc) => Argument::DocString(fill(&doc)),
                                Argument::None => Argument::None,
                            };
                            step
                        }))
                        .collect();
                    let line = line_of_row.next().expect("no more rows than the fixture's");
                    shown.push((line, with_lines(steps, expected.get(&line))));
                }
            }
        }
    }
    shown
}

/// The page's steps: `[keyword, text, status, table, doc string]` with the line apart.
type PageStep = (usize, String, Argument);

fn steps_of(steps: &serde_json::Value) -> Vec<PageStep> {
    steps
        .as_array()
        .unwrap()
        .iter()
        .map(|step| {
            let argument = if let Some(rows) = step[3].as_array() {
                Argument::Table(
                    rows.iter()
                        .map(|r| {
                            r.as_array()
                                .unwrap()
                                .iter()
                                .map(|c| c.as_str().unwrap().to_owned())
                                .collect()
                        })
                        .collect(),
                )
            } else if let Some(doc) = step[4].as_str() {
                Argument::DocString(doc.to_owned())
            } else {
                Argument::None
            };
            let line = step.get(5).and_then(|l| l.as_u64()).unwrap_or(0) as usize;
            (line, step[1].as_str().unwrap().to_owned(), argument)
        })
        .collect()
}

fn block_steps(block: &serde_json::Value) -> Vec<PageStep> {
    if block.is_null() {
        return Vec::new();
    }
    steps_of(&block["steps"])
}

fn shown_step((line, text, argument): &PageStep) -> Step {
    Step {
        line: *line,
        text: text.clone(),
        argument: argument.clone(),
    }
}

/// The page names no step lines: each step takes its line from the pickle step at its
/// place, so that a step shown in another's place still differs in text.
fn with_lines(mut steps: Shown, expected: Option<&Execution>) -> Shown {
    for (at, step) in steps.iter_mut().enumerate() {
        step.line = expected.and_then(|e| e.steps.get(at)).map_or(0, |s| s.line);
    }
    steps
}

/// Each `testCase` of `messages.ndjson` with the steps of its pickle in the order of its
/// test steps, by the pickle's line. A test step that names no pickle step (a hook) is
/// left out; one that names a step twice shows it twice.
pub fn messages(ndjson: &str) -> Vec<(usize, Shown)> {
    let mut pickles = BTreeMap::new();
    let mut cases = Vec::new();
    let mut lines = BTreeMap::new();
    for line in ndjson.lines() {
        let message: serde_json::Value = serde_json::from_str(line).unwrap();
        if let Some(document) = message.get("gherkinDocument") {
            lines.extend(crate::expected::node_lines(document));
        } else if let Some(pickle) = message.get("pickle") {
            pickles.insert(pickle["id"].as_str().unwrap().to_owned(), pickle.clone());
        } else if let Some(case) = message.get("testCase") {
            cases.push(case.clone());
        }
    }
    cases
        .iter()
        .map(|case| {
            let pickle = &pickles[case["pickleId"].as_str().unwrap()];
            let steps: BTreeMap<&str, &serde_json::Value> = pickle["steps"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| (s["id"].as_str().unwrap(), s))
                .collect();
            let line = pickle["location"]["line"].as_u64().unwrap() as usize;
            let shown = case["testSteps"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|t| t.get("pickleStepId")?.as_str())
                .map(|id| {
                    let step = steps[id];
                    let argument = &step["argument"];
                    Step {
                        line: lines[step["astNodeIds"][0].as_str().unwrap()],
                        text: step["text"].as_str().unwrap().to_owned(),
                        argument: if let Some(table) = argument.get("dataTable") {
                            Argument::Table(
                                table["rows"]
                                    .as_array()
                                    .unwrap()
                                    .iter()
                                    .map(|r| {
                                        r["cells"]
                                            .as_array()
                                            .unwrap()
                                            .iter()
                                            .map(|c| c["value"].as_str().unwrap().to_owned())
                                            .collect()
                                    })
                                    .collect(),
                            )
                        } else if let Some(doc) = argument.get("docString") {
                            Argument::DocString(doc["content"].as_str().unwrap().to_owned())
                        } else {
                            Argument::None
                        },
                    }
                })
                .collect();
            (line, shown)
        })
        .collect()
}

/// What `run.json` says of the executions.
pub struct Record {
    /// Each execution's status, by its line.
    pub status: BTreeMap<usize, String>,
    /// The steps it recorded, of each execution that recorded some (the failed ones).
    pub failed_steps: Vec<(usize, Shown)>,
}

pub fn record(json: &str) -> Record {
    let record: serde_json::Value = serde_json::from_str(json).unwrap();
    let mut status = BTreeMap::new();
    let mut failed_steps = Vec::new();
    for execution in record["executions"].as_array().unwrap() {
        let line = execution["example"]["line"]
            .as_u64()
            .or(execution["line"].as_u64())
            .unwrap() as usize;
        status.insert(line, execution["status"].as_str().unwrap().to_owned());
        let steps = execution["steps"].as_array().unwrap();
        if !steps.is_empty() {
            let shown = steps
                .iter()
                .map(|s| Step {
                    line: s["line"].as_u64().unwrap() as usize,
                    text: s["text"].as_str().unwrap().to_owned(),
                    argument: Argument::None,
                })
                .collect();
            failed_steps.push((line, shown));
        }
    }
    Record {
        status,
        failed_steps,
    }
}

/// The failures `summary.md` lists: each failed execution's line, from its case's line and
/// Examples row, with its `step:` line.
pub fn summary_failures(
    markdown: &str,
    expected: &BTreeMap<usize, Execution>,
) -> Vec<(usize, String)> {
    let section = markdown
        .split_once("### Failures")
        .map_or("", |(_, rest)| rest);
    let mut failures = Vec::new();
    let mut lines = section.lines().peekable();
    while let Some(line) = lines.next() {
        let Some(case) = line.strip_prefix("- **") else {
            continue;
        };
        let (id, rest) = case.split_once("**").unwrap();
        let row: usize = rest
            .split_once("Examples row ")
            .map(|(_, n)| n.trim_end_matches(')').parse().unwrap())
            .unwrap_or(1);
        let execution_line = *expected
            .iter()
            .filter(|(_, e)| e.case_id == id)
            .nth(row - 1)
            .unwrap_or_else(|| panic!("summary.md: {id} has no row {row}"))
            .0;
        let step = lines
            .next()
            .and_then(|l| l.trim().strip_prefix("- step: "))
            .unwrap_or_else(|| panic!("summary.md: the failure of {id} names no step"));
        failures.push((execution_line, step.to_owned()));
    }
    failures
}

/// A requirement row's counts: cases, passed, failed, not run.
pub type Row = (usize, usize, usize, usize);

impl Counts {
    pub fn row(&self) -> Row {
        (self.cases.len(), self.passed, self.failed, self.not_run)
    }
}

/// The requirements table of `summary.md`.
pub fn summary_requirements(markdown: &str) -> BTreeMap<String, Row> {
    markdown
        .lines()
        .skip_while(|l| *l != "### Requirements")
        .filter(|l| l.starts_with("| ") && !l.starts_with("| Requirement"))
        .take_while(|l| !l.is_empty())
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            let n = |i: usize| cells[i].parse::<usize>().unwrap();
            let id = cells[0].trim_start_matches("&nbsp;").to_owned();
            (id, (n(4), n(5), n(6), n(8)))
        })
        .collect()
}

/// The requirements table of `report.html`.
pub fn html_requirements(html: &str) -> BTreeMap<String, Row> {
    let mut rows = BTreeMap::new();
    for row in html.split(r#"<tr class="requirement "#).skip(1) {
        let id = row
            .split_once(r#"data-requirement=""#)
            .and_then(|(_, rest)| rest.split_once('"'))
            .unwrap()
            .0;
        let numbers: Vec<usize> = row
            .split("<td>")
            .filter_map(|cell| cell.split_once("</td>")?.0.parse().ok())
            .collect();
        // Cases, automated, manual, passed, failed, unbound, not run.
        rows.insert(
            id.to_owned(),
            (numbers[0], numbers[3], numbers[4], numbers[6]),
        );
    }
    rows
}

/// The attachments `run.json` keeps, by their execution's line.
pub fn record_attachments(json: &str) -> Vec<(usize, String)> {
    let record: serde_json::Value = serde_json::from_str(json).unwrap();
    let mut found = Vec::new();
    for execution in record["executions"].as_array().unwrap() {
        let line = execution["example"]["line"]
            .as_u64()
            .or(execution["line"].as_u64())
            .unwrap() as usize;
        for attachment in execution["attachments"].as_array().unwrap() {
            found.push((line, attachment["path"].as_str().unwrap().to_owned()));
        }
    }
    found
}

/// Each `attachment` message of `messages.ndjson` that has a file name: the line of its
/// test case's pickle, the text of the pickle step its test step runs, and the file.
pub fn messages_attachments(ndjson: &str) -> Vec<(usize, String, String)> {
    let messages: Vec<serde_json::Value> = ndjson
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let by_id = |kind: &str| -> BTreeMap<String, serde_json::Value> {
        messages
            .iter()
            .filter_map(|m| m.get(kind))
            .map(|v| (v["id"].as_str().unwrap().to_owned(), v.clone()))
            .collect()
    };
    let (pickles, cases, started) = (by_id("pickle"), by_id("testCase"), by_id("testCaseStarted"));
    let mut found = Vec::new();
    for attachment in messages.iter().filter_map(|m| m.get("attachment")) {
        let Some(file) = attachment["fileName"].as_str() else {
            continue;
        };
        let started = &started[attachment["testCaseStartedId"].as_str().unwrap()];
        let case = &cases[started["testCaseId"].as_str().unwrap()];
        let pickle = &pickles[case["pickleId"].as_str().unwrap()];
        let step_id = attachment["testStepId"].as_str().unwrap_or_default();
        let text = case["testSteps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == step_id)
            .and_then(|s| s["pickleStepId"].as_str())
            .and_then(|id| {
                pickle["steps"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|s| s["id"] == id)
            })
            .map_or("(no step)", |s| s["text"].as_str().unwrap());
        let line = pickle["location"]["line"].as_u64().unwrap() as usize;
        found.push((
            line,
            text.to_owned(),
            format!("messages.ndjson:attachments/{file}"),
        ));
    }
    found
}

/// Each embedding of `cucumber.json`: its scenario's line, its step's text, and its name
/// (which names the file as `why N fails`, turned back into the file's path).
pub fn cucumber_json_embeddings(json: &str) -> Vec<(usize, String, String)> {
    let features: serde_json::Value = serde_json::from_str(json).unwrap();
    let mut found = Vec::new();
    for feature in features.as_array().unwrap() {
        for element in feature["elements"].as_array().unwrap() {
            let line = element["line"].as_u64().unwrap() as usize;
            for step in element["steps"].as_array().unwrap() {
                for embedding in step["embeddings"].as_array().into_iter().flatten() {
                    let name = embedding["name"].as_str().unwrap();
                    let count = name.split(' ').nth(1).unwrap();
                    found.push((
                        line,
                        step["name"].as_str().unwrap().to_owned(),
                        format!("cucumber.json:attachments/odd-{count}.txt"),
                    ));
                }
            }
        }
    }
    found
}

/// The `[[ATTACHMENT|path]]` markers of each testcase of `junit.xml`, by its execution's
/// line.
pub fn junit_attachments(xml: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for case in xml.split("<testcase ").skip(1) {
        let Some((_, rest)) = case.split_once("case: ") else {
            continue;
        };
        let place = rest.lines().next().unwrap();
        let line = match place.split_once("(line ") {
            Some((_, l)) => l.trim_end_matches(')').parse().unwrap(),
            None => place.rsplit(':').next().unwrap().parse().unwrap(),
        };
        for marker in case.split("[[ATTACHMENT|").skip(1) {
            found.push((line, marker.split_once("]]").unwrap().0.to_owned()));
        }
    }
    found
}

/// The failure article of `report.html` for the execution at `line` (of an Examples row).
pub fn html_failure(html: &str, line: usize) -> String {
    html.split("<article")
        .find(|article| article.contains(&format!("(line {line})")))
        .unwrap_or_else(|| panic!("report.html has no failure at line {line}"))
        .to_owned()
}
