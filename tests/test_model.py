"""The closed-form model against independent computations: Monte Carlo, finite
differences, the four number systems against each other, group invariance."""
import mpmath
import numpy as np
import pytest
import sympy
from flint import arb
from hypothesis import given, strategies as st

from symcrit import ShapeError, SingularPointError
from symcrit.model import Problem, gradient, hessian, loss
from symcrit.symmetry import SymmetryGroup, act
from symcrit import workdps


def relu(x):
    return np.maximum(x, 0.0)


def test_loss_against_monte_carlo(rng):
    # k != d, non-unit alpha and beta, a general teacher
    k, kt, d = 3, 2, 4
    W, V = rng.normal(size=(k, d)), rng.normal(size=(kt, d))
    a, b = rng.normal(size=k), rng.normal(size=kt)
    n, chunks = 200_000, 10
    vals = []
    for _ in range(chunks):
        X = rng.normal(size=(n, d))
        r = relu(X @ W.T) @ a - relu(X @ V.T) @ b
        vals.append(0.5 * r ** 2)
    v = np.concatenate(vals)
    mc, se = v.mean(), v.std() / np.sqrt(v.size)
    closed = loss(W, V, a, b)
    assert abs(closed - mc) < 4 * se, (closed, mc, se)


def test_canonical_values():
    for k in (2, 5, 9):
        assert abs(loss(np.eye(k))) < 1e-14
        assert abs(loss(np.zeros((k, k))) - (k / 4 + k * (k - 1) / (4 * np.pi))) < 1e-12


def _fd_grad(f, W, h):
    G = np.zeros_like(W)
    for idx in np.ndindex(W.shape):
        E = np.zeros_like(W)
        E[idx] = h
        G[idx] = (f(W + E) - f(W - E)) / (2 * h)
    return G


def test_gradient_hessian_finite_differences_float(rng):
    k, kt, d = 4, 3, 3
    W, V = rng.normal(size=(k, d)), rng.normal(size=(kt, d))
    a, b = rng.normal(size=k), rng.normal(size=kt)
    f = lambda X: loss(X, V, a, b)
    g = gradient(W, V, a, b)
    assert np.allclose(g, _fd_grad(f, W, 1e-6), atol=1e-8)
    H = hessian(W, V, a, b)
    Hfd = np.zeros_like(H)
    for p in range(k * d):
        E = np.zeros(k * d)
        E[p] = 1e-6
        E = E.reshape(k, d)
        Hfd[:, p] = ((gradient(W + E, V, a, b) - gradient(W - E, V, a, b)) / 2e-6).ravel()
    assert np.allclose(H, Hfd, atol=1e-7)
    assert np.allclose(H, H.T, atol=1e-14)


