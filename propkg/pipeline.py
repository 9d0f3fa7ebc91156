"""Fit-and-export pipeline of the shipped pure-component models."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from propkg.components import get_constants
from propkg.datasets import (
    N_TRAIN,
    N_TRAIN_IG,
    load_dataset,
    load_ideal_gas_dataset,
    subset,
)
from propkg.evaluate import error_statistics
from propkg.export import export_model, register
from propkg.hybrid import IDEAL_GAS_OUTPUTS, HybridPureModel
from propkg.training import fit_hybrid
from propkg.virial import (
    N_TRAIN_VIRIAL,
    attach_second_virial,
    load_virial_dataset,
    virial_statistics,
)
from propkg_contract.registry import default_model_dir


def fit_component(
    name: str, dataset_dir: str | Path | None = None, progress: Callable | None = None
) -> tuple[HybridPureModel, dict]:
    """Fit the hybrid model of a registered component on its CoolProp training points.

    12 points of the saturation and liquid properties on [T_low, T_high], 16 ideal-gas
    points on [200, 1500] K, and, where ``<name>_virial.csv`` exists, 12 points of the
    second virial coefficient (:mod:`propkg.virial`). Returns the model and the loaded
    dataset (the ideal-gas dataset under ``dataset["ideal_gas"]``, the virial one under
    ``dataset["virial"]``).
    """
    c = get_constants(name)
    dataset = load_dataset(c.name, dataset_dir)
    dataset["ideal_gas"] = load_ideal_gas_dataset(c.name, dataset_dir)
    model = fit_hybrid(
        c, subset(dataset, "train"), progress=progress,
        ideal_gas=subset(dataset["ideal_gas"], "train"),
    )  # fmt: skip
    virial = load_virial_dataset(c.name, dataset_dir)
    if virial is not None:
        dataset["virial"] = virial
        attach_second_virial(model, subset(virial, "train"))
    return model, dataset


def export_component(
    name: str,
    model_dir: str | Path | None = None,
    dataset_dir: str | Path | None = None,
    progress: Callable | None = None,
) -> Path:
    """Fit, evaluate on held-out data, export ``<name>.onnx`` and update the manifest."""
    model, dataset = fit_component(name, dataset_dir, progress)
    return export_fitted(model, dataset, model_dir)


#: where the shipped CoolProp data files are (the metadata's ``training.file``)
SHIPPED_DATA_FOLDER = "propkg/data/pure_components/"


def _training_record(data: dict, file_name: str, n_points: dict[str, int],
                     folder: str = SHIPPED_DATA_FOLDER) -> dict:
    """The metadata ``training`` record of one CoolProp data file: its sha256, source, path
    (in the package, or how it was made), the rows trained on and the points per output."""
    return {
        "sha256": data["sha256"],
        "source": data["sidecar"]["source"],
        "file": f"{folder}{file_name}",
        "rows": "role == 'train'",
        "n_points": n_points,
    }


def export_fitted(
    model: HybridPureModel, dataset: dict, model_dir: str | Path | None = None,
    data_folder: str = SHIPPED_DATA_FOLDER, statistics: dict | None = None,
) -> Path:
    """Evaluate a fitted model on its dataset's held-out rows, export it, update the manifest.

    ``dataset`` is the one the model was fitted on (:func:`propkg.datasets.load_dataset`);
    ``data_folder`` where its files are for the metadata (default: shipped in the package);
    ``statistics``: error statistics per output that replace the ones of the dataset's
    held-out rows (e.g. measured test publications of a zoo model), which then stay under
    the output's ``coolprop_test_rows`` key.
    """
    c = model.constants
    model_dir = Path(model_dir) if model_dir is not None else default_model_dir()
    source = dataset["sidecar"]["source"]
    training = _training_record(dataset, f"{c.name}.csv", {
        "pressure_sat_comp": N_TRAIN,
        "dens_mol_liq_comp": N_TRAIN,
        "dens_mol_vap_comp": N_TRAIN,
        "cp_mol_liq_comp": N_TRAIN,
    }, data_folder)
    domains = {}
    ig = dataset.get("ideal_gas")
    if ig is not None:
        training["ideal_gas"] = _training_record(ig, f"{c.name}_ideal_gas.csv",
                                                 {"cp_mol_ig_comp": N_TRAIN_IG}, data_folder)
        domains = {n: (ig["sidecar"]["T_low"], ig["sidecar"]["T_high"])
                   for n in IDEAL_GAS_OUTPUTS}
    else:
        training["n_points"]["cp_mol_ig_comp"] = N_TRAIN
    virial = dataset.get("virial")
    if virial is not None and model.virial_params is not None:
        training["second_virial_coef_comp"] = _training_record(
            virial, f"{c.name}_virial.csv", {"second_virial_coef_comp": N_TRAIN_VIRIAL},
            data_folder)
        domains["second_virial_coef_comp"] = (virial["sidecar"]["T_low"],
                                              virial["sidecar"]["T_high"])  # fmt: skip
    stats = error_statistics(model, subset(dataset, "test"), source)
    if "second_virial_coef_comp" in domains:
        test = subset(virial, "test")
        stats["second_virial_coef_comp"] = {
            **virial_statistics(model.second_virial_coef(test["temperature"]),
                                test["second_virial_coef_comp"], c),
            "reference": virial["sidecar"]["source"],
        }  # fmt: skip
    if ig is not None:
        ig_stats = error_statistics(model, subset(ig, "test"), ig["sidecar"]["source"])
        stats.update({n: ig_stats[n] for n in IDEAL_GAS_OUTPUTS if n in ig_stats})
    for output, figure in (statistics or {}).items():
        stats[output] = {**figure, **({"coolprop_test_rows": stats[output]}
                                      if output in stats else {})}
    path = export_model(
        model, model_dir / f"{c.name}.onnx", training, stats, output_domains=domains
    )
    register(model_dir, model, path.name)
    return path
