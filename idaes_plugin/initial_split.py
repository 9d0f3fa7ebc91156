r"""A two-phase state block's first vapour/liquid split from the package's own fugacities.

IDAES's ``FTPx.state_initialization`` starts a state between its bubble and dew points
(computed by the package) at the vapour fraction :math:`\beta = (T - T_{bub}) /
(T_{dew} - T_{bub})` and the phase compositions of Raoult's law,
:math:`K_j = p^{sat}_j(T)/P`, with :math:`y_j = z_j K_j / (K_j + 1 - \beta)`, which is not
the Rachford-Rice vapour composition (the :math:`y_j` need not sum to 1). For an activity
model that start is far from the solution (acetone/water at 340 K, 1 bar, z = 0.2:
:math:`\gamma_{acetone} \approx 4`, :math:`\sum_j y_j = 0.32`, a first fugacity residual of
8.5e4 Pa), and IDAES's phase-equilibrium solve reaches the solution only through IPOPT's
restoration phase. :func:`refine_two_phase_split` replaces that start by successive
substitution on the package's own equilibrium equations:

.. math::

    K_j = \frac{f^L_j(T_{eq}, P, x)/x_j}{f^V_j(T_{eq}, P, y)/y_j},\qquad
    \sum_j \frac{z_j (K_j - 1)}{1 + \beta (K_j - 1)} = 0,\qquad
    x_j = \frac{z_j}{1 + \beta (K_j - 1)},\quad y_j = K_j x_j

(the fugacities ``fug_phase_comp_eq`` of the phases' equations of state, e.g.
:math:`f^L_j = x_j \gamma_j p^{sat}_j` and :math:`f^V_j = y_j P`), with :math:`\beta`
from the Rachford-Rice equation by bisection in :math:`[\epsilon, 1 - \epsilon]`
(:math:`\epsilon = 10^{-5}`, IDAES's single-phase offset). Every start is strictly
positive and each phase's fractions sum to 1, so the phase-equilibrium solve starts inside
the physical domain whether or not the phase variables carry bounds.

References
----------
Rachford, H. H.; Rice, J. D. J. Pet. Technol. 4 (1952) 19; Michelsen, M. L.; Mollerup, J.
M. *Thermodynamic Models: Fundamentals & Computational Aspects*, 2nd ed. (2007), ch. 10
(successive substitution). IDAES-PSE 2.13,
``modular_properties/state_definitions/FTPx.py`` (the start this refines).
"""

from __future__ import annotations

from idaes.models.properties.modular_properties.base.utility import identify_VL_component_list
from pyomo.environ import value

#: offset of the vapour fraction from 0 and 1 (IDAES's FTPx single-phase start)
PHASE_FRACTION_OFFSET = 1e-5
#: successive-substitution iterations at most, and the change of the phase fractions that stops them
MAX_ITERATIONS, COMPOSITION_TOL = 30, 1e-10
#: bisection steps of the Rachford-Rice equation (interval 1 -> 2**-60)
BISECTION_STEPS = 60


def rachford_rice(z: dict, K: dict) -> float:
    r"""Vapour fraction :math:`\beta \in [\epsilon, 1 - \epsilon]` of
    :math:`\sum_j z_j (K_j - 1) / (1 + \beta (K_j - 1)) = 0` by bisection (the sum decreases
    in :math:`\beta`); clipped to the interval's end where the root lies outside it."""

    def residual(beta):
        return sum(z[j] * (K[j] - 1.0) / (1.0 + beta * (K[j] - 1.0)) for j in z)

    low, high = PHASE_FRACTION_OFFSET, 1.0 - PHASE_FRACTION_OFFSET
    if residual(low) <= 0.0:
        return low
    if residual(high) >= 0.0:
        return high
    for _ in range(BISECTION_STEPS):
        mid = 0.5 * (low + high)
        if residual(mid) > 0.0:
            low = mid
        else:
            high = mid
    return 0.5 * (low + high)


def _vle_pair(b):
    """(phase pair, liquid, vapour, components) of the block's single VLE pair whose
    components are all in both phases, else None (IDAES's start is kept)."""
    pairs = []
    for pp in getattr(b.params, "_pe_pairs", ()):
        l_phase, v_phase, vl, henry, l_only, v_only = identify_VL_component_list(b, pp)
        if l_phase is not None and v_phase is not None:
            pairs.append((pp, l_phase, v_phase, vl, henry or l_only or v_only))
    if len(pairs) != 1 or pairs[0][4]:
        return None
    return pairs[0][:4]


