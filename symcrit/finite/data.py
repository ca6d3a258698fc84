r"""Finite data sets: reading them (JSON or CSV, every record validated), and the built-in
sets of the paper's three experiments.

A data set is N inputs :math:`x_n \in \mathbb{R}^d` and N outputs
:math:`y_n \in \mathbb{R}^{d_{out}}`.  There is no separate bias: a constant input
coordinate plays its part (``wsg-1d`` has :math:`x_n = (s_n, 1)`).  Every number is kept
**exact** — the rational its decimal text denotes (``0.28`` is 7/25, never the nearest
double) — and a float64 copy is made for the numerical work.

File formats
------------
JSON (numbers as decimal strings or ``"p/q"``; JSON numbers are read by their text, so
``0.1`` is 1/10 as well)::

    {"name": "my-data", "inputs": [["-1", "1"], ["0.3", "1"]],
     "outputs": [["0.28"], ["0.23"]]}

CSV, with a header naming the input columns ``x1 … xd`` and the output columns
``y1 … yk``::

    x1,x2,y1
    -1,1,0.28
    0.3,1,0.23

The built-in sets (:func:`builtin_names`) ship as JSON files inside the package:

=========== ===== === ===== ==================================================
name         N     d  d_out  experiment of arXiv:2402.05626
=========== ===== === ===== ==================================================
wsg-1d        5    2    1    scalar output, 2-D input x = (s, 1)
wsg-3d        7    3    1    scalar output, 3-D input
wsg-2out      4    2    2    2-D output, 2-D input
=========== ===== === ===== ==================================================

>>> ds = load_data("wsg-1d")
>>> ds.N, ds.d, ds.d_out
(5, 2, 1)
>>> ds.Y[0][0]
Fraction(7, 25)
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from fractions import Fraction
from importlib import resources
from pathlib import Path

import numpy as np

from ..core import InputError

__all__ = ["Dataset", "load_data", "builtin_names", "parse_number", "MAX_POINTS", "MAX_DIM",
           "MAX_FILE_BYTES"]

#: the most data points accepted
MAX_POINTS = 10000
#: the largest input or output dimension accepted
MAX_DIM = 64
#: the largest data or weights file read (bytes)
MAX_FILE_BYTES = 20 * 2 ** 20
#: the longest number text accepted (digits are exact: they are bounded instead)
MAX_NUMBER_CHARS = 2000

_DEC = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?$")
_RAT = re.compile(r"^[+-]?\d+/\d+$")


def parse_number(text, where="value"):
    """One number of a data or weights file, exactly: a decimal (``-0.75``, ``1e-3``) or a
    fraction ``p/q``.  JSON numbers arrive as their text (see :func:`load_data`).

    Raises
    ------
    InputError
        Anything else (``nan``, ``inf``, ``1/0``, words, over-long text), naming ``where``.

    >>> parse_number("-0.75"), parse_number("2/6"), parse_number("1e-3")
    (Fraction(-3, 4), Fraction(1, 3), Fraction(1, 1000))
    """
    if isinstance(text, bool) or text is None:
        raise InputError(f"{where}: expected a number, got {text!r}")
    if isinstance(text, int):
        return Fraction(text)
    if not isinstance(text, str):
        raise InputError(f"{where}: expected a number as text, got {text!r}")
    t = text.strip()
    if len(t) > MAX_NUMBER_CHARS:
        raise InputError(f"{where}: number text longer than {MAX_NUMBER_CHARS} characters")
    if _DEC.match(t):
        return Fraction(t)
    if _RAT.match(t):
        p, q = t.split("/")
        if int(q) == 0:
            raise InputError(f"{where}: division by zero in {t!r}")
        return Fraction(int(p), int(q))
    raise InputError(f"{where}: not a finite number: {t!r} (use a decimal such as -0.75 "
                     "or a fraction p/q)")


@dataclass(frozen=True)
class Dataset:
    """N data points, exact and in float64.

    Attributes
    ----------
    name : str
    X, Y : tuple of tuples of Fraction
        Inputs (N × d) and outputs (N × d_out), exact.
    Xf, Yf : numpy.ndarray
        The same in float64.
    """
    name: str
    X: tuple
    Y: tuple

    def __post_init__(self):
        _check_shapes(self.X, self.Y, self.name)
        object.__setattr__(self, "Xf", np.array([[float(v) for v in r] for r in self.X]))
        object.__setattr__(self, "Yf", np.array([[float(v) for v in r] for r in self.Y]))

    @classmethod
    def from_arrays(cls, X, Y, name="data"):
        """From nested sequences of numbers (ints, Fractions, decimal text, floats — a float
        by its exact binary value).

        >>> Dataset.from_arrays([[1, 0], [0, 1]], [[1], ["1/2"]]).Y
        ((Fraction(1, 1),), (Fraction(1, 2),))
        """
        def conv(v, where):
            if isinstance(v, float):
                if not np.isfinite(v):
                    raise InputError(f"{where}: not a finite number: {v!r}")
                return Fraction(v)
            if isinstance(v, (np.floating, np.integer)):
                return conv(v.item(), where)
            if isinstance(v, Fraction):
                return v
            return parse_number(v if not isinstance(v, int) else int(v), where)
        Xq = tuple(tuple(conv(v, f"{name}: input {n + 1}") for v in r)
                   for n, r in enumerate(_rows(X, "inputs")))
        Yq = tuple(tuple(conv(v, f"{name}: output {n + 1}") for v in r)
                   for n, r in enumerate(_rows(Y, "outputs")))
        return cls(name, Xq, Yq)

    @property
    def N(self):
        """Number of data points."""
        return len(self.X)

    @property
    def d(self):
        """Input dimension."""
        return len(self.X[0])

    @property
    def d_out(self):
        """Output dimension."""
        return len(self.Y[0])

    def object_arrays(self):
        """X and Y as numpy arrays of Fractions (dtype object), for the exact mode."""
        X = np.empty((self.N, self.d), dtype=object)
        Y = np.empty((self.N, self.d_out), dtype=object)
        for n in range(self.N):
            X[n, :] = self.X[n]
            Y[n, :] = self.Y[n]
        return X, Y

    def to_json(self):
        """The data as JSON (exact values as text: decimals where they terminate)."""
        return {"name": self.name,
                "inputs": [[_text(v) for v in r] for r in self.X],
                "outputs": [[_text(v) for v in r] for r in self.Y]}


def _text(q):
    from ..core import k_text
    if q == 0:
        return "0"
    s = k_text(abs(q))
    return ("-" if q < 0 else "") + s


def _rows(A, what):
    try:
        rows = [list(r) for r in A]
    except TypeError:
        raise InputError(f"{what}: expected a list of rows") from None
    return rows


def _check_shapes(X, Y, name):
    if not X:
        raise InputError(f"{name}: no data points")
    if len(X) != len(Y):
        raise InputError(f"{name}: {len(X)} inputs but {len(Y)} outputs")
    if len(X) > MAX_POINTS:
        raise InputError(f"{name}: {len(X)} data points (at most {MAX_POINTS})")
    d, k = len(X[0]), len(Y[0])
    if not (1 <= d <= MAX_DIM) or not (1 <= k <= MAX_DIM):
        raise InputError(f"{name}: input and output dimensions must be 1..{MAX_DIM}, got "
                         f"{d} and {k}")
    for n, (x, y) in enumerate(zip(X, Y)):
        if len(x) != d:
            raise InputError(f"{name}: input {n + 1} has {len(x)} coordinates, the first "
                             f"has {d}")
        if len(y) != k:
            raise InputError(f"{name}: output {n + 1} has {len(y)} coordinates, the first "
                             f"has {k}")


def builtin_names():
    """The names of the data sets shipped with the package.

    >>> builtin_names()
    ['wsg-1d', 'wsg-2out', 'wsg-3d']
    """
    folder = resources.files(__package__) / "data"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".json"))


def read_limited(path, what="file"):
    """The text of a file, refusing one larger than :data:`MAX_FILE_BYTES`."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{what} {str(path)!r} not found")
    if p.stat().st_size > MAX_FILE_BYTES:
        raise InputError(f"{what} {str(path)!r} is larger than {MAX_FILE_BYTES} bytes")
    try:
        return p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {what} {str(path)!r}: {exc}") from None


