"""`python -m touchdsl`: the command line."""

from touchdsl.cli import main

main()
