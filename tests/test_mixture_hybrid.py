"""Shipped hybrid g^E models: ONNX vs CasADi reference, Gibbs-Duhem, limits, symmetry, data."""

import json

import casadi as ca
import numpy as np
import onnx
import onnxruntime as ort
import pytest

from propkg.data import MIXTURES_DIR
from propkg.mixtures.backbones import Backbone
from propkg.mixtures.components import COOLPROP_PAIRS, INFINITE_DILUTION_PAIRS, SHIPPED_PAIRS
from propkg.mixtures.excess import binary_excess_function, evaluate, gibbs_duhem_residual
from propkg.mixtures.hybrid_ge import HybridExcessGibbs
from propkg.mixtures.training import MAX_TRAINING_POINTS
from propkg.mixtures.vle_data import BinaryVleData
from propkg_contract.metadata import read_metadata
from propkg_contract.ops import SUPPORTED_OPS
from propkg_contract.reader import casadi_import
from propkg_contract.registry import find_binary_model, load_manifest, sha256_of
from tests.tolerances import (
    CROSS_IMPLEMENTATION_RTOL,
    FINITE_DIFFERENCE_RTOL,
    IDENTITY_RTOL,
)

DATA = MIXTURES_DIR


def _path(pair):
    path, swapped = find_binary_model(*pair)  # checks the manifest sha256
    assert not swapped
    return path


def _grid(md):
    lo, hi = md.domain["temperature"]
    return [(T, x) for T in (lo, 0.5 * (lo + hi), hi) for x in (0.0, 1e-6, 0.2, 0.5, 0.93, 1.0)]


@pytest.mark.unit
@pytest.mark.parametrize("pair", SHIPPED_PAIRS)
def test_onnx_matches_reference_evaluator(pair):
    """Hybrid and backbone outputs of the file vs CasADi models rebuilt from thermo + metadata."""
    path = _path(pair)
    md = read_metadata(path)
    refs = {"": HybridExcessGibbs.from_metadata(md).function()}
    refs.update({f"_{k}": binary_excess_function(Backbone.for_pair(k, pair).gibbs_excess_rt)
                 for k in ("unifac", "nrtl")})
    session = ort.InferenceSession(str(path))
    names = [o.name for o in session.get_outputs()]
    back = casadi_import(path, "f").expand()
    for T, x1 in _grid(md):
        feed = {"temperature": np.array([[T]]), "mole_frac_comp": np.array([[x1, 1 - x1]])}
        got_ort = dict(zip(names, session.run(None, feed), strict=True))
        got_ca = dict(zip(back.name_out(), back(T, ca.DM([x1, 1 - x1])), strict=True))
        for suffix, ref in refs.items():
            expected = [float(v) for v in ref(T, x1, 1 - x1)]
            g, ln = f"gibbs_excess_rt{suffix}", f"log_act_coeff_comp{suffix}"
            for got in ([float(got_ort[g][0, 0]), *got_ort[ln][0]],
                        [float(got_ca[g]), *np.array(got_ca[ln]).ravel()]):
                np.testing.assert_allclose(got, expected, rtol=CROSS_IMPLEMENTATION_RTOL,
                                           atol=1e-14)


@pytest.mark.unit
@pytest.mark.parametrize("pair", SHIPPED_PAIRS)
def test_onnx_graph_and_metadata(pair):
    path = _path(pair)
    proto = onnx.load(str(path))
    assert {n.op_type for n in proto.graph.node} <= SUPPORTED_OPS
    shapes = {t.name: [d.dim_param or d.dim_value for d in t.type.tensor_type.shape.dim]
              for t in list(proto.graph.input) + list(proto.graph.output)}
    md = read_metadata(path)
    assert md.kind == "binary_excess_gibbs" and md.component_names == list(pair)
    for name, spec in {**md.inputs, **md.outputs}.items():
        assert shapes[name] == spec["shape"]
    assert md.inputs["temperature"]["units"] == "K"
    assert md.raw["opset"] == proto.opset_import[0].version
    if pair in INFINITE_DILUTION_PAIRS:  # checked in test_mixture_dilution.py
        assert md.training_data["n_points"]["ln_gamma_inf"] > 0
        return
    if pair not in COOLPROP_PAIRS:  # measured data: checked in test_mixture_measured.py
        assert md.training_data["test_publications"]
        return
    assert md.training_data["coolprop_version"]
    assert md.training_data["interaction_parameters"]["BibTeX"]
    assert md.training_data["n_points"]["train"] <= MAX_TRAINING_POINTS
    data = BinaryVleData.load(DATA, pair)  # checks the data sha256
    assert md.training_data["sha256"] == data.sha256()


