"""A complete IDAES VLE property package from shipped propkg models, in one call.

``GenericParameterBlock(**vle_config(["benzene", "toluene"]))`` builds the analogue of
IDAES's ``BT_ideal`` example (FTPx state, ideal gas, Raoult liquid, smooth VLE,
ideal bubble/dew) with every pure-component property taken from the ONNX models:
vapour pressure, liquid density, ideal-gas cp, enthalpy and entropy, and the liquid
enthalpy and entropy derived from them (see :mod:`idaes_plugin.pure_methods`).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence

import idaes.logger as idaeslog
from pyomo.environ import units as pyunits

from idaes_plugin.config_tools import check_reference_state, checked_components
from idaes_plugin.held_out import warn_if_poor_psat
from idaes_plugin.ideal_eos import IdealConsistentCp
from idaes_plugin.onnx_import import load_model
from idaes_plugin.pure_methods import MODEL_KEY, OnnxPure
from idaes_plugin.state_definition import FTPxChecked
from idaes_plugin.transport import add_transport
from propkg_contract.errors import PropkgError
from propkg_contract.registry import resolve_model_path

_log = idaeslog.getLogger(__name__)

#: Pure-component properties configured when the model provides what they need.
_METHOD_NEEDS = {
    "pressure_sat_comp": ("pressure_sat_comp",),
    "dens_mol_liq_comp": ("dens_mol_liq_comp",),
    "cp_mol_ig_comp": ("enth_mol_ig_comp",),
    "enth_mol_ig_comp": ("enth_mol_ig_comp",),
    "entr_mol_ig_comp": ("entr_mol_ig_comp",),
    "enth_mol_liq_comp": ("enth_mol_ig_comp", "pressure_sat_comp"),
    "cp_mol_liq_comp": ("enth_mol_ig_comp", "pressure_sat_comp"),
    "entr_mol_liq_comp": ("entr_mol_ig_comp", "pressure_sat_comp"),
}
_CONSTANT_UNITS = {
    "enth_mol_form_vap_comp_ref": pyunits.J / pyunits.mol,
    "enth_mol_form_liq_comp_ref": pyunits.J / pyunits.mol,
    "entr_mol_form_vap_comp_ref": pyunits.J / pyunits.mol / pyunits.K,
    "entr_mol_form_liq_comp_ref": pyunits.J / pyunits.mol / pyunits.K,
    "pressure_crit": pyunits.Pa,
    "temperature_crit": pyunits.K,
}

#: Short names of metadata ``constants`` accepted for the IDAES parameter names.
_CONSTANT_ALIASES = {"Tc": "temperature_crit", "Pc": "pressure_crit"}


def _elemental_composition(cas: str, constants: dict) -> dict[str, int] | None:
    """Element counts of a component (IDAES needs them for internal energies).

    From ``constants["formula"]`` of the metadata if present, else from ``chemicals``'
    database by CAS number; None if neither knows it.
    """
    try:
        from chemicals.elements import simple_formula_parser
        from chemicals.identifiers import search_chemical
    except ImportError:  # optional: only the internal energy needs it
        return None
    try:
        formula = constants.get("formula") or search_chemical(cas).formula
        return {k: int(v) for k, v in simple_formula_parser(formula).items()}
    except Exception:  # unknown CAS or unparsable formula
        return None


def _component_entry(
    source: str | os.PathLike,
) -> tuple[str, dict, float | None, dict, float | None]:
    """``(name, IDAES component entry, triple point [K] or None, scaling factors, lowest
    temperature [K] of the measured liquid data the model was fitted to, or None)``."""
    from idaes.core import Component
    from idaes.models.properties.modular_properties.phase_equil.forms import fugacity

    path = resolve_model_path(source)
    model = load_model(path)
    meta = model.metadata
    if meta.kind != "pure_component" or len(meta.components) != 1:
        raise PropkgError(
            f"'{source}' ({path}) is a {meta.kind} model of {meta.component_names}; "
            "vle_config needs one pure-component model per component"
        )
    comp = meta.components[0]
    if not meta.fitted_to_data("pressure_sat_comp"):
        _log.warning(
            f"vle_config: the vapour pressure of '{comp['name']}' ({path.name}) is its "
            "Ambrose-Walton backbone alone (no vapour-pressure data were fitted; the file "
            "was fitted to liquid densities): phase equilibria with it are estimates")
    warn_if_poor_psat(meta, path)
    data = {MODEL_KEY: str(path), "mw": (comp["molar_mass"], pyunits.kg / pyunits.mol)}
    for key, value in meta.raw.get("constants", {}).items():
        key = _CONSTANT_ALIASES.get(key, key)
        if key in _CONSTANT_UNITS and isinstance(value, int | float):
            data[key] = (float(value), _CONSTANT_UNITS[key])
    if "temperature_crit" not in data:
        # IDAES's bubble/dew initialisation starts its Newton iteration at min(T_c) - 1:
        # without a critical temperature in the metadata, start at the domain's upper end.
        data["temperature_crit"] = (model.domain_of("temperature")[1] + 1.0, pyunits.K)
    composition = _elemental_composition(comp["cas"], meta.raw.get("constants", {}))
    if composition:
        entry_extra = {"elemental_composition": composition}
    else:
        entry_extra = {}
    entry = {"type": Component, **entry_extra, "parameter_data": data,
             "phase_equilibrium_form": {("Vap", "Liq"): fugacity}}  # fmt: skip
    for prop, needs in _METHOD_NEEDS.items():
        if all(n in model.output_names for n in needs):
            entry[prop] = OnnxPure
    for needed in ("pressure_sat_comp", "enth_mol_ig_comp"):
        if needed not in entry:
            raise PropkgError(
                f"model {path} has no '{needed}' output; a VLE package needs it "
                f"(outputs: {list(model.output_names)})"
            )
    scaling = {name: spec["scaling_factor"] for name, spec in meta.outputs.items()
               if "scaling_factor" in spec}  # fmt: skip
    t_triple = meta.raw.get("constants", {}).get("Ttriple")
    t_low = float(t_triple) if isinstance(t_triple, int | float) else None
    measured = str((meta.training_data or {}).get("kind", "")).startswith("measured")
    data_low = float(meta.domain["temperature"][0]) if measured else None
    return comp["name"], entry, t_low, scaling, data_low


#: default upper temperature bound [K]: hot enough for any compressor outlet or fired
#: heater of a light-chemicals flowsheet, below where the ideal-gas polynomials are
#: extrapolated far (the shipped ideal-gas models are trained to 1500 K)
T_UPPER_DEFAULT = 1000.0
#: The default lower temperature bound is the highest triple point of the components (below
#: it the heaviest component would freeze). IDAES's bubble and dew temperatures share the
#: state's bounds, so a mixture with a light gas needs a lower one, chosen by the user:
#: a water/CO2 flash at 10 bar reaches a bubble-point guess of 197 K while it initializes
#: and works with ``temperature_bounds=(150, 300, 1000)``. Measured too: IDAES's
#: isentropic-compressor initialization of methanol/water succeeds or fails depending on
#: the lower bound (ok at 273 K and 88 K, not at 132 K or 176 K), because the isentropic
#: state's bubble and dew temperatures are left uninitialized and start at the bound.
#: a model fitted to measured liquid data more than this below its triple point [K] gives
#: the default lower bound the data's lowest temperature instead, with a warning
TRIPLE_POINT_MARGIN = 0.5
#: triple point assumed [K] when no component gives one
T_LOWER_DEFAULT = 200.0
#: default pressure bounds [Pa]: 1 kPa (deep vacuum column) to 50 bar
PRESSURE_BOUNDS_DEFAULT = (1e3, 1e5, 5e6)


def _check_bounds(name: str, bounds) -> tuple[float, float, float]:
    """``bounds`` as (lower, nominal, upper) floats, 0 < lower < nominal < upper."""
    try:
        lo, nominal, hi = (float(v) for v in bounds)
    except (TypeError, ValueError):
        raise BoundsError(
            f"vle_config: {name} must be (lower, nominal, upper) numbers, got {bounds!r}"
        ) from None
    if not (0.0 < lo < nominal < hi) or not all(map(math.isfinite, (lo, nominal, hi))):
        raise BoundsError(
            f"vle_config: {name} = {bounds!r} must satisfy 0 < lower < nominal < upper "
            "(finite numbers in SI units: K, Pa, mol/s)"
        )
    return lo, nominal, hi


def _check_flow_bounds(bounds) -> tuple[float, float, float]:
    try:
        lo, nominal, hi = (float(v) for v in bounds)
    except (TypeError, ValueError):
        raise BoundsError(
            f"vle_config: flow_bounds must be (lower, nominal, upper) numbers, got {bounds!r}"
        ) from None
    if not (0.0 <= lo < nominal < hi):
        raise BoundsError(
            f"vle_config: flow_bounds = {bounds!r} must satisfy 0 <= lower < nominal < upper"
        )
    return lo, nominal, hi


class BoundsError(PropkgError, ValueError):
    """State bounds given to :func:`vle_config` that are not 0 < lower < nominal < upper."""


def vle_config(
    components: Sequence[str | os.PathLike],
    activity_model=None,
    *,
    binary_models: Sequence[str | os.PathLike] | None = None,
    mixture_model: str | os.PathLike | None = None,
    temperature_bounds: tuple[float, float, float] | None = None,
    pressure_bounds: tuple[float, float, float] = PRESSURE_BOUNDS_DEFAULT,
    flow_bounds: tuple[float, float, float] = (0.0, 100.0, 1000.0),
    temperature_ref: float = 298.15,
    pressure_ref: float = 101325.0,
    transport: bool | None = None,
    vapor_model: str = "ideal",
    phase_equilibrium: str = "smooth",
) -> dict:
    """Configuration dict of a vapour-liquid ``GenericParameterBlock`` from propkg models.

    Parameters
    ----------
    components : sequence of str or path
        Shipped model names, aliases or CAS numbers (case-insensitive), or ``.onnx`` paths.
        Components are named as in the models' metadata (e.g. ``"benzene"``).
    activity_model : optional
        None: ideal liquid (Raoult's law, ``IdealBubbleDew``). Otherwise passed to
        ``idaes_plugin.activity.liquid_phase_config`` (the g^E models of the mixtures work:
        ``"hybrid"``, ``"unifac"``, ``"nrtl"``) and bubble/dew points use ``LogBubbleDew``.
        Any number of components: two use a binary g^E file, three or more a
        multicomponent one (``propkg mixture A B C -o MIX.onnx``).
    binary_models : sequence of path, optional
        Two components: the binary g^E file to use instead of the shipped one.
    mixture_model : path, optional
        Three or more components: the multicomponent g^E file (default: a shipped one).
    temperature_bounds : (lower, nominal, upper), optional
        State bounds of the temperature [K]. Default: from the highest triple point of the
        components (``Ttriple`` of the metadata; 200 K if none gives one; for a model fitted
        to measured liquid data below its triple point, the lowest temperature of those
        data, with a warning) to
        :data:`T_UPPER_DEFAULT` = 1000 K, nominal 300 K. Bubble and dew temperatures share
        these bounds: with a light gas (CO2, ethylene) give a lower bound below the
        mixture's bubble point, e.g. ``(150, 300, 1000)``. These are
        physical bounds, not the models' fitted ranges: the models continue smoothly
        outside their validity domains (supercritical components included), and
        :func:`idaes_plugin.check_domain` reports states that rely on it.
    pressure_bounds, flow_bounds : (lower, nominal, upper)
        State bounds in [Pa] (default 1 kPa to 50 bar, nominal 1 bar) and [mol/s].
    temperature_ref, pressure_ref : float
        Reference state of the package [K], [Pa].
    transport : bool or None
        Transport properties (``visc_d_phase``, ``therm_cond_phase``, ``surf_tens_phase``)
        from the components' transport models (:func:`idaes_plugin.transport.add_transport`):
        None (default) when every component has one, True to require them, False never.
    vapor_model : {"ideal", "virial"}
        ``"ideal"`` (default): ideal gas. ``"virial"``: truncated virial equation with the
        models' hybrid second virial coefficients, the liquid's fugacity with the
        saturated vapour's fugacity coefficient and the Poynting factor, and bubble/dew
        points by ``LogBubbleDew`` (see :mod:`idaes_plugin.virial`); every model file must
        have the ``second_virial_coef_comp`` output.
    phase_equilibrium : {"smooth", "complementarity"}
        ``"smooth"`` (default): :class:`idaes_plugin.phase_equilibrium.BracketedSmoothVLE`
        (IDAES's smooth VLE kept between the bubble and dew points; within ~10-30 mK of the
        lines the vapour fraction is smoothed). ``"complementarity"``:
        :class:`idaes_plugin.phase_equilibrium.ComplementarityVLE` (Dabadghao et al. 2022;
        exact near the lines and at azeotropes, but a unit whose outlet must cross from one
        phase to two during IDAES's initialization can fail, e.g. a Heater from a subcooled
        liquid: initialize such units with
        :class:`idaes_plugin.complementarity_init.ComplementarityInitializer`).

    Returns
    -------
    dict
        For ``GenericParameterBlock(**config)``. The metadata scaling factors are under
        ``config["default_scaling_factors"]``, keyed ``(property, component)``.

    Raises
    ------
    MetadataError
        An unknown component (the message lists the shipped models).
    BoundsError
        Bounds that are not positive with lower < nominal < upper (names the argument).
    PropkgError
        If the activity model support is not available, or an unknown ``vapor_model`` or
        ``phase_equilibrium``.
    VirialModelError
        ``vapor_model="virial"`` with a model file without a second virial coefficient.
    """
    from idaes.core import LiquidPhase

    from idaes_plugin.phase_equilibrium import (
        AUX_LOWER_KEY,
        AuxiliaryIdealBubbleDew,
        AuxiliaryLogBubbleDew,
        BracketedSmoothVLE,
        ComplementarityVLE,
    )

    forms = {"smooth": BracketedSmoothVLE, "complementarity": ComplementarityVLE}
    if phase_equilibrium not in forms:
        raise PropkgError(
            f"phase_equilibrium={phase_equilibrium!r} is not known; use one of {sorted(forms)}"
        )

    components = checked_components(components)
    check_reference_state(temperature_ref, pressure_ref)
    pressure_bounds = _check_bounds("pressure_bounds", pressure_bounds)
    flow_bounds = _check_flow_bounds(flow_bounds)
    if temperature_bounds is not None:
        temperature_bounds = _check_bounds("temperature_bounds", temperature_bounds)
    entries, triples, scaling, measured_low = {}, [], {}, {}
    for source in components:
        name, entry, t_triple, sf, data_low = _component_entry(source)
        if name in entries:
            raise PropkgError(f"component '{name}' is given twice in {list(components)}")
        entries[name] = entry
        if t_triple is not None:
            if data_low is not None and data_low < t_triple - TRIPLE_POINT_MARGIN:
                # fitted to liquid data below the metadata's triple point: the package
                # covers the data (supercooled liquid, validation/reports/triple_points.md)
                measured_low[name] = (t_triple, data_low)
                t_triple = data_low
            triples.append(t_triple)
        scaling.update({(prop, name): value for prop, value in sf.items()})
    if activity_model is None:
        liquid = {"type": LiquidPhase, "equation_of_state": IdealConsistentCp}
        bubble_dew = AuxiliaryIdealBubbleDew
    else:
        try:
            from idaes_plugin.activity import liquid_phase_config
        except ImportError as exc:
            raise PropkgError(
                f"activity model {activity_model!r} requested, but idaes_plugin.activity is "
                f"not available in this installation ({exc})"
            ) from None
        liquid = liquid_phase_config(list(entries), activity_model, binary_models, mixture_model)
        # IdealBubbleDew is Raoult's law, blind to the liquid's EoS; an activity model
        # needs the bubble/dew method that asks the EoS for its fugacities.
        bubble_dew = AuxiliaryLogBubbleDew
    from idaes_plugin.virial import phase_configs

    liquid, vapour, non_ideal = phase_configs(
        vapor_model, {n: e["parameter_data"][MODEL_KEY] for n, e in entries.items()}, liquid
    )
    if non_ideal:
        bubble_dew = AuxiliaryLogBubbleDew
    if temperature_bounds is None:
        t_lo = max(triples, default=T_LOWER_DEFAULT)
        temperature_bounds = _check_bounds(
            "temperature_bounds (from the triple points)",
            (t_lo, min(max(300.0, t_lo + 1.0), T_UPPER_DEFAULT - 1.0), T_UPPER_DEFAULT),
        )
        for name, (t_triple, data_low) in measured_low.items():
            _log.warning(
                f"vle_config: the triple point of '{name}' in its model's metadata, "
                f"{t_triple:.2f} K, lies above the lowest temperature of the measured liquid "
                f"data the model was fitted to, {data_low:.2f} K; the package's lower "
                f"temperature bound ({t_lo:.2f} K) takes {data_low:.2f} K for this "
                "component, so the model can be used where it was fitted. Below a true "
                "triple point those "
                "states are supercooled liquid (the measured vapour pressures below "
                "chemicals' melting points follow the liquid's Clausius-Clapeyron slope, "
                "validation/reports/triple_points.md); pass "
                "temperature_bounds=(lower, nominal, upper) [K] to choose the range")
    config = {
        "components": entries,
        "phases": {
            "Liq": liquid,
            "Vap": vapour,
        },
        "base_units": {
            "time": pyunits.s,
            "length": pyunits.m,
            "mass": pyunits.kg,
            "amount": pyunits.mol,
            "temperature": pyunits.K,
        },
        "state_definition": FTPxChecked,
        "state_bounds": {
            "flow_mol": (*flow_bounds, pyunits.mol / pyunits.s),
            "temperature": (*temperature_bounds, pyunits.K),
            "pressure": (*pressure_bounds, pyunits.Pa),
        },
        "pressure_ref": (pressure_ref, pyunits.Pa),
        "temperature_ref": (temperature_ref, pyunits.K),
        "phases_in_equilibrium": [("Vap", "Liq")],
        "phase_equilibrium_state": {("Vap", "Liq"): forms[phase_equilibrium]},
        "bubble_dew_method": bubble_dew,
        # bubble/dew and smooth-VLE temperatures may lie below the state's lower bound
        # (the highest triple point): see idaes_plugin.phase_equilibrium
        "parameter_data": {AUX_LOWER_KEY: min(triples, default=temperature_bounds[0])},
    }
    if scaling:
        config["default_scaling_factors"] = scaling
    add_transport(config, transport)
    return config
