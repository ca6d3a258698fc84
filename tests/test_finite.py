"""symcrit.finite (issue 14): ReLU-like networks on finite data.

Every expected value is obtained independently of the code under test: one-sided finite
differences (exact polynomial extrapolation in rational arithmetic), the LP decision
against the exact rational one, random perturbations within certified radii, a plain numpy
gradient-descent loop, numpy least squares and SVDs for the plateau losses.
"""
import json
import math
from fractions import Fraction

import numpy as np
import pytest

from symcrit.cli import main
from symcrit.core import ConvergenceError, InputError
from symcrit.finite import (EXPERIMENTS, Activation, Dataset, Network, analyse,
                            analyse_run, clarke_not_d_example, directional_derivative, embed,
                            embedding_report, find_plateaus, gd_steps, gradient_descent,
                            load_data, loss, perturbation_test, predict, snap_point,
                            stationarity)
from symcrit.finite import rational as Q


# --------------------------------------------------------------------------------------
# random small instances (d <= 3, N <= 6, m <= 6) with points on kinks


def instance(rng, d_out=1):
    d = int(rng.integers(1, 4))
    N = int(rng.integers(1, 7))
    m = int(rng.integers(1, 7))
    X = rng.integers(-3, 4, size=(N, d))
    X[np.all(X == 0, axis=1), 0] = 1
    Y = rng.integers(-4, 5, size=(N, d_out))
    W, H = [], []
    for _ in range(m):
        kind = rng.integers(0, 3)
        if kind == 0:
            w = [0] * d
        elif kind == 1:                     # orthogonal to some data: on their kinks
            rows = [list(map(int, X[j])) for j in
                    rng.choice(N, size=min(int(rng.integers(1, max(2, d))), N), replace=False)]
            ns = Q.nullspace(rows, d)
            c = rng.integers(-2, 3, size=len(ns))
            w = [sum(int(ci) * v[j] for ci, v in zip(c, ns)) for j in range(d)] if ns \
                else [0] * d
        else:
            w = list(map(int, rng.integers(-2, 3, size=d)))
        W.append(w)
        H.append([int(v) for v in rng.integers(-2, 3, size=d_out)])
    b = Fraction(int(rng.integers(-3, 3)), 4) if rng.random() < 0.4 else Fraction(0)
    act = Activation(1, b) if b != 1 else Activation(1, 0)
    return (Dataset.from_arrays(X.tolist(), Y.tolist()),
            Network.from_arrays(W, H, act, exact=True))


def first_order_by_extrapolation(net, data, dW, dH, t0):
    """L'(θ; δ) from losses only: within one piece L(θ + tδ) is a polynomial of degree
    ≤ 4 in t; five exact values at t0/2^k determine it, and its t-coefficient is L'."""
    ts = [t0 / 2 ** k for k in range(5)]
    vals = [loss(Network(net.W + t * dW, net.H + t * dH, net.activation, True), data)
            for t in ts]
    L0 = loss(net, data)
    # divided differences of (L(t) - L0)/t, a cubic in t: its value at t = 0
    g = [(v - L0) / t for v, t in zip(vals, ts)]
    # Lagrange interpolation of g at 0
    out = Fraction(0)
    for i, ti in enumerate(ts):
        li = Fraction(1)
        for j, tj in enumerate(ts):
            if j != i:
                li *= (0 - tj) / (ti - tj)
        out += g[i] * li
    return out


def safe_step(net, data, dW):
    """A t0 below every kink crossing along δw (data off the kinks keep their sign)."""
    X = np.array(data.X, dtype=object)
    Z = X @ net.W.T
    T = X @ np.asarray(dW, dtype=object).T
    cands = [abs(z / t) for z, t in zip(Z.ravel(), T.ravel()) if z != 0 and t != 0]
    return min(cands + [Fraction(1)]) / 2


