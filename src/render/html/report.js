// casebook report: filters the cases and requirements the page already shows. Nothing is
// fetched and nothing is written into the page but `hidden` flags and a count.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const text = $("filter-text");
  const outcome = $("filter-outcome");
  const tag = $("filter-tag");
  const requirement = $("filter-requirement");
  const count = $("filter-count");
  const noMatch = $("no-match");
  // Read every case once: at ten thousand cases, re-reading the DOM per keystroke is the cost.
  const cases = Array.from(document.querySelectorAll(".case"), (el) => ({
    el,
    feature: el.closest(".feature"),
    outcome: el.dataset.outcome,
    tags: el.dataset.tags.split(" "),
    requirements: el.dataset.requirements.split(" "),
    search: el.dataset.search,
  }));
  const requirements = Array.from(document.querySelectorAll("tr.requirement"), (el) => ({
    el,
    id: el.dataset.requirement,
    search: el.textContent.toLowerCase(),
  }));
  const features = Array.from(document.querySelectorAll(".feature"));

  function apply() {
    const words = text.value.toLowerCase().split(/\s+/).filter(Boolean);
    const wanted = {
      outcome: outcome.value,
      tag: tag.value,
      requirement: requirement.value,
    };
    const matches = (search) => words.every((w) => search.includes(w));
    const shownFeatures = new Set();
    let shown = 0;
    for (const c of cases) {
      const show =
        matches(c.search) &&
        (!wanted.outcome || c.outcome === wanted.outcome) &&
        (!wanted.tag || c.tags.includes(wanted.tag)) &&
        (!wanted.requirement || c.requirements.includes(wanted.requirement));
      c.el.hidden = !show;
      if (show) {
        shown += 1;
        shownFeatures.add(c.feature);
      }
    }
    for (const f of features) f.hidden = !shownFeatures.has(f);
    for (const r of requirements) {
      r.el.hidden =
        !matches(r.search) || (wanted.requirement !== "" && r.id !== wanted.requirement);
    }
    noMatch.hidden = shown > 0;
    count.value = shown + " of " + cases.length + " cases shown";
  }

  let pending = 0;
  const schedule = () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(apply);
  };
  text.addEventListener("input", schedule);
  for (const select of [outcome, tag, requirement]) select.addEventListener("change", apply);
  $("filters").addEventListener("submit", (event) => event.preventDefault());
  apply();
})();
