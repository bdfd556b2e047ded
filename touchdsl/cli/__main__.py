"""`python -m touchdsl.cli`: the command line."""

from touchdsl.cli import main

main()
