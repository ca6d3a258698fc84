"""Sphinx configuration of the symcrit documentation site.

Build it with ``sphinx-build -W -b html docs docs/_build/html`` (``pip install '.[docs]'``);
``tests/test_docs_site.py`` does the same, warnings as errors.  The guide pages are
Markdown (MyST), the API reference is autodoc + napoleon (numpydoc sections) over the
``__all__`` of each subpackage, and the notebooks are rendered with myst-nb without being
executed (``tests/test_notebooks.py`` executes them).
"""
from __future__ import annotations

import re

from symcrit.core.version import __version__

project = "symcrit"
author = "The symcrit developers"
copyright = "2026, The symcrit developers"   # noqa: A001 (Sphinx's name)
version = release = __version__               # written once, in symcrit/core/version.py

extensions = [
    "myst_nb",                 # Markdown (MyST) pages and the notebooks
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.autosummary",
]

source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "**/.ipynb_checkpoints", "**/__pycache__", "Thumbs.db",
                    ".DS_Store"]

# -- MyST and notebooks ------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
nb_execution_mode = "off"          # rendered as committed; tests/test_notebooks.py runs them

# -- API reference -----------------------------------------------------------------------
autodoc_default_options = {
    "members": True,
    "undoc-members": True,
    "member-order": "bysource",
    "show-inheritance": True,
}
autodoc_typehints = "signature"
autodoc_class_signature = "mixed"
autodoc_preserve_defaults = True
napoleon_google_docstring = False
napoleon_numpy_docstring = True
# numpydoc types are prose ("array_like, shape (k, d)", "list of [points, size]"): rendered
# as text, not split into tokens that Sphinx would try to link ("k" names a dozen attributes)
napoleon_use_param = False
napoleon_use_rtype = False
napoleon_use_keyword = False
# an Attributes section as fields of its class, not as a second description of the
# attributes that autodoc documents anyway (dataclass fields)
napoleon_use_ivar = True

# -- HTML --------------------------------------------------------------------------------
html_theme = "alabaster"
html_title = f"symcrit {release}"
html_static_path: list[str] = []


# -- API pages: generated from the packages' ``__all__``, so that they never drift --------
#: the packages of the API reference, lowest layer first (as in docs/api/index.md)
API_PACKAGES = ["core", "schemas", "algebra", "model", "symmetry", "restricted", "spectra",
                "critical", "transitions", "series", "certificates", "wider", "arcs", "finite",
                "landscape", "plotting"]


def _is_data(obj):
    import inspect

    return not (inspect.isclass(obj) or inspect.isroutine(obj) or inspect.ismodule(obj))


def _data_doc(package, name):
    """The ``#:`` comment (or docstring after the assignment) of a public constant, from
    the module of ``package`` that documents it ("" when none does)."""
    import importlib
    import pkgutil

    from sphinx.pycode import ModuleAnalyzer

    module = importlib.import_module(package)
    candidates = [package]
    if hasattr(module, "__path__"):
        candidates += [f"{package}.{m.name}" for m in pkgutil.iter_modules(module.__path__)]
    for candidate in candidates:
        try:
            docs = ModuleAnalyzer.for_module(candidate).find_attr_docs()
        except Exception:         # noqa: BLE001 (a module without source)
            continue
        if ("", name) in docs:
            return list(docs[("", name)])
    return []


def _own_data(package, name):
    """A constant documented (``#:``) in the package's own ``__init__``: automodule shows it
    already."""
    from sphinx.pycode import ModuleAnalyzer

    try:
        return ("", name) in ModuleAnalyzer.for_module(package).find_attr_docs()
    except Exception:             # noqa: BLE001 (a module without source)
        return False


