"""From files to the validated model: sources and imports, names, semantic checks.

`driver.compile_project` is the one entry point every command (check, build, fmt,
diff, the language server) compiles through.
"""
