"""Reference data of pure fluids from CoolProp, cached as CSV with a JSON sidecar.

For each component, CoolProp (reference-quality Helmholtz equations of state) gives on a
temperature grid from ``T_low = max(T_triple, 0.45 Tc)`` to ``T_high = 0.98 Tc``
(``<name>.csv``):

- ``pressure_sat_comp`` [Pa]: saturation pressure, ``PropsSI('P', 'T', T, 'Q', 0)``;
- ``dens_mol_liq_comp`` [mol/m**3]: saturated-liquid molar density (``Dmolar`` at Q=0);
- ``dens_mol_vap_comp`` [mol/m**3]: saturated-vapour molar density (``Dmolar`` at Q=1);
- ``cp_mol_ig_comp`` [J/mol/K]: ideal-gas heat capacity (``AbstractState.cp0molar``);
- ``enth_mol_ig_comp`` [J/mol], ``entr_mol_ig_comp`` [J/mol/K]: ideal-gas enthalpy and
  entropy relative to 298.15 K (and 101325 Pa), by adaptive quadrature
  (:func:`scipy.integrate.quad`) of CoolProp's cp0 and cp0/T;
- ``dh_vap_mol_comp`` [J/mol]: enthalpy of vaporization, H(Q=1) - H(Q=0);
- ``cp_mol_liq_comp`` [J/mol/K]: isobaric heat capacity of the saturated liquid
  (``Cpmolar`` at Q=0).

and, on a wide grid of its own from ``IG_T_LOW = 200 K`` to ``IG_T_HIGH = 1500 K``
(``<name>_ideal_gas.csv``), the ideal-gas ``cp_mol_ig_comp``, ``enth_mol_ig_comp`` and
``entr_mol_ig_comp`` as above (CoolProp's ideal-gas part is defined at any temperature;
the fluids' equations of state were fitted to ideal-gas data covering most of this range).

and the second virial coefficient ``second_virial_coef_comp`` [m**3/mol] (``Bvirial``) from
max(0.5 Tc, T_min) to min(3 Tc, T_max) of the CoolProp equation (``<name>_virial.csv``,
:mod:`propkg.virial`).

Rows carry a ``role``: ``train`` (12 points evenly spread over the whole range),
``train_extrap`` (12 points evenly spread over the lower 60 % of the range) and ``test``
(100 mid-cell points that never coincide with a training point). The CSV header gives
units in brackets (``temperature [K]``), the format ``propkg fit`` reads.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from propkg.components import PureConstants, get_constants
from propkg.data import PURE_COMPONENTS_DIR
from propkg_contract.errors import DataError
from propkg_contract.registry import sha256_of
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
    "cp_mol_liq_comp": "J/mol/K",
}
#: columns of the wide-range ideal-gas dataset
IG_COLUMNS = {
    "temperature": "K",
    "cp_mol_ig_comp": "J/mol/K",
    "enth_mol_ig_comp": "J/mol",
    "entr_mol_ig_comp": "J/mol/K",
}
IG_T_LOW = 200.0
IG_T_HIGH = 1500.0
N_TRAIN_IG = 16
N_TRAIN = 12
N_TEST = 100
EXTRAP_FRACTION = 0.6
ROLES = ("train", "train_extrap", "test")


def default_dataset_dir() -> Path:
    """Folder of the shipped CoolProp datasets (``propkg/data/pure_components``)."""
    return PURE_COMPONENTS_DIR


def temperature_grid(c: PureConstants) -> tuple[np.ndarray, np.ndarray]:
    """Temperatures [K] and roles of the dataset of a component."""
    lo, hi = c.T_low, c.T_high
    train = np.linspace(lo, hi, N_TRAIN)
    extrap = np.linspace(lo, lo + EXTRAP_FRACTION * (hi - lo), N_TRAIN)
    test = lo + (np.arange(N_TEST) + 0.5) / N_TEST * (hi - lo)
    temps = np.concatenate([train, extrap, test])
    roles = np.array(["train"] * N_TRAIN + ["train_extrap"] * N_TRAIN + ["test"] * N_TEST)
    return temps, roles


def ideal_gas_grid(hi: float = IG_T_HIGH) -> tuple[np.ndarray, np.ndarray]:
    """Temperatures [K] and roles of the wide-range ideal-gas dataset (any component), from
    ``IG_T_LOW`` to ``hi`` (default ``IG_T_HIGH``; lower for a fluid whose CoolProp ideal-gas
    part stops rising below it, :func:`ideal_gas_upper`)."""
    lo = IG_T_LOW
    train = np.linspace(lo, hi, N_TRAIN_IG)
    test = lo + (np.arange(N_TEST) + 0.5) / N_TEST * (hi - lo)
    roles = np.array(["train"] * N_TRAIN_IG + ["test"] * N_TEST)
    return np.concatenate([train, test]), roles


def _ideal_gas_rows(c: PureConstants, temps: np.ndarray) -> dict[str, np.ndarray]:
    """CoolProp ideal-gas cp0 and its quadratures from 298.15 K (h; s at 101325 Pa)."""
    import CoolProp
    from scipy.integrate import quad

    state = CoolProp.AbstractState("HEOS", c.coolprop)

    def cp0(T: float) -> float:
        state.update(CoolProp.DmolarT_INPUTS, 1e-6, T)
        return state.cp0molar()

    out = {k: np.empty(len(temps)) for k in IG_COLUMNS}
    for i, T in enumerate(temps):
        T = float(T)
        out["temperature"][i] = T
        out["cp_mol_ig_comp"][i] = cp0(T)
        out["enth_mol_ig_comp"][i] = quad(cp0, T_REF, T, epsabs=0.0, epsrel=1e-12)[0]
        out["entr_mol_ig_comp"][i] = quad(
            lambda t: cp0(t) / t, T_REF, T, epsabs=0.0, epsrel=1e-12
        )[0]
    return out


#: step [K] of the scan for the upper end of the ideal-gas range, and the relative fall of
#: cp0 between two steps taken as a real fall (not round-off: argon's cp0 is constant)
IG_SCAN_STEP, IG_FALL_RTOL = 10.0, 1e-6


def ideal_gas_upper(c: PureConstants) -> float:
    """Upper end [K] of a fluid's ideal-gas dataset: ``IG_T_HIGH``, or the last scanned
    temperature before CoolProp's cp0 starts to fall. The ideal-gas cp of a molecule rises
    with T (its vibrations are excited one by one; a monatomic gas keeps 5/2 R); a falling
    cp0 is the ideal-gas polynomial of the fluid's equation of state outside its range
    (R152a: it peaks near 770 K and is negative above about 1200 K)."""
    import CoolProp

    state = CoolProp.AbstractState("HEOS", c.coolprop)
    temps = np.arange(IG_T_LOW, IG_T_HIGH + IG_SCAN_STEP / 2, IG_SCAN_STEP)
    cp = np.empty(temps.size)
    for i, T in enumerate(temps):
        state.update(CoolProp.DmolarT_INPUTS, 1e-6, float(T))
        cp[i] = state.cp0molar()
    falls = np.flatnonzero(np.diff(cp) < -IG_FALL_RTOL * cp[:-1])
    return IG_T_HIGH if falls.size == 0 else float(temps[falls[0]])


def _coolprop_rows(c: PureConstants, temps: np.ndarray) -> dict[str, np.ndarray]:
    from CoolProp.CoolProp import PropsSI

    out = {k: np.empty(len(temps)) for k in COLUMNS}
    out.update(_ideal_gas_rows(c, temps))
    for i, T in enumerate(temps):
        T = float(T)
        out["pressure_sat_comp"][i] = PropsSI("P", "T", T, "Q", 0, c.coolprop)
        out["dens_mol_liq_comp"][i] = PropsSI("Dmolar", "T", T, "Q", 0, c.coolprop)
        out["dens_mol_vap_comp"][i] = PropsSI("Dmolar", "T", T, "Q", 1, c.coolprop)
        h_v = PropsSI("Hmolar", "T", T, "Q", 1, c.coolprop)
        h_l = PropsSI("Hmolar", "T", T, "Q", 0, c.coolprop)
        out["dh_vap_mol_comp"][i] = h_v - h_l
        out["cp_mol_liq_comp"][i] = PropsSI("Cpmolar", "T", T, "Q", 0, c.coolprop)
    return out


def _write_csv(path: Path, columns: dict, data: dict, roles) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([f"{k} [{u}]" for k, u in columns.items()] + ["role"])
        for i in range(len(roles)):
            writer.writerow([repr(float(data[k][i])) for k in columns] + [roles[i]])


def _write_sidecar(csv_path: Path, sidecar: dict) -> None:
    sidecar = {**sidecar, "sha256": sha256_of(csv_path)}
    json_path = csv_path.with_suffix(".json")
    json_path.write_text(json.dumps(sidecar, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def generate_dataset(name: str, directory: str | Path) -> Path:
    """Compute the CoolProp dataset of a component and write ``<name>.csv`` + ``.json``.

    ``directory`` is required: the library never writes into its own installation (the
    shipped datasets are regenerated by the maintainers' ``validation/export_all.py``).
    Returns the CSV path.
    """
    import CoolProp

    c = get_constants(name)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    temps, roles = temperature_grid(c)
    data = _coolprop_rows(c, temps)
    csv_path = directory / f"{c.name}.csv"
    _write_csv(csv_path, COLUMNS, data, roles)
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
        "dh_vap_mol_comp: Hmolar(Q=1) - Hmolar(Q=0); cp_mol_liq_comp: Cpmolar at Q=0",
        "generated_by": "propkg.datasets.generate_dataset",
    }
    _write_sidecar(csv_path, sidecar)
    generate_ideal_gas_dataset(c.name, directory)
    from propkg.virial import generate_virial_dataset

    generate_virial_dataset(c.name, directory)
    return csv_path


def generate_ideal_gas_dataset(name: str, directory: str | Path) -> Path:
    """Compute the wide-range ideal-gas dataset ``<name>_ideal_gas.csv`` + ``.json`` in
    ``directory`` (required, as for :func:`generate_dataset`)."""
    import CoolProp

    c = get_constants(name)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    hi = ideal_gas_upper(c)
    temps, roles = ideal_gas_grid(hi)
    csv_path = directory / f"{c.name}_ideal_gas.csv"
    _write_csv(csv_path, IG_COLUMNS, _ideal_gas_rows(c, temps), roles)
    sidecar = {
        "component": c.name,
        "cas": c.cas,
        "columns": IG_COLUMNS,
        "roles": {
            "train": f"{N_TRAIN_IG} points, linspace({IG_T_LOW}, {hi})",
            "test": f"{N_TEST} mid-cell points of [{IG_T_LOW}, {hi}] (held out)",
        },
        "T_low": IG_T_LOW,
        "T_high": hi,
        "source": f"CoolProp {CoolProp.__version__} (ideal-gas part, cp0molar)",
        "coolprop_fluid": c.coolprop,
        "coolprop_version": CoolProp.__version__,
        "notes": "enth/entr_mol_ig_comp: scipy quad of CoolProp cp0 (and cp0/T) from 298.15 K",
        "generated_by": "propkg.datasets.generate_ideal_gas_dataset",
    }
    _write_sidecar(csv_path, sidecar)
    return csv_path


def read_property_table(
    path: str | Path,
    text_columns: tuple[str, ...] = ("role",),
    finite: bool = False,
    empty_as_nan: bool = False,
) -> tuple[dict[str, np.ndarray], dict[str, str], dict[str, list[str]]]:
    """Read a CSV whose header is ``name [units]``, plus text columns without units.

    Parameters
    ----------
    path : path
        The CSV file (UTF-8, comma separated, one header row).
    text_columns : tuple of str
        Column names allowed without units (kept as strings), e.g. ``role``, ``source``.
    finite : bool
        Refuse NaN and inf (default False: the caller checks them).
    empty_as_nan : bool
        Read an empty numeric cell as NaN ("no value of this quantity in this row")
        instead of refusing it; an explicit ``nan`` is still refused when ``finite``.

    Returns
    -------
    (columns, units, texts)
        ``columns``: numeric name -> float array; ``units``: name -> unit string;
        ``texts``: text column name -> list of str (only those present in the file).

    Raises
    ------
    DataError
        If the file is missing or empty, a header lacks units, a row has the wrong number of
        fields, or a value is not a number (or not finite, with ``finite=True``).
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"data file '{path}' does not exist")
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"'{path}' is not a UTF-8 CSV file: {exc}") from None
    if len(rows) < 2:
        raise DataError(f"'{path}' has no data rows")
    header = [h.strip() for h in rows[0]]
    for h in header:
        if ";" in h or "\t" in h:
            raise DataError(
                f"'{path}': header cell {h!r} holds a ';' or a tab; columns must be separated "
                "by commas"
            )
    names: list[str] = []
    units: dict[str, str] = {}
    texts: dict[str, list[str]] = {}
    for h in header:
        if h in text_columns:
            names.append(h)
            texts[h] = []
            continue
        if "[" not in h or not h.endswith("]"):
            allowed = ", ".join(f"'{t}'" for t in text_columns)
            raise DataError(
                f"'{path}': column header '{h}' has no units; expected 'name [units]', "
                f"e.g. 'temperature [K]' (columns without units allowed: {allowed})"
            )
        col, unit = h[:-1].split("[", 1)
        if col.strip() in units:
            raise DataError(f"'{path}': column '{col.strip()}' appears twice in the header")
        names.append(col.strip())
        units[col.strip()] = unit.strip()
    columns: dict[str, list[float]] = {n: [] for n in names if n not in texts}
    for i, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise DataError(f"'{path}' line {i}: {len(row)} fields, header has {len(header)}")
        for name, cell in zip(names, row, strict=True):
            if name in texts:
                texts[name].append(cell.strip())
                continue
            if empty_as_nan and not cell.strip():
                columns[name].append(np.nan)
                continue
            try:
                value = float(cell)
            except ValueError:
                value = None
            if value is None or (finite and not np.isfinite(value)):
                what = "a number" if value is None else "a finite number"
                raise DataError(f"'{path}' line {i}, column '{name}': '{cell}' is not {what}")
            columns[name].append(value)
    return {k: np.asarray(v, dtype=float) for k, v in columns.items()}, units, texts


