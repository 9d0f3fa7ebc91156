"""Liquid stability of the binary g^E models against an onnxruntime reference."""

import logging

import numpy as np
import pytest

from idaes_plugin.activity import load_gibbs_model as load_binary_model
from idaes_plugin.activity.stability import liquid_splits, spinodal_region
from idaes_plugin.vle_package import vle_config
from propkg_contract.reader import onnx_session, run_onnx
from propkg_contract.registry import find_binary_model
from tests.splitting_binary import splitting_acetone_water
from validation.reference_flash import ReferenceFlash


def _g_mix_onnxruntime(pair, T, x1, activity_model="hybrid", path=None):
    """g_mix/RT of the binary by onnxruntime, at an array of x1 (model component order)."""
    suffix = "" if activity_model == "hybrid" else f"_{activity_model}"
    path = find_binary_model(*pair)[0] if path is None else path
    session = onnx_session(path, outputs=[f"gibbs_excess_rt{suffix}"])
    x = np.column_stack([x1, 1.0 - x1])
    (g,) = run_onnx(session, T=np.full(len(x1), T), mole_frac_comp=x).values()
    return np.sum(x * np.log(x), axis=1) + np.asarray(g).ravel()


def _curvature_fd(pair, T, x1, h=1e-3, activity_model="hybrid", path=None):
    g = _g_mix_onnxruntime(pair, T, np.array([x1 - h, x1, x1 + h]), activity_model, path)
    return (g[0] - 2 * g[1] + g[2]) / h**2


@pytest.mark.unit
def test_acetone_water_hybrid_spinodal_matches_finite_differences():
    """The region found by CasADi's exact curvature has negative onnxruntime curvature
    (CoolProp-trained acetone/water file, tests/splitting_binary.py)."""
    path = splitting_acetone_water()
    model = load_binary_model(path, "hybrid")
    region = spinodal_region(model)
    assert region, "the CoolProp-trained acetone/water model has a spinodal below ~330 K"
    T, lo, hi = region[0]
    assert _curvature_fd(("acetone", "water"), T, 0.5 * (lo + hi), path=path) < 0
    assert _curvature_fd(("acetone", "water"), T, min(lo - 0.1, 0.1), path=path) > 0
    assert max(r[0] for r in region) < 340.0


@pytest.mark.unit
@pytest.mark.parametrize("pair, activity_model", [
    (("acetone", "water"), "unifac"), (("acetone", "water"), "hybrid"),
    (("methanol", "water"), "hybrid"), (("ethanol", "water"), "hybrid"),
    (("acetone", "methanol"), "hybrid")])
def test_stable_models_have_no_spinodal(pair, activity_model):
    model = load_binary_model(find_binary_model(*pair)[0], activity_model)
    assert spinodal_region(model) == []
    lo, hi = model.metadata.domain["temperature"]
    for T in (lo, hi):
        for x1 in (0.2, 0.5, 0.8):
            assert _curvature_fd(pair, T, x1, activity_model=activity_model) > 0


@pytest.mark.unit
@pytest.mark.parametrize("T, x1", [(314.51, 0.526), (306.0, 0.3), (350.0, 0.5), (320.0, 0.9)])
def test_tangent_plane_test_agrees_with_reference(T, x1):
    path = splitting_acetone_water()
    model = load_binary_model(path, "hybrid")
    reference = ReferenceFlash(["acetone", "water"], "hybrid", gibbs_model=path)
    assert liquid_splits(model, T, x1) == reference.liquid_split(T, [x1, 1.0 - x1])


@pytest.mark.unit
def test_vle_config_warns_about_a_model_that_splits_the_liquid(caplog):
    with caplog.at_level(logging.WARNING, logger="idaes_plugin.activity"):
        vle_config(["acetone", "water"], activity_model="hybrid",
                   binary_models=[splitting_acetone_water()])
    assert "predicts two liquid phases" in caplog.text and "acetone" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="idaes_plugin.activity"):
        vle_config(["methanol", "water"], activity_model="hybrid")
    assert "two liquid phases" not in caplog.text


def _binaries_with_imposed_stability() -> list:
    """Every shipped binary g^E file (top level and zoo) whose metadata says the fit imposed
    intrinsic stability."""
    from propkg_contract.metadata import read_metadata
    from propkg_contract.registry import model_collections

    out = []
    for folder, manifest in model_collections():
        for m in manifest["models"]:
            if m["kind"] != "binary_excess_gibbs":
                continue
            training = read_metadata(folder / m["file"]).raw.get("training_data")
            if isinstance(training, dict) and " imposed on " in str(training.get("stability", "")):
                out.append(folder / m["file"])
    return out


def _first_split(path, activity_model="hybrid"):
    """(T, x1) of the first onnxruntime finite-difference curvature of g_mix/RT <= 0 on a
    fine grid (15 temperatures over the file's domain, x1 in steps of 0.005), or None."""
    from propkg_contract.metadata import read_metadata

    suffix = "" if activity_model == "hybrid" else f"_{activity_model}"
    session = onnx_session(path, outputs=[f"gibbs_excess_rt{suffix}"])
    lo, hi = read_metadata(path).domain["temperature"]
    h = 1e-4
    x1 = np.linspace(0.0, 1.0, 201)[1:-1]
    xs = np.concatenate([x1 - h, x1, x1 + h])
    x = np.column_stack([xs, 1.0 - xs])
    for T in np.linspace(lo, hi, 15):
        (g,) = run_onnx(session, T=np.full(xs.size, T), mole_frac_comp=x).values()
        gm, g0, gp = np.split(np.sum(x * np.log(x), axis=1) + np.asarray(g).ravel(), 3)
        curvature = (gm - 2 * g0 + gp) / h**2
        if curvature.min() <= 0.0:
            return round(float(T), 1), float(x1[curvature.argmin()])
    return None


@pytest.mark.unit
def test_binaries_fitted_with_imposed_stability_do_not_split_anywhere_in_their_domain():
    """Where a fit says it imposed d2(g_mix/RT)/dx1^2 > 0, the file must not split the liquid
    between the fit's constraint points either (onnxruntime finite differences on a fine
    grid). Tripropylene glycol/water once split at x1 = 0.03-0.055, between the constraint
    points 0.02 and 0.06."""
    files = _binaries_with_imposed_stability()
    assert len(files) > 50
    bad = [(path.name, split) for path in files if (split := _first_split(path))]
    assert bad == []


@pytest.mark.integration
def test_a_pair_fit_removes_its_backbones_split_between_the_constraint_points(tmp_path):
    """Tripropylene glycol/water (miscible): UNIFAC-Dortmund splits the liquid at dilute
    glycol, narrowly enough to fall between the coarse constraint points; the zoo's pair fit
    on the ThermoML bubble points must leave no split in the exported hybrid, while the
    file's own UNIFAC output still splits (onnxruntime finite differences)."""
    from propkg_cli import main

    items = tmp_path / "pairs.txt"
    items.write_text("tripropylene_glycol,water\n")
    out = tmp_path / "zoo"
    assert main(["zoo", "build", "--pairs", str(items), "--min-publications", "2",
                 "--serial", "--output", str(out)]) == 0
    path = out / "tripropylene_glycol__water.onnx"
    assert _first_split(path, "unifac") is not None
    assert _first_split(path) is None
