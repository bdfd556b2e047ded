"""`sql/`: the measurement for a warehouse or a lake, in one SQL dialect.

Writes, for `--dialect` (`--set sql.dialect=…`; DuckDB by default):

- `sql/inputs.sql` — the views the measurement reads (the model's tables, the event
  log normalised, the "now" and the periods), and `sql/measure.sql` — the steps and
  results (`touchdsl.measure.warehouse`), tables by default (`sql.objects=view` for
  views), each rendered by sqlglot from the one generator, dropped first in reverse
  order so the scripts run again;
- `sql/calendar.csv`, `sql/calendar.parquet` and `sql/calendar.ddl.sql` — the
  calendar segments of the project's business calendars over the documented range
  (`sql.calendar_from`, `sql.calendar_years`), and the table's DDL;
- `sql/events.ddl.sql` — the event-log table the views read (if it is not there yet);
- `sql/dbt/` — the same objects as dbt models (`{{ ref() }}`, `{{ source() }}`);
- `sql/README.md` — how to load, run and refresh it on that engine.

Every file is the same byte for byte for the same project and options.
"""

from __future__ import annotations

import datetime as dt
import re

from touchdsl.measure.calendar_table import COLUMNS as CALENDAR_COLUMNS
from touchdsl.measure.calendar_table import segments
from touchdsl.measure.dialects import DIALECTS, Dialect
from touchdsl.measure.dialects import render as render_sql
from touchdsl.measure.plan import items_of
from touchdsl.measure.sources import COLUMNS as EVENT_COLUMNS
from touchdsl.measure.warehouse import EVENTS_DDL, REPLACEABLE, Objects, Statement, calendars_of, statements
from touchdsl.model import Project
from touchdsl.options import BuildOptions

__all__ = ["render", "dialect_problem", "table_problem", "schema_problem", "objects_problem", "date_problem",
           "years_problem", "mapping_problem", "parse_mapping", "calendar_range"]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def dialect_problem(text: str) -> str | None:
    return None if text in DIALECTS else "choose one of " + ", ".join(DIALECTS)


def _dotted(text: str, most: int) -> str | None:
    parts = text.split(".")
    if len(parts) > most or not all(_NAME.fullmatch(p) for p in parts):
        shape = ("name, schema.name or catalog.schema.name" if most == 3 else "schema or catalog.schema")
        return f"a {shape} of letters, digits and _ (not starting with a digit)"
    return None


def table_problem(text: str) -> str | None:
    return _dotted(text, 3)


def schema_problem(text: str) -> str | None:
    return None if text == "" else _dotted(text, 2)


def objects_problem(text: str) -> str | None:
    return None if text in ("view", "table") else "view or table"


def date_problem(text: str) -> str | None:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return "a date such as 2024-01-01"
    return None if dt.date(1970, 1, 1) <= day <= dt.date(2099, 1, 1) else "a date from 1970-01-01 to 2099-01-01"


def years_problem(text: str) -> str | None:
    return None if text.isdigit() and 1 <= int(text) <= 50 else "a whole number of years from 1 to 50"


def parse_mapping(text: str) -> dict[str, str]:
    """`case=ticket_id,at=created_at` -> {"case": "ticket_id", "at": "created_at"} (checked by mapping_problem)."""
    out: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, _, value = part.partition("=")
        out[key.strip()] = value.strip()
    return out


def mapping_problem(text: str) -> str | None:
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = part.partition("=")
        if not sep or key.strip() not in EVENT_COLUMNS or not _NAME.fullmatch(value.strip()):
            return (f"`{part}` is not COLUMN=NAME with COLUMN one of {', '.join(EVENT_COLUMNS)} and NAME a column "
                    "of the event table (e.g. case=ticket_id,at=created_at)")
    return None


def calendar_range(options: BuildOptions) -> tuple[dt.datetime, dt.datetime]:
    """[from, to) of the calendar table, UTC midnights."""
    first = dt.date.fromisoformat(options.setting("sql.calendar_from"))
    years = int(options.setting("sql.calendar_years"))
    last = first.replace(year=first.year + years) if not (first.month == 2 and first.day == 29) else \
        dt.date(first.year + years, 3, 1)
    utc = dt.timezone.utc
    return dt.datetime.combine(first, dt.time(), utc), dt.datetime.combine(last, dt.time(), utc)


def _terminated(text: str) -> str:
    return text.rstrip().rstrip(";") + ";\n"


