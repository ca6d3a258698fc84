"""Exceptions.  Everything a user can get wrong raises an :class:`InputError`, which the
command line turns into one line on stderr and exit code 2."""

__all__ = ["SymcritError", "InputError", "SpecError", "ShapeError", "SingularPointError",
           "ConvergenceError"]


class SymcritError(Exception):
    """Base class of symcrit's errors."""


class InputError(SymcritError, ValueError):
    """Bad input: a malformed spec, a value out of range, mismatched shapes."""


class SpecError(InputError):
    """A malformed isotropy spec or k range; the message says where and what."""


class ShapeError(InputError):
    """Shapes that do not fit together (W against the teacher, α, β, a template)."""


class SingularPointError(InputError):
    """The loss is not differentiable here (a zero row of W)."""


class ConvergenceError(SymcritError):
    """A refinement or continuation did not converge; the message says how far it got."""
