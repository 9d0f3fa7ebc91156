"""Read an AMPL ``.nl`` file (text format, as Pyomo writes it) into CasADi SX expressions.

CasADi's own ``NlpBuilder.import_nl`` stops on several things Pyomo emits (suffix segments,
``if`` expressions, atanh/asinh/acosh, comments after expression lines, no objective), so
this module reads the format itself. It supports the opcodes of Pyomo's NL writer
(``pyomo/repn/ampl.py``): n-ary and binary sums, products, division, powers, negation,
``abs``, the unary functions, ``if`` with comparisons and ``and``/``or``, defined variables
(``V`` segments), constraint and objective bodies, bounds, initial guesses, and suffixes.
External functions (``F`` segments), logical constraints and complementarity conditions are
refused with :class:`~propkg_contract.errors.SolverError` naming what was found.

The format is documented in D. M. Gay, "Writing .nl Files", Sandia report SAND2005-7907P
(2005).

Notes
-----
Written by hand: no maintained Python package reads NL files without the compiled AMPL
Solver Library (Pyomo's PyNumero needs it, and it is not on PyPI).
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import casadi as ca
import numpy as np

from idaes_plugin.solvers.bounded_cache import get_recent, put_bounded
from propkg_contract.errors import SolverError

#: AMPL opcode -> (arity, builder); arity ``None`` means n-ary with a count line.
_UNARY = {
    13: ca.floor,
    14: ca.ceil,
    15: ca.fabs,
    16: lambda a: -a,
    34: ca.logic_not,
    37: ca.tanh,
    38: ca.tan,
    39: ca.sqrt,
    40: ca.sinh,
    41: ca.sin,
    42: lambda a: ca.log(a) / np.log(10.0),
    43: ca.log,
    44: ca.exp,
    45: ca.cosh,
    46: ca.cos,
    47: ca.atanh,
    49: ca.atan,
    50: ca.asinh,
    51: ca.asin,
    52: ca.acosh,
    53: ca.acos,
}
_BINARY = {
    0: lambda a, b: a + b,
    1: lambda a, b: a - b,
    2: lambda a, b: a * b,
    3: lambda a, b: a / b,
    4: ca.fmod,
    5: lambda a, b: a**b,
    20: ca.logic_or,
    21: ca.logic_and,
    22: lambda a, b: a < b,
    23: lambda a, b: a <= b,
    24: lambda a, b: a == b,
    28: lambda a, b: a >= b,
    29: lambda a, b: a > b,
    30: lambda a, b: a != b,
    48: ca.atan2,
    76: lambda a, b: a**b,  # OP1POW: x ** constant
    78: lambda a, b: a**b,  # OPCPOW: constant ** x
}
_NARY = {
    11: lambda args: _fold(ca.fmin, args),
    12: lambda args: _fold(ca.fmax, args),
    54: lambda args: _fold(lambda a, b: a + b, args),
    70: lambda args: _fold(ca.logic_and, args),
    71: lambda args: _fold(ca.logic_or, args),
}


def _fold(op, args):
    result = args[0]
    for arg in args[1:]:
        result = op(result, arg)
    return result


@dataclass
class _NumericData:
    """The NL file's numbers that are solver inputs, not part of the model: bounds
    (``b``, ``r`` segments), initial primal (``x``) and dual (``d``) values."""

    lbx: np.ndarray
    ubx: np.ndarray
    lbg: np.ndarray
    ubg: np.ndarray
    x0: np.ndarray
    lam_g0: np.ndarray

    @classmethod
    def empty(cls, n_vars: int, n_cons: int) -> _NumericData:
        """No bounds, zero initial values (what the format means by an absent segment)."""
        return cls(
            lbx=np.full(n_vars, -np.inf),
            ubx=np.full(n_vars, np.inf),
            lbg=np.full(n_cons, -np.inf),
            ubg=np.full(n_cons, np.inf),
            x0=np.zeros(n_vars),
            lam_g0=np.zeros(n_cons),
        )


@dataclass
class NLProblem(_NumericData):
    """A continuous NLP read from an NL file: its bounds and initial values
    (:class:`_NumericData`) and

    ``min/max f(x)  s.t.  lbg <= g(x) <= ubg,  lbx <= x <= ubx``.
    """

    x: ca.SX
    f: ca.SX
    g: ca.SX
    #: +1 to minimise, -1 to maximise (the sign ``f`` was multiplied by), 0 without objective
    objective_sense: int
    n_objectives: int
    #: suffixes read from S segments: ``(kind, name) -> {index: value}``; kind 0 var, 1 con,
    #: 2 obj, 3 problem
    suffixes: dict[tuple[int, str], dict[int, float]] = field(default_factory=dict)
    #: which reader built the expressions: "casadi" (CasADi's C++ import) or "python"
    reader: str = "python"
    #: hash of the model part of the file (all but bounds and initial values); files with
    #: the same key define the same f and g (see :func:`read_nl`)
    model_key: str = ""

    @property
    def n_vars(self) -> int:
        return int(self.x.numel())

    @property
    def n_cons(self) -> int:
        return int(self.g.numel())


class _Lines:
    """Cursor over the lines of an NL file whose comments and suffix segments are blanked
    (:func:`_split_suffixes`)."""

    def __init__(self, text: str, source: str):
        self.lines = text.splitlines()
        self.pos = 0
        self.source = source

    def next(self) -> str:
        if self.pos >= len(self.lines):
            raise SolverError(f"NL file '{self.source}' ends unexpectedly at line {self.pos}")
        line = self.lines[self.pos]
        self.pos += 1
        return line.strip()

    def done(self) -> bool:
        return self.pos >= len(self.lines)

    def error(self, message: str) -> SolverError:
        return SolverError(f"NL file '{self.source}', line {self.pos}: {message}")


def _read_expression(lines: _Lines, variables: list) -> ca.SX:
    """Read one prefix-notation expression and build it as SX (iteratively, no recursion)."""
    nodes: list[tuple[str, object]] = []  # ("op", (code, arity)) or ("val", SX/float)
    pending = 1
    while pending:
        token = lines.next()
        pending -= 1
        kind = token[:1]
        if kind == "n":
            nodes.append(("val", float(token[1:])))
        elif kind == "v":
            index = int(token[1:])
            if index >= len(variables):
                raise lines.error(f"reference to variable v{index} before it is defined")
            nodes.append(("val", variables[index]))
        elif kind == "o":
            code = int(token[1:])
            if code in _UNARY:
                arity = 1
            elif code in _BINARY:
                arity = 2
            elif code in _NARY:
                arity = int(lines.next())
            elif code == 35:
                arity = 3
            else:
                raise lines.error(
                    f"AMPL opcode o{code} is not supported by propkg's NL reader; supported: "
                    f"{sorted([*_UNARY, *_BINARY, *_NARY, 35])}"
                )
            nodes.append(("op", (code, arity)))
            pending += arity
        elif kind == "f":
            raise lines.error(
                "the model calls an external (compiled) function; CasADi's IPOPT cannot "
                "evaluate AMPL external functions. Replace it by a Pyomo expression or use "
                "a real ipopt executable"
            )
        elif kind == "h":
            raise lines.error("string arguments (external functions) are not supported")
        else:
            raise lines.error(f"unexpected token {token!r} in an expression")
    stack: list = []
    for kind, payload in reversed(nodes):
        if kind == "val":
            stack.append(payload)
            continue
        code, arity = payload
        args = [stack.pop() for _ in range(arity)]
        if code in _UNARY:
            stack.append(_UNARY[code](args[0]))
        elif code in _BINARY:
            stack.append(_BINARY[code](args[0], args[1]))
        elif code == 35:
            stack.append(ca.if_else(args[0], args[1], args[2]))
        else:
            stack.append(_NARY[code](args))
    (result,) = stack
    return ca.SX(result) if not isinstance(result, ca.SX) else result


def _read_linear_terms(lines: _Lines, count: int, x: ca.SX) -> ca.SX:
    total = ca.SX(0)
    for _ in range(count):
        index, coef = lines.next().split()
        total += float(coef) * x[int(index)]
    return total


def _bounds_line(line: str) -> tuple[float, float]:
    parts = line.split()
    code = int(parts[0])
    if code == 0:
        return float(parts[1]), float(parts[2])
    if code == 1:
        return -np.inf, float(parts[1])
    if code == 2:
        return float(parts[1]), np.inf
    if code == 3:
        return -np.inf, np.inf
    if code == 4:
        value = float(parts[1])
        return value, value
    raise SolverError(
        f"NL bound code {code} (complementarity) is not supported: the model has "
        "complementarity conditions; reformulate them (e.g. pyomo.mpec transformations)"
    )


@dataclass
class _ParsedModel:
    """The NLP's expressions: what the ``V``, ``C``, ``O``, ``J``, ``G`` segments define."""

    x: ca.SX
    f: ca.SX
    g: ca.SX
    objective_sense: int
    reader: str


