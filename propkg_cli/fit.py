"""``propkg fit``: fit a hybrid model to a user's CSV and export it to ONNX.

One name: a pure-component model. Two names ``A B``: a binary g^E model fitted to measured
bubble points (CSV columns ``temperature [K]``, ``pressure [kPa]`` (Pa, bar, MPa),
``mole_frac_liq [-]`` = liquid mole fraction of A, optional ``mole_frac_vap [-]``,
``source`` (publication) and ``weight [-]``); Psat from the pure models of A and B (shipped,
or ``--pure A.onnx B.onnx``). Test publications are held out by a fixed rule; backbone and
network size are chosen by leave-one-publication-out on the others. Example::

    propkg fit ethanol water bubble_points.csv -o ethanol__water.onnx

Pure component:

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
    parser.add_argument("names", nargs="+", metavar="NAME... CSV",
                        help="component name (pure) or two names A B (binary), then the CSV")
    parser.add_argument("-o", "--output", type=Path, help="ONNX file (default: <name>.onnx)")
    parser.add_argument("--pure", nargs=2, type=Path, metavar=("A.onnx", "B.onnx"),
                        help="binary: pure-component models giving Psat (default: shipped)")
    parser.add_argument("--liquid-liquid", action="store_true",
                        help="binary: the pair really splits into two liquids (no stability "
                             "constraint)")
    parser.add_argument("--no-screening", action="store_true",
                        help="binary: do not down-weight publications by screening")
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
    """Dispatch on the number of names: ``NAME CSV`` (pure) or ``A B CSV`` (binary)."""
    if len(args.names) == 3:
        return run_binary(args.names[0], args.names[1], Path(args.names[2]), args)
    if len(args.names) != 2:
        raise DataError(f"propkg fit takes NAME CSV or A B CSV; got {args.names}")
    if args.pure:
        raise DataError("--pure is for binary fits (propkg fit A B CSV --pure A.onnx B.onnx)")
    args.component, args.csv = args.names[0], Path(args.names[1])
    return run_pure(args)


def run_binary(a: str, b: str, csv_path: Path, args: argparse.Namespace) -> int:
    """Fit a binary hybrid g^E model to measured bubble points and write its ONNX file."""
    from propkg.mixtures.bubble_data import PurePsat, read_bubble_csv
    from propkg.mixtures.components import component
    from propkg.mixtures.measured_export import export_measured
    from propkg.mixtures.measured_training import fit_measured_pair, prepare_points
    from propkg_contract.registry import sha256_of

    start = time.perf_counter()
    ca_, cb_ = component(a), component(b)
    psat = [PurePsat(p) for p in (args.pure or (ca_.name, cb_.name))]
    print(f"[1/4] {ca_.name} + {cb_.name}: Psat from {psat[0].path.name}, {psat[1].path.name}")
    raw = read_bubble_csv(csv_path)
    print(f"[2/4] {csv_path}: {len(raw)} points, {raw.T.min():.2f}..{raw.T.max():.2f} K, "
          f"{len(raw.publications())} publication(s)")
    points, screening = prepare_points((ca_.name, cb_.name), raw, *psat,
                                       screen=not args.no_screening)
    print("[3/4] selecting and fitting ...", flush=True)
    fit = fit_measured_pair((ca_.name, cb_.name), points, stable=not args.liquid_liquid,
                            progress=lambda msg: print("      " + msg, flush=True))
    pure = {p.name: f"{p.path.name} (sha256 {sha256_of(p.path)[:16]})" for p in psat}
    output = args.output or Path(f"{ca_.name}__{cb_.name}.onnx")
    path = export_measured(fit, output, f"user file {csv_path.name} (sha256 "
                           f"{sha256_of(csv_path)[:16]})", pure, screening)
    print(f"[4/4] wrote {path}; fit {fit.fit_seconds:.1f} s, total "
          f"{time.perf_counter() - start:.1f} s")
    stats = fit.statistics("test")
    if not stats:
        print("      one publication: no held-out figures (all points used to fit)")
    for model, s in stats.items():
        print(f"      test publications, {model:6s}: AAD {s['aad_percent']:.3f} %, mean signed "
              f"{s['mean_signed_percent']:+.3f} %, {s['n_points']} points")
    return 0


def run_pure(args: argparse.Namespace) -> int:
    """Fit a hybrid pure-component model (``propkg fit NAME CSV``)."""
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
