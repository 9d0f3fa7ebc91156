"""Multicomponent g^E files (propkg mixture) against independent references.

References: the binary ONNX files themselves (binary limits), thermo's UNIFAC (the
backbone output), finite differences of the file (Gibbs-Duhem), and an independent
Rachford-Rice flash in numpy + onnxruntime (``validation.reference_flash``) for the IDAES
ternary Flash.
"""

import warnings

import numpy as np
import pytest

from propkg.mixtures.components import component
from propkg.mixtures.multicomponent import build, export
from propkg_cli import main
from propkg_contract.reader import run_onnx
from propkg_contract.registry import find_binary_model, find_mixture_model
from tests.tolerances import CROSS_IMPLEMENTATION_RTOL
from validation.reference_flash import ReferenceFlash

TERNARY = ["acetone", "methanol", "water"]


@pytest.fixture(scope="module")
def ternary_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("mix") / "amw.onnx"
    return export(build(TERNARY), path)


def _gibbs(path, T, x, suffix=""):
    out = run_onnx(path, temperature=np.atleast_1d(T), mole_frac_comp=np.atleast_2d(x))
    return out[f"gibbs_excess_rt{suffix}"], out[f"log_act_coeff_comp{suffix}"]


@pytest.mark.component
@pytest.mark.parametrize("shipped", [False, True], ids=["built", "shipped"])
@pytest.mark.parametrize("pair", [(0, 1), (0, 2), (1, 2)])
def test_binary_limits_equal_the_binary_files(ternary_file, pair, shipped):
    if shipped:  # the file shipped for this component set, looked up like vle_config does
        ternary_file = find_mixture_model(["water", "Acetone", "67-56-1"])
    i, j = pair
    a, b = TERNARY[i], TERNARY[j]
    bin_path, swapped = find_binary_model(a, b)
    x1 = np.linspace(0.05, 0.95, 7)
    T = np.full_like(x1, 330.0)
    x = np.zeros((x1.size, 3))
    x[:, i], x[:, j] = x1, 1.0 - x1
    g, ln = _gibbs(ternary_file, T, x)
    xb = np.column_stack([1.0 - x1, x1] if swapped else [x1, 1.0 - x1])
    g_bin, ln_bin = _gibbs(bin_path, T, xb)
    np.testing.assert_allclose(g, g_bin, rtol=CROSS_IMPLEMENTATION_RTOL, atol=1e-14)
    ln_pair = ln_bin[:, ::-1] if swapped else ln_bin
    np.testing.assert_allclose(ln[:, [i, j]], ln_pair, rtol=CROSS_IMPLEMENTATION_RTOL,
                               atol=1e-13)


@pytest.mark.component
def test_unifac_output_matches_thermo(ternary_file):
    from thermo.unifac import DOUFIP2016, DOUFSG, UNIFAC

    from propkg.mixtures.unifac import group_assignment

    groups = [group_assignment(component(c).inchikey, 1) for c in TERNARY]
    for T, x in ((320.0, [0.2, 0.3, 0.5]), (345.0, [0.6, 0.1, 0.3])):
        ref = UNIFAC.from_subgroups(T, x, groups, subgroups=DOUFSG,
                                    interaction_data=DOUFIP2016, version=1)
        _, ln = _gibbs(ternary_file, T, x, "_unifac")
        np.testing.assert_allclose(ln[0], np.log(ref.gammas()), rtol=1e-10)


@pytest.mark.unit
def test_gibbs_duhem_by_finite_differences(ternary_file):
    rng = np.random.default_rng(3)
    for x in rng.dirichlet(np.ones(3), 5):
        T = 335.0
        g, ln = _gibbs(ternary_file, T, x)
        assert float(x @ ln[0]) == pytest.approx(float(g[0]), abs=1e-12)
        for k in range(3):  # move along the simplex: +h in k, -h spread over the others
            d = -np.full(3, 0.5)
            d[k] = 1.0
            h = 1e-6
            _, lp = _gibbs(ternary_file, T, x + h * d)
            _, lm = _gibbs(ternary_file, T, x - h * d)
            assert abs(float(x @ ((lp - lm)[0] / (2 * h)))) < 1e-7


@pytest.mark.unit
def test_missing_pair_falls_back_to_backbone_with_warning(tmp_path):
    with pytest.warns(UserWarning, match="no binary g\\^E model for the pair benzene/o_xylene"):
        model = build(["benzene", "toluene", "o-xylene"])
    assert ("benzene", "o_xylene") in model.missing_pairs
    path = export(model, tmp_path / "btx.onnx")
    x = np.array([[0.0, 0.4, 0.6]])  # the toluene/o-xylene edge: no binary model
    g, _ = _gibbs(path, [360.0], x)
    g_bb, _ = _gibbs(path, [360.0], x, "_unifac")
    assert g[0] == pytest.approx(g_bb[0], rel=1e-13)


@pytest.mark.unit
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["benzene"], "at least two distinct components"),
        (["benzene", "benzene"], "at least two distinct components"),
        (["benzene", "unobtainium"], "unobtainium"),
        (["benzene", "toluene", "--backbone", "nrtl"], "-o"),
    ],
)
def test_mixture_command_bad_input(tmp_path, capsys, argv, message):
    args = ["mixture", *argv]
    if "--backbone" not in argv:
        args += ["-o", str(tmp_path / "m.onnx")]
    code = None
    try:
        code = main(args)
    except SystemExit as exc:  # argparse: missing required -o
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err


@pytest.mark.integration
def test_ternary_flash_in_idaes_matches_independent_flash(ternary_file):
    import pyomo.environ as pyo
    from idaes.core import FlowsheetBlock
    from idaes.core.solvers import get_solver
    from idaes.models.properties.modular_properties import GenericParameterBlock
    from idaes.models.unit_models import Flash

    import idaes_plugin

    T, P, z = 318.0, 40000.0, np.array([0.5, 0.3, 0.2])
    m = pyo.ConcreteModel()
    m.fs = FlowsheetBlock(dynamic=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        config = idaes_plugin.vle_config(TERNARY, activity_model="hybrid",
                                         mixture_model=ternary_file)
    m.fs.props = GenericParameterBlock(**config)
    m.fs.flash = Flash(property_package=m.fs.props)
    inlet = m.fs.flash.inlet
    inlet.flow_mol.fix(1.0)
    inlet.temperature.fix(T)
    inlet.pressure.fix(P)
    for c, zc in zip(TERNARY, z, strict=True):
        inlet.mole_frac_comp[0, c].fix(float(zc))
    m.fs.flash.heat_duty.fix(0.0)
    m.fs.flash.deltaP.fix(0.0)
    m.fs.flash.default_initializer().initialize(m.fs.flash)
    result = get_solver().solve(m)
    assert pyo.check_optimal_termination(result)
    ref = ReferenceFlash(TERNARY, "hybrid", gibbs_model=ternary_file).flash(T, P, z)
    assert ref.phases == "LV" and ref.liquid_stable
    beta, x, y = ref.beta, ref.x, ref.y
    assert pyo.value(m.fs.flash.vap_outlet.flow_mol[0]) == pytest.approx(beta, abs=2e-3)
    for k, c in enumerate(TERNARY):
        assert pyo.value(m.fs.flash.liq_outlet.mole_frac_comp[0, c]) == pytest.approx(
            x[k], abs=1e-3)
        assert pyo.value(m.fs.flash.vap_outlet.mole_frac_comp[0, c]) == pytest.approx(
            y[k], abs=1e-3)
