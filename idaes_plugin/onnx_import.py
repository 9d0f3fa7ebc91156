"""Load a propkg ONNX model, refuse what cannot be translated, and import it into CasADi.

The ONNX graph is scanned with the ``onnx`` package *before* CasADi sees it: every node must
be a smooth operation of the default ONNX domain (:data:`SUPPORTED_OPS`). Anything
non-smooth (``Relu``, ``Abs``, ``Where``, ``If`` ...), unknown, or from a custom-op domain is
refused with an :class:`~propkg_contract.errors.UnsupportedOperationError` naming the
node and the op. The propkg metadata (:mod:`propkg_contract.metadata`) must be present;
its tensor names must match the graph's and its units must be readable by Pyomo's pint
registry with the dimensions the
IDAES property names imply.

The accepted graph is imported with ``casadi.GraphBuilder(path).create(name,
{"symbolic": True})`` and expanded to an SX function, which is what
:mod:`idaes_plugin.casadi_to_pyomo` translates. Derivatives of outputs (``dT`` expressions,
``cp = dh/dT``) are formed here by CasADi's algorithmic differentiation of that SX graph.
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import casadi as ca
import numpy as np
import onnx
from onnx import helper

from propkg_contract.errors import MetadataError, UnitsError, UnsupportedOperationError
from propkg_contract.metadata import ModelMetadata, metadata_from_proto
from propkg_contract.registry import find_model, sha256_of

#: ONNX ops (default domain) that are smooth (C-infinity where defined) or purely structural.
SMOOTH_OPS = frozenset(
    {
        "Add", "Sub", "Mul", "Div", "Pow", "Neg", "Reciprocal", "Exp", "Log", "Sqrt",
        "Tanh", "Sigmoid", "Softplus", "Sinh", "Cosh", "Sin", "Cos", "Atan",
        "MatMul", "Gemm", "ReduceSum",
    }
)  # fmt: skip
STRUCTURAL_OPS = frozenset(
    {
        "Constant", "Identity", "Concat", "Reshape", "Transpose", "Unsqueeze", "Slice",
        "Gather", "Split",
    }
)  # fmt: skip
SUPPORTED_OPS = SMOOTH_OPS | STRUCTURAL_OPS
_DEFAULT_DOMAINS = ("", "ai.onnx")

#: Dimensions (as Pyomo units) of the property names the plugin knows; a model that declares
#: one of these tensors in units of another dimension is refused.
KNOWN_TENSOR_UNITS = {
    "temperature": "K",
    "pressure": "Pa",
    "pressure_sat_comp": "Pa",
    "dens_mol_liq_comp": "mol/m**3",
    "cp_mol_ig_comp": "J/mol/K",
    "cp_mol_liq_comp": "J/mol/K",
    "enth_mol_ig_comp": "J/mol",
    "enth_mol_liq_comp": "J/mol",
    "entr_mol_ig_comp": "J/mol/K",
    "entr_mol_liq_comp": "J/mol/K",
    "dh_vap_mol_comp": "J/mol",
}


def check_graph(proto: onnx.ModelProto, where: str = "<model>") -> None:
    """Refuse an ONNX graph that contains a non-smooth, unknown or custom-domain node.

    Parameters
    ----------
    proto : onnx.ModelProto
        The loaded model.
    where : str
        File name used in error messages.

    Raises
    ------
    UnsupportedOperationError
        Naming the first offending node, its op and domain, and the supported ops.
    """
    for opset in proto.opset_import:
        if opset.domain not in _DEFAULT_DOMAINS:
            raise UnsupportedOperationError(
                f"ONNX model {where} imports the custom-op domain '{opset.domain}'; only the "
                "default ONNX domain can be translated to Pyomo"
            )
    supported = ", ".join(sorted(SUPPORTED_OPS))
    for k, node in enumerate(proto.graph.node):
        label = node.name or f"#{k}"
        if node.domain not in _DEFAULT_DOMAINS:
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


def _replace_softplus(proto: onnx.ModelProto) -> onnx.ModelProto:
    """Rewrite ``Softplus(x)`` as ``Log(Add(Exp(x), 1))``.

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