def _bracket(b, pp) -> tuple[float, float] | None:
    """(bubble, dew) temperatures [K] the package computed for ``pp``, if both exist."""
    if not (hasattr(b, "temperature_bubble") and hasattr(b, "temperature_dew")):
        return None
    try:
        t_bub, t_dew = b.temperature_bubble[pp].value, b.temperature_dew[pp].value
    except KeyError:
        return None
    return None if t_bub is None or t_dew is None else (t_bub, t_dew)


def fugacity_values(b, eos, p, pp) -> dict:
    """``fug_phase_comp_eq`` [Pa] of phase ``p``'s components at the current values: the
    equation of state's numeric ``fug_phase_comp_eq_values`` if it has one, else the
    values of its Pyomo expressions."""
    numeric = getattr(eos, "fug_phase_comp_eq_values", None)
    if numeric is not None:
        return numeric(b, p, pp)
    return {j: value(eos.fug_phase_comp_eq(b, p, j, pp)) for j in b.components_in_phase(p)}


def refine_two_phase_split(b) -> bool:
    """Start the phase fractions, phase flows and phase compositions of state block ``b``
    at the successive-substitution split (module doc) if the package's bubble and dew
    temperatures bracket the state's temperature; returns whether it did.

    Called after IDAES's ``FTPx.state_initialization`` (which computed the bracket);
    single-phase states, states without a bracket and packages with Henry or single-phase
    components keep IDAES's start.
    """
    found = _vle_pair(b)
    if found is None:
        return False
    pp, l_phase, v_phase, comps = found
    bracket = _bracket(b, pp)
    T = b.temperature.value
    if bracket is None or T is None or not bracket[0] < T < bracket[1]:
        return False
    z = {j: value(b.mole_frac_comp[j]) for j in comps}
    total = sum(z.values())
    if min(z.values()) <= 0.0 or total <= 0.0:
        return False
    z = {j: zj / total for j, zj in z.items()}
    b._teq[pp].set_value(T)
    eos_l = b.params.get_phase(l_phase).config.equation_of_state
    eos_v = b.params.get_phase(v_phase).config.equation_of_state
    x_var = {j: b.mole_frac_phase_comp[l_phase, j] for j in comps}
    y_var = {j: b.mole_frac_phase_comp[v_phase, j] for j in comps}
    x, y = dict(z), dict(z)
    beta = None
    for _ in range(MAX_ITERATIONS):
        for j in comps:
            x_var[j].set_value(x[j], skip_validation=True)
            y_var[j].set_value(y[j], skip_validation=True)
        f_l = fugacity_values(b, eos_l, l_phase, pp)
        f_v = fugacity_values(b, eos_v, v_phase, pp)
        # fugacity per unit mole fraction: K_j = (f_L/x_j) / (f_V/y_j)
        K = {j: (f_l[j] / x[j]) / (f_v[j] / y[j]) for j in comps}
        if min(K.values()) <= 0.0:
            return False
        beta = rachford_rice(z, K)
        x_new = {j: z[j] / (1.0 + beta * (K[j] - 1.0)) for j in comps}
        y_new = {j: K[j] * x_new[j] for j in comps}
        sx, sy = sum(x_new.values()), sum(y_new.values())
        x_new = {j: v / sx for j, v in x_new.items()}
        y_new = {j: v / sy for j, v in y_new.items()}
        change = max(max(abs(x_new[j] - x[j]), abs(y_new[j] - y[j])) for j in comps)
        x, y = x_new, y_new
        if change < COMPOSITION_TOL:
            break
    for j in comps:
        x_var[j].set_value(x[j], skip_validation=True)
        y_var[j].set_value(y[j], skip_validation=True)
    flow = value(b.flow_mol)
    for phase, fraction in ((v_phase, beta), (l_phase, 1.0 - beta)):
        b.phase_frac[phase].set_value(fraction, skip_validation=True)
        b.flow_mol_phase[phase].set_value(fraction * flow, skip_validation=True)
    return True