def _create(statement: Statement, dialect: Dialect, schema: str | None) -> str:
    kind = "VIEW" if statement.kind == "view" else "TABLE"
    return render_sql(f"CREATE {kind} {statement.name} AS {statement.select}", dialect, schema=schema, pretty=True)


def _drop(statement: Statement, dialect: Dialect, schema: str | None) -> str:
    kind = "VIEW" if statement.kind == "view" else "TABLE"
    return render_sql(f"DROP {kind} IF EXISTS {statement.name}", dialect, schema=schema)


def _script(objects: list[Statement], dropped: list[Statement], dialect: Dialect, schema: str | None,
            header: str) -> str:
    parts = [header]
    parts.append("-- Drop what an earlier run created (the last first), so the script runs again.\n")
    parts += [_terminated(_drop(s, dialect, schema)) for s in reversed(dropped)]
    for statement in objects:
        parts.append(f"\n-- {statement.name} ({statement.role})\n")
        parts.append(_terminated(_create(statement, dialect, schema)))
    return "".join(parts)


def _csv(rows: list[tuple[object, ...]]) -> str:
    lines = [",".join(c for c, _ in CALENDAR_COLUMNS)]
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, bool):
                cells.append("true" if value else "false")
            elif isinstance(value, str):
                cells.append('"' + value.replace('"', '""') + '"' if re.search(r'[",\n\r]', value) else value)
            else:
                cells.append(str(value))
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"


def _dbt(objects: list[Statement], dialect: Dialect, events_table: str) -> dict[str, bytes]:
    """One dbt model per object, the tables it reads as `ref()`/`source()`."""
    names = {s.name for s in objects}
    refs = {name: f"__touchdsl_ref__{name}" for name in names}
    refs["touch_calendar"] = "__touchdsl_source__touch_calendar"
    refs[events_table] = "__touchdsl_source__events"
    out: dict[str, bytes] = {}
    for statement in objects:
        text = render_sql(statement.select, dialect, refs=refs, pretty=True)
        text = re.sub(r"__touchdsl_ref__(\w+)", r"{{ ref('\1') }}", text)
        text = re.sub(r"__touchdsl_source__(\w+)", r"{{ source('touchdsl', '\1') }}", text)
        materialized = "view" if statement.kind == "view" else "table"
        out[f"sql/dbt/models/{statement.name}.sql"] = (
            f"{{{{ config(materialized='{materialized}') }}}}\n\n{text}\n").encode("utf-8")
    table = events_table.split(".")
    schema_line = f"    schema: {table[-2]}\n" if len(table) >= 2 else ""
    database_line = f"    database: {table[-3]}\n" if len(table) == 3 else ""
    out["sql/dbt/models/sources.yml"] = (
        "version: 2\n\nsources:\n  - name: touchdsl\n" + database_line + schema_line + "    tables:\n"
        f"      - name: events\n        identifier: {table[-1]}\n"
        "        description: the event log (docs/measure.md, The event log)\n"
        "      - name: touch_calendar\n"
        "        description: the calendar segments (sql/calendar.parquet or sql/calendar.csv)\n").encode("utf-8")
    return out


def render(project: Project, options: BuildOptions) -> dict[str, bytes]:
    from touchdsl.measure.parquet import write as parquet

    dialect: Dialect = options.setting("sql.dialect")  # type: ignore[assignment]
    events_table = options.setting("sql.events_table")
    schema = options.setting("sql.schema") or None
    objects_kind: Objects = options.setting("sql.objects")  # type: ignore[assignment]
    mapping = parse_mapping(options.setting("sql.map"))
    objects = statements(project, events_table=events_table, mapping=mapping, objects=objects_kind)

    start, end = calendar_range(options)
    items = items_of(project)
    rows: list[tuple[object, ...]] = []
    for calendar in calendars_of(items):
        rows += [s.row() for s in segments(project.calendars[calendar], start, end)]

    header = (f"-- The measurement of every promise and target, for {dialect}: generated by touchdsl\n"
              "-- (`touchdsl build --target sql`); see README.md beside this file. Do not edit: build again.\n"
              f"-- Reads the event-log table `{events_table}` and the table `touch_calendar`.\n\n")
    calendar_ddl = render_sql("CREATE TABLE touch_calendar (" + ", ".join(f"{c} {t}" for c, t in CALENDAR_COLUMNS)
                          + ")", dialect, schema=schema)
    events_ddl = render_sql(EVENTS_DDL.replace("CREATE TABLE events", f"CREATE TABLE {events_table}", 1), dialect)
    inputs = [s for s in objects if s.role == "input"]
    measured = [s for s in objects if s.role != "input"]
    files = {
        "sql/inputs.sql": _script(inputs, objects, dialect, schema, header.replace(
            "The measurement of every promise and target", "The inputs of the measurement")).encode("utf-8"),
        "sql/measure.sql": _script(measured, measured, dialect, schema, header).encode("utf-8"),
        "sql/calendar.csv": _csv(rows).encode("utf-8"),
        "sql/calendar.parquet": parquet(CALENDAR_COLUMNS, rows),  # type: ignore[arg-type]
        "sql/calendar.ddl.sql": _terminated(calendar_ddl).encode("utf-8"),
        "sql/events.ddl.sql": _terminated(events_ddl).encode("utf-8"),
        "sql/README.md": _readme(project, options, dialect, objects, start, end, len(rows)).encode("utf-8"),
    }
    files |= _dbt(objects, dialect, events_table)
    return files


