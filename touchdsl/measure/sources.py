"""Reading the event log: files, globs and `.sql` views into one normalised table.

This is the DuckDB-specific edge of the measurement (file readers, type sniffing,
timestamp parsing); everything after it is the portable SQL of
`touchdsl.measure.sql`. `load` fills the table `touch_events` with the columns of
`sql.INPUTS["touch_events"]`: one row per row of every source, nothing dropped, so
the data-quality report can count and show every bad row.

The schema (docs/measure.md): `case`, `touchpoint`, `event`, `at` required; `value`,
`channel`, `segment` optional. `--map case=ticket_id` reads a column of another name.
Timestamps carry their zone (an offset or `Z`, or a TIMESTAMP WITH TIME ZONE column);
naive ones are read in the zone given with `--timezone`, and without it they are a
usage error rather than a guess.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

from touchdsl.measure.errors import MeasureError
from touchdsl.measure.timestamps import FIRST_US, LAST_US, LETTERS, OFFSET, ZONED

__all__ = ["MeasureError", "Source", "REQUIRED", "OPTIONAL", "parse_mapping", "resolve", "find_columns", "load"]

REQUIRED = ("case", "touchpoint", "event", "at")
OPTIONAL = ("value", "channel", "segment")
COLUMNS = REQUIRED + OPTIONAL

# File formats by suffix (after an optional .gz).
_FORMATS = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".parquet": "parquet", ".pq": "parquet",
            ".jsonl": "json", ".ndjson": "json", ".json": "json", ".sql": "sql"}

_NAIVE_TYPES = ("TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S", "DATE")
_TEXT_TYPES = ("VARCHAR", "JSON")
_NUMBER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                 "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "REAL", "DECIMAL")


@dataclass(frozen=True)
class Source:
    """One readable input: a file, or the SELECT of a `.sql` file."""

    path: str  # as it will be shown to people
    format: str  # csv | parquet | json | sql
    query: str | None = None  # for sql: the SELECT


@dataclass
class _Columns:
    types: dict[str, str] = field(default_factory=dict)  # name as written -> DuckDB type


def parse_mapping(texts: list[str] | tuple[str, ...]) -> dict[str, str]:
    """`case=ticket_id,at=created_at` (repeatable) -> {"case": "ticket_id", "at": "created_at"}."""
    mapping: dict[str, str] = {}
    for text in texts:
        for part in text.split(","):
            if not part.strip():
                continue
            key, sep, value = part.partition("=")
            key, value = key.strip(), value.strip()
            if not sep or not value:
                raise MeasureError(f"--map `{part.strip()}` is not COLUMN=SOURCE_COLUMN (e.g. case=ticket_id)")
            if key not in COLUMNS:
                from touchdsl.compiler.resolve import suggest

                hint = " ".join(suggest(key, list(COLUMNS), "column"))
                raise MeasureError(f"--map `{key}`: the event log has no column `{key}` "
                                  f"(columns: {', '.join(COLUMNS)}). {hint}".strip())
            if key in mapping and mapping[key] != value:
                raise MeasureError(f"--map `{key}` is given twice, as `{mapping[key]}` and as `{value}`: "
                                  "a column of the event log is read from one source column")
            mapping[key] = value
    return mapping


def _format_of(path: str) -> str:
    name = path.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    suffix = os.path.splitext(name)[1]
    if suffix not in _FORMATS or (suffix == ".sql" and path.lower().endswith(".gz")):
        raise MeasureError(f"{path}: cannot tell the format from the name; use .csv, .tsv, .parquet, "
                          ".jsonl or .json (each optionally .gz), or .sql for a SELECT")
    return _FORMATS[suffix]


def resolve(specs: list[str] | tuple[str, ...]) -> list[Source]:
    """Expand globs (sorted, so the order is stable) and read `.sql` files."""
    if not specs:
        raise MeasureError("no event log given: --events FILE (CSV, Parquet, JSON lines, a glob, or a .sql SELECT)")
    out: list[Source] = []
    for spec in specs:
        if glob.has_magic(spec):
            paths = sorted(p for p in glob.glob(spec, recursive=True) if os.path.isfile(p))
            if not paths:
                raise MeasureError(f"{spec}: no file matches")
        else:
            if not os.path.exists(spec):
                raise MeasureError(f"{spec}: no such file")
            if os.path.isdir(spec):
                raise MeasureError(f"{spec}: is a directory; give files or a glob such as {spec.rstrip('/')}/*.csv")
            paths = [spec]
        for path in paths:
            fmt = _format_of(path)
            out.append(Source(path, fmt, _read_query(path) if fmt == "sql" else None))
    return out


def _read_query(path: str) -> str:
    import duckdb

    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MeasureError(f"{path}: cannot read ({exc})") from None
    try:
        statements = duckdb.extract_statements(text)
    except duckdb.Error as exc:
        raise MeasureError(f"{path}: not valid SQL: {_first_line(exc)}") from None
    if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
        raise MeasureError(f"{path}: must hold exactly one SELECT that returns the event log's columns "
                          f"({', '.join(REQUIRED)}, optionally {', '.join(OPTIONAL)})")
    return str(statements[0].query)


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _reader(source: Source, serial: bool = False) -> str:
    path = _literal(source.path)
    if source.format == "csv":
        # `serial`: DuckDB's parallel reader cannot pad short rows of a file whose quoted
        # fields hold line breaks; such a file is read again in one thread (see load).
        return (f"read_csv({path}, header = true, all_varchar = true, null_padding = true"
                f"{', parallel = false' if serial else ''})")
    if source.format == "parquet":
        return f"read_parquet({path}, file_row_number = true)"
    if source.format == "json":
        return f"read_json({path}, format = 'auto', records = false, columns = {{'json': 'JSON'}})"
    assert source.query is not None
    return f"({source.query})"


def _scan(con: "duckdb.DuckDBPyConnection", source: Source, serial: bool = False) -> str:
    """The SELECT of a source's view: its rows, with its columns as they are named."""
    reader = _reader(source, serial)
    if source.format != "json":
        return f"SELECT * FROM {reader} AS s"
    # The values of one key may change type from row to row (a case 7 and a case "007",
    # a number where a timestamp was): typed from a sample, DuckDB would quote the strings
    # of a mixed column, or stop at a later row it cannot cast, or at a key the sample
    # did not have. Each value is read as its text instead, as CSV cells are (a string
    # unquoted, a number as a number, null as NULL), under every key of every row.
    keys = [str(k) for (k,) in con.execute(
        f"SELECT DISTINCT k FROM (SELECT unnest(json_keys(json)) AS k FROM {reader}) ORDER BY k").fetchall()]
    if not keys:
        return f"SELECT json FROM {reader} AS s"
    columns = ", ".join(f"json_extract_string(json, {_literal(_json_path(k))}) AS {_ident(k)}" for k in keys)
    return f"SELECT {columns} FROM {reader} AS s"


