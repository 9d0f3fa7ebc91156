"""Zoo payload ``pure_coolprop``: the hybrid pure model fitted to a CoolProp dataset.

The dataset (``<name>.csv`` + ``<name>.json``, :mod:`propkg.datasets`) is read in the
client and sent to the worker as bytes; the worker fits with
:func:`propkg.training.fit_hybrid` on the ``train`` rows (the properties in
``settings["properties"]``, default all; ``settings["hidden"]`` tanh units, default
:data:`propkg.training.HIDDEN`) and exports with
:func:`propkg.pipeline.export_fitted` (held-out statistics on the ``test`` rows) into a
temporary folder; the file's bytes go back to the client. The report figures are those of
``pressure_sat_comp`` on the test rows: hybrid, backbone alone (Ambrose-Walton) and the
``chemicals`` correlation (:mod:`propkg.zoo.references`).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from propkg.zoo.tasks import TaskResult, TaskSpec, sha256_bytes
from propkg_contract.errors import DataError

NAME = "pure_coolprop"
KIND = "pure_component"
#: properties fitted by default (the columns of the CoolProp datasets)
PROPERTIES = ("pressure_sat_comp", "dens_mol_liq_comp", "cp_mol_ig_comp", "dens_mol_vap_comp")


def _data_dir(options: dict) -> Path:
    from propkg.datasets import default_dataset_dir

    return Path(options["data"]) if options.get("data") else default_dataset_dir()


def _settings(options: dict) -> dict:
    from propkg.training import HIDDEN

    properties = tuple(options.get("properties") or PROPERTIES)
    unknown = sorted(set(properties) - set(PROPERTIES))
    if unknown:
        raise DataError(f"pure_coolprop: unknown properties {unknown}; choose from {PROPERTIES}")
    hidden = options.get("hidden") or HIDDEN
    if not isinstance(hidden, int) or hidden < 1:
        raise DataError(f"pure_coolprop: hidden units must be an integer >= 1, got {hidden!r}")
    return {"properties": list(properties), "hidden": hidden}


def select(options: dict) -> list[str]:
    """Every component with a dataset (``<name>.csv`` + ``.json``) in the data folder."""
    folder = _data_dir(options)
    if not folder.is_dir():
        raise DataError(f"data folder '{folder}' does not exist")
    return sorted(p.stem for p in folder.glob("*.csv") if p.with_suffix(".json").is_file())


def prepare(item: str, options: dict) -> TaskSpec:
    """Resolve the component and read its dataset (bytes + sha256)."""
    from propkg.components import get_constants

    if not isinstance(item, str):
        raise DataError(f"pure_coolprop takes one component per task, got {item!r}")
    c = get_constants(item)
    folder = _data_dir(options)
    csv_path, json_path = folder / f"{c.name}.csv", folder / f"{c.name}.json"
    if not csv_path.is_file() or not json_path.is_file():
        raise DataError(f"no CoolProp dataset of '{c.name}' in '{folder}' ({csv_path.name})")
    csv_bytes, json_bytes = csv_path.read_bytes(), json_path.read_bytes()
    settings = _settings(options)
    inputs = {"item": c.name, "data_sha256": sha256_bytes(csv_bytes, json_bytes),
              "settings": settings}
    return TaskSpec(c.name, "pure_coolprop", (c.name, csv_bytes, json_bytes, settings), inputs)


def _backbone_aad(model, T: np.ndarray, p_ref: np.ndarray) -> float:
    """AAD [%] of Psat of the backbone alone (the model with a zero psat correction)."""
    from dataclasses import replace

    zero = replace(model, psat_params=np.zeros_like(model.psat_params))
    return float(100.0 * np.mean(np.abs(np.exp(zero.ln_psat(T)) / p_ref - 1.0)))


def run(name: str, csv_bytes: bytes, json_bytes: bytes, settings: dict) -> TaskResult:
    """Fit, evaluate on the test rows and export one component (runs on a worker)."""
    from propkg.components import get_constants
    from propkg.datasets import load_dataset, subset
    from propkg.pipeline import export_fitted
    from propkg.training import fit_hybrid
    from propkg.zoo.references import aad_percent, reference_psat_aad
    from propkg_contract.errors import PropkgError
    from propkg_contract.registry import load_manifest

    with tempfile.TemporaryDirectory(prefix="propkg-zoo-") as tmp:
        folder = Path(tmp)
        data_dir, model_dir = folder / "data", folder / "models"
        data_dir.mkdir()
        (data_dir / f"{name}.csv").write_bytes(csv_bytes)
        (data_dir / f"{name}.json").write_bytes(json_bytes)
        try:
            dataset = load_dataset(name, data_dir)
        except PropkgError as exc:  # no temporary paths in messages: same text everywhere
            raise type(exc)(str(exc).replace(f"{data_dir}{os.sep}", "")) from None
        train = subset(dataset, "train")
        train = {k: v for k, v in train.items()
                 if k == "temperature" or k in settings["properties"]}
        model = fit_hybrid(get_constants(name), train, hidden=settings["hidden"])
        path = export_fitted(model, dataset, model_dir)
        entry = next(m for m in load_manifest(model_dir)["models"] if m["file"] == path.name)
        files = {path.name: path.read_bytes()}
    entry = {k: v for k, v in entry.items() if k != "sha256"}
    test = subset(dataset, "test")
    T, p = test["temperature"], test["pressure_sat_comp"]
    pred = np.exp(model.ln_psat(T))
    ref_aad, ref_label, used = reference_psat_aad(model.constants.cas, T, p)
    summary = {
        "kind": "pure_component",
        "components": [name],
        "property": "pressure_sat_comp",
        "held_out": "CoolProp test rows (100 mid-cell points)",
        "n_test": int(T.size),
        "hybrid_aad_percent": aad_percent(pred, p),
        "hybrid_aad_on_reference_points": aad_percent(pred[used], p[used]) if used.any()
        else None,
        "backbone_aad_percent": _backbone_aad(model, T, p),
        "reference_aad_percent": ref_aad,
        "reference": ref_label,
    }
    return TaskResult(files, entry, summary)
