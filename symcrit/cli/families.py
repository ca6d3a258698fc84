"""``symcrit families [add NAME ISOTROPY --k K --seed X,Y,...]``: list or add families."""
from __future__ import annotations

from ..critical import list_families, register_family, user_catalogue_path
from ..core import InputError, parse_value
from .common import emit_json

__all__ = ["add_parser", "run"]


def add_parser(sub):
    """Register ``symcrit families`` (its options and help) on the subcommand parsers
    ``sub``; the parser's ``func`` is :func:`run`."""
    from . import HELP, command_parser
    p = command_parser(
        sub, "families", HELP["families"],
        examples=['symcrit families',
                  'symcrit families --k 20 --json',
                  "symcrit families add my-A 'ΔS_{k-1}' --k 12 --seed 1.0047,-0.0107,0.1525,0.1048,-0.7307"],
        description="List the catalogue of families (built-in and user), or "
                    "add a family: an isotropy and a seed point at one k. "
                    "User families are stored in $SYMCRIT_FAMILIES or "
                    "~/.config/symcrit/families.json and work in every "
                    "command.")
    p.add_argument("action", nargs="?", choices=["list", "add"], default="list",
                   help="list the catalogue, or add a family to the user catalogue")
    p.add_argument("name", nargs="?", help="(add) the new family's name")
    p.add_argument("isotropy", nargs="?", help="(add) its isotropy spec")
    p.add_argument("--k", help="(add) the k of the seed")
    p.add_argument("--seed", help="(add) the seed parameters, comma-separated decimals")
    p.add_argument("--description", default="", help="(add) a description")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)
    return p


def run(args):
    """Run ``symcrit families`` with the parsed arguments ``args``; the return value is the
    exit code (None for 0)."""
    if args.action == "add":
        if not (args.name and args.isotropy and args.k and args.seed):
            raise InputError("families add needs NAME ISOTROPY --k K --seed X,Y,...")
        seed = [s.strip() for s in args.seed.split(",")]
        for s in seed:
            parse_value(s.lstrip("-"), args.seed)      # decimals only, never evaluated
        k = parse_value(args.k)
        fam = register_family(args.name, args.isotropy, k, seed, args.description, save=True)
        print(f"added {fam.name} ({fam.isotropy}) to {user_catalogue_path()}")
        return 0
    fams = list_families()
    if args.json:
        emit_json("families", {"families": [f.to_json() for f in fams]})
        return 0
    for f in fams:
        tag = "" if f.builtin else "  [user]"
        print(f"{f.name:10s} {f.isotropy:16s} {f.k_range}\n{'':10s} "
              f"{f.description or '(no description)'}{tag}")
    return 0
