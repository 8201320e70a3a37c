"""Reads the pipeline pages and API use, scoped like every selector: the board's agents, the
lost reasons offered when closing, the handoffs handed to the caller."""

from __future__ import annotations

import pytest

from rallypoynt.journeys.selectors import board_agent_list, handoff_list, lost_reason_list
from rallypoynt.journeys.services.lost_reasons import lost_reason_save
from rallypoynt.journeys.tests.factories import handed_off
from rallypoynt.orgs.tests.brokerage import fresh

pytestmark = pytest.mark.django_db


def test_the_boards_agents_are_those_whose_cards_the_actor_sees(brokerage, other):
    assert list(board_agent_list(actor=brokerage.ben)) == [brokerage.ben]
    everyone = {m.pk for m in board_agent_list(actor=brokerage.broker)}
    assert {brokerage.ben.pk, brokerage.maria.pk} <= everyone
    assert other.ben.pk not in everyone


def test_a_retired_lost_reason_is_not_offered_when_closing(brokerage):
    broker = fresh(brokerage.broker)
    lost_reason_save(actor=broker, key="moved", label="Moved away", is_active=False)
    offered = {r.key for r in lost_reason_list(actor=brokerage.ben, is_active=True)}
    every = {r.key for r in lost_reason_list(actor=brokerage.ben)}
    assert "moved" in every and "moved" not in offered and offered


def test_mine_keeps_the_handoffs_handed_to_the_actor(brokerage):
    handed = handed_off(brokerage)
    seen = {h.pk for h in handoff_list(actor=brokerage.broker)}
    assert {handed["denver"].pk, handed["boulder"].pk} <= seen
    assert list(handoff_list(actor=brokerage.broker, mine=True)) == []
    assert [h.pk for h in handoff_list(actor=brokerage.buyer, mine=True)] == [handed["denver"].pk]
