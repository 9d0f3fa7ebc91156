r"""IDAES's ideal equation of state with a liquid heat capacity that is the slope of its enthalpy.

IDAES's ``Ideal`` (``idaes/models/properties/modular_properties/eos/ideal.py``) gives the
liquid the enthalpy

.. math:: h^L = \sum_j x_j h^{liq}_j(T) + (P - P_{ref})\, v^L(T),\qquad
    v^L = \sum_j x_j / \rho_j(T)

but the heat capacity :math:`\sum_j x_j c^{liq}_{p,j}(T)`, which omits
:math:`(P - P_{ref})\,\partial v^L/\partial T`. :class:`IdealConsistentCp` adds that term, so
that ``cp_mol_phase`` is exactly :math:`\partial h/\partial T` at constant P and x (and
``cp_mol_phase_comp`` the T derivative of ``enth_mol_phase_comp``). The derivative of
each pure-liquid volume is the exact CasADi derivative of the ONNX density model where the
component uses :class:`idaes_plugin.pure_methods.HybridLiquidDensity`, and Pyomo's symbolic
differentiation of the volume expression otherwise.
"""

from __future__ import annotations

from idaes.models.properties.modular_properties.base.utility import get_component_object as cobj
from idaes.models.properties.modular_properties.base.utility import get_method
from idaes.models.properties.modular_properties.eos.ideal import Ideal
from pyomo.core.expr.calculus.derivatives import Modes, differentiate


def _dvol_dT_comp(b, j):
    """:math:`\\partial (1/\\rho_j)/\\partial T` of the pure liquid j at the state [m**3/mol/K]."""
    method = get_method(b, "dens_mol_liq_comp", j)
    dT_expression = getattr(method, "dT_expression", None)
    if dT_expression is not None:
        rho = method.return_expression(b, cobj(b, j), b.temperature)
        return -dT_expression(b, cobj(b, j), b.temperature) / rho**2
    v = Ideal.get_vol_mol_pure(b, "liq", j, b.temperature)
    return differentiate(v, wrt=b.temperature, mode=Modes.reverse_symbolic)


def liquid_pressure_cp(b, p):
    """:math:`(P - P_{ref})\\,\\partial v^L/\\partial T`, the heat capacity of IDAES's
    pressure term of the liquid enthalpy [J/mol/K]."""
    dv = sum(b.get_mole_frac(p)[p, j] * _dvol_dT_comp(b, j) for j in b.components_in_phase(p))
    return (b.pressure - b.params.pressure_ref) * dv


class IdealConsistentCp(Ideal):
    """IDAES ``Ideal`` whose liquid ``cp_mol_phase`` is the slope of ``enth_mol_phase``."""

    @staticmethod
    def cp_mol_phase(b, p):
        """:math:`\\sum_j x_j c_{p,j} + (P - P_{ref})\\,\\partial v^L/\\partial T` (liquid).

        Summed from IDAES's pure-component heat capacities, not from ``cp_mol_phase_comp``
        (a subclass may add partial-molar excess terms there).
        """
        base = sum(
            b.get_mole_frac(p)[p, j] * Ideal.cp_mol_phase_comp(b, p, j)
            for j in b.components_in_phase(p)
        )
        if not b.params.get_phase(p).is_liquid_phase():
            return base
        return base + liquid_pressure_cp(b, p)

    @staticmethod
    def cp_mol_phase_comp(b, p, j):
        base = Ideal.cp_mol_phase_comp(b, p, j)
        if not b.params.get_phase(p).is_liquid_phase():
            return base
        return base + liquid_pressure_cp(b, p)
