r"""Phase-equilibrium forms and bubble/dew methods for propkg's IDAES packages.

Two forms of the vapour-liquid equilibrium temperature, both with vapour fractions in [0, 1]
at every solution (so the state definition can leave the computed phase variables
unbounded, :mod:`idaes_plugin.state_definition`): :class:`BracketedSmoothVLE` (the default
of :func:`idaes_plugin.vle_config`; IDAES's smooth VLE, Burgard et al. 2018, kept between
the bubble and dew points) and :class:`ComplementarityVLE` (``phase_equilibrium=
"complementarity"``; Dabadghao et al. 2022).

Their auxiliary temperatures reach below the state's lower bound:

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
Dabadghao, V. et al. AIChE J. (2022), doi:10.1002/aic.18029, complementarity VLE, as in
IDAES's ``smooth_VLE_2.py`` (for cubic equations of state).
"""

from __future__ import annotations

from idaes.models.properties.modular_properties.phase_equil import SmoothVLE
from idaes.models.properties.modular_properties.phase_equil.bubble_dew import (
    IdealBubbleDew,
    LogBubbleDew,
)
from pyomo.environ import Constraint

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


def bracketed_smooth_min(a, b, eps):
    r"""Smooth :math:`\min(a, b)` that stays in :math:`[0, \min(a, b)]` for :math:`a, b \ge 0`.

    .. math::

        m(a, b) = \tfrac12\left(a + b - \sqrt{(a - b)^2
                  + \frac{4ab\,\epsilon^2}{\epsilon^2 + 2a^2 + 2b^2}}\right)

    IDAES's ``smooth_min`` has :math:`\epsilon^2` in place of the fraction, so
    :math:`m(a, 0) = \tfrac12(a - \sqrt{a^2 + \epsilon^2}) < 0`. Here the fraction lies in
    :math:`[0, 4ab]` for :math:`a, b \ge 0`, so the root is at most :math:`a + b` and
    :math:`m \ge 0`; :math:`m(a, 0) = 0` exactly; where :math:`a = b \gg \epsilon` the
    fraction tends to :math:`\epsilon^2` (IDAES's smoothing). For :math:`ab < 0` (iterates)
    the fraction is above :math:`-4|ab|`, so the root's argument is
    :math:`\ge (|a| - |b|)^2 \ge 0` (zero only at :math:`a = b = 0`); everywhere
    :math:`|m - \min(a, b)| \le \epsilon / 2`.
    """
    # the same root's argument as one fraction of non-negative terms, so that interval
    # arithmetic (Pyomo's bound propagation, IDAES's diagnostics) sees it is >= 0:
    # (a-b)^2 + 4ab e^2/D = (2(a^2+b^2)(a-b)^2 + e^2 (a+b)^2) / D, D = e^2 + 2a^2 + 2b^2
    squares = 2 * (a**2 + b**2)
    root = ((squares * (a - b) ** 2 + eps**2 * (a + b) ** 2) / (eps**2 + squares)) ** 0.5
    return 0.5 * (a + b - root)


def quartic_smooth_max(a, b, eps):
    r"""Smooth :math:`\max(a, b)` whose excess over the max decays as :math:`\epsilon^4/|a-b|^3`.

    .. math:: M(a, b) = \tfrac12\left(a + b + \left((a - b)^4 + \epsilon^4\right)^{1/4}\right)

    IDAES's ``smooth_max`` (square root of :math:`(a-b)^2 + \epsilon^2`) exceeds the max by
    :math:`\epsilon^2 / (4|a - b|)`: with :math:`\epsilon_1` = 0.01 K a liquid 7.45 K below its
    bubble point gets :math:`t_1 - T_{bub}` = 3.4e-6 K, a vapour fraction of 0.0019 where the
    bubble and dew points are 1.8 mK apart (ethanol/water near its azeotrope). Here the excess
    is :math:`\epsilon^4 / (8|a - b|^3)` (3e-12 K there); at :math:`a = b` both give
    :math:`a + \epsilon/2`. Smooth everywhere: the fourth root's argument is
    :math:`\ge \epsilon^4 > 0`.
    """
    return 0.5 * (a + b + ((a - b) ** 4 + eps**4) ** 0.25)