def test_directional_derivative_matches_one_sided_differences_exactly():
    rng = np.random.default_rng(3)
    at_kink = 0
    for _ in range(150):
        data, net = instance(rng, d_out=int(rng.integers(1, 3)))
        dW = np.array([[Fraction(int(v), 3) for v in rng.integers(-3, 4, net.d)]
                       for _ in range(net.m)], dtype=object)
        dH = np.array([[Fraction(int(v), 2) for v in rng.integers(-2, 3, net.d_out)]
                       for _ in range(net.m)], dtype=object)
        t0 = safe_step(net, data, dW)
        want = first_order_by_extrapolation(net, data, dW, dH, t0)
        assert directional_derivative(net, data, dW, dH) == want
        at_kink += any(v == 0 for v in (np.array(data.X, dtype=object) @ net.W.T).ravel())
    assert at_kink > 50                     # many of the points sit on kinks


def test_directional_derivative_float_away_from_kinks():
    rng = np.random.default_rng(4)
    data = Dataset.from_arrays(rng.normal(size=(6, 3)), rng.normal(size=(6, 2)))
    for _ in range(20):
        net = Network.from_arrays(rng.normal(size=(4, 3)), rng.normal(size=(4, 2)),
                                  Activation(1, "0.2"))
        dW, dH = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
        t = 1e-6
        fd = (loss(Network(net.W + t * dW, net.H + t * dH, net.activation), data)
              - loss(net, data)) / t
        assert abs(directional_derivative(net, data, dW, dH) - fd) < 1e-4 * (1 + abs(fd))


def test_one_sided_derivative_differs_across_a_kink():
    data = Dataset.from_arrays([[1, 1]], [[1]])
    net = Network.from_arrays([[1, -1]], [[1]], exact=True)      # the datum on the kink
    up = directional_derivative(net, data, [[1, 0]], [[0]])
    down = directional_derivative(net, data, [[-1, 0]], [[0]])
    assert up == first_order_by_extrapolation(net, data, np.array([[Fraction(1), 0]], object),
                                              np.array([[Fraction(0)]], object), Fraction(1))
    assert down == 0 and up == -2                # not the negative of each other


# --------------------------------------------------------------------------------------
# LP decision against the exact decision


def test_lp_and_exact_decisions_agree_on_1000_random_instances():
    rng = np.random.default_rng(2024)
    n_stat = n_fail = 0
    for _ in range(1000):
        data, net = instance(rng)
        e = stationarity(net, data, exact=True, clarke=False)
        f = stationarity(net.to_float(), data, exact=False, clarke=False)
        assert e.certainty == "exact" and f.certainty == "numerical"
        assert e.d_stationary == f.d_stationary
        for a, b in zip(e.neurons, f.neurons):
            assert (a.output_ok, a.cone_ok) == (b.output_ok, b.cone_ok)
        n_stat += e.d_stationary
        n_fail += not e.d_stationary
    assert n_stat > 50 and n_fail > 300           # both answers occur


def test_failed_cone_test_gives_a_descent_direction():
    rng = np.random.default_rng(8)
    found = 0
    for _ in range(200):
        data, net = instance(rng)
        st = stationarity(net, data, exact=True, clarke=False)
        for ns in st.neurons:
            if ns.output_ok and not ns.cone_ok:
                dW = np.zeros(net.W.shape, dtype=object) * Fraction(0)
                dW[ns.index] = ns.direction
                dH = np.zeros(net.H.shape, dtype=object) * Fraction(0)
                t0 = safe_step(net, data, dW)
                assert first_order_by_extrapolation(net, data, dW, dH, t0) < 0
                found += 1
    assert found > 20


# --------------------------------------------------------------------------------------
# Clarke stationarity


def test_clarke_but_not_d_stationary():
    net, data = clarke_not_d_example()
    res = stationarity(net, data)
    assert not res.d_stationary and res.clarke_stationary
    # independently: a direction of descent ...
    dW = np.array([[Fraction(1), Fraction(1)]], dtype=object)
    dH = np.array([[Fraction(0)]], dtype=object)
    assert first_order_by_extrapolation(net, data, dW, dH, Fraction(1, 4)) < 0
    # ... and 0 = the gradient of the smooth piece on the inactive side (x1·u < 0)
    piece = Network.from_arrays([[1, Fraction(-1) - Fraction(1, 10 ** 6)]], [[1]], exact=True)
    assert loss(piece, data) == loss(net, data)     # that piece is flat here: gradient 0
    f = stationarity(net.to_float(), data, exact=False)
    assert (f.d_stationary, f.clarke_stationary) == (False, True)


