"""Fast evaluation of a propkg ONNX model on large batches of states.

:class:`BatchEvaluator` evaluates selected outputs of a model on ``N`` states at once, by
one of two backends that compute the same arithmetic as the model file:

``"onnxruntime"`` (default)
    The graph pruned to the requested outputs (:func:`~propkg_contract.reader.prune_outputs`;
    asking for one output costs that output only), onnxruntime's full graph optimisation,
    and the batch cut into chunks of ``chunk_rows`` rows: every intermediate tensor of a
    chunk stays in the CPU cache, where one call on the whole batch streams each of the
    graph's ~500 intermediates through main memory. With ``threads > 1`` chunks run
    concurrently on a thread pool (onnxruntime releases the GIL; one intra-op thread each).

``"compiled"``
    The CasADi SX function of the requested outputs (the reader's reference evaluator,
    :meth:`~propkg_contract.reader.OnnxPropertyModel.sx_function`) generated as C by CasADi,
    compiled once with the system C compiler (``cc``, ``-O2``, no fast-math: IEEE
    arithmetic, so values equal CasADi's own to round-off of the C library) into
    ``$PROPKG_CACHE_DIR/batch/`` (default ``~/.cache/propkg``), keyed by the sha256 of the
    generated code, and called per row from a C loop through ``ctypes`` (which releases
    the GIL, so ``threads`` chunks run in parallel). Fastest when many outputs share
    intermediates (all outputs of a file); needs a C compiler.

Example
-------
>>> from propkg_contract.batch import BatchEvaluator
>>> psat = BatchEvaluator("water", outputs=["pressure_sat_comp"], threads=2)
>>> values = psat(T=np.linspace(300.0, 600.0, 100_000))["pressure_sat_comp"]
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import casadi as ca
import numpy as np
import onnx

from propkg_contract.errors import MetadataError, PropkgError
from propkg_contract.reader import load_model, prune_outputs
from propkg_contract.registry import resolve_model_path

BACKENDS = ("onnxruntime", "compiled")

_LOOP_C = """
#include <stdlib.h>
int propkg_batch(long long start, long long stop, const double** inputs,
                 const long long* in_width, double** outputs, const long long* out_width) {
  const casadi_real* arg[%(n_in)d];
  casadi_real* res[%(n_out)d];
  casadi_int iw[%(sz_iw)d + 1];
  casadi_real w[%(sz_w)d + 1];
  for (long long i = start; i < stop; ++i) {
    for (int k = 0; k < %(n_in)d; ++k) arg[k] = inputs[k] + i * in_width[k];
    for (int k = 0; k < %(n_out)d; ++k) res[k] = outputs[k] + i * out_width[k];
    if (%(name)s(arg, res, iw, w, 0)) return 1;
  }
  return 0;
}
"""


def cache_dir() -> Path:
    """Folder for propkg's caches: ``$PROPKG_CACHE_DIR``, default ``~/.cache/propkg``."""
    return Path(os.environ.get("PROPKG_CACHE_DIR", Path.home() / ".cache" / "propkg"))


