"""`rallypoynt bench deadlines`: deadlines across my deals, and recounting them, at `scale`
transactions.

A scratch org gets 8 agents on 2 teams and `scale` transactions under contract, each serving
one active engagement of one agent (on the org's real journey and pipeline versions) and
carrying five deadlines: inspection (10 business days from acceptance), appraisal (17 days,
rolled to the next business day), financing (4 days after the appraisal), closing and the
final walk-through (the day before closing, rolled back). Due times come from the real
engine (`deadlines_plan`) in the property's state; they spread over -30..+60 days, and about
70% are open (most past ones are resolved, a few overdue). Rows go in set-based, under a bar.

(a) `GET /api/v1/deadlines?days=7` ("due in the next 7 days across my deals") through Django's
    test client with a bearer token, for the broker (org-wide), a team lead (half the deals),
    an agent (own deals) and an agent with none:
    p50/p95/p99 over REQUESTS requests, query count, and the plan of the deadline query.
    Baseline: the SQL of the same query (`deadlines_upcoming` limited to a page, as the
    endpoint runs it) straight on the cursor.
(b) RECOMPUTE transactions' deadlines recounted after a holiday-calendar change (their state
    goes from CO to CA: Cabrini Day no longer counts, the day after Thanksgiving does), then
    after an amendment moving their closing a week: rows loaded a chunk at a time,
    `deadlines_plan` per deal, and the moved ones written set-based (one UPDATE per chunk, the
    DeadlineChange rows and one event per deal in bulk). Baseline: loading the same rows
    alone. For contrast, the per-deal service (`deal_dates_amend`) on a sample; and
    `deadlines_recompute` on recounted deals must find nothing left to move.
"""

from __future__ import annotations

import os
import random
import statistics
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from bench import timing
from bench.scratch import scratch_drop, scratch_org
from rallypoynt.accounts.models import User
from rallypoynt.accounts.services import api_token_create
from rallypoynt.core.bulk import reserve_ids
from rallypoynt.core.console import progress_bar
from rallypoynt.core.events import event_emit
from rallypoynt.core.pagination import paginate
from rallypoynt.core.records import records_batched
from rallypoynt.journeys.choices import EngagementStatus, Side, TemplateKind
from rallypoynt.journeys.models import Engagement
from rallypoynt.journeys.selectors import version_blueprint
from rallypoynt.journeys.services.templates import template_in_use
from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.models import Membership, Organization
from rallypoynt.orgs.services import member_add
from rallypoynt.orgs.services.structure import team_create, team_member_add
from rallypoynt.transactions.choices import (
    Anchor,
    DeadlineKind,
    DeadlineStatus,
    DealKind,
    DealStatus,
)
from rallypoynt.transactions.domain import DayType, Roll, Unit
from rallypoynt.transactions.models import (
    Deadline,
    DeadlineChange,
    Deal,
    DealEngagement,
)
from rallypoynt.transactions.selectors import deadlines_upcoming
from rallypoynt.transactions.services.deadline_build import DeadlineSpec, deadlines_build
from rallypoynt.transactions.services.deadlines import (
    deadlines_plan,
    deadlines_recompute,
    deal_dates_amend,
)

