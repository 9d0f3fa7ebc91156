"""Activity-coefficient liquid phase for IDAES from propkg g^E models (binary or more).

``liquid_phase_config(component_names, activity_model)`` returns the ``"Liq"`` phase
configuration used by :func:`idaes_plugin.vle_config` (``activity_model`` in
{"hybrid", "unifac", "nrtl"}), which also selects the bubble/dew method an activity model
needs (``LogBubbleDew``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from idaes_plugin.activity.gibbs_model import MODEL_SUFFIX, GibbsExcessModel, load_gibbs_model
from idaes_plugin.activity.held_out import warn_if_poor_held_out
from idaes_plugin.activity.stability import check_liquid_stability, warn_if_liquid_splits
from propkg_contract.errors import PropkgError


def liquid_phase_config(component_names: Sequence[str], activity_model: str,
                        binary_models: Sequence[str | os.PathLike] | None = None,
                        mixture_model: str | os.PathLike | None = None) -> dict:
    """IDAES configuration of an activity-coefficient ``"Liq"`` phase.

    Parameters
    ----------
    component_names : sequence of str
        The package components (names as in the pure models' metadata); any order, the
        g^E model's order is mapped.
    activity_model : str
        ``"hybrid"`` (backbone + learned correction), ``"unifac"`` (Dortmund) or ``"nrtl"``
        (ChemSep), all outputs of the same g^E file.
    binary_models : sequence of path, optional
        For two components: the binary g^E file to use (e.g. one written by
        ``propkg fit A B DATA.csv -o AB.onnx``) instead of the shipped one.
    mixture_model : path, optional
        A multicomponent g^E file of exactly these components (``propkg mixture A B C -o
        FILE``); for three or more components without it, a shipped one is looked up.

    Returns
    -------
    dict
        ``{"type": LiquidPhase, "equation_of_state": ActivityCoeffLiquid,
        "equation_of_state_options": {"model", "activity_model", "model_components"}}``.

    Raises
    ------
    PropkgError
        An unknown activity model, a model of other components, or no model for the set.
    """
    from idaes.core import LiquidPhase

    from idaes_plugin.activity.eos import ActivityCoeffLiquid
    from propkg_contract.registry import find_binary_model, find_mixture_model

    names = list(component_names)
    if activity_model not in MODEL_SUFFIX:
        raise PropkgError(
            f"activity_model {activity_model!r} is not one of {sorted(MODEL_SUFFIX)} (or None "
            "for Raoult's law in vle_config)")
    if len(names) < 2:
        raise PropkgError(f"an activity model needs at least two components; got {names}")
    if mixture_model is not None:
        path = Path(mixture_model)
    elif binary_models:
        if len(names) != 2 or len(binary_models) != 1:
            raise PropkgError(
                f"binary_models gives {len(binary_models)} file(s) for {len(names)} components; "
                "give one binary file for two components, or for three or more a "
                "multicomponent file built from the binaries: propkg mixture "
                f"{' '.join(names)} --binary FILE ... -o MIX.onnx, then mixture_model='MIX.onnx'")
        path = Path(binary_models[0])
    elif len(names) == 2:
        path, _ = find_binary_model(names[0], names[1])
    else:
        path = find_mixture_model(names)
    model = load_gibbs_model(path, activity_model)  # refuse a bad file now
    warn_if_liquid_splits(model)
    warn_if_poor_held_out(model)
    order = model.component_names
    if sorted(order) != sorted(names):
        raise PropkgError(
            f"the g^E model '{path}' is for {order}, but the package has {names}; give a "
            "model of exactly the package's components")
    return {"type": LiquidPhase, "equation_of_state": ActivityCoeffLiquid,
            "equation_of_state_options": {"model": str(path), "activity_model": activity_model,
                                          "model_components": list(order)}}


__all__ = ["GibbsExcessModel", "check_liquid_stability", "liquid_phase_config",
           "load_gibbs_model"]
