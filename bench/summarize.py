#!/usr/bin/env python3
"""Summarises results.csv (medians over reps) and checks.csv into results_summary.md."""
import csv
import os
import statistics as st
from collections import OrderedDict

ROOT = os.path.dirname(os.path.abspath(__file__))
PEER_ORDER = ["casebook", "casebook-c1", "cucumber-rs", "cucumber-rs-c1", "cucumber-js", "cucumber-js-p2", "behave", "pytest-bdd"]
# casebook is compared with these (wall time and peak memory); (casebook peer, reference peer)
RATIOS = [("casebook", "cucumber-rs"), ("casebook", "cucumber-js"), ("casebook-c1", "cucumber-rs-c1")]
MODE_ORDER = ["full", "dry", "collect", "missing"]


def fnum(x):
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def med(rows, key):
    v = [fnum(r[key]) for r in rows if fnum(r[key]) is not None]
    return st.median(v) if v else None


def fmt(x, nd=2):
    if x is None:
        return "-"
    if abs(x) >= 100 and nd <= 2:
        return f"{x:.0f}"
    return f"{x:.{nd}f}"


def uniq(rows, key):
    s = sorted({r[key] for r in rows}, key=lambda v: (len(v), v))
    return "/".join(s)


def sort_key(k):
    corpus, peer, mode = k
    n = corpus.split("x")[0]
    return (int(n) if n.isdigit() else 10**9, corpus,
            PEER_ORDER.index(peer) if peer in PEER_ORDER else 99,
            MODE_ORDER.index(mode) if mode in MODE_ORDER else 99)


