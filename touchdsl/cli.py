"""The `touchdsl` command line.

Exit codes: 0 ok, 1 problems found in the input, 2 usage or I/O error,
3 internal error (a bug in touchdsl; the message says how to report it).
Heavy modules are imported inside commands so `touchdsl --version` is quick.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from . import __version__

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3

ISSUES_URL = "https://github.com/touchdsl/touchdsl/issues"

# Commands that live in their own modules, loaded only when used.
_LAZY_COMMANDS = {
    "fmt": ("touchdsl.formatter", "command", "Format .touch files in the canonical layout."),
    "diff": ("touchdsl.semdiff", "command", "Compare two versions of a project and classify each change."),
    "lsp": ("touchdsl.lsp", "command", "Run the language server over stdio (for editors)."),
}


class _Group(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        import importlib.util

        lazy = [n for n, (mod, _, _) in _LAZY_COMMANDS.items() if importlib.util.find_spec(mod) is not None]
        return sorted(set(super().list_commands(ctx)) | set(lazy))

    def get_command(self, ctx: click.Context, name: str):
        command = super().get_command(ctx, name)
        if command is not None or name not in _LAZY_COMMANDS:
            return command
        import importlib

        module, attr, _ = _LAZY_COMMANDS[name]
        try:
            return getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError):
            return None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="touchdsl", message="%(prog)s %(version)s")
def cli() -> None:
    """Define, publish and monitor customer service promises written in .touch files."""


def _print_diagnostics(result, fmt: str, strict: bool) -> int:
    from . import report

    diags = result.diagnostics
    files = sorted(result.sources)
    if fmt == "json":
        click.echo(report.format_json(diags, files))
    elif fmt == "sarif":
        click.echo(report.format_sarif(diags))
    elif fmt == "github":
        text = report.format_github(diags)
        if text:
            click.echo(text)
    else:
        color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
        text = report.format_text(diags, result.sources, color=color)
        if text:
            click.echo(text)
        tps = len(result.project.touchpoints) if result.project is not None else None
        click.echo(report.summary(diags, len(files), tps), err=bool(diags))
    errors = any(d.is_error for d in diags)
    return EXIT_PROBLEMS if errors or (strict and diags) else EXIT_OK


def _compile(paths: tuple[str, ...]):
    from .loader import PathError, compile_project

    try:
        result = compile_project(list(paths) or ["."])
    except PathError as exc:
        raise click.UsageError(str(exc)) from None
    # The compiled project lives until the process exits and holds no garbage cycles;
    # frozen, the collector neither rescans it now nor again at exit (a third of the
    # time of `check` on 10k touchpoints, see bench/README.md). Only the short-lived
    # command does this: library users and the language server keep a normal heap.
    import gc

    gc.freeze()
    if not result.sources and not result.diagnostics:
        # Checking nothing is almost always a wrong path; saying "ok" would hide it.
        where = ", ".join(paths) or "the current directory"
        raise click.UsageError(f"no .touch files found in {where}")
    return result


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github"]), default="text",
              show_default=True, help="How to print the diagnostics.")
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
def check(paths: tuple[str, ...], fmt: str, strict: bool) -> None:
    """Check .touch files and report every problem found.

    PATHS are files or directories (searched recursively for *.touch); the
    default is the current directory.
    """
    result = _compile(paths)
    sys.exit(_print_diagnostics(result, fmt, strict))


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("-o", "--output", "out", required=True, type=click.Path(file_okay=False),
              help="Directory to write the outputs into (one subdirectory per target).")
@click.option("-t", "--target", "targets", multiple=True, metavar="NAME",
              help="Target to build (repeatable); default: every target.")
@click.option("--lang", type=click.Choice(["he", "en"]), default=None,
              help="Language of the charter (overrides `defaults { charter language }`).")
@click.option("--stamp", default=None, metavar="TEXT",
              help="A build stamp (e.g. a date) to print in documents; off by default so output is reproducible.")
@click.option("--set", "settings", multiple=True, metavar="KEY=VALUE",
              help="A target option, e.g. policy_url=https://sla.example.com/policy or "
                   "alertmanager.smtp_smarthost=mail:25 (repeatable; see docs/targets.md).")
@click.option("--strict", is_flag=True, help="Refuse to build when there are warnings.")
def build(paths: tuple[str, ...], out: str, targets: tuple[str, ...], lang: str | None, stamp: str | None,
          settings: tuple[str, ...], strict: bool) -> None:
    """Check the project and build its outputs into a directory.

    Nothing is written unless every target succeeds; a failed build leaves an
    earlier output directory untouched.
    """
    from . import targets as registry
    from .build import BuildFailed, build_project

    known = registry.available()
    for name in targets:
        if name not in known:
            from .resolve import suggest

            hint = " ".join(suggest(name, known, "target"))
            raise click.BadParameter(f"unknown target `{name}`. {hint}".strip(), param_hint="--target")
    result = _compile(paths)
    code = _print_diagnostics(result, "text", strict) if result.diagnostics else EXIT_OK
    if code != EXIT_OK or result.project is None:
        click.echo("build: nothing written", err=True)
        sys.exit(EXIT_PROBLEMS)
    extra: dict[str, str] = {}
    for setting in settings:
        key, sep, value = setting.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"`{setting}` is not KEY=VALUE", param_hint="--set")
        extra[key.strip()] = value
    # `policy_url` is read by several targets (alert and dashboard links), so it is
    # a field of its own; every other key is a target's option.
    policy_url = extra.pop("policy_url", registry.BuildOptions.policy_url)
    options = registry.BuildOptions(lang=lang, stamp=stamp, policy_url=policy_url, extra=extra)
    try:
        written = build_project(result.project, out, list(targets) or known, options,
                                progress=lambda msg: click.echo(msg, err=True))
    except BuildFailed as exc:
        click.echo(f"build: {exc}; nothing written", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(f"built {len(written)} file{'' if len(written) == 1 else 's'} into {out}")


@cli.command()
@click.argument("code")
def explain(code: str) -> None:
    """Explain a diagnostic code such as TD202, with a wrong and a right example."""
    from .codes import CATALOGUE, explain as explain_code
    from .resolve import suggest

    if code.upper() not in CATALOGUE:
        hint = " ".join(suggest(code.upper(), CATALOGUE))
        raise click.UsageError(f"unknown code `{code}`. {hint}".strip())
    click.echo(explain_code(code))


@cli.command()
def schema() -> None:
    """Print the JSON Schema of the compiled model.

    The same schema `build --target json` writes to json/schema.json.
    """
    import json

    from .targets.json_model import schema as model_schema

    click.echo(json.dumps(model_schema(), ensure_ascii=False, indent=2))


def main(argv: list[str] | None = None) -> Any:
    """Entry point: no traceback ever reaches the user."""
    args = sys.argv[1:] if argv is None else argv
    try:
        return cli.main(args=args, prog_name="touchdsl", standalone_mode=True)
    except SystemExit:
        raise
    except BrokenPipeError:
        # The reader went away (`touchdsl check | head`): not an error of ours.
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        sys.exit(EXIT_OK)
    except KeyboardInterrupt:
        click.echo("touchdsl: interrupted", err=True)
        sys.exit(130)
    except BaseException as exc:  # noqa: BLE001 - the last line of defence
        inputs = " ".join(a for a in args if not a.startswith("-")) or "."
        click.echo(
            f"touchdsl: internal error ({type(exc).__name__}) while processing {inputs}. "
            f"Sorry - this is a bug in touchdsl {__version__}; please report it at {ISSUES_URL} "
            "with the command and, if you can, the input files.",
            err=True,
        )
        if os.environ.get("TOUCHDSL_DEBUG"):
            import traceback

            traceback.print_exc()
        sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":
    main()
