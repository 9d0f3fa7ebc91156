r"""IDAES's smooth VLE and bubble/dew methods whose auxiliary temperatures reach below the state.

IDAES gives the auxiliary temperatures of a state block - the bubble and dew temperatures
(``temperature_bubble``, ``temperature_dew``), the smooth-VLE intermediate ``_t1`` and the
equilibrium temperature ``_teq`` - the *state's* temperature bounds. They are not states.
:func:`idaes_plugin.vle_config` starts the state temperatures at the highest triple point
of the components (below it the heaviest would freeze), but a mixture's bubble or dew point
at a low pressure can lie below it: acetone/water with :math:`z_1` = 0.12 at 4.1 kPa is two
phases at 275.2 K and its bubble point is 262 K, under water's 273.16 K. With the state's
bounds the bubble-point equations of such a feed have no feasible solution, IPOPT stops at
a wrong bubble point, and IDAES's initialization of the state block fails; a superheated
vapour's dew point (:math:`T_{eq} = T_{dew}`) can lie below the bound in the same way.

The classes here are IDAES's own (:class:`SmoothVLE`, :class:`IdealBubbleDew`,
:class:`LogBubbleDew`: same equations, same scaling) whose auxiliary temperatures keep the
state's upper bound but get the lower bound

.. math:: T_{aux} \ge \min_j T_{triple,j}

the lowest triple point of the components, given by :func:`idaes_plugin.vle_config` as the
global parameter ``temperature_auxiliary_lower`` (``parameter_data`` of the
``GenericParameterBlock``; the state's lower bound if absent). Where such a temperature
leaves a model's validity domain the models continue smoothly and
:func:`idaes_plugin.check_domain` reports it after the solve.

References
----------
Burgard, A. P. et al. Proc. FOCAPO/CPC (2018), smooth VLE formulation, as implemented in
``idaes/models/properties/modular_properties/phase_equil/smooth_VLE.py``.
"""

from __future__ import annotations

from idaes.models.properties.modular_properties.phase_equil import SmoothVLE
from idaes.models.properties.modular_properties.phase_equil.bubble_dew import (
    IdealBubbleDew,
    LogBubbleDew,
)

#: key of ``GenericParameterBlock``'s ``parameter_data``: the auxiliary temperatures'
#: lower bound [K]
AUX_LOWER_KEY = "temperature_auxiliary_lower"


def auxiliary_lower_bound(b) -> float | None:
    """Lower bound [K] of the auxiliary temperatures of state block ``b``.

    ``parameter_data["temperature_auxiliary_lower"]`` of the parameter block if given and
    below the state's lower bound, else the state's lower bound.
    """
    state_lb = b.temperature.lb
    given = b.params.config.parameter_data.get(AUX_LOWER_KEY)
    if given is None:
        return state_lb
    return float(given) if state_lb is None else min(float(given), state_lb)


def _start_value(b) -> float | None:
    """The state's temperature [K], or the nominal of its bounds while it has no value."""
    if b.temperature.value is not None:
        return b.temperature.value
    bounds = (b.params.config.state_bounds or {}).get("temperature")
    return None if bounds is None else float(bounds[1])


def release_lower_bound(b, var) -> None:
    """Lower bound of every element of an auxiliary temperature ``Var``; elements without a
    value start at the state's temperature (or its nominal value).

    A computed state (an outlet) has no temperature until it is estimated
    (:mod:`idaes_plugin.state_definition`); auxiliary temperatures that no initializer
    touches (e.g. of a compressor's isentropic state) would otherwise start at their lower
    bound, far from the solution.
    """
    lower, start = auxiliary_lower_bound(b), _start_value(b)
    for element in var.values():
        element.setlb(lower)
        if element.value is None and start is not None:
            element.set_value(start)


class AuxiliarySmoothVLE(SmoothVLE):
    """IDAES's :class:`SmoothVLE` with ``_teq`` and ``_t1`` bounded below by the lowest
    triple point."""

    @staticmethod
    def phase_equil(b, phase_pair):
        SmoothVLE.phase_equil(b, phase_pair)
        release_lower_bound(b, b._teq)
        t1 = b.component("_t1_" + phase_pair[0] + "_" + phase_pair[1])
        if t1 is not None:
            release_lower_bound(b, t1)


class AuxiliaryIdealBubbleDew(IdealBubbleDew):
    """IDAES's :class:`IdealBubbleDew` (Raoult) with the auxiliary lower bound."""

    @staticmethod
    def temperature_bubble(b):
        release_lower_bound(b, b.temperature_bubble)
        IdealBubbleDew.temperature_bubble(b)

    @staticmethod
    def temperature_dew(b):
        release_lower_bound(b, b.temperature_dew)
        IdealBubbleDew.temperature_dew(b)


class AuxiliaryLogBubbleDew(LogBubbleDew):
    """IDAES's :class:`LogBubbleDew` (any EoS) with the auxiliary lower bound."""

    @staticmethod
    def temperature_bubble(b):
        release_lower_bound(b, b.temperature_bubble)
        LogBubbleDew.temperature_bubble(b)

    @staticmethod
    def temperature_dew(b):
        release_lower_bound(b, b.temperature_dew)
        LogBubbleDew.temperature_dew(b)
