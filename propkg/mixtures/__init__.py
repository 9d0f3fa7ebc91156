"""Binary liquid mixtures: excess-Gibbs-energy backbones, hybrid correction, VLE data, export.

The model chain is ``g^E/RT`` (backbone, :mod:`.unifac` or :mod:`.nrtl`) plus a small
network correction weighted by ``x1*x2`` (:mod:`.hybrid_ge`); activity coefficients come
from exact differentiation of the total ``g^E/RT`` (:mod:`.excess`), so Gibbs-Duhem holds
to round-off. Reference data come from CoolProp's Helmholtz mixture models
(:mod:`.vle_data`); fits in :mod:`.training`; ONNX export in :mod:`.export`.
"""

from propkg.mixtures.components import COMPONENTS, SHIPPED_PAIRS, Component, component

__all__ = ["COMPONENTS", "SHIPPED_PAIRS", "Component", "component"]