#: segments holding :class:`_NumericData`; their lines after the header start with a digit
_DATA_SEGMENTS = frozenset("rbxd")


def _read_data_segment(seg: str, rest: list[str], lines: _Lines, data: _NumericData) -> None:
    """Read one ``r``, ``b``, ``x`` or ``d`` segment (header already read) into ``data``."""
    if seg == "r":
        for i in range(len(data.lbg)):
            data.lbg[i], data.ubg[i] = _bounds_line(lines.next())
    elif seg == "b":
        for i in range(len(data.lbx)):
            data.lbx[i], data.ubx[i] = _bounds_line(lines.next())
    else:
        target = data.x0 if seg == "x" else data.lam_g0
        for _ in range(int(rest[0])):
            index, val = lines.next().split()
            target[int(index)] = float(val)


def _partition(text: str) -> tuple[str, str]:
    """Split blanked NL text into (model, data): the data are the ``r``/``b``/``x``/``d``
    segments, the model everything else. Both keep the file's line count (the other part's
    lines are blank), so errors name the file's line.

    A line starting with ``r``, ``b``, ``x`` or ``d`` is always a segment header (expression
    tokens start with ``n``, ``v``, ``o``, ``f``, ``h`` or a digit), and a segment's lines are
    the digit-led lines that follow it.
    """
    model: list[str] = []
    data: list[str] = []
    in_data = False
    for line in text.split("\n"):
        head = line[:1]
        if head.isalpha():
            in_data = head in _DATA_SEGMENTS
        (data if in_data else model).append(line)
        (model if in_data else data).append("")
    return "\n".join(model), "\n".join(data)