def summary_table(path):
    rows = list(csv.DictReader(open(path)))
    groups = OrderedDict()
    for r in rows:
        groups.setdefault((r["corpus"], r["peer"], r["mode"]), []).append(r)
    out = ["| corpus | peer | mode | runs | wall s median (min-max) | scenarios/s median | CPU user+sys s median "
           "| max RSS MB (largest process) median | peak tree RSS MB (sampled) median | scenarios passed / expected "
           "| steps passed (skipped) / expected | HTTP requests seen by nginx / expected | exit codes | counts match "
           "| nginx CPU s median | other-process CPU s median |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    csv_rows = []
    for k in sorted(groups, key=sort_key):
        g = groups[k]
        walls = [fnum(r["wall_s"]) for r in g]
        cpu = st.median([fnum(r["user_s"]) + fnum(r["sys_s"]) for r in g])
        rec = OrderedDict(
            corpus=k[0], peer=k[1], mode=k[2], runs=len(g), wall_s_median=med(g, "wall_s"),
            wall_s_min=min(walls), wall_s_max=max(walls), scenarios_per_s_median=med(g, "scenarios_per_s"),
            cpu_s_median=cpu, maxrss_mb_median=med(g, "maxrss_kb") / 1024,
            tree_peak_rss_mb_median=med(g, "tree_peak_rss_kb") / 1024,
            scenarios_passed=uniq(g, "scenarios_passed"), scenarios_expected=g[0]["scenarios_expected"],
            steps_passed=uniq(g, "steps_passed"), steps_skipped=uniq(g, "steps_skipped"),
            steps_expected=g[0]["steps_expected"], http_requests=uniq(g, "http_requests"),
            http_expected=g[0]["http_expected"], exit_codes=uniq(g, "exit_code"), counts_match=uniq(g, "counts_match"),
            nginx_cpu_s_median=med(g, "nginx_cpu_s"), other_cpu_s_median=med(g, "other_cpu_s"))
        csv_rows.append(rec)
        out.append(
            f"| {k[0]} | {k[1]} | {k[2]} | {len(g)} | {fmt(rec['wall_s_median'])} ({fmt(rec['wall_s_min'])}-{fmt(rec['wall_s_max'])}) "
            f"| {fmt(rec['scenarios_per_s_median'], 0)} | {fmt(cpu)} | {fmt(rec['maxrss_mb_median'], 1)} "
            f"| {fmt(rec['tree_peak_rss_mb_median'], 1)} | {rec['scenarios_passed']} / {rec['scenarios_expected']} "
            f"| {rec['steps_passed']} ({rec['steps_skipped']}) / {rec['steps_expected']} "
            f"| {rec['http_requests'] or '-'} / {rec['http_expected']} | {rec['exit_codes']} | {rec['counts_match']} "
            f"| {fmt(rec['nginx_cpu_s_median'])} | {fmt(rec['other_cpu_s_median'])} |")
    with open(os.path.join(ROOT, "results_summary.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(csv_rows[0].keys()))
        w.writeheader()
        w.writerows(csv_rows)
    return "\n".join(out), csv_rows


def ratio_table(recs):
    """casebook / reference for the median wall time and the median peak RSS (largest process,
    /usr/bin/time) and peak tree RSS; '-' when the reference has no such mode."""
    by = {(r["corpus"], r["peer"], r["mode"]): r for r in recs}
    out = ["| corpus | mode | casebook peer / reference | wall s (casebook / ref) | wall ratio | max RSS MB (casebook / ref) "
           "| max RSS ratio | peak tree RSS MB (casebook / ref) | tree RSS ratio |",
           "|---|---|---|---|---|---|---|---|---|"]
    for corpus in sorted({r["corpus"] for r in recs}, key=lambda c: sort_key((c, "", ""))):
        for mode in ("full", "dry"):
            for cb, ref in RATIOS:
                a, b = by.get((corpus, cb, mode)), by.get((corpus, ref, mode))
                if a is None:
                    continue
                if b is None:
                    out.append(f"| {corpus} | {mode} | {cb} / {ref} | {fmt(a['wall_s_median'])} / - | - (no {mode} mode) "
                               f"| {fmt(a['maxrss_mb_median'], 1)} / - | - | {fmt(a['tree_peak_rss_mb_median'], 1)} / - | - |")
                    continue
                out.append(f"| {corpus} | {mode} | {cb} / {ref} | {fmt(a['wall_s_median'])} / {fmt(b['wall_s_median'])} "
                           f"| {a['wall_s_median'] / b['wall_s_median']:.2f} "
                           f"| {fmt(a['maxrss_mb_median'], 1)} / {fmt(b['maxrss_mb_median'], 1)} "
                           f"| {a['maxrss_mb_median'] / b['maxrss_mb_median']:.2f} "
                           f"| {fmt(a['tree_peak_rss_mb_median'], 1)} / {fmt(b['tree_peak_rss_mb_median'], 1)} "
                           f"| {a['tree_peak_rss_mb_median'] / b['tree_peak_rss_mb_median']:.2f} |")
    return "\n".join(out)


def checks_table(path):
    rows = list(csv.DictReader(open(path)))
    out = ["| corpus | condition | peer | mode | exit code | scenarios passed / total (expected) "
           "| casebook scenarios failed / skipped / unbound | steps passed / failed / skipped / undefined / total (expected) "
           "| undefined steps expected | HTTP requests / expected for this peer | counts match | wall s |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    import json
    for r in rows:
        man = json.load(open(os.path.join(ROOT, "corpus", r["corpus"], "manifest.json")))
        cb = (f"{r['scenarios_failed']} / {r['scenarios_skipped']} / {r['scenarios_unbound']}"
              if r.get("scenarios_unbound") not in (None, "") else "")
        note = f" ({r['parse_note']})" if r.get("parse_note") else ""
        out.append(f"| {r['corpus']} | {r['condition']} | {r['peer']} | {r['mode']} | {r['exit_code']} "
                   f"| {r['scenarios_passed']} / {r['scenarios_total'] or '-'} ({r['scenarios_expected']}) | {cb} "
                   f"| {r['steps_passed']} / {r['steps_failed']} / {r['steps_skipped']} / {r['steps_undefined']} / {r['steps_total'] or '-'} ({r['steps_expected']}) "
                   f"| {man['undefined_steps']} in {man['scenarios_with_undefined']} scenarios "
                   f"| {r['http_requests'] or '-'} / {r['http_expected'] if r['mode'] == 'full' and r['condition'] != 'nginx-stopped' else '-'} "
                   f"| {r['counts_match']}{note} | {r['wall_s']} |")
    return "\n".join(out)


def wrk_table(path):
    rows = list(csv.DictReader(open(path)))
    groups = OrderedDict()
    for r in rows:
        groups.setdefault((int(r["connections"]), int(r["threads"])), []).append(r)
    out = ["| connections | wrk threads | runs x duration | requests/s median (min-max) | avg latency (median run) | p99 latency (median run) |",
           "|---|---|---|---|---|---|"]
    for (c, t), g in sorted(groups.items()):
        g = sorted(g, key=lambda r: float(r["requests_per_s"]))
        m = g[len(g) // 2]
        rps = [float(r["requests_per_s"]) for r in g]
        out.append(f"| {c} | {t} | {len(g)} x {g[0]['duration_s']} s | {st.median(rps):.0f} ({min(rps):.0f}-{max(rps):.0f}) "
                   f"| {m['latency_avg']} | {m['latency_p99']} |")
    return "\n".join(out)


def main():
    parts = []
    if os.path.exists(os.path.join(ROOT, "wrk.csv")):
        parts += ["## nginx raw capacity (wrk)", "", wrk_table(os.path.join(ROOT, "wrk.csv")), ""]
    if os.path.exists(os.path.join(ROOT, "results.csv")):
        table, recs = summary_table(os.path.join(ROOT, "results.csv"))
        parts += ["## Runner benchmark (medians)", "", table, ""]
        parts += ["## casebook / reference (ratio of medians; < 1 means casebook is faster / smaller)", "",
                  ratio_table(recs), ""]
    if os.path.exists(os.path.join(ROOT, "checks.csv")):
        parts += ["## Checks", "", checks_table(os.path.join(ROOT, "checks.csv")), ""]
    text = "\n".join(parts)
    open(os.path.join(ROOT, "results_summary.md"), "w").write(text)
    print(text)


if __name__ == "__main__":
    main()
