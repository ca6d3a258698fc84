"""Files symcrit reads and writes: checked before work starts, read defensively, written
atomically.

Files a user hands over (certificates, results, catalogues) may be malformed or foreign:
:func:`read_json` turns every way of failing (unreadable, too large, not UTF-8, nested too
deeply, integers too long, not JSON) into one :class:`~symcrit.core.InputError` line.  An
output path is checked by :func:`check_writable` before a long computation starts, and
:func:`write_text_atomic` replaces a file only once its new content is complete (a temporary
file in the same directory moved into place with :func:`os.replace`), so that an interrupted
write never leaves half a file and concurrent readers see the old or the new one.

>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "out.json")
>>> check_writable(path); write_text_atomic(path, '{"a": [1, 2]}'); read_json(path)
{'a': [1, 2]}
"""
from __future__ import annotations

import json
import os
import tempfile

from .errors import InputError

__all__ = ["MAX_JSON_FILE", "check_writable", "read_json", "write_text_atomic"]

#: the largest JSON file read (bytes)
MAX_JSON_FILE = 10 ** 8


def check_writable(path, what="--out"):
    """Refuse an output path that is empty, a directory, or cannot be written (it is opened
    for appending once, and removed again if it did not exist)."""
    if path is None:
        return
    if not str(path).strip():
        raise InputError(f"{what} needs a file name")
    if os.path.isdir(path):
        raise InputError(f"{what}: {str(path)!r} is a directory")
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise InputError(f"{what}: directory {parent!r} does not exist")
    existed = os.path.exists(path)
    try:
        with open(path, "ab"):
            pass
    except OSError as exc:
        raise InputError(f"{what}: cannot write {str(path)!r}: {exc.strerror or exc}") \
            from None
    if not existed:
        try:
            os.unlink(path)
        except OSError:
            pass


def read_json(path, what="file", max_bytes=MAX_JSON_FILE):
    """A JSON document from a file, every failure one InputError line."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    if len(raw) > max_bytes:
        raise InputError(f"{what} {path} is larger than {max_bytes} bytes")
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError(f"{what} {path} is not UTF-8 text") from None
    except RecursionError:
        raise InputError(f"{what} {path} is nested too deeply") from None
    except ValueError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "malformed"
        raise InputError(f"{what} {path} is not valid JSON ({first})") from None


def write_text_atomic(path, text):
    """Write ``text`` (UTF-8) to ``path`` atomically: a temporary file in the same
    directory, flushed and synced, then moved into place.  The file gets the permissions
    of an existing file at ``path``, else those of a new file (0666 less the umask; the
    temporary file alone would be 0600).  OSError propagates."""
    parent = os.path.dirname(os.path.abspath(path))
    os.makedirs(parent, exist_ok=True)
    try:
        mode = os.stat(path).st_mode & 0o7777
    except OSError:
        mode = 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(dir=parent, prefix=".tmp-", suffix=os.path.basename(path))
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _umask():
    mask = os.umask(0)          # the only way to read it; set back at once
    os.umask(mask)
    return mask
