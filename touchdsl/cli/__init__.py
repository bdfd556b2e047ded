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

from touchdsl import __version__
from touchdsl.cli.common import EXIT_INTERNAL, EXIT_OK

# Every command lives in its own module, loaded only when it runs (or `--help` lists
# it), so `touchdsl --version` imports nothing heavy.
# name -> (module, attribute, one-line help)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "check": ("touchdsl.cli.check", "check", "Check .touch files and report every problem found."),
    "build": ("touchdsl.cli.build", "build", "Check the project and build its outputs into a directory."),
    "explain": ("touchdsl.cli.explain", "explain", "Explain a diagnostic code such as TD202."),
    "schema": ("touchdsl.cli.schema", "schema", "Print the JSON Schema of the compiled model (or of measure.json)."),
    "measure": ("touchdsl.cli.measure", "measure", "Measure every promise and target from the event log."),
    "serve": ("touchdsl.cli.serve", "serve", "Follow the event log and expose it to Prometheus as the rules read it."),
    "fmt": ("touchdsl.tools.fmt", "command", "Format .touch files in the canonical layout."),
    "diff": ("touchdsl.tools.semdiff", "command", "Compare two versions of a project and classify each change."),
    "lsp": ("touchdsl.tools.lsp", "command", "Run the language server over stdio (for editors)."),
}


class _Group(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        import importlib

        module, attr, _ = COMMANDS[name]
        command: click.Command = getattr(importlib.import_module(module), attr)
        return command


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="touchdsl", message="%(prog)s %(version)s")
def cli() -> None:
    """Define, publish and monitor customer service promises written in .touch files."""


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
        from touchdsl.diagnostics import visible

        inputs = visible(" ".join(a for a in args if not a.startswith("-")) or ".")
        click.echo(
            f"touchdsl: internal error ({type(exc).__name__}) while processing {inputs}. "
            f"Sorry - this is a bug in touchdsl {__version__}. Please report it to whoever maintains "
            "touchdsl for you, with the command, the output of the same command run with "
            "TOUCHDSL_DEBUG=1 (it prints the traceback) and, if you can, the input files.",
            err=True,
        )
        if os.environ.get("TOUCHDSL_DEBUG"):
            import traceback

            traceback.print_exc()
        sys.exit(EXIT_INTERNAL)