AGENTS = 8
TEAMS = 2
RECOMPUTE = 10_000
PAGE = 50  # the endpoint's default limit
DAYS = 7
CHUNK = 1000  # transactions per load batch and per recompute round
UPDATE_ROWS = 2000  # moved deadlines per UPDATE statement
ROUNDS = 3
SAMPLE = 200
TARGET_P95_MS = 100
REWRITE_REPEATS = 50
URL = f"/api/v1/deadlines?days={DAYS}"
# Where the properties are; the recomputed deals are all in FROM_STATE.
STATES = {"CO": 40, "CA": 15, "TX": 15, "FL": 10, "NY": 10, "WA": 10}
FROM_STATE, TO_STATE = "CO", "CA"
CITIES = {
    "CO": "Denver",
    "CA": "Sacramento",
    "TX": "Austin",
    "FL": "Tampa",
    "NY": "Albany",
    "WA": "Seattle",
}
STREETS = ("Blake", "Larimer", "Market", "Pearl", "Colfax", "Grant", "Logan", "Walnut")
OPEN_IF_PAST, OPEN_IF_AHEAD = 0.3, 0.9  # most past deadlines are resolved, a few overdue
CLOSING_MOVE = timedelta(days=7)
# Every deal's deadlines: kind, anchor, amount (days), day type, roll, time of day.
# The financing contingency counts from the appraisal (a deadline anchored on a deadline).
BUSINESS, CALENDAR = DayType.BUSINESS, DayType.CALENDAR
NEXT, BACK = Roll.NEXT_BUSINESS_DAY, Roll.PREVIOUS_BUSINESS_DAY
RULES = (
    (DeadlineKind.INSPECTION, Anchor.ACCEPTANCE, 10, BUSINESS, Roll.NONE, clock(17)),
    (DeadlineKind.APPRAISAL, Anchor.ACCEPTANCE, 17, CALENDAR, NEXT, clock(17)),
    (DeadlineKind.FINANCING, Anchor.DEADLINE, 4, CALENDAR, NEXT, clock(23, 59)),
    (DeadlineKind.CLOSING, Anchor.CLOSING, 0, CALENDAR, NEXT, clock(12)),
    (DeadlineKind.FINAL_WALKTHROUGH, Anchor.CLOSING, -1, CALENDAR, BACK, clock(17)),
)


# -- query plans ----------------------------------------------------------------------------


def _plan(sql: str, params) -> list[str]:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            rows = cursor.fetchall()
        depth: dict[int, int] = {0: -1}
        lines = []
        for node, parent, _, detail in rows:  # indent each step under its parent
            depth[node] = depth.get(parent, -1) + 1
            lines.append("  " * depth[node] + detail)
        return lines
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return [row[0] for row in cursor.fetchall()]


# -- the org --------------------------------------------------------------------------------


def _staff(org: Organization, broker: Membership) -> tuple[list, dict[int, int]]:
    """8 agents on 2 teams (the first of each leads it); returns them and each one's team."""
    tag = uuid.uuid4().hex[:6]
    teams = [team_create(actor=broker, name=f"Bench team {n} {tag}") for n in range(TEAMS)]
    agents, team_of = [], {}
    for i in range(AGENTS):
        user = User.objects.create_user(f"bench-agent{i}-{tag}@bench.invalid", None)
        agent = member_add(org=org, user=user, roles=[Role.AGENT])
        team = teams[i % TEAMS]
        team_member_add(actor=broker, team_id=team.pk, membership_id=agent.pk, is_lead=i < TEAMS)
        agents.append(agent)
        team_of[agent.pk] = team.pk
    return agents, team_of


