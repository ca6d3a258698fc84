"""A disk cache for derived objects (compiled restricted losses), shared by processes.

Deriving :math:`L_H` with sympy and compiling it takes a good fraction of a second per
group; every command would pay it again.  Derived data is stored as JSON under the user's
cache directory (``$SYMCRIT_CACHE``, else ``$XDG_CACHE_HOME/symcrit``, else
``~/.cache/symcrit``), one file per key, in a sub-directory named after the package version
(a new version never reads an old derivation).

* **Concurrent processes**: a file is written to a temporary name in the same directory and
  moved into place with :func:`os.replace` (atomic on POSIX), so a reader sees either no file
  or a whole one; two processes deriving the same key at once both write the same content.
* **Corruption**: every file carries the SHA-256 of its payload; a file that does not parse,
  has another format or a wrong checksum is ignored (and replaced by the next write).
* **Stale entries**: keys include a :func:`fingerprint` of the source files of the code
  that derives the object, so an edited derivation is never served from an old file.
* ``SYMCRIT_CACHE=off`` disables the cache; an unwritable directory silently does too (the
  derivation is then done in memory, as without a cache).

>>> import os, tempfile
>>> before = os.environ.get("SYMCRIT_CACHE")
>>> os.environ["SYMCRIT_CACHE"] = tempfile.mkdtemp()
>>> store("demo", {"x": [1, 2]}); load("demo")
{'x': [1, 2]}
>>> if before is None:
...     del os.environ["SYMCRIT_CACHE"]
... else:
...     os.environ["SYMCRIT_CACHE"] = before
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

from .files import write_text_atomic
from .version import __version__

__all__ = ["cache_dir", "load", "store", "fingerprint"]

log = logging.getLogger(__name__)

_FORMAT = "symcrit-cache/1"


def cache_dir():
    """The cache directory of this package version, or None when the cache is off."""
    root = os.environ.get("SYMCRIT_CACHE")
    if root is not None and root.strip().lower() in ("off", "0", "no", "false", ""):
        return None
    if not root:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        root = str(Path(base) / "symcrit")
    return Path(root) / __version__


def fingerprint(*modules):
    """A digest of the source files of the given modules: part of a key, so that a
    derivation cached by an older version of the code that made it is never read."""
    h = hashlib.sha256()
    for m in modules:
        try:
            h.update(Path(m.__file__).read_bytes())
        except (OSError, AttributeError, TypeError):
            h.update(repr(m).encode())
    return h.hexdigest()[:16]


def _path(key):
    d = cache_dir()
    if d is None:
        return None
    name = hashlib.sha256(key.encode()).hexdigest()[:32]
    return d / f"{name}.json"


def _digest(payload):
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def load(key):
    """The payload stored under ``key``, or None (absent, corrupt, or the cache is off)."""
    path = _path(key)
    if path is None:
        return None
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except FileNotFoundError:
        log.debug("cache miss: %s", key)
        return None
    except (OSError, ValueError, RecursionError) as exc:
        log.info("cache entry %s unreadable (%s): rebuilt", path, exc)
        return None
    if (not isinstance(data, dict) or data.get("format") != _FORMAT
            or data.get("key") != key or "payload" not in data
            or data.get("sha256") != _digest(data["payload"])):
        log.info("cache entry %s corrupt or foreign: rebuilt", path)
        return None
    log.debug("cache hit: %s", key)
    return data["payload"]


def store(key, payload):
    """Store a JSON-serialisable payload under ``key`` (atomically; failures are silent:
    the cache is an optimisation)."""
    path = _path(key)
    if path is None:
        return
    data = {"format": _FORMAT, "key": key, "sha256": _digest(payload), "payload": payload}
    try:
        write_text_atomic(path, json.dumps(data))
    except OSError as exc:
        log.info("cache entry %s not written (%s)", path, exc)
        return
    log.debug("cached: %s", key)