def test_d_stationary_implies_clarke_on_random_instances():
    rng = np.random.default_rng(11)
    seen = 0
    for _ in range(120):
        data, net = instance(rng)
        if net.m > 3:
            continue
        st = stationarity(net, data, exact=True)
        if st.d_stationary:
            assert st.clarke_stationary
            seen += 1
    assert seen > 5


# --------------------------------------------------------------------------------------
# certificates and descent paths


def test_local_minimum_certificate_survives_random_perturbations():
    rng = np.random.default_rng(5)
    checked = 0
    while checked < 6:
        data, net = instance(rng)
        rep = analyse(net, data, clarke=False)
        r = rep.certificate_radius
        if rep.local_minimum is not True or r in (None, math.inf) or not 0 < float(r) < 10:
            continue
        pt = perturbation_test(net, data, float(r), draws=10000, seed=checked)
        assert pt["negative"] == 0 and pt["min_change"] > -pt["tol"]
        checked += 1


def test_perturbation_test_can_fail():
    data = Dataset.from_arrays([[1, 0], [0, 1]], [[1], [-1]])
    saddle = Network.from_arrays([[1, 0], [0, 0]], [[1], [0]])      # a zero escape neuron
    assert perturbation_test(saddle, data, 0.5, draws=2000)["negative"] > 0


def test_escape_neuron_scalar_output_gives_a_decreasing_path():
    rng = np.random.default_rng(6)
    seen = 0
    for _ in range(400):
        data, net = instance(rng)
        rep = analyse(net, data, clarke=False)
        if not (rep.d_stationary and rep.escape_neurons):
            continue
        assert rep.local_minimum is False
        p = rep.descent
        assert p.kind == "escape" and p.decreasing()
        L0 = p.losses[0]
        for t, v in zip(p.ts[1:], p.losses[1:]):   # the proven bound, exactly
            assert v - L0 <= p.bound * t * t < 0
        seen += 1
    assert seen > 10


def test_vector_output_escape_is_undecided():
    data = Dataset.from_arrays([[1, 0], [0, 1]], [[1, 0], [0, 1]])
    net = Network.from_arrays([[0, 0]], [[0, 0]], exact=True)
    rep = analyse(net, data)
    assert rep.d_stationary and rep.escape_neurons == [0] and rep.local_minimum is None


def test_neuron_classification():
    data = Dataset.from_arrays([[1, 0], [0, 1], [1, 1]], [[1], [0], [1]])
    net = Network.from_arrays([[1, 0], [-1, -1], [0, 0], [1, -1]], [[1], [0], [0], [0]],
                              exact=True)
    st = {n.index: n.status for n in analyse(net, data).neurons}
    assert st[0] == "kink"          # (0, 1) sits on w0's kink
    assert st[1] == "dead"
    assert st[2] in ("zero", "escape")
    assert st[3] in ("kink", "escape")


# --------------------------------------------------------------------------------------
# embeddings


def test_embeddings_preserve_the_function_and_agree_with_the_conditions():
    rng = np.random.default_rng(7)
    kinds = {"zero": 0, "inactive-unit": 0, "inactive-propagation": 0, "replicate": 0}
    outcomes = set()
    for _ in range(160):
        data, net = instance(rng)
        kind = list(kinds)[int(rng.integers(0, 4))]
        kw = {}
        if kind == "inactive-unit":
            kw["w"] = [int(v) for v in rng.integers(-2, 3, net.d)]
        if kind == "inactive-propagation":
            kw["h"] = [int(rng.integers(-2, 3))]
        if kind == "replicate":
            lam = Fraction(int(rng.integers(-2, 5)), 3)
            kw.update(neuron=int(rng.integers(0, net.m)), lambdas=[lam, 1 - lam])
        rep = embedding_report(net, data, kind, **kw)
        assert rep["function_preserved"]
        new = rep["network"]
        assert (predict(new, data) == predict(net, data)).all()
        assert rep["agrees"], (kind, rep["predicted"], rep["stationary_after"],
                               rep["local_minimum_after"])
        kinds[kind] += 1
        outcomes.add((kind, rep["stationary_after"], rep["local_minimum_after"]))
    assert min(kinds.values()) > 20 and len(outcomes) >= 8


