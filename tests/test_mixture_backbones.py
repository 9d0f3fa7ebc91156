"""UNIFAC and NRTL backbones (CasADi, exact ln gamma) against thermo's implementations."""

import numpy as np
import pytest
import thermo.nrtl as tn
import thermo.unifac as tu

from propkg.mixtures.backbones import Backbone
from propkg.mixtures.components import COMPONENTS, SHIPPED_PAIRS, component
from propkg.mixtures.excess import binary_excess_function, evaluate, gibbs_duhem_residual
from propkg.mixtures.nrtl import NrtlParameters
from propkg.mixtures.unifac import UnifacParameters, group_assignment
from propkg_contract.errors import DataError
from tests.tolerances import IDENTITY_RTOL

STATES = [(290.0, 0.02), (330.0, 0.37), (373.15, 0.81), (400.0, 0.999)]
THERMO_RTOL = 1e-10


def _thermo_unifac(pair, version, T, x1):
    groups = [group_assignment(component(n).inchikey, version) for n in pair]
    tables = ({"subgroups": tu.DOUFSG, "interaction_data": tu.DOUFIP2016} if version == 1
              else {"subgroups": tu.UFSG, "interaction_data": tu.UFIP})
    ref = tu.UNIFAC.from_subgroups(T=T, xs=[x1, 1 - x1], chemgroups=groups, version=version,
                                   **tables)
    return ref.GE() / (tu.R * T), np.log(ref.gammas())


@pytest.mark.unit
@pytest.mark.parametrize("pair", SHIPPED_PAIRS)
@pytest.mark.parametrize("version", [0, 1])
def test_unifac_matches_thermo(pair, version):
    groups = [group_assignment(component(n).inchikey, version) for n in pair]
    params = UnifacParameters.from_groups(groups, version)
    from propkg.mixtures.unifac import unifac_gibbs_excess_rt

    fun = binary_excess_function(lambda T, a, b: unifac_gibbs_excess_rt(T, [a, b], params))
    for T, x1 in STATES:
        g, l1, l2 = evaluate(fun, T, x1)
        g_ref, ln_ref = _thermo_unifac(pair, version, T, x1)
        np.testing.assert_allclose([l1, l2], ln_ref, rtol=THERMO_RTOL, atol=1e-13)
        np.testing.assert_allclose(g, g_ref, rtol=THERMO_RTOL, atol=1e-13)


@pytest.mark.unit
def test_unifac_interaction_shifts_match_thermo_with_a_modified_table():
    """delta_a, delta_b (the unknowns of validation/zoo_group_refit.py) equal thermo's UNIFAC
    on a copy of the Dortmund table with a_mn, b_mn shifted."""
    import copy

    from propkg.mixtures.unifac import unifac_gibbs_excess_rt

    pair = ("ethanol", "benzene")
    groups = [group_assignment(component(n).inchikey, 1) for n in pair]
    params = UnifacParameters.from_groups(groups, 1)
    main = [tu.DOUFSG[k].main_group_id for k in params.subgroup_ids]
    assert params.main_groups() == main
    shift = {(5, 3): (150.0, -0.1), (3, 5): (80.0, 0.05)}  # OH-ACH, ACH-OH
    n = len(main)
    da = [[shift.get((main[i], main[j]), (0.0, 0.0))[0] for j in range(n)] for i in range(n)]
    db = [[shift.get((main[i], main[j]), (0.0, 0.0))[1] for j in range(n)] for i in range(n)]
    table = copy.deepcopy(tu.DOUFIP2016)
    for (m, k), (sa, sb) in shift.items():
        a, b, c = table[m][k]
        table[m][k] = (a + sa, b + sb, c)
    fun = binary_excess_function(
        lambda T, a, b: unifac_gibbs_excess_rt(T, [a, b], params, da, db))
    plain = binary_excess_function(lambda T, a, b: unifac_gibbs_excess_rt(T, [a, b], params))
    for T, x1 in STATES:
        ref = tu.UNIFAC.from_subgroups(T=T, xs=[x1, 1 - x1], chemgroups=groups, version=1,
                                       subgroups=tu.DOUFSG, interaction_data=table)
        g, l1, l2 = evaluate(fun, T, x1)
        np.testing.assert_allclose([l1, l2], np.log(ref.gammas()), rtol=THERMO_RTOL,
                                   atol=1e-13)
        # the shift changes the mixture (at least the dilute component's ln gamma)
        assert np.max(np.abs(np.r_[l1, l2] - np.r_[evaluate(plain, T, x1)[1:]])) > 1e-2


@pytest.mark.unit
@pytest.mark.parametrize("pair", SHIPPED_PAIRS)
def test_nrtl_matches_thermo(pair):
    params = NrtlParameters.from_chemsep([component(n).cas for n in pair])
    fun = binary_excess_function(Backbone("nrtl", pair, params).gibbs_excess_rt)
    for T, x1 in STATES:
        _, l1, l2 = evaluate(fun, T, x1)
        ref = tn.NRTL(T=T, xs=[x1, 1 - x1], tau_bs=params.b.tolist(),
                      alpha_cs=params.alpha.tolist())
        np.testing.assert_allclose([l1, l2], np.log(ref.gammas()), rtol=THERMO_RTOL, atol=1e-13)


