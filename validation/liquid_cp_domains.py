"""Liquid heat capacity and wide-range ideal-gas heat capacity of the shipped pure models.

Usage::

    python validation/liquid_cp_domains.py [--out validation/reports]

For each of the 20 shipped fluids, against CoolProp:

- liquid cp: the exact T derivative of the model's ``enth_mol_liq_comp`` (what a
  flowsheet's ``cp_mol_liq_comp`` is) vs the saturated-liquid ``Cpmolar`` at Q=0, on 60
  points from the lower end of the liquid domain to 0.9 Tc; for comparison the previous
  construction :math:`d(h^{ig} - \\Delta h^{vap})/dT` of the same model;
- ideal-gas cp over 200-1500 K: the hybrid (Poling + Einstein correction) and the Poling
  backbone alone vs CoolProp's ``cp0molar``, on 131 points.

Writes ``liquid_cp_domains.md`` and ``figures/liquid_cp_domains.png`` under ``--out``.
The reference points are not the training points (those are 12 liquid points on
[T_low, 0.98 Tc] and 16 ideal-gas points on [200, 1500] K).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from propkg import backbones as bb
from propkg.components import names
from propkg.evaluate import liquid_cp
from propkg.hybrid import HybridPureModel
from propkg.pipeline import default_model_dir
from propkg_contract.metadata import read_metadata

REPORT_DIR = Path(__file__).resolve().parent / "reports"


def _coolprop(fluid: str, T: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Saturated-liquid cp at T and a function of the ideal-gas cp0 [J/mol/K]."""
    import CoolProp
    from CoolProp.CoolProp import PropsSI

    cp_liq = np.array([PropsSI("Cpmolar", "T", float(t), "Q", 0, fluid) for t in T])
    state = CoolProp.AbstractState("HEOS", fluid)

    def cp0(temps):
        out = []
        for t in temps:
            state.update(CoolProp.DmolarT_INPUTS, 1e-6, float(t))
            out.append(state.cp0molar())
        return np.array(out)

    return cp_liq, cp0


def _old_liquid_cp(model: HybridPureModel, T: np.ndarray) -> np.ndarray:
    """d(h_ig - dh_vap)/dT of the same model: the construction used before."""
    import casadi as ca

    t = ca.MX.sym("t")
    f = model.casadi_function()(t)
    fun = ca.Function("old", [t], [ca.jacobian(f[3] - f[5], t)])
    return np.asarray(fun(T.reshape(1, -1))).ravel()


def compare(fluid: str) -> dict:
    """Deviation figures [%] of one fluid."""
    meta = read_metadata(default_model_dir() / f"{fluid}.onnx")
    model = HybridPureModel.from_metadata(meta.raw)
    c = model.constants
    lo = meta.outputs["enth_mol_liq_comp"]["domain"]["temperature"][0]
    T_liq = np.linspace(lo, 0.9 * c.Tc, 60)
    ref_liq, cp0 = _coolprop(c.coolprop, T_liq)
    T_ig = np.linspace(200.0, 1500.0, 131)
    ref_ig = cp0(T_ig)
    dev = {
        "cp_liq": 100 * (liquid_cp(model, T_liq) / ref_liq - 1),
        "cp_liq_old": 100 * (_old_liquid_cp(model, T_liq) / ref_liq - 1),
        "cp_ig": 100 * (np.asarray(model.cp_ig(T_ig), float) / ref_ig - 1),
        "cp_ig_poling": 100 * (bb.poling_cp(T_ig, c.poling) / ref_ig - 1),
    }
    return {
        "fluid": fluid,
        "T_liq": (float(lo), float(0.9 * c.Tc)),
        "curves": {"T_liq": T_liq / c.Tc, "T_ig": T_ig, **dev},
        **{k: (float(np.mean(np.abs(v))), float(np.max(np.abs(v)))) for k, v in dev.items()},
    }


