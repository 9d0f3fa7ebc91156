"""The batch axis of exported ONNX files, and their re-import into CasADi.

CasADi's ``GraphBuilder(f).export_onnx`` writes fixed shapes (``[1, 1]`` for a scalar,
``[1, n]`` for a row). propkg's graphs act row by row (element-wise ops, and ``Gemm`` with
constant right-hand matrices), so the first axis can be made symbolic: onnxruntime then
evaluates ``[batch, ...]`` arrays in one call. The exporters check that claim numerically.
"""

from __future__ import annotations

from pathlib import Path

#: name of the symbolic first axis of every input and output tensor
BATCH = "batch"


def set_batch_dimension(graph) -> None:
    """Make the first axis of every graph input and output the symbolic ``"batch"``."""
    for value in list(graph.input) + list(graph.output):
        dim = value.type.tensor_type.shape.dim[0]
        dim.ClearField("dim_value")
        dim.dim_param = BATCH


def casadi_import(path: str | Path, name: str = "onnx_model"):
    """CasADi MX function of an ONNX file, symbolic import, batch axis bound to 1."""
    import casadi as ca

    builder = ca.GraphBuilder(str(path), {})
    for param in builder.dynamic_params():
        builder.bind_dim(param, 1)
    return builder.create(name, {"symbolic": True})
