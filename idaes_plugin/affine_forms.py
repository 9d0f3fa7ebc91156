r"""Leaner SX graphs for Pyomo: affine parts of a CasADi function merged into one sum each.

A model's graph holds many affine steps: a reduced temperature :math:`\tau = 1 - T_r`,
:math:`T_r = T/T_c`, a corresponding-states backbone :math:`f_0(\tau) + \omega f_1(\tau) +
\omega^2 f_2(\tau)` whose three polynomials share their basis terms, a network layer's
input scaling, the chain rule's constant factors in a derivative. Written as they come,
each step is one node, and every use of :math:`\tau` carries the whole chain
:math:`1 - (\ldots)/T_c` with it. Pyomo's tree walkers (IDAES's degrees-of-freedom checks
call ``identify_variables`` without a named-expression cache) expand every use again, and
the NL file, the NL reader and CasADi's Hessian pay for every node.

:func:`affine_normalized` rewrites a scalar SX function so that each affine combination
reaches its first non-affine use as one sum :math:`c_0 + \sum_k c_k\, u_k` over non-affine
terms :math:`u_k` (inputs and results of non-affine operations), identical terms merged:

.. math::

    a\,(c + b\,u) + d\,u = a c + (a b + d)\, u

The rewrite is exact in real arithmetic; in floating point the folded coefficients
differ from the step-by-step evaluation by round-off (relative :math:`\sim 10^{-16}` per
coefficient). Non-affine operations keep their CasADi op code (``SX.unary`` /
``SX.binary``), so the functions a model is made of are unchanged. An affine
combination used more than once stays shared (one node) unless it has at most
:data:`MAX_SHARED_TERMS` terms, which are cheaper to repeat than to reference.

Three more rewrites, exact in real arithmetic, shrink the vapour pressure further
(benzene's :math:`p^{sat}`: 94 -> 71 instructions, 63 -> 44 operations): a form holding
every atom of an affine form already written as one node is written with that node when
that leaves fewer terms (:class:`_Basis`: :math:`T_s/T_c = 1 - \tau`, a network input
:math:`c + k\tau`); a quotient by a product :math:`u\,w` whose numerator is
:math:`\alpha u + \beta w` becomes :math:`\alpha/w + \beta/u` (:func:`_partial_fractions`:
:math:`B (T - T_s)/(T\,T_s) = B/T_s - B/T`); and quotients by proportional denominators in
one sum become one quotient (:meth:`_Basis.merged`: :math:`N/T_r + B/T_s =
(N + B/T_c)/T_r`). Coefficients that cancel to within :data:`ROUND_OFF` are dropped.
"""

from __future__ import annotations

import casadi as ca
import numpy as np

from idaes_plugin.casadi_to_pyomo import program_of

#: a multiply-used affine combination of at most this many non-affine terms is merged into
#: each of its uses (``1 - T/T_c`` has one); a larger one stays one shared node
MAX_SHARED_TERMS = 2

_SOURCES = (ca.OP_CONST, ca.OP_INPUT, ca.OP_PARAMETER)


class _Affine:
    """:math:`c_0 + \\sum_k c_k u_k`: ``const`` and ``terms`` = {key: (coefficient, SX)}."""

    __slots__ = ("const", "terms", "_sx")

    def __init__(self, const: float = 0.0, terms: dict | None = None):
        self.const = const
        self.terms = terms or {}
        self._sx = None

    @classmethod
    def atom(cls, key, sx: ca.SX) -> _Affine:
        form = cls(0.0, {key: (1.0, sx)})
        form._sx = sx
        return form

    def is_constant(self) -> bool:
        return not self.terms

    def scaled(self, factor: float) -> _Affine:
        return _Affine(
            self.const * factor, {k: (c * factor, u) for k, (c, u) in self.terms.items()}
        )

    def plus(self, other: _Affine, sign: float = 1.0) -> _Affine:
        terms = dict(self.terms)
        for key, (c, u) in other.terms.items():
            if key in terms:
                total = terms[key][0] + sign * c
                if total == 0.0:
                    del terms[key]
                else:
                    terms[key] = (total, u)
            else:
                terms[key] = (sign * c, u)
        return _Affine(self.const + sign * other.const, terms)

    def sx(self) -> ca.SX:
        """The sum as one SX expression (built once; terms in a fixed order)."""
        if self._sx is None:
            expr = None
            for _, (c, u) in sorted(self.terms.items(), key=lambda item: item[0]):
                term = u if c == 1.0 else (-u if c == -1.0 else c * u)
                if expr is None:
                    expr = term
                elif c < 0.0 and c != -1.0:
                    expr = expr - (-c) * u
                else:
                    expr = expr + term
            if expr is None:
                expr = ca.SX(self.const)
            elif self.const != 0.0:
                expr = self.const + expr
            self._sx = expr
        return self._sx


