"""The ``symcrit`` command.  Each subcommand lives in its own module of :mod:`symcrit.cli`
(``add_parser(subparsers)`` registers it and sets ``func``); only the module of the
command being run is imported, so ``symcrit --help`` does not load the library.

The command line uses the public API only (``symcrit`` and ``symcrit.<package>``), and
nothing in the library imports it.  Errors on bad input are one line on stderr with exit
code 2; a computation that fails (no convergence) is one line with exit code 1; an
interrupt exits with 130; never a traceback.
"""
from __future__ import annotations

import argparse
import importlib
import re
import sys

__all__ = ["HELP", "build_parser", "main"]

#: the subcommands, in the order of ``symcrit --help``, with their one-line help
HELP = {
    "derive": "fixed space and restricted loss of an isotropy group",
    "critical": "a family's critical point at k (value or range)",
    "search": "all critical points found in Fix(H) at one k",
    "report": "the main job: a family over k = 6..20 and large k",
    "spectrum": "Hessian spectrum of a family by isotypic blocks",
    "threshold": "real k where a family turns saddle -> minimum",
    "isotypic": "isotypic decomposition of M(k,k) under H",
    "certify": "rigorous certificates: critical point exists, minimum or saddle",
    "series": "series in k^(-1/2) of a family (coordinates, loss, eigenvalues)",
    "embed": "a critical point embedded into a wider student: split or zero neuron",
    "annihilation": "do spurious minima survive 0, 1, 2 extra neurons? (table)",
    "families": "list the families, or add your own",
    "train": "training ensemble and the isotropy of what it finds",
    "stationary": "finite data: d-/Clarke stationarity, escape neurons, certificate, embed",
    "dynamics": "finite data: GD from vanishing init, plateaus and their exact losses",
    "arcs": "tangency arcs: m(r) on spheres around a minimum, r*, hidden vs detectable",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message):           # one line, exit code 2
        sys.stderr.write(f"symcrit: error: {message}\n")
        raise SystemExit(2)

    def allow_dash_values(self):
        """Read arguments such as ``-1/2`` or ``-32/(3*pi^4)`` as values, not options
        (argparse takes only ``-1`` and ``-1.5`` as negative numbers): every argument that
        starts with a single dash and is not one of this parser's options (it has no
        single-dash option but ``-h``).  Returns the parser."""
        self._negative_number_matcher = re.compile(r"^-(?!-)(?!h$).")
        return self


def build_parser(command=None):
    """The argument parser; the full parser of ``command`` only (the others are listed
    with their one-line help), so that building it imports one command module at most."""
    from .. import __version__
    p = _Parser(prog="symcrit",
                description="Symmetry-based analysis of the loss landscape of two-layer ReLU "
                            "networks (teacher-student, Gaussian inputs).")
    p.add_argument("--version", action="version", version=f"symcrit {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, text in HELP.items():
        if name == command:
            importlib.import_module(f"{__name__}.{name}").add_parser(sub)
        else:
            sub.add_parser(name, help=text, add_help=False)
    return p


_NEGATIVE = re.compile(r"^-(\d|\.\d)")


def _join_negative_values(argv):
    """``--opt -0.8,0.1`` as ``--opt=-0.8,0.1``: argparse takes a value starting with '-'
    for an option unless it is a plain negative number."""
    out, i = [], 0
    while i < len(argv):
        a = argv[i]
        if (a.startswith("--") and "=" not in a and i + 1 < len(argv)
                and _NEGATIVE.match(argv[i + 1])):
            out.append(f"{a}={argv[i + 1]}")
            i += 2
            continue
        out.append(a)
        i += 1
    return out


def _command(argv):
    for a in argv:
        if a in HELP:
            return a
        if not a.startswith("-"):
            return None
    return None


def _one_line_warning(message, category, filename, lineno, file=None, line=None):
    sys.stderr.write(f"symcrit: warning: {message}\n")


def main(argv=None):
    """Run the command line (``argv``: the arguments, default ``sys.argv[1:]``); returns
    the exit code."""
    import warnings
    argv = _join_negative_values(sys.argv[1:] if argv is None else list(argv))
    warnings.showwarning = _one_line_warning
    try:
        from ..core import InputError, SymcritError
        parser = build_parser(_command(argv))
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
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
        sys.stderr.write("symcrit: interrupted\n")
        return 130
    except BrokenPipeError:     # pragma: no cover - e.g. piped into head
        return 0
    return rc or 0


if __name__ == "__main__":   # pragma: no cover
    sys.exit(main())