def test_replication_at_a_minimum():
    data = Dataset.from_arrays([[1, 0], [0, 1]], [[1], [0]])
    net = Network.from_arrays([[1, 0]], [[1]], exact=True)
    ok = embedding_report(net, data, "replicate", neuron=0, lambdas=["1/3", "2/3"])
    assert ok["preserves_local_minimum"] is True
    with pytest.raises(InputError):
        embed(net, "replicate", neuron=0, lambdas=["1/3", "1/3"])
    with pytest.raises(InputError):
        embed(net, "replicate", neuron=0, lambdas=["1/2", "1/2"], alphas=[1, 0])


# --------------------------------------------------------------------------------------
# dynamics


def numpy_gd(W, H, X, Y, lr, steps):
    """An independent plain-numpy gradient descent (ReLU)."""
    N, k = Y.shape
    out = []
    for _ in range(steps):
        Z = X @ W.T
        A = np.maximum(Z, 0)
        R = A @ H - Y
        out.append((R ** 2).sum() / (N * k))
        gH = 2 / (N * k) * A.T @ R
        gW = 2 / (N * k) * ((R @ H.T) * (Z > 0)).T @ X
        W, H = W - lr * gW, H - lr * gH
    return np.array(out), W, H


def test_compiled_gd_matches_a_numpy_loop():
    data = load_data("wsg-2out")
    rng = np.random.default_rng(0)
    W, H = rng.normal(size=(7, 2)) * 0.3, rng.normal(size=(7, 2)) * 0.3
    ref, W1, H1 = numpy_gd(W.copy(), H.copy(), data.Xf, data.Yf, 0.01, 300)
    L = gd_steps(W, H, data, 0.01, 300)
    assert np.allclose(L, ref, rtol=1e-12, atol=1e-15)
    assert np.allclose(W, W1, atol=1e-13) and np.allclose(H, H1, atol=1e-13)


def test_run_resumes_to_the_same_result(tmp_path):
    data = load_data("wsg-1d")
    out = tmp_path / "run.jsonl"
    full = gradient_descent(data, 8, -2, 1e-2, 3000, seed=3, snapshot_every=500)
    part = gradient_descent(data, 8, -2, 1e-2, 3000, seed=3, snapshot_every=500, out=out)
    lines = out.read_text().splitlines()
    out.write_text("\n".join(lines[:3]) + "\n" + lines[3][:20])   # interrupted while writing
    again = gradient_descent(data, 8, -2, 1e-2, 3000, seed=3, snapshot_every=500, out=out)
    assert again.resumed_from == 1000
    assert np.array_equal(again.losses, full.losses) and np.array_equal(again.W, full.W)
    assert np.array_equal(part.H, full.H)
    with pytest.raises(InputError, match="another run"):
        gradient_descent(data, 8, -2, 1e-2, 3000, seed=4, snapshot_every=500, out=out)


@pytest.mark.parametrize("kw, msg", [({"lr": float("nan")}, "--lr"),
                                     ({"lr": float("inf")}, "--lr"),
                                     ({"width": 0}, "--width"),
                                     ({"steps": 10 ** 9}, "--steps"),
                                     ({"mu": -400.0}, "--mu")])
def test_gd_refuses_bad_settings(kw, msg):
    args = {"width": 4, "mu": -2.0, "lr": 1e-3, "steps": 10} | kw
    with pytest.raises(InputError, match=msg):
        gradient_descent(load_data("wsg-1d"), **args)


def test_divergence_is_reported():
    with pytest.raises(ConvergenceError, match="diverged"):
        gradient_descent(load_data("wsg-1d"), 5, 0.5, 9.0, 2000,
                         activation=Activation(1, "0.5"))


def test_balancedness_is_nearly_conserved():
    tr = gradient_descent(load_data("wsg-1d"), 10, -1, 1e-3, 20000, seed=1)
    b = tr.balancedness()
    assert np.abs(b[-1] - b[0]).max() < 1e-4 * np.abs(tr.W).max() ** 2