class BracketedSmoothVLE(AuxiliarySmoothVLE):
    r"""IDAES's smooth VLE whose equilibrium temperature never leaves [T_bub, T_dew].

    IDAES's ``SmoothVLE`` (Burgard et al. 2018, eqs. 13-14) computes

    .. math:: t_1 = \mathrm{smax}(T, T_{bub}, \epsilon_1),\qquad
              T_{eq} = \mathrm{smin}(t_1, T_{dew}, \epsilon_2)

    and for a subcooled liquid (:math:`t_1 \approx T_{bub}`) with a bubble-dew gap
    :math:`g = T_{dew} - T_{bub}`, :math:`T_{eq} \approx T_{bub} + \tfrac12(g - \sqrt{g^2 +
    \epsilon_2^2}) < T_{bub}`: where the gap is not much larger than :math:`\epsilon_2`
    (= 5e-4 K; near an azeotrope) :math:`T_{eq}` falls below the bubble point, where the
    phase equilibrium has a negative vapour fraction. With IDAES's bound
    :math:`\beta \ge 0` IPOPT stops at the bound slightly infeasible; without it an
    ethanol/water flash at 373.63 K, 2.938 bar, :math:`z_1` = 0.926 (bubble-dew gap 1.8 mK)
    solved "optimal" at :math:`\beta = -0.019`. This class keeps :math:`t_1` and replaces the
    second step by

    .. math:: T_{eq} = T_{bub} + m(t_1 - T_{bub},\; T_{dew} - T_{bub};\ \epsilon_2)

    with :func:`bracketed_smooth_min`: :math:`t_1 - T_{bub} > 0` always (smooth max), so
    :math:`T_{bub} \le T_{eq} \le T_{dew}` at every solution and the vapour fraction lies in
    [0, 1] by construction - which lets :class:`idaes_plugin.state_definition.FTPxChecked`
    drop IDAES's bounds on the computed phase variables. The first step uses
    :func:`quartic_smooth_max` (same :math:`\epsilon_1`), whose excess over
    :math:`\max(T, T_{bub})` vanishes fast enough that a subcooled liquid's vapour fraction is
    ~0 also where the bubble-dew gap is a few mK. Away from the bracket's ends both are
    IDAES's values. Same variables, parameters (``eps_1``, ``eps_2``), constraint names and
    scaling as IDAES's.
    """

    @staticmethod
    def phase_equil(b, phase_pair):
        AuxiliarySmoothVLE.phase_equil(b, phase_pair)
        suffix = "_" + phase_pair[0] + "_" + phase_pair[1]
        t1 = b.component("_t1" + suffix)
        eps_2 = b.component("eps_2" + suffix)
        if t1 is None or eps_2 is None:  # a vapour-only or liquid-only component: IDAES's
            return
        t_bub = b.temperature_bubble[phase_pair]
        t_dew = b.temperature_dew[phase_pair]
        eps_1 = b.component("eps_1" + suffix)
        _replace_constraint(
            b, "_t1_constraint" + suffix, t1 == quartic_smooth_max(b.temperature, t_bub, eps_1)
        )
        _replace_constraint(
            b,
            "_teq_constraint" + suffix,
            b._teq[phase_pair] == t_bub + bracketed_smooth_min(t1 - t_bub, t_dew - t_bub, eps_2),
        )


def _replace_constraint(b, name: str, expr) -> None:
    """Replace IDAES's constraint ``name`` of block ``b`` by one of ``expr`` (same name)."""
    b.del_component(name)
    b.add_component(name, Constraint(expr=expr))


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


