"""Fixtures: a brokerage shaped like the demo org, and a second org that must stay invisible."""

from __future__ import annotations

import pytest

from rallypoynt.orgs.tests.brokerage import Brokerage, build_brokerage


@pytest.fixture
def brokerage(db) -> Brokerage:
    return build_brokerage()


@pytest.fixture
def other(db) -> Brokerage:
    """A second org with the same shape; nobody in `brokerage` may see or touch it."""
    return build_brokerage("Other Realty")
