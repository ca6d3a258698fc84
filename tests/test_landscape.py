"""Training ensembles, isotropy detection, and the laws/activations beyond the Gaussian
ReLU case, against independent computations: Monte Carlo expectations (with their standard
errors), finite differences, the full-space formulas of symcrit.model, dense Hessians,
points built in a known Fix(H) then permuted and perturbed, group orders computed by hand,
and sweeps that are really interrupted (an exception, a killed worker, Ctrl-C) and
resumed."""
import json
import os
import signal
import subprocess
import sys
import time

import mpmath
import numpy as np
import pytest

from symcrit.cli import main
from symcrit.critical import get_family
from symcrit.core import InputError, SymcritError
from symcrit.landscape import train as train_mod
from symcrit.landscape import (ACTIVATIONS, ClosedForm, GaussianLaw, GaussianMixtureLaw,
                               ResultsFile, ResultsWarning, TrainConfig, analyse,
                               canonical, closed_form_gradient,
                               closed_form_loss, confirmed_isotropy, deep_forward,
                               deep_gradients, descend, initial_weights, load_records,
                               make_law, record_problem, run_ensemble, summary_table,
                               train_deep)
from symcrit.model import Problem
from symcrit.symmetry import FixedSpace, YoungIsotropy, detect_isotropy


def _spd(rng, d):
    A = rng.standard_normal((d, d))
    return A @ A.T / d + 0.3 * np.eye(d)


# ----------------------------------------------------------------------------- laws
@pytest.mark.parametrize("act", ["relu", "erf"])
@pytest.mark.parametrize("law", ["equicorrelated:0.3", "equicorrelated:-0.2",
                                 "mixture:0.5,1.5", "gaussian", "spd", "spd-mixture"])
def test_closed_form_losses_against_monte_carlo(act, law):
    rng = np.random.default_rng(3)
    k, d = 4, 5
    W = rng.standard_normal((k, d))
    V = rng.standard_normal((3, d))
    a, b = rng.uniform(0.5, 1.5, k), rng.uniform(0.5, 1.5, 3)
    if law == "spd":
        L = GaussianLaw(_spd(rng, d))
    elif law == "spd-mixture":
        L = GaussianMixtureLaw([0.3, 0.7], [_spd(rng, d), 2.0 * _spd(rng, d)])
    else:
        L = make_law(law, d)
    exact = closed_form_loss(W, V, L, act, a, b)
    X = L.sample(rng, (400000,))
    s = ACTIVATIONS[act][0]
    r2 = (s(X @ W.T) @ a - s(X @ V.T) @ b) ** 2
    mc, se = 0.5 * r2.mean(), 0.5 * r2.std() / np.sqrt(len(r2))
    assert abs(exact - mc) < 4 * se
    # the gradient against central differences of the loss
    G = closed_form_gradient(W, V, L, act, a, b)
    h = 1e-6
    for (i, j) in [(0, 0), (2, 3), (3, 1)]:
        E = np.zeros_like(W)
        E[i, j] = h
        fd = (closed_form_loss(W + E, V, L, act, a, b)
              - closed_form_loss(W - E, V, L, act, a, b)) / (2 * h)
        assert abs(fd - G[i, j]) < 1e-6 * max(1, abs(fd))


def test_closed_form_loss_is_never_below_zero():
    """Near a global minimum the three terms of the closed form cancel; their round-off is
    not reported as a negative loss, and a small positive loss is kept (against the
    closed form ½(1-c)²(k/2 + k(k-1)/2π) at W = cI, Gaussian inputs)."""
    rng = np.random.default_rng(3)
    for law in ("gaussian", "equicorrelated:0.3", "mixture:0.5,1.5"):
        cf = ClosedForm(make_law(law, 6))
        W = np.eye(6) + 1e-9 * rng.standard_normal((40, 6, 6))
        assert (cf.loss(W) >= 0).all()
    cf = ClosedForm(make_law("gaussian", 6))
    for c in (1 + 1e-3, 1 + 1e-6):
        exact = 0.5 * (1 - c) ** 2 * (3 + 30 / (2 * np.pi))
        assert abs(float(cf.loss(c * np.eye(6))) - exact) < 1e-14 + 1e-6 * exact


def test_batched_gradient_against_the_full_space_model():
    rng = np.random.default_rng(0)
    W = rng.standard_normal((7, 6, 5))                       # 7 runs, k = 6, d = 5
    V = rng.standard_normal((3, 5))
    a, b = rng.uniform(0.5, 1.5, 6), rng.uniform(0.5, 1.5, 3)
    cf = ClosedForm(GaussianLaw.standard(5), "relu", V, b)
    G = cf.gradient(W, a)
    P = Problem(V, a, b)
    for r in range(7):
        assert np.abs(G[r] - np.asarray(P.gradient(W[r]), float)).max() < 1e-13
        assert abs(cf.loss(W[r], a) - P.loss(W[r])) < 1e-12
    # a smaller batch after a larger one reuses the buffers correctly
    assert np.abs(cf.gradient(W[:2], a) - G[:2]).max() == 0


