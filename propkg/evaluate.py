"""Evaluation of hybrid models: CasADi reference, onnxruntime, and deviation statistics."""

from __future__ import annotations

import numpy as np

from propkg.hybrid import OUTPUT_UNITS, HybridPureModel

#: outputs whose reference is zero at T_ref: deviations are made relative to max |ref|
ZERO_CROSSING = ("enth_mol_ig_comp", "entr_mol_ig_comp")


def deviations(pred: np.ndarray, ref: np.ndarray, name: str) -> np.ndarray:
    """Relative deviations [%] of ``pred`` from ``ref`` (relative to max |ref| for h, s)."""
    pred, ref = np.asarray(pred, float), np.asarray(ref, float)
    if name in ZERO_CROSSING:
        return 100.0 * (pred - ref) / np.max(np.abs(ref))
    return 100.0 * (pred / ref - 1.0)


def statistics(pred: np.ndarray, ref: np.ndarray, name: str) -> dict:
    """AAD % and maximum absolute deviation % of ``pred`` against ``ref``."""
    dev = np.abs(deviations(pred, ref, name))
    out = {
        "aad_percent": float(np.mean(dev)),
        "max_percent": float(np.max(dev)),
        "n_points": int(dev.size),
    }
    if name in ZERO_CROSSING:
        out["aad_abs"] = float(np.mean(np.abs(np.asarray(pred) - np.asarray(ref))))
        out["note"] = "percent relative to max |reference| on the test grid (zero at 298.15 K)"
    return out


def liquid_cp(model: HybridPureModel, T) -> np.ndarray:
    """Liquid heat capacity [J/mol/K]: exact T derivative (CasADi) of the model's h_L."""
    import casadi as ca

    t = ca.MX.sym("t")
    f = ca.Function("cp_liq", [t], [ca.jacobian(model.enth_liq(t), t)])
    return np.asarray(f(np.asarray(T, float).reshape(1, -1))).ravel()


def error_statistics(model: HybridPureModel, test: dict[str, np.ndarray], source: str) -> dict:
    """Statistics of every output of ``model`` against held-out reference columns.

    A ``cp_mol_liq_comp`` column is compared with :func:`liquid_cp` (the derivative of
    the model's ``enth_mol_liq_comp``).
    """
    pred = model.evaluate(test["temperature"])
    if "cp_mol_liq_comp" in test and model.liq_params is not None:
        pred["cp_mol_liq_comp"] = liquid_cp(model, test["temperature"])
    stats = {}
    for name in (*OUTPUT_UNITS, "cp_mol_liq_comp"):
        if name in test and name in pred:
            stats[name] = statistics(pred[name], test[name], name)
            stats[name]["reference"] = source
    if "dh_vap_mol_comp" in stats:
        stats["dh_vap_mol_comp"]["note"] = "derived by Clausius-Clapeyron, not fitted"
    if "cp_mol_liq_comp" in stats:
        stats["cp_mol_liq_comp"]["note"] = (
            "d enth_mol_liq_comp/dT vs saturated-liquid cp (Cpmolar at Q=0)"
        )
    return stats
