"""The one table of the language's words holds the grammar's keywords, and everything that shows them agrees.

The grammar decides where a word is a keyword; touchdsl.language.vocabulary says
what it means and where a statement starts with it. These tests read the grammar
as Lark analyses it, so a keyword added to grammar/touch.lark without its entry
(or an entry for a word the grammar lost) fails here, as does a highlighter that
disagrees with the table.
"""

from __future__ import annotations

import json
import re

import pytest
from pygments.token import Keyword

from tests.paths import REPO
from touchdsl import model
from touchdsl.language import vocabulary
from touchdsl.language.grammar import lark_parser
from touchdsl.tools.pygments_lexer import TouchLexer

TMLANGUAGE = REPO / "editors" / "vscode" / "syntaxes" / "touch.tmLanguage.json"

# The rule whose alternatives are the statements of each block (None: the file).
ITEM_RULES = {
    None: "declaration", "calendar": "calendar_item", "owner": "owner_item", "journey": "journey_item",
    "defaults": "defaults_item", "touchpoint": "touchpoint_item", "metric": "metric_item", "source": "source_query",
}


def grammar_keywords() -> set[str]:
    return {t.pattern.value for t in lark_parser().terminals
            if t.pattern.type == "str" and t.pattern.value.isalpha()}


def table_words() -> list[str]:
    return [k.word for k in vocabulary.KEYWORDS]


def first_keywords(rule: str) -> set[str]:
    """The keywords a rule's text can start with, from the grammar's (expanded) rules."""
    lark = lark_parser()
    texts = {t.name: t.pattern.value for t in lark.terminals if t.pattern.type == "str"}
    out: set[str] = set()
    seen: set[str] = set()
    todo = [rule]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for r in lark.rules:
            if r.origin.name != name or not r.expansion:
                continue
            first = r.expansion[0]
            if first.is_term:
                if first.name in texts and texts[first.name].isalpha():
                    out.add(texts[first.name])
            else:
                todo.append(first.name)
    return out


def test_every_keyword_of_the_grammar_is_in_the_table_once_and_nothing_else_is():
    words = table_words()
    assert len(words) == len(set(words)), "a word is in the table twice"
    assert set(words) == grammar_keywords()


@pytest.mark.parametrize("block", list(ITEM_RULES), ids=lambda b: b or "top level")
def test_where_a_statement_may_start_matches_the_grammar(block):
    table = {k.word for k in vocabulary.KEYWORDS if block in k.starts}
    assert table == first_keywords(ITEM_RULES[block])


def test_every_keyword_has_help_people_can_read():
    for k in vocabulary.KEYWORDS:
        assert len(k.help) > 15 and k.help == k.help.strip(), k.word
        assert vocabulary.help_for(k.word) == k.help


def test_the_parser_resumes_at_statement_keywords_and_braces():
    starts = {k.word for k in vocabulary.KEYWORDS if k.starts}
    assert vocabulary.RESYNC_WORDS == starts | {"}"}
    assert {"step", "metric", "touchpoint", "promise"} <= vocabulary.RESYNC_WORDS
    assert not {"by", "via", "within", "least"} & vocabulary.RESYNC_WORDS  # they only continue a statement


def test_a_naming_keyword_is_followed_by_a_name_in_the_grammar():
    lark = lark_parser()
    texts = {t.name: t.pattern.value for t in lark.terminals if t.pattern.type == "str"}
    followed_by_name = {texts[r.expansion[0].name] for r in lark.rules
                        if len(r.expansion) >= 2 and r.expansion[0].is_term and r.expansion[0].name in texts
                        and r.expansion[1].name == "NAME"}
    assert set(vocabulary.NAMING_KEYWORDS) <= followed_by_name
    # `notify email "…"` and `charter language "…"` name a kind or a setting, nothing new
    assert set(vocabulary.NAMING_KEYWORDS) == {"calendar", "owner", "journey", "touchpoint", "stage", "step", "metric",
                                                "class"}


# ---- highlighters ------------------------------------------------------------------------


def test_pygments_shows_every_keyword_as_a_keyword():
    lexer = TouchLexer()
    for word in table_words():
        tokens = [(t, v) for t, v in lexer.get_tokens(f"    {word}\n") if v.strip()]
        assert tokens[0][1] == word and tokens[0][0] in Keyword, (word, tokens)


def _alternation(pattern: str) -> set[str]:
    m = re.search(r"\\b\(([a-z|]+)\)", pattern)
    assert m, pattern
    return set(m.group(1).split("|"))


def _patterns(grammar: dict, key: str) -> list[dict]:
    rule = grammar["repository"][key]
    return rule["patterns"] if "patterns" in rule else [rule]


def test_the_vscode_grammar_highlights_the_tables_keywords_and_no_others():
    grammar = json.loads(TMLANGUAGE.read_text(encoding="utf-8"))
    (keywords,) = _patterns(grammar, "keywords")
    assert _alternation(keywords["match"]) == set(table_words())
    top, nested = (_alternation(p["match"]) for p in _patterns(grammar, "declarations")[:2])
    naming = {k.word: k for k in vocabulary.KEYWORDS if k.names}
    assert top == {w for w, k in naming.items() if None in k.starts}
    assert nested == {w for w, k in naming.items() if None not in k.starts}


def test_the_vscode_grammar_knows_the_fixed_words_of_the_model():
    grammar = json.loads(TMLANGUAGE.read_text(encoding="utf-8"))
    by_scope = {p["name"]: _alternation(p["match"]) for p in _patterns(grammar, "vocabulary")}
    assert by_scope["support.constant.channel.touch"] == set(model.CHANNELS)
    # `email` is both a channel and a receiver; the channel rule comes first
    assert by_scope["support.constant.receiver.touch"] == set(model.RECEIVER_KINDS) - set(model.CHANNELS)
    assert by_scope["support.constant.weekday.touch"] == set(model.WEEKDAYS)
    assert by_scope["support.constant.condition.touch"] == {"breach", "risk"} <= set(vocabulary.BUILTINS)


def test_words_people_mean_point_at_keywords_and_are_not_ones():
    words = {k.word for k in vocabulary.KEYWORDS}
    assert set(vocabulary.MEANT.values()) <= words
    assert not set(vocabulary.MEANT) & words


@pytest.mark.parametrize("written, block, meant", [
    ('country "IL"', 'calendar c "C" {\n    timezone "Asia/Jerusalem"\n    %s\n}\n', "holidays"),
    ('tz "Asia/Jerusalem"', 'calendar c "C" {\n    %s\n}\n', "timezone"),
])
def test_a_word_from_elsewhere_suggests_our_keyword(written, block, meant):
    from touchdsl.compiler.driver import parse_source

    _, diagnostics = parse_source(block % written, "a.touch")
    first = diagnostics[0]
    assert first.code == "TD001" and f"did you mean `{meant}`?" in first.help, first
