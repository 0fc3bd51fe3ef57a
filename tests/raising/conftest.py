"""Fixtures of the raising tests: the council's two officers and a matter they decided."""

from __future__ import annotations

import pytest

from .helpers import decided_matter


@pytest.fixture
def committee(officers):
    return officers[0]


@pytest.fixture
def party(officers):
    return officers[1]


@pytest.fixture
def matter(client, compound, committee, clock):
    return decided_matter(client, compound, committee)