def _rst_directives():
    from docutils import nodes
    from docutils.statemachine import StringList
    from sphinx.util.docutils import SphinxDirective

    class _Generated(SphinxDirective):
        def parse_lines(self, lines):
            node = nodes.container()
            self.state.nested_parse(StringList(lines, source=self.name),
                                    self.content_offset, node)
            return node.children

    class SymcritPackage(_Generated):
        """``.. symcrit-package:: symcrit.core``: the package's docstring, every class and
        function of its ``__all__`` (autodoc), then its public constants with their
        ``#:`` comments (autodoc skips constants imported into a package)."""

        required_arguments = 1

        def run(self):
            import importlib

            package = self.arguments[0]
            module = importlib.import_module(package)
            lines = [f".. automodule:: {package}", ""]
            # autodoc documents the constants of a plain module, not a package's
            data = [n for n in module.__all__ if _is_data(getattr(module, n))
                    and not _own_data(package, n)] if hasattr(module, "__path__") else []
            if data:
                lines += [".. rubric:: Constants", ""]
            for name in data:
                value = repr(getattr(module, name))
                lines += [f".. py:data:: {name}", f"   :module: {package}"]
                if len(value) <= 60 and "\n" not in value:
                    lines.append(f"   :value: {value}")
                lines += [""] + ["   " + line for line in _data_doc(package, name)] + [""]
            return self.parse_lines(lines)

    class SymcritNamespace(_Generated):
        """``.. symcrit-namespace::``: an autosummary table of every name of
        ``symcrit.__all__``, grouped by the subpackage that defines it."""

        def run(self):
            import importlib

            import symcrit

            lines = [".. currentmodule:: symcrit", ""]
            top, seen = set(symcrit.__all__) - {"__version__"}, set()
            for package in API_PACKAGES:
                module = importlib.import_module(f"symcrit.{package}")
                names = [n for n in module.__all__ if n in top and n not in seen]
                seen.update(names)
                if not names:
                    continue
                lines += [f".. rubric:: From :mod:`symcrit.{package}`", ""]
                # constants by name: autosummary would show the docstring of their type
                data = [n for n in names if _is_data(getattr(symcrit, n))]
                if data:
                    lines += ["Constants: " + ", ".join(f":data:`~{package}.{n}`"
                                                         for n in data) + ".", ""]
                lines += [".. autosummary::", ""]
                lines += [f"   ~{package}.{n}" for n in names if n not in data] + [""]
            if top - seen:
                raise ValueError(f"symcrit.__all__ names in no API package: {top - seen}")
            return self.parse_lines(lines)

    return {"symcrit-package": SymcritPackage, "symcrit-namespace": SymcritNamespace}


# -- docstring hooks (after napoleon, which runs at the default priority 500) ------------
_VARTYPE = re.compile(r"^(\s*:vartype [^:]+: )(.+)$")


def _plain_vartypes(app, what, name, obj, options, lines):
    """Attribute types as text, like parameter types (``napoleon_use_param = False``):
    Sphinx would otherwise link every word of ``list of [points, size]``."""
    for i, line in enumerate(lines):
        m = _VARTYPE.match(line)
        if m:
            lines[i] = m.group(1) + "*" + m.group(2).replace("*", r"\*") + "*"


#: packages whose docstrings may still write ``|x|`` as plain text (read by docutils as a
#: substitution reference): other engineers were finishing them when the site was set up;
#: the lead removes them from this list with tests/test_docstrings.py's ALLOWLIST
_PLAIN_PIPES = ("symcrit.wider", "symcrit.certificates")
_LITERAL = re.compile(r"(``.*?``|:[a-z:]+:`[^`]*`|`[^`]*`)")


def _escape_pipes(app, what, name, obj, options, lines):
    """``|x|`` in the prose of :data:`_PLAIN_PIPES` rendered as written (outside literals,
    roles, doctests and indented blocks)."""
    if not name.startswith(_PLAIN_PIPES):
        return
    block = None                          # indentation of a literal/directive block
    for i, line in enumerate(lines):
        indent = len(line) - len(line.lstrip())
        if block is not None and (not line.strip() or indent > block):
            continue
        block = None
        stripped = line.strip()
        if stripped.startswith((">>>", "...")):
            continue
        if stripped.endswith("::") or stripped.startswith(".. "):
            block = indent
        parts = _LITERAL.split(line)
        lines[i] = "".join(p if j % 2 else p.replace("|", r"\|") for j, p in enumerate(parts))


def _prose_attribute_docstring(self):
    """numpydoc reads an attribute's or property's docstring as prose; napoleon would read
    a first line such as ``The Morse index: the number of ...`` as Google's inline
    ``type: description`` and show "The Morse index" as the type."""
    return self.__class__(list(self._consume_to_end()), self._config).lines()


def setup(app):
    from sphinx.ext.napoleon.docstring import NumpyDocstring

    NumpyDocstring._parse_attribute_docstring = _prose_attribute_docstring
    for name, directive in _rst_directives().items():
        app.add_directive(name, directive)
    app.connect("autodoc-process-docstring", _plain_vartypes, priority=600)
    app.connect("autodoc-process-docstring", _escape_pipes, priority=600)
    return {"parallel_read_safe": True}