def _json_path(key: str) -> str:
    """The JSON path of a key as written (dots, quotes and `$` in it are not a path)."""
    return '$."' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _empty(con: "duckdb.DuckDBPyConnection", source: Source, view: str, cols: _Columns) -> bool:
    """Whether a file holds nothing at all (0 bytes, or only blank lines): an export of a
    day without events. Not even a CSV header then, so no columns to check: no rows."""
    placeholder = {"csv": ["column0"], "json": ["json"]}.get(source.format)
    if list(cols.types) != placeholder:
        return False
    row = con.execute(f"SELECT COUNT(*) FROM {view}").fetchone()
    if source.format == "json" and row and row[0]:
        raise MeasureError(f"{source.path}: holds no JSON objects; each line (or each element of the array) must "
                           'be an object such as {"case": "c1", "touchpoint": "t", "event": "e", "at": "…"}')
    return not row or row[0] == 0


def _why(exc: BaseException) -> str:
    """What DuckDB said, in the plain words of its first line (or of what it explains)."""
    text = str(exc)
    if "not utf-8 encoded" in text.lower():
        import re

        line = re.search(r"Line: (\d+)", text)
        return (f"it is not UTF-8 text{f' (line {line.group(1)})' if line else ''}; "
                "save it as UTF-8 (most programs offer it under Save as or Export)")
    if "No magic bytes found" in text:
        return "it is not a Parquet file (it does not end as Parquet files do)"
    return _first_line(exc)


def _describe(con: "duckdb.DuckDBPyConnection", view: str) -> _Columns:
    cols = _Columns()
    for name, type_, *_ in con.execute(f"DESCRIBE {view}").fetchall():
        cols.types[str(name)] = str(type_)
    return cols


def find_columns(path: str, names: list[str], mapping: dict[str, str]) -> dict[str, str]:
    """Which of a source's columns (`names`, as written there) holds each column of the
    schema: the one of its name, or the one `--map` gives, in any letter case. Every
    engine reads its sources through this. Raises MeasureError for a required column
    that is not there, with the columns that are."""
    by_lower: dict[str, str] = {}
    for name in names:
        by_lower.setdefault(name.lower(), name)
    found: dict[str, str] = {}
    for column in COLUMNS:
        wanted = mapping.get(column, column)
        held = by_lower.get(wanted.lower())
        if held is None and column in REQUIRED:
            where = f"column `{wanted}` (mapped to `{column}`)" if column in mapping else f"column `{column}`"
            hint = "" if column in mapping else f"; name the column that holds it with --map {column}=COLUMN"
            raise MeasureError(f"{path}: no {where}; the columns are: {', '.join(names) or '(none)'}{hint}")
        if held is not None:
            found[column] = held
    return found


