"""The ``symcrit`` command.  Each subcommand lives in its own module of :mod:`symcrit.cli`
(``add_parser(subparsers)`` registers it and sets ``func``); only the module of the
command being run is imported, so ``symcrit --help`` does not load the library.

The command line uses the public API only (``symcrit`` and ``symcrit.<package>``), and
nothing in the library imports it.  Errors on bad input are one line on stderr with exit
code 2; a computation that fails (no convergence) is one line with exit code 1; an
interrupt exits with 130; never a traceback.

``-q``/``--quiet`` and ``-v``/``--verbose`` (before or after the command) set the level of
the library's :mod:`logging` messages on stderr: warnings only by default, INFO with
``-v``, DEBUG with ``-vv``, errors only with ``-q`` (which also hides progress bars).
Every command's help shows the default of each option and ends with examples
(:func:`command_parser`).
"""
from __future__ import annotations

import argparse
import importlib
import logging
import re
import sys
import textwrap

__all__ = ["HELP", "HelpFormatter", "build_parser", "command_parser", "help_text", "main"]

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


def help_text(action):
    """The help of an option as ``--help`` shows it: its text with its default appended
    (unless the text already says it): ``(default: 30)``, ``(default: off)`` for a flag,
    ``(default: none)``; a required argument or option shows its text alone.

    >>> import argparse
    >>> help_text(argparse.ArgumentParser().add_argument("--dps", type=int, default=30,
    ...                                                   help="digits"))
    'digits (default: %(default)s)'
    """
    text = action.help or ""
    if action.default is argparse.SUPPRESS or "default" in text.lower():
        return text
    if action.required or (not action.option_strings and action.nargs not in ("?", "*")):
        return text                           # a required argument or option
    if action.nargs == 0:                     # a flag
        return text if action.default else f"{text} (default: off)"
    if action.default is None:
        return f"{text} (default: none)"
    return f"{text} (default: %(default)s)"


class HelpFormatter(argparse.HelpFormatter):
    """Help that shows every option's default (:func:`help_text`) and keeps the lines of an
    epilog that start with spaces (the examples) as they are written."""

    def _get_help_string(self, action):       # argparse's hook
        return help_text(action)

    def _fill_text(self, text, width, indent):
        return "\n".join(indent + line if not line.strip() or line.startswith(" ")
                         else textwrap.fill(" ".join(line.split()), width,
                                            initial_indent=indent, subsequent_indent=indent)
                         for line in text.split("\n"))


def _verbosity(parser, suppress=False):
    """``-q``/``--quiet`` and ``-v``/``--verbose`` on ``parser`` (on a command's own parser
    with defaults suppressed, so that they do not undo the same options given before the
    command)."""
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("-q", "--quiet", action="store_true",
                        default=default if suppress else False,
                        help="errors only: no progress bars, no warnings")
    parser.add_argument("-v", "--verbose", action="count",
                        default=default if suppress else 0,
                        help="log what the library does: -v INFO, -vv DEBUG")


def command_parser(sub, name, help, description, examples=()):
    """The parser of the command ``name`` on the subcommand parsers ``sub``: its one-line
    ``help``, its ``description``, the global ``-q``/``-v`` options, defaults shown by
    :class:`HelpFormatter`, and an epilog with ``examples`` (command lines)."""
    epilog = ("examples:\n" + "\n".join(f"  {e}" for e in examples)) if examples else None
    p = sub.add_parser(name, help=help, description=description, epilog=epilog,
                       formatter_class=HelpFormatter)
    _verbosity(p, suppress=True)
    return p


class _Parser(argparse.ArgumentParser):
    """symcrit's argument parser: one-line errors, and :attr:`options`, every argument added
    (argparse keeps them only in private attributes)."""

    def __init__(self, *args, **kwargs):
        #: the actions of the arguments added, in order (the help option included)
        self.options = []
        #: the parsers of the commands built in full, by name (:func:`build_parser`)
        self.commands = {}
        super().__init__(*args, **kwargs)

    def add_argument(self, *args, **kwargs):
        action = super().add_argument(*args, **kwargs)
        self.options.append(action)
        return action

    def error(self, message):           # one line, exit code 2
        sys.stderr.write(f"symcrit: error: {message}\n")
        raise SystemExit(2)

    def allow_dash_values(self):
        """Read arguments such as ``-1/2`` or ``-32/(3*pi^4)`` as values, not options
        (argparse takes only ``-1`` and ``-1.5`` as negative numbers): every argument that
        starts with a single dash and is not one of this parser's options (it has no
        single-dash options but ``-h``, ``-q`` and ``-v``).  Returns the parser."""
        self._negative_number_matcher = re.compile(r"^-(?!-)(?!(h|q|v+)$).")
        return self


def build_parser(command=None):
    """The argument parser; the full parser of ``command`` only (the others are listed
    with their one-line help), so that building it imports one command module at most."""
    from .. import __version__
    p = _Parser(prog="symcrit",
                description="Symmetry-based analysis of the loss landscape of two-layer ReLU "
                            "networks (teacher-student, Gaussian inputs).",
                epilog="examples:\n  symcrit report\n  symcrit spectrum type-A --k 6:20 "
                       "--plot spectrum.pdf\n  symcrit certify type-A --k 6:20\n"
                       "  symcrit COMMAND --help",
                formatter_class=HelpFormatter)
    p.add_argument("--version", action="version", version=f"symcrit {__version__}")
    _verbosity(p)
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, text in HELP.items():
        if name == command:
            p.commands[name] = importlib.import_module(f"{__name__}.{name}").add_parser(sub)
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


class _LogHandler(logging.Handler):
    """Log records as lines on stderr that do not tear a progress bar (tqdm.write)."""

    def emit(self, record):
        try:
            from tqdm import tqdm
            tqdm.write(self.format(record), file=sys.stderr)
        except Exception:          # noqa: BLE001 (logging must never fail)
            self.handleError(record)


def _configure_logging(args):
    """The level of the ``symcrit`` loggers from ``-q``/``-v``; returns what
    :func:`_restore_logging` needs to undo it when the command ends (so that repeated calls
    of :func:`main` do not stack handlers)."""
    verbose, quiet = getattr(args, "verbose", 0) or 0, getattr(args, "quiet", False)
    level = (logging.ERROR if quiet else logging.WARNING if not verbose
             else logging.INFO if verbose == 1 else logging.DEBUG)
    handler = _LogHandler()
    handler.setFormatter(logging.Formatter(
        "symcrit: %(levelname)s: %(message)s" if verbose < 2 else
        "symcrit: %(relativeCreated)8.0f ms %(name)s: %(message)s"))
    logger = logging.getLogger("symcrit")
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(level)
    return handler, previous


def _restore_logging(state):
    if state is not None:
        handler, previous = state
        logger = logging.getLogger("symcrit")
        logger.removeHandler(handler)
        logger.setLevel(previous)


def main(argv=None):
    """Run the command line (``argv``: the arguments, default ``sys.argv[1:]``); returns
    the exit code."""
    import warnings
    argv = _join_negative_values(sys.argv[1:] if argv is None else list(argv))
    warnings.showwarning = _one_line_warning
    logging_state = None
    try:
        from ..core import InputError, SymcritError
        parser = build_parser(_command(argv))
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return 2
        logging_state = _configure_logging(args)
        try:
            with warnings.catch_warnings():
                if args.quiet:
                    warnings.simplefilter("ignore")
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
    finally:
        _restore_logging(logging_state)
    return rc or 0


if __name__ == "__main__":   # pragma: no cover
    sys.exit(main())
