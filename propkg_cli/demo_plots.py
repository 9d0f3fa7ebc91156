"""Figures of the demo report (matplotlib, Agg backend, PNG files).

* :func:`parity_plot` - hybrid vs CoolProp vapour pressure on held-out data, all fluids;
* :func:`deviation_plot` - relative deviation vs temperature of backbone, hybrid and plain
  net for one fluid and the three fitted properties;
* :func:`txy_plot` - T-x-y diagram of the flash pair from the shipped models (bubble points
  solved with onnxruntime evaluations) with the flash operating points.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

PROPERTY_LABELS = {
    "pressure_sat_comp": "saturation pressure",
    "dens_mol_liq_comp": "saturated liquid density",
    "cp_mol_ig_comp": "ideal-gas heat capacity",
}


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def parity_plot(points: dict[str, tuple[np.ndarray, np.ndarray]], path: Path) -> Path:
    """Hybrid vs reference saturation pressure [Pa] per fluid, log-log, with the 1:1 line."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 6.0))
    lo, hi = np.inf, -np.inf
    for name, (ref, pred) in sorted(points.items()):
        ax.loglog(ref, pred, ".", ms=3, label=name)
        lo, hi = min(lo, ref.min()), max(hi, ref.max())
    ax.plot([lo, hi], [lo, hi], "k-", lw=0.8, label="1:1")
    ax.set_xlabel("CoolProp saturation pressure [Pa]")
    ax.set_ylabel("hybrid (ONNX) saturation pressure [Pa]")
    ax.set_title("Parity: shipped hybrid models vs CoolProp (held-out points)")
    ax.legend(fontsize=6, ncol=2, loc="upper left")
    ax.grid(True, which="both", lw=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def deviation_plot(
    fluid: str,
    curves: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]],
    train_T: dict[str, np.ndarray],
    path: Path,
) -> Path:
    """Relative deviation [%] vs temperature [K]; ``curves[prop][model] = (T, dev)``."""
    plt = _pyplot()
    props = list(curves)
    fig, axes = plt.subplots(len(props), 1, figsize=(6.4, 2.6 * len(props)), sharex=True)
    axes = np.atleast_1d(axes)
    for ax, prop in zip(axes, props, strict=True):
        for model, (T, dev) in curves[prop].items():
            ax.plot(T, dev, label=model)
        for t in train_T.get(prop, []):
            ax.axvline(t, color="0.6", lw=0.6, ls=":")
        ax.axhline(0.0, color="k", lw=0.6)
        ax.set_ylabel("deviation [%]")
        ax.set_title(f"{fluid}: {PROPERTY_LABELS.get(prop, prop)} vs CoolProp", fontsize=9)
        ax.set_yscale("symlog", linthresh=0.01)
        ax.grid(True, lw=0.3)
        ax.legend(fontsize=7)
    axes[-1].set_xlabel("temperature [K] (grey lines: the 12 training temperatures)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def bubble_curve(
    components: Sequence[str],
    pressure: float,
    ln_gamma: Callable[[float, np.ndarray], np.ndarray] | None,
    psat: Callable[[float], np.ndarray],
    t_bounds: tuple[float, float],
    n: int = 41,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bubble temperatures [K] and vapour fractions of a binary at ``pressure`` [Pa].

    Solves :math:`\\sum_i x_i \\gamma_i(T, x) P^{sat}_i(T) = P` for T with Brent's method;
    returns (x_1, T_bubble, y_1).
    """
    from scipy.optimize import brentq

    xs = np.linspace(0.0, 1.0, n)
    temps, ys = np.full(n, np.nan), np.full(n, np.nan)
    for k, x1 in enumerate(xs):
        x = np.array([x1, 1.0 - x1])

        def excess(T, x=x):
            gamma = np.exp(ln_gamma(T, x)) if ln_gamma is not None else np.ones(2)
            return float(np.sum(x * gamma * psat(T))) - pressure

        lo, hi = t_bounds
        if excess(lo) * excess(hi) > 0:
            continue
        T = brentq(excess, lo, hi, xtol=1e-8)
        gamma = np.exp(ln_gamma(T, x)) if ln_gamma is not None else np.ones(2)
        temps[k] = T
        ys[k] = x[0] * gamma[0] * psat(T)[0] / pressure
    return xs, temps, ys


def txy_plot(
    components: Sequence[str],
    pressure: float,
    curve: tuple[np.ndarray, np.ndarray, np.ndarray],
    operating_points: dict[str, tuple[float, float, float]],
    path: Path,
) -> Path:
    """T-x-y diagram; ``operating_points[label] = (x_light, y_light, T [K])``."""
    plt = _pyplot()
    xs, temps, ys = curve
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    ax.plot(xs, temps, "b-", label="bubble curve T(x)")
    ax.plot(ys, temps, "r-", label="dew curve T(y)")
    markers = iter(("o", "s", "^", "D"))
    for label, (x, y, T) in operating_points.items():
        marker = next(markers)
        ax.plot([x, y], [T, T], "k--", lw=0.8)
        ax.plot([x], [T], marker, color="b", label=f"{label}: liquid")
        ax.plot([y], [T], marker, color="r", label=f"{label}: vapour")
    ax.set_xlabel(f"mole fraction of {components[0]} [-]")
    ax.set_ylabel("temperature [K]")
    ax.set_title(
        f"{components[0]}/{components[1]} at {pressure / 1e3:.3f} kPa, shipped hybrid models"
    )
    ax.legend(fontsize=7)
    ax.grid(True, lw=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def measured_plot(res: dict, path: Path) -> Path:
    """Measured vapour pressures vs the backbone, flagged points marked; held-out AADs.

    Left: :math:`100 (P/P_{backbone} - 1)` [%] vs T [K] of the training and test points
    (screening flags as red crosses), with the hybrid and the ``chemicals`` correlation.
    Right: AAD [%] on the test publications of hybrid, backbone and correlation.
    """
    plt = _pyplot()
    fig, (ax, bar) = plt.subplots(1, 2, figsize=(11.0, 4.6), width_ratios=(2.2, 1.0))
    T, P, test = res["T"], res["P"], res["test"]
    curves = res["curves"]

    base = res["P_backbone"]

    def dev(rows):
        return 100.0 * (P[rows] / base[rows] - 1.0)

    ax.plot(T[~test], dev(~test), ".", color="0.55", ms=3, label="training pubs")
    ax.plot(T[test], dev(test), ".", color="tab:blue", ms=4, label="test pubs")
    flagged = np.zeros(T.size, dtype=bool)
    screened = res["screening"]
    flagged[screened.index[screened["flag"] != "ok"]] = True
    ax.plot(T[flagged], dev(flagged), "x", color="tab:red", ms=7,
            label=f"flagged by screening ({int(flagged.sum())})")
    grid = curves["grid"]
    ax.plot(grid, 100.0 * (curves["hybrid"] / curves["backbone"] - 1.0), "k-", lw=1.4,
            label="hybrid (ONNX)")
    if curves["chemicals"] is not None:
        g, p, p_base = curves["chemicals"]
        ax.plot(g, 100.0 * (p / p_base - 1.0),
                "--", color="tab:green", lw=1.2, label="chemicals correlation")
    ax.axhline(0.0, color="k", lw=0.6)
    ax.set_xlabel("temperature [K]")
    ax.set_ylabel("deviation from Ambrose-Walton backbone [%]")
    ax.set_title(f"{res['name']}: measured vapour pressure (NIST ThermoML)", fontsize=9)
    ax.grid(True, lw=0.3)
    ax.legend(fontsize=7)
    cmp_ = res["comparison"]
    labels = ["hybrid", "backbone"] + (["chemicals"] if "chemicals" in cmp_ else [])
    values = [cmp_[k]["aad"] for k in labels]
    bar.bar(labels, values, color=["k", "0.55", "tab:green"][: len(labels)])
    for k, v in enumerate(values):
        bar.text(k, v, f"{v:.2f} %", ha="center", va="bottom", fontsize=8)
    bar.set_ylabel("AAD on test publications [%]")
    bar.set_title(f"held out: {len(res['test_publications'])} publications, "
                  f"{int(test.sum())} points", fontsize=9)
    bar.grid(True, axis="y", lw=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
