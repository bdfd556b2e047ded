"""Burn-rate maths against numbers worked out by hand.

factor = budget share * metric window / long window:
  30d:  2% * 720h/1h = 14.4   5% * 720h/6h = 6    10% * 30d/1d = 3    10% * 30d/3d = 1
  28d:  2% * 672h/1h = 13.44  5% * 672h/6h = 5.6  10% * 28d/1d = 2.8  10% * 28d/3d = 0.9333…
   7d:  2% * 168h/1h = 3.36   5% * 168h/6h = 1.4  10% *  7d/1d = 0.7  10% *  7d/3d = 0.2333…
"""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from touchdsl.slo.burnrate import POLICIES, burn_factor, conditions, error_budget


@pytest.mark.parametrize("window, expected", [
    ("30d", (Fraction("14.4"), Fraction(6), Fraction(3), Fraction(1))),
    ("28d", (Fraction("13.44"), Fraction("5.6"), Fraction("2.8"), Fraction(14, 15))),
    ("7d", (Fraction("3.36"), Fraction("1.4"), Fraction("0.7"), Fraction(7, 30))),
    ("4w", (Fraction("13.44"), Fraction("5.6"), Fraction("2.8"), Fraction(14, 15))),
])
def test_factors_follow_the_metric_window(window, expected):
    got = tuple(burn_factor(p.budget_fraction, window, p.long_window) for p in POLICIES)
    assert got == expected


def test_policy_is_page_fast_ticket_slow():
    assert [(p.severity, p.budget_fraction, p.long_window, p.short_window) for p in POLICIES] == [
        ("page", Fraction(2, 100), "1h", "5m"),
        ("page", Fraction(5, 100), "6h", "30m"),
        ("ticket", Fraction(10, 100), "1d", "2h"),
        ("ticket", Fraction(10, 100), "3d", "6h"),
    ]


def test_error_budget_is_exact():
    assert error_budget(99.5) == Fraction(5, 1000)
    assert error_budget(98) == Fraction(2, 100)
    assert error_budget(90) == Fraction(1, 10)
    assert error_budget(100) == 0


def test_thresholds_for_a_98_percent_target_over_28d():
    got = conditions("28d", error_budget(98))
    # 13.44 * 2% = 0.2688, 5.6 * 2% = 0.112, 2.8 * 2% = 0.056; 0.9333 is below 1, so the
    # 3d window compares with the budget itself: nothing fires at exactly the objective
    assert [c.threshold for c in got] == [Fraction("0.2688"), Fraction("0.112"), Fraction("0.056"),
                                          Fraction(2, 100)]
    assert [c.floored for c in got] == [False, False, False, True]
    assert not any(c.inclusive for c in got)


@pytest.mark.parametrize("window", ["7d", "28d", "2d", "90m"])
def test_no_threshold_lies_below_the_budget(window):
    budget = error_budget(99)
    for c in conditions(window, budget):
        assert c.threshold >= budget
        assert c.threshold == max(c.factor, 1) * budget


def test_severities_split_the_policies():
    assert [c.long_window for c in conditions("28d", Fraction(1, 10), "page")] == ["1h", "6h"]
    assert [c.long_window for c in conditions("28d", Fraction(1, 10), "ticket")] == ["1d", "3d"]


def test_thresholds_for_a_99_5_percent_target_over_30d():
    got = conditions("30d", error_budget(99.5))
    assert [float(c.threshold) for c in got] == [0.072, 0.03, 0.015, 0.005]


def test_a_loose_target_caps_the_threshold_at_every_event_failing():
    # 90% over 28d: 13.44 * 10% = 1.344 and 5.6 * 10% = 0.56; an error ratio cannot pass 1.
    got = conditions("28d", error_budget(90))
    assert got[0].threshold == 1 and got[0].inclusive
    assert got[1].threshold == Fraction("0.56") and not got[1].inclusive


def test_long_windows_beyond_the_metric_window_are_left_out():
    assert [c.long_window for c in conditions("1d", Fraction(1, 100))] == ["1h", "6h", "1d"]
    assert [c.long_window for c in conditions("2h", Fraction(1, 100))] == ["1h"]


def test_an_objective_of_zero_percent_has_no_burn_alerts():
    assert conditions("28d", error_budget(0)) == ()


def test_a_target_of_100_percent_alerts_on_any_error():
    assert {c.threshold for c in conditions("28d", error_budget(100))} == {0}


@given(days=st.integers(min_value=3, max_value=400), permille=st.integers(min_value=1, max_value=999))
def test_thresholds_are_the_factor_times_the_budget_capped_at_one(days, permille):
    budget = Fraction(permille, 1000)
    got = conditions(f"{days}d", budget)
    assert [c.long_window for c in got] == ["1h", "6h", "1d", "3d"]
    for c in got:
        raw = c.budget_fraction * days * 86400 / {"1h": 3600, "6h": 21600, "1d": 86400, "3d": 259200}[c.long_window] * budget
        assert c.factor * budget == raw
        floored = max(raw, budget)
        assert c.threshold == min(floored, 1) and c.inclusive == (floored >= 1)
    # Faster burns page before slower ones ticket: thresholds never grow with the window.
    assert [c.threshold for c in got] == sorted((c.threshold for c in got), reverse=True)
