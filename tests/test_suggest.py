"""`did you mean`: as good as a search over every name, at a bounded cost.

The cost is asserted as work done (names compared), never as time: how many names
the similarity search looks at, over a run with many unknown names and many
declared ones, must not grow with their product.
"""

from __future__ import annotations

import difflib
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from touchdsl.compiler import resolve
from touchdsl.compiler.resolve import BUDGET, FULL, NEAR, suggest

names = st.text(alphabet="abcdefghij_0123", min_size=1, max_size=12)


def exhaustive(name: str, candidates: list[str]) -> str | None:
    """The search over every name that the index must match on tables of the usual size."""
    choices = sorted(set(candidates))
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    if not close and name.lower() != name:
        close = [c for c in choices if c == name.lower()]
    return close[0] if close else None


@settings(max_examples=300, deadline=None)
@given(name=names | names.map(str.upper), table=st.lists(names, max_size=FULL))
def test_on_tables_of_the_usual_size_the_suggestion_is_the_exhaustive_one(name, table):
    resolve._INDEXES.reset()
    expected = exhaustive(name, table)
    got = suggest(name, table, "owner")
    if expected is not None:
        assert got == [f"did you mean `{expected}`?"]
    else:
        assert not any(h.startswith("did you mean") for h in got)


def test_near_misses_are_found_in_a_table_of_ten_thousand():
    resolve._INDEXES.reset()
    table = {f"owner_{i:05d}": None for i in range(10_000)} | {"field_ops": None, "billing_and_accounts": None}
    for typo, meant in [("ownr_01234", "owner_01234"), ("onwer_01234", "owner_01234"), ("owner_1234", "owner_01234"),
                        ("feild_ops", "field_ops"), ("Field_Ops", "field_ops"), ("field_opss", "field_ops"),
                        ("billing_accounts", "billing_and_accounts")]:
        (hint,) = suggest(typo, table, "owner")
        assert hint == f"did you mean `{meant}`?", typo


class Counting:
    """Counts the names handed to the similarity search."""

    def __init__(self, monkeypatch) -> None:
        self.compared = 0
        real = difflib.get_close_matches

        def counted(word, possibilities, n=3, cutoff=0.6):
            self.compared += len(possibilities)
            return real(word, possibilities, n, cutoff)

        monkeypatch.setattr(resolve.difflib, "get_close_matches", counted)


def test_ten_thousand_unknown_names_cost_a_bounded_search(monkeypatch):
    counting = Counting(monkeypatch)
    rng = random.Random(5)
    resolve._INDEXES.reset()
    table = {f"owner_{i:05d}": None for i in range(10_000)}
    for i in range(10_000):
        unknown = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz_") for _ in range(10))
        suggest(unknown, table, "owner")
    # an exhaustive search would compare 10,000 x 10,000 names
    assert counting.compared <= BUDGET + NEAR + 10_000 * 4


def test_many_unknown_names_against_a_small_table_are_bounded_too(monkeypatch):
    counting = Counting(monkeypatch)
    resolve._INDEXES.reset()
    table = [f"unit_{i:03d}" for i in range(FULL)]
    for i in range(20_000):
        suggest(f"unknown_{i}", table, "owner")
    assert counting.compared <= BUDGET + FULL + 20_000 * 4


def test_a_run_on_a_project_resets_the_budget(project, monkeypatch):
    """Each compilation gets the whole budget: the language server's hundredth run suggests as its first."""
    resolve._INDEXES.spent = BUDGET
    result = project({"main.touch": 'owner field_ops "F" { notify email "f@example.com" }\n'
                                    'touchpoint t "T" {\n    owner feild_ops\n    expectation "E"\n}\n'})
    (d,) = [d for d in result.diagnostics if d.code == "TD202"]
    assert d.help == ("did you mean `field_ops`?",)
