r"""IDAES's smooth VLE and bubble/dew methods with physically bounded auxiliary temperatures.

IDAES gives the auxiliary temperatures of a state block - the bubble and dew temperatures
(``temperature_bubble``, ``temperature_dew``), the smooth-VLE intermediate ``_t1`` and the
equilibrium temperature ``_teq`` - the *state's* temperature bounds. They are not states:
a liquid at 354 K and 184 kPa (methanol/water, :math:`x_1` = 0.43) has its dew point at
378 K, and a state block whose temperature bounds end at 374 K (the validity domain of the
g^E model) then has no feasible bubble/dew point. IDAES's initialization fails on such
feeds (``InitializationError`` at the bubble/dew step, or at the state block), although
the state itself lies inside its bounds.

The classes here are IDAES's own (:class:`SmoothVLE`, :class:`IdealBubbleDew`,
:class:`LogBubbleDew`, same equations, same scaling) whose auxiliary temperatures keep the
state's lower bound (a triple point or the models' lower end) but get the physical upper
end of a vapour-liquid equilibrium instead of the state's:

.. math:: T_{aux} \le \min_j T_{c,j}

the lowest critical temperature of the components (the ``temperature_crit`` parameter),
where vapour-pressure correlations such as Ambrose-Walton's :math:`(1 - T/T_c)^{1.5}` end
(IDAES starts its bubble/dew iteration at :math:`\min_j T_{c,j} - 1` for the same reason).
Where such a temperature leaves a model's validity domain the models extrapolate smoothly
and :func:`idaes_plugin.check_domain` reports it after the solve.

References
----------
Burgard, A. P. et al. Proc. FOCAPO/CPC (2018), smooth VLE formulation (PSE paper Eqns 13-14)
as implemented in ``idaes/models/properties/modular_properties/phase_equil/smooth_VLE.py``.
"""

from __future__ import annotations

from idaes.models.properties.modular_properties.phase_equil import SmoothVLE
from idaes.models.properties.modular_properties.phase_equil.bubble_dew import (
    IdealBubbleDew,
    LogBubbleDew,
)


def lowest_critical_temperature(b) -> float | None:
    """:math:`\\min_j T_{c,j}` [K] of the components of state block ``b`` (None if unknown)."""
    from pyomo.environ import units as pyunits
    from pyomo.environ import value

    values = []
    for j in b.component_list:
        tc = getattr(b.params.get_component(j), "temperature_crit", None)
        if tc is None:
            return None
        values.append(value(pyunits.convert(tc, to_units=pyunits.K)))
    return min(values) if values else None


def release_temperature_bounds(b, var) -> None:
    """Upper bound of every element of an auxiliary temperature ``Var``: the lowest T_c."""
    upper = lowest_critical_temperature(b)
    for element in var.values():
        element.setub(upper)


class PhysicalSmoothVLE(SmoothVLE):
    """IDAES's :class:`SmoothVLE` with ``_teq`` and ``_t1`` bounded above by the lowest T_c."""

    @staticmethod
    def phase_equil(b, phase_pair):
        SmoothVLE.phase_equil(b, phase_pair)
        suffix = "_" + phase_pair[0] + "_" + phase_pair[1]
        b._teq[phase_pair].setub(lowest_critical_temperature(b))
        t1 = b.component("_t1" + suffix)
        if t1 is not None:
            release_temperature_bounds(b, t1)


class PhysicalIdealBubbleDew(IdealBubbleDew):
    """IDAES's :class:`IdealBubbleDew` (Raoult) with physically bounded bubble/dew T."""

    @staticmethod
    def temperature_bubble(b):
        release_temperature_bounds(b, b.temperature_bubble)
        IdealBubbleDew.temperature_bubble(b)

    @staticmethod
    def temperature_dew(b):
        release_temperature_bounds(b, b.temperature_dew)
        IdealBubbleDew.temperature_dew(b)


class PhysicalLogBubbleDew(LogBubbleDew):
    """IDAES's :class:`LogBubbleDew` (any EoS) with physically bounded bubble/dew T."""

    @staticmethod
    def temperature_bubble(b):
        release_temperature_bounds(b, b.temperature_bubble)
        LogBubbleDew.temperature_bubble(b)

    @staticmethod
    def temperature_dew(b):
        release_temperature_bounds(b, b.temperature_dew)
        LogBubbleDew.temperature_dew(b)