class ComplementarityVLE:
    r"""Complementarity phase equilibrium for any equation of state (no smoothing band in T).

    Dabadghao et al. (2022) replace the smooth min/max of the equilibrium temperature by

    .. math::

        T_{eq} = T + s_V - s_L,\qquad
        \mathrm{smin}(s_V, F_V, \epsilon) = 0,\quad \mathrm{smin}(s_L, F_L, \epsilon) = 0

    (IDAES's ``smooth_min``, :math:`\epsilon` in flow units; :math:`s_p` in K counted as
    mol/s per K): a phase that is present (:math:`F_p > 0`) has no slack, one that is
    absent lets :math:`T_{eq}` move to its bubble (:math:`s_V > 0`) or dew point
    (:math:`s_L > 0`). IDAES ships it only for cubic equations of state
    (``CubicComplementarityVLE``, which adds the cubic-root complementarities); an activity
    or ideal liquid with an ideal-gas vapour has no spurious roots, so the two temperature
    complementarities suffice. :math:`\mathrm{smin}(a, b, \epsilon) = 0` holds only for
    :math:`a, b > 0` with :math:`ab = \epsilon^2/4`, so the slacks and phase flows need no
    bounds and the vapour fraction lies in [0, 1] at every solution. The price of the
    smoothing is :math:`T_{eq} - T = \epsilon^2/4\,(1/F_V - 1/F_L)` in a two-phase state
    and a phase flow of :math:`\epsilon^2/(4 s)` for an absent phase :math:`s` kelvin from its
    line (default :math:`\epsilon` = 1e-4 mol/s: 2.5e-9 K mol/s).

    The bubble and dew temperatures are still built (the initial guesses of
    :func:`idaes_plugin.initial_split.refine_two_phase_split` and of the slacks).

    Initialization: IDAES's Heater initializer starts the outlet at the inlet state; from a
    subcooled liquid to a two-phase outlet (the demo's methanol/water heater, 330 K, 20 kW on
    1 mol/s) IPOPT does not get across the complementarity's corner (with any fixed
    epsilon). :class:`idaes_plugin.complementarity_init.ComplementarityInitializer` runs
    IDAES's initializer and, where it fails, a continuation in epsilon that converges it;
    IDAES's own initializers alone do not, so this form is not
    :func:`idaes_plugin.vle_config`'s default.
    """

    #: default smoothing parameter [mol/s]
    eps_default = 1e-4

    @staticmethod
    def phase_equil(b, phase_pair):
        from idaes.core.util.exceptions import ConfigurationError
        from idaes.core.util.math import smooth_min
        from idaes.models.properties.modular_properties.base.utility import (
            identify_VL_component_list,
        )
        from pyomo.environ import Param, Set, Var

        suffix = "_" + phase_pair[0] + "_" + phase_pair[1]
        l_phase, v_phase, _, _, l_only, v_only = identify_VL_component_list(b, phase_pair)
        if l_phase is None or v_phase is None or l_only or v_only:
            raise ConfigurationError(
                f"{b.params.name}: ComplementarityVLE needs a vapour-liquid pair whose "
                f"components are all in both phases; {phase_pair} is not"
            )
        uom = b.params.get_metadata().default_units
        t_units, f_units = uom.TEMPERATURE, uom.AMOUNT / uom.TIME
        # the bubble and dew temperatures: built for the initial guesses
        b.temperature_bubble  # noqa: B018
        b.temperature_dew  # noqa: B018
        phases = Set(initialize=[phase_pair[0], phase_pair[1]])
        b.add_component("_vle_set" + suffix, phases)
        s = Var(phases, initialize=0.0, units=t_units, doc="temperature slack of phase p")
        b.add_component("s" + suffix, s)
        release_lower_bound(b, b._teq)
        b.add_component(
            "_teq_constraint" + suffix,
            Constraint(expr=b._teq[phase_pair] == b.temperature + s[v_phase] - s[l_phase]),
        )
        eps = Param(default=ComplementarityVLE.eps_default, mutable=True, units=f_units)
        b.add_component("eps_t" + suffix, eps)
        b.add_component(
            "temperature_slack_complementarity" + suffix,
            Constraint(
                phases,
                rule=lambda b, p: smooth_min(s[p] * f_units / t_units, b.flow_mol_phase[p], eps)
                == 0,
            ),
        )

    @staticmethod
    def calculate_scaling_factors(b, phase_pair):
        import idaes.core.util.scaling as iscale

        suffix = "_" + phase_pair[0] + "_" + phase_pair[1]
        sf_t = iscale.get_scaling_factor(b.temperature, default=1, warning=True)
        iscale.set_scaling_factor(b._teq[phase_pair], sf_t)
        iscale.constraint_scaling_transform(
            getattr(b, "_teq_constraint" + suffix), sf_t, overwrite=False
        )

    @staticmethod
    def calculate_teq(b, phase_pair):
        """T_eq = clip(T, T_bub, T_dew) and the slacks that give it (the absent phase's
        slack the distance to its line, the present phase's zero). Not IDAES's
        ``CubicComplementarityVLE.calculate_teq``: that one also sets the cubic-root slacks
        and (IDAES 2.13) takes its dew temperature from ``temperature_bubble``."""
        from idaes.models.properties.modular_properties.base.utility import (
            identify_VL_component_list,
        )
        from pyomo.environ import value

        suffix = "_" + phase_pair[0] + "_" + phase_pair[1]
        l_phase, v_phase, *_ = identify_VL_component_list(b, phase_pair)
        T = value(b.temperature)
        t_bub, t_dew = (value(b.temperature_bubble[phase_pair]),
                        value(b.temperature_dew[phase_pair]))  # fmt: skip
        t_eq = min(max(T, t_bub), t_dew)
        b._teq[phase_pair].set_value(t_eq)
        s = getattr(b, "s" + suffix)
        s[v_phase].set_value(max(t_eq - T, 0.0))
        s[l_phase].set_value(max(T - t_eq, 0.0))

    @staticmethod
    def phase_equil_initialization(b, phase_pair):
        suffix = "_" + phase_pair[0] + "_" + phase_pair[1]
        for name in ("_teq_constraint", "temperature_slack_complementarity"):
            getattr(b, name + suffix).activate()
