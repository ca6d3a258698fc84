r"""What is proven about each isotypic block of the Hessian over a box: multiplicity at k,
eigenvalue enclosures, a lower bound of the smallest eigenvalue, its sign; and the check
that the blocks account for the whole parameter space.

At W ∈ Fix(H) the Hessian of L preserves the isotypic components of M(k, d) under H
(Arjevani & Field 2020, "Analytic characterization of the Hessian in shallow ReLU models: a
tale of symmetry", NeurIPS, arXiv:2008.01805; 2021, "Symmetry & critical points for a model
shallow neural network", Physica D).  On each component its distinct eigenvalues are the
generalised eigenvalues of a small pencil (A, B): A the Hessian of a restricted loss in an
exact (rational in k) basis Q of one vector per copy, B = QᵀDQ the Frobenius Gram matrix
(:func:`symcrit.spectra.hessian_blocks`, evaluated in Arb over the whole box, so the
enclosures hold at every point of it, in particular at the unique critical point).

**Coverage.**  The blocks must account for all of M(k, d):

.. math::

    \sum_{\text{blocks}} m(k) \cdot \dim(\text{block}) = k\,d,

with each multiplicity m(k), a polynomial in k with rational coefficients, evaluated
exactly at the rational k (:func:`symcrit.algebra.polyval`).  A block whose
multiplicity vanishes at this k takes no part in the type (it is ``absent``).

>>> import sympy
>>> from flint import arb_mat
>>> from symcrit.spectra import IsotypicBlock
>>> from symcrit.symmetry import K
>>> blk = IsotypicBlock("[k-1,1]", K - 1, 1, arb_mat([[2]]), arb_mat([[1]]))
>>> multiplicity_at(blk.multiplicity, "7.5"), coverage([blk], "3", "2")
(Fraction(13, 2), '')
>>> b, = block_bounds([blk], "3")
>>> b.sign, b.count, float(b.lower) > 1.99
('positive', '2', True)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache

from flint import arb

from ..algebra import polyval
from ..core import dec, exact_k
from ..symmetry import K
from .balls import arb_matrix, bound_text
from .inertia import pencil_eigen_enclosures

__all__ = ["BlockBound", "multiplicity_at", "coverage", "block_bounds"]


@dataclass
class BlockBound:
    """Certified information on one isotypic block.

    Attributes
    ----------
    irrep : str
        The irreducible representation.
    multiplicity : sympy.Expr
        Its multiplicity in the Hessian spectrum, a polynomial in k.
    dimension : int
        The block size (distinct eigenvalues of the component).
    lower, upper : arb or None
        Bounds of the smallest eigenvalue (``upper`` None when not found).
    sign : str
        ``positive``, ``negative`` (a certified negative eigenvalue), ``undecided`` or
        ``absent`` (the multiplicity is 0 at this k: the block does not occur).
    enclosures : list
        ``[lo, hi]`` balls of the eigenvalues, where they were separated (else None).
    note : str
        Why the sign is undecided, or that the block is absent.
    count : str
        The multiplicity at this k, as exact text.
    """
    irrep: str
    multiplicity: object
    dimension: int
    lower: object
    upper: object
    sign: str
    enclosures: list = field(default_factory=list)
    note: str = ""
    count: str = ""

    @property
    def present(self):
        """The block occurs in the spectrum at this k."""
        return self.sign != "absent"

    def to_json(self, digits=12):
        """A JSON-ready dict: bounds as decimal strings rounded outward
        (:func:`~symcrit.certificates.balls.bound_text`); ``multiplicity`` is the value at
        k (:attr:`count`), ``multiplicity_in_k`` the polynomial (:attr:`multiplicity`)."""
        return {"irrep": self.irrep, "multiplicity": self.count,
                "multiplicity_in_k": _polynomial_text(self.multiplicity),
                "dimension": self.dimension,
                "lambda_min_lower": None if self.lower is None else bound_text(self.lower,
                                                                               digits, -1),
                "lambda_min_upper": None if self.upper is None else bound_text(self.upper,
                                                                               digits, +1),
                "sign": self.sign,
                "eigenvalues": [None if e is None else [bound_text(e[0], digits, -1),
                                                       bound_text(e[1], digits, +1)]
                                for e in self.enclosures]}


@lru_cache(maxsize=256)
def _polynomial_text(mult):
    """A multiplicity polynomial as text without spaces (printed once per polynomial: sympy's
    printer would otherwise dominate writing many certificates)."""
    return str(mult).replace(" ", "")


def multiplicity_at(mult, k):
    """The multiplicity of a block at k, exactly.

    Parameters
    ----------
    mult : sympy.Expr
        A polynomial in k (:data:`symcrit.symmetry.K`) with rational coefficients.
    k : int, str or Fraction
        Read exactly (:func:`symcrit.core.exact_k`).

    Returns
    -------
    Fraction
        By Horner's rule on the exact coefficients
        (:func:`symcrit.algebra.polyval`).

    Examples
    --------
    >>> from symcrit.symmetry import K
    >>> multiplicity_at((K - 1) * (K - 4) / 2, 12), multiplicity_at(K - 1, "7.3")
    (Fraction(44, 1), Fraction(63, 10))
    """
    return polyval(mult, K, exact_k(k))


def coverage(blocks, ktext, size):
    """Check that the isotypic blocks account for all of M(k, d).

    Parameters
    ----------
    blocks : list of IsotypicBlock
    ktext : str
        k, exactly.
    size : str or int
        k·d, exactly.

    Returns
    -------
    str
        "" when the sum of multiplicity × block dimension is ``size``, else the reason.

    Examples
    --------
    >>> import sympy
    >>> from symcrit.spectra import IsotypicBlock
    >>> one = IsotypicBlock("[k]", sympy.Integer(1), 2, [[1, 0], [0, 1]], [[1, 0], [0, 1]])
    >>> coverage([one], "2", "4")
    'the isotypic blocks give 2 eigenvalues, not k·d = 4: the block decomposition does not cover M(k, d)'
    """
    total = sum((multiplicity_at(blk.multiplicity, ktext) * int(blk.dimension)
                 for blk in blocks), Fraction(0))
    if total != Fraction(str(size)):
        return (f"the isotypic blocks give {str(total)} eigenvalues, not k·d = "
                f"{size}: the block decomposition does not cover M(k, d)")
    return ""


def block_bounds(blocks, ktext=None):
    """:class:`BlockBound` for every isotypic block.

    Parameters
    ----------
    blocks : list of IsotypicBlock
        With ``.A``, ``.B`` Arb enclosures.
    ktext : str, optional
        k; blocks whose multiplicity vanishes at k are then marked ``absent``.

    Returns
    -------
    list of BlockBound
        ``positive`` when no eigenvalue is below 0 (``lower`` ≥ 0 then), ``negative``
        when one is proven below 0 (``upper`` ≤ 0 then), else ``undecided``.

    Examples
    --------
    >>> from flint import arb_mat
    >>> from symcrit.spectra import IsotypicBlock
    >>> from symcrit.symmetry import K
    >>> neg = IsotypicBlock("n", K - 9, 2, arb_mat([[-1, 0], [0, 3]]), arb_mat([[1, 0], [0, 1]]))
    >>> [(b.sign, b.count) for b in block_bounds([neg], "10") + block_bounds([neg], "9")]
    [('negative', '1'), ('absent', '0')]
    """
    out = []
    for blk in blocks:
        count = "" if ktext is None else str(multiplicity_at(blk.multiplicity, ktext))
        m = arb_matrix(blk.A).nrows()
        if count == "0":
            out.append(BlockBound(blk.irrep, blk.multiplicity, m, None, None, "absent", [],
                                  f"block {blk.irrep} does not occur at this k", count))
            continue
        A, B = arb_matrix(blk.A), arb_matrix(blk.B)
        enc, neg = pencil_eigen_enclosures(A, B)
        lower = upper = None
        if enc and enc[0] is not None:
            lower, upper = enc[0]
        if neg == 0:
            sign = "positive"
            if lower is None or not bool(lower > 0):
                lower = arb(0)          # every eigenvalue is > 0: 0 is a lower bound
        elif neg is not None and neg > 0:
            sign = "negative"
            if upper is None or not bool(upper < 0):
                upper = arb(0)          # an eigenvalue is < 0: 0 is an upper bound
        else:
            sign = "undecided"
        note = ""
        if sign == "undecided":
            if lower is not None:
                note = (f"block {blk.irrep}: smallest eigenvalue in [{dec(lower, 3)}, "
                        f"{dec(upper, 3)}], sign not determined")
            else:
                note = f"block {blk.irrep}: eigenvalues not separated, sign not determined"
        out.append(BlockBound(blk.irrep, blk.multiplicity, m, lower, upper, sign, enc, note,
                              count))
    return out
