"""Registry of the pure components shipped by propkg and their constants from ``chemicals``.

Every constant (critical temperature and pressure, acentric factor, molar mass, triple
point, critical compressibility, ideal-gas heat-capacity polynomial) is looked up in the
``chemicals`` databases by CAS number; nothing is typed by hand except the names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from propkg_contract.errors import DataError
from propkg_contract.registry import file_safe_name


@dataclass(frozen=True)
class ComponentEntry:
    """Names of one shipped component.

    Attributes
    ----------
    name : str
        File-safe common name (lowercase, underscores), e.g. ``"n_hexane"``.
    query : str
        Name given to :func:`chemicals.identifiers.CAS_from_any`.
    coolprop : str
        CoolProp fluid name.
    aliases : tuple of str
        Further common spellings (matched case-insensitively).
    """

    name: str
    query: str
    coolprop: str
    aliases: tuple[str, ...] = ()


REGISTRY: tuple[ComponentEntry, ...] = (
    ComponentEntry("water", "water", "Water", ("h2o",)),
    ComponentEntry("methanol", "methanol", "Methanol", ("methyl alcohol", "meoh")),
    ComponentEntry("ethanol", "ethanol", "Ethanol", ("ethyl alcohol", "etoh")),
    ComponentEntry("acetone", "acetone", "Acetone", ("propanone", "2-propanone")),
    ComponentEntry("benzene", "benzene", "Benzene", ("c6h6",)),
    ComponentEntry("toluene", "toluene", "Toluene", ("methylbenzene",)),
    ComponentEntry("n_hexane", "n-hexane", "n-Hexane", ("n-hexane", "hexane", "n hexane")),
    ComponentEntry("n_heptane", "n-heptane", "n-Heptane", ("n-heptane", "heptane", "n heptane")),
    ComponentEntry("n_octane", "n-octane", "n-Octane", ("n-octane", "octane", "n octane")),
    ComponentEntry("cyclohexane", "cyclohexane", "CycloHexane", ("c6h12",)),
    ComponentEntry("propane", "propane", "n-Propane", ("n-propane", "c3h8", "r290")),
    ComponentEntry("n_butane", "n-butane", "n-Butane", ("n-butane", "butane", "n butane", "r600")),
    ComponentEntry("isobutane", "isobutane", "IsoButane", ("i-butane", "2-methylpropane", "r600a")),
    ComponentEntry(
        "carbon_dioxide", "carbon dioxide", "CarbonDioxide", ("carbon dioxide", "co2", "r744")
    ),
    ComponentEntry("ammonia", "ammonia", "Ammonia", ("nh3", "r717")),
    ComponentEntry("r134a", "R134a", "R134a", ("r-134a", "hfc-134a", "1,1,1,2-tetrafluoroethane")),
    ComponentEntry("ethylene", "ethylene", "Ethylene", ("ethene", "c2h4")),
    ComponentEntry("propylene", "propylene", "Propylene", ("propene", "c3h6")),
    ComponentEntry("o_xylene", "o-xylene", "o-Xylene", ("o-xylene", "ortho-xylene", "1,2-xylene")),
    ComponentEntry("ethylbenzene", "ethylbenzene", "EthylBenzene", ("ethyl benzene",)),
)


@dataclass(frozen=True)
class PureConstants:
    """Constants of one pure component, SI units.

    Attributes
    ----------
    name, cas, coolprop : str
        propkg name, CAS number, CoolProp fluid name.
    Tc : float
        Critical temperature, [K].
    Pc : float
        Critical pressure, [Pa].
    omega : float
        Acentric factor, [-].
    molar_mass : float
        Molar mass, [kg/mol].
    Ttriple : float
        Triple-point temperature, [K].
    Zc : float
        Critical compressibility, used as the Rackett parameter Z_RA, [-].
    poling : tuple of float
        Coefficients a0..a4 of the Poling ideal-gas polynomial cp/R, [-, 1/K, ...].
    aliases : tuple of str
        Alternative names (lowercase).
    sources : dict
        Constants that did not come from their primary ``chemicals`` table, with the
        fallback used (see :func:`constants_from_chemicals`); empty for shipped fluids.
    """

    name: str
    cas: str
    coolprop: str
    Tc: float
    Pc: float
    omega: float
    molar_mass: float
    Ttriple: float
    Zc: float
    poling: tuple[float, float, float, float, float]
    aliases: tuple[str, ...] = field(default=())
    sources: dict = field(default_factory=dict, compare=False)

    @property
    def T_low(self) -> float:
        """Lower end of the fitted range, max(T_triple, 0.45 Tc), [K]."""
        return max(self.Ttriple, 0.45 * self.Tc)

    @property
    def T_high(self) -> float:
        """Upper end of the fitted liquid and saturation range, 0.98 Tc, [K]."""
        return 0.98 * self.Tc

    def as_dict(self) -> dict:
        """Constants as a JSON-ready dictionary (metadata key ``constants``)."""
        return {
            "Tc": self.Tc,
            "Pc": self.Pc,
            "omega": self.omega,
            "molar_mass": self.molar_mass,
            "Ttriple": self.Ttriple,
            "Zc": self.Zc,
            "rackett_Z_RA": self.Zc,
            "poling_a": list(self.poling),
            "source": "chemicals",
            **({"fallbacks": self.sources} if self.sources else {}),
        }


def names() -> list[str]:
    """propkg names of every registered component, in registry order."""
    return [e.name for e in REGISTRY]


def find_entry(name: str) -> ComponentEntry:
    """Registry entry matching a name, alias or CoolProp name (case-insensitive); else the
    entry of a CoolProp fluid by its CoolProp name or alias (:func:`coolprop_entries`)."""
    wanted = name.strip().lower()
    for entry in REGISTRY:
        keys = {entry.name, entry.query.lower(), entry.coolprop.lower(), *entry.aliases}
        if wanted in keys:
            return entry
    for entry in coolprop_entries():
        if wanted in {entry.coolprop.lower(), *entry.aliases}:
            return entry
    raise DataError(f"unknown component '{name}'; known: {', '.join(names())} and the "
                    "fluids of CoolProp by their CoolProp names (e.g. 'n-Pentane', 'R22')")


def _coolprop_aliases(text: str) -> set[str]:
    """CoolProp's comma-separated alias list, rejoining names that hold commas themselves
    ('TRANS-1-CHLORO-3,3,3-TRIFLUOROPROPENE' is one alias, not three)."""
    parts: list[str] = []
    for token in (t.strip() for t in text.split(",")):
        if parts and token[:1].isdigit() and parts[-1][-1:].isdigit():
            parts[-1] += "," + token
        elif token:
            parts.append(token)
    return {a.lower() for a in parts}


@cache
def coolprop_entries() -> tuple[ComponentEntry, ...]:
    """Entries of CoolProp's other fluids (those no registry entry names), matched by their
    CoolProp name or CoolProp's aliases, never by a CAS number: the propkg name is the
    file-safe CoolProp name (``n-Pentane`` -> ``n_pentane``, ``R1233zd(E)`` ->
    ``r1233zd_e``), the constants come from ``chemicals`` by the fluid's CAS number. They
    are what CoolProp-trained models of the model zoo are built from
    (:mod:`propkg.zoo.coolprop_payload`)."""
    import CoolProp.CoolProp as CP

    taken = {e.coolprop.lower() for e in REGISTRY}
    out = []
    for fluid in CP.get_global_param_string("FluidsList").split(","):
        if fluid.lower() in taken:
            continue
        aliases = _coolprop_aliases(CP.get_fluid_param_string(fluid, "aliases"))
        out.append(ComponentEntry(safe_name(fluid), CP.get_fluid_param_string(fluid, "CAS"),
                                  fluid, tuple(sorted(aliases | {safe_name(fluid)}))))
    return tuple(out)


#: a default critical constant off the median of chemicals' other methods by more than this
#: factor is taken as a unit or transcription error of its table (chemicals' IUPAC Tc of
#: phenanthrene is 0.869, in kK, where five other tables give 869-911 K)
CRITICAL_OUTLIER_FACTOR = 2.0


#: chemicals' critical-constant methods that are group-contribution estimates, not data
ESTIMATION_METHODS = frozenset({"JOBACK", "WILSON_JASPERSON"})


def _consistent_critical_constant(key: str, cas: str, default: float) -> tuple[float, str]:
    """``chemicals``' default Tc [K] or Pc [Pa], unless it is off the median of the other
    methods' values (at least three) by more than :data:`CRITICAL_OUTLIER_FACTOR`: then the
    value of the method closest to that median, with a note for ``sources`` and a warning.
    When every value chemicals has is a group-contribution estimate
    (:data:`ESTIMATION_METHODS`: Joback, Wilson-Jasperson; 62 of the shipped zoo compounds,
    phenazine, nicotine, ...), the default with a note saying so.
    """
    import statistics
    import warnings

    from chemicals import critical

    lookup, methods = getattr(critical, key), getattr(critical, f"{key}_methods")
    found = {m: lookup(cas, method=m) for m in methods(cas)}
    if found and set(found) <= ESTIMATION_METHODS:
        return default, (f"group-contribution estimate ({', '.join(found)}): chemicals has no "
                         f"measured or evaluated {key}")
    others = {m: v for m, v in found.items() if v and v != default}
    if len(others) < 3:
        return default, ""
    median = statistics.median(others.values())
    if max(default / median, median / default) <= CRITICAL_OUTLIER_FACTOR:
        return default, ""
    method = min(others, key=lambda m: abs(others[m] - median))
    note = (f"chemicals {method} ({others[method]:g}): the default table's {default:g} is off "
            f"the median {median:g} of {len(others)} other tables by more than a factor "
            f"{CRITICAL_OUTLIER_FACTOR:g}")
    warnings.warn(f"{key} of CAS {cas}: {note}", stacklevel=3)
    return float(others[method]), note


def omega_lee_kesler(Tb: float, Tc: float, Pc: float) -> tuple[float, str]:
    """Acentric factor estimated from the normal boiling point, and the note for ``sources``.

    Lee and Kesler, AIChE J. 21 (1975) 510, with theta = Tb/Tc and Pc in atm::

        omega = (-ln(Pc/1 atm) - 5.92714 + 6.09648/theta + 1.28862 ln(theta)
                 - 0.169347 theta**6)
                / (15.2518 - 15.6875/theta - 13.4721 ln(theta) + 0.43577 theta**6)

    (:func:`chemicals.acentric.LK_omega`). With chemicals' Tb, Tc and Pc it reproduces
    chemicals' omega of ethanol, benzene, n-hexane, acetone, water and seven others to 0.002
    (median; water 0.023); with estimated critical constants it is as good as they are.
    """
    from chemicals.acentric import LK_omega

    value = float(LK_omega(Tb, Tc, Pc))
    return value, (f"Lee-Kesler from chemicals' Tb = {Tb:g} K, Tc = {Tc:g} K, Pc = {Pc:g} Pa "
                   "(chemicals has no omega)")


@cache
def constants_from_chemicals(query: str) -> dict:
    """Look up Tc, Pc, omega, MW, Tt, Zc and the ideal-gas cp polynomial of a chemical.

    Tc and Pc are required, and omega or else the normal boiling point (omega then from
    Lee-Kesler, :func:`omega_lee_kesler`); a Tc or Pc of chemicals' default table that is off its
    other tables by more than a factor 2 is replaced (:func:`_consistent_critical_constant`).
    The others fall back, with the fallback recorded in
    ``values["sources"]``: the triple point to the melting point (else 0 K, so the
    fitted range starts at 0.45 Tc); Zc to Pc Vc/(R Tc), else the Yamada-Gunn estimate
    Z_RA = 0.29056 - 0.08775 omega; the Poling cp polynomial as described in
    :mod:`propkg.ideal_gas_backbone`.

    Parameters
    ----------
    query : str
        Any identifier :func:`chemicals.identifiers.CAS_from_any` understands.
    """
    from chemicals import MW, CAS_from_any, Pc, Tb, Tc, Tm, Tt, Vc, Zc, omega
    from scipy.constants import R

    from propkg.ideal_gas_backbone import ideal_gas_coefficients

    cas = CAS_from_any(query)
    values = {"cas": cas, "Tc": Tc(cas), "Pc": Pc(cas), "omega": omega(cas)}
    missing = [k for k, v in values.items() if v is None]
    if missing == ["omega"] and Tb(cas) is not None:
        missing = []  # estimated below from Tb, once Tc and Pc are checked
    if missing:
        raise DataError(
            f"chemicals has no {missing} for '{query}' (CAS {cas}); propkg needs Tc, Pc and "
            "omega (or the normal boiling point to estimate omega)"
        )
    sources = {}
    for key in ("Tc", "Pc"):
        values[key], note = _consistent_critical_constant(key, cas, values[key])
        if note:
            sources[key] = note
    if values["omega"] is None:
        values["omega"], sources["omega"] = omega_lee_kesler(Tb(cas), values["Tc"], values["Pc"])
    values["Zc"] = Zc(cas)
    if values["Zc"] is None:
        vc = Vc(cas)
        if vc is not None:
            values["Zc"] = values["Pc"] * vc / (R * values["Tc"])
            sources["Zc"] = "Pc Vc/(R Tc) from chemicals' Vc"
        else:
            values["Zc"] = 0.29056 - 0.08775 * values["omega"]
            sources["Zc"] = "Yamada-Gunn Z_RA = 0.29056 - 0.08775 omega"
    values["Ttriple"] = Tt(cas)
    if values["Ttriple"] is None:
        values["Ttriple"] = Tm(cas)
        sources["Ttriple"] = "melting point (chemicals Tm)"
        if values["Ttriple"] is None:
            values["Ttriple"] = 0.0
            sources["Ttriple"] = "unknown; fitted range starts at 0.45 Tc"
    mw = MW(cas)
    values["molar_mass"] = None if mw is None else mw / 1000.0
    if values["molar_mass"] is None:
        raise DataError(f"chemicals has no molar mass for '{query}' (CAS {cas})")
    values["poling"], record = ideal_gas_coefficients(cas)
    if record["name"] != "Poling":
        sources["ideal_gas"] = record
    values["sources"] = sources
    return values


def _pure_constants(name: str, coolprop: str, v: dict, aliases=()) -> PureConstants:
    """:class:`PureConstants` from the values of :func:`constants_from_chemicals`."""
    return PureConstants(
        name=name,
        cas=v["cas"],
        coolprop=coolprop,
        Tc=float(v["Tc"]),
        Pc=float(v["Pc"]),
        omega=float(v["omega"]),
        molar_mass=float(v["molar_mass"]),
        Ttriple=float(v["Ttriple"]),
        Zc=float(v["Zc"]),
        poling=v["poling"],
        aliases=aliases,
        sources=v.get("sources", {}),
    )


def get_constants(name: str) -> PureConstants:
    """Constants of a registered component (by name, alias or CoolProp name)."""
    entry = find_entry(name)
    v = constants_from_chemicals(entry.query)
    return _pure_constants(entry.name, entry.coolprop, v, entry.aliases)


def safe_name(text: str) -> str:
    """File-safe lowercase name: spaces, hyphens and commas become underscores
    (:func:`propkg_contract.registry.file_safe_name`)."""
    return file_safe_name(text)


def constants_for(name: str) -> PureConstants:
    """Constants of a registered component, or of any chemical ``chemicals`` knows.

    Unregistered chemicals get ``coolprop = ""`` and their name made file-safe.
    """
    try:
        return get_constants(name)
    except DataError:
        pass
    try:
        v = constants_from_chemicals(name)
    except DataError:
        raise
    except Exception as exc:  # chemicals raises ValueError for unknown names
        raise DataError(f"component '{name}' is unknown to propkg and chemicals: {exc}") from None
    if re.fullmatch(r"\d{2,7}-\d\d-\d", name.strip()):  # a CAS number: use chemicals' name
        from chemicals.identifiers import search_chemical

        name = search_chemical(v["cas"]).common_name or name
    return _pure_constants(safe_name(name), "", v)
