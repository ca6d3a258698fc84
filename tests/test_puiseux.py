"""Newton–Puiseux against independent results: expansions known in closed form (sympy's
own series of explicit roots, the Catalan numbers), numeric roots of random polynomials at
small t (numpy), and substitution of the branches back into F."""
import random

import mpmath
import numpy as np
import pytest
import sympy

from symcrit.errors import InputError
from symcrit.series.puiseux import newton_polygon, puiseux_branches

x, t = sympy.symbols("x t")


def coeffs_in_t(expr, order):
    """{exponent: coefficient} of a sympy series in t (exact), below ``order``."""
    s = sympy.series(expr, t, 0, order).removeO()
    return {sympy.Rational(e): c for e, c in
            ((term.as_coeff_exponent(t)[1], term.as_coeff_exponent(t)[0])
             for term in sympy.Add.make_args(sympy.expand(s)))}


def branch_dict(b):
    return {sympy.Rational(e.numerator, e.denominator): sympy.nsimplify(c) for e, c in b.terms}


def test_cusp_and_square_roots_against_sympy_series():
    bs = puiseux_branches(x ** 2 - t ** 3, x, t, order=4)
    assert sorted(sympy.srepr(b.as_expr()) for b in bs) == \
        sorted(sympy.srepr(e) for e in (-t ** sympy.Rational(3, 2), t ** sympy.Rational(3, 2)))
    # x^2 = t^2 (1 + t): x = ± t sqrt(1 + t)
    bs = puiseux_branches(x ** 2 - t ** 2 * (1 + t), x, t, order=6)
    want = coeffs_in_t(t * sympy.sqrt(1 + t), 6)
    got = [branch_dict(b) for b in bs]
    assert any(all(sympy.simplify(g.get(e, 0) - c) == 0 for e, c in want.items()) for g in got)
    assert any(all(sympy.simplify(g.get(e, 0) + c) == 0 for e, c in want.items()) for g in got)


def test_two_slopes_catalan_and_pole():
    bs = puiseux_branches(t * x ** 2 - x + 1, x, t, order=8)
    assert [b.exponents[0] for b in bs] == [-1, 0]
    small = bs[1]
    catalan = [1, 1, 2, 5, 14, 42, 132, 429]
    assert [int(c) for c in small.coefficients] == catalan
    # the other branch is (1 + sqrt(1 - 4t))/(2t) = 1/t - (the small branch)
    big = bs[0]
    assert big.coefficients[0] == 1 and [int(-c) for c in big.coefficients[1:]] == catalan


def test_second_polygon_step_and_multiplicities():
    F = (x - t) ** 2 - t ** 3
    bs = puiseux_branches(F, x, t, order=4)
    want = [t + t ** sympy.Rational(3, 2), t - t ** sympy.Rational(3, 2)]
    assert len(bs) == 2 and all(b.order is None for b in bs)        # exact, finite
    for w in want:
        assert any(sympy.simplify(b.as_expr() - w) == 0 for b in bs)
    F = (x ** 2 - t) ** 2 - t ** 5                       # a repeated edge root: two steps
    bs = puiseux_branches(F, x, t, order=4)
    assert sum(b.multiplicity for b in bs) == 4
    for b in bs:
        r = sympy.expand(F.subs(x, b.as_expr()))
        lowest = min(sympy.Rational(term.as_coeff_exponent(t)[1])
                     for term in sympy.Add.make_args(r))
        assert lowest >= 4 + sympy.Rational(1, 2)     # F(x(t)) = O(t^(order + 1/2))


def test_pi_coefficients_and_newton_polygon():
    F = x ** 2 - sympy.pi * t ** 2 * (1 + t)
    bs = puiseux_branches(F, x, t, order=3)
    lead = sorted(b.coefficients[0] for b in bs)
    assert sympy.simplify(lead[1] - sympy.sqrt(sympy.pi)) == 0
    P = newton_polygon(x ** 3 - t * x + t ** 2, x, t)
    assert [e.slope for e in P.edges] == [1, sympy.Rational(1, 2)]
    assert [e.length for e in P.edges] == [1, 2]
    assert "gamma" in P.latex() and "z" in P.latex()


def test_zero_branch_and_bad_input():
    bs = puiseux_branches(x ** 2 * (x - t), x, t, order=3)
    assert sum(b.multiplicity for b in bs) == 3
    assert any(b.terms == [] and b.order is None for b in bs)       # x = 0 twice
    with pytest.raises(InputError):
        puiseux_branches(sympy.sin(x) - t, x, t)
    with pytest.raises(InputError):
        puiseux_branches(x - 1 / t, x, t)


@pytest.mark.parametrize("seed", range(6))
def test_random_polynomials_against_numeric_roots(seed):
    rnd = random.Random(seed)
    n = rnd.randint(2, 4)
    coeffs = [sum(rnd.randint(-3, 3) * t ** j for j in range(3)) for _ in range(n)]
    coeffs.append(1 + rnd.randint(0, 2) * t)                   # monic at t = 0
    if coeffs[0] == 0:
        coeffs[0] = t ** 2
    order = 4
    bs = puiseux_branches(coeffs, x, t, order=order, numeric=True, dps=40)
    assert sum(b.multiplicity for b in bs) == n
    errs = []
    for t0 in (1e-2, 1e-3):
        poly = [complex(sympy.N(c.subs(t, t0))) for c in coeffs]
        roots = np.roots(poly[::-1])
        e = 0.0
        for b in bs:
            v = complex(b(t0))
            e = max(e, min(abs(roots - v)))
        errs.append(e)
    # the truncation error at order 4 (exponents step by at least 1/n) shrinks with t
    assert errs[1] < 1e-6 and errs[1] <= errs[0] + 1e-12


def test_numeric_and_exact_agree():
    F = x ** 3 - t * x + t ** 2
    ex = puiseux_branches(F, x, t, order=4)
    nu = puiseux_branches(F, x, t, order=4, numeric=True, dps=30)
    for a, b in zip(ex, nu):
        assert a.exponents == b.exponents
        for ca, cb in zip(a.coefficients, b.coefficients):
            assert abs(complex(sympy.N(ca)) - complex(cb)) < 1e-20
    js = ex[0].to_json()
    assert js["terms"][0]["exponent"] == "1/2" and js["terms"][0]["coefficient"] == "-1"
