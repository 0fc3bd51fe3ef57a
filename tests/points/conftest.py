"""Every points test runs on the test clock (2026-11-21 in the compound's zone)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _on_the_test_clock(clock):
    return clock
