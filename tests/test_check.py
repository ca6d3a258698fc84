"""Coefficient checks: EQUAL or DIFFERENT decided exactly, AGREES or DISAGREES to stated
digits, exit codes 0/1/2, and text that is read by a grammar, never evaluated."""
from __future__ import annotations

import builtins
from fractions import Fraction

import mpmath
import pytest
import sympy

from symcrit import InputError, family_series
from symcrit.algebra import QPi, QPiSqrt, exact_from_sympy, parse_exact, parse_exponent
from symcrit.cli import main

HOSTILE = ["__import__('os')", "Symbol('x').__class__", "exec('1')", "().__class__",
           "pi.__class__", "1;2", "lambda: 1", "[1]", "x", "2pi", "1/2-", "sqrt(-2)",
           "pi**pi", "2**(1/3)", "'1'", "1e999999", "9" * 500, "(" * 200 + "1" + ")" * 200]


@pytest.fixture(scope="module")
def S():
    return family_series("type-A", order=3, eigenvalues=False)


# ----------------------------------------------------------------------------- the grammar
def test_grammar_values():
    pi = QPi.PI
    assert parse_exact("1/2 - 2/pi**2").value == Fraction(1, 2) - 2 / pi ** 2
    assert parse_exact("-32/(3*pi^4)").value == -32 / (3 * pi ** 4)
    assert parse_exact("π^-2 + 1").value == 1 + 1 / pi ** 2
    assert parse_exact("sqrt(8)/(4*pi)").value == QPiSqrt(QPi.ZERO, 1 / (2 * pi), 2)
    assert parse_exact("sqrt(pi**2/9)").value == pi / 3
    d = parse_exact("0.2974")
    assert d.approximate and d.digits == 4 and d.last_place == -4
    assert parse_exact("1.50e-3").digits == 3
    assert not parse_exact("3/4").approximate


def test_exponents():
    for text, q in [("-1", -1), ("-1/2", Fraction(-1, 2)), ("-3/2", Fraction(-3, 2)),
                    ("k^-3/2", Fraction(-3, 2)), ("k^(-3/2)", Fraction(-3, 2)),
                    ("k**(-3/2)", Fraction(-3, 2)), ("-1.5", Fraction(-3, 2)), ("0", 0),
                    ("k", 1)]:
        assert parse_exponent(text) == q, text
    for bad in ("x", "k^", "-1/0", "k^(-1", "--1", "1/2/3"):
        with pytest.raises(InputError):
            parse_exponent(bad)


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_refused_not_evaluated(text, monkeypatch):
    def boom(*a, **k):
        raise AssertionError("user text reached eval/sympify")
    monkeypatch.setattr(builtins, "eval", boom)
    monkeypatch.setattr(builtins, "exec", boom)
    monkeypatch.setattr(sympy, "sympify", boom)
    monkeypatch.setattr(sympy, "parse_expr", boom, raising=False)
    with pytest.raises(InputError) as err:
        parse_exact(text)
    assert "\n" not in str(err.value)


def test_sympy_values_are_walked():
    v = exact_from_sympy(sympy.Rational(1, 2) - 2 / sympy.pi ** 2)
    assert v.value == Fraction(1, 2) - 2 / QPi.PI ** 2 and not v.approximate
    assert exact_from_sympy(sympy.Float("0.25", 20)).digits == 20      # its precision
    with pytest.raises(InputError):
        exact_from_sympy(sympy.Symbol("x") + 1)
    with pytest.raises(InputError):
        exact_from_sympy(sympy.E)


# ----------------------------------------------------------------------------- Python
def test_known_coefficients_equal_and_different(S):
    r = S.check("L", -1, "1/2 - 2/pi**2")
    assert r.verdict == "EQUAL" and r.exact and r and r.exit_code == 0
    r = S.check("L", -1, "1/2 - 2/pi**3")
    assert r.verdict == "DIFFERENT" and r.exact and not r and r.exit_code == 1
    assert float(r.difference) == pytest.approx(2 / mpmath.pi ** 2 - 2 / mpmath.pi ** 3)
    assert S.check("L", "k^-3/2", "-32/(3*pi^4)").verdict == "EQUAL"
    assert S.check("d", "-3/2", "32/pi**3").verdict == "EQUAL"
    assert S.check("c", -1, 2).verdict == "EQUAL"                   # c = 2/k + ...
    assert S.check("a", 0, Fraction(1)).verdict == "EQUAL"          # the limit a -> 1
    assert S.check("c", -1, "2.0000000001").verdict == "DISAGREES"


