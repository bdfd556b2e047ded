"""The charters render in headless Chromium with no console messages, in Hebrew and English.

`python -m tests.test_charter_chromium` regenerates the reviewed screenshots in
docs/img/ (charter-en.png from examples/telecom, charter-he.png from
examples/health with `--lang he`); look at them before committing.
"""

from __future__ import annotations

import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

import pytest

from tests.paths import REPO
from tests.tools import require_tool

SHOTS = {"en": ("telecom", (1000, 1300)), "he": ("health", (1000, 1850))}

# Flags for a root container: no sandbox, no GPU, no network or background services.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--enable-logging=stderr", "--v=0")


def screenshot(chromium: str, page: Path, png: Path, size: tuple[int, int], profile: Path) -> str:
    """Render `page` to `png`; returns Chromium's log (stderr), which carries console messages."""
    run = subprocess.run(
        [chromium, *FLAGS, f"--user-data-dir={profile}", f"--window-size={size[0]},{size[1]}",
         f"--screenshot={png}", page.resolve().as_uri()],
        capture_output=True, text=True, timeout=180,  # a hung browser must not hang the suite
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stderr


def console_messages(log: str) -> list[str]:
    return [line for line in log.splitlines() if ":CONSOLE" in line]


def png_facts(data: bytes) -> tuple[int, int, int]:
    """(width, height, distinct byte values of the decoded image data): enough to tell a
    rendered page from a blank one without an imaging library."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    return width, height, len(set(zlib.decompress(idat)))


def build_charter(name: str, lang: str, out: Path) -> Path:
    import touchdsl
    from touchdsl.targets import BuildOptions
    from touchdsl.targets.charter import render

    files = render(touchdsl.load([str(REPO / "examples" / name)]), BuildOptions(lang=lang))
    page = out / name / lang / "index.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_bytes(files["charter/index.html"])
    return page


def test_console_messages_are_caught(tmp_path):
    """The check below has teeth: a page that logs to the console is reported."""
    chromium = require_tool("chromium")
    page = tmp_path / "noisy.html"
    page.write_text('<!DOCTYPE html><p>x</p><script>console.error("charter-console-probe")</script>')
    log = screenshot(chromium, page, tmp_path / "noisy.png", (400, 300), tmp_path / "profile")
    assert any("charter-console-probe" in line for line in console_messages(log))


@pytest.mark.parametrize("lang", sorted(SHOTS))
def test_charter_renders_without_console_messages(lang, tmp_path):
    chromium = require_tool("chromium")
    name, size = SHOTS[lang]
    page = build_charter(name, lang, tmp_path)
    png = tmp_path / f"charter-{lang}.png"
    log = screenshot(chromium, page, png, size, tmp_path / "profile")
    assert console_messages(log) == []
    width, height, distinct = png_facts(png.read_bytes())
    assert (width, height) == size
    blank = tmp_path / "blank.html"
    blank.write_text("<!DOCTYPE html><title>blank</title>")
    blank_png = tmp_path / "blank.png"
    screenshot(chromium, blank, blank_png, size, tmp_path / "profile-blank")
    assert distinct > 3 * png_facts(blank_png.read_bytes())[2], "the charter rendered as an empty page"


def main() -> None:
    import shutil

    chromium = shutil.which("chromium")
    if not chromium:
        sys.exit("chromium is not installed")
    out = REPO / "docs" / "img"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for lang, (name, size) in sorted(SHOTS.items()):
            page = build_charter(name, lang, Path(tmp))
            log = screenshot(chromium, page, out / f"charter-{lang}.png", size, Path(tmp) / f"profile-{lang}")
            if console_messages(log):
                sys.exit("\n".join(console_messages(log)))
            print(f"docs/img/charter-{lang}.png")


if __name__ == "__main__":
    main()
