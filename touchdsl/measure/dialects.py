"""The measurement's SQL for other engines: one source, rendered by sqlglot.

`touchdsl.measure.sql` writes the measurement once, in DuckDB's dialect restricted to
portable constructs. Every other engine gets sqlglot's rendering of that same text
(`render`): types, quoting, NULL ordering, integer versus float division and casts
are translated by sqlglot, never written by hand per engine.

The one thing the portable SQL leaves to the edge is reading an instant as epoch
microseconds (`EPOCH_US(at)` in the source: `UNIX_MICROS` in Spark and BigQuery).
sqlglot has the expression but writes no equivalent for three engines, so it is
given here, as a tree in the target's own dialect: Trino counts seconds as a double
(exact to the microsecond for instants of this era once rounded), Snowflake has
`DATE_PART(EPOCH_MICROSECOND, …)`, Postgres `EXTRACT(EPOCH FROM …)` (an exact
numeric since Postgres 14).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, Sequence, get_args

if TYPE_CHECKING:
    from sqlglot import exp

    from touchdsl.measure.sql import Step

__all__ = ["Dialect", "DIALECTS", "render", "render_steps", "SOURCE"]

Dialect = Literal["duckdb", "spark", "trino", "bigquery", "snowflake", "postgres"]
DIALECTS: tuple[Dialect, ...] = get_args(Dialect)
SOURCE: Dialect = "duckdb"  # the dialect the generator writes

# Epoch microseconds of the instant `__instant`, where sqlglot writes no equivalent.
_EPOCH_US: dict[str, str] = {
    "trino": "CAST(ROUND(TO_UNIXTIME(__instant) * 1000000) AS BIGINT)",
    "snowflake": "DATE_PART(EPOCH_MICROSECOND, __instant)",
    "postgres": "CAST(EXTRACT(EPOCH FROM __instant) * 1000000 AS BIGINT)",
}


def _edge(dialect: str, tree: "exp.Expr") -> "exp.Expr":
    import sqlglot
    from sqlglot import exp

    template = _EPOCH_US.get(dialect)

    def swap(node: exp.Expr) -> exp.Expr:
        # DuckDB's EPOCH_US is read as an unknown function: it is sqlglot's UnixMicros.
        if isinstance(node, exp.Anonymous) and node.name.lower() == "epoch_us" and len(node.expressions) == 1:
            node = exp.UnixMicros(this=node.expressions[0])
        if not isinstance(node, exp.UnixMicros) or template is None:
            return node
        instant: exp.Expr = node.this
        replaced: exp.Expr = sqlglot.parse_one(template, read=dialect).transform(
            lambda n: instant.copy() if isinstance(n, exp.Column) and n.name == "__instant" else n)
        return replaced

    return tree.transform(swap)


def render(text: str, dialect: Dialect, *, schema: str | None = None, refs: dict[str, str] | None = None,
           pretty: bool = False) -> str:
    """One statement of the source dialect, written for `dialect` (sqlglot refuses,
    with an error, anything it cannot translate). The source's own text when nothing
    is asked of it. `schema` qualifies the measurement's objects (`touch_…`);
    `refs` renames tables (a dbt model's `{{ ref(…) }}` placeholders)."""
    import sqlglot
    from sqlglot import exp

    if dialect == SOURCE and schema is None and refs is None and not pretty:
        return text
    tree = _edge(dialect, sqlglot.parse_one(text, read=SOURCE))
    if schema is not None or refs:
        for table in tree.find_all(exp.Table):
            if refs and table.name in refs and not table.db:
                table.set("this", exp.to_identifier(refs[table.name]))
            elif schema is not None and table.name.startswith("touch_") and not table.db:
                parts = schema.split(".")
                table.set("db", exp.to_identifier(parts[-1]))
                if len(parts) == 2:
                    table.set("catalog", exp.to_identifier(parts[0]))
    return tree.sql(dialect=dialect, unsupported_level=sqlglot.ErrorLevel.RAISE, pretty=pretty)


def render_steps(steps: Sequence["Step"], dialect: Dialect) -> tuple["Step", ...]:
    from touchdsl.measure.sql import Step

    return tuple(Step(step.name, render(step.sql, dialect)) for step in steps)