def _model_key(model_text: str, reader: str) -> str:
    """A hash of the model part (header included, blank lines ignored) and the reader."""
    digest = hashlib.sha256(reader.encode())
    for line in model_text.split("\n"):
        if line:
            digest.update(line.encode())
            digest.update(b"\n")
    return digest.hexdigest()


#: the most recently read models by :func:`_model_key`: IDAES's initialization routines
#: solve many NL files that differ only in bounds and initial values (83 files, 38 models
#: for a five-tray column), and building the expressions is most of the reading time
_MODEL_CACHE: OrderedDict[str, tuple[_ParsedModel, int]] = OrderedDict()
MODEL_CACHE_SIZE = 32
#: at most this many characters of model text in the cache (the expressions take about
#: 3.5 bytes per character: 3e7 is about 100 MB); a larger model is not kept
MODEL_CACHE_CHARS = 30_000_000


#: NL features that CasADi's ``NlpBuilder.import_nl`` cannot read (once suffix segments and
#: comments are removed, :func:`_split_suffixes`): function and logical segments, ``if``
#: and atanh/asinh/acosh opcodes
_CASADI_UNSUPPORTED = re.compile(r"^(?:[FL]\d|o(?:35|47|50|52)\b)", re.MULTILINE)
_OBJECTIVE_LINE = re.compile(r"^O0 (\d)", re.MULTILINE)


def _split_suffixes(text: str) -> tuple[str, dict[tuple[int, str], dict[int, float]]]:
    """The NL text with its suffix (``S``) segments and comments blanked, and the suffixes.

    A suffix segment is ``S<kind> <count> <name>`` and ``count`` lines ``index value``;
    kind & 3 is what it applies to (0 variables, 1 constraints, 2 objectives, 3 the
    problem), kind & 4 marks real values. Returns ``(text, {(kind & 3, name): {index:
    value}})``; the blanked lines stay as empty lines, so line numbers in error messages
    are the file's. Pyomo writes suffixes for scaling factors and duals, comments with
    symbolic labels; neither changes the NLP, and CasADi's importer stops on both.
    """
    kept: list[str] = []
    suffixes: dict[tuple[int, str], dict[int, float]] = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.startswith("h"):  # string literals (refused later) keep their '#'
            line = line.split("#", 1)[0].rstrip()
        i += 1
        if not line.startswith("S"):
            kept.append(line)
            continue
        head = line[1:].split()
        kind, count, name = int(head[0]), int(head[1]), head[2]
        converter = float if kind & 4 else int
        values = {}
        for entry in lines[i : i + count]:
            index, value = entry.split("#", 1)[0].split()
            values[int(index)] = converter(value)
        suffixes[(kind & 3, name)] = values
        kept += [""] * (count + 1)
        i += count
    return "\n".join(kept), suffixes