def _affine_result(op: int, a: _Affine, b: _Affine | None) -> _Affine | None:
    """The affine form of ``op(a, b)``, or None if the operation is not affine in them."""
    if op == ca.OP_ASSIGN:
        return a
    if op == ca.OP_NEG:
        return a.scaled(-1.0)
    if op == ca.OP_TWICE:
        return a.scaled(2.0)
    if op == ca.OP_ADD:
        return a.plus(b)
    if op == ca.OP_SUB:
        return a.plus(b, -1.0)
    if op == ca.OP_MUL:
        if b.is_constant():
            return a.scaled(b.const)
        if a.is_constant():
            return b.scaled(a.const)
    if op == ca.OP_DIV and b.is_constant() and b.const != 0.0:
        return a.scaled(1.0 / b.const)
    return None


#: a coefficient that a substitution cancels to within this fraction of the terms it
#: came from is round-off of an exact zero and is dropped
ROUND_OFF = 1e-13


class _Basis:
    r"""Affine forms already written as SX nodes, used to eliminate one of their atoms.

    Once a form :math:`S = s_0 + s_d\,d + \sum_k s_k u_k` is one SX node, a later form
    holding the atom :math:`d` may be written with :math:`S` instead:

    .. math::

        c_0 + c_d\,d + \sum_k c_k u_k
        = (c_0 - r s_0) + r\,S + \sum_k (c_k - r s_k)\, u_k,\qquad r = c_d / s_d

    (exact in real arithmetic), kept only when it has fewer terms. A reduced temperature
    :math:`\tau = 1 - T_s/T_c` of a smoothed :math:`T_s` holds two atoms (:math:`T` and the
    smoothing's square root); :math:`T_s/T_c = 1 - \tau` and a network's scaled input
    :math:`(\tau - m)/s` then become one term each instead of two.
    """

    def __init__(self):
        self.entries: list[tuple] = []  # (eliminated key, its coefficient, form, key, SX)
        self.quotients: dict = {}  # atom key of a division -> (numerator, denominator)

    def merged(self, form: _Affine) -> _Affine:
        r"""``form`` with its divisions by proportional denominators merged into one,
        :math:`c_1 n_1/d + c_2 n_2/(\lambda d) = (c_1 n_1 + c_2 n_2/\lambda)/d` (exact in real
        arithmetic): a Wagner term :math:`N/T_r` and :math:`B/T_s = (B/T_c)/T_r` are one
        division."""
        groups: list[tuple[_Affine, list]] = []
        for key, (c, _) in form.terms.items():
            quotient = self.quotients.get(key)
            if quotient is None:
                continue
            for den, members in groups:
                ratio = _ratio(quotient[1], den)
                if ratio is not None:
                    members.append((key, c / ratio, quotient[0]))
                    break
            else:
                groups.append((quotient[1], [(key, c, quotient[0])]))
        terms = dict(form.terms)
        for den, members in groups:
            if len(members) < 2:
                continue
            num = _Affine()
            for key, c, n in members:
                num = num.plus(n.scaled(c))
                del terms[key]
            terms[members[0][0]] = (1.0, self.sx(num) / self.sx(den))
        return _Affine(form.const, terms) if len(terms) < len(form.terms) else form

    def rewritten(self, form: _Affine) -> _Affine:
        for eliminated, coefficient, basis, key, node in self.entries:
            if key in form.terms or not basis.terms.keys() <= form.terms.keys():
                continue
            r = form.terms[eliminated][0] / coefficient
            terms = dict(form.terms)
            for k, (c, u) in basis.terms.items():
                if k not in terms:
                    terms[k] = (-r * c, u)
                    continue
                old = terms[k][0]
                total = old - r * c
                if k == eliminated or abs(total) <= ROUND_OFF * max(abs(old), abs(r * c)):
                    del terms[k]
                else:
                    terms[k] = (total, u)
            terms[key] = (r, node)
            const = form.const - r * basis.const
            if abs(const) <= ROUND_OFF * max(abs(form.const), abs(r * basis.const)):
                const = 0.0
            if len(terms) < len(form.terms):
                form = _Affine(const, terms)
        return form

    def sx(self, form: _Affine) -> ca.SX:
        """``form`` as one SX node (rewritten with earlier nodes first; built once)."""
        if form._sx is None:
            lean = self.rewritten(self.merged(form))
            form._sx = lean.sx()
            if len(lean.terms) >= 2:
                eliminated = max(lean.terms)
                key = -1 - len(self.entries)
                self.entries.append(
                    (eliminated, lean.terms[eliminated][0], lean, key, form._sx)
                )
        return form._sx


def _ratio(a: _Affine, b: _Affine) -> float | None:
    """:math:`\\lambda` with ``a`` = :math:`\\lambda` ``b`` to round-off, or None."""
    if a.terms.keys() != b.terms.keys() or (a.const == 0.0) != (b.const == 0.0):
        return None
    pairs = [(a.const, b.const)] if b.const != 0.0 else []
    pairs += [(a.terms[q][0], b.terms[q][0]) for q in b.terms]
    if not pairs:
        return None
    ratio = pairs[0][0] / pairs[0][1]
    if all(abs(x - ratio * y) <= ROUND_OFF * abs(x) for x, y in pairs):
        return ratio
    return None


