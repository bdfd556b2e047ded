"""`touchdsl serve`: the live bridge from the event log to Prometheus.

Teams append events to the event log of `touchdsl measure` (the same schema and
sources: files, globs, a `.sql` view); `serve` follows it and exposes, with
`prometheus_client`, exactly the series the generated rules read (the
instrumentation contract, `touchdsl.slo.contract`): business time computed by
touchdsl, the buckets at the promise's and the target's limits, late cases the
moment a limit passes, open cases by age, updates overdue -- so the generated rules
work on data nobody hand-instrumented.

Modules, one job each: `snapshot` reads the log once as those series (the measure
engine does the work, `touchdsl.measure.live`), `exporter` holds the latest reading
for Prometheus with serve's own series, `server` refreshes it on a schedule and
answers `/metrics` and `/healthz` until SIGTERM.
"""