@functools.lru_cache(maxsize=256)
def _pint_quantity(text: str, where: str, tensor: str | None = None):
    """Pint quantity of a unit string; ``"1"`` (dimensionless) allowed, numeric factors not."""
    from pyomo.environ import units as pyunits

    registry = pyunits._pint_registry
    label = f"tensor '{tensor}' declares unit {text!r}" if tensor else f"unit string {text!r}"
    try:
        quantity = registry.Quantity(registry.parse_expression(text))
    except Exception as exc:  # pint raises several error types
        raise UnitsError(f"{where}: {label}, which pint cannot read: {exc}") from None
    if quantity.magnitude != 1:
        raise UnitsError(f"{where}: {label} with a numeric factor; give a plain unit")
    return quantity


@functools.lru_cache(maxsize=256)
def parse_units(text: str, where: str = "<model>"):
    """Parse a metadata unit string (pint notation, ``"1"`` = dimensionless) into Pyomo units.

    Raises
    ------
    UnitsError
        If Pyomo's pint registry cannot read the string.
    """
    from pyomo.core.base.units_container import _PyomoUnit
    from pyomo.environ import units as pyunits

    return _PyomoUnit(_pint_quantity(text, where).units, pyunits._pint_registry)


def check_units(metadata: ModelMetadata, where: str = "<model>") -> None:
    """Check that every tensor's unit string parses and has the dimension its name implies.

    Raises
    ------
    UnitsError
        Naming the tensor, the declared and the expected units.
    """
    from pyomo.environ import units as pyunits

    reg = pyunits._pint_registry
    for group in (metadata.inputs, metadata.outputs):
        for name, spec in group.items():
            declared = spec["units"]
            quantity = _pint_quantity(declared, where, name)
            expected = KNOWN_TENSOR_UNITS.get(name)
            if expected is None:
                continue
            if quantity.dimensionality != reg.parse_expression(expected).dimensionality:
                raise UnitsError(
                    f"{where}: tensor '{name}' declares unit {declared!r}; an IDAES "
                    f"'{name}' must have the dimension of {expected!r}"
                )


