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
mol/L, kJ/kmol/K). An empty cell means "no value in this row".

Optional columns:

- ``source`` (no units): the publication of the row. With three or more publications the
  printed and stored error is on test publications chosen by a fixed rule
  (:mod:`propkg.holdout`), the settings are chosen by leave-one-publication-out on the
  others, and the exported model is fitted on all but the test publications. With fewer,
  the error is a k-fold error over temperature blocks, labelled as such.
- ``uncertainty_<column> [units of the column]``: standard uncertainty of the value,
  used as weight of the robust (soft-L1) fit.
- ``role``: rows with role ``test`` are the test set (overriding ``source``); rows with
  role ``train`` are fitted; other rows are ignored.

Properties without data keep their backbone alone (recorded in the metadata). Example::

    propkg fit 1-butanol my_vapour_pressures.csv -o 1-butanol.onnx
"""

from __future__ import annotations

import argparse
import os
import tempfile
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
UNCERTAINTY_PREFIX = "uncertainty_"
#: reference columns of propkg's own datasets, ignored when fitting
_IGNORED = ("enth_mol_ig_comp", "entr_mol_ig_comp", "dh_vap_mol_comp")


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


def check_writable(path: Path) -> None:
    """Raise :class:`DataError` unless ``path`` can be written (checked by a real write).

    The nearest existing ancestor must be a directory in which a file can be created;
    an existing ``path`` must be a writable file.
    """
    if path.is_dir():
        raise DataError(f"output '{path}' is a folder; give a file name ending in '.onnx'")
    if path.suffix.lower() != ".onnx":
        raise DataError(f"output '{path}' must end in '.onnx'")
    if path.exists() and not os.access(path, os.W_OK):
        raise DataError(f"output '{path}' exists and is not writable")
    parent = path.parent if str(path.parent) else Path(".")
    if parent.exists() and not parent.is_dir():
        raise DataError(f"output '{path}' cannot be written: '{parent}' is not a folder")
    if not parent.is_dir():
        raise DataError(f"output folder '{parent}' does not exist; create it first")
    try:
        with tempfile.TemporaryFile(dir=parent):
            pass
    except OSError as exc:
        raise DataError(f"output '{path}' cannot be written in '{parent}': {exc}") from None


def _convert(path: Path, name: str, unit: str, values: np.ndarray, column: str) -> np.ndarray:
    if unit not in UNITS[column]:
        raise UnitsError(
            f"'{path}': column '{name}' has units '{unit}'; accepted: {list(UNITS[column])}"
        )
    return values * UNITS[column][unit]


def read_measured_csv(path: Path) -> dict:
    """Property data of a user CSV in SI units, validated.

    Returns
    -------
    dict
        Property column -> :class:`propkg.measured_fit.PropertyData` (only the rows with
        a value of that property and a role of ``train``/``test`` if there is a role).

    Raises
    ------
    DataError
        Missing temperature or property column, unknown column, NaN, too few points.
    UnitsError
        A column's units are not among the accepted ones.
    """
    from propkg.datasets import read_property_table
    from propkg.measured_fit import PropertyData
    from propkg.training import MIN_POINTS

    columns, units, text = read_property_table(path, ("role", "source"), True, True)
    if "temperature" not in columns:
        raise DataError(f"'{path}' has no 'temperature [K]' column; columns: {sorted(columns)}")
    uncertain = {k[len(UNCERTAINTY_PREFIX) :]: k for k in columns if k.startswith("uncertainty_")}
    unknown = [k for k in columns if k not in UNITS and k not in _IGNORED]
    unknown = [k for k in unknown if k not in uncertain.values()]
    unknown += [v for k, v in uncertain.items() if k not in PROPERTIES]
    if unknown:
        raise DataError(
            f"'{path}': unknown column(s) {unknown}; expected temperature, any of "
            f"{list(PROPERTIES)}, {UNCERTAINTY_PREFIX}<property>, source, role"
        )
    present = [k for k in PROPERTIES if k in columns]
    if not present:
        raise DataError(f"'{path}' has no property column; expected any of {list(PROPERTIES)}")
    T = _convert(path, "temperature", units["temperature"], columns["temperature"], "temperature")
    bad = np.flatnonzero(~np.isfinite(T))
    if bad.size:
        raise DataError(f"'{path}': empty temperature in data row(s) {[int(i) + 1 for i in bad]}")
    bad = np.flatnonzero(T <= 0)
    if bad.size:
        raise DataError(f"'{path}': 'temperature' must be positive (absolute, in K); data "
                        f"row(s) {[int(i) + 1 for i in bad][:10]}")
    keep = np.ones(T.size, dtype=bool)
    roles = np.asarray(text["role"]) if "role" in text else None
    if roles is not None:
        if not np.any(roles == "train"):
            raise DataError(f"'{path}' has a 'role' column but no rows with role 'train'")
        keep = np.isin(roles, ("train", "test"))
    sources = np.asarray(text["source"]) if "source" in text else None
    if sources is not None and np.any(sources == ""):
        rows = [int(i) + 1 for i in np.flatnonzero(sources == "")][:10]
        raise DataError(f"'{path}': empty 'source' in data row(s) {rows}; name the publication")
    for name in present:  # units first: a wrong unit is the more useful message
        _convert(path, name, units[name], columns[name], name)
    if np.unique(T).size < 2:
        raise DataError(f"'{path}': {np.unique(T).size} distinct temperatures; a fit of T "
                        "needs data at several temperatures")
    out = {}
    for name in present:
        y = _convert(path, name, units[name], columns[name], name)
        bad = np.flatnonzero(y <= 0)  # every fitted property is positive (NaN = no value)
        if bad.size:
            raise DataError(f"'{path}': '{name}' must be positive; data row(s) "
                            f"{[int(i) + 1 for i in bad][:10]}")
        rows = keep & np.isfinite(y)
        if rows.sum() < MIN_POINTS:
            raise DataError(
                f"'{path}': column '{name}' has {int(rows.sum())} values, at least "
                f"{MIN_POINTS} are needed"
            )
        u = None
        if name in uncertain:
            u = _convert(
                path, uncertain[name], units[uncertain[name]], columns[uncertain[name]], name
            )
            if np.any(u[rows & np.isfinite(u)] <= 0):
                raise DataError(f"'{path}': column '{uncertain[name]}' has values <= 0")
            u = u[rows]
        out[name] = PropertyData(
            name,
            T[rows],
            y[rows],
            uncertainty=u,
            publication=None if sources is None else sources[rows],
            role=None if roles is None else roles[rows],
        )
    return out


def run(args: argparse.Namespace) -> int:
    """Dispatch on the number of names: ``NAME CSV`` (pure) or ``A B CSV`` (binary).

    An output path that cannot be written is refused before anything is fitted.
    """
    if args.output is not None:
        check_writable(args.output)
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
    print(f"[4/4] wrote {path}; fit {fit.fit_seconds:.1f} s ({fit.fit_cpu_seconds:.1f} s CPU, of "
          f"which final fit {fit.final_fit_cpu_seconds:.2f} s), total "
          f"{time.perf_counter() - start:.1f} s")
    stats = fit.statistics("test")
    if not stats:
        print("      one publication: no held-out figures (all points used to fit)")
    for model, s in stats.items():
        print(f"      test publications, {model:6s}: AAD {s['aad_percent']:.3f} %, mean signed "
              f"{s['mean_signed_percent']:+.3f} %, {s['n_points']} points")
    return 0


def fit_and_export(c, csv_path: Path, data: dict, output: Path, progress=None):
    """Robust fit of the properties in ``data`` (read from ``csv_path``) and ONNX export.

    The work of ``propkg fit NAME CSV`` after reading the file
    (:func:`propkg.measured_fit.fit_measured`, then :func:`propkg.export.export_model`
    with the training record and the held-out statistics; the validity domain is the
    temperature range of the training points). Returns ``(path, fits, statistics)``.
    """
    from propkg.export import export_model
    from propkg.measured_fit import fit_measured, training_record

    sha = sha256_of(csv_path) if csv_path.is_file() else ""
    model, fits = fit_measured(c, data, progress=progress)
    training = training_record(data, fits, f"user file {csv_path.name}", sha)
    stats = {
        name: {**f.statistics, "reference": f"user file {csv_path.name}"}
        for name, f in fits.items()
    }
    train_T = np.concatenate([d.T[~f.split.test] for d, f in ((data[k], fits[k]) for k in fits)])
    path = export_model(
        model, output, training, stats, domain=(float(train_T.min()), float(train_T.max()))
    )
    return path, fits, stats


def run_pure(args: argparse.Namespace) -> int:
    """Fit a hybrid pure-component model (``propkg fit NAME CSV``), robustly, held out."""
    from propkg.components import constants_for

    start = time.perf_counter()
    if args.output is not None:
        check_writable(args.output)
    c = constants_for(args.component)
    output = args.output or Path(f"{c.name}.onnx")
    check_writable(output)
    print(f"[1/4] {c.name} (CAS {c.cas}): Tc = {c.Tc} K, Pc = {c.Pc} Pa, omega = {c.omega}")
    if "ideal_gas" in c.sources:
        print(f"      ideal-gas cp backbone: {c.sources['ideal_gas']['name']}")
    for key in ("Tc", "Pc", "omega"):  # constants not taken from chemicals' default table
        if key in c.sources:
            print(f"      {key}: {c.sources[key]}")
    data = read_measured_csv(args.csv)
    T_all = np.concatenate([d.T for d in data.values()])
    summary = ", ".join(f"{k} ({d.T.size})" for k, d in data.items())
    print(f"[2/4] {args.csv}: {T_all.min():.2f}..{T_all.max():.2f} K, {summary}")
    if T_all.max() >= c.Tc:
        raise DataError(f"'{args.csv}': temperatures reach {T_all.max()} K >= Tc = {c.Tc} K")
    print("[3/4] screening, choosing settings, fitting ...", flush=True)
    path, fits, stats = fit_and_export(
        c, args.csv, data, output, progress=lambda msg: print("      " + msg, flush=True)
    )
    final = sum(f.fit_seconds for f in fits.values())
    print(
        f"[4/4] wrote {path} (final fit {final:.2f} s, total {time.perf_counter() - start:.1f} s)"
    )
    for name, s in stats.items():
        print(
            f"      {name}: AAD {s['aad_percent']:.4f} % "
            f"(backbone {s['backbone_aad_percent']:.4f} %), max {s['max_percent']:.4f} %, "
            f"{s['n_points']} points, {s['held_out']}"
        )
    return 0
