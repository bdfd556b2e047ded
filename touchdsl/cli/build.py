"""`touchdsl build`: check a project and write its outputs."""

from __future__ import annotations

import sys

import click

from touchdsl.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    compile_paths,
    print_diagnostics,
)
from touchdsl.counting import counted


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("-o", "--output", "out", required=True, type=click.Path(file_okay=False),
              help="Folder to write the outputs into (one subfolder per target). It is replaced as a whole: "
                   "it must be new, empty, or an earlier build's, and must not contain the project.")
@click.option("-t", "--target", "targets", multiple=True, metavar="NAME",
              help="Target to build (repeatable); default: every target.")
@click.option("--lang", type=click.Choice(["he", "en"]), default=None,
              help="Language of the charter (overrides `defaults { charter language }`).")
@click.option("--stamp", default=None, metavar="TEXT",
              help="A build stamp (e.g. a date) to print in documents; off by default so output is reproducible.")
@click.option("--set", "settings", multiple=True, metavar="KEY=VALUE",
              help="A target option, e.g. policy_url=https://sla.example.com/policy or "
                   "alertmanager.smtp_smarthost=mail:25 (repeatable; the keys are listed in docs/targets.md).")
@click.option("--measured", default=None, metavar="MEASURE_JSON", type=click.Path(dir_okay=False),
              help="Publish what was achieved: under each promise of the charter the last period's figure, "
                   "and the promise's and target's figures in the policy (a measure.json of `touchdsl measure`).")
@click.option("--dialect", default=None, metavar="DIALECT",
              help="The SQL dialect of the `sql` target: duckdb (default), spark, trino, bigquery, snowflake or "
                   "postgres; the same as --set sql.dialect=DIALECT.")
@click.option("--strict", is_flag=True, help="Refuse to build when there are warnings.")
def build(paths: tuple[str, ...], out: str, targets: tuple[str, ...], lang: str | None, stamp: str | None,
          settings: tuple[str, ...], measured: str | None, dialect: str | None, strict: bool) -> None:
    """Check the project and build its outputs into a directory.

    Nothing is written unless every target succeeds, and the output folder is
    replaced as a whole, in one step: a failed or interrupted build leaves the
    earlier output untouched. A folder holding files the build did not write, or
    the project's own files, is refused (see docs/targets.md).
    """
    from touchdsl import targets as registry
    from touchdsl.build import BuildFailed, build_project
    from touchdsl.diagnostics import visible

    known = registry.available()
    for name in targets:
        if name not in known:
            from touchdsl.compiler.resolve import suggest

            hint = " ".join(suggest(name, known, "target"))
            raise click.BadParameter(f"unknown target `{name}`. {hint}".strip(), param_hint="--target")
    # Options are checked before the project: a typo in a key must not wait for a compile.
    pairs = list(settings)
    if dialect is not None:
        given = [p.partition("=")[2] for p in pairs if p.partition("=")[0].strip() == "sql.dialect"]
        if given and given[-1] != dialect:
            raise click.BadParameter(f"--dialect {dialect} and --set sql.dialect={given[-1]} disagree; give one.",
                                     param_hint="--dialect")
        pairs.append(f"sql.dialect={dialect}")
    try:
        extra = registry.read_settings(pairs)
    except registry.SettingError as exc:
        sentences = [str(exc)] + [h[:1].upper() + h[1:] for h in exc.help]
        raise click.BadParameter(" ".join(s if s.endswith(("?", ".")) else s + "." for s in sentences),
                                 param_hint="--set") from None
    result = compile_paths(paths)
    found = None
    if measured is not None and result.project is not None and result.ok:
        from touchdsl.measure import MeasureError
        from touchdsl.measure.published import load_measured, measured_diagnostics, published

        try:
            found = published(result.project, load_measured(measured), visible(measured))
        except MeasureError as exc:
            click.echo(f"build: --measured: {visible(str(exc))}; nothing written", err=True)
            sys.exit(EXIT_USAGE)
        result.diagnostics = sorted([*result.diagnostics, *measured_diagnostics(result.project, result.files, found)],
                                    key=lambda d: d.sort_key())
    code = print_diagnostics(result, "text", strict) if result.diagnostics else EXIT_OK
    if code != EXIT_OK or result.project is None:
        click.echo("build: nothing written", err=True)
        sys.exit(EXIT_PROBLEMS)
    # `policy_url` is read by several targets (alert and dashboard links), so it is
    # a field of its own; every other key is a target's option.
    policy_url = extra.pop("policy_url", registry.BuildOptions.policy_url)
    options = registry.BuildOptions(lang=lang, stamp=stamp, policy_url=policy_url, extra=extra, measured=found)
    try:
        written = build_project(result.project, out, list(targets) or known, options,
                                progress=lambda msg: click.echo(msg, err=True),
                                inputs=[*(paths or ["."]), *result.sources])
    except BuildFailed as exc:
        click.echo(f"build: {visible(str(exc))}; nothing written", err=True)
        for line in exc.help:
            click.echo(f"  help: {visible(line)}", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(f"built {counted(len(written), 'file')} into {visible(out)}")
