r"""A propkg binary g^E ONNX model, imported into CasADi and translated to Pyomo expressions.

The file (``kind`` ``"binary_excess_gibbs"``) has inputs ``temperature`` [batch, 1] and
``mole_frac_comp`` [batch, 2] and outputs ``gibbs_excess_rt`` and ``log_act_coeff_comp`` (the
hybrid) plus ``*_unifac`` / ``*_nrtl`` (the backbones alone). The graph is refused if it
contains a non-smooth op (:func:`propkg_contract.ops.check_graph`), imported with
``casadi.GraphBuilder`` and expanded to SX; temperature derivatives for the excess
enthalpy are formed here by CasADi's algorithmic differentiation,

.. math::

    \frac{h^E}{RT} = -T\frac{\partial (g^E/RT)}{\partial T},\qquad
    \frac{\bar h^E_i}{RT} = -T\frac{\partial \ln\gamma_i}{\partial T},

and the SX graph is written into Pyomo by :func:`idaes_plugin.casadi_to_pyomo.sx_to_pyomo`
(exact first and second derivatives reach IPOPT through the NL file).

The file is read by the plugin's :func:`propkg_contract.reader.load_model` (graph check,
metadata, units, batch dimension); this module adds the binary's variables and derivatives.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import casadi as ca
import numpy as np

from idaes_plugin.casadi_to_pyomo import sx_to_pyomo
from idaes_plugin.onnx_import import load_model
from propkg_contract.errors import MetadataError
from propkg_contract.metadata import ModelMetadata

#: activity_model name -> output suffix in the ONNX file
MODEL_SUFFIX = {"hybrid": "", "unifac": "_unifac", "nrtl": "_nrtl"}
OUTPUT_NAMES = ("gibbs_excess_rt", "log_act_coeff_comp", "d_gibbs_excess_rt_dT",
                "d_log_act_coeff_comp_dT")


@dataclass(frozen=True, eq=False)
class BinaryGibbsModel:
    """One activity model (hybrid or a backbone) of a binary ONNX file.

    Attributes
    ----------
    source : str
        File path.
    metadata : ModelMetadata
    activity_model : str
        ``"hybrid"``, ``"unifac"`` or ``"nrtl"``.
    function : casadi.Function
        SX ``(T [K], x1, x2) -> (g^E/RT, ln gamma [2], d(g^E/RT)/dT [1/K],
        d ln gamma/dT [2, 1/K])`` in model component order.
    """

    source: str
    metadata: ModelMetadata
    activity_model: str
    function: ca.Function = field(repr=False)

    @property
    def component_names(self) -> list[str]:
        """Component names in model order."""
        return self.metadata.component_names

    def evaluate(self, T: float, x1: float) -> dict[str, np.ndarray]:
        """Numeric outputs at (T [K], x1) (x2 = 1 - x1)."""
        out = self.function(T, x1, 1.0 - x1)
        return {n: np.array(v).ravel() for n, v in zip(OUTPUT_NAMES, out, strict=True)}

    def pyomo_expressions(self, T, x1, x2, subexpression=None) -> dict:
        """Pyomo expressions of the outputs for dimensionless T [K] and mole fractions."""
        values = sx_to_pyomo(self.function, [T, x1, x2], subexpression)
        return dict(zip(OUTPUT_NAMES, values, strict=True))


def load_binary_model(path: str | Path, activity_model: str = "hybrid") -> BinaryGibbsModel:
    """Load and check a binary g^E ONNX model (cached per file content and model).

    Raises
    ------
    MetadataError
        Wrong kind, unknown ``activity_model`` or missing outputs.
    UnsupportedOperationError
        A non-smooth or unsupported ONNX op.
    """
    from propkg_contract.registry import sha256_of

    path = Path(path)
    if not path.is_file():
        raise MetadataError(f"binary g^E model '{path}' does not exist")
    return _load(str(path.resolve()), sha256_of(path), activity_model)


@functools.lru_cache(maxsize=32)
def _load(path: str, digest: str, activity_model: str) -> BinaryGibbsModel:
    del digest  # cache key only
    if activity_model not in MODEL_SUFFIX:
        raise MetadataError(
            f"activity model {activity_model!r} is not one of {sorted(MODEL_SUFFIX)}")
    model = load_model(path)  # graph check, metadata, names, units, batch dimension bound
    meta = model.metadata
    if meta.kind != "binary_excess_gibbs" or len(meta.components) != 2:
        raise MetadataError(
            f"'{path}' is a {meta.kind} model of {meta.component_names}, not a binary g^E model")
    suffix = MODEL_SUFFIX[activity_model]
    wanted = [f"gibbs_excess_rt{suffix}", f"log_act_coeff_comp{suffix}"]
    missing = [n for n in wanted if n not in meta.outputs]
    if missing:
        raise MetadataError(f"'{path}' has no output(s) {missing} for activity model "
                            f"{activity_model!r}; outputs: {sorted(meta.outputs)}")
    T, x1, x2 = ca.SX.sym("T"), ca.SX.sym("x1"), ca.SX.sym("x2")
    values = model.function(temperature=T, mole_frac_comp=ca.horzcat(x1, x2))
    outs = {name: values[name] for name in wanted}
    g, ln = outs[wanted[0]], outs[wanted[1]]
    fun = ca.Function("binary_gibbs_excess", [T, x1, x2],
                      [g, ln, ca.jacobian(g, T), ca.jacobian(ln, T)],
                      ["temperature", "x1", "x2"], list(OUTPUT_NAMES))
    return BinaryGibbsModel(path, meta, activity_model, fun)
