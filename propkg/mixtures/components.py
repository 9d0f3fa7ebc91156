"""The components of the binary models (the 20 shipped pure fluids) and their identifiers.

Dortmund (modified) and original UNIFAC group assignments are those of the DDBST that
``thermo`` ships (looked up by InChIKey), NRTL parameters are ChemSep's (``thermo``'s
``IPDB``), reference data are CoolProp's (fluid names below).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from propkg_contract.errors import DataError


@dataclass(frozen=True)
class Component:
    """Identifiers of one component.

    Attributes
    ----------
    name : str
        propkg name (lower case), also the name of the pure-component ONNX model.
    cas : str
        CAS registry number.
    molar_mass : float
        Molar mass, [kg/mol].
    coolprop : str
        CoolProp fluid name.
    inchikey : str
        Standard InChIKey (key of the DDBST group assignments in ``thermo``).
    smiles : str
        SMILES as written in the Brouwer (2021) data set.
    """

    name: str
    cas: str
    molar_mass: float
    coolprop: str
    inchikey: str
    smiles: str

    def as_metadata(self) -> dict:
        """The ``{name, cas, molar_mass}`` object of the metadata contract."""
        return {"name": self.name, "cas": self.cas, "molar_mass": self.molar_mass}


COMPONENTS: dict[str, Component] = {
    c.name: c
    for c in (
        Component("water", "7732-18-5", 0.01801528, "Water", "XLYOFNOQVPJJNP-UHFFFAOYSA-N", "O"),
        Component("methanol", "67-56-1", 0.03204186, "Methanol",
                  "OKKJLVBELUTLKV-UHFFFAOYSA-N", "CO"),
        Component("ethanol", "64-17-5", 0.04606844, "Ethanol",
                  "LFQSCWFLJHTTHZ-UHFFFAOYSA-N", "CCO"),
        Component("acetone", "67-64-1", 0.05807914, "Acetone",
                  "CSCPPACGZOOCGX-UHFFFAOYSA-N", "CC(C)=O"),
        Component("benzene", "71-43-2", 0.07811184, "Benzene",
                  "UHOVQNZJYSORNB-UHFFFAOYSA-N", "c1ccccc1"),
        Component("toluene", "108-88-3", 0.09213842, "Toluene",
                  "YXFVVABEGXRONW-UHFFFAOYSA-N", "Cc1ccccc1"),
        Component("ammonia", "7664-41-7", 0.01703052, "Ammonia",
                  "QGZKDVFQNNGYKY-UHFFFAOYSA-N", "N"),
        Component("carbon_dioxide", "124-38-9", 0.04400950, "CarbonDioxide",
                  "CURLTUGMZLYLDI-UHFFFAOYSA-N", "O=C=O"),
        Component("cyclohexane", "110-82-7", 0.08415948, "Cyclohexane",
                  "XDTMQSROBMDMFD-UHFFFAOYSA-N", "C1CCCCC1"),
        Component("ethylbenzene", "100-41-4", 0.10616500, "EthylBenzene",
                  "YNQLUTRBYVCPMQ-UHFFFAOYSA-N", "CCc1ccccc1"),
        Component("ethylene", "74-85-1", 0.02805316, "Ethylene",
                  "VGGSQFUCUMXWEO-UHFFFAOYSA-N", "C=C"),
        Component("isobutane", "75-28-5", 0.05812220, "IsoButane",
                  "NNPPMTNAJDCUHE-UHFFFAOYSA-N", "CC(C)C"),
        Component("n_butane", "106-97-8", 0.05812220, "n-Butane",
                  "IJDNQMDRQITEOD-UHFFFAOYSA-N", "CCCC"),
        Component("n_heptane", "142-82-5", 0.10020194, "n-Heptane",
                  "IMNFDUFMRHMDMM-UHFFFAOYSA-N", "CCCCCCC"),
        Component("n_hexane", "110-54-3", 0.08617536, "n-Hexane",
                  "VLKZOEOYAKHREP-UHFFFAOYSA-N", "CCCCCC"),
        Component("n_octane", "111-65-9", 0.11422852, "n-Octane",
                  "TVMXDCGIABBOFY-UHFFFAOYSA-N", "CCCCCCCC"),
        Component("o_xylene", "95-47-6", 0.10616500, "o-Xylene",
                  "CTQNGGLPUBDAKN-UHFFFAOYSA-N", "Cc1ccccc1C"),
        Component("propane", "74-98-6", 0.04409562, "n-Propane",
                  "ATUOYWHBWRKTHZ-UHFFFAOYSA-N", "CCC"),
        Component("propylene", "115-07-1", 0.04207974, "Propylene",
                  "QQONPFPTGQHPMA-UHFFFAOYSA-N", "CC=C"),
        Component("r134a", "811-97-2", 0.10203089, "R134a",
                  "LVGUZGTVOIAKKC-UHFFFAOYSA-N", "FCC(F)(F)F"),
    )
}

#: The binaries shipped in ``exported_models/`` (model order: first, second component).
SHIPPED_PAIRS: tuple[tuple[str, str], ...] = (
    ("ethanol", "water"),
    ("methanol", "water"),
    ("acetone", "water"),
    ("ethanol", "benzene"),
    ("acetone", "methanol"),
    ("benzene", "toluene"),
)


#: shipped pairs fitted to measured bubble points (NIST ThermoML, >= 3 publications; see
#: ``validation/measured_binary.py``)
MEASURED_PAIRS: tuple[tuple[str, str], ...] = (
    ("ethanol", "water"),
    ("methanol", "water"),
    ("acetone", "methanol"),
    ("benzene", "toluene"),
)
#: shipped pairs fitted to measured infinite-dilution activity coefficients alone (ThermoML
#: has no bubble points of acetone/water; see ``propkg.mixtures.dilution_fit``)
INFINITE_DILUTION_PAIRS: tuple[tuple[str, str], ...] = (("acetone", "water"),)
#: shipped pairs that keep the CoolProp-trained fit: ThermoML has one (ethanol/benzene)
#: publication of their bubble points, too few to hold any out
COOLPROP_PAIRS: tuple[tuple[str, str], ...] = tuple(
    p for p in SHIPPED_PAIRS if p not in MEASURED_PAIRS + INFINITE_DILUTION_PAIRS)


def component(name: str) -> Component:
    """Look up a component by propkg name, CAS number or CoolProp name (case-insensitive).

    Besides the 20 of :data:`COMPONENTS`, any compound with a pure-component model in the
    model registry (the shipped models and their zoo, :func:`modelled_component`) is a
    mixture component: its Psat comes from that model.
    """
    wanted = name.strip().lower()
    for comp in COMPONENTS.values():
        if wanted in (comp.name, comp.cas, comp.coolprop.lower()):
            return comp
    from propkg_contract.errors import MetadataError
    from propkg_contract.registry import default_model_dir

    try:
        return modelled_component(wanted, str(default_model_dir()))
    except MetadataError:
        pass
    raise DataError(
        f"component '{name}' is not one of the mixture components {sorted(COMPONENTS)} and "
        "has no pure-component model in the registry (shipped or zoo; 'propkg list')"
    )


@functools.lru_cache(maxsize=4096)
def modelled_component(name_or_cas: str, model_dir: str) -> Component:
    """The :class:`Component` of a compound with a pure model in ``model_dir`` (or its zoo).

    Name, CAS and molar mass come from the model's metadata, InChIKey (the key of the
    UNIFAC group assignments) and SMILES from ``chemicals`` by CAS; ``coolprop`` is empty.
    A model of one of the 20 :data:`COMPONENTS` (found by an alias) returns that component.

    Raises
    ------
    MetadataError
        If no pure model matches (:func:`propkg_contract.registry.find_model`).
    """
    from propkg_contract.metadata import read_metadata
    from propkg_contract.registry import find_model

    meta = read_metadata(find_model(name_or_cas, model_dir=model_dir))
    comp = meta.components[0]
    for known in COMPONENTS.values():
        if known.cas == comp["cas"]:
            return known
    try:
        from chemicals.identifiers import search_chemical

        found = search_chemical(comp["cas"])
        inchikey, smiles = found.InChI_key, found.smiles
    except Exception:  # chemicals raises ValueError for an unknown CAS
        inchikey, smiles = "", ""
    return Component(comp["name"], comp["cas"], float(comp["molar_mass"]), "", inchikey,
                     smiles)
