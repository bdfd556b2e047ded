"""Write a deterministic event log of about N events for examples/telecom, as Parquet:
`python bench/measure/generate.py 1000000 bench/out/measure/events-1m.parquet`.

Generated inside DuckDB from hashes of the case number (no Python loop, no random
state), so the same N always gives the same file. Three cases in five are technical
faults (report, offer, answer or abandonment, technician visit, verification, an update,
a satisfaction answer for some), two in five address changes (request, update, contact,
first-contact resolution for most, a complaint for a few): about 5.3 events a case over
13 weeks, `at` a TIMESTAMP WITH TIME ZONE.
"""

from __future__ import annotations

import sys
from pathlib import Path

EVENTS_PER_CASE = 5.3
BASE = "TIMESTAMPTZ '2026-06-01 05:00:00+00'"
SPAN_S = 91 * 86400

# One SELECT per kind of row; `h(k)` is a deterministic number 0..999999 per case and k.
ROWS = """
WITH cases AS (
    SELECT i, 'C' || lpad(CAST(i AS VARCHAR), 8, '0') AS case_id,
           {base} + to_seconds(CAST(hash(i, 1) % {span} AS BIGINT)) AS t0,
           hash(i, 2) % 1000000 AS h2, hash(i, 3) % 1000000 AS h3, hash(i, 4) % 1000000 AS h4,
           hash(i, 5) % 1000000 AS h5
    FROM range({cases}) AS r(i)
),
faults AS (SELECT * FROM cases WHERE i % 5 < 3),
moves AS (SELECT * FROM cases WHERE i % 5 >= 3)
SELECT case_id AS "case", 'technical_fault' AS touchpoint, 'report.start' AS event, t0 AS at, NULL::DOUBLE AS value FROM faults
UNION ALL SELECT case_id, 'technical_fault', 'offered', t0, NULL FROM faults
UNION ALL SELECT case_id, 'technical_fault', CASE WHEN h2 % 100 < 3 THEN 'abandoned' ELSE 'report.answered' END,
                 t0 + to_seconds(CAST(h2 % 45 AS BIGINT)), NULL FROM faults
UNION ALL SELECT case_id, 'technical_fault', 'visit.start', t0 + to_seconds(CAST(h3 % (4 * 86400) AS BIGINT)), NULL FROM faults
UNION ALL SELECT case_id, 'technical_fault', 'verify.end', t0 + to_seconds(CAST(h3 % (4 * 86400) + 7200 AS BIGINT)), NULL FROM faults
UNION ALL SELECT case_id, 'technical_fault', 'update', t0 + to_seconds(CAST(h4 % 14400 AS BIGINT)), NULL FROM faults
UNION ALL SELECT case_id, 'technical_fault', 'csat', t0 + to_seconds(CAST(h3 % (4 * 86400) + 90000 AS BIGINT)),
                 CAST(1 + h5 % 5 AS DOUBLE) FROM faults WHERE h5 % 10 < 4
UNION ALL SELECT case_id, 'address_change', 'request.start', t0, NULL FROM moves
UNION ALL SELECT case_id, 'address_change', 'update.end', t0 + to_seconds(CAST(h3 % (3 * 86400) AS BIGINT)), NULL FROM moves
UNION ALL SELECT case_id, 'address_change', 'contacts', t0, NULL FROM moves
UNION ALL SELECT case_id, 'address_change', 'resolved_first_contact', t0 + to_seconds(600), NULL FROM moves WHERE h2 % 10 < 8
UNION ALL SELECT case_id, 'address_change', 'complaints', t0 + to_seconds(CAST(h4 % 86400 AS BIGINT)), NULL FROM moves WHERE h4 % 100 < 4
"""


def generate(events: int, path: Path) -> int:
    import duckdb

    path.parent.mkdir(parents=True, exist_ok=True)
    cases = round(events / EVENTS_PER_CASE)
    sql = ROWS.format(base=BASE, span=SPAN_S, cases=cases)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    tmp = path.with_suffix(".tmp.parquet")
    con.execute(f"COPY ({sql}) TO '{tmp}' (FORMAT parquet, COMPRESSION zstd)")
    count = con.execute(f"SELECT COUNT(*) FROM read_parquet('{tmp}')").fetchone()[0]
    con.close()
    tmp.replace(path)
    return int(count)


if __name__ == "__main__":
    n, out = int(sys.argv[1]), Path(sys.argv[2])
    print(f"{generate(n, out)} events in {out}")
