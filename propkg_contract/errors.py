"""Typed errors of propkg and idaes_plugin.

Every error names the object at fault, what was expected and what was found, and
(where there is one) what the user can do about it.
"""


class PropkgError(Exception):
    """Base class of every error raised by propkg and idaes_plugin."""


class MetadataError(PropkgError):
    """An ONNX file's propkg metadata is missing or malformed."""


class UnsupportedOperationError(PropkgError):
    """A model uses an operation that cannot be translated (e.g. a non-smooth ONNX op)."""


class UnitsError(PropkgError):
    """Units given by the user do not match the units a model declares."""


class DomainError(PropkgError):
    """A state lies outside a model's validity domain."""


class DataError(PropkgError):
    """Training or reference data are unusable (missing column, NaN, too few points...)."""


class SolverError(PropkgError):
    """A solver could not be run or did not converge."""
