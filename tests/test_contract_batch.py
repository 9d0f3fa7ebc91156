"""BatchEvaluator (propkg_contract.batch) against onnxruntime and the CasADi reference."""

import numpy as np
import pytest

from propkg_contract.batch import BatchEvaluator
from propkg_contract.errors import MetadataError, PropkgError
from propkg_contract.reader import load_model, onnx_session, run_onnx
from propkg_contract.registry import default_model_dir
from tests.tolerances import CROSS_IMPLEMENTATION_RTOL

N_ROWS = 2_503  # not a multiple of the chunk size: the last chunk is short


def _close(actual, expected):
    """Relative agreement; outputs that cross zero (h, s at 298.15 K) use rtol * max|ref|
    (as tests/test_pure_onnx.py)."""
    rtol = CROSS_IMPLEMENTATION_RTOL
    np.testing.assert_allclose(
        actual, expected, rtol=rtol, atol=rtol * float(np.max(np.abs(expected)))
    )


def _inputs(model, n):
    rng = np.random.default_rng(7)
    low, high = model.domain_of("temperature")
    inputs = {"temperature": np.linspace(low, high, n)}
    if "mole_frac_comp" in model.input_names:
        x = rng.uniform(0.01, 0.99, n)
        inputs["mole_frac_comp"] = np.column_stack([x, 1.0 - x])
    return inputs


def _casadi_reference(model, outputs, inputs, n):
    """The reader's SX function mapped over the rows (the numeric oracle).

    A mapped function takes its per-row arguments side by side (``rows x (cols * n)``),
    each row's tensor in column-major order.
    """
    fun = model.sx_function(outputs).map(n)
    args = []
    for name, (rows, cols) in zip(model.input_names, model.input_shapes, strict=True):
        flat = np.asarray(inputs[name], dtype=float).reshape(n, rows * cols)
        args.append(np.hstack([row.reshape(rows, cols, order="F") for row in flat]))
    values = fun(*args)
    values = [values] if len(outputs) == 1 else list(values)
    result = {}
    for name, value in zip(outputs, values, strict=True):
        rows, cols = model.output_shapes[model.output_names.index(name)]
        blocks = np.hsplit(np.asarray(value), n)
        result[name] = np.array([b.ravel(order="F") for b in blocks]).squeeze()
    return result


CASES = [
    ("water", ["pressure_sat_comp"]),
    ("water", None),
    ("benzene__toluene.onnx", ["log_act_coeff_comp", "gibbs_excess_rt"]),
]


@pytest.mark.component
@pytest.mark.parametrize("backend", ["onnxruntime", "compiled"])
@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize(("source", "outputs"), CASES)
def test_batch_evaluator_matches_onnxruntime_and_casadi(source, outputs, backend, threads):
    path = default_model_dir() / source if source.endswith(".onnx") else source
    model = load_model(path)
    inputs = _inputs(model, N_ROWS)
    evaluator = BatchEvaluator(path, outputs, threads=threads, backend=backend, chunk_rows=1000)
    got = evaluator(**inputs)
    names = list(model.output_names if outputs is None else outputs)
    assert sorted(got) == sorted(names)
    ort = run_onnx(onnx_session(model.source), **inputs)
    oracle = _casadi_reference(model, names, inputs, N_ROWS)
    for name in names:
        assert got[name].shape == ort[name].shape
        _close(got[name], ort[name])
        _close(got[name], oracle[name])


@pytest.mark.unit
def test_batch_evaluator_refuses_bad_arguments():
    with pytest.raises(PropkgError, match="backend 'gpu' is unknown"):
        BatchEvaluator("water", backend="gpu")
    with pytest.raises(PropkgError, match="threads >= 1"):
        BatchEvaluator("water", threads=0)
    with pytest.raises(MetadataError, match="no output.*'viscosity'"):
        BatchEvaluator("water", outputs=["viscosity"])
    evaluator = BatchEvaluator("water", outputs=["pressure_sat_comp"])
    with pytest.raises(MetadataError, match=r"input\(s\) \['temperature'\] not given"):
        evaluator(pressure=[1.0])
