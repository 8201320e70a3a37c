"""The pipeline board: columns by sales stage or journey phase, with counts, value and cards.

A constant number of queries at any size: one aggregate for the counts and totals, one query
for the first cards of every column, one for the cards' primary clients.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from rallypoynt.journeys.choices import EngagementStatus, Level, TemplateKind
from rallypoynt.journeys.domain import Blueprint, blueprint_load, shipped_data
from rallypoynt.journeys.models import Engagement, EngagementContact, TemplateVersion
from rallypoynt.journeys.selectors.engagements import engagement_list
from rallypoynt.journeys.selectors.templates import version_blueprint
from rallypoynt.orgs.models import Membership, Team, TeamMember
from rallypoynt.orgs.permissions import visibility_for
from rallypoynt.orgs.selectors import member_list

CARDS_PER_COLUMN = 25
OTHER = "_other"


@dataclass
class Column:
    key: str
    name: str
    count: int = 0
    total_value: Decimal = Decimal(0)
    cards: list[Engagement] = field(default_factory=list)


@dataclass
class Board:
    by: str
    columns: list[Column]
    stages: list[tuple[str, str]]  # every column a card can move to (key, name)


def _columns(blueprint: Blueprint, by: str) -> list[Column]:
    rows = blueprint.stages if by == "stage" else blueprint.phases
    return [Column(key=row.key, name=row.name) for row in rows]


def board_columns_blueprint(actor: Membership, by: str) -> Blueprint:
    """The org's current pipeline (or journey) names the columns; before the org has its
    own copy, the shipped default does (a page view writes nothing)."""
    kind = TemplateKind.PIPELINE if by == "stage" else TemplateKind.JOURNEY
    version = (
        TemplateVersion.objects.filter(
            org_id=actor.org_id,
            template__kind=kind,
            template__team__isnull=True,
            template__is_archived=False,
            published_at__isnull=False,
        )
        .order_by("-template_id", "-number")
        .first()
    )
    return version_blueprint(version) if version else shipped_blueprint(kind)


def board_agent_list(*, actor: Membership) -> QuerySet[Membership]:
    """The agents whose cards the actor may see (the board's agent filter)."""
    agents = member_list(actor=actor)
    scope = visibility_for(actor)
    return agents if scope.member_ids is None else agents.filter(pk__in=scope.member_ids)


@functools.cache
def shipped_blueprint(kind: str) -> Blueprint:
    """The shipped default (team level) of a kind, parsed once per process."""
    return blueprint_load(shipped_data(kind, Level.TEAM))


def board_get(
    *,
    actor: Membership,
    by: str = "stage",
    side: str = "",
    agent_id: int | None = None,
    team_id: int | None = None,
    per_column: int = CARDS_PER_COLUMN,
) -> Board:
    """Active engagements the actor may see, in columns, each with its count and value."""
    field_name = "stage_key" if by == "stage" else "phase_key"
    qs: QuerySet[Engagement] = engagement_list(
        actor=actor, status=EngagementStatus.ACTIVE, side=side, agent_id=agent_id, team_id=team_id
    )
    columns, present = _counted(actor, qs, by)
    by_key = {c.key: c for c in columns}
    cards = _first_cards(qs, field_name, f"{by}_entered_at", present, per_column)
    _clients_attach(cards)
    for card in cards:
        (by_key.get(getattr(card, field_name)) or _other(by_key, columns)).cards.append(card)
    return Board(
        by=by, columns=columns, stages=[(c.key, c.name) for c in columns if c.key != OTHER]
    )


def pipeline_counts(
    *, actor: Membership, by: str = "stage", team: Team | None = None
) -> list[Column]:
    """The board's columns with their counts and values and no cards: one aggregate query.
    A team's pipeline is its engagements and those of its members."""
    qs = engagement_list(actor=actor, status=EngagementStatus.ACTIVE)
    if team is not None:
        members = TeamMember.objects.filter(org_id=team.org_id, team=team)
        qs = qs.filter(Q(team_id=team.pk) | Q(agent_id__in=members.values("membership_id")))
    return _counted(actor, qs, by)[0]


def _counted(
    actor: Membership, qs: QuerySet[Engagement], by: str
) -> tuple[list[Column], list[str]]:
    """Columns in the template's order with their counts and totals, and the keys present."""
    field_name = "stage_key" if by == "stage" else "phase_key"
    columns = _columns(board_columns_blueprint(actor, by), by)
    by_key = {c.key: c for c in columns}
    present = []
    for row in (
        qs.order_by().values(field_name).annotate(n=Count("id"), total=Sum("expected_value"))
    ):
        present.append(row[field_name])
        column = by_key.get(row[field_name]) or _other(by_key, columns)
        column.count += row["n"]
        column.total_value += row["total"] or Decimal(0)
    return columns, present


def _first_cards(
    qs: QuerySet[Engagement], field_name: str, since: str, keys: list[str], per_column: int
) -> list[Engagement]:
    """The longest-waiting cards of every column, in one query: each column's ids come from a
    LIMITed range scan of the (org, status, column, entered_at, id) index, so the cost stays
    flat as a column grows (a window over every row did not)."""
    if not keys:
        return []
    wanted = Q()
    for key in keys:
        ids = qs.filter(**{field_name: key}).order_by(since, "id").values("pk")[:per_column]
        wanted |= Q(pk__in=ids)
    return list(qs.filter(wanted).order_by(field_name, since, "id"))


def _other(by_key: dict[str, Column], columns: list[Column]) -> Column:
    """Engagements on a template whose stage the org's current one lacks."""
    if OTHER not in by_key:
        by_key[OTHER] = Column(key=OTHER, name="Other")
        columns.append(by_key[OTHER])
    return by_key[OTHER]


def _clients_attach(cards: list[Engagement]) -> None:
    """Each card's primary client's name, in one query."""
    if not cards:
        return
    rows = (
        EngagementContact.objects.filter(
            org_id=cards[0].org_id, engagement_id__in=[c.pk for c in cards], is_primary=True
        )
        .select_related("contact")
        .only("engagement_id", "contact__first_name", "contact__last_name", "contact__id")
    )
    names = {row.engagement_id: row.contact for row in rows}
    for card in cards:
        # The board template reads it; Engagement declares no such field, so mypy cannot know.
        card.client = names.get(card.pk)  # type: ignore[attr-defined]
