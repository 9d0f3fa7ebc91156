"""Derived checks of binary g^E models: azeotropes and infinite-dilution activity coefficients.

* :func:`azeotrope_model`: the homogeneous azeotrope of modified Raoult's law at a given
  pressure, solving :math:`\\gamma_1 P_1^{sat}(T) = \\gamma_2 P_2^{sat}(T) = P` for (T, x1).
* :func:`azeotrope_coolprop`: the same point of CoolProp's mixture model, where
  :math:`y_1 = x_1` on the isobar (bubble points ``PQ_INPUTS``).
* :func:`unifac_gamma_inf_brouwer`: Dortmund UNIFAC ln(gamma_inf) for the measured systems
  of Brouwer et al. (2021), with groups from the DDBST tables shipped by ``thermo`` (by
  InChIKey) and ``ugropy`` for molecules the tables miss.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import casadi as ca
import numpy as np
from scipy.optimize import brentq, fsolve

from propkg_contract.errors import DataError, SolverError


def azeotrope_model(fun: ca.Function, psat1: Callable, psat2: Callable, P: float,
                    guess: tuple[float, float]) -> tuple[float, float]:
    """Azeotrope (T [K], x1) of a g^E model with modified Raoult's law at pressure P [Pa].

    Parameters
    ----------
    fun : casadi.Function
        ``(T, x1, x2) -> (g, ln gamma_1, ln gamma_2)``.
    psat1, psat2 : callable
        Saturation pressures [Pa] as functions of T [K].
    P : float
        Pressure, [Pa].
    guess : (float, float)
        Starting (T, x1).

    Raises
    ------
    SolverError
        If the Newton iteration does not converge to a point with 0 < x1 < 1.
    """
    def residual(z):
        T, x1 = z
        _, l1, l2 = fun(T, x1, 1 - x1)
        return [float(l1) + np.log(psat1(T) / P), float(l2) + np.log(psat2(T) / P)]

    sol, info, ok, msg = fsolve(residual, guess, full_output=True, xtol=1e-12)
    if ok != 1 or not 0.0 < sol[1] < 1.0 or max(abs(np.array(residual(sol)))) > 1e-8:
        raise SolverError(f"azeotrope search did not converge from {guess}: {msg}")
    return float(sol[0]), float(sol[1])


def azeotrope_coolprop(mixture: str, P: float, bracket: tuple[float, float]) -> tuple[float, float]:
    """Azeotrope (T [K], x1) of a CoolProp HEOS mixture (``"Ethanol&Water"``) at P [Pa]."""
    import CoolProp

    state = CoolProp.AbstractState("HEOS", mixture)

    def y_minus_x(x1):
        state.set_mole_fractions([x1, 1 - x1])
        state.update(CoolProp.PQ_INPUTS, P, 0.0)
        return state.mole_fractions_vapor()[0] - x1

    x_az = brentq(y_minus_x, *bracket, xtol=1e-12)
    state.set_mole_fractions([x_az, 1 - x_az])
    state.update(CoolProp.PQ_INPUTS, P, 0.0)
    return state.T(), x_az


def coolprop_ln_gamma_inf(mixture: str, T: float, x_solute: float = 1e-4) -> float:
    r"""CoolProp's apparent ln(gamma_inf) of the first fluid of ``mixture`` at T [K].

    From the bubble point at ``x_solute`` (ideal vapour):
    :math:`\ln(y_1 P / (x_1 P_1^{sat}))`; NaN if CoolProp's flash fails.
    """
    import CoolProp

    from propkg.mixtures.vle_data import psat_coolprop

    state = CoolProp.AbstractState("HEOS", mixture)
    try:
        state.set_mole_fractions([x_solute, 1 - x_solute])
        state.update(CoolProp.QT_INPUTS, 0.0, float(T))
        return float(np.log(state.mole_fractions_vapor()[0] * state.p()
                            / (x_solute * psat_coolprop(mixture.split("&")[0], T))))
    except ValueError:
        return float("nan")


def read_brouwer(path: str | Path) -> list[dict]:
    """Rows of ``Brouwer_2021.csv`` as dicts with T converted to kelvin (``T_K``)."""
    rows = []
    with open(path, encoding="utf-8") as handle:
        for r in csv.DictReader(handle):
            rows.append({"solute": r["Solute_SMILES"], "solvent": r["Solvent_SMILES"],
                         "ln_gamma_inf": float(r["log-gamma"]), "T_K": float(r["T"]) + 273.15})
    if not rows:
        raise DataError(f"'{path}' has no rows")
    return rows


def dortmund_groups_from_smiles(smiles_list) -> tuple[dict[str, dict], dict[str, str]]:
    """Dortmund UNIFAC subgroups of molecules given as SMILES.

    DDBST assignments (``thermo``, by InChIKey via RDKit) first; ``ugropy`` for the rest.
    Returns ``(groups, source)``: ``groups[smiles] = {subgroup_id: count}`` and
    ``source[smiles]`` in {"DDBST", "ugropy"}; molecules neither can assign are left out.
    """
    import thermo.unifac as tu
    from rdkit import Chem, RDLogger

    RDLogger.DisableLog("rdApp.*")
    tu.load_group_assignments_DDBST()
    by_name = {v.group.replace(" ", ""): k for k, v in tu.DOUFSG.items()}
    groups, source = {}, {}
    for smi in smiles_list:
        mol = Chem.MolFromSmiles(smi)
        if mol is None:
            continue
        found = tu.DDBST_MODIFIED_UNIFAC_assignments.get(Chem.MolToInchiKey(mol))
        if found:
            groups[smi], source[smi] = dict(found), "DDBST"
            continue
        try:
            from ugropy import Groups

            sub = Groups(smi, "smiles").dortmund.subgroups
        except Exception:  # ugropy missing or molecule not representable
            continue
        if not isinstance(sub, dict) or not sub:
            continue
        ids = {by_name.get(str(n).replace(" ", "")): c for n, c in sub.items()}
        if None not in ids:
            groups[smi], source[smi] = ids, "ugropy"
    return groups, source


def unifac_ln_gamma_inf(solute_groups: dict, solvent_groups: dict, T: float) -> float:
    """Dortmund UNIFAC ln(gamma_inf) of a solute in a solvent at T [K] (``thermo``).

    Raises
    ------
    KeyError
        If DOUFIP2016 lacks an interaction between two main groups present (thermo would
        silently use zero).
    """
    import thermo.unifac as tu

    mains = {tu.DOUFSG[k].main_group_id for g in (solute_groups, solvent_groups) for k in g}
    for m in mains:
        for n in mains:
            if m != n and n not in tu.DOUFIP2016.get(m, {}):
                raise KeyError(f"no Dortmund interaction between main groups {m} and {n}")

    model = tu.UNIFAC.from_subgroups(T=T, xs=[0.0, 1.0], chemgroups=[solute_groups, solvent_groups],
                                     version=1, subgroups=tu.DOUFSG, interaction_data=tu.DOUFIP2016)
    return float(np.log(model.gammas()[0]))


def unifac_gamma_inf_brouwer(rows: list[dict]) -> dict:
    """Dortmund UNIFAC against every Brouwer row it can assign.

    Returns a dict with per-row predictions (``pred``, NaN where impossible), the counts
    of assigned/unassigned rows and the group-assignment sources.
    """
    smiles = sorted({r["solute"] for r in rows} | {r["solvent"] for r in rows})
    groups, source = dortmund_groups_from_smiles(smiles)
    pred = np.full(len(rows), np.nan)
    failures = 0
    for k, r in enumerate(rows):
        g1, g2 = groups.get(r["solute"]), groups.get(r["solvent"])
        if g1 is None or g2 is None:
            continue
        try:
            pred[k] = unifac_ln_gamma_inf(g1, g2, r["T_K"])
        except (KeyError, ValueError, ZeroDivisionError, OverflowError, FloatingPointError):
            failures += 1  # missing interaction parameters between main groups
    return {"pred": pred, "n_molecules": len(smiles), "n_assigned": len(groups),
            "n_ugropy": sum(v == "ugropy" for v in source.values()),
            "n_failed_parameters": failures}
