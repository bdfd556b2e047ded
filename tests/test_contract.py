"""The instrumentation contract: the series producers emit and the queries rules read."""

from __future__ import annotations


import pytest
import yaml

from tests.paths import REPO
import touchdsl
from touchdsl.model import BusinessDays, PrometheusSource, limit_size, metric_key
from touchdsl.slo import naming
from touchdsl.slo.contract import (
    QUERY_MEANING,
    buckets,
    go_float,
    label_matchers,
    le_spellings,
    metric_contract,
    promql_string,
    render_query,
)
from touchdsl.targets import BuildOptions
from touchdsl.targets.prometheus import render

EXAMPLES = [REPO / "examples" / n for n in ("telecom", "banking", "health")] + [REPO / "tests/fixtures/hostile"]


def every_metric():
    for path in EXAMPLES:
        project = touchdsl.load([str(path)])
        for tp in project.touchpoints.values():
            for metric in tp.metrics:
                yield project, tp, metric


def test_histograms_have_a_bucket_at_every_threshold():
    seen = seen_days = 0
    for project, tp, metric in every_metric():
        if metric.kind != "time" or metric.source:
            continue
        contract = metric_contract(project, tp, metric)
        days = isinstance(metric.target.within, BusinessDays)
        name = "touch_business_days_bucket" if days else "touch_duration_seconds_bucket"
        bucket = next(s for s in contract.series if s.name == name)
        assert bucket.type == "histogram"
        segment = {"segment": metric.segment} if metric.segment else {}
        assert bucket.labels == {"touchpoint": tp.id, "metric": metric.id, **segment}
        for objective in (metric.promise, metric.target):
            if objective is not None:
                assert limit_size(objective.within) in bucket.buckets
        assert list(bucket.buckets) == sorted(set(bucket.buckets))
        if days:  # whole days, from the day the case started
            assert bucket.buckets[0] == 0 and all(b == int(b) for b in bucket.buckets)
            seen_days += 1
        seen += 1
    assert seen >= 8 and seen_days >= 4


def test_bucket_boundaries_for_the_answer_metric():
    project = touchdsl.load([str(EXAMPLES[0])])
    metric = project.touchpoints["technical_fault"].metrics[0]
    # Thresholds 20s and 30s, ladder from 2s to 120s.
    assert buckets(metric) == (2, 5, 10, 15, 20, 30, 45, 60, 90, 120)


@pytest.mark.parametrize("seconds, go, spellings", [
    (20, "20", ("20", "20.0")),
    (0.5, "0.5", ("0.5",)),
    (129600, "129600", ("129600", "129600.0")),
    (1209600, "1.2096e+06", ("1.2096e+06",)),
    (1000000, "1e+06", ("1e+06",)),
    (0.00001, "1e-05", ("1e-05",)),
    (999999.9, "999999.9", ("999999.9",)),
    (9999999.5, "9.9999995e+06", ("9.9999995e+06",)),
])
def test_le_is_read_however_clients_spell_it(seconds, go, spellings):
    assert go_float(seconds) == go
    assert le_spellings(seconds) == spellings


def test_time_metric_tiers_read_their_own_bucket_and_late_counter():
    project = touchdsl.load([str(EXAMPLES[0])])
    tp = project.touchpoints["technical_fault"]
    contract = metric_contract(project, tp, tp.metrics[0])
    assert contract.kind == "ratio-like" and not contract.overridden and contract.clock is None
    ident = 'touchpoint="technical_fault",metric="answer"'
    within = {"promise": f'touch_duration_seconds_bucket{{{ident},le=~"30|30\\\\.0"}}',
              "target": f'touch_duration_seconds_bucket{{{ident},le=~"20|20\\\\.0"}}'}
    for tier in ("promise", "target"):
        late = f'touch_late_cases_total{{{ident},objective="{tier}"}}'
        finished = f"touch_duration_seconds_count{{{ident}}}"
        bad = f"(events({late}) or, where it is not emitted, events({finished}) - events({within[tier]}))"
        assert contract.queries[f"{tier} bad"] == bad
        assert contract.queries[f"{tier} decided"] == f"events({within[tier]}) + {bad}"
    # open cases, all and past each deadline, as gauges
    gauges = [(s.name, s.labels.get("objective")) for s in contract.series if s.type == "gauge"]
    assert gauges == [("touch_open_cases", None), ("touch_overdue_cases", "promise"), ("touch_overdue_cases", "target")]
    assert contract.open_cases


