r"""Liquid-phase stability of a binary g^E model: where it predicts two liquids.

(Multicomponent g^E files are not tested here; the functions return "stable" for them.)

A vapour-liquid package represents one liquid. Where a g^E model makes the liquid unstable
against a second liquid, a flash has no right vapour-liquid answer, and IDAES's smooth VLE
can end "optimal" at a split that is no equilibrium of the model (e.g. the shipped hybrid
acetone/water model below about 330 K, a learned artefact: acetone and water are miscible).
The test is the curvature of the Gibbs energy of mixing of the binary,

.. math::

    \frac{g^{mix}}{RT} = \sum_i x_i \ln x_i + \frac{g^E}{RT}(T, x),\qquad
    \text{unstable (spinodal) where}\quad
    \frac{\partial^2 (g^{mix}/RT)}{\partial x_1^2}\Big|_{x_2 = 1 - x_1} < 0,

with the exact second derivative of the model's CasADi graph; and, for one liquid
composition, Michelsen's tangent-plane distance over trial liquids :math:`w`,

.. math::

    \mathrm{tpd}(w) = \sum_i w_i\,[\ln w_i + \ln\gamma_i(w) - \ln x_i - \ln\gamma_i(x)]
    < 0 \text{ for some } w \iff \text{the liquid } x \text{ splits}.

References
----------
Michelsen, M. L. Fluid Phase Equilib. 9 (1982) 1-19.
"""

from __future__ import annotations

import functools
import logging

import casadi as ca
import numpy as np
import pyomo.environ as pyo

from idaes_plugin.activity.gibbs_model import GibbsExcessModel
from propkg_contract.errors import DomainError

_log = logging.getLogger("idaes_plugin.activity")

#: tangent-plane distance below which a trial liquid counts as more stable
TPD_TOL = 1e-9


@functools.lru_cache(maxsize=32)
def _curvature_function(model: GibbsExcessModel) -> ca.Function:
    T, x1 = ca.SX.sym("T"), ca.SX.sym("x1")
    g_excess = model.function(T, x1, 1.0 - x1)[0]
    g_mix = x1 * ca.log(x1) + (1.0 - x1) * ca.log(1.0 - x1) + g_excess
    return ca.Function("curvature", [T, x1], [ca.hessian(g_mix, x1)[0]])


def spinodal_region(model: GibbsExcessModel, n_t: int = 15, n_x: int = 199) -> list[tuple]:
    """Temperatures [K] and mole-fraction ranges of component 1 where the liquid is unstable.

    Returns
    -------
    list of (T, x1_low, x1_high)
        One entry per grid temperature of the model's domain with negative curvature
        somewhere (empty: stable everywhere on the grid).
    """
    if len(model.component_names) != 2:
        return []  # the curvature test is written for binaries
    lo, hi = model.metadata.domain["temperature"]
    curvature = _curvature_function(model).map(n_x)
    x1 = np.linspace(0.0, 1.0, n_x + 2)[1:-1]
    region = []
    for T in np.linspace(lo, hi, n_t):
        values = np.asarray(curvature(np.full(n_x, T), x1)).ravel()
        bad = x1[values < 0.0]
        if bad.size:
            region.append((float(T), float(bad.min()), float(bad.max())))
    return region


def warn_if_liquid_splits(model: GibbsExcessModel) -> str | None:
    """Log (and return) a warning if the model predicts two liquids inside its domain."""
    region = spinodal_region(model)
    if not region:
        return None
    names = model.component_names
    t_low, t_high = region[0][0], region[-1][0]
    x_low, x_high = min(r[1] for r in region), max(r[2] for r in region)
    message = (
        f"the {model.activity_model} g^E model {model.source} predicts two liquid phases "
        f"(d2(g_mix/RT)/dx2 < 0) at {t_low:.1f}-{t_high:.1f} K for x_{names[0]} in "
        f"{x_low:.2f}-{x_high:.2f}; a vapour-liquid package cannot represent them and "
        "flashes of such liquids can end 'optimal' at a wrong split: check results with "
        "idaes_plugin.activity.check_liquid_stability"
    )
    _log.warning(message)
    return message


def liquid_splits(model: GibbsExcessModel, T: float, x1: float, n_trial: int = 399) -> bool:
    """True if the liquid (T [K], x1) is unstable against a second liquid (tangent plane).

    Binary models only (False for more components: not tested).
    """
    if len(model.component_names) != 2:
        return False
    w1 = np.linspace(0.0, 1.0, n_trial + 2)[1:-1]
    ln_w = np.asarray(model.function.map(n_trial)(np.full(n_trial, T), w1, 1.0 - w1)[1])
    ln_x = np.asarray(model.function(T, x1, 1.0 - x1)[1]).ravel()
    w = np.vstack([w1, 1.0 - w1])
    x = np.array([x1, 1.0 - x1])
    tpd = np.sum(w * (np.log(w) + ln_w - (np.log(x) + ln_x)[:, None]), axis=0)
    return bool(tpd.min() < -TPD_TOL)


def check_liquid_stability(block, raise_error: bool = True, min_fraction: float = 1e-4):
    """Report liquids of a solved model that the g^E model would split in two.

    Looks at every state block under ``block`` whose liquid uses
    :class:`~idaes_plugin.activity.eos.ActivityCoeffLiquid`, at its temperature: a liquid of
    its overall composition (if that would split, the true equilibrium may hold two liquids
    and the smooth VLE equations admit spurious vapour-liquid splits) and its liquid phase
    if it holds more than ``min_fraction`` of the material.

    Returns
    -------
    list of str
        One message per unstable liquid.

    Raises
    ------
    DomainError
        If ``raise_error`` and a liquid is unstable.
    """
    from idaes_plugin.activity.eos import ActivityCoeffLiquid, _model

    problems = []
    for blk in [block, *block.component_data_objects(pyo.Block, descend_into=True)]:
        params = getattr(blk, "params", None)
        if params is None or not hasattr(blk, "mole_frac_phase_comp"):
            continue
        for p in getattr(blk, "phase_list", ()):
            phase = params.get_phase(p)
            if phase.config.equation_of_state is not ActivityCoeffLiquid:
                continue
            model, order = _model(blk, p)
            T = pyo.value(pyo.units.convert(blk.temperature, to_units=pyo.units.K))
            candidates = {"overall composition": pyo.value(blk.mole_frac_comp[order[0]])}
            if pyo.value(blk.phase_frac[p]) > min_fraction:
                candidates["liquid"] = pyo.value(blk.mole_frac_phase_comp[p, order[0]])
            for what, x1 in candidates.items():
                if liquid_splits(model, T, x1):
                    problems.append(
                        f"{blk.name}: a liquid of the {what} (x_{order[0]} = {x1:.4f}) at "
                        f"{T:.2f} K is unstable against a second liquid in the g^E model "
                        f"{model.source}; no vapour-liquid answer is right there"
                    )
                    break
    if problems and raise_error:
        raise DomainError("liquids the g^E model would split in two:\n  " + "\n  ".join(problems))
    return problems
