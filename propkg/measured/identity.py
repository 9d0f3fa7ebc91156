"""Compound identity: user names, CAS numbers and aliases <-> the InChI keys of the tables.

The ThermoML tables identify compounds by standard InChI (``InChI=1S/...``). A user types a
name, alias or CAS number ("1-butanol", "n-butanol", "71-36-3", "water"); ``chemicals``
(:func:`chemicals.identifiers.search_chemical`) resolves it to one chemical with a CAS
number and a standard InChI, which is matched to the tables directly, or, failing that,
through the InChI -> CAS map of every InChI in the tables (built with ``chemicals`` once,
cached as JSON in the propkg cache folder, about 3,000 InChIs in ~10 s).

A table InChI of one enantiomer that ``chemicals`` does not know (``/t10-/m0/s1``: one
stereocentre, no double-bond stereo) is mapped through its connectivity (the InChI without
stereo layers): enantiomers have the same vapour pressure and density, so (S)-nicotine's data
are nicotine's. InChIs with two or more stereocentres or cis/trans double bonds are not
(diastereomers are different compounds: cis- and trans-decalin, exo- and endo-
tetrahydrodicyclopentadiene).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

from propkg.measured.source import cache_dir
from propkg_contract.errors import DataError

INCHI_PREFIX = "InChI=1S/"
#: version 2: enantiomers mapped through their connectivity (:func:`enantiomer_connectivity`)
_MAP_FILE = "thermoml-inchi-cas-2.json"


@dataclass(frozen=True)
class Compound:
    """One chemical as ``chemicals`` knows it.

    Attributes
    ----------
    name : str
        Common name in ``chemicals`` (e.g. ``"1-butanol"``).
    cas : str
        CAS registry number.
    inchi : str
        Standard InChI with its ``InChI=1S/`` prefix.
    smiles : str
        SMILES string from ``chemicals``.
    """

    name: str
    cas: str
    inchi: str
    smiles: str


@cache
def compound(query: str) -> Compound:
    """Resolve a name, alias, CAS number, InChI (``InChI=1S/...``) or ``smiles=...``.

    Raises
    ------
    DataError
        If ``chemicals`` does not know the identifier.
    """
    from chemicals.identifiers import search_chemical

    text = str(query).strip()
    if not text:
        raise DataError("empty compound name; give a name, alias or CAS number, e.g. 'water'")
    try:
        meta = search_chemical(text)
    except Exception:  # chemicals raises ValueError (and others) for unknown identifiers
        raise DataError(
            f"compound '{query}' is unknown to chemicals; give a name, alias or CAS number "
            "(e.g. '1-butanol', 'n-butanol', '71-36-3')"
        ) from None
    inchi = meta.InChI or ""
    if inchi and not inchi.startswith("InChI="):
        inchi = INCHI_PREFIX + inchi
    return Compound(name=meta.common_name or text, cas=meta.CASs, inchi=inchi, smiles=meta.smiles)


def enantiomer_connectivity(inchi: str) -> str | None:
    """The InChI without its stereo layers if they only tell one enantiomer from the other.

    That is: exactly one tetrahedral stereocentre (``/t`` with one entry), no double-bond
    stereo (``/b``), one component and no isotopic layer. Otherwise None (no stereo, or
    stereo that can tell diastereomers apart).
    """
    layers = inchi.split("/")
    if len(layers) < 3 or "." in layers[1] or any(x.startswith("i") for x in layers[2:]):
        return None
    stereo = [x for x in layers[2:] if x[:1] in ("t", "m", "s", "b")]
    centres = [x for x in stereo if x.startswith("t")]
    if any(x.startswith("b") for x in stereo) or len(centres) != 1:
        return None
    if "," in centres[0] or ";" in centres[0]:
        return None
    return "/".join(x for x in layers if x not in stereo)


def cas_of_inchi(inchi: str) -> str | None:
    """CAS number of an InChI, or None if ``chemicals`` does not know it (an enantiomer's InChI
    falls back to its connectivity, :func:`enantiomer_connectivity`)."""
    for query in (inchi, enantiomer_connectivity(inchi)):
        if query is None:
            continue
        try:
            return compound(query).cas
        except DataError:
            continue
    return None


def inchi_cas_map(inchis) -> dict[str, str | None]:
    """InChI -> CAS (None if unknown) for the given InChIs, cached in the cache folder."""
    path = cache_dir() / _MAP_FILE
    known: dict[str, str | None] = {}
    if path.is_file():
        try:
            known = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            known = {}
    missing = sorted(set(inchis) - set(known))
    if missing:
        for inchi in missing:
            known[inchi] = cas_of_inchi(inchi)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        tmp.write_text(json.dumps(known, indent=0, sort_keys=True), encoding="utf-8")
        tmp.replace(path)
    return {k: known[k] for k in set(inchis)}


def matching_inchis(query: str, inchis) -> tuple[Compound, list[str]]:
    """The compound a user means and the table InChIs that are that compound.

    Parameters
    ----------
    query : str
        Name, alias, CAS number or InChI.
    inchis : iterable of str
        The InChIs present in a table.

    Returns
    -------
    (compound, matches)
        ``matches`` is sorted; it is empty when the table has no such compound.
    """
    comp = compound(query)
    pool = set(inchis)
    if comp.inchi in pool:
        return comp, [comp.inchi]
    mapping = inchi_cas_map(pool)
    return comp, sorted(k for k, cas in mapping.items() if cas == comp.cas)
