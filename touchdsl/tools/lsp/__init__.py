"""`touchdsl lsp`: the language server for `.touch` files (pygls, over stdio).

- `server`: the server, its features and the `lsp` command;
- `analysis`: one compilation of a project (through the compiler's one entry) and its maps;
- `hover`, `completion`, `symbols`, `fixes`, `formatting`: one feature each;
- `positions`: lines and positions as the parser counts them;
- `protocol`: malformed messages answered, never a traceback.
"""

from touchdsl.tools.lsp.server import command, create_server

__all__ = ["command", "create_server"]