class Loader:
    """Generates deals (engagement, deal, side, five deadlines) and inserts them
    set-based, a chunk per database transaction; deadline rows are built as the services build
    them (`deadlines_build`, due times from `deadlines_plan`)."""

    def __init__(self, org: Organization, agents, team_of, seed: int):
        self.org = org
        self.agents, self.team_of = agents, team_of
        self.journey = template_in_use(org=org, kind=TemplateKind.JOURNEY)
        self.pipeline = template_in_use(org=org, kind=TemplateKind.PIPELINE)
        phases = version_blueprint(self.journey).phases
        phase = next((p for p in phases if p.key == "transaction_management"), phases[-1])
        stages = [s.key for s in version_blueprint(self.pipeline).stages]
        self.phase_key = phase.key
        self.stage_keys = [k for k in phase.sales_stages if k in stages] or stages[:1]
        self.rng = random.Random(seed)
        self.now = timezone.now()
        self.today = self.now.astimezone(ZoneInfo(org.time_zone)).date()
        self.states, self.weights = list(STATES), list(STATES.values())
        self.made = 0
        self.rows: Counter[str] = Counter()
        self.statuses: Counter[str] = Counter()
        self.due_days: list[int] = []

    def load(self, count: int, on_batch: Callable[[int], None]) -> None:
        for start in range(0, count, CHUNK):
            n = min(CHUNK, count - start)
            with transaction.atomic():
                self._batch(n)
            on_batch(n)

    def _batch(self, n: int) -> None:
        pairs = [self._deal() for _ in range(n)]
        engagements = Engagement.objects.bulk_create([e for e, _ in pairs])
        deals = Deal.objects.bulk_create([d for _, d in pairs])
        sides = [
            DealEngagement(org_id=self.org.pk, deal_id=d.pk, engagement_id=e.pk, side=e.side)
            for e, d in zip(engagements, deals, strict=True)
        ]
        DealEngagement.objects.bulk_create(sides)
        ids = iter(reserve_ids(Deadline, n * len(RULES)))
        rows = []
        for engagement, deal in zip(engagements, deals, strict=True):
            rows += self._deadlines(deal, engagement.agent_id, ids)
        Deadline.objects.bulk_create(rows, batch_size=2000)
        for model, made in ((Engagement, engagements), (Deal, deals)):
            self.rows[model._meta.db_table] += len(made)
        self.rows[DealEngagement._meta.db_table] += len(sides)
        self.rows[Deadline._meta.db_table] += len(rows)

    def _deal(self) -> tuple[Engagement, Deal]:
        rng, n = self.rng, self.made
        self.made += 1
        agent = rng.choice(self.agents)
        side = Side.BUY if rng.random() < 0.6 else Side.SELL
        state = rng.choices(self.states, self.weights)[0]
        # Acceptance from 44 days ago to 15 ahead, closing 30-45 days later: the deadlines
        # then fall from about 30 days ago to 60 days ahead.
        accepted = self.today + timedelta(days=rng.randint(-44, 15))
        closing = accepted + timedelta(days=rng.randint(30, 45))
        entered = datetime.combine(accepted, clock(12), tzinfo=ZoneInfo(self.org.time_zone))
        price = Decimal(rng.randrange(250, 1500) * 1000)
        street = f"{rng.randrange(100, 9999)} {rng.choice(STREETS)} St"
        engagement = Engagement(
            org_id=self.org.pk,
            title=f"{street} ({Side(side).label.lower()})",
            side=side,
            agent=agent,
            team_id=self.team_of[agent.pk],
            journey=self.journey,
            pipeline=self.pipeline,
            phase_key=self.phase_key,
            phase_entered_at=entered,
            stage_key=rng.choice(self.stage_keys),
            stage_entered_at=entered,
            status=EngagementStatus.ACTIVE,
            expected_value=price,
            opened_at=entered - timedelta(days=rng.randint(10, 90)),
        )
        deal = Deal(
            org=self.org,
            kind=DealKind.PURCHASE if side == Side.BUY else DealKind.SALE,
            status=DealStatus.UNDER_CONTRACT,
            street=street,
            city=CITIES[state],
            state=state,
            postal_code=f"{80000 + n % 10000:05d}",
            list_price=price,
            offer_price=price - 5000,
            contract_price=price - 5000,
            earnest_money=price / 100,
            offer_on=accepted - timedelta(days=2),
            accepted_on=accepted,
            closing_on=closing,
        )
        return engagement, deal

    def _deadlines(self, deal: Deal, agent_id: int, ids) -> list[Deadline]:
        pks = [next(ids) for _ in RULES]
        appraisal = pks[[rule[0] for rule in RULES].index(DeadlineKind.APPRAISAL)]
        specs = [
            DeadlineSpec(
                kind=kind,
                anchor=anchor,
                anchor_deadline_id=appraisal if anchor == Anchor.DEADLINE else None,
                amount=amount,
                unit=Unit.DAYS,
                day_type=day_type,
                roll=roll,
                time_of_day=at,
                responsible_role="agent",
            )
            for kind, anchor, amount, day_type, roll, at in RULES
        ]
        rows = deadlines_build(deal=deal, specs=specs, pks=pks)
        rng = self.rng
        for row in rows:
            self.due_days.append((row.due_on - self.today).days)
            is_past = row.due_at < self.now
            if rng.random() < (OPEN_IF_PAST if is_past else OPEN_IF_AHEAD):
                row.status = DeadlineStatus.OPEN
            else:
                pick = rng.random()
                row.status = (
                    DeadlineStatus.SATISFIED
                    if pick < 0.85 or not row.is_contingency
                    else DeadlineStatus.WAIVED
                    if pick < 0.95
                    else DeadlineStatus.FAILED
                )
                row.resolved_at = min(row.due_at, self.now) - timedelta(hours=rng.uniform(1, 72))
                row.resolved_by_id = agent_id
            self.statuses[row.status] += 1
        return rows


