r"""The JSON documents symcrit writes, and their JSON Schemas (draft 2020-12).

Every ``--json`` output of the command line, and every file it writes for a later run to
read (certificates, all-k proofs), is one JSON object that says what it is::

    {"format": "symcrit.<kind>", "version": N, ...}

``kind`` names the document (``critical``, ``certificates``, ``series``, …: see
:func:`kinds`), and ``version`` is raised whenever a key changes meaning or disappears.
The same conventions hold in every kind:

* numbers are decimal strings (at the precision asked for; never floats that lose digits),
  and ``k`` is always a decimal string (``"7"``, ``"7.3"``, ``"1000000000000"``);
* ``parameters`` is always an object from the parameter's name to its value;
* the multiplicity of an eigenvalue is ``multiplicity`` (its value at k) and
  ``multiplicity_in_k`` (the polynomial in k);
* a command that takes one k or a range of k gives the same shape for both: a list under one
  key (``points``, ``spectra``, ``thresholds``, ``certificates``, ``arcs``).

The schema of each kind ships with the package (``symcrit/schemas/<kind>.json``, with the
shared definitions in ``defs.json``); :func:`schema` loads one, :func:`validate` checks a
document against the schema its ``format`` names (it needs ``jsonschema``, which the
``test`` extra installs).  The schemas refer to each other by their ``$id``
(``urn:symcrit:schema:<kind>``); :func:`registry` holds them all for a validator.

Older files keep working where users keep them: :data:`LEGACY_FORMATS` lists the formats
that came before this convention, which ``symcrit certify --verify`` still reads.

>>> doc = document("families", {"families": []})
>>> doc
{'format': 'symcrit.families', 'version': 1, 'families': []}
>>> kind_of(doc), version("certificate")
('families', 2)
>>> validate(doc)
>>> validate({"format": "symcrit.families", "version": 1, "families": [7]})
Traceback (most recent call last):
    ...
symcrit.core.errors.InputError: not a valid symcrit.families document: at /families/0: 7 is not of type 'object'
"""
from __future__ import annotations

import copy
import json
from functools import lru_cache
from importlib import resources
from typing import Any

from ..core import InputError

__all__ = ["PREFIX", "LEGACY_FORMATS", "kinds", "schema", "version", "format_name",
           "document", "kind_of", "read_format", "registry", "validate"]

#: the prefix of every format tag: ``symcrit.<kind>``
PREFIX = "symcrit."

#: format tags written before the JSON convention, and the kind and version that replace
#: them (``symcrit certify --verify`` reads both)
LEGACY_FORMATS = {"symcrit-certificate/1": ("certificate", 1),
                  "symcrit-allk/1": ("allk", 1)}

_DEFS = "defs"


@lru_cache(maxsize=None)
def _load(name: str) -> dict[str, Any]:
    try:
        text = resources.files(__name__).joinpath(f"{name}.json").read_text(encoding="utf-8")
    except (FileNotFoundError, OSError):
        raise InputError(f"no schema for the kind {name!r} (known: "
                         f"{', '.join(kinds())})") from None
    return json.loads(text)


@lru_cache(maxsize=None)
def _kinds() -> tuple[str, ...]:
    names = [p.name[:-5] for p in resources.files(__name__).iterdir()
             if p.name.endswith(".json")]
    return tuple(sorted(n for n in names if n != _DEFS))


def kinds() -> list[str]:
    """The kinds of document symcrit writes, each with a schema (sorted by name).

    >>> "critical" in kinds() and "certificate" in kinds()
    True
    """
    return list(_kinds())


def schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of ``kind`` (a fresh copy; ``"defs"`` gives the shared definitions).

    Raises
    ------
    InputError
        An unknown kind.

    >>> s = schema("critical")
    >>> s["$schema"], s["$id"]
    ('https://json-schema.org/draft/2020-12/schema', 'urn:symcrit:schema:critical')
    """
    if kind != _DEFS and kind not in _kinds():
        raise InputError(f"no schema for the kind {kind!r} (known: {', '.join(kinds())})")
    return copy.deepcopy(_load(kind))


def version(kind: str) -> int:
    """The current version of ``kind`` (the ``const`` of its schema's ``version``)."""
    if kind not in _kinds():                        # an unknown kind: one clear error
        schema(kind)
    return int(_load(kind)["properties"]["version"]["const"])


def format_name(kind: str) -> str:
    """The format tag of ``kind``: ``symcrit.<kind>``."""
    return PREFIX + kind


def document(kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    """A document of ``kind``: ``format`` and ``version`` first, then ``fields``.

    Parameters
    ----------
    kind : str
        One of :func:`kinds`.
    fields : dict
        The content (its own ``format`` or ``version``, if any, are replaced).

    Returns
    -------
    dict
    """
    head = {"format": format_name(kind), "version": version(kind)}
    return head | {key: v for key, v in fields.items() if key not in head}


def kind_of(doc: Any) -> str | None:
    """The kind a document says it is (legacy tags map to their successor's kind), or None
    when it names no symcrit format."""
    if not isinstance(doc, dict) or not isinstance(doc.get("format"), str):
        return None
    tag = doc["format"]
    if tag in LEGACY_FORMATS:
        return LEGACY_FORMATS[tag][0]
    if tag.startswith(PREFIX) and tag[len(PREFIX):] in _kinds():
        return tag[len(PREFIX):]
    return None


def read_format(doc: Any, kind: str, what: str | None = None) -> int:
    """The version of a document that must be of ``kind`` (a legacy tag of that kind counts,
    as its version; a document without a ``format`` is taken for the oldest version).

    Raises
    ------
    InputError
        Another kind, or a version newer than this symcrit reads.

    >>> read_format({"format": "symcrit-certificate/1"}, "certificate")
    1
    >>> read_format({"format": "symcrit.certificate", "version": 9}, "certificate")
    Traceback (most recent call last):
        ...
    symcrit.core.errors.InputError: certificate: version 9 of symcrit.certificate is newer than this symcrit reads (2); update symcrit
    """
    what = what or kind
    if not isinstance(doc, dict):
        raise InputError(f"not a symcrit {what} (expected a JSON object)")
    tag = doc.get("format")
    if tag is None:
        return 1
    if tag in LEGACY_FORMATS:
        legacy_kind, legacy_version = LEGACY_FORMATS[tag]
        if legacy_kind == kind:
            return legacy_version
    elif tag == format_name(kind):
        v = doc.get("version")
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise InputError(f"{what}: bad version {v!r} of {tag}")
        if v > version(kind):
            raise InputError(f"{what}: version {v} of {tag} is newer than this symcrit reads "
                             f"({version(kind)}); update symcrit")
        return v
    raise InputError(f"not a symcrit {what} (format {str(tag)[:60]!r})")


def registry() -> Any:
    """Every schema in a :class:`referencing.Registry`, by its ``$id`` (what a
    ``jsonschema`` validator needs to follow the references between them)."""
    try:
        from referencing import Registry, Resource
    except ImportError:   # pragma: no cover
        raise InputError("validation needs jsonschema: pip install 'symcrit[test]'") \
            from None
    pairs = [(s["$id"], Resource.from_contents(s))
             for s in (schema(n) for n in [_DEFS, *_kinds()])]
    return Registry().with_resources(pairs)


def validate(doc: Any, kind: str | None = None) -> None:
    """Check ``doc`` against the schema of ``kind`` (default: the kind its ``format``
    names); returns None when it is valid.

    Raises
    ------
    InputError
        The document does not name a known format, or does not match its schema (the first
        error, with its place in the document as a JSON pointer).
    """
    kind = kind or kind_of(doc)
    if kind is None:
        raise InputError("not a symcrit document (no known 'format')")
    try:
        import jsonschema
    except ImportError:   # pragma: no cover
        raise InputError("validation needs jsonschema: pip install 'symcrit[test]'") \
            from None
    validator = jsonschema.Draft202012Validator(schema(kind), registry=registry())
    err = jsonschema.exceptions.best_match(validator.iter_errors(doc))
    if err is not None:
        where = "/" + "/".join(str(p) for p in err.absolute_path)
        message = err.message if len(err.message) <= 300 else err.message[:297] + "..."
        raise InputError(f"not a valid {format_name(kind)} document: at {where}: {message}")
