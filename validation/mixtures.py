"""Write the committed mixture validation report ``validation/reports/mixtures.md``.

Usage (from the repository root)::

    python validation/mixtures.py            # propkg-side checks (about 15 s)
    python validation/mixtures.py --flash    # plus the IDAES Flash grid

The report itself is :mod:`propkg_cli.reports.mixtures` (also part of ``propkg validate``).
"""

import sys
from pathlib import Path

from propkg_cli.reports.mixtures import main

if __name__ == "__main__":
    report = Path(__file__).resolve().parent / "reports" / "mixtures.md"
    sys.exit(main([*sys.argv[1:], "--report", str(report)]))