# -- (a) deadlines due across my deals ------------------------------------------------------


def _api_client(member: Membership) -> Client:
    """A test client sending a fresh bearer token of the member's (its own rate-limit window)."""
    _, secret = api_token_create(actor=member, name="bench")
    return Client(SERVER_NAME="localhost", HTTP_AUTHORIZATION=f"Bearer {secret}")


def _raw(sql: str, params) -> Callable[[], object]:
    def call():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return call


def _upcoming(member_id: int) -> tuple:
    """The endpoint's deadline query as the selector builds it (one page and the row after
    it, as `paginate` fetches), its SQL and parameters, and how many rows match in all."""
    actor = Membership.objects.select_related("org").get(pk=member_id)
    qs = deadlines_upcoming(actor=actor, days=DAYS).order_by("due_at", "id")
    try:
        sql, params = qs[: PAGE + 1].query.sql_with_params()
    except EmptyResultSet:  # an actor with no deals: Django answers without asking the database
        sql, params = "SELECT 1 WHERE 1 = 0", ()
    return actor, qs.count(), sql, params


def _endpoint_figures(member: Membership, label: str) -> dict:
    client = _api_client(member)
    page = timing.get_ok(client, URL)().json()
    statements = timing.captured(timing.get_ok(client, URL))
    product = timing.timed(timing.get_ok(client, URL))
    actor, matching, sql, params = _upcoming(member.pk)
    base = timing.timed(_raw(sql, params))
    rows = _raw(sql, params)()

    def selector_and_page():
        found = deadlines_upcoming(actor=actor, days=DAYS)
        return paginate(found, cursor=None, limit=PAGE, ordering=("due_at", "id"))

    selector = timing.timed(selector_and_page)
    return {
        "who": label,
        "url": URL,
        **product,
        "queries": len(statements),
        "items_on_page": len(page["items"]),
        "has_next_page": page["next_cursor"] is not None,
        "open_deadlines_due_within_window_incl_overdue": matching,
        "baseline_raw_sql": {**base, "rows": len(rows)},
        "ratio_p50": round(product["p50_ms"] / max(base["p50_ms"], 0.01), 1),
        "ratio_p95": round(product["p95_ms"] / max(base["p95_ms"], 0.01), 1),
        "selector_and_paginate_only": selector,
        "statements": [sql[:140] for sql in statements],
        "deadline_sql": sql,
        "plan": _plan(sql, params),
    }


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]


def _load(org: Organization, chunk: list[int], lock: bool) -> list[tuple[Deal, list]]:
    """The chunk's deals and their deadlines: two queries."""
    deals = list(Deal.objects.filter(org_id=org.pk, pk__in=chunk).order_by("pk"))
    rows = Deadline.objects.filter(org_id=org.pk, deal_id__in=chunk)
    if lock:
        rows = rows.select_for_update()  # as deadlines_recompute locks them
    by_deal: dict[int, list[Deadline]] = defaultdict(list)
    for row in rows:
        by_deal[row.deal_id].append(row)
    for deal in deals:
        deal.org = org  # the calendar's time zone, without a join
    return [(deal, by_deal.get(deal.pk, [])) for deal in deals]


