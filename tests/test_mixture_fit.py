"""Fitting the hybrid on <= 15 CoolProp bubble points: targets on held-out data, refusals."""

import casadi as ca
import numpy as np
import pytest

from propkg.mixtures.backbones import Backbone
from propkg.mixtures.components import COOLPROP_PAIRS
from propkg.mixtures.export import export_onnx
from propkg.mixtures.hybrid_ge import HybridExcessGibbs
from propkg.mixtures.training import fit_pair
from propkg_contract.errors import DataError, UnsupportedOperationError
from propkg_contract.metadata import read_metadata
from propkg_contract.registry import find_binary_model


@pytest.mark.component
@pytest.mark.parametrize("pair", COOLPROP_PAIRS)
def test_refit_reproduces_shipped_model_and_meets_targets(pair):
    fit = fit_pair(pair)
    md = read_metadata(find_binary_model(*pair)[0])
    shipped = md.raw["correction"]
    np.testing.assert_allclose(fit.hybrid.theta_[0], shipped["c0"], rtol=1e-6, atol=1e-8)
    hyb = fit.statistics("hybrid")["pressure_bubble"]["aad_percent"]
    best_backbone = min(fit.statistics(k)["pressure_bubble"]["aad_percent"]
                        for k in fit.backbones)
    assert hyb <= 1.0
    assert 3.0 * hyb <= best_backbone


@pytest.mark.unit
@pytest.mark.parametrize("pair", COOLPROP_PAIRS)
def test_shipped_error_statistics_meet_targets(pair):
    stats = read_metadata(find_binary_model(*pair)[0]).error_statistics
    hyb = stats["pressure_bubble"]["aad_percent"]
    best = min(v["pressure_bubble"]["aad_percent"] for v in stats["backbones_alone"].values())
    assert hyb <= 1.0 and 3.0 * hyb <= best


@pytest.mark.unit
def test_fit_refuses_bad_data():
    model = HybridExcessGibbs(Backbone.for_pair("nrtl", ("benzene", "toluene")))
    with pytest.raises(DataError, match="non-finite"):
        model.fit([350.0, np.nan] * 4, [0.5] * 8, [1e5] * 8, [0.6] * 8, [1e5] * 8, [5e4] * 8)
    with pytest.raises(DataError, match="points for"):
        model.fit([350.0], [0.5], [1e5], [0.6], [1e5], [5e4])


@pytest.mark.unit
def test_export_refuses_non_smooth_graph(tmp_path):
    T, a, b = ca.SX.sym("T"), ca.SX.sym("a"), ca.SX.sym("b")
    fun = ca.Function("f", [T, a, b], [ca.fabs(a - b) * a * b, a, b])
    with pytest.raises(UnsupportedOperationError, match="uses op .Abs."):
        export_onnx(fun, {}, tmp_path / "bad.onnx")