# --------------------------------------------------------------------------------------
# the experiments: plateau sequences and exact plateau losses


def plateau_gaps(tr, rep):
    """|exact - run| for each plateau, and the run's own change across the plateau."""
    out = []
    for p in rep.plateaus:
        sel = (tr.loss_steps >= p.start) & (tr.loss_steps <= p.end)
        spread = tr.losses[sel].max() - tr.losses[sel].min()
        out.append((p.snap.loss_gap, spread, p.snap.exact_loss))
    return out


def test_experiment_1_plateaus_and_exact_losses():
    cfg = EXPERIMENTS["wsg-1d"]
    data = load_data("wsg-1d")
    tr = gradient_descent(data, cfg["width"], cfg["mu"], cfg["lr"], cfg["steps"], seed=0)
    rep = analyse_run(tr, perturb_draws=2000)
    assert len(rep.plateaus) == 3                    # the paper: three plateaus
    for gap, spread, ex in plateau_gaps(tr, rep):
        assert isinstance(ex, Fraction) and gap <= max(spread, 1e-12)
    losses = [p.snap.exact_loss for p in rep.plateaus]
    assert losses == sorted(losses, reverse=True)
    # independent values: the zero network, and the linear regression on (s, 1)
    assert losses[0] == sum(y[0] ** 2 for y in data.Y) / 5
    beta, res, *_ = np.linalg.lstsq(data.Xf, data.Yf, rcond=None)
    assert abs(float(losses[-1]) - float(res[0]) / 5) < 1e-15
    assert rep.final_status == "local minimum" and rep.final.certainty == "exact"
    assert rep.perturbation["negative"] == 0
    assert [p.analysis.local_minimum for p in rep.plateaus] == [False, False, True]


def test_experiment_3_plateaus_closed_forms():
    cfg = EXPERIMENTS["wsg-2out"]
    data = load_data("wsg-2out")
    tr = gradient_descent(data, cfg["width"], cfg["mu"], cfg["lr"], cfg["steps"], seed=0)
    rep = analyse_run(tr, perturb_draws=1000)
    seq = [p.snap.exact_loss for p in rep.plateaus]
    assert len(seq) == 4
    # independently: rank-one fit of (y1, y2) (singular values), x4 never fitted
    Y = data.Yf
    s = np.linalg.svd(Y[:2], compute_uv=False)
    y4 = (Y[3] ** 2).sum()
    want = [(Y ** 2).sum() / 8, ((Y[2:] ** 2).sum() + s[1] ** 2) / 8,
            (y4 + s[1] ** 2) / 8, y4 / 8]
    for ex, w in zip(seq, want):
        assert abs(float(ex) - w) < 1e-14
    for gap, spread, _ in plateau_gaps(tr, rep):
        assert gap <= max(spread, 1e-12)
    assert rep.final_status == "local minimum"


def test_plateau_detection_on_a_synthetic_curve():
    t = np.arange(0, 20000, 10)
    L = 0.3 - 0.1 / (1 + np.exp(-(t - 6000) / 80)) - 0.1 / (1 + np.exp(-(t - 14000) / 80))
    pl = find_plateaus(t, L, 1e-2)
    assert [round(p.loss, 4) for p in pl] == [0.3, 0.2, 0.1]


def test_snap_of_the_zero_network():
    data = load_data("wsg-3d")
    s = snap_point(np.full((4, 3), 1e-12), np.full((4, 1), 1e-12), data)
    assert s.exact_loss == sum(y[0] ** 2 for y in data.Y) / 7 and s.net is not None


# --------------------------------------------------------------------------------------
# data files, command line, bad input


