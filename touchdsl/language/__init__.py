"""The touch language: its grammar, the syntax tree with positions, and the parser.

Source text goes in, an `ast.File` and syntax diagnostics come out. Nothing here
knows about projects, imports or meaning; that is `touchdsl.compiler`.
"""