def test_bad_laws():
    for spec in ["cauchy", "equicorrelated:2", "mixture:1", "equicorrelated:x",
                 "mixture:1,-2"]:
        with pytest.raises(InputError):
            make_law(spec, 4)


# ----------------------------------------------------------------------------- detection
def _random_fixed_point(label, k, rng):
    F = FixedSpace(label)
    xi = rng.uniform(-1, 1, F.dimension)
    return np.asarray(F.embed(xi, k), float)


@pytest.mark.parametrize("label,k", [
    ("ΔS_k", 7), ("ΔS_{k-1}", 9), ("Δ(S_{k-2}×S_2)", 10), ("ΔS_{k-2}", 8),
    ("Δ(S_{k-3}×S_3)", 12), ("Δ(S_{k-4}×S_2)", 9)])
def test_detection_recovers_the_group_of_points_built_in_fix_h(label, k):
    rng = np.random.default_rng(k)
    W = _random_fixed_point(label, k, rng)
    p, q = rng.permutation(k), rng.permutation(k)
    Wn = W[p][:, q] + 1e-9 * rng.standard_normal((k, k))      # noise below tol
    iso = detect_isotropy(Wn, tol=1e-6)
    H = YoungIsotropy(label).at(k)
    assert iso.label == label and iso.exact
    assert iso.order == int(H.order())                       # sympy factorials
    assert iso.margin > 10
    # the Δ-blocks are the template's blocks, moved by the permutation
    inv_p, inv_q = np.argsort(p), np.argsort(q)
    rows, cols = H.row_ranges(), H.col_ranges()
    want = sorted((sorted(inv_p[rows[i]].tolist()), sorted(inv_q[cols[i]].tolist()))
                  for i in range(H.n_delta) if len(rows[i]) >= 2)
    assert sorted(iso.delta_blocks) == want


def test_detection_does_not_over_claim():
    rng = np.random.default_rng(5)
    for shape in [(7, 7), (20, 20), (6, 9)]:
        iso = detect_isotropy(rng.standard_normal(shape), tol=1e-6)
        assert iso.order == 1 and iso.exact
    W = np.asarray(get_family("type-A").point(8, dps=20).W("float"), float)
    noisy = W + 1e-3 * rng.standard_normal((8, 8))          # noise far above tolerance
    assert detect_isotropy(noisy, tol=1e-6).order == 1
    iso = detect_isotropy(W + 1e-7 * rng.standard_normal((8, 8)), tol=1e-6)
    assert iso.label == "ΔS_{k-1}" and iso.margin < 1e3     # a visibly smaller margin


def test_detection_finds_isotropy_that_is_not_of_young_type():
    # two identical Δ-blocks: the swap of the blocks is a symmetry no transposition
    # gives; the group is (S_3 × S_3) ⋊ S_2, of order 3!·3!·2 = 72
    A = 1.0 * np.eye(3) + 0.2 * (np.ones((3, 3)) - np.eye(3))
    W = np.full((6, 6), -0.3)
    W[:3, :3] = A
    W[3:, 3:] = A
    rng = np.random.default_rng(2)
    p, q = rng.permutation(6), rng.permutation(6)
    iso = detect_isotropy(W[p][:, q], tol=1e-6)
    assert iso.order == 72 and iso.exact and iso.label is None
    assert "not of Young type" in iso.note
    # a generic circulant: only the 5 simultaneous cyclic shifts
    c = rng.standard_normal(5)
    iso = detect_isotropy(np.array([np.roll(c, i) for i in range(5)]), tol=1e-6)
    assert iso.order == 5 and iso.label is None


@pytest.mark.parametrize("name,k", [("type-A", 9), ("type-A2", 10), ("hidden-D", 7)])
def test_confirmation_refines_to_a_critical_point_with_that_isotropy(name, k):
    fam = get_family(name)
    cp0 = fam.point(k, dps=20)
    W = np.asarray(cp0.W("float"), float)
    rng = np.random.default_rng(k)
    p, q = rng.permutation(k), rng.permutation(k)
    iso = confirmed_isotropy(W[p][:, q] + 1e-9 * rng.standard_normal((k, k)), tol=1e-6)
    assert iso.label == fam.isotropy
    cp = iso.confirmed
    assert abs(cp.loss - cp0.loss) < 1e-15 and iso.confirm_distance < 1e-7
    # the full-space gradient at the refined point, in mpmath (symcrit.model)
    with mpmath.workdps(30):
        G = Problem.canonical(k, k).gradient(cp.W("mpmath"), system="mpmath")
        assert mpmath.sqrt(mpmath.fsum(x ** 2 for x in np.ravel(G))) < 1e-18


