r"""The results file of a training sweep: JSON lines, a header naming the sweep, then one
record per finished run; written as runs finish and resumed from.

A results file may meet anything between two runs of a sweep: a line cut by an
interruption, a hand-edited record, a record of another problem pasted in, bytes that are
not UTF-8, a second process started on the same file.  So the file is treated as foreign
input:

* ``--out`` must be a regular file or a new path (a device such as ``/dev/full`` or a pipe
  is refused: reading one never ends), and no more than the stated number of bytes is
  read when resuming;
* the file is locked (``fcntl.flock``, exclusive, on the file itself) for the whole sweep:
  a second process on the same file is refused at once;
* every record is validated against the sweep of the header (:func:`record_problem`: the
  keys of a record of this sweep, ``run`` an integer in range, ``seed`` that run's,
  every number a decimal string, ``W`` (and for three layers ``U``, ``W_raw``, ``U_raw``)
  of the sweep's shape, ``iterations`` within ``max_iter``, a known stopping reason, a
  run at most once);
* lines that fail are *quarantined*: appended, byte for byte, to ``FILE.quarantine``
  (never deleted), the file is rewritten without them (atomically: a new file moved into
  place), one warning line says how many and why, and their runs are run again.

Records of runs beyond the current ``--runs`` (a larger earlier sweep with the same
settings) are valid: they stay in the file and are not used.

>>> import os, tempfile
>>> from symcrit.landscape import TrainConfig
>>> cfg = TrainConfig(k=2, runs=2, max_iter=5)
>>> path = os.path.join(tempfile.mkdtemp(), "sweep.jsonl")
>>> with ResultsFile(path, cfg) as rf:
...     rf.records
[]
>>> rec = {"run": 1, "seed": [0, 1], "loss": "0.5", "gradient_norm": "0.25",
...        "loss_method": "closed form", "iterations": 5, "reason": "max_iter",
...        "W": [["1.0", "0.0"], ["0.0", "1.0"]]}
>>> record_problem(rec, cfg) is None, record_problem(dict(rec, W=[["1.0"]]), cfg)
(True, 'W is not 2 × 2')
"""
from __future__ import annotations

import errno
import fcntl
import json
import os
import stat
import tempfile
import warnings
from pathlib import Path
from typing import Any

from ..core import InputError, SymcritError, is_decimal
from .steps import REASONS

__all__ = ["FORMAT", "ResultsFile", "ResultsWarning", "load_records", "record_problem",
           "check_results_path"]

#: the format tag of the header line
FORMAT = "symcrit-train-2"

_NONFINITE = ("nan", "inf", "-inf")


class ResultsWarning(UserWarning):
    """Lines of a results file were quarantined."""