def _moves(deal: Deal, rows: list[Deadline]) -> list[tuple[Deadline, date, datetime]]:
    plan = deadlines_plan(deal, rows)
    moved = []
    for row in rows:
        found = plan[row.pk]
        due_on, due_at = (found.on, found.at) if found else (None, None)
        if (row.due_on, row.due_at) != (due_on, due_at):
            moved.append((row, due_on, due_at))
    return moved


def _update_due(moved: list[tuple[Deadline, date, datetime]], now: datetime) -> None:
    """The moved deadlines' new due dates: one UPDATE ... FROM (VALUES ...) per UPDATE_ROWS."""
    ops, table = connection.ops, Deadline._meta.db_table
    typed = connection.vendor == "postgresql"
    cast = ("::bigint", "::date", "::timestamptz") if typed else ("", "", "")
    row_sql = "(" + ", ".join(f"%s{c}" for c in cast) + ")"
    for start in range(0, len(moved), UPDATE_ROWS):
        part = moved[start : start + UPDATE_ROWS]
        params: list = []
        for row, due_on, due_at in part:
            params += [
                row.pk,
                ops.adapt_datefield_value(due_on),
                ops.adapt_datetimefield_value(due_at),
            ]
        params.append(ops.adapt_datetimefield_value(now))
        sql = (
            f"WITH v(id, due_on, due_at) AS (VALUES {', '.join([row_sql] * len(part))}) "
            f"UPDATE {table} SET due_on = v.due_on, due_at = v.due_at, updated_at = %s "
            f"FROM v WHERE {table}.id = v.id"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)  # the VALUES first, then updated_at, as in the text


def _write(org: Organization, moved_by_deal: list, reason: str, now: datetime) -> None:
    moved = [m for _, ms in moved_by_deal for m in ms]
    _update_due(moved, now)
    DeadlineChange.objects.bulk_create(
        [
            DeadlineChange(
                org_id=org.pk,
                deadline=row,
                due_at_before=row.due_at,
                due_at_after=due_at,
                reason=reason[:300],
            )
            for row, _, due_at in moved
        ],
        batch_size=2000,
    )
    with records_batched():  # one INSERT for the chunk's events
        for deal, ms in moved_by_deal:
            event_emit(
                org_id=org.pk,
                kind="transaction.deadlines_moved",
                subject=deal,
                payload={
                    "reason": reason,
                    "deadlines": [
                        {
                            "id": row.pk,
                            "name": row.name,
                            "due_at": due_at.isoformat() if due_at else None,
                        }
                        for row, _, due_at in ms
                    ],
                },
            )


def _recompute(org: Organization, ids: list[int], mode: str, reason: str = "") -> dict:
    """mode 'load': the rows alone (baseline); 'plan': loaded and recounted; 'write': and the
    moved ones written, a database transaction per chunk."""
    deals = deadlines = moved = 0
    for chunk in _chunks(ids):
        with transaction.atomic():
            now = timezone.now()
            loaded = _load(org, chunk, lock=mode == "write")
            deals += len(loaded)
            deadlines += sum(len(rows) for _, rows in loaded)
            if mode == "load":
                continue
            moved_by_deal = [(deal, ms) for deal, rows in loaded if (ms := _moves(deal, rows))]
            moved += sum(len(ms) for _, ms in moved_by_deal)
            if mode == "write" and moved_by_deal:
                _write(org, moved_by_deal, reason, now)
    return {"transactions": deals, "deadlines": deadlines, "moved": moved}


def _rates(seconds: float, counts: dict) -> dict:
    return {
        "seconds": round(seconds, 3),
        "transactions_per_second": round(counts["transactions"] / seconds),
        "deadlines_per_second": round(counts["deadlines"] / seconds),
        **counts,
    }


def _change_state(org: Organization, ids: list[int]) -> None:
    for chunk in _chunks(ids):
        Deal.objects.filter(org_id=org.pk, pk__in=chunk).update(state=TO_STATE)