def load_json_text(text, where):
    """JSON with every number kept as its text (no float rounding); one-line errors."""
    try:
        return json.loads(text, parse_float=str, parse_int=str,
                          parse_constant=lambda c: c)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}: malformed JSON ({exc.msg} at line {exc.lineno}, "
                         f"column {exc.colno})") from None
    except RecursionError:
        raise InputError(f"{where}: JSON nested too deeply") from None


def load_data(spec):
    """A data set by built-in name (:func:`builtin_names`) or from a ``.json`` or ``.csv``
    file.

    Parameters
    ----------
    spec : str or Path

    Returns
    -------
    Dataset

    Raises
    ------
    InputError
        Unknown name, unreadable or malformed file, a malformed record (the message names
        it), mismatched shapes, or more than the limits (:data:`MAX_POINTS`,
        :data:`MAX_DIM`, :data:`MAX_FILE_BYTES`).

    Examples
    --------
    >>> load_data("wsg-2out").Y[3]
    (Fraction(4, 5), Fraction(1, 5))
    >>> load_data("no-such-set")
    Traceback (most recent call last):
    ...
    symcrit.core.errors.InputError: no data set 'no-such-set': give a .json or .csv file or one of wsg-1d, wsg-2out, wsg-3d
    """
    s = str(spec)
    if s in builtin_names():
        text = (resources.files(__package__) / "data" / f"{s}.json").read_text("utf-8")
        return _from_json(text, s)
    if s.lower().endswith(".json"):
        return _from_json(read_limited(s, "data file"), s)
    if s.lower().endswith(".csv"):
        return _from_csv(read_limited(s, "data file"), s)
    raise InputError(f"no data set {s!r}: give a .json or .csv file or one of "
                     + ", ".join(builtin_names()))


