"""The ONNX contract between propkg (training) and idaes_plugin (Pyomo/IDAES).

Everything both sides must agree on lives here and nowhere else: the property vocabulary
with units and the gas constant (:mod:`~propkg_contract.vocabulary`), the metadata schema
(:mod:`~propkg_contract.metadata`), the opset and op policy (:mod:`~propkg_contract.ops`),
the one writer (:mod:`~propkg_contract.writer`), the one reader
(:mod:`~propkg_contract.reader`), the model registry (:mod:`~propkg_contract.registry`) and
the typed errors (:mod:`~propkg_contract.errors`).

The package imports neither the training code (:mod:`propkg`) nor Pyomo or IDAES; both
sides import it. Its run-time dependencies are numpy, onnx, onnxruntime and CasADi.
"""

from propkg_contract.errors import PropkgError

__all__ = ["PropkgError"]