@dataclass(frozen=True, eq=False)
class OnnxPropertyModel:
    """An accepted propkg ONNX model, imported into CasADi.

    Attributes
    ----------
    source : str
        File path (or ``"<in-memory>"``) the model came from.
    metadata : ModelMetadata
        Validated propkg metadata.
    input_names, output_names : tuple of str
        Tensor names in the order of :attr:`function`'s inputs and outputs.
    function : casadi.Function
        SX function, one argument per input tensor and one result per output tensor, with
        the graph's shapes (the batch dimension bound to 1).
    input_shapes, output_shapes : tuple of (rows, cols)
        Shapes of the inputs and outputs of :attr:`function`; elements are taken in
        column-major order wherever tensors are flattened.
    """

    source: str
    metadata: ModelMetadata
    input_names: tuple[str, ...]
    output_names: tuple[str, ...]
    function: ca.Function = field(repr=False)
    input_shapes: tuple[tuple[int, int], ...] = ()
    output_shapes: tuple[tuple[int, int], ...] = ()

    def size_of(self, tensor: str) -> int:
        """Number of elements of an input or output tensor (1 for scalars)."""
        if tensor in self.input_names:
            rows, cols = self.input_shapes[self.input_names.index(tensor)]
        else:
            rows, cols = self.output_shapes[self.output_names.index(tensor)]
        return rows * cols

    def units_of(self, tensor: str) -> str:
        """Unit string of an input or output tensor."""
        return self.metadata.units_of(tensor)

    def domain_of(
        self, tensor: str = "temperature", output: str | None = None
    ) -> tuple[float, float] | None:
        """Validity domain ``(lower, upper)`` of an input, or None if not given.

        With ``output``, the output's own domain (``outputs[output]["domain"][tensor]`` of
        the metadata) when the metadata gives one, else the model's global domain: an
        ideal-gas heat capacity is valid far beyond the liquid's range.
        """
        bounds = None
        if output is not None:
            bounds = self.metadata.outputs.get(output, {}).get("domain", {}).get(tensor)
        if bounds is None:
            bounds = self.metadata.domain.get(tensor)
        return None if bounds is None else (float(bounds[0]), float(bounds[1]))

    def require_outputs(self, names: Iterable[str]) -> None:
        """Raise :class:`MetadataError` unless every name is an output of the model."""
        missing = [n for n in names if n not in self.output_names]
        if missing:
            raise MetadataError(
                f"ONNX model {self.source} has no output(s) {missing}; it provides "
                f"{list(self.output_names)}"
            )

    def sx_function(
        self, outputs: Sequence[str], wrt_derivative: str | None = None, log: bool = False
    ) -> ca.Function:
        """SX function of the model inputs returning the selected outputs.

        Parameters
        ----------
        outputs : sequence of str
            Output tensor names.
        wrt_derivative : str, optional
            Input name; if given, the function returns the derivatives
            :math:`\\partial y_k / \\partial x` of the selected outputs instead, formed by
            CasADi's algorithmic differentiation of the imported graph (exact, no finite
            differences).
        log : bool
            Return :math:`\\ln y_k` (or its derivative) instead of :math:`y_k`. CasADi
            simplifies ``log(exp(z))`` to ``z``, so a model that ends in ``exp`` (a vapour
            pressure built on :math:`\\ln p^{sat}`) gives its logarithm without round-off.
        """
        self.require_outputs(outputs)
        return _sx_function(self, tuple(outputs), wrt_derivative, log)

    def evaluate(
        self, outputs: Sequence[str], wrt_derivative: str | None = None, log: bool = False,
        **inputs,
    ):  # fmt: skip
        """Numeric values of outputs (or their derivatives) at the given inputs.

        Inputs are floats or array-likes of the input's size; the result concatenates the
        (column-major flattened) outputs, one float per output for scalar outputs.
        """
        fun = self.sx_function(outputs, wrt_derivative, log)
        args = [
            np.reshape(np.asarray(inputs[name], dtype=float), shape, order="F")
            for name, shape in zip(self.input_names, self.input_shapes, strict=True)
        ]
        values = fun(*args)
        values = [values] if fun.n_out() == 1 else list(values)
        return np.concatenate([np.ravel(np.array(v), order="F") for v in values])


@functools.lru_cache(maxsize=256)
def _sx_function(model: OnnxPropertyModel, outputs: tuple[str, ...], wrt: str | None, log: bool):
    syms = model.function.sx_in()
    values = model.function(*syms)
    values = [values] if len(model.output_names) == 1 else list(values)
    chosen = [values[model.output_names.index(n)] for n in outputs]
    if log:
        chosen = [ca.log(y) for y in chosen]
        outputs = tuple(f"log_{n}" for n in outputs)
    if wrt is not None:
        if wrt not in model.input_names:
            raise MetadataError(
                f"ONNX model {model.source} has no input '{wrt}'; inputs: {model.input_names}"
            )
        x = syms[model.input_names.index(wrt)]
        if x.numel() != 1:
            raise UnsupportedOperationError(
                f"derivatives with respect to the non-scalar input '{wrt}' of "
                f"{model.source} are not provided; only scalar inputs"
            )
        chosen = [ca.jacobian(ca.vec(y), x) for y in chosen]
        names = [f"d_{n}_d_{wrt}" for n in outputs]
    else:
        names = list(outputs)
    chosen = [ca.cse(y) for y in chosen]  # exact: merges structurally identical nodes only
    return ca.Function("propkg_model", syms, chosen, list(model.input_names), names)


def _graph_input_names(proto: onnx.ModelProto) -> list[str]:
    initialized = {t.name for t in proto.graph.initializer}
    return [i.name for i in proto.graph.input if i.name not in initialized]


