// casebook report: renders the cases that match the filters from the page's JSON data, and
// filters the requirements table. Nothing is fetched, and every text from the suite or the
// run reaches the page through `textContent`, never as markup.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const text = $("filter-text");
  const outcome = $("filter-outcome");
  const tag = $("filter-tag");
  const requirement = $("filter-requirement");
  const count = $("filter-count");
  const list = $("feature-list");
  const noMatch = $("no-match");
  const more = $("show-more");
  // How many cases are drawn at first, and per "show more": enough to read, few enough that
  // a suite of ten thousand cases opens at once.
  const PAGE = 200;
  const LABELS = { "not-run": "not run" };
  const label = (outcome) => LABELS[outcome] || outcome;

  // features: [{anchor, keyword, name, file, description, tags, background, rules, cases}]
  // case: {anchor, id, keyword, title, description, line, rule, tags, requirements, manual,
  //        awaiting, outcome, results, steps, examples, scripts};
  // step: [keyword, text, status, table, doc_string];
  // result: {row, outcome, label, release, tester, at, actual, defect, defect_href}
  const features = JSON.parse($("case-data").textContent);
  const scripts = Array.from(document.querySelectorAll("#scripts tbody tr"), (row) => ({
    anchor: row.id,
    short: row.dataset.short,
  }));
  const cases = [];
  for (const feature of features) {
    for (const c of feature.cases) {
      c.feature = feature;
      c.search = [c.id || "", c.title, feature.name, c.tags.join(" "), c.requirements.join(" ")]
        .join(" ")
        .toLowerCase();
      cases.push(c);
    }
  }
  const requirements = Array.from(document.querySelectorAll("tr.requirement"), (el) => ({
    el,
    id: el.dataset.requirement,
    search: el.textContent.toLowerCase(),
  }));

  function el(name, className, content) {
    const node = document.createElement(name);
    if (className) node.className = className;
    if (content !== undefined) node.textContent = content;
    return node;
  }

  function badge(outcome) {
    return el("span", "badge " + outcome, label(outcome));
  }

  function tags(parent, names) {
    for (const name of names) {
      parent.append(" ", el("span", "tag", name));
    }
  }

  function table(rows, header, outcomes) {
    const node = el("table", "data");
    rows.forEach((cells, i) => {
      const tr = el("tr");
      for (const cell of cells) tr.append(el(header && i === 0 ? "th" : "td", "", cell));
      if (outcomes) {
        const td = el(i === 0 ? "th" : "td");
        if (i === 0) td.textContent = "outcome";
        else td.append(badge(outcomes[i - 1]));
        if (i > 0) tr.className = outcomes[i - 1];
        tr.append(td);
      }
      node.append(tr);
    });
    return node;
  }

  function steps(list) {
    const ol = el("ol", "steps");
    for (const [keyword, text, status, rows, docString] of list) {
      const li = el("li", status);
      li.append(el("b", "", keyword), " " + text);
      if (rows) li.append(table(rows, false));
      if (docString !== null) li.append(el("pre", "doc", docString));
      ol.append(li);
    }
    return ol;
  }

  function block(b, heading) {
    const div = el("div", heading);
    div.append(el("h4", "", b.name ? b.keyword + ": " + b.name : b.keyword));
    if (b.description) div.append(el("p", "description", b.description));
    if (b.steps.length) div.append(steps(b.steps));
    return div;
  }

  function featureNode(f) {
    const article = el("article", "feature");
    article.id = f.anchor;
    article.append(el("h3", "", f.keyword + ": " + f.name));
    const file = el("p", "file", f.file);
    tags(file, f.tags);
    article.append(file);
    if (f.description) article.append(el("p", "description", f.description));
    if (f.background) article.append(block(f.background, "background"));
    return article;
  }

  function caseNode(c) {
    const div = el("div", "case " + c.outcome);
    div.id = c.anchor;
    const h4 = el("h4");
    h4.append(badge(c.outcome), " ");
    if (c.id) {
      const id = el("span", "id", c.id);
      id.dataset.testid = "case-id";
      h4.append(id, " ");
    }
    h4.append(c.keyword + ": " + c.title);
    if (c.manual) h4.append(" ", el("span", "manual", "manual"));
    if (c.awaiting) h4.append(" ", el("span", "manual", "awaiting automation"));
    div.append(h4);
    const file = el("p", "file", "line " + c.line);
    tags(file, c.tags);
    div.append(file);
    if (c.description) div.append(el("p", "description", c.description));
    div.append(steps(c.steps));
    for (const r of c.results) div.append(manualResult(r));
    for (const x of c.examples) {
      div.append(el("h5", "", x.name ? x.keyword + ": " + x.name : x.keyword));
      const rows = [x.header].concat(x.rows.map((r) => r.cells));
      div.append(table(rows, true, x.rows.map((r) => r.outcome)));
    }
    if (c.scripts.length) {
      const p = el("p", "scripts", "Scripts:");
      for (const i of c.scripts) {
        const a = el("a", "", scripts[i].short);
        a.href = "#" + scripts[i].anchor;
        p.append(" ", a);
      }
      div.append(p);
    }
    return div;
  }

  // A tester's result: its outcome, who and when, the actual result and the defect.
  function manualResult(r) {
    const div = el("div", "manual-result " + r.outcome);
    const p = el("p");
    p.append(el("b", "", r.row === null ? "Manual result" : "Manual result, row " + r.row), " ");
    p.append(badge(r.outcome), " " + r.label + " by " + r.tester + " at " + r.at);
    p.append(" (release " + r.release + ")");
    div.append(p);
    if (r.actual) {
      const actual = el("p", "actual");
      actual.append(el("b", "", "Actual result:"), " " + r.actual);
      div.append(actual);
    }
    if (r.defect) {
      const defect = el("p", "defect");
      defect.append(el("b", "", "Defect:"), " ");
      if (r.defect_href) {
        const a = el("a", "", r.defect);
        a.href = r.defect_href;
        a.rel = "noreferrer";
        defect.append(a);
      } else {
        defect.append(r.defect);
      }
      div.append(defect);
    }
    return div;
  }

  let matching = [];
  let limit = PAGE;

  function draw() {
    list.replaceChildren();
    let feature = null;
    let article = null;
    let lastRule = null;
    for (const c of matching.slice(0, limit)) {
      if (c.feature !== feature) {
        feature = c.feature;
        article = featureNode(feature);
        list.append(article);
        lastRule = null;
      }
      if (c.rule !== null && c.rule !== lastRule) {
        article.append(block(feature.rules[c.rule], "rule"));
      }
      lastRule = c.rule;
      article.append(caseNode(c));
    }
    const rest = matching.length - Math.min(limit, matching.length);
    more.hidden = rest === 0;
    more.textContent = "Show " + Math.min(rest, PAGE) + " more of " + rest;
  }

  function apply() {
    const words = text.value.toLowerCase().split(/\s+/).filter(Boolean);
    const wanted = { outcome: outcome.value, tag: tag.value, requirement: requirement.value };
    const matches = (search) => words.every((w) => search.includes(w));
    matching = cases.filter(
      (c) =>
        matches(c.search) &&
        (!wanted.outcome || c.outcome === wanted.outcome) &&
        (!wanted.tag || c.tags.includes(wanted.tag)) &&
        (!wanted.requirement || c.requirements.includes(wanted.requirement)),
    );
    limit = PAGE;
    draw();
    for (const r of requirements) {
      r.el.hidden =
        !matches(r.search) || (wanted.requirement !== "" && r.id !== wanted.requirement);
    }
    noMatch.hidden = matching.length > 0;
    count.value = matching.length + " of " + cases.length + " cases shown";
  }

  // A link to a case that is not drawn (filtered out, or past the first page) shows it.
  function reveal() {
    const anchor = decodeURIComponent(location.hash.slice(1));
    if (!anchor.startsWith("case-") || document.getElementById(anchor)) return;
    const target = cases.find((c) => c.anchor === anchor);
    if (!target) return;
    for (const select of [outcome, tag, requirement]) select.value = "";
    text.value = target.id || target.title;
    apply();
    const node = document.getElementById(anchor);
    if (node) node.scrollIntoView();
  }

  let pending = 0;
  const schedule = () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(apply);
  };
  text.addEventListener("input", schedule);
  for (const select of [outcome, tag, requirement]) select.addEventListener("change", apply);
  $("filters").addEventListener("submit", (event) => event.preventDefault());
  more.addEventListener("click", () => {
    limit += PAGE;
    draw();
  });
  window.addEventListener("hashchange", reveal);
  apply();
  reveal();
})();
