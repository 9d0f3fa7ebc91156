r"""UNIFAC (original and modified Dortmund) excess Gibbs energy as a CasADi expression.

Only ``g^E/RT`` is written here; activity coefficients follow from it by exact
differentiation (:func:`propkg.mixtures.excess.log_activity_coefficients`). Group data
(``R_k``, ``Q_k``, main groups, interaction parameters) and the DDBST group assignments
are those shipped with ``thermo`` (``thermo.unifac``); nothing is re-typed by hand.

.. math::

    \frac{g^E}{RT} = \sum_i x_i \ln\gamma_i^C + \sum_i x_i \sum_k \nu_k^{(i)}
        \left(\ln\Gamma_k - \ln\Gamma_k^{(i)}\right)

with the combinatorial part (Dortmund, ``version=1``; original: exponent 1)

.. math::

    \ln\gamma_i^C = 1 - V'_i + \ln V'_i - 5 q_i\left(1 - \frac{V_i}{F_i}
        + \ln\frac{V_i}{F_i}\right),\quad
    V_i = \frac{r_i}{\sum_j x_j r_j},\ V'_i = \frac{r_i^{3/4}}{\sum_j x_j r_j^{3/4}},\
    F_i = \frac{q_i}{\sum_j x_j q_j}

and the residual part

.. math::

    \ln\Gamma_k = Q_k\left(1 - \ln\sum_m \theta_m\Psi_{mk}
        - \sum_m \frac{\theta_m \Psi_{km}}{\sum_n \theta_n \Psi_{nm}}\right),\quad
    \Psi_{mn} = \exp\left(-\frac{a_{mn} + b_{mn}T + c_{mn}T^2}{T}\right)

(original UNIFAC: :math:`b = c = 0`). Both combinatorial forms are exact derivatives of
their :math:`\sum_i x_i \ln\gamma_i^C`, so differentiating this ``g^E/RT`` reproduces the
closed-form ``ln gamma_i`` of the literature (tested against ``thermo`` to 1e-10).

References
----------
Fredenslund, Jones, Prausnitz, AIChE J. 21 (1975) 1086 (original UNIFAC).
Gmehling, Li, Schiller, Ind. Eng. Chem. Res. 32 (1993) 178 (modified UNIFAC Dortmund).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import casadi as ca
import numpy as np

from propkg_contract.errors import DataError

VERSIONS = {0: "UNIFAC (original)", 1: "UNIFAC (modified Dortmund)"}


def _tables(version: int):
    import thermo.unifac as tu

    if version == 0:
        return tu.UFSG, tu.UFIP
    if version == 1:
        return tu.DOUFSG, tu.DOUFIP2016
    raise DataError(f"UNIFAC version {version!r} is not supported; supported: {VERSIONS}")


def group_assignment(inchikey: str, version: int = 1) -> dict[int, int]:
    """DDBST subgroup counts ``{subgroup_id: count}`` of a molecule, as shipped by ``thermo``.

    Parameters
    ----------
    inchikey : str
        Standard InChIKey of the molecule.
    version : int
        1 for modified UNIFAC (Dortmund), 0 for original UNIFAC.

    Raises
    ------
    DataError
        If the DDBST tables have no assignment for the molecule.
    """
    import thermo.unifac as tu

    tu.load_group_assignments_DDBST()
    table = tu.DDBST_MODIFIED_UNIFAC_assignments if version == 1 else tu.DDBST_UNIFAC_assignments
    groups = table.get(inchikey)
    if not groups:
        raise DataError(
            f"no DDBST {VERSIONS.get(version, version)} group assignment for InChIKey {inchikey}"
        )
    return dict(groups)


@dataclass(frozen=True)
class UnifacParameters:
    """Numeric UNIFAC data of one mixture, in model order.

    Attributes
    ----------
    version : int
        0 original, 1 modified Dortmund.
    groups : list of dict
        Subgroup counts of each component.
    subgroup_ids : list of int
        Subgroups present in the mixture (sorted).
    nu : ndarray, shape (n_components, n_subgroups)
        Subgroup counts.
    R, Q : ndarray, shape (n_subgroups,)
        Subgroup volume and area parameters, [-].
    a, b, c : ndarray, shape (n_subgroups, n_subgroups)
        Interaction parameters between the subgroups' main groups, [K], [-], [1/K].
    """

    version: int
    groups: list[dict[int, int]]
    subgroup_ids: list[int]
    nu: np.ndarray = field(repr=False)
    R: np.ndarray = field(repr=False)
    Q: np.ndarray = field(repr=False)
    a: np.ndarray = field(repr=False)
    b: np.ndarray = field(repr=False)
    c: np.ndarray = field(repr=False)

    @classmethod
    def from_groups(cls, groups: Sequence[dict[int, int]], version: int = 1) -> UnifacParameters:
        """Collect R, Q and interaction parameters from ``thermo``'s tables.

        Raises
        ------
        DataError
            If a subgroup is unknown or a main-group interaction is missing.
        """
        subgroups, interactions = _tables(version)
        ids = sorted({k for g in groups for k in g})
        for k in ids:
            if k not in subgroups:
                raise DataError(f"subgroup {k} is not in the {VERSIONS[version]} tables")
        nu = np.array([[float(g.get(k, 0)) for k in ids] for g in groups])
        R = np.array([subgroups[k].R for k in ids], dtype=float)
        Q = np.array([subgroups[k].Q for k in ids], dtype=float)
        main = [subgroups[k].main_group_id for k in ids]
        n = len(ids)
        a, b, c = (np.zeros((n, n)) for _ in range(3))
        for i, mi in enumerate(main):
            for j, mj in enumerate(main):
                if mi == mj:
                    continue
                try:
                    p = interactions[mi][mj]
                except KeyError:
                    raise DataError(
                        f"{VERSIONS[version]} has no interaction parameters between main groups "
                        f"{mi} and {mj} (subgroups {ids[i]}, {ids[j]})"
                    ) from None
                if version == 0:
                    a[i, j] = float(p)
                else:
                    a[i, j], b[i, j], c[i, j] = (float(v) for v in p)
        return cls(version, [dict(g) for g in groups], ids, nu, R, Q, a, b, c)

    def main_groups(self) -> list[int]:
        """Main group of each subgroup, in :attr:`subgroup_ids` order (``thermo``'s tables);
        the interaction parameters belong to pairs of main groups."""
        subgroups, _ = _tables(self.version)
        return [subgroups[k].main_group_id for k in self.subgroup_ids]

    def as_metadata(self) -> dict:
        """JSON-clean record of the parameters (for the ONNX metadata)."""
        return {
            "version": VERSIONS[self.version],
            "groups": [{str(k): v for k, v in g.items()} for g in self.groups],
            "subgroup_ids": self.subgroup_ids,
            "R": self.R.tolist(),
            "Q": self.Q.tolist(),
            "a": self.a.tolist(),
            "b": self.b.tolist(),
            "c": self.c.tolist(),
            "source": "thermo.unifac "
            + ("UFSG/UFIP" if self.version == 0 else "DOUFSG/DOUFIP2016")
            + ", DDBST group assignments",
        }


def _is_zero(value) -> bool:
    """True for a number equal to zero or a CasADi expression that is structurally zero."""
    if isinstance(value, ca.SX | ca.MX | ca.DM):
        return bool(value.is_zero())
    return float(value) == 0.0


def unifac_gibbs_excess_rt(T, xs: Sequence, params: UnifacParameters, delta_a=None,
                           delta_b=None):
    r"""Dimensionless excess Gibbs energy ``g^E/RT`` of UNIFAC (CasADi expression).

    Parameters
    ----------
    T : casadi.SX | casadi.MX | float
        Temperature, [K].
    xs : sequence of casadi.SX | casadi.MX | float
        Mole fractions in model order, [-]; they need not sum to one off the simplex
        (the expression is then a smooth extension, as needed for differentiation).
    params : UnifacParameters
        Group data of the mixture.
    delta_a, delta_b : nested sequences (n_subgroups x n_subgroups), optional
        Shifts added to ``a`` [K] and ``b`` [-] (numbers or CasADi expressions, e.g. the
        unknowns of a refit of the interaction parameters), indexed like ``a``; give zero
        between subgroups of one main group (their :math:`\Psi` is 1 in UNIFAC).

    Returns
    -------
    casadi expression
        :math:`g^E/RT`, [-].

    Notes
    -----
    Smooth for positive mole fractions; ``x_i ln(...)`` terms are finite at ``x_i -> 0``
    but their derivative is not, so evaluate ``ln gamma_i`` at ``x_i >= 1e-12``.
    """
    p = params
    ncomp, ngroup = p.nu.shape
    if len(xs) != ncomp:
        raise DataError(f"UNIFAC: {ncomp} components in the parameters, {len(xs)} mole fractions")
    r = p.nu @ p.R
    q = p.nu @ p.Q
    expo = 0.75 if p.version == 1 else 1.0
    sum_r = sum(xs[j] * r[j] for j in range(ncomp))
    sum_r34 = sum(xs[j] * r[j] ** expo for j in range(ncomp))
    sum_q = sum(xs[j] * q[j] for j in range(ncomp))
    psi = [[None] * ngroup for _ in range(ngroup)]
    for m in range(ngroup):
        for n in range(ngroup):
            da = 0.0 if delta_a is None else delta_a[m][n]
            db = 0.0 if delta_b is None else delta_b[m][n]
            shifted = not (_is_zero(da) and _is_zero(db)) and m != n
            if p.a[m, n] == 0.0 and p.b[m, n] == 0.0 and p.c[m, n] == 0.0 and not shifted:
                psi[m][n] = 1.0
            else:
                psi[m][n] = ca.exp(-(p.a[m, n] + da + (p.b[m, n] + db) * T
                                     + p.c[m, n] * T**2) / T)

    def ln_gamma_groups(group_x):
        """ln Gamma_k of the group mixture with (unnormalised) group amounts group_x."""
        total_q = sum(p.Q[m] * group_x[m] for m in range(ngroup))
        theta = [p.Q[m] * group_x[m] / total_q for m in range(ngroup)]
        s = [sum(theta[m] * psi[m][k] for m in range(ngroup)) for k in range(ngroup)]
        return [
            p.Q[k]
            * (1 - ca.log(s[k]) - sum(theta[m] * psi[k][m] / s[m] for m in range(ngroup)))
            for k in range(ngroup)
        ]

    mix_groups = [sum(xs[i] * p.nu[i, m] for i in range(ncomp)) for m in range(ngroup)]
    ln_gam_mix = ln_gamma_groups(mix_groups)
    ge = 0
    for i in range(ncomp):
        v = r[i] / sum_r
        v34 = r[i] ** expo / sum_r34
        f = q[i] / sum_q
        comb = 1 - v34 + ca.log(v34) - 5 * q[i] * (1 - v / f + ca.log(v / f))
        present = [m for m in range(ngroup) if p.nu[i, m] > 0]
        pure_groups = [p.nu[i, m] for m in range(ngroup)]
        if len(present) > 1:
            ln_gam_pure = ln_gamma_groups(pure_groups)
            res = sum(p.nu[i, k] * (ln_gam_mix[k] - ln_gam_pure[k]) for k in present)
        else:  # a one-group molecule: ln Gamma_k^(i) = 0
            res = sum(p.nu[i, k] * ln_gam_mix[k] for k in present)
        ge = ge + xs[i] * (comb + res)
    return ge
