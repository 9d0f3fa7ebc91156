"""``propkg fit``: fit a hybrid pure-component model to a user's CSV and export it to ONNX.

The CSV has a header of ``name [units]`` columns: ``temperature [K]`` and at least one of
``pressure_sat_comp [Pa]``, ``dens_mol_liq_comp [mol/m**3]``, ``cp_mol_ig_comp [J/mol/K]``,
``dens_mol_vap_comp [mol/m**3]`` (saturated vapour, optional: it sharpens the derived
enthalpy of vaporization). A few other units are converted (kPa, bar, MPa, kmol/m**3,
mol/L, kJ/kmol/K). If the file has a ``role`` column (as the datasets under
``propkg/data/pure_components``), only rows with role ``train`` are used.
Properties without data keep their backbone alone. Example::

    propkg fit benzene propkg/data/pure_components/benzene.csv -o benzene.onnx
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from propkg_contract.errors import DataError, UnitsError
from propkg_contract.registry import sha256_of

#: accepted units per column -> factor to SI
UNITS = {
    "temperature": {"K": 1.0},
    "pressure_sat_comp": {"Pa": 1.0, "kPa": 1e3, "bar": 1e5, "MPa": 1e6},
    "dens_mol_liq_comp": {"mol/m**3": 1.0, "mol/m^3": 1.0, "kmol/m**3": 1e3, "mol/L": 1e3},
    "dens_mol_vap_comp": {"mol/m**3": 1.0, "mol/m^3": 1.0, "kmol/m**3": 1e3, "mol/L": 1e3},
    "cp_mol_ig_comp": {"J/mol/K": 1.0, "kJ/kmol/K": 1.0, "J/(mol*K)": 1.0},
}
PROPERTIES = ("pressure_sat_comp", "dens_mol_liq_comp", "cp_mol_ig_comp", "dens_mol_vap_comp")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "fit",
        help="fit a hybrid pure-component model to a CSV and write an ONNX file",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("component", help="component name, alias or CAS (constants: chemicals)")
    parser.add_argument("csv", type=Path, help="data file with 'name [units]' header")
    parser.add_argument("-o", "--output", type=Path, help="ONNX file (default: <name>.onnx)")
    parser.set_defaults(func=run)


def read_training_csv(path: Path) -> dict[str, np.ndarray]:
    """Columns of a user CSV in SI units, validated.

    Raises
    ------
    DataError
        Missing temperature or property column, unknown column, NaN, too few points.
    UnitsError
        A column's units are not among the accepted ones.
    """
    from propkg.datasets import read_property_csv
    from propkg.training import MIN_POINTS

    columns, units, roles = read_property_csv(path)
    if roles:
        keep = np.asarray(roles) == "train"
        if not keep.any():
            raise DataError(f"'{path}' has a 'role' column but no rows with role 'train'")
        columns = {k: v[keep] for k, v in columns.items()}
    if "temperature" not in columns:
        raise DataError(f"'{path}' has no 'temperature [K]' column; columns: {sorted(columns)}")
    unknown = [k for k in columns if k not in UNITS and k not in _IGNORED]
    if unknown:
        raise DataError(
            f"'{path}': unknown column(s) {unknown}; expected temperature and any of "
            f"{list(PROPERTIES)}"
        )
    present = [k for k in PROPERTIES if k in columns]
    if not present:
        raise DataError(f"'{path}' has no property column; expected any of {list(PROPERTIES)}")
    out = {}
    for name in ("temperature", *present):
        unit = units[name]
        if unit not in UNITS[name]:
            raise UnitsError(
                f"'{path}': column '{name}' has units '{unit}'; accepted: {list(UNITS[name])}"
            )
        values = columns[name] * UNITS[name][unit]
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            raise DataError(
                f"'{path}': column '{name}' has NaN/inf in data row(s) {[int(i) + 1 for i in bad]}"
            )
        out[name] = values
    n = out["temperature"].size
    if n < MIN_POINTS:
        raise DataError(f"'{path}': {n} data rows, at least {MIN_POINTS} are needed")
    for name, values in out.items():
        bad = np.flatnonzero(values <= 0)
        if bad.size:
            raise DataError(
                f"'{path}': column '{name}' must be positive (absolute temperature, pressure, "
                f"density, heat capacity); {values[bad[0]]!r} in data row {int(bad[0]) + 1}"
            )
    distinct = np.unique(out["temperature"]).size
    if distinct < MIN_POINTS:
        raise DataError(
            f"'{path}': {distinct} distinct temperatures, at least {MIN_POINTS} are needed"
        )
    return out


def check_output_path(path: Path) -> Path:
    """Refuse an output path that cannot receive an ONNX file, before anything is fitted.

    Raises
    ------
    DataError
        The path does not end in ``.onnx``, is a folder, or its folder does not exist or
        is not writable.
    """
    import os

    path = Path(path)
    if path.suffix.lower() != ".onnx":
        raise DataError(f"-o {path}: the output file must end in '.onnx'")
    if path.is_dir():
        raise DataError(f"-o {path}: is a folder; give a file name ending in '.onnx'")
    folder = path.resolve().parent
    if not folder.is_dir():
        raise DataError(f"-o {path}: folder '{folder}' does not exist; create it first")
    if not os.access(folder, os.W_OK):
        raise DataError(f"-o {path}: folder '{folder}' is not writable")
    return path


#: reference columns of propkg's own datasets, ignored when fitting
_IGNORED = ("enth_mol_ig_comp", "entr_mol_ig_comp", "dh_vap_mol_comp")


def run(args: argparse.Namespace) -> int:
    from propkg.components import constants_for
    from propkg.evaluate import error_statistics
    from propkg.export import export_model
    from propkg.training import fit_hybrid

    start = time.perf_counter()
    c = constants_for(args.component)
    output = check_output_path(args.output or Path(f"{c.name}.onnx"))
    print(f"[1/4] {c.name} (CAS {c.cas}): Tc = {c.Tc} K, Pc = {c.Pc} Pa, omega = {c.omega}")
    data = read_training_csv(args.csv)
    T = data["temperature"]
    present = [k for k in PROPERTIES if k in data]
    print(f"[2/4] {args.csv}: {T.size} points, {T.min():.2f}..{T.max():.2f} K, {present}")
    if T.max() >= c.Tc:
        raise DataError(f"'{args.csv}': temperatures reach {T.max()} K >= Tc = {c.Tc} K")
    print("[3/4] fitting corrections ...", flush=True)
    model = fit_hybrid(c, data, progress=lambda msg: print("      " + msg, flush=True))
    sha = sha256_of(args.csv)
    training = {
        "sha256": sha,
        "source": f"user file {args.csv.name}",
        "n_points": {k: int(T.size) for k in present},
    }
    stats = error_statistics(model, data, f"training data {args.csv.name} (not held out)")
    path = export_model(model, output, training, stats, domain=(float(T.min()), float(T.max())))
    print(f"[4/4] wrote {path} in {time.perf_counter() - start:.1f} s")
    for name in present:
        if name in stats:
            s = stats[name]
            print(f"      {name}: AAD {s['aad_percent']:.4f} %, max {s['max_percent']:.4f} %")
    return 0