def _move_closing(org: Organization, ids: list[int]) -> None:
    for chunk in _chunks(ids):
        deals = list(Deal.objects.filter(org_id=org.pk, pk__in=chunk).only("closing_on"))
        for deal in deals:
            deal.closing_on += CLOSING_MOVE
        Deal.objects.bulk_update(deals, ["closing_on"], batch_size=CHUNK)


def _recount(org: Organization, ids: list[int], change: Callable, reason: str) -> dict:
    changed_seconds, _ = timing.seconds(lambda: change(org, ids))
    changes_before = DeadlineChange.objects.filter(org_id=org.pk).count()
    seconds, counts = timing.seconds(lambda: _recompute(org, ids, "write", reason))
    kept = DeadlineChange.objects.filter(org_id=org.pk).count() - changes_before
    return {
        "change_applied_seconds": round(changed_seconds, 3),
        **_rates(seconds, counts),
        "moved_per_second": round(counts["moved"] / seconds),
        "changes_kept": kept,
    }


def _service_agrees(org: Organization, ids: list[int]) -> dict:
    """`deadlines_recompute` (the per-deal service) on recounted deals: nothing left to move."""
    moved = 0
    for deal in Deal.objects.filter(org_id=org.pk, pk__in=ids).select_related("org"):
        with transaction.atomic():
            moved += len(deadlines_recompute(deal=deal, actor=None, reason="bench check"))
    return {"sample": len(ids), "moved_by_service": moved, "agrees": moved == 0}


def _per_deal(org: Organization, broker: Membership, ids: list[int]) -> dict:
    """The per-deal path an amendment takes today: `deal_dates_amend` each."""
    closing = dict(Deal.objects.filter(org_id=org.pk, pk__in=ids).values_list("pk", "closing_on"))
    actor = Membership.objects.select_related("org").get(pk=broker.pk)
    deadlines = Deadline.objects.filter(org_id=org.pk, deal_id__in=ids).count()
    moved = 0

    def amend():
        nonlocal moved
        for pk in ids:
            moved += len(
                deal_dates_amend(
                    actor=actor,
                    deal_id=pk,
                    reason="Amendment: closing moved a week",
                    closing_on=closing[pk] + CLOSING_MOVE,
                )
            )

    seconds, _ = timing.seconds(amend)
    return _rates(seconds, {"transactions": len(ids), "deadlines": deadlines, "moved": moved})


