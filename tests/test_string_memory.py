"""Long texts are read in memory proportional to the text, not to its length times a constant.

A text literal of 5 MB took about 600 MB (50 MB: 6.7 GB) while the STRING
pattern kept backtracking state per character (issue 10). Each case compiles a
project in a child process whose address space is capped a fixed amount above
what it uses before reading the file: the old pattern ran out of memory there.
Memory, not time, is what is bounded.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc and RLIMIT_AS")

SIZE = 5_000_000
HEADROOM = 160 * 1024 * 1024  # a few copies of a 5 MB text and the compiler's own work

CHILD = r"""
import resource, sys
from touchdsl.compiler.driver import compile_project
from touchdsl.language.parser import parse

parse('owner warm "w" { note "x" }', "warm.touch")  # grammar and patterns loaded first

def address_space():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024

limit = address_space() + int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
result = compile_project([sys.argv[1]])
print(" ".join(sorted({d.code for d in result.diagnostics})) or "clean")
"""

OWNER_TAIL = '\n    manager "Dana Levi" <dana@example.com>\n    notify email "ops@example.com"\n}\n'


def _cases() -> dict[str, str]:
    plain = "a" * SIZE
    escapes = 'ab\\n\\"c' * (SIZE // 7)
    triple = 'ab\\n"c ""d\n' * (SIZE // 11)
    return {
        "one-line text": f'owner ops "{plain}" {{' + OWNER_TAIL,
        "one-line text full of escapes": f'owner ops "{escapes}" {{' + OWNER_TAIL,
        "triple-quoted text with escapes and quotes": f'owner ops "Ops" {{\n    note """\n{triple}"""' + OWNER_TAIL,
        "text without its closing quote": f'owner ops "Ops" {{\n    note "{plain}' + OWNER_TAIL,
    }


@pytest.mark.parametrize("name", list(_cases()))
def test_a_5_mb_text_compiles_within_a_bounded_address_space(tmp_path: Path, name: str) -> None:
    source = tmp_path / "big.touch"
    source.write_text(_cases()[name], encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", CHILD, str(source), str(HEADROOM)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    codes = proc.stdout.split()
    if name == "text without its closing quote":
        assert codes == ["TD002"]  # reported, and nothing else
    else:
        assert codes == ["clean"]
