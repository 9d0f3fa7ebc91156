"""propkg list: the models of a model folder, with their held-out error figures.

Default: the shipped models (or $PROPKG_MODEL_DIR); --models DIR lists another folder of
*.onnx files with a manifest.json, e.g. one written by 'propkg zoo build'. Every file is
read through the contract (its sha256 is checked against the manifest); the figures are
those recorded in the file's metadata: AAD on held-out data of the main outputs
(pure: Psat, saturated-liquid density, ideal-gas cp; binary: bubble pressure; transport:
viscosities, conductivities, surface tension) and what was held out; "(backbone)" marks a
figure of an output that no data were fitted to (its backbone alone, e.g. a zoo file's
Rackett density where the fitted correction did not beat it).
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from propkg_contract.metadata import KINDS

#: output (or statistic) -> short label of the list
FIGURES = {
    "pressure_sat_comp": "Psat",
    "dens_mol_liq_comp": "rho_liq",
    "cp_mol_ig_comp": "cp_ig",
    "pressure_bubble": "P_bubble",
    "visc_d_liq_comp": "mu_liq",
    "visc_d_vap_comp": "mu_vap",
    "therm_cond_liq_comp": "k_liq",
    "therm_cond_vap_comp": "k_vap",
    "surf_tens_comp": "sigma",
}


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "list",
        help="list shipped (or a folder's) models with their held-out figures",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--models", type=Path, metavar="DIR",
                        help="model folder (default: shipped models or $PROPKG_MODEL_DIR)")
    parser.add_argument("--kind", choices=KINDS,
                        help="only models of this kind")
    parser.add_argument("--json", action="store_true", help="one JSON object per model")
    parser.set_defaults(func=run)


def model_rows(model_dir: Path | None = None, kind: str | None = None) -> list[dict]:
    """One dict per manifest entry (the folder's own models, then its zoo): name, kind,
    components, file, zoo (True for the zoo's), figures, held_out."""
    from propkg_contract.errors import MetadataError
    from propkg_contract.metadata import read_metadata
    from propkg_contract.registry import checked_model_file, default_model_dir, model_collections

    folder = model_dir if model_dir is not None else default_model_dir()
    if not folder.is_dir():
        raise MetadataError(f"model folder '{folder}' does not exist")
    rows = []
    for where, manifest in model_collections(folder):
        for entry in manifest["models"]:
            if kind and entry["kind"] != kind:
                continue
            meta = read_metadata(checked_model_file(where, entry))
            rows.append(_row(entry, meta, where != folder))
    return rows


def _row(entry: dict, meta, zoo: bool) -> dict:
    """The list row of one manifest entry and its file's metadata."""
    stats = meta.error_statistics
    figures = {label: stats[key]["aad_percent"] for key, label in FIGURES.items()
               if isinstance(stats.get(key), dict) and "aad_percent" in stats[key]}
    by_figure = {label: _short(stats[key].get("held_out") or stats[key].get("split")
                               or stats[key].get("reference"))
                 for key, label in FIGURES.items() if label in figures}
    return {
        "name": entry["name"],
        "kind": entry["kind"],
        "components": [c["name"] for c in meta.components],
        "file": entry["file"],
        "zoo": zoo,
        "held_out_aad_percent": figures,
        "held_out": _held_out_text(by_figure),
        "held_out_by_figure": by_figure,
        # figures of outputs no data were fitted to (the file's backbone, e.g. Rackett)
        "backbone_only": [label for key, label in FIGURES.items()
                          if label in figures and not meta.fitted_to_data(key)],
    }



def _short(text) -> str:
    """A held-out description without its rule and parenthetical details (counts kept)."""
    return re.sub(r" \((?!\d+\))[^()]*\)", "", str(text or "").split(", rule:")[0])


def _held_out_text(by_figure: dict[str, str]) -> str | None:
    """What the figures were held out on: one text when they share it, else one per group
    of figures ("Psat: test publications ...; rho_liq, cp_ig: CoolProp 8.0.0" for a zoo file
    trained on CoolProp and tested on ThermoML)."""
    groups: dict[str, list[str]] = {}
    for label, text in by_figure.items():
        if text:
            groups.setdefault(text, []).append(label)
    if len(groups) <= 1:
        return next(iter(groups), None)
    return "; ".join(f"{', '.join(labels)}: {text}" for text, labels in groups.items())


def run(args: argparse.Namespace) -> int:
    rows = model_rows(args.models, args.kind)
    if args.json:
        for row in rows:
            print(json.dumps(row, sort_keys=True))
        return 0
    header = ("name", "kind", "from", "components", "held-out AAD %", "held out on")
    table = [
        (r["name"], r["kind"], "zoo" if r["zoo"] else "shipped", " + ".join(r["components"]),
         ", ".join(f"{k} {v:.3g}" + (" (backbone)" if k in r["backbone_only"] else "")
                   for k, v in r["held_out_aad_percent"].items()) or "-",
         r["held_out"] or "-")
        for r in rows
    ]
    widths = [max(len(str(x)) for x in col) for col in zip(header, *table, strict=False)]
    for row in (header, *table):
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    n_zoo = sum(r["zoo"] for r in rows)
    print(f"{len(rows)} model(s)" + (f": {len(rows) - n_zoo} shipped, {n_zoo} in the zoo "
                                     "(fitted by propkg zoo build)" if n_zoo else ""))
    return 0