def _read_with_casadi(text: str, counts: list[int]) -> tuple[_ParsedModel, _NumericData] | None:
    """Fast path: CasADi's C++ NL import, expanded to SX; None when it cannot be used.

    ``text`` is the file's text with suffix segments and comments blanked
    (:func:`_split_suffixes`); its non-empty lines are written to a temporary file for
    CasADi. Used only for files without the features of :data:`_CASADI_UNSUPPORTED`; about
    ten times faster than the Python reader on IDAES models (an IDAES tray column: 0.18 s
    vs 1.6 s per file).
    """
    import tempfile

    body = text.split("\n", 10)[-1]
    if _CASADI_UNSUPPORTED.search(body):
        return None
    n_vars, n_cons, n_objs = counts[0], counts[1], counts[2]
    try:
        builder = ca.NlpBuilder()
        with tempfile.TemporaryDirectory(prefix="propkg-nl-") as tmp:
            source = Path(tmp) / "model.nl"
            source.write_text("\n".join(line for line in text.split("\n") if line) + "\n")
            builder.import_nl(str(source), {"verbose": False})
    except RuntimeError:
        return None
    x_mx = ca.vertcat(*builder.x)
    if x_mx.numel() != n_vars or len(builder.g) != n_cons:
        return None
    f_mx = builder.f if builder.f.numel() == 1 else ca.MX(0)
    g_mx = ca.vertcat(*builder.g) if n_cons else ca.MX(0, 1)
    expanded = ca.Function("nl", [x_mx], [f_mx, g_mx]).expand()
    x = ca.SX.sym("x", n_vars)
    f, g = expanded(x)
    sense = 0
    if n_objs:
        match = _OBJECTIVE_LINE.search(body)
        sense = -1 if match and match.group(1) == "1" else 1  # CasADi negates a maximum
    model = _ParsedModel(
        x=x,
        f=ca.SX(f),
        g=ca.SX(g) if n_cons else ca.SX(0, 1),
        objective_sense=sense,
        reader="casadi",
    )
    data = _NumericData(
        lbx=np.asarray(builder.x_lb, dtype=float).ravel(),
        ubx=np.asarray(builder.x_ub, dtype=float).ravel(),
        lbg=np.asarray(builder.g_lb, dtype=float).ravel(),
        ubg=np.asarray(builder.g_ub, dtype=float).ravel(),
        x0=np.asarray(builder.x_init, dtype=float).ravel(),
        lam_g0=np.asarray(builder.lambda_init, dtype=float).ravel() if n_cons else np.zeros(0),
    )
    return model, data


def read_nl(path: str | Path, use_casadi_import: bool = True) -> NLProblem:
    """Read a text-format NL file into an :class:`NLProblem`.

    Files that CasADi's own importer handles are read by it (fast path); all others, and
    every file when ``use_casadi_import`` is False, by the Python reader of this module.
    A file whose model part (everything but the ``b``, ``r``, ``x``, ``d`` segments: bounds
    and initial values) equals that of a recently read file reuses its expressions, and
    only its bounds and initial values are read; :attr:`NLProblem.model_key` is the hash.

    Parameters
    ----------
    path : str or Path
        The ``.nl`` file (``g`` text format).

    Raises
    ------
    SolverError
        For binary NL files, external functions, logical or complementarity constraints,
        and opcodes outside Pyomo's writer's set.
    """
    path = Path(path)
    text = path.read_text()
    if not text.split("\n", 1)[0].strip().startswith("g"):
        raise SolverError(
            f"NL file '{path}' is not in text ('g') format; write it with Pyomo's NL writer "
            "in text mode"
        )
    text, suffixes = _split_suffixes(text)
    lines = _Lines(text, str(path))
    header = [lines.next() for _ in range(10)]
    counts = [int(v) for v in header[1].split()]
    n_vars, n_cons, n_objs = counts[0], counts[1], counts[2]
    n_logical = counts[5] if len(counts) > 5 else 0
    if n_logical:
        raise SolverError(f"NL file '{path}' has {n_logical} logical constraints; not supported")
    nl_counts = [int(v) for v in header[2].split()]
    if len(nl_counts) > 2 and any(nl_counts[2:4]):
        raise SolverError(f"NL file '{path}' has complementarity constraints; not supported")
    funcs = [int(v) for v in header[6].split()]
    if len(funcs) > 1 and funcs[1]:
        raise SolverError(
            f"NL file '{path}' declares {funcs[1]} external function(s); CasADi's IPOPT cannot "
            "call AMPL external functions (e.g. IDAES's compiled cubic-EoS or Helmholtz "
            "libraries); use a real ipopt executable or a model without them"
        )
    model_text, data_text = _partition(text)
    reader = "casadi" if use_casadi_import else "python"
    key = _model_key(model_text, reader)
    model = get_recent(_MODEL_CACHE, key)
    if model is not None:
        data = _read_data(_Lines(data_text, str(path)), n_vars, n_cons)
    else:
        parsed = _read_with_casadi(text, counts) if use_casadi_import else None
        model, data = parsed or _read_with_python(lines, counts)
        put_bounded(_MODEL_CACHE, key, model, len(model_text), MODEL_CACHE_SIZE,
                    MODEL_CACHE_CHARS)
    return NLProblem(
        **vars(data),
        x=model.x,
        f=model.f,
        g=model.g,
        objective_sense=model.objective_sense,
        n_objectives=n_objs,
        suffixes=suffixes,
        reader=model.reader,
        model_key=key,
    )


