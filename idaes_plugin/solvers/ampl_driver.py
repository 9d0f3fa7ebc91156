"""An AMPL-compatible IPOPT driver: ``stub.nl`` in, ``stub.sol`` out, CasADi's IPOPT inside.

It behaves like the ``ipopt`` executable as Pyomo calls it
(``ipopt stub.nl -AMPL key=value ...``): options come from ``key=value`` arguments, the
``ipopt_options`` environment variable and an options file named by ``option_file_name``
(or ``ipopt.opt`` in the working directory); the log goes to the given stream; the solution
is written in the ASL ``.sol`` format that Pyomo's readers parse.

``.sol`` sign conventions follow Ipopt's AMPL interface for an objective of sense ``sign``
(+1 minimise, -1 maximise): constraint duals ``-sign * lam_g``, ``ipopt_zL_out = sign * zL``,
``ipopt_zU_out = -sign * zU``.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from idaes_plugin.solvers.casadi_ipopt import SolveOutcome, solve_nl_problem
from idaes_plugin.solvers.nl_reader import NLProblem, read_nl
from propkg_contract.errors import SolverError

#: the version string ``ipopt --version`` prints; Pyomo checks the first two tokens
IPOPT_VERSION = "3.14.19"
VERSION_BANNER = f"Ipopt {IPOPT_VERSION} (propkg: CasADi's bundled IPOPT with MUMPS)"


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def parse_option_tokens(tokens: list[str]) -> dict[str, str]:
    """Parse ``key=value`` tokens (and ``key value`` pairs of an options file).

    Values may be quoted, as Pyomo writes string options (``linear_solver="ma57"``).
    """
    options: dict[str, str] = {}
    pending_key = None
    for token in tokens:
        if pending_key is not None:
            options[pending_key] = _unquote(token)
            pending_key = None
        elif "=" in token:
            key, value = token.split("=", 1)
            options[key.strip()] = _unquote(value)
        else:
            pending_key = token
    if pending_key is not None:
        raise SolverError(f"IPOPT option '{pending_key}' has no value")
    return options


def read_options_file(path: str | Path) -> dict[str, str]:
    """Read an IPOPT options file (``key value`` per line, ``#`` comments)."""
    tokens: list[str] = []
    for line in Path(path).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            tokens.extend(line.split(None, 1))
    return parse_option_tokens(tokens)


def collect_options(args: list[str], env: dict[str, str], cwd: Path) -> dict[str, str]:
    """Gather IPOPT options as the AMPL ``ipopt`` does: env, then command line, then file."""
    options = parse_option_tokens(shlex.split(env.get("ipopt_options", "")))
    options.update(parse_option_tokens([a for a in args if a != "-AMPL"]))
    option_file = options.pop("option_file_name", None)
    if option_file is None and (cwd / "ipopt.opt").is_file():
        option_file = str(cwd / "ipopt.opt")
    if option_file is not None:
        file_path = Path(option_file)
        if not file_path.is_absolute():
            file_path = cwd / file_path
        if not file_path.is_file():
            raise SolverError(f"IPOPT options file '{file_path}' does not exist")
        for key, value in read_options_file(file_path).items():
            options.setdefault(key, value)
    return options


def _suffix_block(kind: int, name: str, values: np.ndarray) -> str:
    entries = [(i, v) for i, v in enumerate(values) if v != 0.0]
    lines = [f"suffix {kind} {len(entries)} {len(name) + 1} 0 0", name]
    lines += [f"{i} {float(v)!r}" for i, v in entries]
    return "\n".join(lines) + "\n"


def format_sol(problem: NLProblem, outcome: SolveOutcome) -> str:
    """The ASL ``.sol`` text for ``outcome`` (message, duals, primals, objno, suffixes)."""
    sign = problem.objective_sense or 1
    duals = -sign * outcome.lam_g
    z_lower = sign * np.maximum(-outcome.lam_x, 0.0)
    z_upper = -sign * np.maximum(outcome.lam_x, 0.0)
    n, m = problem.n_vars, problem.n_cons
    parts = [
        f"Ipopt {IPOPT_VERSION} (propkg/CasADi): {outcome.message}\n\n",
        "Options\n3\n1\n1\n0\n",
        f"{m}\n{m}\n{n}\n{n}\n",
        "".join(f"{float(v)!r}\n" for v in duals),
        "".join(f"{float(v)!r}\n" for v in outcome.x),
        f"objno 0 {outcome.solve_result_num}\n",
        _suffix_block(4, "ipopt_zU_out", z_upper),
        _suffix_block(4, "ipopt_zL_out", z_lower),
    ]
    return "".join(parts)


def solve_stub(
    nl_path: str | Path, options: dict[str, Any], stream: TextIO | None
) -> tuple[int, SolveOutcome | None]:
    """Solve ``stub.nl`` and write ``stub.sol`` beside it; return (exit code, outcome)."""
    nl_path = Path(nl_path)
    problem = read_nl(nl_path)
    if stream is not None:
        stream.write(f"{VERSION_BANNER}: solving {nl_path.name}\n")
    outcome = solve_nl_problem(problem, options, stream)
    if stream is not None:
        stream.write(f"\nEXIT (propkg): IPOPT status {outcome.status}\n")
    if not outcome.writes_solution:
        return 1, outcome
    nl_path.with_suffix(".sol").write_text(format_sol(problem, outcome))
    return 0, outcome


def run(argv: list[str], stream: TextIO, env: dict[str, str] | None = None, cwd=None) -> int:
    """Run the driver as the ``ipopt`` executable would with arguments ``argv``.

    Returns the process exit code: 0 when a ``.sol`` file was written, 1 otherwise.
    """
    env = dict(os.environ if env is None else env)
    cwd = Path(cwd or os.getcwd())
    if not argv or argv[0] in ("-h", "--help"):
        stream.write(
            "usage: propkg-ipopt stub[.nl] [-AMPL] [key=value ...]\n"
            "       propkg-ipopt --version | -v\n"
            "An AMPL-compatible IPOPT (CasADi's bundled IPOPT 3.14 with MUMPS).\n"
        )
        return 0 if argv else 1
    if argv[0] in ("--version", "-v"):
        stream.write(VERSION_BANNER + "\n")
        return 0
    stub = Path(argv[0])
    if not stub.is_absolute():
        stub = cwd / stub
    if stub.suffix != ".nl":
        stub = stub.with_name(stub.name + ".nl")
    try:
        options = collect_options(argv[1:], env, cwd)
        code, _ = solve_stub(stub, options, stream)
    except SolverError as exc:
        stream.write(f"propkg-ipopt: error: {exc}\n")
        return 1
    except (OSError, RuntimeError) as exc:
        stream.write(f"propkg-ipopt: error: {type(exc).__name__}: {exc}\n")
        return 1
    return code


def main() -> None:  # pragma: no cover - exercised through the console script
    """Console-script entry point ``propkg-ipopt``."""
    sys.exit(run(sys.argv[1:], sys.stdout))
