"""propkg: hybrid (mechanism + data) thermodynamic property models.

The package defines hybrid pure-component and mixture property models (a mechanistic
backbone plus a small smooth learned correction), trains them on small data sets and
exports each to a self-describing ONNX file. It never imports Pyomo or IDAES; the
:mod:`idaes_plugin` package reads the ONNX files and builds Pyomo expressions from them.
"""

from propkg_contract.errors import PropkgError

__version__ = "0.1.0"

__all__ = ["PropkgError", "__version__"]
