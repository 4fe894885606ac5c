#!/usr/bin/env python3
"""Replay single mutations of this repository through the full run and `casebook impact`.

For every mutation of `mutations.json` the script edits one file of a scratch work tree
(a `git worktree` of HEAD), runs the full run (`cargo test --test specs`), reads which
executions failed from `target/casebook/run.json`, asks `casebook impact --diff` which
executions the same edit can break, and compares the two:

- recall: failing executions that impact selected / failing executions;
- skipped: 1 - selected automated executions / all automated executions.

A baseline run without any mutation comes first; an execution that fails there is left
out of every recall. The per-mutation rows go to a CSV file, the Markdown summary to
standard output (and to `--summary FILE` when given).

Standard library only; see README.md next to this file.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

CATEGORIES = ("feature", "step", "helper", "shop")
MINIMUM_PER_CATEGORY = {"feature": 12, "step": 12, "helper": 12, "shop": 8}
MINIMUM_TOTAL = 50
FAILING = ("failed", "unbound", "ambiguous")
SKIP_TARGET = 0.70


class ReplayError(Exception):
    """A problem that stops the replay, with a message for the user."""


@dataclass
class Mutation:
    """One single edit: replace the one occurrence of `find` in `file` by `replace`."""

    id: str
    category: str
    file: str
    find: str
    replace: str
    description: str


@dataclass
class RunResult:
    """What one full run did."""

    exit_code: int | None
    seconds: float
    timed_out: bool
    compiled: bool
    # (case id, Examples row line or None) -> status, for every automated execution.
    statuses: dict = field(default_factory=dict)


@dataclass
class ImpactResult:
    """What `casebook impact` selected for one change."""

    whole_suite: list
    # Keys (case id, Examples row line or None) of the selected automated executions.
    selected: set
    notes: list
    # Every reason given, as `why (file:line)` text, for the CSV.
    reasons: list


@dataclass
class Row:
    """The comparison for one mutation, as written to the CSV."""

    mutation: Mutation
    run: RunResult
    impact: ImpactResult | None
    failing: list
    missed: list
    flaky: list
    all_executions: int
    selected_executions: int
    unstable: list = field(default_factory=list)

    @property
    def recall(self) -> float | None:
        """Failing executions selected / failing executions; None when nothing failed."""
        if not self.failing:
            return None
        return (len(self.failing) - len(self.missed)) / len(self.failing)

    @property
    def skipped(self) -> float:
        """The fraction of automated executions impact did not select."""
        if self.all_executions == 0:
            return 0.0
        return 1 - self.selected_executions / self.all_executions


def parse_args() -> argparse.Namespace:
    """The command line."""
    here = Path(__file__).resolve().parent
    repo = here.parent.parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, default=repo, help="the repository (default: the one holding this script)")
    parser.add_argument("--mutations", type=Path, default=here / "mutations.json")
    parser.add_argument("--out", type=Path, default=here / "results.csv", help="the per-mutation CSV")
    parser.add_argument("--summary", type=Path, help="also write the Markdown summary here")
    parser.add_argument("--target-dir", type=Path, help="CARGO_TARGET_DIR for every build (default: REPO/target)")
    parser.add_argument("--scratch", type=Path, help="where the scratch work tree goes (default: a new temporary directory)")
    parser.add_argument("--only", nargs="*", default=[], help="replay only these mutation ids")
    parser.add_argument("--timeout", type=int, default=300, help="seconds one full run may take")
    parser.add_argument("--check", action="store_true", help="only check the mutation list against HEAD")
    return parser.parse_args()


def git(repo: Path, *args: str) -> str:
    """Runs git in `repo` and returns its standard output; a failure stops the replay."""
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True)
    if done.returncode != 0:
        raise ReplayError(f"`git {' '.join(args)}` failed: {done.stderr.strip()}")
    return done.stdout


def load_mutations(path: Path) -> list[Mutation]:
    """Reads the mutation list and checks its shape, ids and the numbers per category."""
    data = json.loads(path.read_text(encoding="utf-8"))
    mutations = []
    for entry in data["mutations"]:
        missing = {"id", "category", "file", "find", "replace", "description"} - set(entry)
        if missing:
            raise ReplayError(f"mutation {entry.get('id', '?')}: missing {sorted(missing)}")
        if entry["category"] not in CATEGORIES:
            raise ReplayError(f"mutation {entry['id']}: unknown category {entry['category']!r}")
        if entry["find"] == entry["replace"]:
            raise ReplayError(f"mutation {entry['id']}: the replacement is the same text")
        mutations.append(Mutation(**{key: entry[key] for key in Mutation.__dataclass_fields__}))
    ids = [m.id for m in mutations]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ReplayError(f"duplicate mutation ids: {', '.join(duplicates)}")
    return mutations


def check_counts(mutations: list[Mutation]) -> None:
    """Stops when the list has fewer mutations than the replay promises."""
    if len(mutations) < MINIMUM_TOTAL:
        raise ReplayError(f"only {len(mutations)} mutations, at least {MINIMUM_TOTAL} are needed")
    for category, minimum in MINIMUM_PER_CATEGORY.items():
        count = sum(1 for m in mutations if m.category == category)
        if count < minimum:
            raise ReplayError(f"only {count} `{category}` mutations, at least {minimum} are needed")


def check_find_texts(repo: Path, mutations: list[Mutation]) -> None:
    """Stops unless every find-text occurs exactly once in its file as HEAD has it."""
    problems = []
    for mutation in mutations:
        text = git(repo, "show", f"HEAD:{mutation.file}")
        count = text.count(mutation.find)
        if count != 1:
            problems.append(f"{mutation.id}: the text to find occurs {count} times in {mutation.file}, not once")
    if problems:
        raise ReplayError("\n".join(problems))


def apply_mutation(tree: Path, mutation: Mutation) -> None:
    """Edits the scratch tree: the one occurrence of the find-text is replaced."""
    path = tree / mutation.file
    text = path.read_text(encoding="utf-8")
    count = text.count(mutation.find)
    if count != 1:
        raise ReplayError(f"{mutation.id}: the text to find occurs {count} times in {mutation.file}, not once")
    path.write_text(text.replace(mutation.find, mutation.replace), encoding="utf-8")


def create_tree(repo: Path, scratch: Path) -> Path:
    """A detached work tree of HEAD inside `scratch`."""
    tree = scratch / "tree"
    git(repo, "worktree", "add", "--detach", str(tree), "HEAD")
    return tree


def remove_tree(repo: Path, tree: Path) -> None:
    """Removes the scratch work tree again (its build reports with it)."""
    subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=repo, capture_output=True)


def cargo_env(target_dir: Path) -> dict:
    """The environment of every cargo command: one shared target directory."""
    env = dict(os.environ)
    env["CARGO_TARGET_DIR"] = str(target_dir)
    return env


def build_casebook(tree: Path, target_dir: Path, scratch: Path) -> Path:
    """Builds the casebook binary from the unmutated tree and keeps a copy of it."""
    done = subprocess.run(
        ["cargo", "build", "-p", "casebook-cli"],
        cwd=tree, env=cargo_env(target_dir), capture_output=True, text=True,
    )
    if done.returncode != 0:
        raise ReplayError(f"cannot build casebook:\n{done.stderr[-3000:]}")
    binary = scratch / "casebook"
    shutil.copy2(target_dir / "debug" / "casebook", binary)
    return binary


def execution_key(case_id: str | None, file: str, line: int, row_line: int | None) -> tuple:
    """How an execution is matched between run.json and impact: case id and Examples row line."""
    return (case_id or f"{file}:{line}", row_line)


def read_statuses(tree: Path) -> dict:
    """The status of every automated execution of the last run, from run.json."""
    path = tree / "target" / "casebook" / "run.json"
    if not path.exists():
        return {}
    record = json.loads(path.read_text(encoding="utf-8"))
    statuses = {}
    for execution in record["executions"]:
        example = execution.get("example")
        key = execution_key(
            execution.get("case_id"), execution["file"], execution["line"],
            example["line"] if example else None,
        )
        statuses[key] = execution["status"]
    return statuses


def full_run(tree: Path, target_dir: Path, timeout: int, log: Path) -> RunResult:
    """Runs `cargo test --test specs` in the tree; kills it (and its children) after `timeout`."""
    report = tree / "target" / "casebook" / "run.json"
    if report.exists():
        report.unlink()
    started = time.monotonic()
    timed_out = False
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(
            ["cargo", "test", "--test", "specs"],
            cwd=tree, env=cargo_env(target_dir), stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            exit_code = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            exit_code = None
    seconds = time.monotonic() - started
    output = log.read_text(encoding="utf-8", errors="replace")
    compiled = "could not compile" not in output and "error[E" not in output
    return RunResult(exit_code, seconds, timed_out, compiled, read_statuses(tree))


def run_impact(tree: Path, casebook: Path, diff: Path, keep: Path) -> ImpactResult:
    """Runs `casebook impact --diff` in the tree and reads what it selected."""
    done = subprocess.run(
        [str(casebook), "impact", "--diff", str(diff), "--format", "json"],
        cwd=tree, capture_output=True, text=True,
    )
    if done.returncode != 0:
        raise ReplayError(f"casebook impact failed ({done.returncode}): {done.stderr.strip()}")
    keep.write_text(done.stdout, encoding="utf-8")
    answer = json.loads(done.stdout)
    selected = set()
    reasons = []
    for case in answer["cases"]:
        file, line = case["location"].split(":")[:2]
        for execution in case["executions"]:
            if case["mode"] == "automated":
                selected.add(execution_key(case["id"], file, int(line), execution["row_line"]))
            for reason in execution["reasons"]:
                reasons.append(describe_reason(reason))
    whole = [describe_reason(reason) for reason in answer["whole_suite"]]
    notes = [describe_reason(reason) for reason in answer["notes"]]
    return ImpactResult(whole, selected, notes, sorted(set(reasons)))


def describe_reason(reason: dict) -> str:
    """A reason as one line of text: why, and where."""
    where = reason.get("file") or ""
    if where and reason.get("line"):
        where += f":{reason['line']}"
    why = reason["why"].splitlines()[0]
    return f"{why} ({where})" if where else why


def compare(mutation: Mutation, run: RunResult, impact: ImpactResult | None, excluded: set) -> Row:
    """Matches the run's failing executions against impact's selection."""
    failing = sorted(k for k, s in run.statuses.items() if s in FAILING and k not in excluded)
    flaky = sorted(k for k, s in run.statuses.items() if s == "flaky")
    all_executions = len(run.statuses)
    if impact is None:
        missed, selected = [], 0
    elif impact.whole_suite:
        missed, selected = [], all_executions
    else:
        missed = [k for k in failing if k not in impact.selected]
        selected = len(impact.selected & set(run.statuses))
    return Row(mutation, run, impact, failing, missed, flaky, all_executions, selected)


def replay_one(tree: Path, mutation: Mutation, args: argparse.Namespace, tools: dict, excluded: set) -> Row:
    """Applies one mutation, runs the full run and impact, compares, and restores the tree."""
    scratch = tools["scratch"]
    try:
        apply_mutation(tree, mutation)
        diff = scratch / "diffs" / f"{mutation.id}.diff"
        diff.write_text(git(tree, "diff"), encoding="utf-8")
        run = full_run(tree, tools["target_dir"], args.timeout, scratch / "logs" / f"{mutation.id}.log")
        impact = None
        if run.compiled and not run.timed_out:
            impact = run_impact(tree, tools["casebook"], diff, scratch / "impact" / f"{mutation.id}.json")
        row = compare(mutation, run, impact, excluded)
        if row.missed:
            row = recheck_misses(tree, row, args, tools)
        return row
    finally:
        git(tree, "checkout", "--", ".")


def recheck_misses(tree: Path, row: Row, args: argparse.Namespace, tools: dict) -> Row:
    """Runs the same mutated tree once more. A failing execution impact did not select that
    passes this time failed for the machine (a browser that did not start under load), not
    for the change: it leaves the recall and is listed as unstable."""
    log = tools["scratch"] / "logs" / f"{row.mutation.id}-again.log"
    again = full_run(tree, tools["target_dir"], args.timeout, log)
    if not again.compiled or again.timed_out:
        return row
    unstable = [k for k in row.missed if again.statuses.get(k) not in FAILING]
    row.failing = [k for k in row.failing if k not in unstable]
    row.missed = [k for k in row.missed if k not in unstable]
    row.unstable = unstable
    return row


def key_text(key: tuple) -> str:
    """An execution key as text: `CASE-ID` or `CASE-ID@row-line`."""
    case, row = key
    return case if row is None else f"{case}@{row}"


def write_csv(path: Path, rows: list[Row]) -> None:
    """One line per mutation."""
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow([
            "id", "category", "file", "description", "exit_code", "compiled", "timed_out",
            "seconds", "executions", "failing", "failing_executions", "flaky", "whole_suite",
            "selected", "skipped", "recall", "missed", "reasons", "notes",
        ])
        for row in rows:
            impact = row.impact
            writer.writerow([
                row.mutation.id, row.mutation.category, row.mutation.file, row.mutation.description,
                "" if row.run.exit_code is None else row.run.exit_code,
                int(row.run.compiled), int(row.run.timed_out), f"{row.run.seconds:.1f}",
                row.all_executions, len(row.failing), " ".join(key_text(k) for k in row.failing),
                " ".join(key_text(k) for k in row.flaky),
                " | ".join(impact.whole_suite) if impact else "",
                row.selected_executions, f"{row.skipped:.3f}",
                "" if row.recall is None else f"{row.recall:.3f}",
                " ".join(key_text(k) for k in row.missed),
                " | ".join(impact.reasons) if impact else "",
                " | ".join(impact.notes) if impact else "",
            ])


def percent(value: float | None) -> str:
    """A fraction as a whole percentage, or a dash."""
    return "–" if value is None else f"{round(value * 100)}%"


def category_line(name: str, rows: list[Row]) -> str:
    """One line of the summary table."""
    failing = sum(len(r.failing) for r in rows)
    missed = sum(len(r.missed) for r in rows)
    with_failures = sum(1 for r in rows if r.failing)
    skipped = [r.skipped for r in rows]
    recall = None if failing == 0 else (failing - missed) / failing
    whole = sum(1 for r in rows if r.impact and r.impact.whole_suite)
    return (
        f"| {name} | {len(rows)} | {with_failures} | {failing} | {failing - missed} | {percent(recall)} "
        f"| {whole} | {percent(statistics.median(skipped)) if skipped else '–'} "
        f"| {percent(min(skipped)) if skipped else '–'} |"
    )


def summary(rows: list[Row], baseline: RunResult, excluded: set, seconds: float, commit: str) -> str:
    """The Markdown summary: per category, the static-tier target, misses, per mutation."""
    lines = [
        f"Commit `{commit}`; baseline: exit code {baseline.exit_code}, "
        f"{len(baseline.statuses)} automated executions, "
        f"{len(excluded)} failing in the baseline (left out of recall)"
        + (f": {', '.join(key_text(k) for k in sorted(excluded))}" if excluded else "")
        + f". Total duration {seconds / 60:.0f} min.",
        "",
        "| category | mutations | with failing executions | failing executions | of them selected | recall | whole suite selected | median skipped | min skipped |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for category in CATEGORIES:
        lines.append(category_line(f"`{category}`", [r for r in rows if r.mutation.category == category]))
    lines.append(category_line("all", rows))
    static = [r for r in rows if r.mutation.category in ("feature", "step", "helper")]
    if static:
        median = statistics.median(r.skipped for r in static)
        verdict = "meets" if median >= SKIP_TARGET else "misses"
        lines += [
            "",
            f"Median skipped over the {len(static)} mutations touching one feature file or one step "
            f"module: **{percent(median)}** ({verdict} the {percent(SKIP_TARGET)} target).",
        ]
    problems = [r for r in rows if not r.run.compiled or r.run.timed_out]
    for row in problems:
        what = "did not compile" if not row.run.compiled else "timed out"
        lines.append(f"- {row.mutation.id} {what}.")
    misses = [r for r in rows if r.missed]
    lines += ["", "Recall misses:" if misses else "Recall misses: none."]
    for row in misses:
        lines.append(
            f"- {row.mutation.id} ({row.mutation.description}): not selected "
            f"{', '.join(key_text(k) for k in row.missed)}; impact said: "
            f"{'; '.join(row.impact.reasons + row.impact.notes) or 'nothing'}"
        )
    flaky = [r for r in rows if r.flaky]
    for row in flaky:
        lines.append(f"- {row.mutation.id}: flaky {', '.join(key_text(k) for k in row.flaky)}")
    for row in (r for r in rows if r.unstable):
        lines.append(
            f"- {row.mutation.id}: {', '.join(key_text(k) for k in row.unstable)} failed, was not "
            "selected, and passed when the same tree ran again: the machine's failure, not the "
            "change's, so it is left out of the recall"
        )
    lines += [
        "",
        "| id | category | description | failing executions | selected / all executions | skipped | recall |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        failing = ", ".join(key_text(k) for k in row.failing) or "–"
        whole = " (whole suite)" if row.impact and row.impact.whole_suite else ""
        recall = percent(row.recall) if row.impact else "no impact run"
        lines.append(
            f"| {row.mutation.id} | {row.mutation.category} | {row.mutation.description} | "
            f"{len(row.failing)}: {failing} | {row.selected_executions} / {row.all_executions}{whole} | "
            f"{percent(row.skipped)} | {recall} |"
            if row.failing else
            f"| {row.mutation.id} | {row.mutation.category} | {row.mutation.description} | 0 | "
            f"{row.selected_executions} / {row.all_executions}{whole} | {percent(row.skipped)} | {recall} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    """Checks the list, runs the baseline and every mutation, writes the CSV and the summary."""
    args = parse_args()
    repo = args.repo.resolve()
    mutations = load_mutations(args.mutations)
    check_counts(mutations)
    check_find_texts(repo, mutations)
    if args.only:
        unknown = set(args.only) - {m.id for m in mutations}
        if unknown:
            raise ReplayError(f"unknown mutation ids: {', '.join(sorted(unknown))}")
        mutations = [m for m in mutations if m.id in args.only]
    if args.check:
        print(f"{len(mutations)} mutations, every text to find occurs once at HEAD")
        return 0
    started = time.monotonic()
    scratch = (args.scratch or Path(tempfile.mkdtemp(prefix="casebook-replay-"))).resolve()
    for sub in ("diffs", "logs", "impact"):
        (scratch / sub).mkdir(parents=True, exist_ok=True)
    target_dir = (args.target_dir or repo / "target").resolve()
    commit = git(repo, "rev-parse", "--short", "HEAD").strip()
    tree = create_tree(repo, scratch)
    try:
        casebook = build_casebook(tree, target_dir, scratch)
        tools = {"scratch": scratch, "target_dir": target_dir, "casebook": casebook}
        print("baseline ...", file=sys.stderr, flush=True)
        baseline = full_run(tree, target_dir, args.timeout, scratch / "logs" / "baseline.log")
        if not baseline.statuses:
            raise ReplayError(f"the baseline run wrote no run.json (see {scratch / 'logs' / 'baseline.log'})")
        excluded = {k for k, s in baseline.statuses.items() if s in FAILING}
        if baseline.exit_code != 0:
            print(f"warning: the baseline exits with {baseline.exit_code}", file=sys.stderr)
        rows = []
        for number, mutation in enumerate(mutations, 1):
            row = replay_one(tree, mutation, args, tools, excluded)
            rows.append(row)
            print(
                f"[{number}/{len(mutations)}] {mutation.id}: exit {row.run.exit_code}, "
                f"{len(row.failing)} failing, {len(row.missed)} missed, "
                f"{row.selected_executions}/{row.all_executions} selected, {row.run.seconds:.0f} s",
                file=sys.stderr, flush=True,
            )
    finally:
        remove_tree(repo, tree)
    write_csv(args.out, rows)
    text = summary(rows, baseline, excluded, time.monotonic() - started, commit)
    if args.summary:
        args.summary.write_text(text, encoding="utf-8")
    print(text)
    print(f"scratch files (diffs, logs, impact answers): {scratch}", file=sys.stderr)
    return 1 if any(r.missed for r in rows) else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ReplayError as err:
        print(f"replay: {err}", file=sys.stderr)
        sys.exit(2)
