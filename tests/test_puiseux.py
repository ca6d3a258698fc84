"""Newton–Puiseux against independent results: sympy's own series of explicit roots, the
Catalan numbers (``sympy.catalan``), numeric roots of the polynomial at small t (mpmath
``polyroots`` at 60 digits), and substitution of the branches back into F."""
import random
import time

import mpmath
import pytest
import sympy

from symcrit.core import InputError
from symcrit.algebra import PuiseuxSeries, newton_polygon, puiseux_branches

x, t = sympy.symbols("x t")
R = sympy.Rational


def series_dict(expr, order):
    """{exponent: coefficient} of sympy's series of ``expr`` in t (exact), below ``order``."""
    s = sympy.expand(sympy.series(expr, t, 0, order).removeO())
    out = {}
    for term in sympy.Add.make_args(s):
        c, e = term.as_coeff_exponent(t)
        out[sympy.Rational(e)] = out.get(sympy.Rational(e), 0) + c
    return out


def same(branch, expected):
    """The branch's terms equal ``expected`` ({exponent: coefficient}) exactly."""
    got = dict(branch.terms)
    keys = set(got) | set(expected)
    return all(sympy.simplify(got.get(k, 0) - expected.get(k, 0)) == 0 for k in keys)


def lowest_order(expr):
    expr = sympy.expand(expr)
    if expr == 0:
        return sympy.oo
    return min(sympy.Rational(term.as_coeff_exponent(t)[1])
               for term in sympy.Add.make_args(expr))


def numeric_roots(coeffs, t0, dps=60):
    """Roots of Σ a_i(t0) x^i at ``dps`` digits."""
    with mpmath.workdps(dps):
        cs = [sympy.N(sympy.sympify(a).subs(t, sympy.Rational(t0)), dps) for a in coeffs]
        cs = [mpmath.mpc(str(sympy.re(c)), str(sympy.im(c))) for c in cs][::-1]
        while cs and cs[0] == 0:
            cs = cs[1:]
        return mpmath.polyroots(cs, maxsteps=500, extraprec=400)


def max_error(branches, coeffs, t0):
    rts = numeric_roots(coeffs, t0)
    with mpmath.workdps(60):
        return max(min(abs(b(mpmath.mpf(sympy.Rational(t0).p) / sympy.Rational(t0).q) - r)
                       for r in rts) for b in branches)


# ----------------------------------------------------------------------------- textbook cases
def test_cusp_exact():
    bs = puiseux_branches(x ** 2 - t ** 3, x, t, order=6)
    assert len(bs) == 2 and all(b.order is None for b in bs)      # terminating: exact
    assert same(bs[0], {R(3, 2): -1}) and same(bs[1], {R(3, 2): 1})
    assert bs[0].ramification == 2
    P = newton_polygon(x ** 2 - t ** 3, x, t)
    assert P.vertices == [(0, 3), (2, 0)] and [e.slope for e in P.edges] == [R(3, 2)]


def test_square_root_series_against_sympy():
    order = 8
    bs = puiseux_branches(x ** 2 - t ** 2 * (1 + t), x, t, order=order)
    want = series_dict(t * sympy.sqrt(1 + t), order)
    assert len(want) == order - 1
    assert same(bs[1], want)
    assert same(bs[0], {e: -c for e, c in want.items()})
    assert all(b.order == order for b in bs)


def test_two_slopes_catalan_and_pole():
    order = 10
    bs = puiseux_branches(t * x ** 2 - x + 1, x, t, order=order)
    assert [b.exponents[0] for b in bs] == [-1, 0]
    small, big = bs[1], bs[0]
    assert small.coefficients == [sympy.catalan(n) for n in range(order)]
    assert small.exponents == list(range(order))
    # the other root (1 + sqrt(1 - 4t)) / (2t), expanded by sympy
    assert same(big, series_dict((1 + sympy.sqrt(1 - 4 * t)) / (2 * t), order))
    P = newton_polygon(t * x ** 2 - x + 1, x, t)
    assert [e.slope for e in P.edges] == [0, -1] and [e.length for e in P.edges] == [1, 1]


