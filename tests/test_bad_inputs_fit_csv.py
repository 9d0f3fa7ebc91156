"""Bad training CSVs for ``propkg fit``: typed errors naming the file, column and row."""

import math

import numpy as np
import pytest

from propkg_cli.fit import read_measured_csv
from propkg_contract.errors import DataError, UnitsError
from tests.bad_inputs import ANTOINE_A, ANTOINE_B

TEMPERATURES = np.linspace(300.0, 400.0, 8)


def _rows(temperatures=TEMPERATURES, psat=None):
    psat = np.exp(ANTOINE_A - ANTOINE_B / temperatures) if psat is None else psat
    return [f"{float(t)!r},{float(p)!r}" for t, p in zip(temperatures, psat, strict=True)]


GOOD_HEADER = "temperature [K],pressure_sat_comp [Pa]"


def _csv(header=GOOD_HEADER, rows=None, text=None, raw=None):
    def build(tmp):
        path = tmp / "data.csv"
        if raw is not None:
            path.write_bytes(raw)
        else:
            path.write_text(text if text is not None else
                            "\n".join([header, *(_rows() if rows is None else rows)]) + "\n")
        return path
    return build


def _with_value(row: int, value: str, column: int = 1):
    rows = _rows()
    cells = rows[row].split(",")
    cells[column] = value
    rows[row] = ",".join(cells)
    return rows


CASES = {
    "missing_file": (lambda tmp: tmp / "absent.csv", DataError, "absent.csv' does not exist"),
    "empty_file": (_csv(text=""), DataError, "no data rows"),
    "header_only": (_csv(rows=[]), DataError, "no data rows"),
    "header_without_units": (_csv(header="temperature,pressure_sat_comp [Pa]"), DataError,
                             "'temperature' has no units"),
    "no_temperature_column": (_csv(header="T [K],pressure_sat_comp [Pa]"), DataError,
                              "no 'temperature \\[K\\]' column; columns: \\['T'"),
    "unknown_property_column": (_csv(header="temperature [K],viscosity [Pa*s]"), DataError,
                                "'viscosity'"),
    "no_property_column": (_csv(header="temperature [K]",
                                rows=[str(float(t)) for t in TEMPERATURES]), DataError,
                           "no property column"),
    "temperature_in_degC": (_csv(header="temperature [degC],pressure_sat_comp [Pa]"), UnitsError,
                            "'temperature' has units 'degC'"),
    "pressure_in_psi": (_csv(header="temperature [K],pressure_sat_comp [psi]"), UnitsError,
                        "'psi'; accepted"),
    "nan_value": (_csv(rows=_with_value(3, "nan")), DataError,
                  "line 5, column 'pressure_sat_comp': 'nan' is not a finite number"),
    "inf_value": (_csv(rows=_with_value(5, "inf")), DataError,
                  "line 7, column 'pressure_sat_comp': 'inf' is not a finite number"),
    "text_in_number_cell": (_csv(rows=_with_value(2, "abc")), DataError,
                            "line 4, column 'pressure_sat_comp': 'abc' is not a number"),
    "ragged_row": (_csv(rows=[*_rows(), "350.0"]), DataError, "1 fields, header has 2"),
    "too_few_rows": (_csv(rows=_rows()[:3]), DataError,
                     "'pressure_sat_comp' has 3 values, at least 5 are needed"),
    "negative_pressure": (_csv(rows=_with_value(1, "-1000.0")), DataError,
                          "'pressure_sat_comp' must be positive; data row\\(s\\) \\[2\\]"),
    "zero_kelvin": (_csv(rows=_with_value(0, "0.0", column=0)), DataError,
                    "'temperature' must be positive"),
    "all_temperatures_equal": (_csv(rows=_rows(np.full(8, 350.0))), DataError,
                               "1 distinct temperatures"),
    "duplicate_column": (_csv(header="temperature [K],temperature [K]"), DataError,
                         "'temperature' appears twice"),
    "semicolon_separated": (_csv(text=GOOD_HEADER.replace(",", ";") + "\n300;1000\n"), DataError,
                            "separated by commas"),
    "not_utf8": (_csv(raw="temperature [K],pressure_sat_comp [Pa]\n300,1\xe9\n".encode("latin-1")),
                 DataError, "not a UTF-8"),
    "role_column_without_train": (
        _csv(header=GOOD_HEADER + ",role", rows=[r + ",test" for r in _rows()]), DataError,
        "no rows with role 'train'"),
}


@pytest.mark.unit
@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_training_csv(case, tmp_path):
    build, error, pattern = CASES[case]
    path = build(tmp_path)
    before = path.read_bytes() if path.is_file() else None
    with pytest.raises(error, match=pattern):
        read_measured_csv(path)
    assert (path.read_bytes() if path.is_file() else None) == before  # never modified


@pytest.mark.unit
def test_good_csv_is_read_in_si_units(tmp_path):
    """The catalogue's baseline file is valid: one change per case makes it bad."""
    psat = read_measured_csv(_csv()(tmp_path))["pressure_sat_comp"]
    assert psat.T == pytest.approx(TEMPERATURES, rel=1e-15)
    assert psat.y[0] == pytest.approx(math.exp(ANTOINE_A - ANTOINE_B / 300.0), rel=1e-15)
