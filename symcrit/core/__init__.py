"""The bottom layer: errors, number systems, code generation, k and precision, solvers.

Nothing here knows about neural networks; every other layer builds on it.
"""
from .errors import (SymcritError, InputError, SpecError, ShapeError, SingularPointError,
                     ConvergenceError)
from .systems import (NumberSystem, FLOAT, MPMATH, SYMPY, ARB, SYSTEMS, get_system, workdps,
                      int_power)
from .codegen import compile_exprs
from .numbers import (K_MAX, MAX_EXP, DPS_MIN, DPS_MAX, K_RANGE_MAX, parse_value, parse_k,
                      exact_k, k_text, is_integer, as_mpf, fmt_k, k_json, k_key, dec,
                      float_text, guard_digits, working_dps, check_dps)
from .solvers import NewtonResult, newton, generalized_eigh

__all__ = ["SymcritError", "InputError", "SpecError", "ShapeError", "SingularPointError",
           "ConvergenceError", "NumberSystem", "FLOAT", "MPMATH", "SYMPY", "ARB", "SYSTEMS",
           "get_system", "workdps", "int_power", "compile_exprs", "K_MAX", "MAX_EXP",
           "DPS_MIN", "DPS_MAX", "K_RANGE_MAX", "parse_value", "parse_k", "exact_k", "k_text",
           "is_integer", "as_mpf", "fmt_k", "k_json", "k_key", "dec", "float_text",
           "guard_digits", "working_dps", "check_dps", "NewtonResult", "newton",
           "generalized_eigh"]
