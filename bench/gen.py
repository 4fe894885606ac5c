#!/usr/bin/env python3
"""Deterministic synthetic Gherkin corpus generator for the BDD-runner benchmark.

Writes
  <out>/features/feature_NNNN.feature   N feature files, each with exactly M executable
                                        scenarios ("pickles": a Scenario Outline contributes
                                        one scenario per Examples row)
  <out>/manifest.json                   expected counts (scenarios, steps, HTTP requests,
                                        undefined steps) used by run.sh to cross-check peers
  <www>/items/<id>, <www>/users/<login>, <www>/health
                                        static JSON documents served by nginx
                                        (no file extension; nginx default_type is JSON)

Everything is derived from --seed, so the same arguments always give byte-identical output.

Step vocabulary (every peer implements exactly these; "U" = intentionally undefined):
  Given the service is up                                       (1 GET /health, expect 200)
  Given I set the request header "<name>" to "<value>"
  When I send a GET request to "<path>"                         (1 GET)
  Then the response status should be <int>
  Then the response header "<name>" should contain "<text>"
  Then the response JSON at "<path>" should be <int>
  Then the response JSON at "<path>" should be "<string>"
  Then the response JSON at "<path>" should have <int> items
  Then the response body should contain "<text>"
  Then the response JSON should contain:        + data table | path | value |
  Then the response JSON should include:        + doc string (JSON object, subset match)
  U: the response should be served from cache / the response time should be under <n> ms /
     the audit log should contain an entry for "<path>"
"""
import argparse
import json
import os
import random
import shutil

CATEGORIES = ["books", "tools", "garden", "toys", "music", "food", "sport", "office"]
ROLES = ["reader", "writer", "admin", "auditor"]
UNDEFINED_TEMPLATES = [
    "the response should be served from cache",
    "the response time should be under {n} ms",
    'the audit log should contain an entry for "{path}"',
]


def item_doc(i, n_users):
    owner = (i * 7) % n_users + 1
    return {
        "id": i,
        "name": f"item-{i}",
        "category": CATEGORIES[i % len(CATEGORIES)],
        "price": round(1 + (i * 37 % 9900) / 100 + 0.01, 2),
        "stock": (i * 13) % 97,
        "tags": [f"t{(i + k) % 11}" for k in range(1 + i % 4)],
        "owner": {"login": f"user-{owner}", "name": f"User {owner}"},
    }


def user_doc(u):
    return {
        "login": f"user-{u}",
        "id": u,
        "name": f"User {u}",
        "roles": ROLES[: 1 + u % len(ROLES)],
        "active": u % 5 != 0,
    }


def write_www(www, n_items, n_users):
    if os.path.isdir(www):
        shutil.rmtree(www)
    os.makedirs(os.path.join(www, "items"))
    os.makedirs(os.path.join(www, "users"))
    for i in range(1, n_items + 1):
        with open(os.path.join(www, "items", str(i)), "w") as f:
            json.dump(item_doc(i, n_users), f, separators=(",", ":"))
    for u in range(1, n_users + 1):
        with open(os.path.join(www, "users", f"user-{u}"), "w") as f:
            json.dump(user_doc(u), f, separators=(",", ":"))
    with open(os.path.join(www, "health"), "w") as f:
        json.dump({"status": "ok"}, f)


