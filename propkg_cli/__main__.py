"""``python -m propkg_cli``: the same as the ``propkg`` console script."""

import sys

from propkg_cli import main

sys.exit(main())
