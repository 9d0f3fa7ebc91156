"""Training data, deterministic re-export, and data validation of the pure-component fits."""

import json
import shutil

import numpy as np
import pytest

from propkg.components import get_constants, names
from propkg.datasets import (
    default_dataset_dir,
    load_dataset,
    load_ideal_gas_dataset,
    subset,
)
from propkg.hybrid import OUTPUT_UNITS
from propkg.pipeline import export_component
from propkg.training import fit_vapor_pressure
from propkg_contract.errors import DataError
from propkg_contract.reader import run_onnx
from propkg_contract.registry import default_model_dir, sha256_of
from tests.tolerances import REGRESSION_RTOL


@pytest.mark.unit
@pytest.mark.parametrize("fluid", names())
def test_dataset_sha256_and_split(fluid):
    directory = default_dataset_dir()
    sidecar = json.loads((directory / f"{fluid}.json").read_text())
    assert sidecar["sha256"] == sha256_of(directory / f"{fluid}.csv")
    assert sidecar["source"].startswith("CoolProp ")
    data = load_dataset(fluid)
    train, test = subset(data, "train"), subset(data, "test")
    c = get_constants(fluid)
    assert train["temperature"].size == 12
    assert train["temperature"].min() == pytest.approx(max(c.Ttriple, 0.45 * c.Tc))
    assert train["temperature"].max() == pytest.approx(0.98 * c.Tc)
    assert not set(train["temperature"]) & set(test["temperature"])
    assert np.all(train["cp_mol_liq_comp"] > 0)
    ig = load_ideal_gas_dataset(fluid)
    ig_train, ig_test = subset(ig, "train"), subset(ig, "test")
    assert ig["sidecar"]["source"].startswith("CoolProp ")
    assert (ig_train["temperature"].min(), ig_train["temperature"].max()) == (200.0, 1500.0)
    assert not set(ig_train["temperature"]) & set(ig_test["temperature"])


@pytest.mark.unit
def test_tampered_dataset_is_rejected(tmp_path):
    for suffix in (".csv", ".json"):
        shutil.copy(default_dataset_dir() / f"water{suffix}", tmp_path / f"water{suffix}")
    csv = tmp_path / "water.csv"
    csv.write_text(csv.read_text().replace("train", "test", 1))
    with pytest.raises(DataError, match="sha256"):
        load_dataset("water", tmp_path)


@pytest.mark.unit
@pytest.mark.parametrize(
    ("T", "P", "match"),
    [
        (np.linspace(300, 400, 4), np.linspace(1e4, 1e5, 4), "at least 5"),
        (np.linspace(300, 400, 8), np.r_[np.linspace(1e4, 1e5, 7), np.nan], "NaN"),
        (np.linspace(300, 400, 8), np.linspace(1e4, 1e5, 7), "8 temperatures but 7"),
        (np.linspace(300, 400, 8), -np.linspace(1e4, 1e5, 8), "must be > 0"),
    ],
)
def test_bad_training_data_raise(T, P, match):
    with pytest.raises(DataError, match=match):
        fit_vapor_pressure(get_constants("water"), T, P)


@pytest.mark.integration
def test_export_is_deterministic(tmp_path):
    """Re-fitting and re-exporting water gives the shipped file's numbers (and bytes)."""
    path = export_component("water", model_dir=tmp_path)
    shipped = default_model_dir() / "water.onnx"
    c = get_constants("water")
    T = np.linspace(c.T_low, c.T_high, 101)
    new, old = run_onnx(path, T), run_onnx(shipped, T)
    for name in OUTPUT_UNITS:
        np.testing.assert_allclose(
            new[name],
            old[name],
            rtol=REGRESSION_RTOL,
            atol=REGRESSION_RTOL * np.abs(old[name]).max(),
        )
    assert path.read_bytes() == shipped.read_bytes()