def _figure(results: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(17, 5.2))
    for r in results:
        cur = r["curves"]
        axes[0].plot(cur["T_liq"], cur["cp_liq"], lw=1)
        axes[1].plot(cur["T_ig"], cur["cp_ig"], lw=1)
    axes[0].axhspan(-5, 5, color="0.9", zorder=0)
    axes[0].set(xlabel="T / Tc", ylabel="cp_liq deviation from CoolProp [%]",
                title="liquid cp = d h_L/dT (20 fluids)")  # fmt: skip
    axes[1].set(xlabel="T [K]", ylabel="cp_ig deviation from CoolProp cp0 [%]",
                title="ideal-gas cp, hybrid (20 fluids)")  # fmt: skip
    x = np.arange(len(results))
    axes[2].bar(x - 0.2, [r["cp_ig"][1] for r in results], 0.4, label="hybrid")
    axes[2].bar(x + 0.2, [r["cp_ig_poling"][1] for r in results], 0.4, label="Poling alone")
    axes[2].set_xticks(x, [r["fluid"] for r in results], rotation=70, fontsize=8)
    axes[2].set(ylabel="max |deviation| 200-1500 K [%]", title="ideal-gas cp, max deviation",
                yscale="log")
    axes[2].legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_report(results: list[dict], out: Path, elapsed: float) -> Path:
    """Markdown report with one row per fluid and the figure."""
    import CoolProp

    figure = out / "figures" / "liquid_cp_domains.png"
    _figure(results, figure)
    rows = [
        f"| {r['fluid']} | {r['T_liq'][0]:.1f}-{r['T_liq'][1]:.1f} | {r['cp_liq'][0]:.2f} | "
        f"{r['cp_liq'][1]:.2f} | {r['cp_liq_old'][0]:.1f} | {r['cp_liq_old'][1]:.1f} | "
        f"{r['cp_ig'][0]:.2f} | {r['cp_ig'][1]:.2f} | {r['cp_ig_poling'][0]:.2f} | "
        f"{r['cp_ig_poling'][1]:.2f} |"
        for r in results
    ]
    worst = max(r["cp_liq"][1] for r in results)
    worst_ig = max(r["cp_ig"][1] for r in results)
    text = "\n".join([
        "# Liquid cp and wide-range ideal-gas cp of the shipped pure models",
        "",
        f"Generated by `python validation/liquid_cp_domains.py` ({elapsed:.0f} s), reference "
        f"CoolProp {CoolProp.__version__}.",
        "",
        "- **cp_liq**: exact T derivative of the model's `enth_mol_liq_comp` (the package's "
        "`cp_mol_liq_comp`) vs CoolProp's saturated-liquid `Cpmolar` (Q=0), 60 points from "
        "the lower end of the liquid domain to 0.9 Tc. *old*: d(h_ig - dh_vap)/dT of the same "
        "model, the construction used before (dh_vap by Clausius-Clapeyron).",
        "- **cp_ig**: hybrid (Poling + 5 Planck-Einstein terms, trained on 16 CoolProp cp0 "
        "points over 200-1500 K) and the Poling backbone alone vs CoolProp `cp0molar`, 131 "
        "points over 200-1500 K.",
        "",
        f"Largest cp_liq deviation: **{worst:.2f} %**; largest hybrid cp_ig deviation: "
        f"**{worst_ig:.2f} %**.",
        "",
        "| fluid | T liquid [K] | cp_liq AAD % | cp_liq max % | old AAD % | old max % | "
        "cp_ig AAD % | cp_ig max % | Poling AAD % | Poling max % |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        f"![liquid and ideal-gas cp](figures/{figure.name})",
        "",
    ])  # fmt: skip
    path = out / "liquid_cp_domains.md"
    path.write_text(text, encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPORT_DIR, help="report folder")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    results = []
    for k, fluid in enumerate(names(), start=1):
        results.append(compare(fluid))
        r = results[-1]
        print(f"[{k}/{len(names())}] {fluid:15s} cp_liq max {r['cp_liq'][1]:5.2f} %  "
              f"cp_ig max {r['cp_ig'][1]:5.2f} % (Poling {r['cp_ig_poling'][1]:5.2f} %)",
              flush=True)  # fmt: skip
    path = write_report(results, args.out, time.perf_counter() - start)
    print(f"report: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
