"""Shared pytest fixtures (the helpers the tests import are in tests/helpers.py)."""

import pytest


@pytest.fixture
def tiny() -> dict:
    """Overrides for a fast run: 2 years, 1,000 firms."""
    return {"run.years": 2, "geography.n_firms": 1000}
