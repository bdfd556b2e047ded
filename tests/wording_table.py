"""The wording table of docs/charter.md, made from the real wording.

Each row is one objective of an example project, worded by `touchdsl.documents.wording`
in English and in Hebrew with the same numbers (the Hebrew title elided as `…`, since a
title is written in one language). `python -m tests.wording_table` rewrites the table
between its markers; tests/test_charter.py fails when the table in the docs differs.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.paths import REPO

DOC = REPO / "docs" / "charter.md"
START, END = "<!-- wording-table:start -->", "<!-- wording-table:end -->"

# (project, touchpoint, metric or "updates", the objective as written in the docs)
ROWS = (
    ("telecom", "technical_fault", "answer", "`time … promise 80% within 30s`"),
    ("telecom", "technical_fault", "arrival", "`time … on il_office`, `95% within 48h`"),
    ("telecom", "technical_fault", "abandoned", "`ratio … at most 5%`"),
    ("telecom", "address_change", "first_contact", "`ratio … at least 70%`"),
    ("telecom", "technical_fault", "csat", "`score 1..5`, `average at least 4.3`"),
    ("banking", "bank_transfer", "effort", "`score 1..7`, `80% at least 5`"),
    ("banking", "bank_transfer", "recommend", "`nps`, `at least 30`"),
    ("telecom", "address_change", "complaints", "`count … per 7d`, `at most 20`"),
    ("telecom", "address_change", "done", "`time … on il_office`, `90% within 2 business days`"),
    ("health", "appointment", "slot.urgent", "`… 90% within 1 business day for urgent` (a class)"),
    ("health", "complaint", "reply_time", "`… 90% within 14 business days`, `pause while details`"),
    ("telecom", "technical_fault", "updates", "`updates every 4h via sms until verify.end`"),
    ("health", "lab_results", "updates", "`updates every 1d via sms until publish.end`"),
)


def table() -> str:
    import touchdsl
    from touchdsl.documents.wording import Phrase, Words
    from touchdsl.model import metric_key

    projects = {name: touchdsl.load([str(REPO / "examples" / name)]) for name in {r[0] for r in ROWS}}
    lines = ["| objective | English | Hebrew |", "|---|---|---|"]
    for name, tp_id, metric_id, written in ROWS:
        project = projects[name]
        tp = project.touchpoints[tp_id]
        cells = []
        for lang in ("en", "he"):
            words = Words(lang)
            if metric_id == "updates":
                assert tp.updates is not None
                sentence = words.updates(tp, tp.updates).plain()
                if lang == "he":  # the step's title is the author's, in one language
                    sentence = sentence.rsplit(": ", 1)[0] + ": …"
            else:
                metric = next(m for m in tp.metrics if metric_key(m) == metric_id)
                title = None if lang == "en" else Phrase("…")
                sentence = words.promise_sentence(project, metric, title=title).plain()
            cells.append(sentence.replace("|", "\\|"))
        lines.append(f"| {written} | {cells[0]} | {cells[1]} |")
    return "\n".join(lines) + "\n"


def current(text: str) -> str:
    found = re.search(re.escape(START) + r"\n(.*?)" + re.escape(END), text, re.S)
    assert found, f"{DOC} has no wording table between {START} and {END}"
    return found.group(1)


def main() -> None:
    text = DOC.read_text(encoding="utf-8")
    current(text)  # the markers are there
    head, rest = text.split(START + "\n", 1)
    _, tail = rest.split(END, 1)
    DOC.write_text(f"{head}{START}\n{table()}{END}{tail}", encoding="utf-8")
    print(DOC.relative_to(Path.cwd()) if DOC.is_relative_to(Path.cwd()) else DOC)


if __name__ == "__main__":
    main()