class BatchEvaluator:
    """Evaluate outputs of a propkg ONNX model on a batch of states.

    Parameters
    ----------
    source : path, shipped model name/alias/CAS
        The model (resolved and checked as by :func:`~propkg_contract.reader.load_model`).
    outputs : sequence of str, optional
        Outputs to compute (default: all outputs declared in the metadata).
    threads : int
        Number of chunks evaluated concurrently (1: the calling thread only).
    backend : {"onnxruntime", "compiled"}
        See the module docstring.
    chunk_rows : int
        Rows per chunk (16384 keeps a chunk's float64 tensors within the L2 cache).

    Raises
    ------
    MetadataError
        An output the model does not provide.
    PropkgError
        An unknown backend, a bad ``threads``/``chunk_rows``, or (``"compiled"``) no C
        compiler or a failed compilation.
    """

    def __init__(
        self,
        source,
        outputs: Sequence[str] | None = None,
        threads: int = 1,
        backend: str = "onnxruntime",
        chunk_rows: int = 16384,
    ):
        if backend not in BACKENDS:
            raise PropkgError(
                f"BatchEvaluator backend {backend!r} is unknown; use one of {BACKENDS}"
            )
        if int(threads) < 1 or int(chunk_rows) < 1:
            raise PropkgError(
                f"BatchEvaluator needs threads >= 1 and chunk_rows >= 1, got threads={threads}, "
                f"chunk_rows={chunk_rows}"
            )
        self.path = resolve_model_path(source)
        self.model = load_model(self.path)
        self.outputs = tuple(self.model.output_names if outputs is None else outputs)
        self.model.require_outputs(self.outputs)
        self.input_names = self.model.input_names
        self.threads, self.backend, self.chunk_rows = int(threads), backend, int(chunk_rows)
        self._pool = ThreadPoolExecutor(self.threads) if self.threads > 1 else None
        if backend == "onnxruntime":
            self._session = _pruned_session(self.path, self.outputs)
        else:
            self._library, self._function = _compiled_library(self.model, self.outputs)

    def __call__(self, T=None, **inputs) -> dict[str, np.ndarray]:
        """Outputs at a batch of states, as :func:`~propkg_contract.reader.run_onnx`.

        ``T`` is shorthand for ``temperature=``; each input is reshaped to
        ``[batch, width]``. Returns output name -> array (1-D for scalar outputs,
        ``[batch, width]`` otherwise).
        """
        if T is not None:
            inputs["temperature"] = T
        missing = [n for n in self.input_names if n not in inputs]
        if missing:
            raise MetadataError(
                f"{self.path}: input(s) {missing} not given to BatchEvaluator; got {sorted(inputs)}"
            )
        feed = {
            n: np.ascontiguousarray(inputs[n], dtype=np.float64).reshape(-1, self.model.size_of(n))
            for n in self.input_names
        }
        rows = {len(v) for v in feed.values()}
        if len(rows) != 1:
            raise MetadataError(f"{self.path}: inputs of different batch sizes {sorted(rows)}")
        n_rows = rows.pop()
        out = {n: np.empty((n_rows, self.model.size_of(n))) for n in self.outputs}
        starts = range(0, n_rows, self.chunk_rows)
        if self.backend == "onnxruntime":
            def task(start):
                stop = min(start + self.chunk_rows, n_rows)
                values = self._session.run(
                    list(self.outputs), {k: v[start:stop] for k, v in feed.items()}
                )
                for name, value in zip(self.outputs, values, strict=True):
                    out[name][start:stop] = np.reshape(value, (stop - start, -1))
        else:
            task = self._compiled_task(feed, out, n_rows)
        if self._pool is None or len(starts) < 2:
            for start in starts:
                task(start)
        else:
            list(self._pool.map(task, starts))
        return {k: (v.ravel() if v.shape[1] == 1 else v) for k, v in out.items()}

    def _compiled_task(self, feed: dict, out: dict, n_rows: int):
        ptr = ctypes.POINTER(ctypes.c_double)
        in_arrays = [feed[n] for n in self.input_names]
        out_arrays = [out[n] for n in self.outputs]
        in_ptrs = (ptr * len(in_arrays))(*[a.ctypes.data_as(ptr) for a in in_arrays])
        out_ptrs = (ptr * len(out_arrays))(*[a.ctypes.data_as(ptr) for a in out_arrays])
        in_width = (ctypes.c_longlong * len(in_arrays))(*[a.shape[1] for a in in_arrays])
        out_width = (ctypes.c_longlong * len(out_arrays))(*[a.shape[1] for a in out_arrays])

        def task(start):
            stop = min(start + self.chunk_rows, n_rows)
            if self._function(start, stop, in_ptrs, in_width, out_ptrs, out_width):
                raise PropkgError(f"{self.path}: the compiled evaluator failed on rows "
                                  f"{start}-{stop}")  # fmt: skip

        return task


def _pruned_session(path: Path, outputs: tuple[str, ...]):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    proto = prune_outputs(onnx.load(str(path)), outputs, str(path))
    return ort.InferenceSession(
        proto.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )


def _compiled_library(model, outputs: tuple[str, ...]):
    """ctypes handle of the compiled row loop of ``model.sx_function(outputs)`` (cached)."""
    fun = model.sx_function(outputs)
    with tempfile.TemporaryDirectory(prefix="propkg_batch_") as tmp:
        generator = ca.CodeGenerator("propkg_batch.c", {"with_header": False})
        generator.add(fun)
        generator.generate(tmp + os.sep)
        code = Path(tmp, "propkg_batch.c").read_text()
    code += _LOOP_C % {
        "n_in": fun.n_in(), "n_out": fun.n_out(), "sz_iw": fun.sz_iw(), "sz_w": fun.sz_w(),
        "name": fun.name(),
    }  # fmt: skip
    digest = hashlib.sha256(code.encode()).hexdigest()[:24]
    folder = cache_dir() / "batch"
    library = folder / f"{digest}.so"
    if not library.exists():
        compiler = shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc")
        if compiler is None:
            raise PropkgError(
                "BatchEvaluator(backend='compiled') needs a C compiler (cc or $CC); none was "
                "found: install one or use backend='onnxruntime'"
            )
        folder.mkdir(parents=True, exist_ok=True)
        source = folder / f"{digest}.c"
        source.write_text(code)
        partial = folder / f"{digest}.{os.getpid()}.so"
        result = subprocess.run(
            [compiler, "-O2", "-shared", "-fPIC", str(source), "-o", str(partial), "-lm"],
            capture_output=True, text=True,
        )  # fmt: skip
        if result.returncode != 0:
            raise PropkgError(
                f"compiling the batch evaluator of {model.source} with {compiler} failed: "
                f"{result.stderr.strip()[-500:]}"
            )
        os.replace(partial, library)  # atomic: concurrent processes never see half a file
    handle = ctypes.CDLL(str(library))
    function = handle.propkg_batch
    function.restype = ctypes.c_int
    ptr = ctypes.POINTER(ctypes.c_double)
    function.argtypes = [
        ctypes.c_longlong, ctypes.c_longlong, ctypes.POINTER(ptr),
        ctypes.POINTER(ctypes.c_longlong), ctypes.POINTER(ptr), ctypes.POINTER(ctypes.c_longlong),
    ]  # fmt: skip
    return handle, function
