"""Training and held-out validation of one component's hybrid transport model.

For each output: CoolProp values at :func:`~propkg.transport.data.training_temperatures`
(at most 12) fix the correction (:func:`~propkg.transport.model.fit_correction` of
ln(y_CoolProp / y_backbone)); the absolute relative deviations of the hybrid and of the
backbone alone are then measured at the held-out temperatures. An output CoolProp does
not cover keeps the backbone alone (``params[output] = None``), with the reason recorded.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np

from propkg.transport.data import (
    coolprop_missing,
    coolprop_t_max,
    coolprop_values,
    heldout_temperatures,
    training_temperatures,
)
from propkg.transport.model import (
    OUTPUT_UNITS,
    VAPOR_T_MAX,
    HybridTransportModel,
    default_domains,
    fit_correction,
    transport_constants,
)


def deviation_statistics(y: np.ndarray, reference: np.ndarray) -> dict:
    """AAD and maximum absolute relative deviation, [%]."""
    dev = 100.0 * np.abs(np.asarray(y) / np.asarray(reference) - 1.0)
    return {"aad_percent": float(np.mean(dev)), "max_percent": float(np.max(dev)),
            "n_points": int(dev.size)}  # fmt: skip


def train_transport(name: str) -> tuple[HybridTransportModel, dict]:
    """Fit the transport model of a shipped component and validate it on held-out points.

    Returns
    -------
    model : HybridTransportModel
    report : dict
        ``outputs``: per output ``domain``, ``n_train``, ``hybrid`` and ``backbone``
        statistics on held-out points (or ``skipped`` with the reason); ``training_sha256``
        of the training values; ``source`` (CoolProp version).
    """
    import CoolProp

    constants = transport_constants(name)
    fluid = constants.pure.coolprop
    domains = default_domains(constants, min(VAPOR_T_MAX, coolprop_t_max(fluid)))
    model = HybridTransportModel(constants, domains)
    outputs, digest = {}, hashlib.sha256()
    for output in OUTPUT_UNITS:
        domain = domains[output]
        t_train = training_temperatures(domain)
        reason = coolprop_missing(fluid, output, float(np.mean(domain)))
        if reason is not None:
            model.params[output] = None
            outputs[output] = {"domain": list(domain), "skipped": reason}
            continue
        y_train = coolprop_values(fluid, output, t_train)
        digest.update(json.dumps([output, t_train.tolist(), y_train.tolist()]).encode())
        target = np.log(y_train / model.backbone(output, t_train))
        model.params[output] = fit_correction(model.scaled_input(output, t_train), target)
        t_test = heldout_temperatures(domain)
        y_test = coolprop_values(fluid, output, t_test)
        outputs[output] = {
            "domain": list(domain),
            "n_train": int(t_train.size),
            "hybrid": deviation_statistics(model.value(output, t_test), y_test),
            "backbone": deviation_statistics(model.backbone(output, t_test), y_test),
            "reference": f"CoolProp {CoolProp.__version__}, held-out temperatures",
        }
    report = {
        "component": name,
        "outputs": outputs,
        "training_sha256": digest.hexdigest(),
        "source": f"CoolProp {CoolProp.__version__}",
    }
    return model, report