def _read_data(lines: _Lines, n_vars: int, n_cons: int) -> _NumericData:
    """The bounds and initial values of an NL text whose model lines are blank."""
    data = _NumericData.empty(n_vars, n_cons)
    while not lines.done():
        line = lines.next()
        if line:
            _read_data_segment(line[0], line[1:].split(), lines, data)
    return data


def _read_with_python(lines: _Lines, counts: list[int]) -> tuple[_ParsedModel, _NumericData]:
    """The Python reader: every segment after the header, from the cursor ``lines``."""
    n_vars, n_cons, n_objs = counts[0], counts[1], counts[2]
    x = ca.SX.sym("x", n_vars)
    variables: list = [x[i] for i in range(n_vars)]
    body_nonlinear: list = [ca.SX(0)] * n_cons
    body_linear: list = [ca.SX(0)] * n_cons
    obj_nonlinear: list = [ca.SX(0)] * n_objs
    obj_linear: list = [ca.SX(0)] * n_objs
    obj_sense = [0] * n_objs
    data = _NumericData.empty(n_vars, n_cons)

    while not lines.done():
        line = lines.next()
        if not line:
            continue
        seg, rest = line[0], line[1:].split()
        if seg == "V":
            index, n_linear = int(rest[0]), int(rest[1])
            if index != len(variables):
                raise lines.error(f"defined variable V{index} out of order")
            linear = _read_linear_terms(lines, n_linear, x)
            variables.append(linear + _read_expression(lines, variables))
        elif seg == "C":
            body_nonlinear[int(rest[0])] = _read_expression(lines, variables)
        elif seg == "O":
            index = int(rest[0])
            obj_sense[index] = -1 if int(rest[1]) == 1 else 1
            obj_nonlinear[index] = _read_expression(lines, variables)
        elif seg == "J":
            body_linear[int(rest[0])] = _read_linear_terms(lines, int(rest[1]), x)
        elif seg == "G":
            obj_linear[int(rest[0])] = _read_linear_terms(lines, int(rest[1]), x)
        elif seg in _DATA_SEGMENTS:
            _read_data_segment(seg, rest, lines, data)
        elif seg == "k":
            for _ in range(int(rest[0])):
                lines.next()
        elif seg == "F":
            raise lines.error("external function declarations are not supported")
        elif seg == "L":
            raise lines.error("logical constraints are not supported")
        else:
            raise lines.error(f"unknown NL segment {seg!r}")

    g = ca.vertcat(*[nl + lin for nl, lin in zip(body_nonlinear, body_linear, strict=True)])
    if n_objs:
        sense = obj_sense[0] or 1
        f = sense * (obj_nonlinear[0] + obj_linear[0])
    else:
        sense, f = 0, ca.SX(0)
    return _ParsedModel(
        x=x,
        f=ca.SX(f),
        g=ca.SX(g) if n_cons else ca.SX(0, 1),
        objective_sense=sense,
        reader="python",
    ), data
