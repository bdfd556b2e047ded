"""`python -m touchdsl.tools.lsp`: the language server over stdio."""

from touchdsl.tools.lsp.server import command

command()
