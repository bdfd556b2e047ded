"""Running the measurement in Spark: `touchdsl measure --engine spark`.

The same steps as in DuckDB (`touchdsl.measure.sql`), rendered for Spark SQL by
sqlglot (`touchdsl.measure.dialects`), each materialised as a local checkpoint so
the steps reading it do not recompute it, and dropped after its last reader.
The small inputs (items, periods, calendar segments) are built from the model and
sent as local relations, which Spark broadcasts; the event log is read where it is.

Sources: Parquet files (and globs), or a table of the session's catalog written
`table:NAME` (`table:sales.events`). Parquet rows keep their row numbers
(`_metadata.row_index`), so data-quality examples name the file and row as DuckDB
does; a table has no row numbers. CSV and JSON are refused with the way to convert
them: Spark cannot number their rows without reading them in order.

The session: the active one if there is one (a notebook, `spark-submit`, the
tests), else one built here — `spark-defaults.conf`, `SPARK_CONF_DIR` and
`PYSPARK_SUBMIT_ARGS` apply, and without a master it runs locally on every core —
and stopped at the end. The run sets the session's time zone to UTC (restored
after): the only time-zone arithmetic is reading naive timestamps, in the zone of
`--timezone`.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from touchdsl.measure import sql
from touchdsl.measure.dialects import Dialect
from touchdsl.measure.engine import Columns, Raw, Request, measure_on
from touchdsl.measure.errors import MeasureError
from touchdsl.measure.sources import Source, find_columns, resolve
from touchdsl.measure.timestamps import FIRST_US, LAST_US, LETTERS, OFFSET, ZONED
from touchdsl.model import Project

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

__all__ = ["execute", "SparkBackend", "session", "TABLE_PREFIX", "INSTALL"]

TABLE_PREFIX = "table:"
INSTALL = "pip install 'touchdsl[spark]'"

_TEXT = ("StringType", "VarcharType", "CharType")
_SPACED = r"\s+" + OFFSET + "$"  # a space before the offset: group 1 the offset
# A time of day without seconds before a zone (`10:00Z`, `10:00 UTC`): group 1 the
# date and time, group 2 the zone.
_NO_SECONDS = r"^(.*\d[T ]\d{1,2}:\d{2})(\s*[zZ+-].*|\s+[A-Za-z].*)$"
_NUMBER = ("ByteType", "ShortType", "IntegerType", "LongType", "FloatType", "DoubleType", "DecimalType")
_SPARK_TYPES = {"VARCHAR": "STRING", "BIGINT": "BIGINT", "INTEGER": "INT", "DOUBLE": "DOUBLE",
                "BOOLEAN": "BOOLEAN", "DATE": "DATE"}


def _java_problem() -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home and os.access(os.path.join(home, "bin", "java"), os.X_OK):
        return None
    if shutil.which("java"):
        return None
    return ("--engine spark needs Java 17 or later, which Spark runs on: install it (Debian, Ubuntu: "
            "apt-get install default-jre-headless) or set JAVA_HOME")


def session() -> tuple["SparkSession", bool]:
    """The Spark session to run on, and whether it was started here (and is to be
    stopped). Raises MeasureError when PySpark or Java is missing."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise MeasureError(f"--engine spark needs PySpark: {INSTALL} (and Java 17 or later)") from None
    active = SparkSession.getActiveSession()
    if active is not None:
        return active, False
    problem = _java_problem()
    if problem is not None:
        raise MeasureError(problem)
    builder = SparkSession.builder.appName("touchdsl measure").config("spark.ui.showConsoleProgress", "false")
    if not os.environ.get("MASTER") and "--master" not in os.environ.get("PYSPARK_SUBMIT_ARGS", ""):
        builder = builder.config("spark.master", "local[*]")
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # the JVM did not start: name it, without a traceback
        raise MeasureError(f"--engine spark: Spark did not start: {str(exc).strip().splitlines()[0]}") from None
    # Spark logs every failed statement with its Java stack; the run reports the
    # problem itself, in one line.
    spark.sparkContext.setLogLevel("FATAL")
    return spark, True


