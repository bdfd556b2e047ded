"""The charter and the policy fit their column at a desktop width (1200 px) and a phone's
(390 px), in English and in Hebrew: nothing sticks out of the page on either side, and
the page keeps its margin on both sides (a Hebrew page once lost its right one).

Headless Chromium lays the pages out (see tests/test_charter_chromium.py for how it is
driven). Its window is never narrower than 500 px, so each page is laid out in an iframe
of the exact width (`srcdoc`, so the measuring script may read it); the script measures
`scrollWidth` against `clientWidth` and every element's box against the viewport, and
writes what it found into the page, which `--dump-dom` prints.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.paths import REPO
from tests.test_charter_chromium import FLAGS
from tests.tools import require_tool

WIDTHS = (1200, 390)
MARGIN = 8  # px: the least space between the text and either edge of the page

_MEASURE = """
<script>
window.addEventListener("load", () => {
  const found = [];
  for (const frame of document.querySelectorAll("iframe")) {
    const doc = frame.contentDocument, root = doc.documentElement, width = root.clientWidth;
    const outside = [];
    for (const el of doc.body.querySelectorAll("*")) {
      // what a box that scrolls on its own holds (the policy's series table) is not the page's
      const box = el.parentElement && el.parentElement.closest(".wide");
      if (box) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (r.left < -0.5 || r.right > width + 0.5)
        outside.push(`${el.tagName.toLowerCase()} ${Math.round(r.left)}..${Math.round(r.right)}: ` +
                     (el.textContent || "").trim().slice(0, 80));
    }
    const h1 = doc.querySelector("h1").getBoundingClientRect();
    found.push({page: frame.dataset.page, width: width, scrollWidth: root.scrollWidth,
                left: h1.left, right: width - h1.right, outside: outside.slice(0, 10)});
  }
  const out = document.createElement("pre");
  out.id = "measured";
  out.textContent = JSON.stringify(found);
  document.body.appendChild(out);
});
</script>
"""


def measure(chromium: str, pages: dict[str, str], profile: Path, out: Path) -> list[dict]:
    """Lay out every page at every width in one browser run; what the script found, per page and width."""
    frames = "".join(
        f'<iframe data-page="{html.escape(name)}" width="{w}" height="900" style="display:block;border:0" '
        f'srcdoc="{html.escape(text, quote=True)}"></iframe>'
        for name, text in pages.items() for w in WIDTHS)
    wrapper = out / "layout.html"
    wrapper.write_text(f"<!DOCTYPE html><html><body style='margin:0'>{frames}{_MEASURE}</body></html>",
                       encoding="utf-8")
    run = subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}", "--window-size=1300,900",
                          "--dump-dom", wrapper.resolve().as_uri()],
                         capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr[-2000:]
    found = re.search(r'<pre id="measured">(.*?)</pre>', run.stdout, re.S)
    assert found, "the measuring script did not run"
    return json.loads(html.unescape(found.group(1)))


def documents() -> dict[str, str]:
    """The charter and the fullest policy pages of two examples, in both languages."""
    import touchdsl
    from touchdsl.targets import BuildOptions
    from touchdsl.targets.charter import render as charter
    from touchdsl.targets.policy import render as policy

    pages = {}
    for name, owner in (("telecom", "field_ops"), ("health", "patient_relations")):
        project = touchdsl.load([str(REPO / "examples" / name)])
        for lang in ("en", "he"):
            options = BuildOptions(lang=lang)
            pages[f"{name} {lang} charter"] = charter(project, options)["charter/index.html"].decode()
            files = policy(project, options)
            pages[f"{name} {lang} policy/{owner}"] = files[f"policy/{owner}.html"].decode()
            pages[f"{name} {lang} policy/index"] = files["policy/index.html"].decode()
    return pages


def problems(results: list[dict]) -> list[str]:
    out = []
    for r in results:
        where = f"{r['page']} at {r['width']} px"
        if r["scrollWidth"] > r["width"]:
            out.append(f"{where}: the page is {r['scrollWidth']} px wide")
        if r["outside"]:
            out.append(f"{where}: outside the page: {r['outside']}")
        if r["left"] < MARGIN or r["right"] < MARGIN:
            out.append(f"{where}: the heading is {r['left']:.0f} px from the left and {r['right']:.0f} px from "
                       "the right edge")
    return out


def test_the_measure_catches_overflow_on_either_side(tmp_path):
    """The check has teeth: a sentence that may not wrap widens an English page, and sticks out on
    the left of a Hebrew one (where `scrollWidth` alone would not tell)."""
    chromium = require_tool("chromium")
    long = "word " * 80
    pages = {
        "ltr": f'<!DOCTYPE html><html dir="ltr"><body><h1>T</h1><p style="white-space:nowrap">{long}</p></body></html>',
        "rtl": f'<!DOCTYPE html><html dir="rtl"><body><h1>T</h1><p><bdi style="white-space:nowrap">{long}</bdi>'
               '</p></body></html>',
        "edge": '<!DOCTYPE html><html dir="rtl"><body style="margin:0"><h1>T</h1></body></html>',
        "fits": '<!DOCTYPE html><html dir="rtl"><body><h1>T</h1><p>short</p></body></html>',
    }
    found = {(r["page"], r["width"]): r for r in measure(chromium, pages, tmp_path / "profile", tmp_path)}
    for width in WIDTHS:
        assert problems([found[("ltr", width)]]) and found[("ltr", width)]["scrollWidth"] > width
        assert any("outside the page" in p for p in problems([found[("rtl", width)]]))
        assert any("from the right edge" in p for p in problems([found[("edge", width)]]))
        assert problems([found[("fits", width)]]) == []


def test_charter_and_policy_fit_a_desktop_and_a_phone_in_both_languages(tmp_path):
    chromium = require_tool("chromium")
    pages = documents()
    results = measure(chromium, pages, tmp_path / "profile", tmp_path)
    assert {(r["page"], r["width"]) for r in results} == {(p, w) for p in pages for w in WIDTHS}
    assert problems(results) == []
