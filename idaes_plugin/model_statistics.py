"""Faster IDAES model statistics for models with large shared (named) expressions.

IDAES's degrees-of-freedom checks (``idaes.core.util.model_statistics``:
``degrees_of_freedom`` -> ``variables_in_activated_equalities_set`` and its two siblings)
call Pyomo's ``identify_variables`` once per constraint without Pyomo's
``named_expression_cache``, so a named expression is walked again for every constraint
that uses it. propkg's property expressions are chains of shared named subexpressions
(activity coefficients, enthalpies, bubble and dew points), and IDAES's ``initialize()``
runs these checks many times: the acetone/methanol/water TrayColumn's default
``initialize()`` spends 110 s in total, 26 s with the cache
(``validation/reports/speed/model_statistics.md``).

:func:`install` wraps the three functions so that each call shares one cache across its
constraints: the model does not change during one call, so each call returns exactly what
the original returns. It is installed when :mod:`idaes_plugin.vle_package` or
:mod:`idaes_plugin.pure_methods` is imported (a propkg property package is being used);
``PROPKG_IDAES_STATISTICS_CACHE=0`` leaves IDAES untouched; :func:`uninstall` restores it.
"""

from __future__ import annotations

import functools
import os

#: the functions of idaes.core.util.model_statistics that walk every constraint
WRAPPED = (
    "variables_in_activated_constraints_set",
    "variables_in_activated_equalities_set",
    "variables_in_activated_inequalities_set",
)
#: name -> IDAES's original function, while installed
_ORIGINALS: dict = {}


def _with_one_cache(module, function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        cache: dict = {}
        walk = module.identify_variables

        def identify_variables(expr, include_fixed=True, named_expression_cache=None):
            shared = cache if named_expression_cache is None else named_expression_cache
            return walk(expr, include_fixed, shared)

        module.identify_variables = identify_variables
        try:
            return function(*args, **kwargs)
        finally:
            module.identify_variables = walk

    wrapper.propkg_cached = True
    return wrapper


def install() -> bool:
    """Wrap IDAES's three functions (idempotent); False if switched off by the variable."""
    if os.environ.get("PROPKG_IDAES_STATISTICS_CACHE", "1") == "0":
        return False
    import idaes.core.util.model_statistics as ms

    for name in WRAPPED:
        function = getattr(ms, name)
        if not getattr(function, "propkg_cached", False):
            _ORIGINALS[name] = function
            setattr(ms, name, _with_one_cache(ms, function))
    return True


def uninstall() -> None:
    """Put IDAES's original functions back."""
    import idaes.core.util.model_statistics as ms

    for name, function in _ORIGINALS.items():
        setattr(ms, name, function)
    _ORIGINALS.clear()


def original(name: str):
    """IDAES's own function ``name`` (one of :data:`WRAPPED`), installed or not."""
    import idaes.core.util.model_statistics as ms

    return _ORIGINALS.get(name, getattr(ms, name))
