r"""NRTL excess Gibbs energy as a CasADi expression, with ChemSep parameters from ``thermo``.

.. math::

    \frac{g^E}{RT} = \sum_i x_i \frac{\sum_j \tau_{ji} G_{ji} x_j}{\sum_k G_{ki} x_k},\quad
    G_{ij} = \exp(-\alpha_{ij}\tau_{ij}),\quad \tau_{ij} = \frac{b_{ij}}{T},\quad
    \alpha_{ij} = \alpha_{ji}

ChemSep's NRTL table (``thermo.interaction_parameters.IPDB``, 'ChemSep NRTL') gives
:math:`b_{ij}` [K] and :math:`\alpha_{ij}` [-]; ``thermo.nrtl.NRTL`` with ``tau_bs`` and
``alpha_cs`` is the same model (tested to 1e-10).

References
----------
Renon, Prausnitz, AIChE J. 14 (1968) 135. ChemSep database (Kooijman, Taylor), via thermo.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import casadi as ca
import numpy as np

from propkg_contract.errors import DataError

SOURCE = "ChemSep NRTL (thermo.interaction_parameters.IPDB)"


@dataclass(frozen=True)
class NrtlParameters:
    """NRTL parameters of a mixture in model order.

    Attributes
    ----------
    b : ndarray, shape (n, n)
        :math:`\\tau_{ij} = b_{ij}/T`, [K].
    alpha : ndarray, shape (n, n)
        Non-randomness, symmetric, [-].
    """

    b: np.ndarray
    alpha: np.ndarray

    @classmethod
    def from_chemsep(cls, cas_numbers: Sequence[str]) -> NrtlParameters:
        """ChemSep parameters of the pair, or raise :class:`DataError` if ChemSep has none."""
        from thermo.interaction_parameters import IPDB

        cas = list(cas_numbers)
        if not IPDB.has_ip_specific("ChemSep NRTL", cas, "bij"):
            raise DataError(f"ChemSep has no NRTL parameters for {cas}")
        b = np.array(IPDB.get_ip_asymmetric_matrix("ChemSep NRTL", cas, "bij"), dtype=float)
        alpha = np.array(IPDB.get_ip_asymmetric_matrix("ChemSep NRTL", cas, "alphaij"), float)
        return cls(b, alpha)

    def as_metadata(self) -> dict:
        """JSON-clean record for the ONNX metadata."""
        return {"b": self.b.tolist(), "alpha": self.alpha.tolist(), "source": SOURCE,
                "tau": "b_ij / T"}


def nrtl_gibbs_excess_rt(T, xs: Sequence, params: NrtlParameters):
    """Dimensionless excess Gibbs energy ``g^E/RT`` of NRTL (CasADi expression).

    Parameters
    ----------
    T : casadi.SX | casadi.MX | float
        Temperature, [K].
    xs : sequence
        Mole fractions in model order, [-].
    params : NrtlParameters
        Pair parameters.

    Returns
    -------
    casadi expression
        :math:`g^E/RT`, [-].
    """
    n = len(xs)
    if params.b.shape != (n, n):
        raise DataError(f"NRTL: parameters for {params.b.shape[0]} components, got {n}")
    tau = [[params.b[i, j] / T for j in range(n)] for i in range(n)]
    G = [[ca.exp(-params.alpha[i, j] * tau[i][j]) for j in range(n)] for i in range(n)]
    ge = 0
    for i in range(n):
        num = sum(tau[j][i] * G[j][i] * xs[j] for j in range(n))
        den = sum(G[k][i] * xs[k] for k in range(n))
        ge = ge + xs[i] * num / den
    return ge