def test_whole_events_count_exactly_without_extrapolation():
    from touchdsl.slo.contract import whole_events

    expr = whole_events('x{a="1"}', "7d")
    # value now minus the last value before the window (a day back at most), a new
    # series counted whole, and Prometheus' estimate only after a reset
    assert expr == ('sum(\n  ((x{a="1"} - last_over_time(x{a="1"}[1d] offset 7d)) >= 0 unless resets(x{a="1"}[7d]) > 0)\n'
                    '  or (x{a="1"} unless last_over_time(x{a="1"}[1d] offset 7d))\n'
                    '  or round(increase(x{a="1"}[7d]))\n)')
    assert "rate(" not in expr


def test_business_hours_metrics_name_the_clock():
    for project, tp, metric in every_metric():
        contract = metric_contract(project, tp, metric)
        if getattr(metric, "calendar", None) or getattr(metric, "pauses", None):
            assert contract.observe.startswith(f"touchdsl.clock.clock_for(project, {tp.id!r}, {metric.id!r}")
            assert (metric.calendar or "wall clock") in contract.clock
        else:
            assert contract.clock is None


def test_ratio_counts_both_populations_and_a_missing_share_is_no_case():
    project = touchdsl.load([str(EXAMPLES[0])])
    tp = project.touchpoints["technical_fault"]
    contract = metric_contract(project, tp, tp.metrics[2])
    assert [(s.name, s.type, s.labels["event"]) for s in contract.series] == [
        ("touch_events_total", "counter", "offered"), ("touch_events_total", "counter", "abandoned")]
    # `at most 3%` abandoned: the bad cases are the abandoned ones, judged among all offered.
    offered = 'events(touch_events_total{touchpoint="technical_fault",metric="abandoned",event="offered"})'
    abandoned = 'events(touch_events_total{touchpoint="technical_fault",metric="abandoned",event="abandoned"})'
    assert contract.queries["target bad"] == abandoned and contract.queries["target decided"] == offered
    # `at least 80%` resolved at first contact: the bad cases are the contacts not resolved,
    # and a share never counted (absent series) counts as zero: total failure.
    first = project.touchpoints["address_change"].metrics[1]
    reads = metric_contract(project, project.touchpoints["address_change"], first).tiers["promise"]
    assert reads.bad.words().endswith('event="resolved_first_contact"})')
    assert "or vector(0)" in reads.bad.promql("5m")


def test_scores_and_nps_count_answers_by_value():
    project = touchdsl.load([str(EXAMPLES[1])])
    tp = project.touchpoints["bank_transfer"]
    effort, recommend = tp.metrics[1], tp.metrics[2]
    assert [s.labels["value"] for s in metric_contract(project, tp, effort).series] == [str(v) for v in range(1, 8)]
    assert [s.labels["value"] for s in metric_contract(project, tp, recommend).series] == [str(v) for v in range(11)]
    # `80% at least 5`: the answers 1 to 4 miss it.
    assert 'value=~"1|2|3|4"' in metric_contract(project, tp, effort).queries["promise bad"]
    nps = metric_contract(project, tp, recommend)
    assert nps.kind == "nps" and nps.counted == 'touch_answers_total{touchpoint="bank_transfer",metric="recommend"}'


def test_every_contract_query_has_its_meaning_in_both_languages():
    from touchdsl.documents.wording import Words

    english, hebrew = Words("en"), Words("he")
    for project, tp, metric in every_metric():
        contract = metric_contract(project, tp, metric)
        assert contract.queries
        for key in contract.queries:
            assert english.query_meaning(key, contract.kind).plain() != hebrew.query_meaning(key, contract.kind).plain()
        for series in contract.series:
            english.series_meaning(project, metric, series.name, series.labels)
        if contract.overridden:
            assert set(contract.queries) == set(QUERY_MEANING[contract.kind])
            assert all("{{window}}" in q for q in contract.queries.values())


