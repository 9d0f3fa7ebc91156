"""Activity-coefficient liquid phase for IDAES from propkg binary g^E models.

``liquid_phase_config(component_names, activity_model)`` returns the ``"Liq"`` phase
configuration used by :func:`idaes_plugin.vle_config` (``activity_model`` in
{"hybrid", "unifac", "nrtl"}), which also selects the bubble/dew method an activity model
needs (``LogBubbleDew``).
"""

from __future__ import annotations

from collections.abc import Sequence

from idaes_plugin.activity.gibbs_model import MODEL_SUFFIX, BinaryGibbsModel, load_binary_model
from idaes_plugin.activity.stability import check_liquid_stability, warn_if_liquid_splits
from propkg_contract.errors import PropkgError


def liquid_phase_config(component_names: Sequence[str], activity_model: str) -> dict:
    """IDAES configuration of an activity-coefficient ``"Liq"`` phase.

    Parameters
    ----------
    component_names : sequence of str
        The two package components (names, aliases or CAS numbers of the shipped models);
        any order, the model's order is mapped.
    activity_model : str
        ``"hybrid"`` (backbone + learned correction), ``"unifac"`` (Dortmund) or ``"nrtl"``
        (ChemSep), all from the same shipped file ``<c1>__<c2>.onnx``.

    Returns
    -------
    dict
        ``{"type": LiquidPhase, "equation_of_state": ActivityCoeffLiquid,
        "equation_of_state_options": {"model", "activity_model", "model_components"}}``.

    Raises
    ------
    PropkgError
        Not two components, an unknown activity model, or no shipped binary model.
    """
    from idaes.core import LiquidPhase

    from idaes_plugin.activity.eos import ActivityCoeffLiquid
    from propkg_contract.registry import find_binary_model

    names = list(component_names)
    if activity_model not in MODEL_SUFFIX:
        raise PropkgError(
            f"activity_model {activity_model!r} is not one of {sorted(MODEL_SUFFIX)} (or None "
            "for Raoult's law in vle_config)")
    if len(names) != 2:
        raise PropkgError(
            f"activity models are binary; got {len(names)} components {names}")
    path, swapped = find_binary_model(names[0], names[1])
    order = names[::-1] if swapped else names
    model = load_binary_model(path, activity_model)  # refuse a bad file now, not at build time
    warn_if_liquid_splits(model)
    return {"type": LiquidPhase, "equation_of_state": ActivityCoeffLiquid,
            "equation_of_state_options": {"model": str(path), "activity_model": activity_model,
                                          "model_components": order}}


__all__ = ["BinaryGibbsModel", "check_liquid_stability", "liquid_phase_config",
           "load_binary_model"]
