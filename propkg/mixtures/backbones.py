r"""Backbone g^E models of a binary (UNIFAC, NRTL or ideal solution) behind one interface.

A backbone knows its pair (model order), builds ``g^E/RT`` as a CasADi expression, can be
swapped to the reversed component order, and describes itself for the ONNX metadata.

The ideal solution (:data:`IDEAL`, :math:`g^E = 0`, Raoult's law with the pure models'
Psat; Prausnitz, Lichtenthaler & de Azevedo, Molecular Thermodynamics of Fluid-Phase
Equilibria, 3rd ed., sec. 6.2) is the backbone of last resort: for a pair whose components
have neither UNIFAC (Dortmund) groups nor ChemSep NRTL parameters, the learned
:math:`x_1x_2\,c` correction is the whole g^E. It is not one of :data:`BACKBONES` (those
tried when they exist).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from propkg.mixtures.components import component
from propkg.mixtures.nrtl import NrtlParameters, nrtl_gibbs_excess_rt
from propkg.mixtures.unifac import (
    VERSIONS,
    UnifacParameters,
    group_assignment,
    unifac_gibbs_excess_rt,
)
from propkg_contract.errors import DataError

BACKBONES = ("unifac", "nrtl")
#: the ideal-solution backbone (g^E = 0) of pairs that have neither UNIFAC nor NRTL
IDEAL = "ideal"
IDEAL_LABEL = "ideal solution (gE = 0)"


@dataclass(frozen=True)
class Backbone:
    """A mechanistic binary g^E model.

    Attributes
    ----------
    kind : str
        ``"unifac"`` (modified Dortmund), ``"nrtl"`` (ChemSep) or ``"ideal"`` (g^E = 0).
    pair : tuple of str
        Component names in model order.
    params : UnifacParameters | NrtlParameters | None
        None for the ideal solution.
    """

    kind: str
    pair: tuple[str, str]
    params: object

    @classmethod
    def for_pair(cls, kind: str, pair: tuple[str, str], unifac_version: int = 1) -> Backbone:
        """Build the backbone of a pair from ``thermo``'s data."""
        comps = [component(n) for n in pair]
        if kind == "unifac":
            groups = [group_assignment(c.inchikey, unifac_version) for c in comps]
            params = UnifacParameters.from_groups(groups, unifac_version)
        elif kind == "nrtl":
            params = NrtlParameters.from_chemsep([c.cas for c in comps])
        elif kind == IDEAL:
            params = None
        else:
            raise DataError(f"backbone '{kind}' is not one of {(*BACKBONES, IDEAL)}")
        return cls(kind, tuple(pair), params)

    def gibbs_excess_rt(self, T, x1, x2):
        """``g^E/RT`` as a CasADi expression of temperature [K] and mole fractions [-]."""
        if self.kind == "unifac":
            return unifac_gibbs_excess_rt(T, [x1, x2], self.params)
        if self.kind == IDEAL:
            return 0.0 * (x1 * x2)
        return nrtl_gibbs_excess_rt(T, [x1, x2], self.params)

    def swapped(self) -> Backbone:
        """The same model with the component order reversed."""
        pair = (self.pair[1], self.pair[0])
        p = self.params
        if self.kind == IDEAL:
            return Backbone(IDEAL, pair, None)
        if self.kind == "unifac":
            return Backbone("unifac", pair, UnifacParameters.from_groups(p.groups[::-1], p.version))
        return Backbone("nrtl", pair, NrtlParameters(np.array(p.b[::-1, ::-1]),
                                                     np.array(p.alpha[::-1, ::-1])))

    @property
    def label(self) -> str:
        """Human-readable model name."""
        if self.kind == "unifac":
            return VERSIONS[self.params.version]
        if self.kind == IDEAL:
            return IDEAL_LABEL
        return "NRTL (ChemSep)"

    def as_metadata(self) -> dict:
        """``{"name": ..., "parameters": {...}}`` for the ONNX metadata."""
        params = {} if self.params is None else self.params.as_metadata()
        return {"name": self.label, "parameters": params}

    @staticmethod
    def kind_of_label(label: str) -> str:
        """The backbone kind of a metadata ``name`` (:attr:`label`)."""
        if label.startswith("NRTL"):
            return "nrtl"
        return IDEAL if label == IDEAL_LABEL else "unifac"