def test_source_prometheus_replaces_the_default_series():
    project = touchdsl.load([str(EXAMPLES[0])])
    tp = project.touchpoints["technical_fault"]
    metric = tp.metrics[0].model_copy(update={"source": PrometheusSource(
        good='sum(rate(call_answer_seconds_bucket{le="30"}[{{window}}]))',
        total="sum(rate(call_answer_seconds_count[{{window}}]))")})
    contract = metric_contract(project, tp, metric)
    assert contract.overridden and contract.series == ()
    assert contract.queries == {"good": metric.source.good, "total": metric.source.total}


def test_window_is_replaced_as_plain_text_only():
    query = 'sum(rate(x{a="{{ window }}",b="{{window}}"}[{{window}}])) # {{7*7}}'
    assert render_query(query, "5m") == 'sum(rate(x{a="{{ window }}",b="5m"}[5m])) # {{7*7}}'


def test_promql_strings_escape_quotes_backslashes_and_newlines():
    assert promql_string('a"} or vector(1) #') == '"a\\"} or vector(1) #"'
    assert promql_string("x\\y\nz\t") == '"x\\\\y\\nz\\t"'
    assert label_matchers({"a": "1", "b": 'q"'}) == '{a="1",b="q\\""}'


def test_rules_read_exactly_the_contract_counters():
    from touchdsl.slo.contract import whole_events

    for project, tp, metric in every_metric():
        contract = metric_contract(project, tp, metric)
        out = render(project, BuildOptions())
        docs = [yaml.safe_load(v) for k, v in out.items() if k.endswith(".rules.yml")]
        group = next(g for d in docs for g in d["groups"] if g["name"] == f"touchdsl.{tp.id}.{metric_key(metric)}")
        exprs = "\n".join(r["expr"] for r in group["rules"])
        if contract.overridden:
            for query in contract.queries.values():
                assert render_query(query, "28d") in exprs or render_query(query, "30d") in exprs
            continue
        for reads in contract.tiers.values():
            for counted in reads.counters():
                assert whole_events(counted.selector, naming.window(metric.window)) in exprs


def test_contract_document_lists_series_buckets_and_clock():
    project = touchdsl.load([str(EXAMPLES[0])])
    doc = render(project, BuildOptions())["prometheus/CONTRACT.md"].decode()
    assert "| `touch_duration_seconds_bucket` | histogram | `{touchpoint=\"technical_fault\",metric=\"answer\"}` " \
           "| 2, 5, 10, 15, 20, 30, 45, 60, 90, 120 |" in doc
    assert ("- Clock: time from report.start to visit.start in business seconds by calendar il\\_office "
            "(Asia/Jerusalem): observe `touchdsl.clock.clock_for(project, 'technical_fault', 'arrival')"
            ".observed(start, end, pauses)`.") in doc
    assert "## Small numbers and no traffic" in doc and "## Two tiers" in doc and "## Whole events" in doc
    assert "**Initialise every series at 0 when the producer starts**" in doc
    assert "When every case fails after healthy traffic, the promise's page fires after about 41 min" in doc
    for name in ("touch_events_total", "touch_answers_total"):
        assert f"`{name}`" in doc


def test_contract_document_escapes_hostile_titles():
    doc = render(touchdsl.load([str(EXAMPLES[3])]), BuildOptions())["prometheus/CONTRACT.md"].decode()
    assert "<script>" not in doc
    assert "\\<script\\>" in doc
    assert "\n- record: injected" not in doc
    assert "`{touchpoint=\"injected\",metric=\"wait\"}`" in doc


def test_names_are_stable():
    # Dashboards and other teams' alerts read these: a rename breaks them.
    assert naming.sli_error("5m") == "touch:sli_error:ratio_rate5m"
    assert naming.score_average("1d") == "touch:score_average:rate1d"
    assert naming.nps("28d") == "touch:nps:rate28d"
    assert naming.count_per_period("7d") == "touch:count_per_period:rate7d"
    assert (naming.OBJECTIVE, naming.ERROR_BUDGET, naming.BUDGET_REMAINING) == (
        "touch:objective:ratio", "touch:error_budget:ratio", "touch:error_budget_remaining:ratio")


@pytest.mark.parametrize("text, window", [
    ("28d", "28d"), ("7d", "7d"), ("30d", "30d"), ("2w", "14d"), ("1.5h", "90m"), ("250ms", "250ms"), ("48h", "2d"),
])
def test_windows_are_written_in_days_never_weeks(text, window):
    from touchdsl.model import Duration

    assert naming.window(Duration.parse(text)) == window
