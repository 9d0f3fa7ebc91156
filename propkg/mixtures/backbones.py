"""Backbone g^E models of a binary (UNIFAC or NRTL) behind one small interface.

A backbone knows its pair (model order), builds ``g^E/RT`` as a CasADi expression, can be
swapped to the reversed component order, and describes itself for the ONNX metadata.
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


@dataclass(frozen=True)
class Backbone:
    """A mechanistic binary g^E model.

    Attributes
    ----------
    kind : str
        ``"unifac"`` (modified Dortmund) or ``"nrtl"`` (ChemSep).
    pair : tuple of str
        Component names in model order.
    params : UnifacParameters | NrtlParameters
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
        else:
            raise DataError(f"backbone '{kind}' is not one of {BACKBONES}")
        return cls(kind, tuple(pair), params)

    def gibbs_excess_rt(self, T, x1, x2):
        """``g^E/RT`` as a CasADi expression of temperature [K] and mole fractions [-]."""
        if self.kind == "unifac":
            return unifac_gibbs_excess_rt(T, [x1, x2], self.params)
        return nrtl_gibbs_excess_rt(T, [x1, x2], self.params)

    def swapped(self) -> Backbone:
        """The same model with the component order reversed."""
        pair = (self.pair[1], self.pair[0])
        p = self.params
        if self.kind == "unifac":
            return Backbone("unifac", pair, UnifacParameters.from_groups(p.groups[::-1], p.version))
        return Backbone("nrtl", pair, NrtlParameters(np.array(p.b[::-1, ::-1]),
                                                     np.array(p.alpha[::-1, ::-1])))

    @property
    def label(self) -> str:
        """Human-readable model name."""
        if self.kind == "unifac":
            return VERSIONS[self.params.version]
        return "NRTL (ChemSep)"

    def as_metadata(self) -> dict:
        """``{"name": ..., "parameters": {...}}`` for the ONNX metadata."""
        return {"name": self.label, "parameters": self.params.as_metadata()}
