"""Infinite-dilution data in the binary fit, the Redlich-Kister correction, publication offsets,
the one-standard-error selection, and the acetone/water file fitted to ln gamma_inf with the
stability constraint."""

import numpy as np
import pytest

from propkg.mixtures.backbones import Backbone
from propkg.mixtures.bubble_data import BubblePoints
from propkg.mixtures.components import INFINITE_DILUTION_PAIRS
from propkg.mixtures.dilution_data import InfiniteDilution, screen_infinite_dilution
from propkg.mixtures.excess import binary_excess_function, evaluate
from propkg.mixtures.hybrid_ge import HybridExcessGibbs, infinite_dilution_correction
from propkg.mixtures.robust_fit import RobustBubbleFit
from propkg_contract.metadata import read_metadata
from propkg_contract.reader import run_onnx
from propkg_contract.registry import find_binary_model
from tests.tolerances import NLP_SOLUTION_ATOL

PAIR = ("ethanol", "water")


def _hybrid(linear=True, n_hidden=1, seed=3):
    model = HybridExcessGibbs(Backbone.for_pair("unifac", PAIR), n_hidden, 340.0, linear=linear)
    model.theta_ = np.random.default_rng(seed).normal(0.0, 0.4, model.n_params)
    return model


def _synthetic_publications(sources, n_x, scale_b, noise=0.0):
    """Bubble points of a known Redlich-Kister hybrid on three isotherms x ``n_x``
    compositions, dealt to ``sources`` in turn (each on every isotherm); the first reads
    4 % high, the second ``scale_b`` times the truth, the others right; optional
    log-normal noise. Returns (truth, points with Psat)."""
    truth = _hybrid(linear=True, n_hidden=0, seed=5)
    truth.theta_ = np.array([0.3, 0.1, -0.2, 0.05])
    T = np.repeat([320.0, 340.0, 360.0], n_x)
    x1 = np.tile(np.linspace(0.05, 0.95, n_x), 3)
    _, l1, l2 = evaluate(truth.function(), T, x1)
    ps1, ps2 = 1e5 * np.exp(8 - 2800 / T), 1e5 * np.exp(9 - 3300 / T)
    P = (x1 * np.exp(l1) * ps1 + (1 - x1) * np.exp(l2) * ps2) \
        * np.exp(np.random.default_rng(7).normal(0.0, noise, T.size))
    source = np.tile(sources, 3 * n_x // len(sources))
    P = P * np.select([source == sources[0], source == sources[1]], [1.04, scale_b], 1.0)
    pts = BubblePoints(T, P, x1, source)
    pts.psat1, pts.psat2 = ps1, ps2
    return truth, pts


@pytest.mark.unit
def test_analytic_infinite_dilution_limits_equal_the_differentiated_model():
    """ln gamma_i^inf = backbone limit + c(-+1, tau): against ln gamma_i of the whole g^E
    (CasADi AD of n g^E/RT) at x_i = 1e-10."""
    model = _hybrid()
    full = model.function()
    bb = binary_excess_function(model.backbone.gibbs_excess_rt)
    T = np.array([300.0, 340.0, 380.0])
    c1, c2 = infinite_dilution_correction(model.tau(T), model.theta_, model.n_hidden)
    for x1, c, k in ((1e-10, c1, 1), (1 - 1e-10, c2, 2)):
        got = evaluate(full, T, np.full(3, x1))[k]
        expected = evaluate(bb, T, np.full(3, x1))[k] + np.asarray(c, float).ravel()
        np.testing.assert_allclose(got, expected, atol=1e-8)


@pytest.mark.unit
def test_redlich_kister_swap_describes_the_same_mixture():
    model = _hybrid(linear=True, n_hidden=0)
    f, fs = model.function(), model.swapped().function()
    for T, x in ((310.0, 0.2), (365.0, 0.7)):
        g, l1, l2 = (float(v) for v in f(T, x, 1 - x))
        gs, ls1, ls2 = (float(v) for v in fs(T, 1 - x, x))
        np.testing.assert_allclose([gs, ls1, ls2], [g, l2, l1], rtol=1e-13, atol=1e-15)


@pytest.mark.unit
def test_screening_drops_a_planted_wrong_value():
    T = np.linspace(290.0, 360.0, 9)
    lng = 1.5 + 0.002 * (T - 300.0) + np.random.default_rng(2).normal(0, 0.03, T.size)
    lng[4] += 2.5  # a transcription error (log10 / ln mix-up size)
    data = InfiniteDilution(T, lng, np.zeros(T.size, int))
    kept = screen_infinite_dilution(data)
    assert kept.dropped == 1 and len(kept) == 8 and 1.5 + 2.5 not in np.round(kept.ln_gamma, 1)


@pytest.mark.component
def test_publication_offsets_absorb_pressure_scales_about_their_mean():
    """Synthetic bubble points from a known hybrid; three publications (each on every
    isotherm) read 4 % high, 4 % low and right. With pressure offsets per publication
    (relative to their mean) the correction is recovered; the offsets cannot tell which
    publication is right, only that they disagree by a constant factor."""
    truth, pts = _synthetic_publications(["pub.a", "pub.b", "pub.c"], 12, 1 / 1.04)
    T, source = pts.T, pts.source
    model = HybridExcessGibbs(truth.backbone, 0, truth.T_ref, linear=True)
    prob = RobustBubbleFit(model, pts, offsets=True)
    theta = prob.solve(np.ones(T.size), 1e-9, [np.zeros(model.n_params)],
                       offset_regularization=1e-6)
    np.testing.assert_allclose(theta, truth.theta_, atol=2e-3)
    # prediction drops the offsets: the residuals of the shifted sets are their scales
    r = prob.residuals(theta)
    np.testing.assert_allclose(np.median(r[source == "pub.a"]), -np.log(1.04), atol=1e-3)


@pytest.mark.component
def test_offsets_and_trainable_points_solve_the_mean_relative_problem():
    """The compiled problem (last offset = minus the sum of the others; only trainable points
    compiled; offsets fixed by bounds when not used) against the objective as first written,
    minimised by scipy: Redlich-Kister ln gamma by hand (ln g1 = x2^2 (c + 2 x1 c_z),
    ln g2 = x1^2 (c - 2 x2 c_z)), offsets s free and used relative to their mean, penalty
    lambda_s |s - mean s|^2. Four publications; one (not trainable, weight 0) only has an
    offset in the mean, as the test publications do in the fit."""
    from scipy.optimize import minimize

    from propkg.mixtures.robust_fit import SLOPE_PENALTY
    from propkg_contract.errors import DataError

    truth, pts = _synthetic_publications(["pub.a", "pub.b", "pub.c", "pub.test"], 16, 1 / 1.03,
                                         noise=0.01)
    T, x1, P, source, ps1, ps2 = pts.T, pts.x1, pts.P, pts.source, pts.psat1, pts.psat2
    trainable = source != "pub.test"
    w = trainable.astype(float)
    model = HybridExcessGibbs(truth.backbone, 0, truth.T_ref, linear=True)
    prob = RobustBubbleFit(model, pts, offsets=True, trainable=trainable)
    lam, lam_s, f = 1e-5, 0.01, 0.01
    _, b1, b2 = evaluate(binary_excess_function(truth.backbone.gibbs_excess_rt), T, x1)
    z, tau = 2 * x1 - 1, model.tau(T)
    pubs = sorted(set(source))
    member = np.array([[s == q for q in pubs] for s in source], float)

    def objective(v, offsets):
        c0, d, e, g = v[:4]
        c, cz = c0 + d * tau + e * z + g * z * tau, e + g * tau
        lg1, lg2 = b1 + (1 - x1) ** 2 * (c + 2 * x1 * cz), b2 + x1**2 * (c - 2 * (1 - x1) * cz)
        r = np.log(x1 * np.exp(lg1) * ps1 + (1 - x1) * np.exp(lg2) * ps2) - np.log(P)
        s_rel = v[4:] - v[4:].mean() if offsets else np.zeros(len(pubs))
        rho = 2 * f**2 * (np.sqrt(1 + ((r + member @ s_rel) / f) ** 2) - 1)
        return (w @ rho + SLOPE_PENALTY * w @ (d + g * z) ** 2) / w.sum() + lam * v[:4] @ v[:4] \
            + (lam_s * s_rel @ s_rel if offsets else 0.0)

    for lam_off, n_var in ((lam_s, 4 + len(pubs)), (None, 4)):
        got = prob.solve(w, lam, [np.zeros(4)], offset_regularization=lam_off)
        ref = minimize(objective, np.zeros(n_var), args=(lam_off is not None,), method="BFGS",
                       options={"gtol": 1e-11}).x[:4]
        np.testing.assert_allclose(got, ref, atol=NLP_SOLUTION_ATOL)
    with pytest.raises(DataError, match="outside the trainable points"):
        prob.solve(np.ones(T.size), lam, [np.zeros(4)])


@pytest.mark.unit
@pytest.mark.parametrize("pair", INFINITE_DILUTION_PAIRS)
def test_infinite_dilution_file_has_no_liquid_split_and_follows_brouwer(pair):
    """Fine grid (30 T x 999 x over the file's domain, by onnxruntime): the curvature of
    g_mix/RT, from central differences of the file's g^E, stays positive; its ln gamma_inf
    are nearer the Brouwer values than UNIFAC's (its own *_unifac output)."""
    from propkg.mixtures.dilution_data import load_pair_infinite_dilution

    path, _ = find_binary_model(*pair)
    md = read_metadata(path)
    assert "infinite-dilution" in md.training_data["kind"]
    lo, hi = md.domain["temperature"]
    T = np.repeat(np.linspace(lo, hi, 30), 999)
    x = np.tile(np.linspace(0.001, 0.999, 999), 30)
    h = 1e-4
    g = [run_onnx(path, T, mole_frac_comp=np.column_stack([x + d, 1 - x - d]))[
        "gibbs_excess_rt"].ravel() for d in (-h, 0.0, h)]
    curvature = (g[0] - 2 * g[1] + g[2]) / h**2 + 1 / x + 1 / (1 - x)
    assert curvature.min() > 0
    data = load_pair_infinite_dilution(pair, T_range=(lo, hi))
    x1 = np.where(data.solute == 0, 1e-9, 1 - 1e-9)
    out = run_onnx(path, data.T, mole_frac_comp=np.column_stack([x1, 1 - x1]))
    col = data.solute[:, None] == np.array([[0, 1]])
    err = {k: np.median(np.abs(out[f"log_act_coeff_comp{k}"][col] - data.ln_gamma))
           for k in ("", "_unifac")}
    assert err[""] < err["_unifac"]


@pytest.mark.unit
def test_one_standard_error_rule_prefers_the_simplest_setting_within_noise():
    from propkg.mixtures.measured_training import one_standard_error_choice, settings_grid

    grid = settings_grid(["unifac"], grid=((0, 1e-6), (1, 1e-6)), linear_grid=(),
                         has_infinite=False, offset_regularizations=(None,))
    # grid: c0, 1tanh, backbone alone
    scores = [(1.10, 0.05), (1.00, 0.08), (1.07, 0.04)]
    selection = [dict(s, lopo_aad_percent=a, lopo_standard_error=e)
                 for s, (a, e) in zip(grid, scores, strict=True)]
    assert one_standard_error_choice(selection) == 2  # alone is within 1.00 + 0.08
    selection[1]["lopo_standard_error"] = 0.05
    assert one_standard_error_choice(selection) == 1  # nothing simpler within 1.05