def test_second_polygon_step():
    bs = puiseux_branches((x - t) ** 2 - t ** 3, x, t, order=5)
    assert len(bs) == 2 and all(b.order is None for b in bs)
    assert same(bs[0], {1: 1, R(3, 2): -1}) and same(bs[1], {1: 1, R(3, 2): 1})
    # x = t + y: the first polygon has one edge with a double root c = 1
    P = newton_polygon((x - t) ** 2 - t ** 3, x, t)
    assert len(P.edges) == 1 and sympy.factor(P.edges[0].polynomial) == (Z - 1) ** 2


Z = sympy.Symbol("z")


def test_repeated_root_then_ramified_and_three_slopes():
    # (x^2 - t)^2 = t^5: x^2 = t ± t^(5/2), x = ±sqrt(t ± t^(5/2)), against sympy
    F = (x ** 2 - t) ** 2 - t ** 5
    order = 6
    bs = puiseux_branches(F, x, t, order=order)
    assert sum(b.multiplicity for b in bs) == 4 and len(bs) == 4
    u = sympy.Symbol("u", positive=True)                      # t = u^2
    for s1 in (1, -1):
        for s2 in (1, -1):
            w = s1 * sympy.sqrt(u ** 2 + s2 * u ** 5)
            ser = sympy.expand(sympy.series(w, u, 0, 2 * order).removeO())
            want = {}
            for term in sympy.Add.make_args(ser):
                c, e = term.as_coeff_exponent(u)
                want[sympy.Rational(e, 2)] = c
            assert sum(same(b, want) for b in bs) == 1
    # a pole, a regular and a cusp branch at once: slopes -1, 0, 3/2
    F = sympy.expand((t * x - 1) * (x - 2) * (x ** 2 - t ** 3))
    P = newton_polygon(F, x, t)
    assert sorted(e.slope for e in P.edges) == [-1, 0, R(3, 2)]
    bs = puiseux_branches(F, x, t, order=4)
    assert [b.exponents[0] for b in bs] == [-1, 0, R(3, 2), R(3, 2)]


def test_pi_coefficients():
    order = 5
    F = x ** 2 - sympy.pi * t ** 2 * (1 + t)
    bs = puiseux_branches(F, x, t, order=order)
    want = series_dict(sympy.sqrt(sympy.pi) * t * sympy.sqrt(1 + t), order)
    assert same(bs[1], want) and same(bs[0], {e: -c for e, c in want.items()})
    F = sympy.pi * x ** 2 - x + t                       # x = t/π... small branch
    bs = puiseux_branches(F, x, t, order=4)
    small = [b for b in bs if b.exponents[0] == 1][0]
    want = series_dict((1 - sympy.sqrt(1 - 4 * sympy.pi * t)) / (2 * sympy.pi), 4)
    assert same(small, want)


@pytest.mark.parametrize("F", [x ** 3 + sympy.pi * x - t * (1 + sympy.pi * t),
                               (x ** 2 - sympy.pi * t) ** 2 - t ** 5,
                               x ** 4 - sympy.pi * t * x ** 2 + t ** 3 - x ** 3 * t])
def test_pi_against_numeric_roots(F):
    order = 4
    bs = puiseux_branches(F, x, t, order=order)
    coeffs = [sympy.Poly(F, x).coeff_monomial(x ** i) for i in range(sympy.degree(F, x) + 1)]
    assert sum(b.multiplicity for b in bs) == len(coeffs) - 1
    assert all(c.is_number for b in bs for c in b.coefficients)
    assert any(c.has(sympy.pi) for b in bs for c in b.coefficients)
    e1, e2 = max_error(bs, coeffs, R(1, 100)), max_error(bs, coeffs, R(1, 1000))
    assert e2 < 1e-11 and e2 < e1 * 10 ** -(order - 0.5)