# ----------------------------------------------------------------------------- training
def test_default_step_is_inside_the_stability_bound():
    """The GD default step (power iteration at W = I and the starts of runs 0-2) against
    λ_max of dense Hessians (symcrit.model) at other Xavier starts and at catalogue
    minima: η λ_max close to 1, well below 2; and against the rule of thumb 4/(k+4)."""
    for k in (6, 20):
        cfg = TrainConfig(k=k, runs=1)
        assert abs(cfg.lr * (k + 4) / 4 - 1) < 0.2
        P = Problem.canonical(k, k)
        pts = [initial_weights(cfg, r)[0] for r in range(3, 6)]
        pts += [np.asarray(get_family(f).point(k, dps=20).W("float"), float)
                for f in ("global", "type-A")]
        for W in pts:
            H = np.asarray(P.hessian(W), float).reshape(k * k, k * k)
            lam = np.linalg.eigvalsh(H)[-1]
            assert 0.6 < cfg.lr * lam < 1.1


def test_default_step_follows_the_law():
    """With Σ = (1-ρ)I + ρJ the Hessian grows by about λ_max(Σ) = 1 + ρ(d-1); the default
    step shrinks with it (a step fixed in k alone made GD diverge here)."""
    cfg = TrainConfig(k=8, runs=4, law="equicorrelated:0.3", seed=2)
    cf = ClosedForm(make_law(cfg.law, 8))
    W = initial_weights(cfg, 7)[0]
    n, h = W.size, 1e-5
    E = np.eye(n).reshape(n, 8, 8) * h
    H = (cf.gradient(W + E) - cf.gradient(W - E)).reshape(n, n) / (2 * h)
    assert 0.6 < cfg.lr * np.linalg.eigvalsh(0.5 * (H + H.T))[-1] < 1.2
    assert all(r["reason"] == "gradient" for r in run_ensemble(cfg, workers=1))


def test_initialisations_have_the_stated_variances():
    for init, var in (("xavier", 2 / (6 + 14)), ("he", 2 / 14)):
        cfg = TrainConfig(k=6, d=14, runs=1, init=init)
        x = np.concatenate([initial_weights(cfg, r)[0].ravel() for r in range(300)])
        se = var * np.sqrt(2 / len(x))                    # sd of a Gaussian sample variance
        assert abs(x.var() - var) < 4 * se
    a = initial_weights(TrainConfig(k=4, runs=1, seed=3), 7)[0]
    b = initial_weights(TrainConfig(k=4, runs=1, seed=3), 7)[0]
    assert np.array_equal(a, b)                           # each run reproducible alone


def test_gd_stopping_rules_and_records():
    cfg = TrainConfig(k=6, runs=5, optimizer="gd", max_iter=6000, seed=1)
    recs = run_ensemble(cfg, workers=1)
    P = Problem.canonical(6, 6)
    for r in recs:
        W = np.array(r["W"], float)
        g = float(np.sqrt((np.asarray(P.gradient(W), float) ** 2).sum()))
        assert r["reason"] == "gradient" and g < cfg.gtol * (1 + 1e-6)
        assert repr(float(r["loss"])) == r["loss"]        # decimal strings, no lost digits
    # too few steps: honest max_iter, with the gradient norm it stopped at
    short = run_ensemble(TrainConfig(k=6, runs=3, max_iter=50, seed=1), workers=1)
    assert all(r["reason"] == "max_iter" and r["iterations"] == 50 and
               float(r["gradient_norm"]) > 1e-8 for r in short)
    # a run alone gives the same end point as in a batch
    alone = train_mod.train_runs(cfg, [3])[0]
    assert alone["W"] == recs[3]["W"]
    # k = d = 100 runs (a few steps)
    big = train_mod.train_runs(TrainConfig(k=100, runs=2, max_iter=3), [0, 1])
    W = np.array(big[1]["W"], float)
    G = np.asarray(Problem.canonical(100, 100).gradient(W), float)
    assert abs(float(big[1]["gradient_norm"]) - np.sqrt((G * G).sum())) < 1e-9


