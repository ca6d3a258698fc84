"""The ``symcrit`` command.  Each subcommand lives in its own module of
:mod:`symcrit.cli` (``add_parser(subparsers)`` registers it, and sets ``func``).

Errors on bad input are one line on stderr with exit code 2; a computation that fails
(no convergence) is one line with exit code 1; never a traceback.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from ..core import InputError, SymcritError

# (module, required): modules are imported lazily so `symcrit --help` stays fast
COMMANDS = ["derive", "critical", "search", "report", "spectrum", "threshold",
            "isotypic", "certify", "series", "families", "train"]
EXTRA = {}


class _Parser(argparse.ArgumentParser):
    def error(self, message):           # one line, exit code 2
        sys.stderr.write(f"symcrit: error: {message}\n")
        raise SystemExit(2)


def build_parser():
    p = _Parser(prog="symcrit",
                description="Symmetry-based analysis of the loss landscape of two-layer ReLU "
                            "networks (teacher-student, Gaussian inputs).")
    from .. import __version__
    p.add_argument("--version", action="version", version=f"symcrit {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        try:
            mod = importlib.import_module(f"symcrit.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name and f"symcrit.cli.{name}".startswith(exc.name):
                continue
            raise
        mod.add_parser(sub)
    for name, modname in EXTRA.items():
        try:
            mod = importlib.import_module(modname)
        except ModuleNotFoundError as exc:
            # the optional module (or its package) is absent: the command is not offered
            if exc.name and modname.startswith(exc.name):
                continue
            raise
        mod.add_parser(sub)
    return p


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        rc = args.func(args)
    except InputError as exc:
        sys.stderr.write(f"symcrit {args.command}: error: {exc}\n")
        return 2
    except SymcritError as exc:
        sys.stderr.write(f"symcrit {args.command}: failed: {exc}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write(f"symcrit {args.command}: interrupted\n")
        return 130
    except BrokenPipeError:     # pragma: no cover - e.g. piped into head
        return 0
    return rc or 0


if __name__ == "__main__":   # pragma: no cover
    sys.exit(main())
