"""`touchdsl measure --report`: a self-contained page, the same bytes for the same
measurement, user text escaped everywhere (charts' titles too), Hebrew from the
catalogues, written as build outputs are (never over files touchdsl did not write)."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

import touchdsl
from tests.paths import REPO
from touchdsl.cli import cli
from touchdsl.measure.report import render

AS_OF = "2026-11-30T17:00:00+02:00"
TELECOM = REPO / "examples" / "telecom"


@pytest.fixture(scope="module")
def telecom():
    project = touchdsl.load([str(TELECOM)])
    return project, touchdsl.measure(project, str(TELECOM / "events.csv"), as_of=AS_OF, every="week", last="56d")


class _Page(HTMLParser):
    """What a page loads and says: every tag with its attributes, and its text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def svgs(html: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", html, flags=re.S)


def test_the_report_loads_nothing_and_runs_nothing(telecom):
    html = render(*telecom, "en")["index.html"].decode("utf-8")
    page = parse(html)
    assert not [t for t, _ in page.tags if t in ("script", "link", "img", "iframe", "object", "embed")]
    for tag, attrs in page.tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            if name in ("href", "src", "xlink:href") and value:
                assert value.startswith("#"), (tag, name, value)  # anchors in the page only
    assert "url(http" not in html and "@import" not in html and "//" not in re.sub(r"https?://www\.w3\.org/[\w/]*", "", html)


def test_every_metric_has_a_trend_a_table_and_time_metrics_a_distribution(telecom):
    project, measurement = telecom
    html = render(project, measurement, "en")["index.html"].decode("utf-8")
    for item in measurement.items:
        anchor = f'id="m-{item.touchpoint}-{item.metric}"'
        assert anchor in html
        article = html[html.index(anchor):html.index("</article>", html.index(anchor))]
        assert f'id="trend-{item.touchpoint}-{item.metric}"' in article
        assert article.count("<tr>") >= len(item.periods)  # the text alternative: a row per period
        if item.kind in ("time", "updates"):
            assert f'id="dist-{item.touchpoint}-{item.metric}"' in article
            assert "Open and overdue now" in article
    # owners worst first, as the measurement ranks them
    owners = [o.title for o in measurement.owners]
    assert [html.index(f"<th scope=\"row\"><bdi>{t}</bdi>") for t in owners] == sorted(
        html.index(f"<th scope=\"row\"><bdi>{t}</bdi>") for t in owners)
    # the promise's limit and the target's are drawn on the distribution of arrival
    arrival = next(i for i in measurement.items if i.metric == "arrival")
    assert arrival.periods[-1].distribution
    assert "Data quality" in html and "unknown_event" in html


def test_charts_are_well_formed_svg_with_a_title_and_description_for_screen_readers(telecom):
    html = render(*telecom, "en")["index.html"].decode("utf-8")
    charts = svgs(html)
    assert len(charts) >= 10
    ids = []
    for chart in charts:
        root = ET.fromstring(chart)
        ns = "{http://www.w3.org/2000/svg}"
        assert root.get("role") == "img"
        title, desc = root.find(f"{ns}title"), root.find(f"{ns}desc")
        assert title is not None and title.text and desc is not None and desc.text
        assert root.get("aria-labelledby") == f"{root.get('id')}-title {root.get('id')}-desc"
        assert root.get("width") is None and root.get("viewBox")  # sized by the page
        ids += [e.get("id") for e in root.iter() if e.get("id")]
    assert len(ids) == len(set(ids)), "ids must be unique across the page"


def test_same_measurement_same_bytes_in_one_process_and_in_another(telecom, tmp_path):
    project, measurement = telecom
    first = render(project, measurement, "he")["index.html"]
    assert render(project, measurement, "he")["index.html"] == first  # vl-convert counts ids per process
    saved = tmp_path / "measure.json"
    saved.write_text(measurement.model_dump_json(), encoding="utf-8")
    code = (
        "import sys, touchdsl\n"
        "from touchdsl.measure.result import Measurement\n"
        "from touchdsl.measure.report import render\n"
        f"m = Measurement.model_validate_json(open({str(saved)!r}).read())\n"
        f"sys.stdout.buffer.write(render(touchdsl.load([{str(TELECOM)!r}]), m, 'he')['index.html'])\n"
    )
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True).stdout
    assert other == first


def test_user_text_is_escaped_everywhere_in_the_report(tmp_path):
    hostile = REPO / "tests" / "fixtures" / "hostile"
    project = touchdsl.load([str(hostile)])
    tp = project.touchpoints["injected"]
    rows = ["case,touchpoint,event,at"]
    for k in range(6):
        case = f'"<img src=x onerror=alert({k})> & ""q"""'
        rows.append(f"{case},injected,open.start,2026-11-0{k + 1}T08:00:00Z")
        if k % 2:
            rows.append(f"{case},injected,open.answered,2026-11-0{k + 1}T08:00:{10 * k:02d}Z")
    rows.append('x,"</title><script>alert(2)</script>",e,2026-11-01T08:00:00Z')
    events = tmp_path / "events.csv"
    events.write_text("\n".join(rows) + "\n", encoding="utf-8")
    measurement = touchdsl.measure(project, str(events), as_of="2026-11-07T00:00:00Z", every="week", last="14d")
    for lang in ("en", "he"):
        html = render(project, measurement, lang)["index.html"].decode("utf-8")
        page = parse(html)
        assert not [t for t, _ in page.tags if t in ("script", "img")]
        assert all(not n.startswith("on") for _, a in page.tags for n in a)
        text = "".join(page.text)
        assert "<img src=x onerror=alert(0)> & \"q\"" in text  # shown as written, as text
        assert "</title><script>alert(2)</script>" in text
        wait = next(m for m in tp.metrics if m.id == "wait")
        for chart in svgs(html):
            root = ET.fromstring(chart)  # well-formed whatever the titles hold
            title = root.find("{http://www.w3.org/2000/svg}title").text
            if root.get("id") == "trend-injected-wait":
                assert title == " ".join(wait.title.split())


def test_hebrew_report_is_right_to_left_and_from_the_catalogue(telecom):
    html = render(*telecom, "he")["index.html"].decode("utf-8")
    assert '<html lang="he" dir="rtl">' in html
    text = "".join(parse(html).text)
    for english in ("Are we keeping our promises?", "Owners, worst first", "Data quality", "Every period"):
        assert english not in text
    assert "האם אנחנו עומדים בהבטחות?" in text


def test_cli_writes_the_report_folder_safely(tmp_path):
    out = tmp_path / "report"
    args = ["measure", str(TELECOM), "-e", str(TELECOM / "events.csv"), "--as-of", AS_OF, "--fail-on", "never",
            "--report", str(out)]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [".touchdsl-manifest.json", "index.html"]
    assert f"Report: {out}/index.html" in result.stdout
    # again: replaced in one step
    assert CliRunner().invoke(cli, args, catch_exceptions=False).exit_code == 0
    # a file touchdsl did not write is never deleted: the report is refused, nothing changes
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 2 and "notes.txt" in result.stderr and "Traceback" not in result.stderr
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    # nor the project's own folder
    result = CliRunner().invoke(cli, [*args[:-1], str(TELECOM)], catch_exceptions=False)
    assert result.exit_code == 2 and "project's own folder" in result.stderr