def test_data_files(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("x1,x2,y1\n-1,1,0.28\n0.3,1,1/3\n")
    ds = load_data(str(p))
    assert ds.X[1] == (Fraction(3, 10), 1) and ds.Y[1] == (Fraction(1, 3),)
    j = tmp_path / "d.json"
    j.write_text('{"inputs": [[0.1, 1]], "outputs": [[2]]}')
    assert load_data(str(j)).X[0][0] == Fraction(1, 10)      # JSON numbers read exactly


@pytest.mark.parametrize("text, msg", [
    ('{"inputs": [[1, 2]], "outputs": [[1], [2]]}', "1 inputs but 2 outputs"),
    ('{"inputs": [[1, 2], [1]], "outputs": [[1], [2]]}', "input 2 has 1"),
    ('{"inputs": [[1, "x"]], "outputs": [[1]]}', "inputs\\[0\\]\\[1\\]"),
    ('{"inputs": [[1, NaN]], "outputs": [[1]]}', "not a finite number"),
    ('{"inputs": [[1, 2]]', "malformed JSON"),
    ('{"inputs": [[1, 2]]}', "missing key 'outputs'")])
def test_malformed_data_files(tmp_path, text, msg):
    p = tmp_path / "bad.json"
    p.write_text(text)
    with pytest.raises(InputError, match=msg):
        load_data(str(p))


def weights_file(tmp_path, net):
    p = tmp_path / "w.json"
    p.write_text(json.dumps(net.to_json()))
    return str(p)


def test_cli_stationary_json(tmp_path, capsys):
    data = load_data("wsg-1d")
    net = Network.from_arrays([[0, 0], [1, -1]], [[0], [1]], exact=True)
    w = weights_file(tmp_path, net)
    assert main(["stationary", "wsg-1d", "--weights", w, "--exact", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    for key in ("d_stationary", "clarke_stationary", "neurons", "local_minimum",
                "certificate_radius"):
        assert key in out
    assert {"index", "status", "margin"} <= set(out["neurons"][0])
    assert out["loss"] == str(loss(net, data))          # exact values as fractions
    assert main(["stationary", "wsg-1d", "--weights", w, "--embed", "zero", "--json"]) == 0
    emb = json.loads(capsys.readouterr().out)["embedding"]
    assert emb["function_preserved"] and emb["m_after"] == 3


def test_cli_dynamics_json(tmp_path, capsys):
    assert main(["dynamics", "wsg-2out", "--width", "6", "--mu", "-3", "--lr", "0.01",
                 "--steps", "20000", "--perturb", "100", "--json",
                 "--plot", str(tmp_path / "f.png")]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"plateaus", "final_loss", "final_status"} <= set(out)
    for p in out["plateaus"]:
        assert {"loss", "exact_loss", "start", "end", "escape_neurons"} <= set(p)
        assert isinstance(p["loss"], str)
    assert (tmp_path / "f.png").stat().st_size > 1000


@pytest.mark.parametrize("argv, msg", [
    (["dynamics", "wsg-1d", "--lr", "nan", "--steps", "10"], "--lr"),
    (["dynamics", "wsg-1d", "--lr", "inf", "--steps", "10"], "--lr"),
    (["dynamics", "wsg-1d", "--width", "100000", "--steps", "10"], "--width"),
    (["dynamics", "wsg-1d", "--activation", "1,1", "--steps", "10"], "a ≠ b"),
    (["dynamics", "my.csv"], "not found"),
    (["dynamics", "nope"], "no data set"),
    (["stationary", "wsg-1d", "--weights", "W"], "a ≠ b|input dimension|not found"),
])
def test_cli_bad_input_one_line_exit_2(tmp_path, capsys, argv, msg):
    import re
    if argv[-1] == "W":
        bad = Network.from_arrays([[1, 0, 0]], [[1]])            # d = 3 against d = 2
        argv = argv[:-1] + [weights_file(tmp_path, bad)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and re.search(msg, err)


def test_cli_bad_weights_files(tmp_path, capsys):
    p = tmp_path / "w.json"
    p.write_text('{"input_weights": [[1, 2]], "output_weights": [[1], [2]]}')
    assert main(["stationary", "wsg-1d", "--weights", str(p)]) == 2
    assert "1 input weight rows but 2" in capsys.readouterr().err
    p.write_text('{"input_weights": [[1, 2]], "output_weights": [[1]], '
                 '"activation": {"a": "1", "b": "1"}}')
    assert main(["stationary", "wsg-1d", "--weights", str(p)]) == 2
    assert "a ≠ b" in capsys.readouterr().err