def _check_names(proto: onnx.ModelProto, metadata: ModelMetadata, where: str) -> None:
    graph_inputs = _graph_input_names(proto)
    if sorted(graph_inputs) != sorted(metadata.inputs):
        raise MetadataError(
            f"{where}: graph inputs {graph_inputs} do not match the metadata inputs "
            f"{sorted(metadata.inputs)}; input tensors must carry the property names"
        )
    graph_outputs = [o.name for o in proto.graph.output]
    missing = [n for n in metadata.outputs if n not in graph_outputs]
    if missing:
        raise MetadataError(
            f"{where}: metadata declares output(s) {missing} that the graph does not produce; "
            f"graph outputs: {graph_outputs}"
        )


def resolve_model_path(source: str | os.PathLike) -> Path:
    """File path of a model given as a path or as a shipped model's name, alias or CAS number."""
    path = Path(source)
    if path.suffix.lower() == ".onnx" or path.is_file():
        if not path.is_file():
            raise MetadataError(f"ONNX file '{path}' does not exist")
        return path.resolve()
    return find_model(str(source))


def load_model(source: str | os.PathLike | onnx.ModelProto) -> OnnxPropertyModel:
    """Load, validate and import a propkg ONNX model (cached per file content).

    Parameters
    ----------
    source : path, shipped model name/CAS, or onnx.ModelProto
        The model. Names are looked up in the shipped-model manifest (sha256 checked).

    Returns
    -------
    OnnxPropertyModel

    Raises
    ------
    UnsupportedOperationError
        A node is non-smooth, unknown or from a custom domain (checked before CasADi).
    MetadataError
        Metadata missing or malformed, or tensor names that differ from the graph's.
    UnitsError
        A unit string is unreadable or has the wrong dimension for its property.
    """
    if isinstance(source, onnx.ModelProto):
        return _load_proto(source, "<in-memory>")
    path = resolve_model_path(source)
    return _load_file(str(path), sha256_of(path))


@functools.lru_cache(maxsize=64)
def _load_file(path: str, digest: str) -> OnnxPropertyModel:
    del digest  # part of the cache key only: a rewritten file is re-imported
    try:
        proto = onnx.load(path)
    except Exception as exc:
        raise MetadataError(f"'{path}' is not a readable ONNX file: {exc}") from None
    return _load_proto(proto, path)


def _load_proto(proto: onnx.ModelProto, where: str) -> OnnxPropertyModel:
    check_graph(proto, where)
    metadata = metadata_from_proto(proto, where)
    _check_names(proto, metadata, where)
    check_units(metadata, where)
    proto = _replace_softplus(proto)
    with tempfile.TemporaryDirectory(prefix="propkg_onnx_") as tmp:
        tmp_path = os.path.join(tmp, "model.onnx")
        onnx.save(proto, tmp_path)
        try:
            builder = ca.GraphBuilder(tmp_path, {})
            for param in builder.dynamic_params():
                builder.bind_dim(param, 1)
            mx_fun = builder.create("propkg_model", {"symbolic": True})
        except RuntimeError as exc:  # e.g. an op/attribute combination CasADi lacks
            message = str(exc).strip().splitlines()[-1]
            raise UnsupportedOperationError(
                f"CasADi's ONNX import of {where} failed: {message}"
            ) from None
    input_names = tuple(mx_fun.name_in())
    graph_outputs = tuple(mx_fun.name_out())
    output_names = tuple(n for n in graph_outputs if n in metadata.outputs)
    input_shapes = tuple(tuple(mx_fun.size_in(k)) for k in range(len(input_names)))
    output_shapes = tuple(tuple(mx_fun.size_out(graph_outputs.index(n))) for n in output_names)
    syms = [ca.SX.sym(n, *shape) for n, shape in zip(input_names, input_shapes, strict=True)]
    mx_values = mx_fun.expand()(*syms)
    mx_values = [mx_values] if len(graph_outputs) == 1 else list(mx_values)
    selected = [mx_values[graph_outputs.index(n)] for n in output_names]
    sx_fun = ca.Function("propkg_model", syms, selected, list(input_names), list(output_names))
    return OnnxPropertyModel(
        where, metadata, input_names, output_names, sx_fun, input_shapes, output_shapes
    )
