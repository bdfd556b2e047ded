"""Tools around the language: the formatter, the semantic diff, the language server
and the Pygments lexer. Each compiles through `touchdsl.compiler.driver`.
"""