def _recompute_figures(org: Organization, broker: Membership, seed: int) -> dict:
    rng = random.Random(seed)
    in_state = list(
        Deal.objects.filter(org_id=org.pk, state=FROM_STATE).values_list("pk", flat=True)
    )
    # Leave SAMPLE deals of the state out of the set for the per-deal contrast.
    size = min(RECOMPUTE, max(len(in_state) - SAMPLE, len(in_state) // 2))
    ids = sorted(rng.sample(in_state, size))
    chosen = set(ids)
    others = [pk for pk in in_state if pk not in chosen]
    contrast = sorted(rng.sample(others, min(SAMPLE, len(others))))
    _recompute(org, ids, "plan")  # warm: calendars built, holidays cached
    loads, plans = [], []
    for _ in range(ROUNDS):
        seconds, counts = timing.seconds(lambda: _recompute(org, ids, "load"))
        loads.append(seconds)
        seconds, planned = timing.seconds(lambda: _recompute(org, ids, "plan"))
        plans.append(seconds)
    load, plan = statistics.median(loads), statistics.median(plans)
    holiday = _recount(
        org, ids, _change_state, f"Holiday calendar: property state {FROM_STATE} -> {TO_STATE}"
    )
    closing = _recount(org, ids, _move_closing, "Amendment: closing moved a week")
    check = _service_agrees(org, rng.sample(ids, min(SAMPLE, len(ids))))
    per_deal = _per_deal(org, broker, contrast)
    return {
        "transactions": len(ids),
        "chunk": CHUNK,
        "baseline_load_only": {**_rates(load, counts), "rounds": ROUNDS},
        "load_and_plan_no_writes": {
            **_rates(plan, {**planned, "moved": planned["moved"]}),
            "rounds": ROUNDS,
            "plan_only_deadlines_per_second": round(planned["deadlines"] / max(plan - load, 1e-9)),
        },
        "after_holiday_change": {
            **holiday,
            "ratio_to_baseline": round(holiday["seconds"] / load, 2),
        },
        "after_closing_amendment": {
            **closing,
            "ratio_to_baseline": round(closing["seconds"] / load, 2),
        },
        "service_finds_nothing_left_to_move": check,
        "per_deal_service_deal_dates_amend": {
            **per_deal,
            "set_based_speedup": round(
                closing["transactions_per_second"] / max(per_deal["transactions_per_second"], 1),
                1,
            ),
        },
    }


# -- the run --------------------------------------------------------------------------------


def _spread(days: list[int]) -> dict:
    ordered = sorted(days)
    return {
        "min": ordered[0],
        "p05": ordered[len(ordered) // 20],
        "median": ordered[len(ordered) // 2],
        "p95": ordered[len(ordered) * 19 // 20],
        "max": ordered[-1],
    }


def run(scale: int = 100_000, seed: int = 42) -> dict:
    """Load `scale` deals, time the upcoming-deadlines endpoint, then recount RECOMPUTE deals."""
    load_before = os.getloadavg()[0]
    org, broker = scratch_org("deadlines")
    try:
        started = time.perf_counter()
        agents, team_of = _staff(org, broker)
        loader = Loader(org, agents, team_of, seed)
        with progress_bar() as bar:
            task = bar.add_task("transactions (5 deadlines each)", total=scale)
            loader.load(scale, lambda n: bar.advance(task, n))
        load_seconds = time.perf_counter() - started
        seconds, _ = timing.seconds(timing.analyze)
        agent = agents[TEAMS]  # not a team lead: sees only their own deals
        idle_user = User.objects.create_user(f"bench-idle-{uuid.uuid4().hex[:6]}@bench.invalid")
        idle = member_add(org=org, user=idle_user, roles=[Role.AGENT])
        endpoint = {
            "broker": _endpoint_figures(broker, "broker (org-wide)"),
            "lead": _endpoint_figures(agents[0], "team lead (half the deals)"),
            "agent": _endpoint_figures(agent, "agent (own deals)"),
            "idle": _endpoint_figures(idle, "agent with no deals"),
        }
        recompute = _recompute_figures(org, broker, seed)
    finally:
        scratch_drop(org)
    statuses = loader.statuses
    total = sum(statuses.values())
    worst_p95 = max(f["p95_ms"] for f in endpoint.values())
    return {
        "scenario": "deadlines",
        "database": connection.vendor,
        "transactions": scale,
        "agents": len(agents),
        "teams": TEAMS,
        "rows_loaded": dict(loader.rows),
        "deadline_statuses": dict(statuses),
        "open_share": round(statuses[DeadlineStatus.OPEN] / total, 3),
        "due_days_from_today": _spread(loader.due_days),
        "load_seconds": round(load_seconds, 1),
        "analyze_seconds": round(seconds, 1),
        "machine_load_avg_1m": {"before": load_before, "after": os.getloadavg()[0]},
        "cpus": os.cpu_count(),
        "requests_each": timing.REQUESTS,
        "upcoming_deadlines": endpoint,
        "recompute": recompute,
        "targets": {"upcoming_p95_ms": TARGET_P95_MS},
        "meets_targets": {
            "upcoming_p95": worst_p95 < TARGET_P95_MS,
            "full_pages": all(
                f["items_on_page"] == PAGE for who, f in endpoint.items() if who != "idle"
            ),
            "set_based_recompute_agrees_with_service": recompute[
                "service_finds_nothing_left_to_move"
            ]["agrees"],
        },
    }
