"""ONNX opset and op policy of the propkg contract.

Equation-oriented solvers need twice-differentiable functions, so a propkg model may use
only smooth operations of the default ONNX domain (:data:`SMOOTH_OPS`) and structural ones
that move numbers without computing (:data:`STRUCTURAL_OPS`). The writer refuses to write
anything else and the reader refuses to load it, naming the node and the op. The set is
what CasADi's ONNX importer translates; ``Softplus`` is rewritten to ``log(1 + exp(x))``
on reading because CasADi imports it with a branch.
"""

from __future__ import annotations

import onnx
from onnx import helper

from propkg_contract.errors import UnsupportedOperationError

#: ONNX opset written by CasADi 3.8's ``GraphBuilder.export_onnx``; every propkg file uses it
OPSET = 16

#: ops that are smooth (C-infinity where defined)
SMOOTH_OPS = frozenset(
    {
        "Add", "Sub", "Mul", "Div", "Pow", "Neg", "Reciprocal", "Exp", "Log", "Sqrt",
        "Tanh", "Sigmoid", "Softplus", "Sinh", "Cosh", "Sin", "Cos", "Atan",
        "MatMul", "Gemm", "ReduceSum",
    }
)  # fmt: skip
#: ops that only move, reshape or select numbers
STRUCTURAL_OPS = frozenset(
    {
        "Constant", "Identity", "Concat", "Reshape", "Transpose", "Unsqueeze", "Slice",
        "Gather", "Split",
    }
)  # fmt: skip
SUPPORTED_OPS = SMOOTH_OPS | STRUCTURAL_OPS
DEFAULT_DOMAINS = ("", "ai.onnx")


def check_graph(proto: onnx.ModelProto, where: str = "<model>") -> None:
    """Refuse an ONNX graph with a non-smooth, unknown or custom-domain node.

    Parameters
    ----------
    proto : onnx.ModelProto
        The model.
    where : str
        File name used in error messages.

    Raises
    ------
    UnsupportedOperationError
        Naming the first offending node, its op and domain, and the supported ops.
    """
    for opset in proto.opset_import:
        if opset.domain not in DEFAULT_DOMAINS:
            raise UnsupportedOperationError(
                f"ONNX model {where} imports the custom-op domain '{opset.domain}'; only the "
                "default ONNX domain can be translated to Pyomo"
            )
    supported = ", ".join(sorted(SUPPORTED_OPS))
    for k, node in enumerate(proto.graph.node):
        label = node.name or f"#{k}"
        if node.domain not in DEFAULT_DOMAINS:
            raise UnsupportedOperationError(
                f"ONNX node '{label}' of {where} uses op '{node.op_type}' from the custom "
                f"domain '{node.domain}', which cannot be translated; supported: {supported}"
            )
        if node.op_type not in SUPPORTED_OPS:
            raise UnsupportedOperationError(
                f"ONNX node '{label}' of {where} uses op '{node.op_type}', which is not "
                "twice differentiable or not translatable (only smooth ops reach Pyomo); "
                f"supported: {supported}"
            )


def file_opset(proto: onnx.ModelProto) -> int | None:
    """Version of the default-domain opset a model imports (None if it imports none)."""
    versions = {o.domain: o.version for o in proto.opset_import}
    for domain in DEFAULT_DOMAINS:
        if domain in versions:
            return int(versions[domain])
    return None


def replace_softplus(proto: onnx.ModelProto) -> onnx.ModelProto:
    """Copy of ``proto`` with ``Softplus(x)`` rewritten as ``Log(Add(Exp(x), 1))``.

    CasADi's importer implements Softplus with a branch (``x > 40 ? x : log1p(exp(x))``),
    which is not smooth; the rewritten graph is the textbook smooth formula.
    """
    if not any(n.op_type == "Softplus" for n in proto.graph.node):
        return proto
    out = onnx.ModelProto()
    out.CopyFrom(proto)
    nodes = []
    for k, node in enumerate(out.graph.node):
        if node.op_type != "Softplus":
            nodes.append(node)
            continue
        tag = f"_propkg_softplus_{k}"
        nodes += [
            helper.make_node(
                "Constant", [], [f"{tag}_one"], name=f"{tag}_c",
                value=helper.make_tensor(f"{tag}_v", onnx.TensorProto.DOUBLE, [], [1.0]),
            ),
            helper.make_node("Exp", [node.input[0]], [f"{tag}_exp"], name=f"{tag}_e"),
            helper.make_node("Add", [f"{tag}_exp", f"{tag}_one"], [f"{tag}_sum"], name=f"{tag}_a"),
            helper.make_node("Log", [f"{tag}_sum"], [node.output[0]], name=node.name or tag),
        ]  # fmt: skip
    del out.graph.node[:]
    out.graph.node.extend(nodes)
    return out
