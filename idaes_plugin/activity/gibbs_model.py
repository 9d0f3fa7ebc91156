r"""A propkg g^E ONNX model (binary or multicomponent), imported into CasADi and Pyomo.

The file (``kind`` ``"binary_excess_gibbs"`` or ``"multicomponent_excess_gibbs"``) has
inputs ``temperature`` [batch, 1] and ``mole_frac_comp`` [batch, N] and outputs
``gibbs_excess_rt`` and ``log_act_coeff_comp`` (the hybrid) plus ``*_unifac`` / ``*_nrtl``
(the backbones alone). The graph is refused if it
contains a non-smooth op (:func:`propkg_contract.ops.check_graph`), imported with
``casadi.GraphBuilder`` and expanded to SX; temperature derivatives for the excess
enthalpy are formed here by CasADi's algorithmic differentiation,

.. math::

    \frac{h^E}{RT} = -T\frac{\partial (g^E/RT)}{\partial T},\qquad
    \frac{\bar h^E_i}{RT} = -T\frac{\partial \ln\gamma_i}{\partial T},\qquad
    c_p^E = \frac{\partial h^E}{\partial T},

and the SX graph is written into Pyomo by :func:`idaes_plugin.casadi_to_pyomo.sx_to_pyomo`
(exact first and second derivatives reach IPOPT through the NL file).

The file is read by the plugin's :func:`propkg_contract.reader.load_model` (graph check,
metadata, units, batch dimension); this module adds the mixture's variables and derivatives.
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
                "d_log_act_coeff_comp_dT", "d2_gibbs_excess_rt_dT2", "d2_log_act_coeff_comp_dT2")


#: kinds of g^E model files this module reads
GIBBS_KINDS = ("binary_excess_gibbs", "multicomponent_excess_gibbs")


@dataclass(frozen=True, eq=False)
class GibbsExcessModel:
    """One activity model (hybrid or a backbone) of a g^E ONNX file.

    Attributes
    ----------
    source : str
        File path.
    metadata : ModelMetadata
    activity_model : str
        ``"hybrid"``, ``"unifac"`` or ``"nrtl"``.
    function : casadi.Function
        SX ``(T [K], x_1 ... x_N) -> (g^E/RT, ln gamma [N], d(g^E/RT)/dT [1/K],
        d ln gamma/dT [N, 1/K], d2(g^E/RT)/dT2 [1/K**2], d2 ln gamma/dT2 [N, 1/K**2])`` in
        model component order.
    """

    source: str
    metadata: ModelMetadata
    activity_model: str
    function: ca.Function = field(repr=False)

    @property
    def component_names(self) -> list[str]:
        """Component names in model order."""
        return self.metadata.component_names

    def evaluate(self, T: float, x) -> dict[str, np.ndarray]:
        """Numeric outputs at T [K] and mole fractions ``x`` (model order; a float x is
        the first component's mole fraction of a binary)."""
        x = [x, 1.0 - x] if np.ndim(x) == 0 else list(x)
        out = self.function(T, *x)
        return {n: np.array(v).ravel() for n, v in zip(OUTPUT_NAMES, out, strict=True)}

    def pyomo_expressions(self, T, xs, subexpression=None) -> dict:
        """Pyomo expressions of the outputs for dimensionless T [K] and the mole fractions
        ``xs`` (model order)."""
        values = sx_to_pyomo(self.function, [T, *xs], subexpression)
        return dict(zip(OUTPUT_NAMES, values, strict=True))


def load_gibbs_model(path: str | Path, activity_model: str = "hybrid") -> GibbsExcessModel:
    """Load and check a g^E ONNX model (cached per file content and model).

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
        raise MetadataError(f"g^E model '{path}' does not exist")
    return _load(str(path.resolve()), sha256_of(path), activity_model)


@functools.lru_cache(maxsize=32)
def _load(path: str, digest: str, activity_model: str) -> GibbsExcessModel:
    del digest  # cache key only
    if activity_model not in MODEL_SUFFIX:
        raise MetadataError(
            f"activity model {activity_model!r} is not one of {sorted(MODEL_SUFFIX)}")
    model = load_model(path)  # graph check, metadata, names, units, batch dimension bound
    meta = model.metadata
    n = len(meta.components)
    if meta.kind not in GIBBS_KINDS or n < 2 or model.size_of("mole_frac_comp") != n:
        raise MetadataError(
            f"'{path}' is a {meta.kind} model of {meta.component_names}, not a g^E model "
            f"(kinds {GIBBS_KINDS}) with one mole fraction per component")
    suffix = MODEL_SUFFIX[activity_model]
    wanted = [f"gibbs_excess_rt{suffix}", f"log_act_coeff_comp{suffix}"]
    missing = [n for n in wanted if n not in meta.outputs]
    if missing:
        raise MetadataError(f"'{path}' has no output(s) {missing} for activity model "
                            f"{activity_model!r}; outputs: {sorted(meta.outputs)}")
    T = ca.SX.sym("T")
    xs = [ca.SX.sym(f"x{k + 1}") for k in range(n)]
    shape = model.input_shapes[model.input_names.index("mole_frac_comp")]
    values = model.function(temperature=T, mole_frac_comp=ca.reshape(ca.vertcat(*xs), *shape))
    outs = {name: values[name] for name in wanted}
    g, ln = outs[wanted[0]], ca.vec(outs[wanted[1]])
    dg, dln = ca.jacobian(g, T), ca.jacobian(ln, T)
    fun = ca.Function("gibbs_excess", [T, *xs],
                      [g, ln, dg, dln, ca.jacobian(dg, T), ca.jacobian(dln, T)],
                      ["temperature", *[f"x{k + 1}" for k in range(n)]], list(OUTPUT_NAMES))
    return GibbsExcessModel(path, meta, activity_model, fun)
