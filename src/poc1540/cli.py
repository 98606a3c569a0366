"""The ``poc1540`` command: the steps DVC runs, and the checks people run by hand.

Each subcommand is a module in :mod:`poc1540.commands`. A :class:`poc1540.errors.UserError`
(bad data, bad parameters, a failing notebook, a render error) ends in a plain message on
stderr and exit status 1; any other exception is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from poc1540.errors import UserError

# Subcommand -> module under poc1540.commands (imported by name so that a stage's code
# dependencies are its own command module, not every command's).
COMMANDS = {
    "validate": "validate",
    "execute": "execute",
    "protect": "protect",
    "findings": "findings",
    "render": "render",
    "export-notebooks": "export_notebooks",
    "guard": "guard",
    "import": "import_",
    "verify": "verify",
    "diff": "diff",
    "generate": "generate",
    "preview": "preview",
}


def command_module(name: str):
    """The module that implements subcommand ``name``."""
    return importlib.import_module(f"poc1540.commands.{COMMANDS[name]}")


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface (also used by the tests)."""
    parser = argparse.ArgumentParser(prog="poc1540", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        module = command_module(name)
        p = sub.add_parser(name, help=module.HELP, description=module.__doc__)
        module.add_arguments(p)
        p.set_defaults(func=module.main)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except UserError as exc:
        print(f"poc1540 {args.command}: {exc}", file=sys.stderr)
        return 1
    except FileNotFoundError as exc:
        # a file named on the command line or in a params file that is not there
        print(f"poc1540 {args.command}: no such file: {exc.filename}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
