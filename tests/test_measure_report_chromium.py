"""The report in headless Chromium at a desktop (1200 px) and a phone (390 px) width, in
English and in Hebrew: nothing wider than the screen, every chart drawn and visible,
right to left in Hebrew, no console message.

Chromium lays the page out with a probe added to a copy of it (the report itself has
no script): the probe measures the page and writes what it found into the DOM, which
`--dump-dom` prints. `python -m tests.test_measure_report_chromium` regenerates the
reviewed screenshots in docs/img/ (look at them before committing).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.paths import REPO
from tests.test_charter_chromium import FLAGS, console_messages, png_facts, screenshot
from tests.tools import require_tool

AS_OF = "2026-11-30T17:00:00+02:00"
WIDTHS = {"desktop": 1200, "phone": 390}
# language -> (example, how its log is read)
RUNS = {
    "en": ("telecom", {"events": "events.csv"}),
    "he": ("health", {"events": "events.csv", "mapping": {"case": "ticket_id", "at": "created_at"},
                      "timezone": "Asia/Jerusalem"}),
}

# Headless Chromium's window is never narrower than 500 px: each page is laid out in an
# iframe of the exact width (`srcdoc`, so the probe may read it).
PROBE = """<script>
window.addEventListener("load", function () {
  var found = [];
  Array.prototype.forEach.call(document.querySelectorAll("iframe"), function (frame) {
    var doc = frame.contentDocument, root = doc.documentElement, w = root.clientWidth;
    var charts = Array.prototype.map.call(doc.querySelectorAll("svg[role=img]"), function (svg) {
      var r = svg.getBoundingClientRect();
      return {id: svg.id, left: r.left, right: r.right, width: r.width, height: r.height,
              shapes: svg.querySelectorAll("path, line, rect").length};
    });
    var wide = Array.prototype.filter.call(doc.querySelectorAll("body *"), function (e) {
      var box = e.parentElement && e.parentElement.closest(".scroll");  // tables scroll in their box
      if (box) return false;
      var r = e.getBoundingClientRect();
      return r.width > 0 && (r.right > w + 0.5 || r.left < -0.5);
    }).map(function (e) { return e.tagName + " " + (e.textContent || "").trim().slice(0, 60); });
    var range = doc.createRange();
    range.selectNodeContents(doc.querySelector("h1"));
    var h1 = range.getBoundingClientRect(), main = doc.querySelector("main").getBoundingClientRect();
    var row = doc.querySelector("#owners tbody tr");
    var cells = row ? Array.prototype.map.call(row.children, function (c) { return c.getBoundingClientRect().left; }) : [];
    found.push({page: frame.dataset.page, viewport: w, scrollWidth: root.scrollWidth,
                direction: frame.contentWindow.getComputedStyle(root).direction,
                h1: {left: h1.left - main.left, right: main.right - h1.right}, cells: cells, charts: charts,
                wide: wide.slice(0, 10)});
  });
  var pre = document.createElement("pre");
  pre.id = "probe";
  pre.textContent = JSON.stringify(found);
  document.body.appendChild(pre);
});
</script>"""


def report(lang: str, folder: Path) -> Path:
    import touchdsl
    from touchdsl.measure.report import render

    name, run = RUNS[lang]
    example = REPO / "examples" / name
    project = touchdsl.load([str(example)])
    options = {k: v for k, v in run.items() if k != "events"}
    # The log as a person names it from the checkout (the report shows its name).
    events = os.path.relpath(example / str(run["events"]), REPO)
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        measurement = touchdsl.measure(project, events, as_of=AS_OF, every="week", last="56d", **options)
    finally:
        os.chdir(cwd)
    page = folder / lang / "index.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_bytes(render(project, measurement, lang)["index.html"])
    return page


def layout(chromium: str, pages: dict[str, Path], profile: Path, out: Path) -> dict[tuple[str, int], dict]:
    """Every page at every width in one browser run: what the probe found, by (language, width)."""
    import html

    frames = "".join(
        f'<iframe data-page="{lang} {w}" width="{w}" height="900" style="display:block;border:0" '
        f'srcdoc="{html.escape(page.read_text(encoding="utf-8"), quote=True)}"></iframe>'
        for lang, page in sorted(pages.items()) for w in WIDTHS.values())
    wrapper = out / "layout.html"
    wrapper.write_text(f"<!DOCTYPE html><html><body style='margin:0'>{frames}{PROBE}</body></html>",
                       encoding="utf-8")
    run = subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}", "--window-size=1300,900",
                          "--dump-dom", wrapper.resolve().as_uri()],
                         capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr[-2000:]
    found = re.search(r'<pre id="probe">(.*?)</pre>', run.stdout, flags=re.S)
    assert found, "the probe did not run"
    results = json.loads(html.unescape(found.group(1)))
    return {(r["page"].split()[0], int(r["page"].split()[1])): r for r in results}


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    return {lang: report(lang, folder) for lang in RUNS}


@pytest.fixture(scope="module")
def laid_out(pages, tmp_path_factory):
    chromium = require_tool("chromium")
    folder = tmp_path_factory.mktemp("layout")
    return layout(chromium, pages, folder / "profile", folder)


@pytest.mark.parametrize("lang", sorted(RUNS))
@pytest.mark.parametrize("device", sorted(WIDTHS))
def test_report_fits_the_screen_draws_every_chart_and_reads_in_its_direction(laid_out, lang, device):
    width = WIDTHS[device]
    found = laid_out[(lang, width)]
    assert found["viewport"] == width
    assert found["scrollWidth"] <= width, f"the page scrolls sideways: {found['wide']}"
    assert found["wide"] == []
    charts = found["charts"]
    assert len(charts) >= 10
    for chart in charts:
        # drawn, on the screen, big enough to read the shapes of (at least the phone's width less margins)
        assert chart["shapes"] > 5, chart
        assert chart["left"] >= 0 and chart["right"] <= width, chart
        assert chart["width"] >= min(300, width - 60) and chart["height"] > 80, chart
    if lang == "he":
        assert found["direction"] == "rtl"
        assert abs(found["h1"]["right"]) < 2 < found["h1"]["left"]  # the title's text starts at the right
        assert found["cells"] == sorted(found["cells"], reverse=True)  # the first column on the right
    else:
        assert found["direction"] == "ltr"
        assert abs(found["h1"]["left"]) < 2 < found["h1"]["right"]
        assert found["cells"] == sorted(found["cells"])


@pytest.mark.parametrize("lang", sorted(RUNS))
def test_report_renders_without_console_messages(pages, lang, tmp_path):
    chromium = require_tool("chromium")
    png = tmp_path / "shot.png"
    log = screenshot(chromium, pages[lang], png, (WIDTHS["phone"], 1400), tmp_path / "profile")
    assert console_messages(log) == []
    width, height, distinct = png_facts(png.read_bytes())
    assert (width, height) == (WIDTHS["phone"], 1400) and distinct > 50


SHOTS = {  # docs/img/<name>.png: language, width, height
    "report-en-desktop": ("en", 1200, 2200),
    "report-he-desktop": ("he", 1200, 2200),
    "report-en-phone": ("en", 390, 2000),
    "report-he-phone": ("he", 390, 2000),
}


def main() -> None:
    import shutil

    chromium = shutil.which("chromium")
    if not chromium:
        sys.exit("chromium is not installed")
    out = REPO / "docs" / "img"
    with tempfile.TemporaryDirectory() as tmp:
        pages = {lang: report(lang, Path(tmp)) for lang in RUNS}
        for name, (lang, width, height) in SHOTS.items():
            log = screenshot(chromium, pages[lang], out / f"{name}.png", (width, height), Path(tmp) / f"p-{name}")
            if console_messages(log):
                sys.exit("\n".join(console_messages(log)))
            print(f"docs/img/{name}.png")


if __name__ == "__main__":
    main()


def test_the_probe_catches_a_page_wider_than_the_phone(tmp_path):
    """The layout check has teeth: a chart or a word wider than the screen is found."""
    chromium = require_tool("chromium")
    page = tmp_path / "wide.html"
    page.write_text('<!DOCTYPE html><html dir="ltr"><body><h1>Title</h1><main>'
                    '<svg role="img" id="c" width="800" height="100"><rect width="800" height="100"/></svg>'
                    '<table id="owners"><tbody><tr><td>a</td><td>b</td></tr></tbody></table>'
                    '<p>Averyveryveryveryveryveryveryveryveryveryveryveryveryverylongword</p></main></body></html>',
                    encoding="utf-8")
    found = layout(chromium, {"en": page}, tmp_path / "profile", tmp_path)[("en", 390)]
    assert found["scrollWidth"] > 390 and found["wide"]
    assert found["charts"][0]["right"] > 390
