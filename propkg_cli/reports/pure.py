"""Validation of the hybrid pure-component models against held-out CoolProp data.

For every shipped fluid and for the vapour pressure, the saturated-liquid density and the
ideal-gas heat capacity, on the 100 held-out ``test`` temperatures between
``max(T_triple, 0.45 Tc)`` and ``0.95 Tc``, compares

(a) the backbone alone (Ambrose-Walton, Rackett, Poling),
(b) the hybrid (backbone + correction, as shipped),
(c) a plain tanh network of the same size (10 parameters) trained on the same 12 points,
(d) for the vapour pressure, Antoine's equation fitted to the same 12 points;

then repeats the fits on the lower 60 % of the range only (``train_extrap`` rows) and
tests on the upper 40 % (extrapolation). The enthalpy of vaporization (derived, never
fitted) is compared with CoolProp's. Writes ``pure_components.md`` and figures into the
folder it is given (``propkg validate --output DIR``; the committed copy is
``validation/reports/``, written by ``python validation/pure_components.py``).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

import propkg
from propkg.components import get_constants, names
from propkg.datasets import EXTRAP_FRACTION, load_dataset, subset
from propkg.evaluate import deviations
from propkg.hybrid import HybridPureModel
from propkg.reference_models import (
    antoine,
    backbone_eval,
    fit_antoine,
    hybrid_eval,
    plain_net_eval,
    plain_net_fit,
)
from propkg.training import fit_hybrid
from propkg_contract.reader import run_onnx
from propkg_contract.registry import default_model_dir

PROPS = ("pressure_sat_comp", "dens_mol_liq_comp", "cp_mol_ig_comp")


# ---- comparison models: propkg.reference_models -------------------------------------
def stats(pred, ref, prop):
    d = np.abs(deviations(pred, ref, prop))
    return float(d.mean()), float(d.max())


# ---- per-fluid evaluation ---------------------------------------------------------------
def evaluate_fluid(name: str) -> dict:
    c = get_constants(name)
    data = load_dataset(name)
    train, test, train_x = (subset(data, r) for r in ("train", "test", "train_extrap"))
    T_test = test["temperature"]
    split = c.T_low + EXTRAP_FRACTION * (c.T_high - c.T_low)
    upper = T_test > split
    result = {"name": name, "interp": {}, "extrap": {}, "fit_seconds": {}}

    shipped = run_onnx(default_model_dir() / f"{name}.onnx", T_test)
    model = fit_hybrid(c, train)
    model_x = fit_hybrid(c, train_x)
    result["fit_seconds"] = model.info["fit_seconds"]
    for prop in PROPS:
        ref = test[prop]
        rows = {"backbone": backbone_eval(c, T_test, prop), "hybrid": shipped[prop]}
        net = plain_net_fit(c, train["temperature"], train[prop], prop)
        rows["plain net"] = plain_net_eval(c, T_test, net, prop)
        if prop == "pressure_sat_comp":
            rows["Antoine"] = antoine(T_test, fit_antoine(train["temperature"], train[prop]))
        result["interp"][prop] = {k: stats(v, ref, prop) for k, v in rows.items()}
        # extrapolation: fitted on the lower 60 %, tested above
        rows_x = {
            "backbone": backbone_eval(c, T_test, prop),
            "hybrid": hybrid_eval(model_x, T_test, prop),
        }
        net_x = plain_net_fit(c, train_x["temperature"], train_x[prop], prop)
        rows_x["plain net"] = plain_net_eval(c, T_test, net_x, prop)
        if prop == "pressure_sat_comp":
            rows_x["Antoine"] = antoine(T_test, fit_antoine(train_x["temperature"], train_x[prop]))
        result["extrap"][prop] = {k: stats(v[upper], ref[upper], prop) for k, v in rows_x.items()}
        if prop == "pressure_sat_comp":
            result["curves"] = {
                "T": T_test,
                "Tr": T_test / c.Tc,
                "split": split / c.Tc,
                **{k: deviations(v, ref, prop) for k, v in rows_x.items()},
            }
    # derived enthalpy of vaporization: shipped hybrid vs virial-only vapour volume
    ref = test["dh_vap_mol_comp"]
    no_zcorr = HybridPureModel(
        c, model.psat_params, model.dens_params, model.cp_params, None, model.hidden, model.terms
    )
    result["dh_vap"] = {
        "hybrid": stats(shipped["dh_vap_mol_comp"], ref, "dh_vap_mol_comp"),
        "virial B only": stats(
            no_zcorr.evaluate(T_test)["dh_vap_mol_comp"], ref, "dh_vap_mol_comp"
        ),
        "dev": deviations(shipped["dh_vap_mol_comp"], ref, "dh_vap_mol_comp"),
        "Tr": T_test / c.Tc,
    }
    for prop in ("enth_mol_ig_comp", "entr_mol_ig_comp"):
        result["interp"][prop] = {"hybrid": stats(shipped[prop], test[prop], prop)}
    return result


# ---- report -----------------------------------------------------------------------------
def _fmt(x: float) -> str:
    return f"{x:.4f}" if x < 10 else f"{x:.1f}"


def _table(results, key, prop, models):
    head = "| fluid | " + " | ".join(f"{m} AAD % / max %" for m in models) + " |"
    lines = [head, "|" + "---|" * (len(models) + 1)]
    for r in results:
        cells = [f"{_fmt(r[key][prop][m][0])} / {_fmt(r[key][prop][m][1])}" for m in models]
        lines.append(f"| {r['name']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _count(results, key, prop, other, factor):
    return sum(r[key][prop]["hybrid"][0] <= factor * r[key][prop][other][0] for r in results)


def _other_summary(results, prop):
    n = len(results)
    return (
        f"- {prop}: hybrid AAD below the backbone's in "
        f"{_count(results, 'interp', prop, 'backbone', 1.0)}/{n} fluids and below the plain "
        f"net's in {_count(results, 'interp', prop, 'plain net', 1.0)}/{n}; in extrapolation "
        f"below the backbone's in {_count(results, 'extrap', prop, 'backbone', 1.0)}/{n}, "
        f"below the plain net's in {_count(results, 'extrap', prop, 'plain net', 1.0)}/{n}, "
        f"at most 1/10 of the plain net's in "
        f"{_count(results, 'extrap', prop, 'plain net', 0.1)}/{n}."
    )


def _figures(results, figures: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figures.mkdir(parents=True, exist_ok=True)
    models = ["backbone", "hybrid", "plain net", "Antoine"]
    fluids = [r["name"] for r in results]
    x = np.arange(len(fluids))
    for key, fname, title in (
        ("interp", "pure_psat_aad.png", "Psat, 12 training points over the range"),
        ("extrap", "pure_psat_extrap_aad.png", "Psat, trained on lower 60 %, tested above"),
    ):
        fig, ax = plt.subplots(figsize=(11, 4))
        for k, m in enumerate(models):
            vals = [r[key]["pressure_sat_comp"][m][0] for r in results]
            ax.bar(x + (k - 1.5) * 0.2, vals, 0.2, label=m)
        ax.set_yscale("log")
        ax.set_xticks(x, fluids, rotation=60, ha="right")
        ax.set_ylabel("AAD % vs CoolProp (held out)")
        ax.axhline(0.05, color="k", lw=0.8, ls="--")
        ax.set_title(title)
        ax.legend(ncol=4, fontsize=8)
        fig.tight_layout()
        fig.savefig(figures / fname, dpi=110)
        plt.close(fig)
    preferred = [r for r in results if r["name"] in ("water", "n_hexane", "ammonia")]
    shown = preferred or results[:3]
    fig, axes = plt.subplots(1, len(shown), figsize=(13 * len(shown) / 3, 4), squeeze=False)
    axes = axes[0]
    for ax, r in zip(axes, shown, strict=True):
        name, cur = r["name"], r["curves"]
        for m in models:
            ax.plot(cur["Tr"], cur[m], label=m)
        ax.axvline(cur["split"], color="k", lw=0.8, ls="--")
        ax.set_title(f"{name}: Psat extrapolation")
        ax.set_xlabel("T/Tc")
        ax.set_ylim(-3, 3)
    axes[0].set_ylabel("deviation from CoolProp [%]")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(figures / "pure_psat_extrap_curves.png", dpi=110)
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(7, 4))
    for r in results:
        ax.plot(r["dh_vap"]["Tr"], r["dh_vap"]["dev"], lw=0.8)
    ax.set_xlabel("T/Tc")
    ax.set_ylabel("dh_vap deviation from CoolProp [%]")
    ax.set_title("Derived enthalpy of vaporization (Clausius-Clapeyron), 20 fluids")
    fig.tight_layout()
    fig.savefig(figures / "pure_dhvap_dev.png", dpi=110)
    plt.close(fig)


def write_report(results, elapsed, report: Path) -> None:
    import CoolProp

    psat = [r["interp"]["pressure_sat_comp"] for r in results]
    psat_x = [r["extrap"]["pressure_sat_comp"] for r in results]
    ok_aad = [r["name"] for r, p in zip(results, psat, strict=True) if p["hybrid"][0] <= 0.05]
    ok_10x = [
        r["name"]
        for r, p in zip(results, psat, strict=True)
        if p["backbone"][0] >= 10 * p["hybrid"][0]
    ]
    ok_x = [
        r["name"]
        for r, p in zip(results, psat_x, strict=True)
        if p["hybrid"][0] <= 0.1 * p["plain net"][0]
    ]
    fits = np.array([t for r in results for t in r["fit_seconds"].values()])
    miss = lambda ok: ", ".join(r["name"] for r in results if r["name"] not in ok) or "none"  # noqa: E731
    out = [
        "# Pure-component hybrid models: validation against CoolProp",
        "",
        f"Generated by `python validation/pure_components.py` (propkg {propkg.__version__}, "
        f"CoolProp {CoolProp.__version__}, {elapsed:.0f} s). Data: "
        "`propkg/data/pure_components/<fluid>.csv` (sha256 in the JSON sidecars).",
        "",
        "Every model is fitted on 12 CoolProp points per property, evenly spread from "
        "max(T_triple, 0.45 Tc) to 0.95 Tc, and tested on 100 held-out temperatures in the "
        "same range. AAD = average absolute relative deviation, max = maximum absolute "
        "relative deviation, both in %. Models: *backbone* = Ambrose-Walton / Rackett / "
        "Poling alone (constants from `chemicals`); *hybrid* = the shipped ONNX file; "
        "*plain net* = a tanh network with the same 10 parameters as the hybrid's "
        "correction, on ln Psat, ln rho or cp/R, trained on the same points with the same "
        "optimiser and L2 penalty; *Antoine* = ln P = A - B/(T + C) fitted to the same points.",
        "",
        "## Targets",
        "",
        f"- Hybrid Psat AAD <= 0.05 %: met by {len(ok_aad)}/{len(results)} fluids "
        f"(misses: {miss(ok_aad)}).",
        f"- Hybrid Psat AAD >= 10x better than the backbone alone: {len(ok_10x)}/{len(results)} "
        f"(misses: {miss(ok_10x)}).",
        f"- Extrapolation (train on the lower 60 %, test on the upper 40 %): hybrid Psat AAD "
        f"<= 1/10 of the plain net's: {len(ok_x)}/{len(results)} (misses: {miss(ok_x)}).",
        f"- Fit time of one hybrid property model (scipy least squares, this machine, "
        f"{len(fits)} fits): median {np.median(fits):.2f} s, max {fits.max():.2f} s "
        "(target <= 5 s).",
        "",
        "",
        "Other properties (information, no stated target):",
        "",
        *[_other_summary(results, prop) for prop in PROPS],
        "",
        "## Model files",
        "",
        "One ONNX file per component, `exported_models/<name>.onnx`, listed with its sha256 in "
        "`exported_models/manifest.json` (regenerate all with `python validation/export_all.py`; "
        "the export is byte-for-byte deterministic). Single input `temperature` [K], float64, "
        "shape `[batch, 1]` (symbolic batch axis: onnxruntime evaluates a whole array in one "
        "call); outputs `pressure_sat_comp` [Pa], `dens_mol_liq_comp` [mol/m**3], "
        "`cp_mol_ig_comp` [J/mol/K], `enth_mol_ig_comp` [J/mol], `entr_mol_ig_comp` [J/mol/K] "
        "(both 0 at 298.15 K, entropy at 101325 Pa), `dh_vap_mol_comp` [J/mol], same shape. "
        "Opset 16 (the one CasADi 3.8 writes), ops limited to Add/Sub/Mul/Div/Pow/Exp/Log/Sqrt/"
        "Tanh/Neg/Constant. The propkg metadata (`metadata_props['propkg']`) holds units, "
        "per-output validity domain [max(T_triple, 0.45 Tc), 0.95 Tc] and scaling factor, "
        "backbones and their parameters, the constants from `chemicals`, the correction "
        "parameters, training-data sha256 and the error statistics of the tables below. "
        "CasADi re-import: `b = casadi.GraphBuilder(path, {}); b.bind_dim('batch', 1); "
        "f = b.create(name, {'symbolic': True}).expand()` (tested).",
        "",
        "![Psat AAD](figures/pure_psat_aad.png)",
        "",
        "![Psat extrapolation AAD](figures/pure_psat_extrap_aad.png)",
        "",
        "![Psat extrapolation curves](figures/pure_psat_extrap_curves.png)",
        "",
        "## Vapour pressure (held-out, interpolation)",
        "",
        _table(
            results, "interp", "pressure_sat_comp", ["backbone", "hybrid", "plain net", "Antoine"]
        ),
        "",
        "## Vapour pressure, extrapolation (upper 40 % of the range)",
        "",
        _table(
            results, "extrap", "pressure_sat_comp", ["backbone", "hybrid", "plain net", "Antoine"]
        ),
        "",
        "## Saturated-liquid molar density",
        "",
        _table(results, "interp", "dens_mol_liq_comp", ["backbone", "hybrid", "plain net"]),
        "",
        "Extrapolation (upper 40 %):",
        "",
        _table(results, "extrap", "dens_mol_liq_comp", ["backbone", "hybrid", "plain net"]),
        "",
        "## Ideal-gas heat capacity",
        "",
        _table(results, "interp", "cp_mol_ig_comp", ["backbone", "hybrid", "plain net"]),
        "",
        "Extrapolation (upper 40 %):",
        "",
        _table(results, "extrap", "cp_mol_ig_comp", ["backbone", "hybrid", "plain net"]),
        "",
        "Ideal-gas enthalpy and entropy are closed-form integrals of the hybrid cp (not "
        "fitted); deviations from quadrature of CoolProp's cp0, in % of max |reference| "
        "on the test grid (both are 0 at 298.15 K):",
        "",
        "| fluid | enth_mol_ig_comp AAD / max | entr_mol_ig_comp AAD / max |",
        "|---|---|---|",
        *[
            f"| {r['name']} | "
            + " | ".join(
                f"{_fmt(r['interp'][p]['hybrid'][0])} / {_fmt(r['interp'][p]['hybrid'][1])}"
                for p in ("enth_mol_ig_comp", "entr_mol_ig_comp")
            )
            + " |"
            for r in results
        ],
        "",
        "## Enthalpy of vaporization (derived by Clausius-Clapeyron, never fitted)",
        "",
        "dh_vap = T (v_V - v_L) dPsat/dT with the exact CasADi derivative of the hybrid "
        "ln Psat, v_L from the hybrid liquid density and v_V = Z R T / Psat. *virial B only*: "
        "Z = 1 + B Psat/(RT) with Tsonopoulos' B; *hybrid*: the same plus a correction of "
        "order (Psat/Pc)^2 on ln Z trained on 12 CoolProp saturated-vapour densities (the "
        "shipped model).",
        "",
        "| fluid | virial B only AAD / max | hybrid AAD / max |",
        "|---|---|---|",
        *[
            f"| {r['name']} | "
            + " | ".join(
                f"{_fmt(r['dh_vap'][m][0])} / {_fmt(r['dh_vap'][m][1])}"
                for m in ("virial B only", "hybrid")
            )
            + " |"
            for r in results
        ],
        "",
        "![dh_vap deviations](figures/pure_dhvap_dev.png)",
        "",
        "## Fit times [s] per property",
        "",
        "| fluid | " + " | ".join(PROPS) + " | dens_mol_vap_comp (Z correction) |",
        "|---|---|---|---|---|",
        *[
            f"| {r['name']} | "
            + " | ".join(
                f"{r['fit_seconds'].get(p, float('nan')):.2f}"
                for p in (*PROPS, "dens_mol_vap_comp")
            )
            + " |"
            for r in results
        ],
        "",
    ]
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text("\n".join(out), encoding="utf-8")


def main(argv: list[str] | None = None, out: Path | None = None) -> int:
    """Evaluate the fluids named in ``argv`` (default all) and write the report to ``out``."""
    out = Path(out) if out is not None else Path.cwd() / "propkg_validation_output"
    start = time.perf_counter()
    selected = argv if argv else names()
    results = []
    for name in selected:
        results.append(evaluate_fluid(name))
        p = results[-1]["interp"]["pressure_sat_comp"]
        print(
            f"{name:16s} Psat AAD backbone {p['backbone'][0]:.3f} % hybrid {p['hybrid'][0]:.4f} %",
            flush=True,
        )
    _figures(results, out / "figures")
    write_report(results, time.perf_counter() - start, out / "pure_components.md")
    print(f"wrote {out / 'pure_components.md'}")
    return 0
