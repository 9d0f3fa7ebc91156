"""Write the committed pure-component validation report ``validation/reports/``.

Usage (from the repository root)::

    python validation/pure_components.py [FLUID ...]

The report itself is :mod:`propkg_cli.reports.pure` (also part of ``propkg validate``).
"""

import sys
from pathlib import Path

from propkg_cli.reports.pure import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], Path(__file__).resolve().parent / "reports"))