def check_results_path(path: str | os.PathLike[str]) -> Path:
    """Refuse, before any work, a results path that is empty, a directory, or exists and
    is not a regular file (a device, a pipe, a socket); returns it as a Path.

    >>> check_results_path("/dev/full")
    Traceback (most recent call last):
        ...
    symcrit.core.errors.InputError: --out /dev/full is not a regular file (a character
    device): give the path of a file
    """
    if not str(path).strip():
        raise InputError("--out needs a file name")
    p = Path(path)
    try:
        st = os.stat(p)
    except FileNotFoundError:
        return p
    except OSError as exc:
        raise InputError(f"--out {p}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(f"--out {p} is a directory")
    if not stat.S_ISREG(st.st_mode):
        what = ("a character device" if stat.S_ISCHR(st.st_mode) else "a block device"
                if stat.S_ISBLK(st.st_mode) else "a pipe" if stat.S_ISFIFO(st.st_mode)
                else "a socket" if stat.S_ISSOCK(st.st_mode) else "not a file")
        raise InputError(f"--out {p} is not a regular file ({what}): give the path of a "
                         "file")
    return p


# ----------------------------------------------------------------------------- records
def _is_decimal(x: Any, finite: bool = True) -> bool:
    if not isinstance(x, str) or len(x) > 40:
        return False
    return is_decimal(x) or (not finite and x in _NONFINITE)


def _matrix_problem(M: Any, name: str, rows: int, cols: int, finite: bool) -> str | None:
    if (not isinstance(M, list) or len(M) != rows
            or any(not isinstance(r, list) or len(r) != cols for r in M)):
        return f"{name} is not {rows} × {cols}"
    if not all(_is_decimal(x, finite) for r in M for x in r):
        return f"{name} has an entry that is not a decimal string"
    return None


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def record_problem(rec: Any, cfg: Any) -> str | None:
    """Why ``rec`` is not a record of the sweep ``cfg`` (a short phrase), or None when it
    is one (see the module docstring for what is checked; ``run`` may be beyond
    ``cfg.runs``)."""
    if not isinstance(rec, dict):
        return "not a JSON object"
    run = rec.get("run")
    if not isinstance(run, int) or isinstance(run, bool) or run < 0:
        return "no run index (a non-negative integer)"
    diverged = rec.get("reason") == "diverged"
    closed = cfg.closed_form
    names = {"W": (cfg.k, cfg.d)}
    if cfg.depth == 3:
        names.update(U=(cfg.k, cfg.k), W_raw=(cfg.k, cfg.d), U_raw=(cfg.k, cfg.k))
    keys = {"run", "seed", "loss", "gradient_norm", "loss_method", "iterations", "reason",
            *names}
    if not closed and not diverged:
        keys |= {"loss_stderr", "gradient_noise_floor"}
    if set(rec) != keys:
        missing, extra = sorted(keys - set(rec)), sorted(set(rec) - keys)
        return "; ".join(x for x in (
            f"no {', '.join(missing)}" if missing else "",
            f"unknown {', '.join(map(str, extra))[:60]}" if extra else "") if x)
    if rec["seed"] != [cfg.seed, run]:
        return f"seed is not [{cfg.seed}, {run}]"
    if rec["reason"] not in REASONS:
        return "unknown stopping reason"
    it = rec["iterations"]
    if not _is_int(it) or not 0 <= it <= cfg.max_iter:
        return f"iterations not an integer in 0 … {cfg.max_iter}"
    method = rec["loss_method"]
    want = "diverged" if diverged else "closed form" if closed else "Monte Carlo"
    if not isinstance(method, str) or not method.startswith(want):
        return f"loss_method is not {want!r}"
    for key in ("loss", "gradient_norm", "loss_stderr", "gradient_noise_floor"):
        if key in rec and not _is_decimal(rec[key], finite=not diverged):
            return f"{key} is not a decimal string"
    for name, (r, c) in names.items():
        why = _matrix_problem(rec[name], name, r, c, finite=not diverged)
        if why:
            return why
    return None


# ----------------------------------------------------------------------------- the file
def _header(cfg: Any) -> bytes:
    return (json.dumps({"sweep": cfg.key(), "format": FORMAT}) + "\n").encode()


def _check_header(line: bytes, path: Path, cfg: Any | None) -> dict[str, Any]:
    try:
        obj = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise InputError(f"{path}: not a symcrit results file (its first line is not a "
                         "header); use another --out file") from None
    if not isinstance(obj, dict) or not isinstance(obj.get("sweep"), dict):
        raise InputError(f"{path}: not a symcrit results file (no header); use another "
                         "--out file")
    if obj.get("format") != FORMAT:
        raise InputError(f"{path}: results format {str(obj.get('format'))[:40]!r}, this "
                         f"version reads {FORMAT!r}")
    if cfg is not None and obj["sweep"] != cfg.key():
        raise InputError(f"{path} holds another sweep ({json.dumps(obj['sweep'])[:300]}); "
                         "use another --out file")
    return obj


def _split(raw: bytes, path: Path, cfg: Any, max_line: int):
    """``(header, good, bad, records, clean)``: the raw good lines, the bad ones with
    their reasons, the records of runs ``0 … cfg.runs-1`` and whether the file is exactly
    header + good lines."""
    lines = raw.split(b"\n")
    cut = lines.pop() if lines else b""          # after the last newline: a cut line
    if cut:
        lines.append(cut)
    header = lines[0] if lines else b""
    head = _check_header(header, path, cfg)
    good: list[bytes] = []
    bad: list[tuple[int, bytes, str]] = []
    seen: set[int] = set()
    recs: list[dict[str, Any]] = []
    for n, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        why: str | None
        if len(line) > max_line:
            why = f"longer than {max_line} bytes"
        else:
            try:
                obj = json.loads(line.decode("utf-8"))
            except UnicodeDecodeError:
                why = "not UTF-8"
            except (ValueError, RecursionError):
                why = ("cut off" if n == len(lines) and cut else "not JSON")
            else:
                why = record_problem(obj, cfg)
                if why is None and obj["run"] in seen:
                    why = "a second record of this run"
                if why is None:
                    seen.add(obj["run"])
                    good.append(line)
                    if obj["run"] < cfg.runs:
                        recs.append(obj)
                    continue
                if isinstance(obj, dict) and _is_int(obj.get("run")):
                    why = f"run {obj['run']}: {why}"
        bad.append((n, line, why or "invalid"))
    clean = not bad and raw.endswith(b"\n") and raw.count(b"\n") == 1 + len(good)
    return head, good, bad, sorted(recs, key=lambda r: r["run"]), clean


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path.parent, os.O_RDONLY)
    except OSError:                     # pragma: no cover - e.g. not permitted
        return
    try:
        os.fsync(fd)
    except OSError:                     # pragma: no cover
        pass
    finally:
        os.close(fd)