def _from_json(text, where):
    obj = load_json_text(text, where)
    if not isinstance(obj, dict):
        raise InputError(f"{where}: expected a JSON object with 'inputs' and 'outputs'")
    for key in ("inputs", "outputs"):
        if key not in obj:
            raise InputError(f"{where}: missing key {key!r}")
        if not isinstance(obj[key], list) or not all(isinstance(r, list) for r in obj[key]):
            raise InputError(f"{where}: {key!r} must be a list of lists of numbers")
    if len(obj["inputs"]) > MAX_POINTS:
        raise InputError(f"{where}: {len(obj['inputs'])} data points (at most {MAX_POINTS})")
    X = tuple(tuple(parse_number(v, f"{where}: inputs[{n}][{j}]") for j, v in enumerate(r))
              for n, r in enumerate(obj["inputs"]))
    Y = tuple(tuple(parse_number(v, f"{where}: outputs[{n}][{j}]") for j, v in enumerate(r))
              for n, r in enumerate(obj["outputs"]))
    name = obj.get("name", Path(where).stem)
    return Dataset(str(name), X, Y)


def _from_csv(text, where):
    rows = list(csv.reader(io.StringIO(text)))
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise InputError(f"{where}: empty CSV file")
    head = [c.strip().lower() for c in rows[0]]
    xs = [j for j, c in enumerate(head) if re.fullmatch(r"x\d+", c)]
    ys = [j for j, c in enumerate(head) if re.fullmatch(r"y\d+", c)]
    if not xs or not ys or len(xs) + len(ys) != len(head):
        raise InputError(f"{where}: the CSV header must name columns x1..xd and y1..yk, "
                         f"got {rows[0]}")
    if len(rows) - 1 > MAX_POINTS:
        raise InputError(f"{where}: {len(rows) - 1} data points (at most {MAX_POINTS})")
    X, Y = [], []
    for n, r in enumerate(rows[1:], start=2):
        if len(r) != len(head):
            raise InputError(f"{where}: line {n} has {len(r)} fields, the header has "
                             f"{len(head)}")
        X.append(tuple(parse_number(r[j], f"{where}: line {n}, {head[j]}") for j in xs))
        Y.append(tuple(parse_number(r[j], f"{where}: line {n}, {head[j]}") for j in ys))
    return Dataset(Path(where).stem, tuple(X), tuple(Y))
