"""Reference data of pure fluids from CoolProp, cached as CSV with a JSON sidecar.

For each component, CoolProp (reference-quality Helmholtz equations of state) gives on a
temperature grid from ``T_low = max(T_triple, 0.45 Tc)`` to ``T_high = 0.95 Tc``:

- ``pressure_sat_comp`` [Pa]: saturation pressure, ``PropsSI('P', 'T', T, 'Q', 0)``;
- ``dens_mol_liq_comp`` [mol/m**3]: saturated-liquid molar density (``Dmolar`` at Q=0);
- ``dens_mol_vap_comp`` [mol/m**3]: saturated-vapour molar density (``Dmolar`` at Q=1);
- ``cp_mol_ig_comp`` [J/mol/K]: ideal-gas heat capacity (``AbstractState.cp0molar``);
- ``enth_mol_ig_comp`` [J/mol], ``entr_mol_ig_comp`` [J/mol/K]: ideal-gas enthalpy and
  entropy relative to 298.15 K (and 101325 Pa), by adaptive quadrature
  (:func:`scipy.integrate.quad`) of CoolProp's cp0 and cp0/T;
- ``dh_vap_mol_comp`` [J/mol]: enthalpy of vaporization, H(Q=1) - H(Q=0).

Rows carry a ``role``: ``train`` (12 points evenly spread over the whole range),
``train_extrap`` (12 points evenly spread over the lower 60 % of the range) and ``test``
(100 mid-cell points that never coincide with a training point). The CSV header gives
units in brackets (``temperature [K]``), the format ``propkg fit`` reads.
"""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import numpy as np

from propkg.components import PureConstants, get_constants
from propkg_contract.errors import DataError
from propkg_contract.vocabulary import T_REF  # reference temperature of the h and s data

#: property columns and their SI units, in CSV order
COLUMNS = {
    "temperature": "K",
    "pressure_sat_comp": "Pa",
    "dens_mol_liq_comp": "mol/m**3",
    "dens_mol_vap_comp": "mol/m**3",
    "cp_mol_ig_comp": "J/mol/K",
    "enth_mol_ig_comp": "J/mol",
    "entr_mol_ig_comp": "J/mol/K",
    "dh_vap_mol_comp": "J/mol",
}
N_TRAIN = 12
N_TEST = 100
EXTRAP_FRACTION = 0.6
ROLES = ("train", "train_extrap", "test")


def default_dataset_dir() -> Path:
    """``validation/datasets/pure_components`` of the repository checkout."""
    return Path(__file__).resolve().parents[1] / "validation" / "datasets" / "pure_components"


def temperature_grid(c: PureConstants) -> tuple[np.ndarray, np.ndarray]:
    """Temperatures [K] and roles of the dataset of a component."""
    lo, hi = c.T_low, c.T_high
    train = np.linspace(lo, hi, N_TRAIN)
    extrap = np.linspace(lo, lo + EXTRAP_FRACTION * (hi - lo), N_TRAIN)
    test = lo + (np.arange(N_TEST) + 0.5) / N_TEST * (hi - lo)
    temps = np.concatenate([train, extrap, test])
    roles = np.array(["train"] * N_TRAIN + ["train_extrap"] * N_TRAIN + ["test"] * N_TEST)
    return temps, roles


def _coolprop_rows(c: PureConstants, temps: np.ndarray) -> dict[str, np.ndarray]:
    import CoolProp
    from CoolProp.CoolProp import PropsSI
    from scipy.integrate import quad

    state = CoolProp.AbstractState("HEOS", c.coolprop)

    def cp0(T: float) -> float:
        state.update(CoolProp.DmolarT_INPUTS, 1e-6, T)
        return state.cp0molar()

    out = {k: np.empty(len(temps)) for k in COLUMNS}
    for i, T in enumerate(temps):
        T = float(T)
        out["temperature"][i] = T
        out["pressure_sat_comp"][i] = PropsSI("P", "T", T, "Q", 0, c.coolprop)
        out["dens_mol_liq_comp"][i] = PropsSI("Dmolar", "T", T, "Q", 0, c.coolprop)
        out["dens_mol_vap_comp"][i] = PropsSI("Dmolar", "T", T, "Q", 1, c.coolprop)
        out["cp_mol_ig_comp"][i] = cp0(T)
        out["enth_mol_ig_comp"][i] = quad(cp0, T_REF, T, epsabs=0.0, epsrel=1e-12)[0]
        out["entr_mol_ig_comp"][i] = quad(lambda t: cp0(t) / t, T_REF, T, epsabs=0.0, epsrel=1e-12)[
            0
        ]
        h_v = PropsSI("Hmolar", "T", T, "Q", 1, c.coolprop)
        h_l = PropsSI("Hmolar", "T", T, "Q", 0, c.coolprop)
        out["dh_vap_mol_comp"][i] = h_v - h_l
    return out