def _partial_fractions(
    k: int, num: _Affine, den: _Affine, products: dict, basis: _Basis
) -> _Affine | None:
    r"""``num / den`` as :math:`\alpha/w + \beta/u` when ``den`` is a product :math:`u\,w`
    of affine forms and :math:`n = \alpha u + \beta w` (exact in real arithmetic), else None.

    A supercritical extension :math:`B (T - T_s)/(T\,T_s)` of a vapour pressure becomes
    :math:`B/T_s - B/T`: two divisions instead of an affine numerator, a product and a
    division.
    """
    if den.const != 0.0 or len(den.terms) != 1:
        return None
    ((key, (c, _)),) = den.terms.items()
    if c != 1.0 or key not in products or num.is_constant():
        return None
    u, w = products[key]
    keys = sorted(num.terms.keys() | u.terms.keys() | w.terms.keys())

    def vector(f: _Affine) -> list[float]:
        return [f.const] + [f.terms[q][0] if q in f.terms else 0.0 for q in keys]

    basis_matrix, target = np.array([vector(u), vector(w)]).T, np.array(vector(num))
    # each equation scaled by its largest entry: coefficients of T (~1) and constants
    # (~1e6) weigh alike, and alpha, beta come out to round-off
    rows = np.maximum(np.abs(basis_matrix).max(axis=1), np.abs(target))
    rows[rows == 0.0] = 1.0
    (alpha, beta), *_ = np.linalg.lstsq(
        basis_matrix / rows[:, None], target / rows, rcond=None
    )
    scale = max(np.abs(target).max(), np.abs(basis_matrix * [alpha, beta]).max())
    if np.abs(basis_matrix @ [alpha, beta] - target).max() > ROUND_OFF * scale:
        return None
    terms = {}
    for key, c, factor in ((k, float(alpha), w), (k + 0.5, float(beta), u)):
        if c != 0.0:
            terms[key] = (1.0, c / basis.sx(factor))
            basis.quotients[key] = (_Affine(c), factor)
    return _Affine(0.0, terms)


def affine_normalized(fun: ca.Function) -> ca.Function:
    """``fun`` (scalar inputs and outputs, SX) with its affine parts merged (module docstring).

    Parameters
    ----------
    fun : casadi.Function
        An SX function whose inputs and outputs are scalars.

    Returns
    -------
    casadi.Function
        Same name, input and output names; the same values up to round-off.
    """
    if not fun.is_a("SXFunction") or any(fun.nnz_in(i) != 1 for i in range(fun.n_in())):
        return fun
    if any(fun.nnz_out(i) != 1 for i in range(fun.n_out())):
        return fun
    names_in = [fun.name_in(i) for i in range(fun.n_in())]
    names_out = [fun.name_out(i) for i in range(fun.n_out())]
    # structurally identical nodes first become one node, so that their terms merge
    inputs = [ca.SX.sym(name) for name in names_in]
    fun = ca.Function(fun.name(), inputs, ca.cse(fun.call(inputs)), names_in, names_out)
    program, uses = program_of(fun)
    outputs: list = [ca.SX(0.0)] * fun.n_out()
    forms: dict[int, _Affine] = {}
    basis = _Basis()
    products: dict[int, tuple[_Affine, _Affine]] = {}  # atom key -> its two factors
    for k, (op, args, out, constant) in enumerate(program):
        if op == ca.OP_OUTPUT:
            outputs[out[0]] = basis.sx(forms[args[0]])
            continue
        if op == ca.OP_CONST:
            form = _Affine(constant)
        elif op == ca.OP_INPUT:
            form = _Affine.atom(k, inputs[args[0]])
        else:
            operands = [forms[r] for r in args]
            form = _affine_result(op, operands[0], operands[1] if len(operands) > 1 else None)
            if form is None and op == ca.OP_DIV:
                form = _partial_fractions(k, operands[0], operands[1], products, basis)
            if form is None:
                sx = [basis.sx(f) for f in operands]
                value = ca.SX.unary(op, sx[0]) if len(sx) == 1 else ca.SX.binary(op, *sx)
                form = _Affine.atom(k, value)
                if op == ca.OP_DIV:
                    basis.quotients[k] = (operands[0], operands[1])
                if op == ca.OP_MUL:
                    products[k] = (operands[0], operands[1])
            elif uses[k] > 1 and len(form.terms) > MAX_SHARED_TERMS:
                form = _Affine.atom(k, basis.sx(form))  # one shared node
        forms[out[0]] = form
    return ca.Function(fun.name(), inputs, outputs, names_in, names_out)
