"""Export of hybrid transport models to ONNX files beside the pure-component ones.

One file per component, ``<name>__transport.onnx`` (kind ``pure_component_transport``,
input ``temperature``, the outputs of
:data:`propkg_contract.vocabulary.TRANSPORT_OUTPUT_UNITS`), written by the contract's one
writer and registered in the manifest under ``<name>__transport`` with the component's
names as aliases, so that :func:`propkg_contract.registry.find_transport_model` finds it
by component name, alias or CAS number.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import propkg
from propkg.transport.backbones import LIQUID_CAP_TR
from propkg.transport.model import BACKBONE_NAMES, OUTPUT_UNITS, HybridTransportModel
from propkg_contract.registry import write_manifest_entries
from propkg_contract.vocabulary import BATCH
from propkg_contract.writer import write_onnx

#: metadata kind of a transport model file
KIND = "pure_component_transport"
#: suffix of the file and manifest names
SUFFIX = "__transport"
#: constants (keys of TransportConstants.as_dict) each backbone uses
BACKBONE_PARAMETERS = {
    "visc_d_liq_comp": ("Tc", "Pc", "omega", "molar_mass"),
    "visc_d_vap_comp": ("Tc", "Pc", "Zc", "molar_mass", "dipole_debye"),
    "therm_cond_liq_comp": ("Tc", "Tb", "molar_mass"),
    "therm_cond_vap_comp": ("Tc", "Pc", "Zc", "omega", "molar_mass", "dipole_debye", "poling_a"),
    "surf_tens_comp": ("Tc", "Pc", "Tb"),
}


def _scaling_factor(values: np.ndarray) -> float:
    magnitude = float(np.max(np.abs(values)))
    return float(10.0 ** (-np.round(np.log10(magnitude))))


def _error_statistics(report: dict) -> dict:
    """Per-output held-out statistics (hybrid, and the backbone alone for comparison)."""
    stats = {}
    for name, entry in report["outputs"].items():
        if "skipped" in entry:
            stats[name] = {"validated": False, "reason": entry["skipped"],
                           "note": "backbone alone (no learned correction)"}  # fmt: skip
            continue
        stats[name] = {**entry["hybrid"], "reference": entry["reference"],
                       "backbone_alone": entry["backbone"]}  # fmt: skip
        for key in entry:
            if key == "coolprop_missing" or key.startswith("hybrid_vs_"):
                stats[name][key] = entry[key]
    return stats


def build_metadata(model: HybridTransportModel, report: dict) -> dict:
    """propkg metadata of an exported transport model (``report`` of
    :func:`propkg.transport.training.train_transport`)."""
    k = model.constants
    c = k.pure
    lows = [lo for lo, _ in model.domains.values()]
    highs = [hi for _, hi in model.domains.values()]
    outputs = {}
    for name in OUTPUT_UNITS:
        lo, hi = model.domains[name]
        values = model.value(name, np.linspace(lo, hi, 50))
        outputs[name] = {
            "units": OUTPUT_UNITS[name],
            "scaling_factor": _scaling_factor(values),
            "domain": {"temperature": [float(lo), float(hi)]},
            "shape": [BATCH, 1],
        }
    constants = k.as_dict()
    n_points = {name: entry.get("n_train", 0) for name, entry in report["outputs"].items()}
    return {
        "schema_version": 1,
        "kind": KIND,
        "components": [{"name": c.name, "cas": c.cas, "molar_mass": c.molar_mass}],
        "inputs": {"temperature": {"units": "K", "shape": [BATCH, 1], "scaling_factor": 1e-2}},
        "outputs": outputs,
        "domain": {"temperature": [float(min(lows)), float(max(highs))]},
        "constants": constants,
        "backbone": {
            name: {"name": BACKBONE_NAMES[name],
                   "parameters": {key: constants[key] for key in BACKBONE_PARAMETERS[name]}}
            for name in OUTPUT_UNITS
        },  # fmt: skip
        "correction": model.correction_dict(),
        "training_data": {
            "sha256": report["training_sha256"],
            "source": report["source"],
            "n_points": n_points,
            "states": "saturated liquid (Q=0) for the liquid outputs and the surface "
            "tension; dilute gas (1e-3 mol/m**3) for the vapour outputs",
            "temperatures": "Chebyshev-Lobatto nodes of each output's domain",
        },
        "error_statistics": _error_statistics(report),
        "propkg_version": propkg.__version__,
        "notes": "Saturated-liquid viscosity and conductivity and the surface tension are "
        f"functions of T alone (saturation); above {LIQUID_CAP_TR} Tc their backbones are "
        "evaluated at a smoothly capped T, so they level off (finite, positive). Vapour "
        "outputs are dilute-gas (zero-density) values. Every output is backbone x "
        "exp(tanh correction): positive, and the correction tends to a constant outside "
        "the trained domain.",
    }


def export_transport(model: HybridTransportModel, report: dict, model_dir: str | Path) -> Path:
    """Write ``<name>__transport.onnx`` into ``model_dir``; return its path (not registered:
    see :func:`register_transport`)."""
    c = model.constants.pure
    path = Path(model_dir) / f"{c.name}{SUFFIX}.onnx"
    lo, hi = build_metadata(model, report)["domain"]["temperature"]
    points = [{"temperature": t} for t in np.linspace(lo, hi, 3)]
    return write_onnx(
        model.casadi_function(c.name), build_metadata(model, report), path,
        check_points=points, producer_version=propkg.__version__,
    )  # fmt: skip


def manifest_entry(model: HybridTransportModel) -> dict:
    """Manifest entry of an exported transport file (aliases: the component's names, CAS)."""
    c = model.constants.pure
    names = (c.name, c.name.replace("_", " "), c.coolprop, *c.aliases, c.cas)
    return {
        "name": f"{c.name}{SUFFIX}",
        "kind": KIND,
        "file": f"{c.name}{SUFFIX}.onnx",
        "components": [{"name": c.name, "cas": c.cas}],
        "aliases": sorted({a.lower() for a in names}),
    }


def register_transport(model_dir: str | Path, models: list[HybridTransportModel]) -> Path:
    """Add the exported files of ``models`` to ``model_dir/manifest.json`` (one write)."""
    return write_manifest_entries(model_dir, [manifest_entry(m) for m in models])