def test_algebraic_field_branches_against_substitution():
    # an irreducible cubic edge polynomial: coefficients in Q(alpha), alpha^3 = alpha + 1
    F = x ** 3 - x - 1 + t * x ** 2 + t ** 2
    bs = puiseux_branches(F, x, t, order=5)
    assert len(bs) == 3 and all(b.coefficients[0].has(sympy.CRootOf) for b in bs)
    coeffs = [t ** 2 - 1, -1, t, 1]
    e1, e2 = max_error(bs, coeffs, R(1, 100)), max_error(bs, coeffs, R(1, 1000))
    assert e2 < 1e-13 and e2 < e1 * 10 ** -4.5


def test_tower_of_fields_substitution():
    # (x^2 - 2t)^2 = t^5: a double root sqrt(2) of the first edge, then a second step
    F = (x ** 2 - 2 * t) ** 2 - t ** 5
    order = 5
    bs = puiseux_branches(F, x, t, order=order)
    assert len(bs) == 4
    for b in bs:
        r = F.subs(x, b.as_expr())
        # F_x ~ t^2 along each branch: the truncation O(t^5) leaves F = O(t^7)
        assert lowest_order(r) >= order + 2
    nu = puiseux_branches(F, x, t, order=order, numeric=True, dps=30)
    for a, b in zip(bs, nu):
        assert a.exponents == b.exponents
        assert all(abs(complex(sympy.N(ca)) - complex(cb)) < 1e-20
                   for ca, cb in zip(a.coefficients, b.coefficients))


# ----------------------------------------------------------------------------- random cases
@pytest.mark.parametrize("seed", range(5))
def test_random_polynomials_against_numeric_roots(seed):
    rnd = random.Random(seed)
    n = rnd.randint(2, 5)
    coeffs = [sum(rnd.randint(-3, 3) * t ** j for j in range(1, 3)) + rnd.choice([0, 0, 1, -2])
              for _ in range(n)]
    coeffs.append(rnd.choice([1, 2, t, 1 + t]))           # sometimes a pole (t x^n)
    if coeffs[0] == 0:
        coeffs[0] = t ** 3
    order = 3
    for numeric in (False, True):
        bs = puiseux_branches(coeffs, x, t, order=order, numeric=numeric, dps=40)
        assert sum(b.multiplicity for b in bs) == n
        e1 = max_error(bs, coeffs, R(1, 100))
        e2 = max_error(bs, coeffs, R(1, 1000))
        # truncation error O(t^order): a factor 10^order between t = 1e-2 and 1e-3
        assert e2 < 1e-7
        assert e2 < e1 * 10 ** (-(order - 0.5)) or e2 < 1e-30


def test_exact_and_numeric_agree_degree_5():
    F = x ** 5 + (1 + t) * x ** 3 - 2 * x + t - 3
    ex = puiseux_branches(F, x, t, order=4)
    nu = puiseux_branches(F, x, t, order=4, numeric=True, dps=30)
    assert len(ex) == len(nu) == 5
    for a in ex:                                  # match by value: ordering may differ
        b = min(nu, key=lambda b: abs(b.values[0] - a.values[0]))
        assert a.exponents == b.exponents
        for ca, cb in zip(a.coefficients, b.coefficients):
            assert abs(complex(sympy.N(ca, 30)) - complex(cb)) < 1e-20


def test_degree_10_order_12_is_fast():
    rnd = random.Random(7)
    F = x ** 10 + sum(sum(rnd.randint(-3, 3) * t ** j for j in range(3)) * x ** i
                      for i in range(10))
    t0 = time.time()
    bs = puiseux_branches(F, x, t, order=12, dps=60)
    assert time.time() - t0 < 10
    assert sum(b.multiplicity for b in bs) == 10 and all(b.order == 12 for b in bs)
    coeffs = [sympy.Poly(F, x).coeff_monomial(x ** i) for i in range(11)]
    e1, e2 = max_error(bs, coeffs, R(1, 1000)), max_error(bs, coeffs, R(1, 10000))
    assert e2 < 1e-40 and e2 < e1 * 10 ** -11.5


