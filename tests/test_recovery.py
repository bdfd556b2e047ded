"""Syntax-error recovery resumes at the author's next statement."""

from __future__ import annotations

from touchdsl.language import ast
from touchdsl.language.parser import parse


def test_a_keyword_after_an_error_starts_the_next_statement():
    # `owner 12` is wrong; the next line's `expectation` must not be taken as the owner's name.
    src = (
        'touchpoint t "T" {\n'
        "    owner 12\n"
        '    expectation "e"\n'
        '    step notify "S"\n'
        "}\n"
    )
    tree, diagnostics = parse(src, "f.touch")
    assert [(d.code, d.span.line, d.span.column) for d in diagnostics] == [("TD001", 2, 11)]
    items = tree.declarations[0].items
    assert [type(i) for i in items] == [ast.Expectation, ast.StepDecl]
    assert items[1].name.value == "notify"  # a keyword as a name still works outside recovery


def test_keywords_stay_names_where_no_error_came_before():
    src = 'touchpoint t "T" {\n    step notify "S"\n    updates every 1h via sms until notify.end\n}\n'
    tree, diagnostics = parse(src, "f.touch")
    assert diagnostics == []
    assert tree.declarations[0].items[1].until.step.value == "notify"