def test_gd_ensemble_is_reproducible_across_processes_dask_and_resume(tmp_path):
    cfg = TrainConfig(k=5, runs=6, optimizer="gd", max_iter=4000, seed=2)
    serial = run_ensemble(cfg, workers=1)
    par = run_ensemble(cfg, workers=2, chunk=2)
    assert [r["W"] for r in serial] == [r["W"] for r in par]
    # a file with the header, two runs, a cut line and a duplicated run
    out = tmp_path / "sweep.jsonl"
    run_ensemble(TrainConfig(k=5, runs=2, optimizer="gd", max_iter=4000, seed=2), out=out,
                 workers=1)
    lines = out.read_text().splitlines()
    with open(out, "a") as fh:
        fh.write(lines[1] + "\n" + '{"run": 4, "W": [[')
    with pytest.warns(ResultsWarning, match="2 line"):          # quarantined, run again
        resumed = run_ensemble(cfg, out=out, workers=1)
    assert [r["W"] for r in resumed] == [r["W"] for r in serial]
    assert [r["run"] for r in load_records(out, cfg)] == list(range(6))
    with pytest.raises(InputError):
        run_ensemble(TrainConfig(k=4, runs=2), out=out)            # another sweep
    from distributed import Client, LocalCluster
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cl, Client(cl) as client:
        dask = run_ensemble(cfg, scheduler=client, chunk=2)
        by_address = run_ensemble(cfg, scheduler=cl.scheduler_address, chunk=4)
    assert [r["W"] for r in dask] == [r["W"] for r in serial]
    assert [r["W"] for r in by_address] == [r["W"] for r in serial]


def _numbers_are_strings(obj, ints=("run", "iterations", "seed")):
    if isinstance(obj, dict):
        return all(k in ints or _numbers_are_strings(v) for k, v in obj.items())
    if isinstance(obj, list):
        return all(_numbers_are_strings(v) for v in obj)
    return not isinstance(obj, float)


def test_sweep_interrupted_by_an_error_resumes_without_loss_or_duplicates(tmp_path,
                                                                          monkeypatch):
    cfg = TrainConfig(k=5, runs=9, optimizer="gd", max_iter=3000, seed=4)
    full = run_ensemble(cfg, workers=1)
    out = tmp_path / "s.jsonl"
    real, calls = train_mod.train_runs, []

    def flaky(c, runs, **kw):
        calls.append(runs)
        if len(calls) == 3:
            raise RuntimeError("boom")
        return real(c, runs, **kw)
    monkeypatch.setattr(train_mod, "train_runs", flaky)
    with pytest.raises(RuntimeError):
        run_ensemble(cfg, out=out, workers=1, chunk=2)
    assert [r["run"] for r in load_records(out, cfg)] == [0, 1, 2, 3]
    monkeypatch.setattr(train_mod, "train_runs", real)
    again = run_ensemble(cfg, out=out, workers=1, chunk=2)
    assert [r["W"] for r in again] == [r["W"] for r in full]
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert sorted(x["run"] for x in lines[1:]) == list(range(9))       # each run once
    assert all(_numbers_are_strings(x) for x in lines)


def _children(pid):
    try:
        out = []
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                out += [int(x) for x in fh.read().split()]
        return out
    except OSError:
        return []


def _records_in(path):
    try:
        return sum(1 for x in path.read_bytes().splitlines()[1:] if x.strip())
    except OSError:
        return 0


def _wait_started(path, n, proc, timeout=120):
    """Wait (polling, no fixed sleep) until the sweep has written ``n`` records."""
    t = time.time()
    while time.time() - t < timeout and proc.poll() is None:
        if _records_in(path) >= n:
            return True
        time.sleep(0.02)
    return False