def sha256_text(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def generate_dataset(name: str, directory: str | Path | None = None) -> Path:
    """Compute the CoolProp dataset of a component and write ``<name>.csv`` + ``.json``.

    Returns the CSV path.
    """
    import CoolProp

    c = get_constants(name)
    directory = Path(directory) if directory is not None else default_dataset_dir()
    directory.mkdir(parents=True, exist_ok=True)
    temps, roles = temperature_grid(c)
    data = _coolprop_rows(c, temps)
    csv_path = directory / f"{c.name}.csv"
    with open(csv_path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([f"{k} [{u}]" for k, u in COLUMNS.items()] + ["role"])
        for i in range(len(temps)):
            writer.writerow([repr(float(data[k][i])) for k in COLUMNS] + [roles[i]])
    sidecar = {
        "component": c.name,
        "cas": c.cas,
        "columns": COLUMNS,
        "roles": {
            "train": f"{N_TRAIN} points, linspace(T_low, T_high)",
            "train_extrap": f"{N_TRAIN} points, linspace over the lower "
            f"{int(EXTRAP_FRACTION * 100)} % of [T_low, T_high]",
            "test": f"{N_TEST} mid-cell points of [T_low, T_high] (held out)",
        },
        "T_low": c.T_low,
        "T_high": c.T_high,
        "source": f"CoolProp {CoolProp.__version__}",
        "coolprop_fluid": c.coolprop,
        "coolprop_version": CoolProp.__version__,
        "notes": "enth/entr_mol_ig_comp: scipy quad of CoolProp cp0 (and cp0/T) from 298.15 K; "
        "dh_vap_mol_comp: Hmolar(Q=1) - Hmolar(Q=0)",
        "generated_by": "propkg.datasets.generate_dataset",
        "sha256": sha256_text(csv_path),
    }
    json_path = csv_path.with_suffix(".json")
    json_path.write_text(json.dumps(sidecar, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return csv_path


def read_property_csv(path: str | Path) -> tuple[dict[str, np.ndarray], dict[str, str], list]:
    """Read a CSV whose header is ``name [units]`` (plus optional ``role`` column).

    Returns ``(columns, units, roles)``; ``roles`` is empty if there is no role column.

    Raises
    ------
    DataError
        If the file is missing, a header lacks units, or a value is not a number.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"data file '{path}' does not exist")
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
    except UnicodeDecodeError as exc:
        raise DataError(f"'{path}' is not a UTF-8 text file ({exc.reason}); save it as CSV "
                        "in UTF-8") from None
    if len(rows) < 2:
        raise DataError(f"'{path}' has no data rows")
    header = [h.strip() for h in rows[0]]
    for h in header:
        if ";" in h or "\t" in h:
            raise DataError(
                f"'{path}': header cell {h!r} holds a ';' or a tab; columns must be separated "
                "by commas"
            )
    names, units, role_col = [], {}, None
    for j, h in enumerate(header):
        if h == "role":
            role_col = j
            names.append(None)
            continue
        if "[" not in h or not h.endswith("]"):
            raise DataError(
                f"'{path}': column header '{h}' has no units; expected 'name [units]', "
                "e.g. 'temperature [K]'"
            )
        col, unit = h[:-1].split("[", 1)
        if col.strip() in units:
            raise DataError(f"'{path}': column '{col.strip()}' appears twice in the header")
        names.append(col.strip())
        units[col.strip()] = unit.strip()
    columns: dict[str, list[float]] = {n: [] for n in names if n is not None}
    roles = []
    for i, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise DataError(f"'{path}' line {i}: {len(row)} fields, header has {len(header)}")
        for j, cell in enumerate(row):
            if j == role_col:
                roles.append(cell.strip())
                continue
            try:
                columns[names[j]].append(float(cell))
            except ValueError:
                raise DataError(
                    f"'{path}' line {i}, column '{names[j]}': '{cell}' is not a number"
                ) from None
    return {k: np.asarray(v, dtype=float) for k, v in columns.items()}, units, roles


def load_dataset(name: str, directory: str | Path | None = None) -> dict:
    """Load (generating it first if absent) the cached dataset of a component.

    Returns a dict with ``columns`` (name -> array), ``roles`` (array of str),
    ``sha256`` (of the CSV) and ``sidecar`` (the JSON dict). The CSV's sha256 is checked
    against the sidecar.
    """
    c = get_constants(name)
    directory = Path(directory) if directory is not None else default_dataset_dir()
    csv_path = directory / f"{c.name}.csv"
    json_path = csv_path.with_suffix(".json")
    if not csv_path.is_file() or not json_path.is_file():
        generate_dataset(c.name, directory)
    sidecar = json.loads(json_path.read_text(encoding="utf-8"))
    digest = sha256_text(csv_path)
    if digest != sidecar.get("sha256"):
        raise DataError(
            f"dataset '{csv_path}' has sha256 {digest}, its sidecar says {sidecar.get('sha256')}; "
            "regenerate it with propkg.datasets.generate_dataset"
        )
    columns, _, roles = read_property_csv(csv_path)
    return {"columns": columns, "roles": np.asarray(roles), "sha256": digest, "sidecar": sidecar}


def subset(dataset: dict, role: str) -> dict[str, np.ndarray]:
    """Columns of the rows with a given role (``train``, ``train_extrap``, ``test``)."""
    mask = dataset["roles"] == role
    return {k: v[mask] for k, v in dataset["columns"].items()}
