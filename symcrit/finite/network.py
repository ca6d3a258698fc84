r"""Two-layer ReLU-like networks on finite data: the model, the empirical loss, its gradient
and its one-sided directional derivative.

The network with m hidden neurons is

.. math::

    f(x) = \sum_{i=1}^m h_i\, \rho(w_i \cdot x), \qquad w_i \in \mathbb{R}^d,\;
    h_i \in \mathbb{R}^{d_{out}},

with a ReLU-like activation :math:`\rho(z) = a z` for :math:`z \ge 0` and :math:`b z`
for :math:`z < 0` (:math:`a \ne b`; ReLU is a = 1, b = 0, leaky ReLU b = α).  A constant
input coordinate plays the part of a bias.  The loss on N data points is

.. math::

    L(\theta) = \frac{1}{N d_{out}} \sum_{n=1}^N |f(x_n) - y_n|^2 .

It is piecewise smooth, with kinks where some :math:`w_i \cdot x_n = 0`.  With the
residuals :math:`r_n = f(x_n) - y_n` and :math:`c = 1/(N d_{out})`,

* the output-weight derivative is :math:`\partial L/\partial h_i = d(w_i)`,
  :math:`d(w) = 2c \sum_n r_n \rho(w\cdot x_n)`;
* the one-sided directional derivative along :math:`\delta = (\delta w_i, \delta h_i)_i` is

  .. math::

      L'(\theta;\delta) = \sum_i \delta h_i \cdot d(w_i) + \sum_i h_i \cdot D_i(\delta w_i),
      \qquad D_i(u) = 2c \sum_n r_n\, \rho'(w_i\cdot x_n; u\cdot x_n),

  where :math:`\rho'(z;t) = a t` for z > 0, :math:`b t` for z < 0 and :math:`\rho(t)` on
  the kink z = 0.  :math:`D_i` is the one-sided derivative of d at :math:`w_i`: positively
  homogeneous and piecewise linear on the cones that the kink set
  :math:`\{x_n : w_i\cdot x_n = 0\}` cuts out.

Every formula is written once, on numpy arrays that hold either float64 numbers or exact
:class:`~fractions.Fraction` objects (``dtype=object``): the same code gives the numerical
and the exact mode, and in the exact mode a kink is ``w·x == 0``, decided without a
tolerance.

Reference: Wu, Şimşek, Ged, "Loss landscape of shallow ReLU-like neural networks:
stationary points, saddle escape, and network embedding", ICLR 2025, arXiv:2402.05626.

>>> from symcrit.finite import load_data
>>> ds = load_data("wsg-1d")
>>> net = Network.from_arrays([[1, 0], [-1, 1]], [[1], [-1]], exact=True)
>>> loss(net, ds)
Fraction(47533, 25000)
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..core import InputError
from .data import MAX_DIM, load_json_text, parse_number, read_limited

__all__ = ["Activation", "RELU", "Network", "predict", "residual", "loss", "gradient",
           "output_derivative", "directional_derivative", "load_weights", "MAX_WIDTH"]

#: the most hidden neurons accepted
MAX_WIDTH = 10000


class Activation:
    r"""A ReLU-like activation :math:`\rho(z) = a z\ (z \ge 0),\ b z\ (z < 0)`, a ≠ b.

    Parameters
    ----------
    a, b : number or text
        Slopes for positive and negative arguments (exact rationals).

    Raises
    ------
    InputError
        a = b (the activation would be linear), or a slope that is not a finite number.

    Examples
    --------
    >>> Activation.parse("leaky:0.1")
    Activation(a=1, b=1/10)
    >>> Activation(1, 1)
    Traceback (most recent call last):
    ...
    symcrit.core.errors.InputError: the activation needs a ≠ b (a = b = 1 is linear)
    """

    def __init__(self, a=1, b=0):
        self.a = _exact(a, "activation slope a")
        self.b = _exact(b, "activation slope b")
        if self.a == self.b:
            raise InputError(f"the activation needs a ≠ b (a = b = {self.a} is linear)")
        self.af, self.bf = float(self.a), float(self.b)

    @classmethod
    def parse(cls, text):
        """``relu``, ``leaky:ALPHA`` or ``A,B`` (the two slopes)."""
        t = str(text).strip().lower()
        if t == "relu":
            return cls(1, 0)
        if t.startswith("leaky:"):
            return cls(1, parse_number(t[6:], "--activation leaky slope"))
        if "," in t:
            a, b = t.split(",", 1)
            return cls(parse_number(a, "--activation a"), parse_number(b, "--activation b"))
        raise InputError(f"bad activation {text!r}: use relu, leaky:ALPHA or A,B")

    def slopes(self, exact):
        """(a, b) as Fractions (exact) or floats."""
        return (self.a, self.b) if exact else (self.af, self.bf)

    def __call__(self, z, exact=False):
        """ρ applied elementwise to an array (or a number)."""
        a, b = self.slopes(exact)
        z = np.asarray(z, dtype=object if exact else float)
        return np.where(z > 0, a * z, b * z)

    def to_json(self):
        """``{"a": ..., "b": ...}``, the two slopes as exact text (``p/q``)."""
        return {"a": _qtext(self.a), "b": _qtext(self.b)}

    def __eq__(self, other):
        return isinstance(other, Activation) and (self.a, self.b) == (other.a, other.b)

    def __hash__(self):
        return hash((self.a, self.b))

    def __repr__(self):
        return f"Activation(a={self.a}, b={self.b})"


def _exact(v, where):
    if isinstance(v, Fraction):
        return v
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return Fraction(int(v))
    if isinstance(v, (float, np.floating)):
        if not math.isfinite(float(v)):
            raise InputError(f"{where}: not a finite number: {v!r}")
        return Fraction(float(v))
    return parse_number(v, where)


def _qtext(q):
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


#: ReLU, ρ(z) = max(z, 0)
RELU = Activation(1, 0)


def _array(rows, exact, where):
    try:
        A = np.array(rows, dtype=object)
    except ValueError:
        raise InputError(f"{where}: rows of different lengths") from None
    if A.ndim != 2:
        raise InputError(f"{where}: expected a matrix (a list of rows)")
    if exact:
        out = np.empty(A.shape, dtype=object)
        for idx, v in np.ndenumerate(A):
            out[idx] = _exact(v, where)
        return out
    try:
        F = np.array([[float(_exact(v, where)) if not isinstance(v, float) else v
                       for v in r] for r in A], dtype=float).reshape(A.shape)
    except (TypeError, ValueError):
        raise InputError(f"{where}: not a matrix of numbers") from None
    if not np.isfinite(F).all():
        raise InputError(f"{where}: not all entries are finite")
    return F


@dataclass
class Network:
    """A two-layer network: input weights W (m × d), output weights H (m × d_out), an
    activation; numbers float64 or exact Fractions (``exact``).

    Examples
    --------
    >>> net = Network.from_arrays([[1, 2]], [[3]], exact=True)
    >>> net.m, net.d, net.d_out, net.exact
    (1, 2, 1, True)
    """
    W: np.ndarray
    H: np.ndarray
    activation: Activation = RELU
    exact: bool = False

    @classmethod
    def from_arrays(cls, W, H, activation=None, exact=False):
        """From nested sequences (ints, Fractions, text, floats).

        Raises
        ------
        InputError
            Shapes that do not match, non-finite numbers, more than :data:`MAX_WIDTH`
            neurons.
        """
        Wa = _array(W, exact, "input weights")
        Ha = _array(H, exact, "output weights")
        if Wa.shape[0] != Ha.shape[0]:
            raise InputError(f"{Wa.shape[0]} input weight rows but {Ha.shape[0]} output "
                             "weight rows (one of each per neuron)")
        if Wa.shape[0] > MAX_WIDTH:
            raise InputError(f"{Wa.shape[0]} neurons (at most {MAX_WIDTH})")
        if Wa.shape[0] == 0 or not (1 <= Wa.shape[1] <= MAX_DIM) or \
                not (1 <= Ha.shape[1] <= MAX_DIM):
            raise InputError("a network needs at least one neuron and dimensions 1.."
                             f"{MAX_DIM}")
        return cls(Wa, Ha, activation or RELU, bool(exact))

    @property
    def m(self):
        """The number of hidden neurons (rows of W)."""
        return self.W.shape[0]

    @property
    def d(self):
        """The input dimension (columns of W)."""
        return self.W.shape[1]

    @property
    def d_out(self):
        """The output dimension (columns of H)."""
        return self.H.shape[1]

    def to_float(self):
        """A float64 copy."""
        return Network(self.W.astype(float), self.H.astype(float), self.activation, False)

    def to_exact(self):
        """An exact copy (floats by their exact binary values)."""
        if self.exact:
            return Network(self.W.copy(), self.H.copy(), self.activation, True)
        return Network.from_arrays(self.W.tolist(), self.H.tolist(), self.activation, True)

    def check_data(self, data):
        """Refuse data whose dimensions do not fit the network."""
        if data.d != self.d or data.d_out != self.d_out:
            raise InputError(f"the network has input dimension {self.d} and output "
                             f"dimension {self.d_out}, the data {data.d} and {data.d_out}")

    def to_json(self):
        """``{"input_weights", "output_weights", "activation"}``: exact values as ``p/q``,
        floats as the decimal that reads back to the same float64."""
        def t(v):
            return _qtext(v) if isinstance(v, Fraction) else repr(float(v))
        return {"input_weights": [[t(v) for v in r] for r in self.W],
                "output_weights": [[t(v) for v in r] for r in self.H],
                "activation": self.activation.to_json()}

    @classmethod
    def from_json(cls, obj, where="weights", exact=False):
        """The inverse of :meth:`to_json` (``activation`` optional, default ReLU)."""
        if not isinstance(obj, dict):
            raise InputError(f"{where}: expected a JSON object with 'input_weights' and "
                             "'output_weights'")
        for key in ("input_weights", "output_weights"):
            if key not in obj:
                raise InputError(f"{where}: missing key {key!r}")
            rows = obj[key]
            if not isinstance(rows, list) or not rows or \
                    not all(isinstance(r, list) for r in rows):
                raise InputError(f"{where}: {key!r} must be a non-empty list of lists")
            if len(rows) > MAX_WIDTH:
                raise InputError(f"{where}: {len(rows)} neurons (at most {MAX_WIDTH})")
        act = obj.get("activation")
        if act is None:
            activation = RELU
        elif isinstance(act, dict) and set(act) <= {"a", "b"}:
            activation = Activation(parse_number(act.get("a", "1"), f"{where}: activation a"),
                                    parse_number(act.get("b", "0"), f"{where}: activation b"))
        else:
            raise InputError(f"{where}: 'activation' must be an object {{\"a\": .., \"b\": ..}}")
        W = [[parse_number(v, f"{where}: input_weights[{i}][{j}]") for j, v in enumerate(r)]
             for i, r in enumerate(obj["input_weights"])]
        H = [[parse_number(v, f"{where}: output_weights[{i}][{j}]") for j, v in enumerate(r)]
             for i, r in enumerate(obj["output_weights"])]
        if len({len(r) for r in W}) != 1 or len({len(r) for r in H}) != 1:
            raise InputError(f"{where}: weight rows of different lengths")
        return cls.from_arrays(W, H, activation, exact)


def load_weights(path, exact=False):
    """A network from a JSON weights file (:meth:`Network.to_json`'s format)."""
    text = read_limited(path, "weights file")
    return Network.from_json(load_json_text(text, str(path)), str(path), exact)


def _data(net, data):
    """X, Y and the constants (a, b, 2c) in the network's number type."""
    net.check_data(data)
    if net.exact:
        X, Y = data.object_arrays()
        c2 = Fraction(2, data.N * data.d_out)
    else:
        X, Y = data.Xf, data.Yf
        c2 = 2.0 / (data.N * data.d_out)
    a, b = net.activation.slopes(net.exact)
    return X, Y, a, b, c2


def predict(net, data):
    """The network outputs on the data, N × d_out."""
    X, _, a, b, _ = _data(net, data)
    Z = X @ net.W.T
    return np.where(Z > 0, a * Z, b * Z) @ net.H


def residual(net, data):
    """r_n = f(x_n) − y_n, N × d_out."""
    X, Y, _, _, _ = _data(net, data)
    return predict(net, data) - Y


def loss(net, data):
    """The empirical loss ``(1/(N d_out)) Σ_n |f(x_n) − y_n|²`` (a Fraction in the exact mode).

    >>> from symcrit.finite import load_data
    >>> loss(Network.from_arrays([[0, 0]], [[0]], exact=True), load_data("wsg-1d"))
    Fraction(953, 25000)
    """
    R = residual(net, data)
    s = (R * R).sum()
    return s / (data.N * data.d_out)


def output_derivative(net, data, w, R=None):
    r"""d(w) = (2/(N d_out)) Σ_n r_n ρ(w·x_n), the derivative of L in the output weights of
    a neuron with input weights w (a d_out vector)."""
    X, _, a, b, c2 = _data(net, data)
    R = residual(net, data) if R is None else R
    z = X @ np.asarray(w, dtype=X.dtype)
    return c2 * (np.where(z > 0, a * z, b * z) @ R)


def gradient(net, data):
    """The gradient (∂L/∂W, ∂L/∂H) off the kinks (on a kink the slope b is used, as
    autodiff frameworks do for ReLU).  Returns two arrays shaped like W and H."""
    X, _, a, b, c2 = _data(net, data)
    Z = X @ net.W.T
    S = np.where(Z > 0, a, b)
    R = residual(net, data)
    gH = c2 * ((S * Z).T @ R)
    gW = c2 * (((R @ net.H.T) * S).T @ X)
    return gW, gH


def directional_derivative(net, data, dW, dH, kink_tol=0.0):
    r"""The one-sided directional derivative :math:`L'(\theta;\delta)` in closed form.

    Parameters
    ----------
    net : Network
    data : Dataset
    dW, dH : array_like
        The direction (shapes of W and H).
    kink_tol : float
        Numerical mode only: ``|w_i·x_n| ≤ kink_tol`` counts as a kink (default: exactly 0).

    Returns
    -------
    Fraction or float
        :math:`\sum_i \delta h_i\cdot d(w_i) + \sum_i h_i\cdot D_i(\delta w_i)`.

    Examples
    --------
    On a kink the derivative is one-sided: at w = (1, −1) the datum (1, 1) sits on the
    kink, and the two opposite directions give different slopes.

    >>> from symcrit.finite import Dataset
    >>> ds = Dataset.from_arrays([[1, 1]], [[1]])
    >>> net = Network.from_arrays([[1, -1]], [[1]], exact=True)
    >>> directional_derivative(net, ds, [[1, 0]], [[0]]), directional_derivative(net, ds, [[-1, 0]], [[0]])
    (Fraction(-2, 1), Fraction(0, 1))
    """
    X, _, a, b, c2 = _data(net, data)
    dt = object if net.exact else float
    dW = np.asarray(dW, dtype=dt) if not net.exact else _array(dW, True, "direction dW")
    dH = np.asarray(dH, dtype=dt) if not net.exact else _array(dH, True, "direction dH")
    if dW.shape != net.W.shape or dH.shape != net.H.shape:
        raise InputError("the direction must have the shapes of W and H")
    Z = X @ net.W.T
    T = X @ dW.T
    R = residual(net, data)
    if net.exact or kink_tol == 0:
        pos, neg = Z > 0, Z < 0
    else:
        pos, neg = Z > kink_tol, Z < -kink_tol
    on_kink = np.where(T > 0, a * T, b * T)
    Dz = np.where(pos, a * T, np.where(neg, b * T, on_kink))
    rho = np.where(Z > 0, a * Z, b * Z)
    return c2 * (R * (rho @ dH + Dz @ net.H)).sum()