class ResultsFile:
    """The results file of the sweep ``cfg`` at ``path``, open and locked; its valid
    records of runs ``0 … cfg.runs-1`` are in :attr:`records` (bad lines quarantined, see
    the module docstring).

    Parameters
    ----------
    path : str or Path
        A regular file or a new path (parent directories are created).
    cfg : TrainConfig
        The sweep (the header must name it).
    max_bytes : int, optional
        The largest file read (default 1 GiB).
    max_line : int, optional
        The longest line read as a record (default: ten times the longest record of
        this sweep; a longer line is quarantined).

    Raises
    ------
    InputError
        Not a regular file, locked by another process, larger than ``max_bytes``, not a
        results file, or a file of another sweep.
    """

    def __init__(self, path: str | os.PathLike[str], cfg: Any, max_bytes: int = 2 ** 30,
                 max_line: int | None = None):
        self.path = check_results_path(path)
        self.cfg = cfg
        entries = cfg.k * cfg.d + (2 * cfg.k * cfg.k + cfg.k * cfg.d) * (cfg.depth == 3)
        self.max_line = max_line or 10 * (1000 + 30 * entries)
        self.max_bytes = max_bytes
        self.fd = -1                    # the locked descriptor (-1: none)
        self.records: list[dict[str, Any]] = []
        self.quarantined = 0
        try:
            self._open()
        except BaseException:
            self.close()
            raise

    # -- opening ---------------------------------------------------------------------
    def _lock(self) -> int:
        """Open and lock the file (the inode the path names once the lock is held)."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"--out {self.path}: cannot create its directory: "
                             f"{exc.strerror or exc}") from None
        for _ in range(10):
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NONBLOCK, 0o644)
            except OSError as exc:
                raise InputError(f"--out {self.path}: cannot open: "
                                 f"{exc.strerror or exc}") from None
            try:
                if not stat.S_ISREG(os.fstat(fd).st_mode):
                    raise InputError(f"--out {self.path} is not a regular file")
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError as exc:
                    if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                        raise InputError(
                            f"--out {self.path} is locked: another process is writing "
                            "this sweep; wait for it to finish or use another --out "
                            "file") from None
                    raise InputError(f"--out {self.path}: cannot lock: "
                                     f"{exc.strerror or exc}") from None
                a, b = os.fstat(fd), os.stat(self.path)
            except FileNotFoundError:
                os.close(fd)
                continue
            except BaseException:
                os.close(fd)
                raise
            if (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino):
                return fd
            os.close(fd)                # replaced while we waited: lock the new file
        raise InputError(f"--out {self.path} keeps being replaced by another process")

    def _open(self) -> None:
        self.fd = self._lock()
        size = os.fstat(self.fd).st_size
        if size > self.max_bytes:
            raise InputError(f"--out {self.path} holds {size} bytes, more than the "
                             f"{self.max_bytes} read when resuming (the memory limit, "
                             "--max-memory); use another --out file or raise the limit")
        if size == 0:
            try:
                self._write(_header(self.cfg))
            except OSError as exc:
                raise InputError(f"--out {self.path}: cannot write: "
                                 f"{exc.strerror or exc}") from None
            return
        try:
            raw = self._read(size)
        except OSError as exc:
            raise InputError(f"--out {self.path}: cannot read: "
                             f"{exc.strerror or exc}") from None
        _, good, bad, self.records, clean = _split(raw, self.path, self.cfg,
                                                   self.max_line)
        if bad:
            self._quarantine(bad)
        if not clean:
            self._rewrite([raw.split(b"\n", 1)[0]] + good)

    def _read(self, size: int) -> bytes:
        chunks, got = [], 0
        os.lseek(self.fd, 0, os.SEEK_SET)
        while got < size:
            b = os.read(self.fd, min(1 << 24, size - got))
            if not b:
                break
            chunks.append(b)
            got += len(b)
        return b"".join(chunks)

    def _quarantine(self, bad) -> None:
        q = self.path.with_name(self.path.name + ".quarantine")
        try:
            with open(q, "ab") as fh:
                for _, line, _ in bad:
                    fh.write(line + b"\n")
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            raise InputError(f"--out {self.path}: {len(bad)} bad lines could not be moved "
                             f"to {q}: {exc.strerror or exc}; nothing was changed") from None
        self.quarantined = len(bad)
        whys = "; ".join(f"line {n}: {why}" for n, _, why in bad[:3])
        more = f"; and {len(bad) - 3} more" if len(bad) > 3 else ""
        warnings.warn(f"{self.path}: {len(bad)} line(s) are not records of this sweep "
                      f"({whys}{more}): moved to {q}; their runs are run again",
                      ResultsWarning, stacklevel=4)

    def _rewrite(self, lines: list[bytes]) -> None:
        """Replace the file by ``lines`` atomically, the new file locked before it is
        moved into place (so that no other process can take it in between)."""
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".tmp-",
                                   suffix=self.path.name)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            data = b"".join(line + b"\n" for line in lines)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
            os.chmod(tmp, stat.S_IMODE(os.fstat(self.fd).st_mode))
            os.replace(tmp, self.path)
        except OSError as exc:
            os.close(fd)
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise InputError(f"--out {self.path}: cannot rewrite it: "
                             f"{exc.strerror or exc}") from None
        _fsync_dir(self.path)
        old, self.fd = self.fd, fd
        os.close(old)                   # the old inode, no longer named: its lock goes

    # -- writing ---------------------------------------------------------------------
    def _write(self, data: bytes) -> None:
        os.lseek(self.fd, 0, os.SEEK_END)
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view):]
        os.fsync(self.fd)

    def append(self, records: list[dict[str, Any]]) -> None:
        """Append records (one line each), flushed and fsync'ed.

        Raises
        ------
        SymcritError
            The write failed (e.g. the disk is full).
        """
        data = "".join(json.dumps(r) + "\n" for r in records).encode()
        try:
            self._write(data)
        except OSError as exc:
            raise SymcritError(f"cannot write {self.path}: {exc.strerror or exc}") from None

    @property
    def fileno(self) -> int:
        """The locked file descriptor (worker processes close their copy); -1 once
        closed."""
        return self.fd

    def close(self) -> None:
        """Release the lock."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __enter__(self) -> ResultsFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def load_records(path: str | os.PathLike[str], cfg: Any,
                 max_bytes: int = 2 ** 30) -> list[dict[str, Any]]:
    """The valid records of runs ``0 … cfg.runs-1`` in a results file, sorted by run,
    without changing the file or taking its lock (bad lines are skipped: a resume
    quarantines them, see :class:`ResultsFile`).  A missing file has no records.

    Raises
    ------
    InputError
        Not a regular file, larger than ``max_bytes``, unreadable, not a results file, or
        a file of another sweep.
    """
    path = check_results_path(path)
    try:
        with open(path, "rb") as fh:
            raw = fh.read(max_bytes + 1)
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(raw) > max_bytes:
        raise InputError(f"{path} is larger than {max_bytes} bytes")
    if not raw:
        return []
    entries = cfg.k * cfg.d + (2 * cfg.k * cfg.k + cfg.k * cfg.d) * (cfg.depth == 3)
    return _split(raw, path, cfg, 10 * (1000 + 30 * entries))[3]
