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


#: the companion datasets sent with a component's main one when they exist (made by
#: propkg.datasets.generate_ideal_gas_dataset and propkg.virial.generate_virial_dataset)
COMPANIONS = ("_ideal_gas", "_virial")
#: the metadata's ``training.file`` of a dataset made at build time (not in the package)
GENERATED_DATA = "made from CoolProp by propkg.datasets at build time, not shipped: "
#: the words by which a held-out description marks a model trained on CoolProp
#: (:func:`trained_on_coolprop`)
TRAINED_ON_COOLPROP = "trained on CoolProp"


def trained_on_coolprop(held_out: str | None) -> bool:
    """Whether a held-out description (a task summary's ``held_out``, a file's
    ``error_statistics.pressure_sat_comp.split``) is that of a model this payload trained on
    CoolProp and tested on ThermoML."""
    return TRAINED_ON_COOLPROP in str(held_out or "")


def thermoml_psat_points(c) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(T [K], Psat [Pa], publications) of the compound's NIST ThermoML vapour pressures by
    the zoo's rule (below 0.999 Tc, repeats dropped); empty arrays if there are none."""
    from propkg.measured import load_pure_vapor_pressure
    from propkg.zoo.measured_payload import fitted_points

    try:
        df = load_pure_vapor_pressure(c.cas)
    except DataError:  # ThermoML has no vapour pressure of it
        return np.empty(0), np.empty(0), np.empty(0, dtype=str)
    return fitted_points(df, "pressure [Pa]", c.Tc)


def prepare(item: str, options: dict) -> TaskSpec:
    """Resolve the component and read its datasets (bytes + sha256); with the option
    ``thermoml_test`` also its ThermoML vapour pressures (all of them test data)."""
    from propkg.components import get_constants

    if not isinstance(item, str):
        raise DataError(f"pure_coolprop takes one component per task, got {item!r}")
    c = get_constants(item)
    folder = _data_dir(options)
    csv_path, json_path = folder / f"{c.name}.csv", folder / f"{c.name}.json"
    if not csv_path.is_file() or not json_path.is_file():
        raise DataError(f"no CoolProp dataset of '{c.name}' in '{folder}' ({csv_path.name})")
    files = {}
    for suffix in ("", *COMPANIONS):
        for ext in (".csv", ".json"):
            path = folder / f"{c.name}{suffix}{ext}"
            if path.is_file():
                files[path.name] = path.read_bytes()
    settings = _settings(options)
    inputs = {"item": c.name, "data_sha256": sha256_bytes(*files.values()),
              "settings": settings}
    measured = None
    if options.get("thermoml_test"):
        measured = thermoml_psat_points(c)
        settings["thermoml_test"] = True
        inputs["thermoml_sha256"] = sha256_bytes(*(np.ascontiguousarray(a).tobytes()
                                                   for a in measured[:2]),
                                                 "\n".join(measured[2]).encode())
    return TaskSpec(c.name, "pure_coolprop", (c.name, files, settings, measured), inputs)


def _backbone_psat(model, T: np.ndarray) -> np.ndarray:
    """Psat [Pa] of the backbone alone (the model with a zero psat correction)."""
    from dataclasses import replace

    zero = replace(model, psat_params=np.zeros_like(model.psat_params))
    return np.exp(zero.ln_psat(T))


def _measured_figure(model, measured) -> dict:
    """Error statistics of Psat on every ThermoML publication (metadata record)."""
    from propkg.evaluate import statistics
    from propkg.measured.source import THERMOML_CITATION

    T, p, src = measured
    pubs = sorted(set(src.tolist()))
    return {**statistics(np.exp(model.ln_psat(T)), p, "pressure_sat_comp"),
            "n_publications": len(pubs), "test_publications": pubs,
            "backbone_alone": statistics(_backbone_psat(model, T), p, "pressure_sat_comp"),
            "reference": THERMOML_CITATION,
            "split": "test publications: every NIST ThermoML publication of the compound "
                     f"(below 0.999 Tc, repeats dropped); none was fitted, the model is "
                     f"{TRAINED_ON_COOLPROP}"}


def run(name: str, files: dict, settings: dict, measured=None) -> TaskResult:
    """Fit, evaluate on the test rows (and ThermoML) and export one component (worker)."""
    from propkg.components import get_constants
    from propkg.datasets import default_dataset_dir, load_dataset, load_ideal_gas_dataset, subset
    from propkg.pipeline import SHIPPED_DATA_FOLDER, export_fitted
    from propkg.training import fit_hybrid
    from propkg.virial import attach_second_virial, load_virial_dataset
    from propkg.zoo.references import aad_percent, reference_psat_aad
    from propkg_contract.errors import PropkgError
    from propkg_contract.registry import load_manifest

    with tempfile.TemporaryDirectory(prefix="propkg-zoo-") as tmp:
        folder = Path(tmp)
        data_dir, model_dir = folder / "data", folder / "models"
        data_dir.mkdir()
        for file_name, content in files.items():
            (data_dir / file_name).write_bytes(content)
        try:
            dataset = load_dataset(name, data_dir)
            ig = load_ideal_gas_dataset(name, data_dir) \
                if f"{name}_ideal_gas.csv" in files else None
            virial = load_virial_dataset(name, data_dir)
        except PropkgError as exc:  # no temporary paths in messages: same text everywhere
            raise type(exc)(str(exc).replace(f"{data_dir}{os.sep}", "")) from None
        train = subset(dataset, "train")
        train = {k: v for k, v in train.items()
                 if k == "temperature" or k in settings["properties"]}
        model = fit_hybrid(get_constants(name), train, hidden=settings["hidden"],
                           ideal_gas=subset(ig, "train") if ig is not None else None)
        if ig is not None:
            dataset["ideal_gas"] = ig
        if virial is not None:
            attach_second_virial(model, subset(virial, "train"))
            dataset["virial"] = virial
        use_measured = measured is not None and measured[0].size > 0
        shipped = default_dataset_dir() / f"{name}.csv"  # the package's own dataset?
        in_package = shipped.is_file() and shipped.read_bytes() == files[f"{name}.csv"]
        path = export_fitted(
            model, dataset, model_dir, SHIPPED_DATA_FOLDER if in_package else GENERATED_DATA,
            {"pressure_sat_comp": _measured_figure(model, measured)} if use_measured
            else None)
        entry = next(m for m in load_manifest(model_dir)["models"] if m["file"] == path.name)
        files = {path.name: path.read_bytes()}
    entry = {k: v for k, v in entry.items() if k != "sha256"}
    if use_measured:
        T, p, src = measured
        held_out = (f"test publications ({len(set(src.tolist()))}, every NIST ThermoML "
                    f"publication; {TRAINED_ON_COOLPROP} only)")
    else:
        test = subset(dataset, "test")
        T, p = test["temperature"], test["pressure_sat_comp"]
        held_out = "CoolProp test rows (100 mid-cell points)"
    pred = np.exp(model.ln_psat(T))
    ref_aad, ref_label, used = reference_psat_aad(model.constants.cas, T, p)
    summary = {
        "kind": "pure_component",
        "components": [name],
        "property": "pressure_sat_comp",
        "held_out": held_out,
        "n_test": int(T.size),
        "hybrid_aad_percent": aad_percent(pred, p),
        "hybrid_aad_on_reference_points": aad_percent(pred[used], p[used]) if used.any()
        else None,
        "backbone_aad_percent": aad_percent(_backbone_psat(model, T), p),
        "reference_aad_percent": ref_aad,
        "reference": ref_label,
    }
    return TaskResult(files, entry, summary)
