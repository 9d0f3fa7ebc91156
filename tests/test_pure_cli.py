"""``propkg fit`` and ``propkg info`` on small CSV files."""

import numpy as np
import pytest

from propkg.datasets import default_dataset_dir, load_dataset, subset
from propkg_cli import main
from propkg_contract.metadata import read_metadata
from propkg_contract.reader import run_onnx
from propkg_contract.registry import default_model_dir


def _write(path, header, rows):
    lines = [",".join(header)] + [",".join(str(v) for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def _propane_rows(unit_factor=1.0):
    train = subset(load_dataset("propane"), "train")
    return [
        (t, p / unit_factor, r)
        for t, p, r in zip(
            train["temperature"],
            train["pressure_sat_comp"],
            train["dens_mol_liq_comp"],
            strict=True,
        )
    ]


@pytest.mark.component
def test_fit_writes_a_model_that_matches_coolprop(tmp_path, capsys):
    csv = _write(
        tmp_path / "propane.csv",
        ["temperature [K]", "pressure_sat_comp [kPa]", "dens_mol_liq_comp [mol/m**3]"],
        _propane_rows(1e3),
    )
    out = tmp_path / "propane.onnx"
    assert main(["fit", "propane", str(csv), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "[4/4] wrote" in printed and "fitting pressure_sat_comp" in printed
    meta = read_metadata(out)
    assert meta.component_names == ["propane"]
    test = subset(load_dataset("propane"), "test")
    values = run_onnx(out, test["temperature"])
    dev = np.abs(values["pressure_sat_comp"] / test["pressure_sat_comp"] - 1)
    assert dev.mean() < 5e-4


@pytest.mark.unit
@pytest.mark.parametrize(
    ("header", "rows", "match"),
    [
        (["T [K]", "pressure_sat_comp [Pa]"], [(300, 1e5)] * 6, "no 'temperature"),
        (["temperature [K]", "pressure_sat_comp [atm]"], [(300, 1.0)] * 6, "units 'atm'"),
        (["temperature [K]", "pressure_sat_comp"], [(300, 1.0)] * 6, "has no units"),
        (
            ["temperature [K]", "pressure_sat_comp [Pa]"],
            [(300 + i, 1e5) for i in range(3)],
            "at least 5",
        ),
        (
            ["temperature [K]", "pressure_sat_comp [Pa]"],
            [(300 + i, 1e5) for i in range(5)] + [(306, "nan")],
            r"NaN/inf in data row\(s\) \[6\]",
        ),
        (["temperature [K]", "viscosity [Pa*s]"], [(300, 1e-3)] * 6, "unknown column"),
        (["temperature [K]"], [(300,)] * 6, "no property column"),
        (["temperature [K]", "pressure_sat_comp [Pa]"], [(300, "abc")] * 6, "not a number"),
    ],
)
def test_bad_csv_gives_one_line_error(tmp_path, capsys, header, rows, match):
    csv = _write(tmp_path / "bad.csv", header, rows)
    assert main(["fit", "propane", str(csv), "-o", str(tmp_path / "x.onnx")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("propkg fit: error:")
    assert len(err.strip().splitlines()) == 1
    import re

    assert re.search(match, err)
    assert not (tmp_path / "x.onnx").exists()


@pytest.mark.unit
def test_fit_rejects_unknown_component(tmp_path, capsys):
    csv = default_dataset_dir() / "water.csv"
    assert main(["fit", "no-such-chemical-xyz", str(csv)]) == 2
    assert "unknown" in capsys.readouterr().err


@pytest.mark.unit
def test_info_prints_metadata(capsys):
    path = default_model_dir() / "ammonia.onnx"
    assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out
    for text in ("ammonia (CAS 7664-41-7", "pressure_sat_comp [Pa]", "AmbroseWalton", "opset 16"):
        assert text in out
    assert main(["info", "--json", str(path)]) == 0
    assert '"schema_version": 1' in capsys.readouterr().out


@pytest.mark.unit
def test_info_rejects_non_onnx_file(tmp_path, capsys):
    bad = tmp_path / "x.onnx"
    bad.write_text("not onnx")
    assert main(["info", str(bad)]) == 2
    assert "not a readable ONNX file" in capsys.readouterr().err