_RUN: dict[str, str] = {
    "duckdb": """```sh
duckdb warehouse.db < sql/events.ddl.sql        # once, if the table is not there; then load the log into it
duckdb warehouse.db < sql/calendar.ddl.sql
duckdb warehouse.db -c "INSERT INTO touch_calendar SELECT * FROM 'sql/calendar.parquet'"
duckdb warehouse.db < sql/inputs.sql
duckdb warehouse.db < sql/measure.sql   # each time the figures are wanted
duckdb warehouse.db -c "SELECT * FROM touch_measurement ORDER BY promise_status, touchpoint, metric"
```""",
    "spark": """```sh
# the calendar as a table over the Parquet file (copy it to the lake first: s3://…, abfss://…, hdfs://…)
spark-sql -e "CREATE TABLE touch_calendar USING parquet LOCATION '/lake/touchdsl/calendar/'"
spark-sql -f sql/inputs.sql
spark-sql -f sql/measure.sql             # each time (nightly)
spark-sql -e "SELECT * FROM touch_measurement ORDER BY promise_status, touchpoint, metric"
```

From PySpark: `spark.read.parquet('…/calendar.parquet').write.saveAsTable('touch_calendar')`, then run the
statements of `inputs.sql` and `measure.sql` one by one with `spark.sql(…)`. To run it from Python on Parquet files
without a metastore, `touchdsl measure --engine spark` does the same (docs/warehouse.md).""",
    "trino": """```sh
# put calendar.parquet in the lake, then declare it (Hive connector; Iceberg: CREATE TABLE … AS SELECT from it)
trino --execute "CREATE TABLE hive.touchdsl.touch_calendar (calendar VARCHAR, utc_day BIGINT, local_day DATE,
  from_us BIGINT, to_us BIGINT, is_open BOOLEAN, before_us BIGINT)
  WITH (external_location = 's3://lake/touchdsl/calendar/', format = 'PARQUET')"
trino --catalog hive --schema touchdsl -f sql/inputs.sql
trino --catalog hive --schema touchdsl -f sql/measure.sql
trino --catalog hive --schema touchdsl --execute "SELECT * FROM touch_measurement"
```""",
    "bigquery": """```sh
bq load --source_format=PARQUET dataset.touch_calendar sql/calendar.parquet
bq query --use_legacy_sql=false < sql/inputs.sql
bq query --use_legacy_sql=false < sql/measure.sql
bq query --use_legacy_sql=false 'SELECT * FROM dataset.touch_measurement'
```

BigQuery views must name their dataset: build with `--set sql.schema=dataset` (and
`--set sql.events_table=dataset.events`).""",
    "snowflake": """```sh
snowsql -q "PUT file://sql/calendar.parquet @~/touchdsl/"
snowsql -f sql/calendar.ddl.sql
snowsql -q "COPY INTO touch_calendar FROM @~/touchdsl/calendar.parquet FILE_FORMAT = (TYPE = PARQUET)
  MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE"
snowsql -f sql/inputs.sql
snowsql -f sql/measure.sql
```

The event table's columns are read as quoted lower-case names (`"case"`, `"at"`); a table
with other names is read through `--set sql.map=case=CASE_ID,at=CREATED_AT`.""",
    "postgres": """```sh
psql -f sql/events.ddl.sql        # once, if the table is not there; then load the log into it
psql -f sql/calendar.ddl.sql
psql -c "\\copy touch_calendar FROM 'sql/calendar.csv' WITH (FORMAT csv, HEADER true)"
psql -f sql/inputs.sql
psql -f sql/measure.sql
psql -c "SELECT * FROM touch_measurement ORDER BY promise_status, touchpoint, metric"
```

Ties among the worst cases are broken by case id in byte order, as every other engine
does, in a database whose collation is `C` (`CREATE DATABASE … LC_COLLATE 'C'`); under a
language's collation only the order of tied cases may differ.""",
}


