r"""IDAES's FTPx state definition: a guard on feeds' mole fractions, free computed phase
variables, a better two-phase start.

In IDAES's ``FTPx`` a state block that defines its state (a feed, a unit's inlet) has no
:math:`\sum_j z_j = 1` constraint: the mole fractions are specified. Fixed to values that
sum to 1.4, a flash then solves "optimal" with 1.4 mol/s leaving for 1 mol/s entering.
:class:`FTPxChecked` is IDAES's ``FTPx`` (same variables, equations, initialization and
scaling) plus, in such blocks only,

.. math:: 1 - \epsilon \le \sum_j z_j \le 1 + \epsilon,\qquad \epsilon = 10^{-6}

(``mole_frac_sum_check``), an inequality: it adds no equation, so degrees of freedom are
unchanged, and a state connected to an upstream outlet (whose fractions already sum to 1)
satisfies it strictly. With fixed fractions that violate it Pyomo's presolve proves the
model infeasible and names the constraint; IDAES's initialization raises a
:class:`~propkg_contract.errors.DomainError` naming the block and the sum first.

Second difference: the *computed* phase variables - ``phase_frac`` (IDAES: :math:`\ge 0`),
the lower bounds of ``flow_mol_phase`` (0) and of ``mole_frac_phase_comp`` (1e-20) - carry
no bounds (:data:`RELAXED_BOUNDS`); the state variables keep IDAES's. In a column the
saturated, nearly pure tray streams sit a hair inside those bounds (vapour fractions
1.6e-5 to 1e-3, bottoms fractions ~1e-4) and IPOPT's bound push (1e-2 absolute near a zero
bound) and fraction-to-boundary rule move or block them: IDAES's own
``TrayColumn.initialize()`` of the methanol/water column at IDAES's test specification
needed 466 IPOPT iterations in its last solve (456 in restoration) where it allows 200
(``validation/reports/column_default_init.md``). The bounds are not what keeps solutions
physical: with either phase-equilibrium form of :func:`idaes_plugin.vle_config`,
:class:`idaes_plugin.phase_equilibrium.ComplementarityVLE` (phase flows complementary to
temperature slacks, positive at every solution) or
:class:`idaes_plugin.phase_equilibrium.BracketedSmoothVLE` (equilibrium temperature between
the bubble and dew points), the vapour fraction lies in [0, 1] by construction (with IDAES's
``SmoothVLE`` it did not: a near-azeotropic ethanol/water flash solved at
:math:`\beta = -0.019` once the bound was gone). A package that uses IDAES's ``SmoothVLE``
with this state definition keeps IDAES's bounds.

Third difference: a two-phase state block's first split comes from the package's own
fugacities (:func:`idaes_plugin.initial_split.refine_two_phase_split`) instead of IDAES's
Raoult start, whose vapour fractions need not sum to 1.
"""

from __future__ import annotations

from idaes.models.properties.modular_properties.state_definitions.FTPx import FTPx
from pyomo.environ import Constraint, value

from idaes_plugin.initial_split import refine_two_phase_split
from idaes_plugin.phase_equilibrium import BracketedSmoothVLE, ComplementarityVLE
from propkg_contract.errors import DomainError

#: tolerance of the sum of the overall mole fractions of a state block that defines its state
MOLE_FRACTION_SUM_TOL = 1e-6


def _mole_fraction_sum(b):
    return sum(b.mole_frac_comp[j] for j in b.component_list)


#: (variable, lower, upper) bounds of IDAES's FTPx phase variables removed: True = removed
RELAXED_BOUNDS = (
    ("phase_frac", True, True),
    ("flow_mol_phase", True, False),
    ("mole_frac_phase_comp", True, False),
)


#: phase-equilibrium forms whose vapour fractions lie in [0, 1] at every solution
PHYSICAL_FORMS = (BracketedSmoothVLE, ComplementarityVLE)


def _physical_phase_equilibrium(b) -> bool:
    """True if every phase pair of ``b``'s package uses one of :data:`PHYSICAL_FORMS`."""
    forms = b.params.config.phase_equilibrium_state or {}
    return bool(forms) and all(
        isinstance(f, type) and issubclass(f, PHYSICAL_FORMS)
        for f in forms.values()
    )


def define_state(b):
    """IDAES's ``FTPx.define_state`` plus ``mole_frac_sum_check`` in state-defining blocks,
    without the bounds :data:`RELAXED_BOUNDS` of the computed phase variables (packages with
    one of :data:`PHYSICAL_FORMS` only); the state variables of computed states (outlets)
    start without a value."""
    FTPx.define_state(b)
    if _physical_phase_equilibrium(b):
        for name, lower, upper in RELAXED_BOUNDS:
            for element in getattr(b, name).values():
                if lower:
                    element.setlb(None)
                if upper:
                    element.setub(None)
    if b.config.defined_state:
        b.mole_frac_sum_check = Constraint(
            expr=(1 - MOLE_FRACTION_SUM_TOL, _mole_fraction_sum(b), 1 + MOLE_FRACTION_SUM_TOL)
        )
    else:
        for var in (b.flow_mol, b.temperature, b.pressure, b.mole_frac_comp):
            for element in var.values():
                element.set_value(None)


def state_initialization(b):
    """Refuse fixed mole fractions that do not sum to 1, then IDAES's FTPx initialization.

    Raises
    ------
    DomainError
        Naming the state block, the fractions and their sum.
    """
    fractions = {j: b.mole_frac_comp[j] for j in b.component_list}
    if all(v.fixed for v in fractions.values()):
        total = sum(value(v) for v in fractions.values())
        if abs(total - 1.0) > MOLE_FRACTION_SUM_TOL:
            shown = ", ".join(f"{j} {value(v):g}" for j, v in fractions.items())
            raise DomainError(
                f"{b.name}: the fixed mole fractions ({shown}) sum to {total:g}, not 1; "
                "fix fractions that sum to 1"
            )
    FTPx.state_initialization(b)
    refine_two_phase_split(b)


class FTPxChecked(FTPx):
    """IDAES's ``FTPx`` whose feeds' mole fractions must sum to 1 (see the module doc)."""

    define_state = staticmethod(define_state)
    state_initialization = staticmethod(state_initialization)