def read_property_csv(path: str | Path) -> tuple[dict[str, np.ndarray], dict[str, str], list]:
    """Read a CSV whose header is ``name [units]`` (plus optional ``role`` column).

    Returns ``(columns, units, roles)``; ``roles`` is empty if there is no role column.
    See :func:`read_property_table` for the rules and errors.
    """
    columns, units, texts = read_property_table(path, ("role",))
    return columns, units, texts.get("role", [])


def load_dataset(name: str, directory: str | Path | None = None) -> dict:
    """Load the CoolProp dataset of a component (shipped, or in ``directory``).

    Returns a dict with ``columns`` (name -> array), ``roles`` (array of str),
    ``sha256`` (of the CSV) and ``sidecar`` (the JSON dict). The CSV's sha256 is checked
    against the sidecar.

    Raises
    ------
    DataError
        If the dataset is missing (nothing is generated behind the user's back) or its
        sha256 differs from the sidecar's.
    """
    c = get_constants(name)
    directory = Path(directory) if directory is not None else default_dataset_dir()
    csv_path = directory / f"{c.name}.csv"
    json_path = csv_path.with_suffix(".json")
    if not csv_path.is_file() or not json_path.is_file():
        raise DataError(
            f"no CoolProp dataset of '{c.name}' in '{directory}' ({csv_path.name} + "
            f"{json_path.name}); create it with propkg.datasets.generate_dataset('{c.name}', "
            "folder)"
        )
    return _load_checked(csv_path)


def load_ideal_gas_dataset(name: str, directory: str | Path | None = None) -> dict:
    """Load the wide-range ideal-gas dataset of a component (shipped, or in ``directory``);
    as :func:`load_dataset`."""
    c = get_constants(name)
    directory = Path(directory) if directory is not None else default_dataset_dir()
    csv_path = directory / f"{c.name}_ideal_gas.csv"
    if not csv_path.is_file() or not csv_path.with_suffix(".json").is_file():
        raise DataError(
            f"no ideal-gas dataset of '{c.name}' in '{directory}' ({csv_path.name}); create "
            f"it with propkg.datasets.generate_ideal_gas_dataset('{c.name}', folder)"
        )
    return _load_checked(csv_path)


def _load_checked(csv_path: Path) -> dict:
    json_path = csv_path.with_suffix(".json")
    sidecar = json.loads(json_path.read_text(encoding="utf-8"))
    digest = sha256_of(csv_path)
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
