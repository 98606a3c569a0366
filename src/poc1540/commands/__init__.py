"""One module per ``poc1540`` subcommand: ``add_arguments(parser)`` and ``main(args) -> int``.

A module imports only argparse and ``poc1540.core.paths`` at the top, so building the parser is
cheap; the work (and the heavy imports) happen in ``main``. A DVC stage depends on the command
module it runs and on the families that module imports, nothing more.
"""
