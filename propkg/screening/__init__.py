"""Screening of measured data before fitting: flags, one-line reasons and weights.

``screen_vapor_pressure(df, name, test_sources=(), ln_psat=None)`` and
``screen_liquid_density(df, name, ...)`` (pure, :mod:`propkg.screening.pure`);
``screen_bubble_points(df, a, b, test_sources=(), psat=None, psat_is_model=False)``
(binary, per data set, NIST-TDE-like quality factor Q, :mod:`propkg.screening.binary`).
Each returns a :class:`ScreeningResult` whose ``data`` is a copy of the input with
``flag`` (``ok``/``downweight``/``exclude``), ``reason`` and ``weight`` columns, and whose
``sets`` summarises each publication (data set). Test publications never enter a
consensus or smooth fit, and are never flagged by a test that uses the model being
evaluated (when the caller passes that model as the reference).
"""

from propkg.screening.binary import BinaryScreeningSettings, screen_bubble_points
from propkg.screening.pure import (
    PureScreeningSettings,
    ScreeningResult,
    screen_liquid_density,
    screen_pure,
    screen_vapor_pressure,
)

__all__ = [
    "BinaryScreeningSettings",
    "PureScreeningSettings",
    "ScreeningResult",
    "screen_bubble_points",
    "screen_liquid_density",
    "screen_pure",
    "screen_vapor_pressure",
]
