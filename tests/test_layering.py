"""The architecture, checked: the import graph read with ``ast`` (every import, at module
level or inside a function) must follow the layers, have no cycle, never reach the command
line from the library, and never carry a private name from one module to another.

The layers, lowest first (a module may import its own package and the packages below)::

    core < algebra < model < symmetry < restricted < spectra < critical < transitions
         < series < certificates < wider, arcs, finite < landscape < plotting < cli

``symcrit/__init__.py`` (the public API, lazy) sits above everything but the command line;
``symcrit/__main__.py`` runs the command line.
"""
from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1] / "symcrit"

LAYERS = ["core", "schemas", "algebra", "model", "symmetry", "restricted", "spectra", "critical",
          "transitions", "series", "certificates", ("wider", "arcs", "finite"), "landscape",
          "plotting", "cli"]
RANK = {}
for i, names in enumerate(LAYERS):
    for name in (names if isinstance(names, tuple) else (names,)):
        RANK[name] = i
TOP = len(LAYERS)            # symcrit/__init__ and __main__

#: the most lines a module may have (one topic per module; documentation included)
MAX_LINES = 700

#: private-looking attributes that belong to other libraries' protocols (``printer._print``
#: is how sympy's printer hooks print a sub-expression)
FOREIGN_PROTOCOL = {"_mpf_", "_mpc_", "_sympy_", "_repr_latex_", "_latex", "_pretty",
                    "_sympystr", "_sympyrepr", "_print", "_asdict", "_fields", "_replace",
                    "_make"}


def module_name(path, root=ROOT):
    rel = path.relative_to(root.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def modules(root=ROOT):
    return {module_name(p, root): p for p in sorted(root.rglob("*.py"))}


def package_of(mod):
    parts = mod.split(".")
    return parts[1] if len(parts) > 1 else None


def rank(mod):
    pkg = package_of(mod)
    if pkg is None or pkg == "__main__":
        return TOP
    if pkg not in RANK:
        raise AssertionError(f"{mod}: the package {pkg!r} has no layer (add it to LAYERS)")
    return RANK[pkg]


def resolve(mod, is_pkg, node):
    """The absolute module an ImportFrom refers to."""
    if node.level == 0:
        return node.module or ""
    base = mod.split(".")
    if not is_pkg:
        base = base[:-1]
    base = base[:len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports(mods):
    """(importer, imported module, [names], line, written) for every symcrit import;
    ``written`` is the module as the import statement names it (for ``from package import
    submodule`` the imported module is the submodule)."""
    out = []
    for mod, path in mods.items():
        tree = ast.parse(path.read_text(), str(path))
        is_pkg = path.name == "__init__.py"
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.name == "symcrit" or a.name.startswith("symcrit."):
                        out.append((mod, a.name, [], node.lineno, a.name))
            elif isinstance(node, ast.ImportFrom):
                target = resolve(mod, is_pkg, node)
                if not (target == "symcrit" or target.startswith("symcrit.")):
                    continue
                names = [a.name for a in node.names]
                subs = [f"{target}.{n}" for n in names if f"{target}.{n}" in mods]
                if subs:                      # "from . import module"
                    out += [(mod, s, [], node.lineno, target) for s in subs]
                    names = [n for n in names if f"{target}.{n}" not in mods]
                if names:
                    out.append((mod, target, names, node.lineno, target))
    return out


def violations(root=ROOT):
    """Every breach of the rules, as readable lines (empty when the layout holds)."""
    mods = modules(root)
    bad = []
    graph = nx.DiGraph()
    graph.add_nodes_from(mods)
    for mod, target, names, line, written in imports(mods):
        where = f"{mod}:{line}"
        if target not in mods:
            bad.append(f"{where} imports {target}, which does not exist")
            continue
        if target != mod:
            graph.add_edge(mod, target)
        if package_of(target) == "cli" and package_of(mod) not in ("cli", "__main__"):
            bad.append(f"{where} imports the command line ({target})")
            continue
        if target == "symcrit" and package_of(mod) == "cli":
            continue                          # the command line uses the public API
        if rank(target) > rank(mod):
            bad.append(f"{where} imports {target} from a higher layer")
        for n in names:
            if n.startswith("_") and not n.startswith("__") and target != mod:
                bad.append(f"{where} imports the private name {n} from {target}")
        if package_of(mod) == "cli" and package_of(target) != "cli":
            if written.count(".") > 1:
                bad.append(f"{where}: the command line imports {written}; it may use only "
                           "the public API (symcrit or symcrit.<package>)")
    for cycle in nx.simple_cycles(graph):
        bad.append("import cycle: " + " -> ".join(cycle + cycle[:1]))
    return bad


def private_attributes(paths):
    """``obj._name`` with obj not self/cls (a private attribute read across objects)."""
    out = []
    for path in paths:
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Attribute):
                continue
            a = node.attr
            if not a.startswith("_") or a.startswith("__") or a in FOREIGN_PROTOCOL:
                continue
            if a.endswith("_") and a != "_":
                continue
            base = node.value
            if isinstance(base, ast.Name) and base.id in ("self", "cls"):
                continue
            out.append(f"{path.relative_to(ROOT.parent)}:{node.lineno} reads {a}")
    return out


def test_layers_cycles_and_private_imports():
    bad = violations()
    assert not bad, "\n".join(bad)


def test_no_private_attribute_crosses_an_object():
    paths = list(ROOT.rglob("*.py")) + list((ROOT.parent / "tests").glob("*.py"))
    bad = private_attributes(paths)
    assert not bad, "\n".join(bad)


def test_tests_use_public_names_only():
    bad = []
    for path in sorted((ROOT.parent / "tests").glob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("symcrit"):
                for a in node.names:
                    if a.name.startswith("_") and not a.name.startswith("__"):
                        bad.append(f"{path.name}:{node.lineno} imports {a.name}")
    assert not bad, "\n".join(bad)


def test_every_module_declares_all_and_is_small():
    bad = []
    for mod, path in modules().items():
        text = path.read_text()
        if mod.endswith("__main__"):
            continue
        if "__all__" not in text:
            bad.append(f"{mod} has no __all__")
        n = text.count("\n")
        if n > MAX_LINES:
            bad.append(f"{mod} has {n} lines (at most {MAX_LINES}: one topic per module)")
    assert not bad, "\n".join(bad)


def test_the_check_catches_an_upward_import(tmp_path):
    """The rules are not vacuous: an upward import added to a copy of the package fails."""
    import shutil
    copy = tmp_path / "symcrit"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns("__pycache__"))
    target = copy / "core" / "numbers.py"
    target.write_text(target.read_text() + "\nfrom ..critical import refine  # upward\n")
    bad = violations(copy)
    assert any("core.numbers" in b and "higher layer" in b for b in bad), bad
    cli = copy / "model" / "kernel.py"
    cli.write_text(cli.read_text() + "\n\ndef f():\n    from ..cli import main\n")
    bad = violations(copy)
    assert any("imports the command line" in b for b in bad), bad


@pytest.mark.parametrize("name", sorted(n for n in RANK if (ROOT / n).is_dir()))
def test_every_package_has_a_public_api(name):
    text = (ROOT / name / "__init__.py").read_text()
    assert "__all__" in text, f"symcrit.{name} has no __all__"
