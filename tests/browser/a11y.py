"""axe-core (npm `axe-core`, the engine of most accessibility checkers) run in the page under
test: the WCAG 2.1 A and AA rules, and the violations a person would be stopped by (impact
serious or critical), each named with the elements it was found on."""
from __future__ import annotations

from functools import cache

from tests.conftest import ROOT

RUN = """async () => {
  const found = await axe.run(document, {runOnly: {type: "tag",
      values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}});
  return found.violations.filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => v.id + ": " + v.help + " — " +
         v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "));
}"""


@cache
def _engine() -> str:
    return (ROOT / "node_modules" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")


def serious_violations(page) -> list[str]:
    """The serious and critical WCAG 2.1 AA violations on the page as it is now."""
    if not page.evaluate("() => Boolean(window.axe)"):
        page.evaluate(_engine())  # evaluated by the browser's debugger: no script tag, no CSP
    return page.evaluate(RUN)