def test_every_kind_of_value(S):
    half = sympy.Rational(1, 2)
    assert S.check("L", -1, half - 2 / sympy.pi ** 2).verdict == "EQUAL"
    assert S.check("L", -1, Fraction(1, 2) - 2 / QPi.PI ** 2).verdict == "EQUAL"
    assert S.check("L", -1, Fraction(297, 1000)).verdict == "DIFFERENT"
    # an mpf at the default precision: agrees to its digits (the False)
    r = S.check("L", -1, mpmath.mpf(1) / 2 - 2 / mpmath.pi ** 2)
    assert r.verdict == "AGREES" and not r.exact and r.digits == 14
    with mpmath.workdps(40):
        v = mpmath.mpf(1) / 2 - 2 / mpmath.pi ** 2
    assert S.check("L", -1, v).verdict == "AGREES"
    assert S.check("L", -1, v + mpmath.mpf("1e-12")).verdict == "DISAGREES"
    assert S.check("L", -1, 0.5 - 2 / 3.141592653589793 ** 2).verdict == "AGREES"


def test_decimals_agree_to_their_digits_only(S):
    r = S.check("L", -1, "0.2974")
    assert (r.verdict, r.digits, r.exact) == ("AGREES", 4, False)
    assert "4 significant digits" in str(r) and "not an exact check" in str(r)
    assert S.check("L", -1, "0.2973").verdict == "DISAGREES"
    assert S.check("L", -1, "0.29735763271532").verdict == "AGREES"


def test_result_object(S):
    r = S.check("L", -1, "1/2 - 2/pi**2")
    ok, value, diff = r                               # the old tuple, still
    assert ok is True and diff == 0
    with mpmath.workdps(30):
        assert abs(value - (mpmath.mpf(1) / 2 - 2 / mpmath.pi ** 2)) < 1e-25
    js = r.to_json()
    assert js["verdict"] == "EQUAL" and js["coefficient"] == "1/2 - 2/pi**2"
    assert r._repr_latex_().startswith("$$")
    with pytest.raises(InputError, match="unknown series"):
        S.check("zz", -1, "1")
    with pytest.raises(InputError, match="no term"):
        S.check("L", -7, "1")
    with pytest.raises(InputError, match="starts at"):
        S.check("L", "-1/2", "0")


def test_sqrt_values(S):
    S2 = family_series("type-A2", order=2, eigenvalues=False)
    t = next(t for t in S2.loss if isinstance(t.exact, QPiSqrt) and not t.exact.b.is_zero())
    text = t.exact.text()
    assert S2.check("L", t.exponent, text).verdict == "EQUAL"
    assert S2.check("L", t.exponent, text.replace("sqrt(2)", "sqrt(3)")).verdict == "DIFFERENT"
    assert S.check("L", -1, "1/2 - 2/pi**2 + sqrt(2)").verdict == "DIFFERENT"


# ----------------------------------------------------------------------------- command line
def _run(capsys, *args):
    rc = main(["series", "type-A", "--order", "3", "--check", *args])
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_cli_exit_codes(capsys):
    rc, out, _ = _run(capsys, "L", "-1", "1/2-2/pi**2")
    assert rc == 0 and out.startswith("check L k^(-1)") and "EQUAL" in out
    assert out.count("\n") == 1                       # the check alone, not the series
    rc, out, _ = _run(capsys, "L", "-1", "1/2-2/pi**3")
    assert rc == 1 and "DIFFERENT" in out
    rc, out, _ = _run(capsys, "L", "-1", "0.2974")
    assert rc == 0 and "AGREES to 4 significant digits" in out
    rc, out, _ = _run(capsys, "L", "-1", "0.29735752321")    # k·L at 10^12, not the term
    assert rc == 1 and "DISAGREES" in out


def test_cli_negative_fractions(capsys):
    rc, out, _ = _run(capsys, "L", "-3/2", "-32/(3*pi^4)")
    assert rc == 0 and "k^(-3/2)" in out and "EQUAL" in out
    rc, out, _ = _run(capsys, "d", "k^-3/2", "32/pi**3")
    assert rc == 0 and "EQUAL" in out


@pytest.mark.parametrize("value", ["__import__('os').system('touch PWNED')",
                                   "Symbol('x').__class__", "-__import__('os')"])
def test_cli_hostile_value(capsys, value, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rc, out, err = _run(capsys, "L", "-1", value)
    assert rc == 2 and out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert "cannot read the value" in err and not (tmp_path / "PWNED").exists()


def test_cli_bad_exponent(capsys):
    rc, out, err = _run(capsys, "L", "-1/x", "1")
    assert rc == 2 and "bad exponent" in err and err.count("\n") == 1
