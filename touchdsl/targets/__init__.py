"""Output targets of `touchdsl build`, one module per target, and the options
(`--set KEY=VALUE`) each declares.

A target is a function `render(project, options) -> dict[str, bytes]` mapping
paths relative to the build directory (`charter/index.html`) to file contents.
Targets read only the validated `touchdsl.model.Project` and the validated
`BuildOptions`; they never write files themselves, so `touchdsl.build` can write
everything to a temporary directory and swap it in only when every target
succeeded.

Every option a target reads is declared here with its type, default and
validation, so an unknown key or a value the target cannot write is a usage
error before anything runs (docs/targets.md lists them; a test keeps the two
in step). Modules are imported lazily by name so `touchdsl --version` stays fast.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass

from touchdsl.addresses import email_problem, host_port_problem, link_problem, one_line_problem
from touchdsl.model import Project
from touchdsl.options import BuildOptions

__all__ = ["BuildOptions", "SETTINGS", "Setting", "SettingError", "TARGETS", "Target", "available",
           "read_settings", "renderer", "warnings"]


Renderer = Callable[[Project, BuildOptions], dict[str, bytes]]


@dataclass(frozen=True)
class Setting:
    """One `--set` key: what it sets, its type in words, its default and its check."""

    key: str
    type: str  # as docs/targets.md names it: "URL or path", "host:port", "e-mail address", "path"
    default: str
    description: str
    problem: Callable[[str], str | None]  # why a value is refused, or None


@dataclass(frozen=True)
class Target:
    module: str
    description: str  # one line
    settings: tuple[Setting, ...] = ()


def _sender_problem(text: str) -> str | None:
    return email_problem(text, local_host=True)


def _path_problem(text: str) -> str | None:
    return one_line_problem(text)


# Read by every target that links to the policy (alert annotations, dashboards).
POLICY_URL = Setting(
    "policy_url", "URL or path", BuildOptions.policy_url,
    "Where the policy documents are published; alert annotations and dashboard panels link to "
    "`<policy_url>/<owner>.html#…`. An http(s) URL or a relative path.", link_problem)

def _sql_setting(key: str, type_: str, default: str, description: str, check: str) -> Setting:
    """An option of the `sql` target, checked by touchdsl.targets.warehouse (imported
    only when a value is checked, so the registry stays light)."""
    def problem(text: str) -> str | None:
        found = one_line_problem(text) if text else None  # empty: the option's "none" where it has one
        if found is not None:
            return found
        checker: Callable[[str], str | None] = getattr(importlib.import_module("touchdsl.targets.warehouse"), check)
        return checker(text)
    return Setting(key, type_, default, description, problem)


SQL_SETTINGS = (
    _sql_setting("sql.dialect", "SQL dialect", "duckdb",
                 "The engine the SQL is written for: duckdb, spark, trino, bigquery, snowflake or postgres "
                 "(also `build --dialect`).", "dialect_problem"),
    _sql_setting("sql.events_table", "table name", "events",
                 "The table with the event-log schema the measurement reads (`name`, `schema.name` or "
                 "`catalog.schema.name`).", "table_problem"),
    _sql_setting("sql.schema", "schema name", "",
                 "The schema (`schema` or `catalog.schema`; a BigQuery dataset) of the measurement's own "
                 "tables and views; empty: the session's current schema.", "schema_problem"),
    _sql_setting("sql.objects", "table or view", "table",
                 "Whether the steps and results are tables (a batch run: `measure.sql` recomputes them) or "
                 "views (always current; for small logs: an engine plans the whole chain at every query).",
                 "objects_problem"),
    _sql_setting("sql.calendar_from", "date", "2024-01-01",
                 "The first day (UTC) of the calendar table.", "date_problem"),
    _sql_setting("sql.calendar_years", "years", "6",
                 "How many years the calendar table covers from `sql.calendar_from`.", "years_problem"),
    _sql_setting("sql.map", "column mapping", "",
                 "Event-log columns read under other names, e.g. `case=ticket_id,at=created_at`.",
                 "mapping_problem"),
)

# name -> target; the order is the order `build` runs them in.
TARGETS: dict[str, Target] = {
    "json": Target("touchdsl.targets.json_model", "the resolved model as JSON and its JSON Schema"),
    "charter": Target("touchdsl.targets.charter", "the customer service charter (HTML and Markdown)"),
    "policy": Target("touchdsl.targets.policy", "the internal SLA policy per owner (HTML and Markdown)"),
    "prometheus": Target("touchdsl.targets.prometheus", "Prometheus recording and burn-rate alert rules",
                         (POLICY_URL,)),
    "alertmanager": Target("touchdsl.targets.alertmanager", "Alertmanager routing per owner", (
        Setting("alertmanager.secrets_dir", "path", "/etc/alertmanager/secrets",
                "The folder on the Alertmanager host holding one file per secret (Slack webhook URLs, "
                "PagerDuty routing keys, Opsgenie API keys).", _path_problem),
        Setting("alertmanager.smtp_smarthost", "host:port", "localhost:25",
                "The SMTP relay every email receiver sends through.", host_port_problem),
        Setting("alertmanager.smtp_from", "e-mail address", "alertmanager@localhost",
                "The sender address of alert emails.", _sender_problem),
    )),
    "tests": Target("touchdsl.targets.promtool_tests", "promtool unit tests proving every alert", (POLICY_URL,)),
    "grafana": Target("touchdsl.targets.grafana", "Grafana dashboards per journey and owner", (POLICY_URL,)),
    "openslo": Target("touchdsl.targets.openslo", "OpenSLO v1 documents"),
    "sql": Target("touchdsl.targets.warehouse", "the measurement as SQL for a warehouse (Spark, Trino, BigQuery, "
                  "Snowflake, Postgres, DuckDB), with the calendar table", SQL_SETTINGS),
}

# Every key, once (policy_url is shared by several targets).
SETTINGS: dict[str, Setting] = {s.key: s for target in TARGETS.values() for s in target.settings}


class SettingError(ValueError):
    """A `--set` the build cannot use: an unknown key or a refused value."""

    def __init__(self, message: str, help: list[str] | None = None):
        super().__init__(message)
        self.help = help or []


def read_settings(pairs: list[str]) -> dict[str, str]:
    """`KEY=VALUE` texts as validated settings; raises SettingError on the first bad one."""
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise SettingError(f"`{pair}` is not KEY=VALUE", ["for example --set policy_url=https://sla.example.com/policy"])
        setting = SETTINGS.get(key)
        if setting is None:
            from touchdsl.compiler.resolve import suggest

            hints = [h for h in suggest(key, SETTINGS) if h.startswith("did you mean")]
            raise SettingError(f"unknown option `{key}`",
                               hints + ["the options are " + ", ".join(sorted(SETTINGS)) + " (docs/targets.md)"])
        problem = setting.problem(value)
        if problem is not None:
            raise SettingError(f"{value!r} is not a valid `{key}` ({setting.type}): {problem}",
                               [f"for example --set {key}={setting.default}"])
        values[key] = value
    return values


def available() -> list[str]:
    """Targets whose module is present in this installation."""
    return [name for name, target in TARGETS.items() if importlib.util.find_spec(target.module) is not None]


def renderer(name: str) -> Renderer:
    render: Renderer = importlib.import_module(TARGETS[name].module).render
    return render


def warnings(name: str, project: Project) -> list[str]:
    """What a target could not express (e.g. OpenSLO has no score metrics); printed by `build`.

    A target module may define `warnings(project) -> list[str]`; most have none.
    """
    collect = getattr(importlib.import_module(TARGETS[name].module), "warnings", None)
    return list(collect(project)) if collect is not None else []