# runs that never reach --gtol: each takes --max-iter steps (about 0.25 s), so that 24 runs
# on 2 workers keep the sweep busy for seconds after the first records
SLOW_SWEEP = ["--k", "6", "--runs", "24", "--max-iter", "4000", "--gtol", "1e-300",
              "--chunk", "1", "--seed", "3"]


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="needs Linux /proc")
@pytest.mark.parametrize("how", ["kill a worker", "ctrl-c"])
def test_cli_sweep_really_interrupted_then_resumed(tmp_path, how):
    """Deterministic under load: once two records are written the parent is stopped
    (SIGSTOP), the file is checked to have work left, the interruption is sent, and only
    then is the parent continued, so the sweep cannot finish before the signal lands."""
    out = tmp_path / "sweep.jsonl"
    argv = [sys.executable, "-m", "symcrit", "train", *SLOW_SWEEP, "--workers", "2",
            "--out", str(out), "--json"]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    assert _wait_started(out, 2, proc), "no runs were written"
    os.kill(proc.pid, signal.SIGSTOP)
    try:
        assert _records_in(out) < 24, "the sweep has no work left"
        if how == "kill a worker":
            kids = _children(proc.pid)
            assert kids
            os.kill(kids[0], signal.SIGKILL)
        else:
            os.kill(proc.pid, signal.SIGINT)
    finally:
        os.kill(proc.pid, signal.SIGCONT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == (1 if how == "kill a worker" else 130), err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert ("worker process died" if how == "kill a worker" else "interrupted") in err
    cfg = TrainConfig(k=6, runs=24, seed=3, max_iter=4000, gtol=1e-300)
    partial = [r["run"] for r in load_records(out, cfg)]
    assert len(partial) == len(set(partial)) and 2 <= len(partial) < 24
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert sum(t["count"] for t in json.loads(done.stdout)["summary"]) == 24
    lines = [json.loads(x) for x in out.read_text().splitlines() if x.strip()][1:]
    runs = [x["run"] for x in lines if isinstance(x, dict)]
    assert sorted(runs) == list(range(24))
    ref = train_mod.train_runs(cfg, [0, 23])
    got = {x["run"]: x for x in lines}
    assert got[0]["W"] == ref[0]["W"] and got[23]["W"] == ref[1]["W"]


def _alive(pid):
    """Whether ``pid`` runs (a zombie, dead but not yet reaped, does not)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="needs Linux /proc")
def test_workers_die_with_the_parent(tmp_path):
    out = tmp_path / "sweep.jsonl"
    argv = [sys.executable, "-m", "symcrit", "train", *SLOW_SWEEP, "--workers", "2",
            "--out", str(out), "--json"]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert _wait_started(out, 1, proc), "no runs were written"
    kids = _children(proc.pid)
    assert len(kids) >= 2
    proc.kill()                                                   # kill -9 of the parent
    proc.wait(timeout=10)
    t = time.time()
    while time.time() - t < 5 and any(_alive(k) for k in kids):
        time.sleep(0.05)
    assert not any(_alive(k) for k in kids), "a worker survived its parent"
    # no survivor holds the lock: the file can be taken again at once
    with ResultsFile(out, TrainConfig(k=6, runs=24, seed=3, max_iter=4000, gtol=1e-300)):
        pass


def _clean_sweep(tmp_path, runs=6):
    cfg = TrainConfig(k=4, runs=runs, max_iter=3000, seed=2)
    out = tmp_path / "s.jsonl"
    ref = run_ensemble(cfg, out=out, workers=1)
    return cfg, out, ref


def test_resume_quarantines_every_kind_of_foreign_record(tmp_path):
    """A results file poisoned in every way seen: each bad line is moved byte for byte to
    FILE.quarantine with one warning, its run is run again, and the sweep ends equal to a
    clean one (end points compared with a sweep that never saw the file)."""
    cfg, out, _ = _clean_sweep(tmp_path)
    fresh = run_ensemble(cfg, workers=1)                  # no file involved
    head, *recs = out.read_bytes().splitlines()
    good = {json.loads(x)["run"]: x for x in recs}
    r3 = json.loads(good[3])
    nine = json.dumps(dict(r3, W=[["0.5"] * 9] * 9)).encode()          # a k = 9 W
    floats = json.dumps(dict(json.loads(good[4]), loss=0.5)).encode()  # a float number
    wrong_seed = json.dumps(dict(json.loads(good[1]), seed=[7, 1])).encode()
    stranger = json.dumps(dict(json.loads(good[2]), extra="x")).encode()
    bad = [b'{"run": 5}', nine, b"\xff\xfe not UTF-8 \x80", floats, b"[1, 2, 3]",
           wrong_seed, stranger, json.dumps(dict(r3, run=-1, seed=[2, -1])).encode(),
           json.dumps(dict(r3, iterations=10 ** 9)).encode()]
    dup = good[0]
    # kept: runs 0 and 3 (run 0 twice: the second is quarantined); the last line is cut
    body = [head, good[0], *bad, good[3], dup, good[3][:40]]
    out.write_bytes(b"\n".join(body))
    with pytest.warns(ResultsWarning) as w:
        again = run_ensemble(cfg, out=out, workers=1)
    assert len(w) == 1 and str(w[0].message).count("\n") == 0
    assert f"{len(bad) + 2} line(s)" in str(w[0].message)
    assert [r["W"] for r in again] == [r["W"] for r in fresh]
    q = (tmp_path / "s.jsonl.quarantine").read_bytes().splitlines()
    assert sorted(q) == sorted(bad + [dup, good[3][:40]])          # moved, not lost
    lines = out.read_bytes().splitlines()
    assert lines[0] == head and len(lines) == 1 + cfg.runs
    assert sorted(json.loads(x)["run"] for x in lines[1:]) == list(range(cfg.runs))
    assert all(record_problem(json.loads(x), cfg) is None for x in lines[1:])
    # once clean, a resume runs nothing and warns nothing
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert [r["W"] for r in run_ensemble(cfg, out=out, workers=1)] == \
            [r["W"] for r in fresh]


def test_resume_keeps_runs_of_a_larger_sweep_and_refuses_foreign_files(tmp_path):
    cfg, out, ref = _clean_sweep(tmp_path)
    small = TrainConfig(k=4, runs=3, max_iter=3000, seed=2)
    assert [r["run"] for r in run_ensemble(small, out=out, workers=1)] == [0, 1, 2]
    assert len(out.read_bytes().splitlines()) == 1 + cfg.runs          # nothing dropped
    other = tmp_path / "other.jsonl"
    other.write_bytes(b"\xff\xfe\n")
    with pytest.raises(InputError, match="not a symcrit results file"):
        run_ensemble(cfg, out=other, workers=1)
    assert other.read_bytes() == b"\xff\xfe\n"                        # left alone


def test_a_second_writer_is_locked_out(tmp_path, capsys):
    cfg, out, _ = _clean_sweep(tmp_path, runs=2)
    with ResultsFile(out, cfg):                   # a sweep writing the file
        assert main(["train", "--k", "4", "--runs", "2", "--max-iter", "3000", "--seed",
                     "2", "--out", str(out), "--workers", "1"]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "locked" in err and "another process" in err
        with pytest.raises(InputError, match="locked"):
            run_ensemble(cfg, out=out, workers=1)
    assert len(run_ensemble(cfg, out=out, workers=1)) == 2         # free again


def test_writing_to_a_full_disk_is_one_line(tmp_path, monkeypatch):
    cfg = TrainConfig(k=3, runs=2, max_iter=20, seed=1)
    out = tmp_path / "s.jsonl"

    def full(fd, data):
        raise OSError(28, "No space left on device")
    real = os.write
    with ResultsFile(out, cfg) as rf:
        monkeypatch.setattr(os, "write", full)
        with pytest.raises(SymcritError, match="No space left"):
            rf.append([{"run": 0}])
        monkeypatch.setattr(os, "write", real)
    monkeypatch.setattr(os, "write", full)                 # the header of a new file
    with pytest.raises(InputError, match="No space left"):
        ResultsFile(tmp_path / "new.jsonl", cfg)
    monkeypatch.setattr(os, "write", real)
    # in a sweep: one line, exit 1, the runs saved so far named
    calls = []

    def full_later(fd, data):
        calls.append(1)
        if len(calls) > 2:
            raise OSError(28, "No space left on device")
        return real(fd, data)
    monkeypatch.setattr(os, "write", full_later)
    with pytest.raises(SymcritError, match="No space left.*1 of 2 runs are saved"):
        run_ensemble(cfg, out=tmp_path / "s2.jsonl", workers=1, chunk=1)


def test_a_diverged_run_is_labelled_diverged_everywhere(capsys):
    cfg = TrainConfig(k=4, runs=2, lr=1e300, max_iter=50, seed=0)
    recs = run_ensemble(cfg, workers=1)
    assert [r["reason"] for r in recs] == ["diverged"] * 2
    assert all(r["loss"] == "nan" and r["loss_method"] == "diverged" for r in recs)
    rows = analyse(recs, cfg)
    assert [r["kind"] for r in rows] == ["diverged"] * 2
    assert [(t["kind"], t["count"]) for t in summary_table(rows)] == [("diverged", 2)]
    assert main(["train", "--k", "4", "--runs", "2", "--lr", "1e300", "--max-iter", "50",
                 "--workers", "1", "--json"]) == 0
    cap = capsys.readouterr()
    js = json.loads(cap.out)
    assert js["stopping"] == {"diverged": 2}
    assert {r["kind"] for r in js["runs"]} == {"diverged"}
    assert [t["kind"] for t in js["summary"]] == ["diverged"]
    assert "not converged" not in cap.out and "warning" not in cap.err
    from symcrit.schemas import validate
    validate(js)


def test_spurious_minima_found_at_k_10_to_20_are_catalogue_families():
    """GD ensembles at k = 10 and 20: a spurious minimum named by a family has that
    family's loss (the family's own point, found by continuation); one with a family's
    isotropy that is left unnamed really is another critical point (its loss differs);
    the refined points satisfy the full gradient condition in mpmath (symcrit.model, not
    the restricted loss) and are minima of the dense Hessian."""
    named = 0
    for k, seed, runs in ((10, 1, 16), (20, 0, 12)):
        cfg = TrainConfig(k=k, runs=runs, optimizer="gd", seed=seed)
        recs = run_ensemble(cfg, workers=2)
        rows = analyse(recs, cfg)
        P = Problem.canonical(k, k)
        labels = {f.isotropy: f.name for f in [get_family(n) for n in (
            "type-A", "type-A2", "type-A3", "type-A4", "type-A5")]}
        for row in rows:
            assert row["kind"] in ("global", "spurious"), row
            if row["kind"] != "spurious":
                continue
            if row["isotropy"] in labels:
                fam = get_family(labels[row["isotropy"]])
                diff = abs(float(row["refined_loss"] - fam.point(k, dps=25).loss))
                if row["family"] == fam.name:
                    assert diff < 1e-20
                    named += 1
                else:
                    assert row["family"] is None and diff > 1e-6
            assert row["min_hessian_eigenvalue"] > 0
        for row in [r for r in rows if r["kind"] == "spurious"][:3]:
            rec = next(r for r in recs if r["run"] == row["run"])
            iso = confirmed_isotropy(np.array(rec["W"], float), tol=1e-4, dps=30)
            with mpmath.workdps(30):
                G = P.gradient(iso.confirmed.W("mpmath"), system="mpmath")
                assert mpmath.sqrt(mpmath.fsum(x ** 2 for x in np.ravel(G))) < 1e-20
    assert named >= 4


def test_sgd_end_points_are_polished_and_classified():
    cfg = TrainConfig(k=6, runs=6, optimizer="sgd", max_iter=1500, seed=5)
    recs = run_ensemble(cfg, workers=1)
    rows = analyse(recs, cfg)
    assert all(r["polish_distance"] is not None for r in rows)
    assert all(r["kind"] in ("global", "spurious") for r in rows)
    # polishing is plain GD on the closed form: from a critical point it does not move
    cf = ClosedForm(make_law("gaussian", 6))
    W = np.asarray(get_family("type-A").point(6, dps=20).W("float"), float)
    Wp, steps, why = descend(cf, W[None], 0.4)
    assert why == ["gradient"] and np.abs(Wp[0] - W).max() < 1e-12


def test_sgd_and_adam_on_sampled_laws_and_activations_reduce_the_loss():
    for opt, law, act in [("sgd", "uniform-cube", "relu"), ("adam", "gaussian", "tanh"),
                          ("sgd", "uniform-sphere", "softplus")]:
        cfg = TrainConfig(k=3, runs=2, optimizer=opt, law=law, activation=act,
                          max_iter=400, lr=0.05 if opt == "sgd" else 0.02, seed=1)
        recs = run_ensemble(cfg, workers=1)
        start = TrainConfig(k=3, runs=2, optimizer=opt, law=law, activation=act,
                            max_iter=1, lr=1e-12, seed=1)
        before = run_ensemble(start, workers=1)
        for r, r0 in zip(recs, before):
            se = float(r["loss_stderr"]) + float(r0["loss_stderr"])
            assert float(r["loss"]) < float(r0["loss"]) - 4 * se
    with pytest.raises(InputError):
        TrainConfig(k=3, optimizer="gd", activation="tanh")       # no closed form for GD


def test_three_layer_backprop_and_the_first_layer_read_at_a_global_minimum():
    rng = np.random.default_rng(0)
    sig, dsig = ACTIVATIONS["tanh"]
    X = rng.standard_normal((50, 3))
    W, U = rng.standard_normal((3, 3)), rng.standard_normal((3, 3))
    tgt = deep_forward(X, np.eye(3), np.eye(3), sig)[3]
    loss = lambda W, U: 0.5 * np.mean((deep_forward(X, W, U, sig)[3] - tgt) ** 2)
    gW, gU, _ = deep_gradients(X, W, U, sig, dsig, tgt)
    h = 1e-6
    E = np.zeros((3, 3))
    E[1, 2] = h
    assert abs((loss(W + E, U) - loss(W - E, U)) / (2 * h) - gW[1, 2]) < 1e-7
    assert abs((loss(W, U + E) - loss(W, U - E)) / (2 * h) - gU[1, 2]) < 1e-7
    # ReLU: W = diag(1/s) P with U ≥ 0 of column sums s is a global minimum; its raw W
    # has no isotropy, the canonical first layer is the permutation P (ΔS_k)
    k = 5
    Pm = np.eye(k)[rng.permutation(k)]
    U = rng.uniform(0.1, 1.0, (k, k))
    Wg = Pm / U.sum(0)[:, None]
    relu = ACTIVATIONS["relu"][0]
    Xs = rng.standard_normal((2000, k))
    assert np.abs(deep_forward(Xs, Wg, U, relu)[3] -
                  deep_forward(Xs, np.eye(k), np.eye(k), relu)[3]).max() < 1e-12
    assert detect_isotropy(Wg, tol=1e-6).order == 1
    Wc, Uc = canonical(Wg, U, "relu")
    assert np.abs(deep_forward(Xs, Wc, Uc, relu)[3] - deep_forward(Xs, Wg, U, relu)[3]
                  ).max() < 1e-12
    assert detect_isotropy(Wc, tol=1e-6).label == "ΔS_k"
    recs = train_deep(TrainConfig(k=3, runs=1, depth=3, optimizer="sgd", max_iter=300,
                                  activation="tanh", lr=0.05), [0])
    assert np.isfinite(float(recs[0]["loss"])) and "W_raw" in recs[0]


# ----------------------------------------------------------------------------- command
def test_cli_train_json_and_plot(capsys, tmp_path):
    png = tmp_path / "t.png"
    assert main(["train", "--k", "5", "--runs", "4", "--max-iter", "3000", "--json",
                 "--workers", "1", "--plot", str(png)]) == 0
    js = json.loads(capsys.readouterr().out)
    assert sum(t["count"] for t in js["summary"]) == 4
    assert {"isotropy", "family", "count", "loss_min", "kind"} <= set(js["summary"][0])
    from fractions import Fraction
    from symcrit.schemas import validate
    validate(js)                                              # symcrit.train, version 1
    assert (js["format"], js["version"], js["config"]["k"]) == ("symcrit.train", 1, "5")
    for t in js["summary"]:                   # exact fractions from the counts: 1, 0.25, …
        assert Fraction(t["fraction"]) == Fraction(t["count"], 4)
    # a loss is an expectation of squares: round-off below 0 is printed as 0
    assert all(not r["loss"].startswith("-") for r in js["runs"])
    assert all(not t["loss_min"].startswith("-") for t in js["summary"])
    assert _numbers_are_strings(js, ints=("count", "k", "d", "max_iter", "batch",
                                          "check_every", "seed", "depth", "run",
                                          "gradient", "max_iter", "runs", "exact"))
    import matplotlib.image as mpimg
    img = mpimg.imread(png)
    assert img.shape[0] > 300 and img.shape[1] > 800 and img[..., :3].std() > 0.05


@pytest.mark.parametrize("argv", [
    ["train", "--k", "5", "--law", "cauchy"],
    ["train", "--k", "0"],
    ["train", "--k", "5", "--runs", "0"],
    ["train", "--k", "5", "--activation", "tanh"],
    ["train", "--k", "5", "--plot", "x.txt"],
    ["train", "--k", "5", "--lr", "-1"],
    ["train", "--k", "5", "--gtol", "0"],
    ["train", "--k", "5", "--tol", "0"],
    ["train", "--k", "5", "--workers", "0"],
    ["train", "--k", "5", "--chunk", "0"],
    ["train", "--k", "5", "--depth", "3"],
    ["train", "--k", "5", "--d", "4", "--depth", "3", "--optimizer", "sgd"],
    ["train", "--k", "5", "--out", "/"],
    ["train", "--k", "5", "--out", "setup.cfg"],
    ["train", "--k", "5", "--out", ""],
    ["train", "--k", "5", "--seed", "-1"],
    ["train", "--k", "5", "--max-memory", "nan"],
])
def test_cli_train_bad_input(capsys, argv):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("argv, says", [
    (["--k", "1000"], ["between 1 and 200", "O(k²d)"]),
    (["--k", "5", "--d", "1000"], ["between 1 and 200"]),
    (["--k", "5", "--runs", str(10 ** 9)], ["--runs 1000000000", "memory limit",
                                            "--max-memory"]),
    (["--k", "5", "--runs", "100", "--max-memory", "0.0001"], ["memory limit",
                                                               "--max-memory"]),
    (["--k", "5", "--optimizer", "sgd", "--batch", str(10 ** 9)],
     ["TiB", "--batch", "memory limit", "--max-memory"]),
    (["--k", "5", "--workers", "300"], ["--workers 300", "per core", "at most"]),
    (["--k", "5", "--out", "/dev/full"], ["not a regular file", "character device"]),
    (["--k", "5", "--max-iter", str(10 ** 30)], ["at most 1e+08"]),
])
def test_cli_train_refuses_unbounded_jobs_before_any_work(capsys, argv, says):
    """Each size is checked before any run starts: exit 2, one line naming the limit and
    how to raise it, at once."""
    if "/dev/full" in argv and not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    t = time.perf_counter()
    assert main(["train", *argv]) == 2
    assert time.perf_counter() - t < 10
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert all(x in err for x in says), err
