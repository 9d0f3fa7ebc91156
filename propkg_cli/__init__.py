"""Command-line front end ``propkg``: the only place that ties propkg and idaes_plugin together.

Each sub-command lives in its own module exposing ``add_parser(subparsers)`` which
registers an ``argparse`` sub-parser whose ``func`` default takes the parsed arguments
and returns an exit code. Errors derived from :class:`propkg_contract.errors.PropkgError` are
printed as one line on stderr with exit code 2, never as a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from propkg_contract.errors import PropkgError

#: sub-command modules, in the order shown by ``propkg --help``
SUBCOMMAND_MODULES = (
    "propkg_cli.demo",
    "propkg_cli.validate",
    "propkg_cli.fit",
    "propkg_cli.info",
    "propkg_cli.mixture",
    "propkg_cli.data",
    "propkg_cli.screen",
    "propkg_cli.zoo",
    "propkg_cli.list",
)


class _OneLineErrorParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose usage errors are one line on stderr (exit code 2)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """Build the top-level parser with every available sub-command."""
    parser = _OneLineErrorParser(
        prog="propkg",
        description="Hybrid thermodynamic property models for IDAES/Pyomo flowsheets.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in SUBCOMMAND_MODULES:
        importlib.import_module(module_name).add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``propkg`` console script.

    Returns the exit code: 0 on success, 2 on a usage error or a :class:`PropkgError`
    (one line on stderr), 1 without a sub-command (the help is printed).
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2), already printed
        return int(exc.code or 0)
    if not getattr(args, "func", None):
        parser.print_help()
        return 1
    try:
        return int(args.func(args) or 0)
    except PropkgError as exc:
        message = " ".join(str(exc).split())  # one line, whatever the message holds
        print(f"propkg {args.command}: error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