def _literal(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _ident(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _sources(specs: Sequence[str]) -> list[Source]:
    tables = [s for s in specs if s.startswith(TABLE_PREFIX)]
    files = [s for s in specs if not s.startswith(TABLE_PREFIX)]
    out = [Source(spec, "table", spec[len(TABLE_PREFIX):].strip()) for spec in tables]
    for source in resolve(files) if files else []:
        if source.format != "parquet":
            raise MeasureError(
                f"{source.path}: --engine spark reads Parquet files or a table (-e table:NAME), not "
                f"{source.format.upper()}; convert it once, e.g. with DuckDB: "
                f"COPY (FROM '{source.path}') TO 'events.parquet' (or measure it with --engine duckdb)")
        out.append(source)
    for source in out:
        if source.format == "table" and not _is_table_name(source.query or ""):
            raise MeasureError(f"{source.path}: not a table name such as table:events or table:sales.events")
    return out


def _is_table_name(name: str) -> bool:
    parts = name.split(".")
    return 1 <= len(parts) <= 3 and all(p and (p.replace("_", "a").isalnum()) for p in parts)


class SparkBackend:
    """Spark SQL on a session: temporary views, steps cached as tables."""

    dialect: Dialect = "spark"

    def __init__(self, spark: "SparkSession") -> None:
        self.spark = spark
        self.cached: dict[str, Any] = {}  # step -> its cached DataFrame
        self.views: list[str] = []

    def _sql(self, text: str) -> Any:
        from pyspark.errors import PySparkException

        try:
            return self.spark.sql(text)
        except PySparkException as exc:
            raise MeasureError(f"Spark could not run the measurement: {str(exc).strip().splitlines()[0]}") from None

    def _view(self, name: str, query: str) -> None:
        self._sql(f"CREATE OR REPLACE TEMPORARY VIEW {name} AS {query}")
        self.views.append(name)

    # --- the sources -----------------------------------------------------------------

    def load(self, request: Request) -> tuple[list[str], int]:
        from pyspark.errors import PySparkException

        sources = _sources(request.events)
        selects: list[str] = []
        text_times = False
        for k, source in enumerate(sources):
            view = f"touch_source_{k}"
            try:
                if source.format == "table":
                    self._sql(f"SELECT * FROM {source.query} LIMIT 0")
                    query = f"SELECT *, CAST(NULL AS BIGINT) AS __touch_row FROM {source.query}"
                else:
                    query = (f"SELECT *, _metadata.row_index + 1 AS __touch_row "
                             f"FROM parquet.{_ident(os.path.abspath(source.path))}")
                self._view(view, query)
                fields = {f.name: type(f.dataType).__name__ for f in self.spark.table(view).schema.fields
                          if f.name != "__touch_row"}
            except (PySparkException, MeasureError) as exc:
                raise MeasureError(f"{source.path}: cannot read: {str(exc).strip().splitlines()[0]}") from None
            select, text = _normalise(k, source, view, fields, request.mapping, request.timezone)
            selects.append(select)
            text_times = text_times or text
        self._view("touch_events", "\nUNION ALL\n".join(selects))
        count = int(self._sql("SELECT COUNT(*) FROM touch_events").collect()[0][0])
        if request.timezone is None and text_times:
            naive = self._sql("SELECT src, src_row, at_text FROM touch_events WHERE at_us IS NULL "
                              f"AND NOT at_text RLIKE {_literal(ZONED)} AND NOT at_text RLIKE {_literal(LETTERS)} "
                              "AND try_cast(at_text AS TIMESTAMP_NTZ) IS NOT NULL "
                              "ORDER BY src, src_row NULLS LAST LIMIT 1").collect()
            if naive:
                src, row, text_ = naive[0]
                where = f"{sources[src].path} row {row}" if row is not None else sources[src].path
                raise MeasureError(f"{where}: timestamp `{text_}` has no time zone; give --timezone ZONE (the zone "
                                   "it was written in, e.g. Asia/Jerusalem) or write timestamps with an offset "
                                   "(2026-09-17T10:00:00+03:00)")
        return [s.path for s in sources], count

    # --- statements ------------------------------------------------------------------

    def latest(self, wall_us: int) -> int | None:
        row = self._sql(f"SELECT MAX(at_us) FROM touch_events WHERE at_us >= 0 AND at_us <= {int(wall_us)}").collect()
        return int(row[0][0]) if row and row[0][0] is not None else None

    def fill(self, name: str, rows: Sequence[Sequence[Any]], columns: Columns | None = None) -> None:
        columns = sql.INPUTS[name] if columns is None else columns
        schema = ", ".join(f"{column} {_SPARK_TYPES[type_]}" for column, type_ in columns)
        # The model's tables are small (items, roles, periods, the calendar segments the
        # cases need) but come from Python, so Spark knows nothing of their size and
        # would shuffle the log to join them (and cross the run's one row with it): the
        # hint broadcasts them instead, and only the per-case grouping shuffles the log.
        frame = self.spark.createDataFrame([tuple(row) for row in rows], schema).hint("broadcast")
        frame.createOrReplaceTempView(name)
        self.views.append(name)

    def create(self, name: str, query: str) -> None:
        # Materialised at once, and cut from the plan that made it (a local
        # checkpoint): the steps reading it (and the planner, which then knows its size
        # and broadcasts the small ones) read the rows, and their plans stay small
        # rather than nesting every earlier step's.
        from pyspark.errors import PySparkException

        try:
            frame = self._sql(query).localCheckpoint(eager=True)
        except PySparkException as exc:
            raise MeasureError(f"Spark could not run the measurement: {str(exc).strip().splitlines()[0]}") from None
        frame.createOrReplaceTempView(name)
        self.cached[name] = frame

    def drop(self, name: str) -> None:
        self.spark.catalog.dropTempView(name)
        self.cached.pop(name).unpersist()

    def fetch(self, query: str) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self._sql(query).collect()]

    def close(self) -> None:
        """Uncache and drop what the run left (the session may be the caller's)."""
        for name in list(self.cached):
            self.drop(name)
        for name in reversed(self.views):
            self.spark.catalog.dropTempView(name)
        self.views = []


def _normalise(number: int, source: Source, view: str, fields: dict[str, str], mapping: dict[str, str],
               timezone: str | None) -> tuple[str, bool]:
    """The Spark SELECT turning source `number` into rows of touch_events (as
    touchdsl.measure.sources does for DuckDB), and whether its timestamps are text."""
    found = find_columns(source.path, list(fields), mapping)

    def text(column: str) -> str:
        return f"CAST({_ident(found[column])} AS STRING)" if column in found else "CAST(NULL AS STRING)"

    at = _ident(found["at"])
    at_type = fields[found["at"]]
    zone = _literal(timezone) if timezone is not None else None
    if at_type == "TimestampType":
        at_us, at_text = f"unix_micros({at})", f"CAST({at} AS STRING)"
    elif at_type in ("TimestampNTZType", "DateType"):
        if zone is None:
            raise MeasureError(f"{source.path}: the timestamps of column `{found['at']}` ({at_type}) have no time "
                               "zone; give --timezone ZONE, the zone they were written in (e.g. Asia/Jerusalem)")
        at_us = f"unix_micros(to_utc_timestamp(CAST(CAST({at} AS TIMESTAMP_NTZ) AS TIMESTAMP), {zone}))"
        at_text = f"CAST({at} AS STRING)"
    elif at_type in _TEXT:
        raw = f"trim(CAST({at} AS STRING))"
        # Spark reads neither a lower-case z nor a time without seconds when a zone
        # follows: those are written again first (touchdsl.measure.timestamps).
        written = (f"regexp_replace(regexp_replace(regexp_replace({raw}, {_literal(_SPACED)}, '$1'), "
                   f"'z$', 'Z'), {_literal(_NO_SECONDS)}, '$1:00$2')")
        zoned = f"unix_micros(try_cast({written} AS TIMESTAMP))"
        naive = (f"unix_micros(to_utc_timestamp(CAST(try_cast({raw} AS TIMESTAMP_NTZ) AS TIMESTAMP), {zone}))"
                 if zone is not None else "CAST(NULL AS BIGINT)")
        at_us = (f"CASE WHEN {raw} RLIKE {_literal(ZONED)} THEN {zoned} "
                 f"WHEN {raw} RLIKE {_literal(LETTERS)} THEN CAST(NULL AS BIGINT) ELSE {naive} END")
        at_text = raw
    else:
        raise MeasureError(f"{source.path}: column `{found['at']}` holds {at_type}, not timestamps; write them as "
                           "ISO 8601 text (2026-09-17T10:00:00+03:00) or as a timestamp column")
    at_us = f"CASE WHEN ({at_us}) BETWEEN {FIRST_US} AND {LAST_US} THEN ({at_us}) END"
    at_text = f"CASE WHEN ({at_us}) IS NULL THEN {at_text} END"

    if "value" in found:
        value = _ident(found["value"])
        value_type = fields[found["value"]]
        if value_type in _TEXT:
            raw = f"NULLIF(trim(CAST({value} AS STRING)), '')"
            value_expr = f"try_cast({raw} AS DOUBLE)"
            value_text = f"CASE WHEN {raw} IS NOT NULL AND try_cast({raw} AS DOUBLE) IS NULL THEN {raw} END"
        elif value_type in _NUMBER:
            value_expr, value_text = f"CAST({value} AS DOUBLE)", "CAST(NULL AS STRING)"
        else:
            value_expr = f"try_cast(CAST({value} AS STRING) AS DOUBLE)"
            value_text = (f"CASE WHEN {value} IS NOT NULL AND try_cast(CAST({value} AS STRING) AS DOUBLE) IS NULL "
                          f"THEN CAST({value} AS STRING) END")
    else:
        value_expr, value_text = "CAST(NULL AS DOUBLE)", "CAST(NULL AS STRING)"
    return (
        f"SELECT CAST({number} AS INT) AS src, CAST(__touch_row AS BIGINT) AS src_row, "
        f"NULLIF({text('case')}, '') AS case_id, "
        f"COALESCE({text('touchpoint')}, '') AS touchpoint, COALESCE({text('event')}, '') AS event, "
        f"{at_us} AS at_us, {at_text} AS at_text, {value_expr} AS value, {value_text} AS value_text, "
        f"{text('segment')} AS segment, {text('channel')} AS channel "
        f"FROM {view}"
    ), at_type in _TEXT


class _UTC:
    """The session's time zone set to UTC for the run, restored after."""

    def __init__(self, spark: "SparkSession") -> None:
        self.spark = spark
        self.before: str | None = None

    def __enter__(self) -> None:
        self.before = self.spark.conf.get("spark.sql.session.timeZone")
        self.spark.conf.set("spark.sql.session.timeZone", "UTC")

    def __exit__(self, *exc: object) -> None:
        if self.before is not None:
            self.spark.conf.set("spark.sql.session.timeZone", self.before)


def execute(project: Project, request: Request, steps: Sequence[sql.Step] | None = None,
            now: dt.datetime | None = None, results: Mapping[str, str] = sql.RESULTS,
            inputs: Mapping[str, tuple[Columns, Sequence[Sequence[Any]]]] | None = None) -> Raw:
    """`touchdsl.measure.engine.execute` on Spark."""
    spark, started = session()
    backend = SparkBackend(spark)
    try:
        with _UTC(spark):
            return measure_on(backend, project, request, steps, now, results=results, inputs=inputs)
    finally:
        backend.close()
        if started:
            spark.stop()

