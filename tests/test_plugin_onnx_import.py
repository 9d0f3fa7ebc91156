"""Loading and refusing ONNX models (idaes_plugin.onnx_import), from tiny graphs built here."""

import casadi as ca
import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from idaes_plugin.onnx_import import load_model
from propkg_contract.errors import MetadataError, UnitsError, UnsupportedOperationError
from propkg_contract.metadata import attach_metadata, validate_metadata
from propkg_contract.ops import SUPPORTED_OPS
from tests.tolerances import CROSS_IMPLEMENTATION_RTOL


def _metadata(inputs=None, outputs=None):
    return validate_metadata(
        {
            "schema_version": 1,
            "kind": "pure_component",
            "components": [{"name": "tiny", "cas": "0-00-0", "molar_mass": 0.1}],
            "inputs": inputs or {"temperature": {"units": "K"}},
            "outputs": outputs or {"pressure_sat_comp": {"units": "Pa"}},
            "domain": {"temperature": [250.0, 500.0]},
            "backbone": {},
            "training_data": {},
            "error_statistics": {},
            "propkg_version": "0.1.0",
        }
    )


def _graph(op, input_name="temperature", output="pressure_sat_comp", domain="", extra=()):
    """One-node graph ``output = op(input, *extra)`` with a symbolic batch dimension."""
    x = helper.make_tensor_value_info(input_name, TensorProto.DOUBLE, ["batch", 1])
    y = helper.make_tensor_value_info(output, TensorProto.DOUBLE, ["batch", 1])
    inits = [numpy_helper.from_array(np.array([[v]]), f"c{k}") for k, v in enumerate(extra)]
    node = helper.make_node(
        op, [input_name, *[t.name for t in inits]], [output], name="n17", domain=domain
    )
    opsets = [helper.make_opsetid("", 17)]
    if domain:
        opsets.append(helper.make_opsetid(domain, 1))
    graph = helper.make_graph([node], "tiny", [x], [y], initializer=inits)
    return helper.make_model(graph, opset_imports=opsets)


def _with_metadata(proto, **kwargs):
    attach_metadata(proto, _metadata(**kwargs))
    return proto


@pytest.mark.unit
@pytest.mark.parametrize("op", ["Relu", "Abs", "Sign", "Max", "LeakyRelu", "Floor", "Erf"])
def test_non_smooth_op_refused_by_node_name(op):
    extra = (1.0,) if op == "Max" else ()
    proto = _with_metadata(_graph(op, extra=extra))
    with pytest.raises(UnsupportedOperationError, match=f"node 'n17' .*uses op '{op}'"):
        load_model(proto)


@pytest.mark.unit
def test_where_refused():
    x = helper.make_tensor_value_info("temperature", TensorProto.DOUBLE, [1, 1])
    y = helper.make_tensor_value_info("pressure_sat_comp", TensorProto.DOUBLE, [1, 1])
    nodes = [
        helper.make_node(
            "Constant", [], ["zero"], value=numpy_helper.from_array(np.zeros((1, 1)))
        ),
        helper.make_node("Greater", ["temperature", "zero"], ["cond"], name="cmp"),
        helper.make_node("Where", ["cond", "temperature", "zero"], ["pressure_sat_comp"]),
    ]
    proto = helper.make_model(
        helper.make_graph(nodes, "g", [x], [y]), opset_imports=[helper.make_opsetid("", 17)]
    )
    with pytest.raises(UnsupportedOperationError, match="node 'cmp' .*'Greater'"):
        load_model(_with_metadata(proto))


@pytest.mark.unit
def test_custom_domain_refused():
    proto = _with_metadata(_graph("MySmoothOp", domain="com.example"))
    with pytest.raises(UnsupportedOperationError, match="custom-op domain 'com.example'"):
        load_model(proto)


@pytest.mark.unit
def test_missing_metadata_refused():
    with pytest.raises(MetadataError, match="expected one metadata_props entry 'propkg'"):
        load_model(_graph("Tanh"))


@pytest.mark.unit
@pytest.mark.parametrize(
    "outputs, match",
    [
        ({"pressure_sat_comp": {"units": "K"}}, "'pressure_sat_comp' declares unit 'K'"),
        ({"pressure_sat_comp": {"units": "J/mol"}}, "must have the dimension of 'Pa'"),
        ({"pressure_sat_comp": {"units": "furlongs_per_bar"}}, "pint cannot read"),
        ({"pressure_sat_comp": {"units": "1000*Pa"}}, "with a numeric factor"),
    ],
)
def test_unit_mismatch_refused(outputs, match):
    with pytest.raises(UnitsError, match=match):
        load_model(_with_metadata(_graph("Tanh"), outputs=outputs))


@pytest.mark.unit
def test_input_unit_mismatch_refused():
    proto = _with_metadata(_graph("Tanh"), inputs={"temperature": {"units": "Pa"}})
    with pytest.raises(UnitsError, match="'temperature' declares unit 'Pa'"):
        load_model(proto)


@pytest.mark.unit
def test_wrong_input_name_refused():
    proto = _with_metadata(_graph("Tanh", input_name="T"))
    with pytest.raises(MetadataError, match=r"graph inputs \['T'\] do not match"):
        load_model(proto)


@pytest.mark.unit
def test_missing_output_refused():
    proto = _with_metadata(_graph("Tanh", output="y"))
    with pytest.raises(MetadataError, match="declares output.*'pressure_sat_comp'.*not produce"):
        load_model(proto)