def _normalise(number: int, source: Source, view: str, cols: _Columns, mapping: dict[str, str],
               timezone: str | None) -> tuple[str, bool]:
    """The SELECT that turns source number `number` into rows of touch_events, and
    whether its timestamps are text (which may turn out naive)."""
    found = find_columns(source.path, list(cols.types), mapping)

    def text(column: str) -> str:
        return f"CAST({_ident(found[column])} AS VARCHAR)" if column in found else "CAST(NULL AS VARCHAR)"

    at = _ident(found["at"])
    at_type = cols.types[found["at"]].upper()
    at_text = f"CAST({at} AS VARCHAR)"
    if at_type.startswith("TIMESTAMP WITH TIME ZONE"):
        at_us = f"epoch_us({at})"
    elif at_type in _NAIVE_TYPES:
        if timezone is None:
            raise MeasureError(f"{source.path}: the timestamps of column `{found['at']}` ({at_type}) have no time "
                              "zone; give --timezone ZONE, the zone they were written in (e.g. Asia/Jerusalem)")
        at_us = f"epoch_us(timezone({_literal(timezone)}, CAST({at} AS TIMESTAMP)))"
    elif at_type in _TEXT_TYPES:
        raw = f"TRIM(CAST({at} AS VARCHAR))"
        # DuckDB reads neither a space before the offset nor a lower-case z: those few
        # are written again (COALESCE evaluates it only for the rows still NULL).
        spaced = f"regexp_replace({raw}, {_literal(chr(92) + 's+' + OFFSET + '$')}, {_literal(chr(92) + '1')})"
        zoned = (f"epoch_us(COALESCE(TRY_CAST({raw} AS TIMESTAMPTZ), "
                 f"TRY_CAST(regexp_replace({spaced}, 'z$', 'Z') AS TIMESTAMPTZ)))")
        naive = (f"epoch_us(timezone({_literal(timezone)}, TRY_CAST({raw} AS TIMESTAMP)))"
                 if timezone is not None else "CAST(NULL AS BIGINT)")
        at_us = (f"CASE WHEN regexp_matches({raw}, {_literal(ZONED)}) THEN {zoned} "
                 f"WHEN regexp_matches({raw}, {_literal(LETTERS)}) THEN CAST(NULL AS BIGINT) ELSE {naive} END")
        at_text = raw
    else:
        raise MeasureError(f"{source.path}: column `{found['at']}` holds {at_type}, not timestamps; write them as "
                          "ISO 8601 text (2026-09-17T10:00:00+03:00) or as a timestamp column")
    at_us = f"CASE WHEN ({at_us}) BETWEEN {FIRST_US} AND {LAST_US} THEN ({at_us}) END"
    at_text = f"CASE WHEN ({at_us}) IS NULL THEN {at_text} END"

    if "value" in found:
        value = _ident(found["value"])
        if not cols.types[found["value"]].upper().startswith(_NUMBER_TYPES):
            # Text, and anything else read as its text: a boolean `true` is not the answer 1.
            raw = f"NULLIF(TRIM(CAST({value} AS VARCHAR)), '')"
            value_expr = f"TRY_CAST({raw} AS DOUBLE)"
            value_text = f"CASE WHEN {raw} IS NOT NULL AND TRY_CAST({raw} AS DOUBLE) IS NULL THEN {raw} END"
        else:
            value_expr = f"TRY_CAST({value} AS DOUBLE)"
            value_text = (f"CASE WHEN {value} IS NOT NULL AND TRY_CAST({value} AS DOUBLE) IS NULL "
                          f"THEN CAST({value} AS VARCHAR) END")
    else:
        value_expr, value_text = "CAST(NULL AS DOUBLE)", "CAST(NULL AS VARCHAR)"

    if source.format == "parquet":
        row = "file_row_number + 1"
    elif source.format == "sql":
        row = "CAST(NULL AS BIGINT)"
    else:
        # One file read in order: its rows come in file order (DuckDB preserves
        # insertion order), so this is the data row's number, 1 = the first after the header.
        row = "ROW_NUMBER() OVER ()"
    return (
        f"SELECT CAST({number} AS INTEGER) AS src, CAST({row} AS BIGINT) AS src_row, "
        f"NULLIF({text('case')}, '') AS case_id, "
        f"COALESCE({text('touchpoint')}, '') AS touchpoint, COALESCE({text('event')}, '') AS event, "
        f"{at_us} AS at_us, {at_text} AS at_text, {value_expr} AS value, {value_text} AS value_text, "
        f"NULLIF(TRIM({text('segment')}), '') AS segment, {text('channel')} AS channel "
        f"FROM {view}"
    ), at_type in _TEXT_TYPES


