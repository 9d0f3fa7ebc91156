"""``propkg screen A [B] DATA.csv [-o FLAGGED.csv]``: flag suspicious measured data.

Reads a CSV with unit headers (``temperature [K]``, ``pressure [Pa]`` or
``dens_mol [mol/m**3]`` for one compound; ``temperature [K]``, ``pressure [Pa]``,
``mole_frac_liq [-]`` (of A) and optionally ``mole_frac_vap [-]`` for a pair) and optional
text columns ``source`` (publication) and ``type``, and writes a copy with ``flag``
(ok/downweight/exclude), ``reason`` and ``weight`` columns. The input file is never
changed; the output may not be the input. ``--test-source DOI`` (repeatable) marks held-out
publications.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from propkg_contract.errors import DataError, UnitsError

TEXT_COLUMNS = ("source", "type", "role")
#: accepted column names (with aliases) -> canonical name and unit
PURE_VALUES = {"pressure": ("pressure [Pa]", "Pa"), "pressure_sat_comp": ("pressure [Pa]", "Pa"),
               "dens_mol": ("dens_mol [mol/m**3]", "mol/m**3"),
               "dens_mol_liq_comp": ("dens_mol [mol/m**3]", "mol/m**3")}
UNITS = {"temperature": "K", "pressure": "Pa", "pressure_sat_comp": "Pa", "dens_mol": "mol/m**3",
         "dens_mol_liq_comp": "mol/m**3", "mole_frac_liq": "-", "mole_frac_vap": "-"}


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "screen",
        help="flag outliers, offset publications and inconsistent sets in measured data",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("args", nargs="+", metavar="A [B] DATA.csv",
                        help="one compound (pure data) or two (bubble points), then the CSV")
    parser.add_argument("-o", "--output", type=Path,
                        help="output CSV (default: DATA_flagged.csv next to the input)")
    parser.add_argument("--test-source", action="append", default=[], metavar="DOI",
                        help="a held-out publication (repeatable)")
    parser.add_argument("--psat", choices=("measured", "backbone"), default="measured",
                        help="pure-component Psat for the binary end-point test: the backbone "
                        "corrected by screened ThermoML data (default; falls back to the "
                        "backbone) or the Ambrose-Walton backbone alone")
    parser.set_defaults(func=run)


def read_table(path: Path):
    """The CSV as a DataFrame with canonical ``name [unit]`` columns; DataError/UnitsError."""
    import pandas as pd

    from propkg.datasets import read_property_table

    columns, units, texts = read_property_table(path, TEXT_COLUMNS, finite=True)
    for name, unit in units.items():
        if name in UNITS and unit != UNITS[name]:
            raise UnitsError(f"'{path}': column '{name}' has units '{unit}', expected "
                             f"'{UNITS[name]}'")
    frame = {f"{k} [{units[k]}]": v for k, v in columns.items()}
    frame.update(texts)
    return pd.DataFrame(frame)


def _require(df, path: Path, needed: list[str]) -> None:
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise DataError(f"'{path}' lacks column(s) {missing}; columns: {list(df.columns)}")


def write_flagged(src: Path, dst: Path, data) -> None:
    """Copy ``src`` row by row to ``dst`` adding ``flag``, ``reason``, ``weight``."""
    with open(src, newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.reader(handle)]
    header, body = rows[0], [r for r in rows[1:] if any(c.strip() for c in r)]
    dst.parent.mkdir(parents=True, exist_ok=True)
    with open(dst, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([*header, "flag", "reason", "weight"])
        for row, flag, reason, weight in zip(body, data["flag"], data["reason"], data["weight"],
                                             strict=True):
            writer.writerow([*row, flag, reason, f"{weight:.6g}"])


def run(args: argparse.Namespace) -> int:
    from propkg.screening import screen_bubble_points, screen_pure
    from propkg.screening.pure import ln_density_backbone, ln_psat_backbone

    if len(args.args) not in (2, 3):
        raise DataError(f"propkg screen takes A [B] DATA.csv, got {len(args.args)} arguments")
    *names, path = args.args
    path = Path(path)
    out = args.output or path.with_name(f"{path.stem}_flagged.csv")
    if out.resolve() == path.resolve():
        raise DataError(f"output '{out}' is the input file; choose another -o (input is never "
                        "overwritten)")
    df = read_table(path)
    if len(names) == 1:
        present = [c for c in PURE_VALUES if f"{c} [{UNITS[c]}]" in df.columns]
        if len(present) != 1:
            raise DataError(f"'{path}' needs exactly one of the columns "
                            f"{[f'{c} [{UNITS[c]}]' for c in PURE_VALUES]}; found {present}")
        column, _ = PURE_VALUES[present[0]]
        df = df.rename(columns={f"{present[0]} [{UNITS[present[0]]}]": column})
        _require(df, path, ["temperature [K]"])
        backbone = ln_psat_backbone if column.startswith("pressure") else ln_density_backbone
        result = screen_pure(df, column, backbone(names[0]), args.test_source)
    else:
        _require(df, path, ["temperature [K]", "pressure [Pa]", "mole_frac_liq [-]"])
        result = screen_bubble_points(df, names[0], names[1], args.test_source, psat=args.psat)
    write_flagged(path, out, result.data)
    counts = result.data["flag"].value_counts().to_dict()
    print(f"{len(result.data)} rows: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())))
    for reason in result.data.loc[result.data["flag"] != "ok", "reason"].drop_duplicates().head(10):
        print(f"  {reason}")
    print(f"wrote {out}")
    return 0