@pytest.mark.unit
@pytest.mark.parametrize("pair", SHIPPED_PAIRS)
def test_gibbs_duhem_exact_on_grid(pair):
    md = read_metadata(_path(pair))
    fun = HybridExcessGibbs.from_metadata(md).function()
    lo, hi = md.domain["temperature"]
    T, x = np.meshgrid(np.linspace(lo, hi, 6), np.linspace(1e-6, 1 - 1e-6, 51))
    res, scale = gibbs_duhem_residual(fun, T, x)
    assert np.max(np.abs(res) / np.maximum(scale, 1.0)) <= IDENTITY_RTOL
    g, l1, l2 = evaluate(fun, T, x)
    np.testing.assert_allclose(x * l1 + (1 - x) * l2, g, rtol=IDENTITY_RTOL, atol=1e-14)


@pytest.mark.unit
@pytest.mark.parametrize("pair", SHIPPED_PAIRS)
def test_ln_gamma_is_derivative_of_total_gibbs(pair):
    """ln gamma_1 = d(n gE/RT)/dn_1 by central finite differences in the amounts."""
    fun = HybridExcessGibbs.from_metadata(read_metadata(_path(pair))).function()
    T, n1, n2, h = 345.0, 0.3, 0.7, 1e-5

    def G(a, b):
        return (a + b) * float(fun(T, a / (a + b), b / (a + b))[0])

    fd1 = (G(n1 + h, n2) - G(n1 - h, n2)) / (2 * h)
    fd2 = (G(n1, n2 + h) - G(n1, n2 - h)) / (2 * h)
    _, l1, l2 = (float(v) for v in fun(T, n1, n2))
    np.testing.assert_allclose([l1, l2], [fd1, fd2], rtol=FINITE_DIFFERENCE_RTOL, atol=1e-9)


@pytest.mark.unit
@pytest.mark.parametrize("pair", SHIPPED_PAIRS)
def test_pure_limits_and_swap_symmetry(pair):
    model = HybridExcessGibbs.from_metadata(read_metadata(_path(pair)))
    fun, fun_swapped = model.function(), model.swapped().function()
    for T in (300.0, 350.0, 380.0):
        assert abs(float(fun(T, 1.0, 0.0)[0])) < 1e-14
        assert abs(float(fun(T, 0.0, 1.0)[0])) < 1e-14
        for x1 in (0.05, 0.4, 0.8):
            g, l1, l2 = (float(v) for v in fun(T, x1, 1 - x1))
            gs, ls1, ls2 = (float(v) for v in fun_swapped(T, 1 - x1, x1))
            np.testing.assert_allclose([gs, ls1, ls2], [g, l2, l1], rtol=1e-13, atol=1e-15)


@pytest.mark.unit
def test_manifest_entries_and_swapped_lookup():
    names = {m["name"]: m for m in load_manifest()["models"]}
    for a, b in SHIPPED_PAIRS:
        entry = names[f"{a}__{b}"]
        assert entry["kind"] == "binary_excess_gibbs"
        path, swapped = find_binary_model(b, a)
        assert swapped and sha256_of(path) == entry["sha256"]


@pytest.mark.unit
@pytest.mark.parametrize("pair", SHIPPED_PAIRS)
def test_dataset_provenance(pair):
    """The CoolProp data sets stay for every shipped pair (validation/mixtures.py uses them)."""
    prov = json.loads((DATA / f"{pair[0]}__{pair[1]}.json").read_text())
    assert prov["coolprop_version"].startswith("8.")
    assert prov["n_points"]["train"] <= MAX_TRAINING_POINTS
    assert prov["n_points"]["test"] >= 100


@pytest.mark.unit
@pytest.mark.parametrize("pair", SHIPPED_PAIRS)
def test_onnxruntime_evaluates_a_batch_row_by_row(pair):
    path = _path(pair)
    session = ort.InferenceSession(str(path))
    assert [i.shape for i in session.get_inputs()] == [["batch", 1], ["batch", 2]]
    rng = np.random.default_rng(1)
    lo, hi = read_metadata(path).domain["temperature"]
    T = rng.uniform(lo, hi, (9, 1))
    x1 = np.r_[0.0, 1.0, rng.uniform(0, 1, 7)]
    X = np.column_stack([x1, 1 - x1])
    batch = session.run(None, {"temperature": T, "mole_frac_comp": X})
    for k in range(9):
        single = session.run(None, {"temperature": T[k : k + 1], "mole_frac_comp": X[k : k + 1]})
        for b, s in zip(batch, single, strict=True):
            np.testing.assert_allclose(b[k], s[0], rtol=1e-12, atol=1e-14)
