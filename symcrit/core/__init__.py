"""The bottom layer: errors (:mod:`.errors`), number systems (:mod:`.systems`), code
generation (:mod:`.codegen`), k and precision (:mod:`.numbers`), solvers (:mod:`.solvers`).

Nothing here knows about neural networks; every other layer builds on it.  Names are
imported on first use, so that the errors can be had without loading sympy (the command
line's start-up).
"""
from __future__ import annotations

import importlib

_EXPORTS = {
    "errors": ["SymcritError", "InputError", "SpecError", "ShapeError", "SingularPointError",
               "ConvergenceError"],
    "systems": ["NumberSystem", "FLOAT", "MPMATH", "SYMPY", "ARB", "SYSTEMS", "get_system",
                "workdps", "int_power"],
    "codegen": ["compile_exprs"],
    "numbers": ["K_MAX", "MAX_EXP", "DPS_MIN", "DPS_MAX", "K_RANGE_MAX", "parse_value",
                "parse_k", "exact_k", "k_text", "is_integer", "as_mpf", "fmt_k", "k_json",
                "k_key", "dec", "float_text", "guard_digits", "working_dps", "check_dps"],
    "solvers": ["NewtonResult", "newton", "generalized_eigh"],
}
_WHERE = {name: mod for mod, names in _EXPORTS.items() for name in names}

__all__ = [name for names in _EXPORTS.values() for name in names]


def __getattr__(name):
    mod = _WHERE.get(name)
    if mod is None:
        raise AttributeError(f"module 'symcrit.core' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{mod}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