@pytest.mark.unit
def test_missing_file_refused(tmp_path):
    with pytest.raises(MetadataError, match="does not exist"):
        load_model(tmp_path / "nothing.onnx")


@pytest.mark.unit
@pytest.mark.parametrize(
    "op, extra, reference",
    [
        ("Sigmoid", (), lambda t: 1.0 / (1.0 + np.exp(-t))),
        ("Softplus", (), lambda t: np.log1p(np.exp(t))),
        ("Tanh", (), np.tanh),
        ("Pow", (1.5,), lambda t: t**1.5),
        ("Div", (7.0,), lambda t: t / 7.0),
    ],
)
def test_supported_op_imports_with_symbolic_batch(op, extra, reference):
    model = load_model(_with_metadata(_graph(op, extra=extra)))
    for t in (0.3, 2.0, 45.0):
        value = model.evaluate(["pressure_sat_comp"], temperature=t)[0]
        assert value == pytest.approx(reference(t), rel=CROSS_IMPLEMENTATION_RTOL)


@pytest.mark.unit
def test_softplus_rewritten_without_branches():
    """CasADi imports Softplus with a branch at x = 40; the plugin's graph is smooth."""
    model = load_model(_with_metadata(_graph("Softplus")))
    fun = model.function
    ops = {fun.instruction_id(k) for k in range(fun.n_instructions())}
    assert not ops & {ca.OP_LT, ca.OP_IF_ELSE_ZERO, ca.OP_FMIN, ca.OP_NOT}
    d = model.evaluate(["pressure_sat_comp"], wrt_derivative="temperature", temperature=40.0)
    assert d[0] == pytest.approx(1.0 / (1.0 + np.exp(-40.0)), rel=1e-15)


@pytest.mark.unit
def test_casadi_export_uses_only_supported_ops(tmp_path):
    """What CasADi's exporter writes for typical hybrid-model MX is accepted."""
    T = ca.MX.sym("temperature", 1, 1)
    w = np.linspace(0.1, 0.8, 4).reshape(4, 1)
    h = ca.tanh(w @ (T / 300) + 0.1)
    y = ca.exp(ca.sum1(h) + ca.log(T)) + ca.sqrt(T) / (1 + ca.exp(-T / 100)) + T**1.5
    path = tmp_path / "m.onnx"
    f = ca.Function("m", [T], [y], ["temperature"], ["pressure_sat_comp"])
    ca.GraphBuilder(f, {}).export_onnx(str(path))
    proto = onnx.load(str(path))
    assert {n.op_type for n in proto.graph.node} <= SUPPORTED_OPS
    attach_metadata(proto, _metadata())
    onnx.save(proto, str(path))
    model = load_model(path)
    assert model.evaluate(["pressure_sat_comp"], temperature=321.0)[0] == pytest.approx(
        float(f(321.0)), rel=CROSS_IMPLEMENTATION_RTOL
    )


@pytest.mark.unit
def test_vector_input_model_translates_and_refuses_vector_derivative():
    """A (2, 1) input (as the binary g^E models' mole_frac_comp) is read element-wise."""
    import pyomo.environ as pyo

    from idaes_plugin.pyomo_block import add_onnx_block

    T = ca.MX.sym("temperature", 1, 1)
    x = ca.MX.sym("mole_frac_comp", 2, 1)
    a = 1.2 - 300.0 / T
    ge = x[0] * x[1] * a
    f = ca.Function("g", [T, x], [ge, ca.vertcat(x[1] * a, x[0] * a)],
                    ["temperature", "mole_frac_comp"],
                    ["gibbs_excess_rt", "log_act_coeff_comp"])  # fmt: skip
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/g.onnx"
        ca.GraphBuilder(f, {}).export_onnx(path)
        proto = onnx.load(path)
    attach_metadata(proto, _metadata(
        inputs={"temperature": {"units": "K"}, "mole_frac_comp": {"units": "1"}},
        outputs={"gibbs_excess_rt": {"units": "1"}, "log_act_coeff_comp": {"units": "1"}},
    ))  # fmt: skip
    model = load_model(proto)
    assert model.size_of("mole_frac_comp") == 2 and model.size_of("log_act_coeff_comp") == 2
    m = pyo.ConcreteModel()
    blk = add_onnx_block(m, "b", model, derivatives=[("log_act_coeff_comp", "temperature")])
    blk.temperature.set_value(350.0)
    blk.mole_frac_comp[0].set_value(0.3)
    blk.mole_frac_comp[1].set_value(0.7)
    expected = np.array(f(350.0, [0.3, 0.7])[1]).ravel()
    got = [pyo.value(blk.log_act_coeff_comp[i]) for i in range(2)]
    np.testing.assert_allclose(got, expected, rtol=CROSS_IMPLEMENTATION_RTOL)
    d_expected = [0.7 * 300.0 / 350.0**2, 0.3 * 300.0 / 350.0**2]
    got_d = [pyo.value(blk.d_log_act_coeff_comp_d_temperature[i]) for i in range(2)]
    np.testing.assert_allclose(got_d, d_expected, rtol=1e-14)
    with pytest.raises(UnsupportedOperationError, match="non-scalar input 'mole_frac_comp'"):
        model.sx_function(["gibbs_excess_rt"], wrt_derivative="mole_frac_comp")
