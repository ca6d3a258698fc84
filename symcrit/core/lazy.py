"""Lazy package namespaces: a package lists its public names and the modules that define
them, and each module is imported on first use (PEP 562).  ``import symcrit`` and the
command line's start-up then load only what a command needs.

>>> getattr_, dir_, all_ = lazy_exports("symcrit.core", {"numbers": ["fmt_k"]})
>>> all_, getattr_("fmt_k")(12)
(['fmt_k'], '12')
"""
from __future__ import annotations

import importlib

__all__ = ["lazy_exports"]


def lazy_exports(package, exports):
    """``(__getattr__, __dir__, __all__)`` for a package whose public names are
    ``exports`` (module name relative to the package → list of names)."""
    where = {name: mod for mod, names in exports.items() for name in names}
    public = [name for names in exports.values() for name in names]

    def __getattr__(name):
        mod = where.get(name)
        if mod is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module = importlib.import_module(f"{package}.{mod}")
        value = getattr(module, name)
        setattr(importlib.import_module(package), name, value)   # later look-ups skip this
        return value

    def __dir__():
        return sorted(set(public) | set(exports))

    return __getattr__, __dir__, public