# touch_events without rows, when every source is empty.
_NO_EVENTS = ("SELECT CAST(NULL AS INTEGER) AS src, CAST(NULL AS BIGINT) AS src_row, CAST(NULL AS VARCHAR) AS case_id, "
              "'' AS touchpoint, '' AS event, CAST(NULL AS BIGINT) AS at_us, CAST(NULL AS VARCHAR) AS at_text, "
              "CAST(NULL AS DOUBLE) AS value, CAST(NULL AS VARCHAR) AS value_text, CAST(NULL AS VARCHAR) AS segment, "
              "CAST(NULL AS VARCHAR) AS channel WHERE false")


def _culprit(con: "duckdb.DuckDBPyConnection", selects: dict[int, str],
             error: "duckdb.Error") -> tuple[int | None, BaseException]:
    """The first source whose rows cannot be read, and why (a run that fails anyway reads
    them once more, one at a time); None when each is read alone."""
    import duckdb

    for k, select in selects.items():
        try:
            con.execute(f"CREATE OR REPLACE TEMP TABLE touch_probe AS {select}")
        except duckdb.Error as exc:
            return k, exc
        finally:
            con.execute("DROP TABLE IF EXISTS touch_probe")
    return None, error


def load(con: "duckdb.DuckDBPyConnection", sources: list[Source], mapping: dict[str, str],
         timezone: str | None) -> int:
    """Create `touch_events` from every source; returns the number of rows read.

    Parquet is columnar and cheap to scan again, so Parquet-only logs are read through
    a view (the measurement scans it a few times, and memory stays flat with the size
    of the log); other formats are parsed once into a temporary table.

    Raises MeasureError (exit 2) for a file that cannot be read, a missing column, a
    column of the wrong type, or naive timestamps without `timezone`.
    """
    import duckdb

    selects: dict[int, str] = {}  # source number -> its rows of touch_events (none for an empty file)
    text_times = False
    search = sorted({str(Path(s.path).resolve().parent) for s in sources if s.format == "sql"})
    if search:
        # A .sql view reads its files relative to where it is written.
        con.execute(f"SET file_search_path = {_literal(','.join(search))}")
    for k, source in enumerate(sources):
        view = f"touch_source_{k}"
        try:
            con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS {_scan(con, source)}")
            cols = _describe(con, view)
            if _empty(con, source, view, cols):
                continue
        except duckdb.Error as exc:
            raise MeasureError(f"{source.path}: cannot read: {_why(exc)}") from None
        select, text = _normalise(k, source, view, cols, mapping, timezone)
        selects[k] = select
        text_times = text_times or text
    kind = "VIEW" if all(s.format == "parquet" for s in sources) else "TABLE"
    serial: set[int] = set()
    while True:
        try:
            con.execute(f"CREATE OR REPLACE TEMP {kind} touch_events AS "
                        + ("\nUNION ALL\n".join(selects.values()) or _NO_EVENTS))
            break
        except duckdb.Error as exc:
            # Most files fail when their rows are read, here: find the one, to name it.
            bad, error = _culprit(con, selects, exc)
            if bad is None or bad in serial or sources[bad].format != "csv" or "parallel=false" not in str(error):
                where = f"{sources[bad].path}: cannot read" if bad is not None else "cannot read the event log"
                raise MeasureError(f"{where}: {_why(error)}") from None
            serial.add(bad)
            con.execute(f"CREATE OR REPLACE TEMP VIEW touch_source_{bad} AS {_scan(con, sources[bad], serial=True)}")
    try:
        count = con.execute("SELECT COUNT(*) FROM touch_events").fetchone()
        naive = None
        if timezone is None and text_times:
            naive = con.execute(
                "SELECT src, src_row, at_text FROM touch_events WHERE at_us IS NULL "
                f"AND NOT regexp_matches(at_text, {_literal(ZONED)}) AND NOT regexp_matches(at_text, "
                f"{_literal(LETTERS)}) AND TRY_CAST(at_text AS TIMESTAMP) IS NOT NULL "
                "ORDER BY src, src_row LIMIT 1").fetchone()
    except duckdb.Error as exc:
        raise MeasureError(f"cannot read the event log: {_first_line(exc)}") from None
    if naive is not None:
        src, row, text = naive
        where = f"{sources[src].path} row {row}" if row is not None else sources[src].path
        raise MeasureError(f"{where}: timestamp `{text}` has no time zone; give --timezone ZONE (the zone "
                           "it was written in, e.g. Asia/Jerusalem) or write timestamps with an offset "
                           "(2026-09-17T10:00:00+03:00)")
    return int(count[0]) if count else 0
