"""Liquid-phase mixing rules for transport properties, in the style of IDAES's
``transport_properties`` (``ViscosityWilke``, ``ThermalConductivityWMS`` cover the vapour).

Each class holds a phase-property class (``visc_d_phase``, ``therm_cond_phase``,
``surf_tens_phase``) with ``build_parameters(pobj)`` and ``return_expression(b, p)``, and
takes the pure-component values from the components' ``visc_d_phase_comp`` /
``therm_cond_phase_comp`` methods (IDAES's ``_visc_d_phase_comp`` and
``_therm_cond_phase_comp`` state-block expressions) or, for the surface tension, from
:func:`idaes_plugin.transport.surface_tension_comp`. The rules use mole fractions of the
phase and, for Li's rule, the pure liquid molar volumes of the components'
``dens_mol_liq_comp`` methods.
"""

from __future__ import annotations

import pyomo.environ as pyo
from idaes.models.properties.modular_properties.base.utility import get_method

from propkg_contract.errors import PropkgError

#: ``transport_property_options`` key of the Grunberg-Nissan interaction parameters
GRUNBERG_NISSAN_KEY = "grunberg_nissan_G"


def _interaction(pobj, i: str, j: str) -> float:
    """Symmetric Grunberg-Nissan :math:`G_{ij}` [-] from the phase options (default 0)."""
    table = pobj.config.transport_property_options.get(GRUNBERG_NISSAN_KEY) or {}
    value = table.get((i, j), table.get((j, i), 0.0))
    try:
        return float(value)
    except (TypeError, ValueError):
        raise PropkgError(
            f"phase '{pobj.local_name}': transport_property_options['{GRUNBERG_NISSAN_KEY}']"
            f"[({i!r}, {j!r})] = {value!r} is not a number"
        ) from None


class ViscosityLogMixing:
    """Liquid-mixture viscosity by Grunberg-Nissan (log) mixing."""

    class visc_d_phase:
        r"""Grunberg-Nissan rule for the dynamic viscosity of a liquid mixture.

        .. math:: \ln \eta_m = \sum_i x_i \ln \eta_i + \sum_{i<j} x_i x_j G_{ij}

        :math:`G_{ij}` from ``transport_property_options["grunberg_nissan_G"]`` (a dict
        ``{(i, j): G}``; default 0, the Arrhenius/Kendall-Monroe ideal log mixing, which
        underestimates the viscosity of aqueous alcohols by up to a factor ~2 near their
        viscosity maximum: supply :math:`G_{ij}` for such mixtures).

        References
        ----------
        Grunberg, L., Nissan, A. H., Nature 164 (1949) 799; Poling, Prausnitz, O'Connell,
        The Properties of Gases and Liquids, 5th ed., Eq. 9-13.1.
        """

        @staticmethod
        def build_parameters(pobj):
            comps = pobj.parent_block().component_list
            for i in comps:
                for j in comps:
                    _interaction(pobj, i, j)  # validates the numbers

        @staticmethod
        def return_expression(b, p):
            if not hasattr(b, "_visc_d_phase_comp"):
                b._make_visc_d_phase_comp()  # pylint: disable=protected-access
            pobj = b.params.get_phase(p)
            unit = b.params.get_metadata().derived_units.DYNAMIC_VISCOSITY
            comps = list(b.components_in_phase(p))
            x = b.mole_frac_phase_comp
            ln_eta = sum(
                x[p, j] * pyo.log(b._visc_d_phase_comp[p, j] / unit)  # pylint: disable=W0212
                for j in comps
            )
            for a, i in enumerate(comps):
                for j in comps[a + 1 :]:
                    g = _interaction(pobj, i, j)
                    if g != 0.0:
                        ln_eta = ln_eta + g * x[p, i] * x[p, j]
            return pyo.exp(ln_eta) * unit


class ThermalConductivityLi:
    """Liquid-mixture thermal conductivity by Li's rule."""

    class therm_cond_phase:
        r"""Li's rule for the thermal conductivity of a liquid mixture.

        .. math::
            \lambda_m = \sum_i \sum_j \phi_i \phi_j \lambda_{ij},\qquad
            \lambda_{ij} = \frac{2}{1/\lambda_i + 1/\lambda_j},\qquad
            \phi_i = \frac{x_i V_i}{\sum_k x_k V_k}

        with :math:`V_i = 1/\rho_i` the pure liquid molar volume of the component's
        ``dens_mol_liq_comp`` method at the state's temperature. Poling et al. recommend
        it (with Filippov's, which is binary only) for multicomponent liquids: errors of
        a few percent for non-aqueous mixtures.

        References
        ----------
        Li, C. C., AIChE J. 22 (1976) 927-930; Poling, Prausnitz, O'Connell, The
        Properties of Gases and Liquids, 5th ed., Eqs. 10-12.6 to 10-12.8.
        """

        @staticmethod
        def build_parameters(pobj):
            pass

        @staticmethod
        def return_expression(b, p):
            if not hasattr(b, "_therm_cond_phase_comp"):
                b._make_therm_cond_phase_comp()  # pylint: disable=protected-access
            lam = b._therm_cond_phase_comp  # pylint: disable=protected-access
            comps = list(b.components_in_phase(p))
            x = b.mole_frac_phase_comp
            volume = {
                j: 1.0 / get_method(b, "dens_mol_liq_comp", j)(
                    b, b.params.get_component(j), b.temperature)
                for j in comps
            }  # fmt: skip
            total = sum(x[p, j] * volume[j] for j in comps)
            phi = {j: x[p, j] * volume[j] / total for j in comps}
            return sum(
                phi[i] * phi[j] * 2.0 / (1.0 / lam[p, i] + 1.0 / lam[p, j])
                for i in comps
                for j in comps
            )


class SurfaceTensionMoleFractionAverage:
    """Liquid-mixture surface tension as the mole-fraction average."""

    class surf_tens_phase:
        r"""Mole-fraction average of the pure-component surface tensions.

        .. math:: \sigma_m = \sum_i x_i \sigma_i

        The linear limit of the Macleod-Sugden rule (equal parachor-density products):
        adequate for similar components; for aqueous-organic mixtures the surface is
        enriched in the organic and the true :math:`\sigma_m` lies well below it.

        References
        ----------
        Poling, Prausnitz, O'Connell, The Properties of Gases and Liquids, 5th ed.,
        Section 12-5 (Eq. 12-5.1 with equal weights).
        """

        @staticmethod
        def build_parameters(pobj):
            pass

        @staticmethod
        def return_expression(b, p):
            from idaes_plugin.transport import surface_tension_comp

            x = b.mole_frac_phase_comp
            return sum(
                x[p, j] * surface_tension_comp(b, b.params.get_component(j), b.temperature)
                for j in b.components_in_phase(p)
            )