def test_gradient_hessian_finite_differences_50_digits(rng):
    k, kt, d = 3, 2, 3
    W0, V = rng.normal(size=(k, d)), rng.normal(size=(kt, d))
    a, b = rng.normal(size=k), rng.normal(size=kt)
    P = Problem(V, a, b)
    with workdps(70):
        W = np.array([[mpmath.mpf(float(x)) for x in r] for r in W0], dtype=object)
        h = mpmath.mpf(10) ** -25
        G = P.gradient(W, system="mpmath")
        H = P.hessian(W, system="mpmath")
        for i in range(k):
            for j in range(d):
                E = np.zeros((k, d), dtype=object)
                E[:] = mpmath.mpf(0)
                E[i, j] = h
                fd = (P.loss(W + E, system="mpmath") - P.loss(W - E, system="mpmath")) / (2 * h)
                assert abs(fd - G[i, j]) < mpmath.mpf(10) ** -45
                gp = P.gradient(W + E, system="mpmath")
                gm = P.gradient(W - E, system="mpmath")
                col = (gp - gm) / (2 * h)
                for q in range(k * d):
                    assert abs(col[q // d, q % d] - H[q, i * d + j]) < mpmath.mpf(10) ** -45


small = st.integers(min_value=-8, max_value=8)


@given(st.lists(small, min_size=6, max_size=6), st.lists(small, min_size=4, max_size=4),
       st.lists(st.integers(1, 3), min_size=2, max_size=2))
def test_four_number_systems_agree(wi, vi, ai):
    W = np.array(wi, dtype=float).reshape(2, 3) / 4
    V = np.array(vi + [1, 0], dtype=float).reshape(2, 3) / 2
    if np.any((W ** 2).sum(1) == 0) or np.any((V ** 2).sum(1) == 0):
        W = W + np.eye(2, 3)
    a = np.array(ai, dtype=float)
    P = Problem(V, a, None)
    with workdps(80):                     # reference values, far more precise than 50 digits
        mp_val = P.loss(W, system="mpmath")
        ref = arb(mpmath.nstr(mp_val, 75))           # a thin reference ball
        g_mp = P.gradient(W, system="mpmath") if np.all((W ** 2).sum(1) > 0) else None
        g_ref = None if g_mp is None else [[arb(mpmath.nstr(g_mp[i, j], 75)) for j in range(3)]
                                           for i in range(2)]
    with workdps(50):
        arb_val = P.loss(W, system="arb")
        sym_val = P.loss(W, system="sympy")
        # the ball contains the 50-digit value (up to its last digit: overlap)
        assert arb_val.contains(ref)
        assert arb_val.rad() < 1e-20          # sharp except at parallel pairs (sqrt-type)
        assert abs(sympy.N(sym_val, 50) - sympy.Float(mpmath.nstr(mp_val, 50), 50)) < 1e-45
        assert abs(P.loss(W) - float(mp_val)) <= 1e-12 * max(1.0, abs(float(mp_val)))
        if np.all((W ** 2).sum(1) > 0):
            g_arb = P.gradient(W, system="arb")
            g_fl = P.gradient(W)
            for i in range(2):
                for j in range(3):
                    assert g_arb[i, j].contains(g_ref[i][j])
                    assert abs(g_fl[i, j] - float(g_mp[i, j])) < 1e-12


def test_invariance_and_equivariance(rng):
    k = 5
    G = SymmetryGroup.canonical(k)
    W = rng.normal(size=(k, k))
    L0, g0 = loss(W), gradient(W)
    for _ in range(5):
        g = G.random_element(rng)
        assert G.contains(g)
        assert abs(loss(act(g, W)) - L0) < 1e-12
        assert np.allclose(gradient(act(g, W)), act(g, g0), atol=1e-12)
    # d > k: the teacher [I_k | 0] is fixed by S_k x S_k x S_{d-k}
    G2 = SymmetryGroup.canonical(3, 5)
    W2 = rng.normal(size=(3, 5))
    for _ in range(3):
        g = G2.random_element(rng)
        assert abs(loss(act(g, W2)) - loss(W2)) < 1e-12


def test_zero_row_and_parallel_limits():
    W = np.array([[1.0, 0.0], [0.0, 0.0]])
    assert abs(loss(W) - 0.25) < 1e-15          # a missing neuron: loss |v|^2 / 4
    with pytest.raises(SingularPointError, match="row 1 of W is zero"):
        gradient(W)
    with pytest.raises(SingularPointError):
        hessian(W)
    # parallel and anti-parallel rows: C^2, the Hessian is the limit of nearby Hessians
    u = np.array([0.6, 0.8, 0.0])
    for Wp in (np.array([u, 2 * u, [0, 0, 1.0]]), np.array([u, -u, [0, 0, 1.0]])):
        H0 = hessian(Wp)
        assert np.all(np.isfinite(H0))
        rng = np.random.default_rng(0)
        for eps in (1e-6, 1e-8):
            Hn = hessian(Wp + eps * rng.normal(size=Wp.shape))
            assert np.max(np.abs(Hn - H0)) < 100 * eps ** 0.5


def test_shape_errors():
    with pytest.raises(ShapeError, match="to match the teacher"):
        loss(np.ones((2, 3)), V=np.eye(2))
    with pytest.raises(ShapeError, match="beta"):
        Problem(np.eye(2), beta=[1, 2, 3])
    with pytest.raises(ShapeError, match="alpha"):
        loss(np.ones((2, 2)), V=np.eye(2), alpha=[1, 2, 3])


def test_arb_conversion_of_mpmath_numbers_keeps_sign_and_digits():
    from symcrit import get_system
    A = get_system("arb")
    with mpmath.workdps(50):
        for text in ["-0.75", "0.1", "-1.234567890123456789012345678901234567890123e-30"]:
            x = mpmath.mpf(text)
            ball = A.convert(x)
            assert ball.contains(A.convert(text)) or (ball - A.convert(text)).contains(0)
            assert (float(ball.mid()) < 0) == (x < 0)


@pytest.mark.parametrize("k", [2, 3, 4])
def test_arb_hessian_at_the_global_minimum_encloses_the_exact_one(k):
    """At W = I every neuron is parallel to its target (the non-smooth set, where the
    Hessian is a limit): the Arb Hessian exists there and encloses the exact sympy one."""
    import sympy
    H = hessian(np.eye(k), system="arb")
    E = hessian(np.eye(k, dtype=int), system="sympy")
    for i in range(k * k):
        for j in range(k * k):
            assert H[i, j].contains(arb(str(sympy.N(E[i, j], 40)))), (i, j)


@pytest.mark.parametrize("scale", [3e-162, 3e-200, 1e-300])
def test_float_gradient_of_a_tiny_row_agrees_with_mpmath(scale, rng):
    """Only directions and norms enter the gradient, never a squared norm: a row of norm
    far below sqrt(float min) keeps its float64 gradient (it used to underflow)."""
    W = rng.normal(size=(4, 4))
    W[2] *= scale / np.linalg.norm(W[2])
    G = gradient(W)
    with workdps(40):
        Gm = gradient(W, system="mpmath")
        ref = np.array([[float(Gm[i, j]) for j in range(4)] for i in range(4)])
    assert np.allclose(G, ref, rtol=1e-12, atol=1e-14)
    assert np.all(np.isfinite(G))