def _readme(project: Project, options: BuildOptions, dialect: Dialect, objects: list[Statement],
            start: dt.datetime, end: dt.datetime, rows: int) -> str:
    calendars = calendars_of(items_of(project))
    names = ", ".join(f"`{c}`" for c in calendars) or "none (no metric is measured in business time)"
    steps = ", ".join(f"`{s.name}`" for s in objects if s.role == "step")
    return f"""# The measurement in SQL ({dialect})

Generated by `touchdsl build --target sql --dialect {dialect}`: the measurement of every
promise and target of this project — the same SQL `touchdsl measure` runs, rendered for
{dialect} by sqlglot — to run where the event log already is. Do not edit: build again.

| file | what |
|---|---|
| `inputs.sql` | the views the measurement reads: the model's tables, the event log normalised, the "now" and the periods; drops every object first, so it runs again |
| `measure.sql` | the steps and the results, as {options.setting("sql.objects")}s; drops its own objects first, so it runs again (each time the figures are wanted) |
| `calendar.parquet`, `calendar.csv` | the calendar segments, {rows} rows |
| `calendar.ddl.sql` | the table `touch_calendar` they load into |
| `events.ddl.sql` | the event-log table `{options.setting("sql.events_table")}` the measurement reads |
| `dbt/models/` | the same objects as dbt models |

## Inputs

- **`{options.setting("sql.events_table")}`**, one row per thing that happened to a case, with the columns of
  the event log (docs/measure.md): `case`, `touchpoint`, `event`, `at` (a timestamp with
  time zone, or UTC), `value`, `channel`, `segment`.
- **`touch_calendar`**: load `calendar.parquet` (or `calendar.csv`) into it. It holds the
  calendars {names} from {start:%Y-%m-%d} to {end:%Y-%m-%d} (UTC), cut into segments each
  inside one UTC day and one local day.

## Run

{_RUN[dialect]}

The results are two views:

- `touch_measurement` — one row per metric (per class, `segment`, for a metric judged
  per class) and period: `promise_status` and `target_status` (`kept`, `missed`,
  `no_data`; exactly at the objective is kept; the promise columns are NULL for an
  internal metric, `published` false), the figures (`promise_value`, `promise_decided`,
  `promise_good`, …), open and overdue cases, p50/p90/p95 (in `unit`: seconds, or
  business days), answers, events, and `outside_calendar`;
- `touch_data_quality` — the problems of the log by kind (docs/measure.md, Data quality).

The period is each metric's own window ending at the latest event that is not in the
future. To measure another stretch, after `inputs.sql` and before `measure.sql` replace {" and ".join(f"`{v}`" for v in REPLACEABLE)} (same columns):
`CREATE OR REPLACE VIEW touch_run AS SELECT CAST(<epoch microseconds> AS BIGINT) AS as_of_us`
fixes the "now"; `touch_periods` (`item, period, from_us, to_us`, epoch microseconds,
`to_us` exclusive) lists the periods of each metric.

## How it runs

Instants are epoch microseconds (BIGINT, UTC) and nothing converts time zones. Business
time is a look-up in `touch_calendar`: an instant finds its segment by an **equality join
on (`calendar`, `utc_day`)**, the UTC day number of the instant, plus a filter inside the
day, so engines plan it as a hash or shuffle join, never a range join. The key is the UTC
day rather than the local day so that it is integer arithmetic in every engine; each
segment lies inside one UTC day and one local day (`local_day`), so the two agree. The
moment a business-time limit passes joins the open segments on (`calendar`, business
day number); the closing a business-day limit reaches joins the closings on
(`calendar`, rank) — equalities too.

The steps, in order: {steps}. Each reads the inputs and earlier steps; `touch_cases` groups
the log once per case.

## Refreshing the calendar table

Cases the calendar table does not cover — started before {start:%Y-%m-%d}, or becoming late
after {end:%Y-%m-%d} — are not measured, and `touch_measurement.outside_calendar` counts
them. Build again with a later range (`--set sql.calendar_from=YYYY-MM-DD --set
sql.calendar_years=N`), or after changing a calendar (hours, holidays, closed dates), and
load the new file in place of the old one:

```sql
DELETE FROM touch_calendar;  -- then load calendar.parquet or calendar.csv as above
```
"""