class Gen:
    def __init__(self, args):
        self.a = args
        self.rng = random.Random(args.seed)
        # separate stream so that the undefined-step variant has the same structure as the base corpus
        self.urng = random.Random(args.seed * 1000003 + 7)
        self.case_no = 0
        self.stats = dict(features=0, scenarios=0, steps=0, http_requests=0,
                          undefined_steps=0, scenarios_with_undefined=0,
                          outline_scenarios=0, background_features=0,
                          datatable_steps=0, docstring_steps=0,
                          # scenarios/steps/requests of the pickles WITHOUT an undefined step: what a
                          # runner that refuses to start a scenario with an unbound step executes (casebook)
                          scenarios_without_undefined=0, steps_in_scenarios_without_undefined=0,
                          http_requests_in_scenarios_without_undefined=0)

    # --- step builders: each returns (text_line, [extra lines], kind) ------------------
    def maybe_undefined(self, step, path):
        """With probability --undefined-fraction replace a (non-request) check step."""
        if self.a.undefined_fraction > 0 and self.urng.random() < self.a.undefined_fraction:
            t = self.urng.choice(UNDEFINED_TEMPLATES)
            return ("And " + t.format(n=self.urng.choice([100, 250, 500]), path=path), [], "undef")
        return step

    def item_checks(self, i, n_users):
        d = item_doc(i, n_users)
        r = self.rng
        checks = [
            (f'And the response header "content-type" should contain "json"', [], "check"),
            (f'And the response JSON at "$.id" should be {i}', [], "check"),
            (f'And the response JSON at "$.name" should be "item-{i}"', [], "check"),
            (f'And the response JSON at "$.tags" should have {len(d["tags"])} items', [], "check"),
            (f'And the response JSON at "$.owner.login" should be "{d["owner"]["login"]}"', [], "check"),
            (f'And the response JSON at "$.category" should be "{d["category"]}"', [], "check"),
            (f'And the response JSON at "$.stock" should be {d["stock"]}', [], "check"),
            (f'And the response JSON at "$.tags[0]" should be "{d["tags"][0]}"', [], "check"),
        ]
        k = r.randint(2, 5)
        return r.sample(checks, k)

    def sc_item(self):
        a = self.a
        i = self.rng.randint(1, a.items)
        path = f"/items/{i}"
        steps = [(f'When I send a GET request to "{path}"', [], "get"),
                 ("Then the response status should be 200", [], "check")]
        steps += [self.maybe_undefined(s, path) for s in self.item_checks(i, a.users)]
        return f"fetch item {i}", steps

    def sc_user_table(self):
        u = self.rng.randint(1, self.a.users)
        d = user_doc(u)
        path = f"/users/user-{u}"
        rows = [("$.login", d["login"]), ("$.id", str(d["id"])), ("$.name", d["name"]),
                ("$.roles[0]", d["roles"][0])]
        rows = rows[: self.rng.randint(2, 4)]
        w1 = max(len("path"), *(len(p) for p, _ in rows))
        w2 = max(len("value"), *(len(v) for _, v in rows))
        table = [f"      | {'path'.ljust(w1)} | {'value'.ljust(w2)} |"]
        table += [f"      | {p.ljust(w1)} | {v.ljust(w2)} |" for p, v in rows]
        steps = [(f'When I send a GET request to "{path}"', [], "get"),
                 ("Then the response status should be 200", [], "check"),
                 ("And the response JSON should contain:", table, "table")]
        if self.rng.random() < 0.5:
            steps.append(self.maybe_undefined(
                (f'And the response JSON at "$.roles" should have {len(d["roles"])} items', [], "check"), path))
        return f"user {u} profile fields", steps

    def sc_docstring(self):
        i = self.rng.randint(1, self.a.items)
        d = item_doc(i, self.a.users)
        path = f"/items/{i}"
        keys = ["id", "category", "stock", "owner"][: self.rng.randint(2, 4)]
        sub = {k: d[k] for k in keys}
        body = json.dumps(sub, indent=2).splitlines()
        fence = '"""' + ("json" if self.a.docstring_media_type else "")
        doc = ["      " + fence] + ["      " + ln for ln in body] + ['      """']
        steps = [(f'When I send a GET request to "{path}"', [], "get"),
                 ("Then the response status should be 200", [], "check"),
                 ("And the response JSON should include:", doc, "doc")]
        return f"item {i} document subset", steps

    def sc_missing(self):
        i = self.a.items + self.rng.randint(1, 100000)
        path = f"/items/{i}"
        steps = [(f'When I send a GET request to "{path}"', [], "get"),
                 ("Then the response status should be 404", [], "check"),
                 self.maybe_undefined(('And the response body should contain "Not Found"', [], "check"), path)]
        return f"missing item {i}", steps

    def sc_chain(self):
        i = self.rng.randint(1, self.a.items)
        d = item_doc(i, self.a.users)
        login = d["owner"]["login"]
        steps = [(f'When I send a GET request to "/items/{i}"', [], "get"),
                 ("Then the response status should be 200", [], "check"),
                 (f'And the response JSON at "$.owner.login" should be "{login}"', [], "check"),
                 (f'When I send a GET request to "/users/{login}"', [], "get"),
                 ("Then the response status should be 200", [], "check"),
                 self.maybe_undefined((f'And the response JSON at "$.name" should be "{d["owner"]["name"]}"', [], "check"),
                                      f"/users/{login}")]
        return f"item {i} owner chain", steps

    def outline(self, max_rows):
        """Scenario Outline; returns (name, step templates, header, rows)."""
        r = self.rng
        nrows = r.randint(2, 4)
        nrows = min(nrows, max_rows)
        if r.random() < 0.5:
            ids = [r.randint(1, self.a.items) for _ in range(nrows)]
            header = ["id", "category", "name"]
            rows = [[str(i), item_doc(i, self.a.users)["category"], f"item-{i}"] for i in ids]
            steps = [('When I send a GET request to "/items/<id>"', [], "get"),
                     ("Then the response status should be 200", [], "check"),
                     ('And the response JSON at "$.id" should be <id>', [], "check"),
                     ('And the response JSON at "$.category" should be "<category>"', [], "check"),
                     self.maybe_undefined(('And the response JSON at "$.name" should be "<name>"', [], "check"), "/items/<id>")]
            name = "item lookup by id <id>"
        else:
            header = ["path", "status"]
            rows = []
            for _ in range(nrows):
                kind = r.random()
                if kind < 0.4:
                    rows.append([f"/items/{r.randint(1, self.a.items)}", "200"])
                elif kind < 0.8:
                    rows.append([f"/users/user-{r.randint(1, self.a.users)}", "200"])
                else:
                    rows.append([f"/items/{self.a.items + r.randint(1, 100000)}", "404"])
            steps = [('When I send a GET request to "<path>"', [], "get"),
                     ("Then the response status should be <status>", [], "check"),
                     self.maybe_undefined(('And the response header "content-type" should contain "<ctype>"', [], "check"), "<path>")]
            header.append("ctype")
            for row in rows:
                row.append("json" if row[1] == "200" else "html")
            name = "status of <path>"
        return name, steps, header, rows

    # --- feature assembly ------------------------------------------------------------
    def tags_for_scenario(self):
        self.case_no += 1
        tags = [f"@BENCH-{self.case_no:05d}"]
        r = self.rng
        if r.random() < 0.6:
            for q in sorted(r.sample(range(1, 200), r.randint(1, 2))):
                tags.append(f"@REQ-{q:04d}")
        if r.random() < 0.2:
            tags.append("@smoke")
        if r.random() < 0.3:
            tags.append("@regression")
        return " ".join(tags)

    def account(self, steps, bg_steps, pickles=1):
        """Update manifest stats for `pickles` executions of steps (incl. background)."""
        all_steps = bg_steps + steps
        n_steps = len(all_steps)
        n_get = sum(1 for s in all_steps if s[2] in ("get", "bg_get"))
        n_undef = sum(1 for s in all_steps if s[2] == "undef")
        st = self.stats
        st["scenarios"] += pickles
        st["steps"] += n_steps * pickles
        st["http_requests"] += n_get * pickles
        st["undefined_steps"] += n_undef * pickles
        st["scenarios_with_undefined"] += (1 if n_undef else 0) * pickles
        if not n_undef:
            st["scenarios_without_undefined"] += pickles
            st["steps_in_scenarios_without_undefined"] += n_steps * pickles
            st["http_requests_in_scenarios_without_undefined"] += n_get * pickles
        st["datatable_steps"] += sum(1 for s in all_steps if s[2] == "table") * pickles
        st["docstring_steps"] += sum(1 for s in all_steps if s[2] == "doc") * pickles

    def feature(self, fno):
        a, r = self.a, self.rng
        lines = []
        ftags = [f"@area-{CATEGORIES[fno % len(CATEGORIES)]}"]
        if r.random() < 0.5:
            ftags.append(f"@REQ-{r.randint(1, 199):04d}")
        lines.append(" ".join(ftags))
        lines.append(f"Feature: Benchmark feature {fno:04d}")
        lines.append(f"  Synthetic HTTP API checks, generated with seed {a.seed}.")
        lines.append("")
        bg_steps = []
        if r.random() < 0.5:
            self.stats["background_features"] += 1
            bg_steps = [("Given the service is up", [], "bg_get"),
                        (f'And I set the request header "X-Bench-Feature" to "feature-{fno:04d}"', [], "bg")]
            lines.append("  Background:")
            for text, extra, _ in bg_steps:
                lines.append("    " + text)
                lines.extend(extra)
            lines.append("")
        remaining = a.scenarios
        makers = [self.sc_item, self.sc_item, self.sc_user_table, self.sc_docstring,
                  self.sc_missing, self.sc_chain]
        while remaining > 0:
            tags = self.tags_for_scenario()
            if remaining >= 2 and r.random() < 0.12:
                name, steps, header, rows = self.outline(remaining)
                self.stats["outline_scenarios"] += len(rows)
                lines.append("  " + tags)
                lines.append(f"  Scenario Outline: {tags.split()[0][1:]} {name}")
                for text, extra, _ in steps:
                    lines.append("    " + text)
                    lines.extend(extra)
                lines.append("")
                lines.append("    Examples:")
                widths = [max(len(h), *(len(row[k]) for row in rows)) for k, h in enumerate(header)]
                lines.append("      | " + " | ".join(h.ljust(widths[k]) for k, h in enumerate(header)) + " |")
                for row in rows:
                    lines.append("      | " + " | ".join(v.ljust(widths[k]) for k, v in enumerate(row)) + " |")
                lines.append("")
                self.account(steps, bg_steps, pickles=len(rows))
                remaining -= len(rows)
            else:
                name, steps = r.choice(makers)()
                if r.random() < 0.15:  # some scenarios set a header themselves
                    steps = [(f'Given I set the request header "X-Bench-Case" to "{tags.split()[0][1:]}"', [], "given")] + steps
                lines.append("  " + tags)
                lines.append(f"  Scenario: {tags.split()[0][1:]} {name}")
                for text, extra, _ in steps:
                    lines.append("    " + text)
                    lines.extend(extra)
                lines.append("")
                self.account(steps, bg_steps)
                remaining -= 1
        self.stats["features"] += 1
        return "\n".join(lines)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-n", "--features", type=int, default=500)
    p.add_argument("-m", "--scenarios", type=int, default=20, help="executable scenarios per feature")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--undefined-fraction", type=float, default=0.0,
                   help="probability that an eligible check step is replaced by an undefined step")
    p.add_argument("--items", type=int, default=1000)
    p.add_argument("--users", type=int, default=200)
    p.add_argument("-o", "--out", help="output dir (default corpus/<N>x<M>[_u<frac>])")
    p.add_argument("--www", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "www"),
                   help="static JSON document root for nginx")
    p.add_argument("--no-www", action="store_true", help="do not (re)write the www tree")
    p.add_argument("--docstring-media-type", action="store_true",
                   help='open doc strings with """json (cucumber-rs 0.23 / gherkin 0.16 then keeps "json" '
                        'as the first line of the doc string text, so its doc-string steps fail)')
    a = p.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    out = a.out or os.path.join(here, "corpus", f"{a.features}x{a.scenarios}" +
                                (f"_u{a.undefined_fraction:g}" if a.undefined_fraction else ""))
    if not a.no_www:
        write_www(a.www, a.items, a.users)
    fdir = os.path.join(out, "features")
    if os.path.isdir(fdir):
        shutil.rmtree(fdir)
    os.makedirs(fdir)
    g = Gen(a)
    for fno in range(1, a.features + 1):
        with open(os.path.join(fdir, f"feature_{fno:04d}.feature"), "w") as f:
            f.write(g.feature(fno) + "\n")
    manifest = dict(g.stats, seed=a.seed, docstring_media_type=a.docstring_media_type, features_arg=a.features, scenarios_per_feature=a.scenarios,
                    undefined_fraction=a.undefined_fraction, items=a.items, users=a.users,
                    test_case_ids=g.case_no)
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2, sort_keys=True)
    print(json.dumps(manifest, sort_keys=True))
    print(out)


if __name__ == "__main__":
    main()
