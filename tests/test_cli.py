"""The command line: JSON contents (decimal strings), parse-back of formulas, one-line
errors with exit code 2 and no traceback."""
import json
import subprocess
import sys

import mpmath
import pytest
import sympy
from sympy.parsing.sympy_parser import parse_expr

from symcrit.cli import main
from symcrit.model import loss
from symcrit.symmetry import FixedSpace


def run_json(capsys, *argv):
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_derive_json_parses_back(capsys):
    out = run_json(capsys, "derive", "D(S_{k-2}xS_2)", "--json", "--k", "6")
    assert out["isotropy"] == "Δ(S_{k-2}×S_2)" and out["dimension"] == 6
    assert out["parameter_names"] == ["a", "b", "c", "d", "e", "f"]
    assert list(out["weights"]) == out["parameter_names"] and out["k"] == "6"
    out2 = run_json(capsys, "derive", "D(S_{k-2}xS_2)", "--json")
    # the test parses the tool's own output (never user text) and checks its value
    expr = parse_expr(out2["loss"])
    xi = [0.9, 0.05, 0.1, -0.2, 0.7, 0.3]
    val = expr.subs({sympy.Symbol(n): v for n, v in zip(out2["parameter_names"], xi)}
                    | {sympy.Symbol("k"): 6})
    W = FixedSpace("D(S_{k-2}xS_2)").embed(xi, 6)
    assert abs(float(val) - loss(W)) < 1e-12
    assert "\\operatorname{acos}" in out2["latex"]


def test_derive_text_and_latex(capsys):
    assert main(["derive", "DS_{k-1}"]) == 0
    assert "a I + b (J - I)" in capsys.readouterr().out
    assert main(["derive", "DS_{k-1}", "--latex"]) == 0
    assert "pmatrix" in capsys.readouterr().out


def test_critical_json(capsys):
    doc = run_json(capsys, "critical", "type-A", "--k", "7", "--dps", "25", "--json",
                   "--no-spectrum")
    assert doc["format"] == "symcrit.critical" and len(doc["points"]) == 1
    out = doc["points"][0]
    assert out["family"] == "type-A" and out["k"] == "7"
    assert set(out["parameters"]) == {"a", "b", "c", "d", "e"}
    assert all(isinstance(v, str) for v in out["parameters"].values())
    assert isinstance(out["loss"], str) and mpmath.mpf(out["gradient_norm"]) < 1e-20
    rng = run_json(capsys, "critical", "type-A", "--k", "6:8", "--json", "--no-spectrum")
    assert [r["k"] for r in rng["points"]] == ["6", "7", "8"]
    real = run_json(capsys, "critical", "type-A", "--k", "7.5", "--json", "--no-spectrum")
    assert mpmath.mpf(real["points"][0]["k"]) == mpmath.mpf("7.5")


def test_search_json(capsys):
    out = run_json(capsys, "search", "DS_k", "--k", "8", "--starts", "40", "--json")
    assert out["k"] == "8" and out["starts"] == 40
    losses = [mpmath.mpf(p["loss"]) for p in out["points"]]
    assert min(abs(x) for x in losses) < 1e-20            # W = I is found


def test_report_small(capsys):
    assert main(["report", "--k", "6:7", "--large", "10^2,10^3,10^4", "--no-certify"]) == 0
    text = capsys.readouterr().out
    assert "type-A" in text and "large k" in text
    out = run_json(capsys, "report", "--k", "6", "--large", "10^2,10^3,10^4", "--json",
                   "--no-certify")
    assert out["table"][0]["k"] == "6" and len(out["large_k"]) == 3


@pytest.mark.parametrize("argv,msg", [
    (["derive", "ΔS_{k-1"], "expected '}'"),
    (["derive", "DS_{k-1}", "--k", "2"], "needs k >= 3"),
    (["critical", "nope", "--k", "5"], "unknown family"),
    (["critical", "type-A", "--k", "6:x"], "bad k"),
    (["critical", "type-A", "--k", "5", "--dps", "3"], "--dps"),
    (["search", "DS_k", "--k", "1"], "needs k >= 2"),
])
def test_bad_input_one_line_exit_2(capsys, argv, msg):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert msg in err and err.count("\n") == 1 and "Traceback" not in err


def test_subprocess_exit_code_and_no_traceback():
    p = subprocess.run([sys.executable, "-m", "symcrit", "derive", "D(S_2"],
                       capture_output=True, text=True)
    assert p.returncode == 2 and "Traceback" not in p.stderr and p.stdout == ""
    assert p.stderr.strip().count("\n") == 0
