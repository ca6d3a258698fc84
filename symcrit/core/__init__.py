"""The bottom layer: errors (:mod:`.errors`), number systems (:mod:`.systems`), code
generation (:mod:`.codegen`, and straight-line code traced from a formula:
:mod:`.tracing`), k and precision (:mod:`.numbers`), solvers (:mod:`.solvers`),
the disk cache of derived objects (:mod:`.cache`), process pools that stop on Ctrl-C
(:mod:`.parallel`), safe file reading and writing
(:mod:`.files`) and the version (:mod:`.version`).

Nothing here knows about neural networks; every other layer builds on it.  Names are
imported on first use, so that the errors can be had without loading sympy (the command
line's start-up).
"""
from __future__ import annotations

from .lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "errors": ["SymcritError", "InputError", "SpecError", "ShapeError", "SingularPointError",
               "ConvergenceError"],
    "systems": ["NumberSystem", "ElementSystem", "FLOAT", "MPMATH", "SYMPY", "ARB", "SYSTEMS", "get_system",
                "workdps", "int_power"],
    "codegen": ["compile_exprs", "compile_source"],
    "tracing": ["TraceError", "Traced", "TracingSystem", "trace_straight_line"],
    "numbers": ["K_MAX", "MAX_EXP", "DPS_MIN", "DPS_MAX", "K_RANGE_MAX", "parse_value",
                "parse_k", "exact_k", "k_text", "is_integer", "as_mpf", "fmt_k", "k_json",
                "k_key", "dec", "float_text", "is_decimal", "guard_digits", "working_dps", "check_dps"],
    "solvers": ["NewtonResult", "newton", "generalized_eigh", "lagrange_weights"],
    "cache": ["cache_dir"],
    "parallel": ["default_workers", "parallel_map"],
    "latex": ["LatexError", "SympyConvertible", "PACKAGES", "sympy_latex", "latex_number",
              "latex_text", "latex_math_text", "latex_table", "latex_array", "latex_summary",
              "latex_document", "latex_group", "latex_width", "latex_lines", "latex_equation",
              "latex_engine", "compile_latex"],
    "files": ["MAX_JSON_FILE", "check_writable", "read_json", "write_text_atomic"],
    "lazy": ["lazy_exports"],
    "version": ["__version__"],
})
