"""The components of the shipped binary models and where their identifiers come from.

Dortmund (modified) and original UNIFAC group assignments are those of the DDBST that
``thermo`` ships (looked up by InChIKey), NRTL parameters are ChemSep's (``thermo``'s
``IPDB``), reference data are CoolProp's (fluid names below).
"""

from __future__ import annotations

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


def component(name: str) -> Component:
    """Look up a component by propkg name, CAS number or CoolProp name (case-insensitive)."""
    wanted = name.strip().lower()
    for comp in COMPONENTS.values():
        if wanted in (comp.name, comp.cas, comp.coolprop.lower()):
            return comp
    raise DataError(
        f"component '{name}' is not one of the mixture components {sorted(COMPONENTS)}"
    )
