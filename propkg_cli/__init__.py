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


def build_parser() -> argparse.ArgumentParser:
    """Build the top-level parser with every available sub-command."""
    parser = argparse.ArgumentParser(
        prog="propkg",
        description="Hybrid thermodynamic property models for IDAES/Pyomo flowsheets.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in SUBCOMMAND_MODULES:
        importlib.import_module(module_name).add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``propkg`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 1
    try:
        return int(args.func(args) or 0)
    except PropkgError as exc:
        print(f"propkg {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