# ----------------------------------------------------------------------------- truncated input
def test_truncated_coefficients():
    bs = puiseux_branches([-t + sympy.O(t ** 3), 0, 1], x, t, order=6)
    assert [b.order for b in bs] == [R(5, 2)] * 2          # sqrt(t + O(t^3))
    assert same(bs[1], {R(1, 2): 1})
    for c in (0, 1, -5):                                   # every completion agrees
        full = puiseux_branches([-t + c * t ** 3, 0, 1], x, t, order=R(5, 2))
        assert all(same(a, dict(b.terms)) for a, b in zip(bs, full))
    bs = puiseux_branches(x ** 2 - t ** 2 + sympy.O(t ** 4), x, t, order=6)
    assert [str(b) for b in bs] == ["-t + O(t^3)", "t + O(t^3)"]
    bs = puiseux_branches([sympy.O(t ** 3), 0, 1], x, t, order=6)
    assert len(bs) == 1 and bs[0].multiplicity == 2 and str(bs[0]) == "O(t^(3/2))"
    with pytest.raises(InputError):                        # the leading coefficient unknown
        puiseux_branches([1, t, sympy.O(t ** 2)], x, t)


# ----------------------------------------------------------------------------- API
def test_zero_branch_multiplicity_and_bad_input():
    bs = puiseux_branches(x ** 2 * (x - t), x, t, order=3)
    assert sum(b.multiplicity for b in bs) == 3
    assert bs[-1].terms == [] and bs[-1].order is None and bs[-1].multiplicity == 2
    with pytest.raises(InputError):
        puiseux_branches(sympy.sin(x) - t, x, t)
    with pytest.raises(InputError):
        puiseux_branches(x - 1 / t, x, t)
    with pytest.raises(InputError):
        puiseux_branches("x**2 - t", x, t)
    with pytest.raises(InputError):
        puiseux_branches(["t", 0, 1], x, t)


def test_output_formats():
    bs = puiseux_branches(x ** 3 - t * x + t ** 2, x, t, order=2)
    b = bs[1]                                             # x ~ +t^(1/2)
    js = b.to_json()
    assert js["order"] == "2" and js["multiplicity"] == 1
    assert js["terms"][0] == {"exponent": "1/2", "coefficient": "1", "value": "1.0"}
    assert js["terms"][1]["exponent"] == "1" and js["terms"][1]["coefficient"] == "-1/2"
    assert b.latex() == r"\sqrt{t} - \frac{t}{2} - \frac{3 t^{\frac{3}{2}}}{8} + " \
                        r"O\left(t^{2}\right)"
    assert b._repr_latex_().startswith("$")
    assert str(b) == "t^(1/2) - 1/2*t - 3/8*t^(3/2) + O(t^2)"
    assert all(isinstance(e, sympy.Rational) for e in b.exponents)
    assert abs(b(mpmath.mpf("0.0001")) - (mpmath.mpf("0.01") - mpmath.mpf("0.00005")
                                          - mpmath.mpf(3) / 8 * mpmath.mpf("1e-6"))) < 1e-20
    nb = puiseux_branches(x ** 2 + t, x, t, order=2, numeric=True, dps=20)
    js = nb[0].to_json()
    assert js["terms"][0]["coefficient"] is None and js["terms"][0]["value"].endswith("j")
    P = newton_polygon(x ** 3 - t * x + t ** 2, x, t)
    assert r"\gamma" in P.latex() and P.vertices == [(0, 2), (1, 1), (3, 0)]
    s = PuiseuxSeries([(R(-1), 2), (0, sympy.sqrt(2))], None)
    assert str(s) == "2*t^(-1) + sqrt(2)"


def test_float_coefficients_are_refused_in_exact_mode():
    x, t = sympy.symbols("x t")
    with pytest.raises(InputError, match="floating-point"):
        puiseux_branches(x ** 2 - 0.3 * t, x, t)
    # numerically they are fine: x = ±sqrt(0.3) t^(1/2)
    bs = puiseux_branches(x ** 2 - 0.3 * t, x, t, order=2, numeric=True, dps=20)
    assert sorted(float(b.terms[0][1]) for b in bs) == pytest.approx([-0.3 ** 0.5, 0.3 ** 0.5])