@pytest.mark.unit
@pytest.mark.parametrize("kind", ["unifac", "nrtl"])
@pytest.mark.parametrize("pair", SHIPPED_PAIRS)
def test_backbone_gibbs_duhem_and_pure_limits(kind, pair):
    fun = binary_excess_function(Backbone.for_pair(kind, pair).gibbs_excess_rt)
    T, x = np.meshgrid(np.linspace(290, 400, 5), np.linspace(1e-6, 1 - 1e-6, 41))
    res, scale = gibbs_duhem_residual(fun, T, x)
    assert np.all(np.abs(res) <= IDENTITY_RTOL * np.maximum(scale, 1.0))
    g0, _, _ = evaluate(fun, T[0], 0.0 * T[0])
    g1, _, _ = evaluate(fun, T[0], 1.0 + 0.0 * T[0])
    assert np.max(np.abs(g0)) < 1e-14 and np.max(np.abs(g1)) < 1e-14


@pytest.mark.unit
@pytest.mark.parametrize("kind", ["unifac", "nrtl"])
def test_backbone_swap_is_same_mixture(kind):
    bb = Backbone.for_pair(kind, ("ethanol", "water"))
    f, fs = binary_excess_function(bb.gibbs_excess_rt), binary_excess_function(
        bb.swapped().gibbs_excess_rt)
    g, l1, l2 = evaluate(f, 340.0, 0.3)
    gs, ls1, ls2 = evaluate(fs, 340.0, 0.7)
    np.testing.assert_allclose([g, l1, l2], [gs, ls2, ls1], rtol=1e-13)


@pytest.mark.unit
def test_missing_groups_and_parameters_raise():
    with pytest.raises(DataError, match="no DDBST"):
        group_assignment("NOT-A-REAL-KEY")
    with pytest.raises(DataError, match="no NRTL parameters"):
        NrtlParameters.from_chemsep(["7732-18-5", "7732-18-5"])
    with pytest.raises(DataError, match="not one of the mixture components"):
        component("unobtainium")
    assert len(COMPONENTS) == 20


@pytest.mark.unit
@pytest.mark.parametrize("T, x1", STATES)
def test_hybrid_on_the_ideal_solution_is_redlich_kister(T, x1):
    """On the ideal-solution backbone the hybrid with the linear terms is a two-term
    Redlich-Kister g^E, g/RT = x1 x2 [A + B (x1 - x2)] with A = c0 + d tau, B = e + f tau;
    its ln gamma equal the textbook closed forms (Prausnitz et al., 3rd ed., eq. 6-93:
    ln g1 = x2^2 [A + 3B - 4B x2], ln g2 = x1^2 [A - 3B + 4B x1]); the swapped model and the
    model rebuilt from its metadata label describe the same mixture."""
    from types import SimpleNamespace

    from propkg.mixtures.backbones import IDEAL, IDEAL_LABEL
    from propkg.mixtures.hybrid_ge import HybridExcessGibbs

    pair = ("ethanol", "water")
    bb = Backbone.for_pair(IDEAL, pair)
    assert bb.as_metadata() == {"name": IDEAL_LABEL, "parameters": {}}
    model = HybridExcessGibbs(bb, 0, 340.0, linear=True)
    model.theta_ = np.array([0.8, 0.3, -0.25, 0.1])  # c0, d, e, f
    g, l1, l2 = (float(v) for v in evaluate(model.function(), T, x1))
    tau = model.tau(T)
    A, B, x2 = 0.8 + 0.3 * tau, -0.25 + 0.1 * tau, 1 - x1
    assert g == pytest.approx(x1 * x2 * (A + B * (x1 - x2)), rel=IDENTITY_RTOL)
    assert l1 == pytest.approx(x2 ** 2 * (A + 3 * B - 4 * B * x2), rel=IDENTITY_RTOL)
    assert l2 == pytest.approx(x1 ** 2 * (A - 3 * B + 4 * B * x1), rel=IDENTITY_RTOL)
    _, s1, s2 = (float(v) for v in evaluate(model.swapped().function(), T, x2))
    assert (s2, s1) == pytest.approx((l1, l2), rel=IDENTITY_RTOL)
    meta = SimpleNamespace(component_names=list(pair), raw={"correction": {
        **model.correction_metadata()}}, backbone={"gibbs_excess_rt": bb.as_metadata()})
    rebuilt = HybridExcessGibbs.from_metadata(meta)
    assert rebuilt.backbone.kind == IDEAL
    assert float(evaluate(rebuilt.function(), T, x1)[1]) == pytest.approx(l1,
                                                                          rel=IDENTITY_RTOL)
