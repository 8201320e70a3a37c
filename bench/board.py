"""`rallypoynt bench board`: the pipeline board and the journey engine at `scale` engagements.

A scratch org gets 8 agents on 2 teams, `scale` generated clients and `scale` active
engagements (plus a fifth as many won or lost, which the board skips) on the org's real
journey and pipeline versions, spread over the 7 phases and 6 stages, with their phase and
stage visits, step completions of past phases and part of the current one, some deliverables
and gate decisions. Rows go in set-based (bulk_create), a tenth of them first so the board's
query count is taken at scale/10 and again at `scale`.

(a) `GET /pipeline/` and `/pipeline/?by=phase` through Django's test client as the broker/owner
    (full middleware, real template). Baseline: the GROUP BY aggregate the column counts need,
    straight on the cursor. Each statement of the page is replayed alone too, to say where
    the time goes.
(b) The engine over every active engagement: the phase states loaded set-based (a constant
    number of queries) and `phase_evaluate`d. Baseline: the same load without evaluating.
    For contrast, `engagement_evaluate` (three queries per engagement) on a sample.
"""

from __future__ import annotations

import os
import random
import re
import statistics
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import F
from django.test import Client
from django.utils import timezone

from bench import timing
from bench.scratch import scratch_drop, scratch_org
from rallypoynt.accounts.models import User
from rallypoynt.contacts.models import Contact
from rallypoynt.core.console import progress_bar
from rallypoynt.demo.loader import contacts_insert
from rallypoynt.demo.people import people
from rallypoynt.journeys.choices import (
    EngagementStatus,
    GateVerdict,
    Side,
    TemplateKind,
    VisitExit,
)
from rallypoynt.journeys.domain import PhaseState, phase_evaluate
from rallypoynt.journeys.models import (
    DeliverableRecord,
    Engagement,
    EngagementContact,
    GateDecision,
    PhaseVisit,
    StageVisit,
    StepCompletion,
    TemplateVersion,
)
from rallypoynt.journeys.selectors import (
    board_get,
    engagement_evaluate,
    org_calendar,
    version_blueprint,
)
from rallypoynt.journeys.services.templates import template_in_use
from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.models import Organization
from rallypoynt.orgs.services import member_add
from rallypoynt.orgs.services.structure import team_create, team_member_add

AGENTS = 8
TEAMS = 2
SMALL_REQUESTS = 100
STATEMENT_REPEATS = 50
SAMPLE = 500
ENGINE_ROUNDS = 3
BATCH = 1000
CLOSED_SHARE = 0.2  # won or lost engagements beside the active ones
TARGET_P95_MS = 200
URLS = {"stage": "/pipeline/", "phase": "/pipeline/?by=phase"}
# Where active engagements stand: most are early in the journey, few are closing.
PHASE_WEIGHTS = {
    "discovery": 28,
    "strategy": 14,
    "search_selection": 20,
    "transaction_initiation": 10,
    "transaction_management": 12,
    "closing_transition": 6,
    "ongoing_relationship": 10,
}
ACTIVE = EngagementStatus.ACTIVE


# -- statements: replayed raw, shaped, planned ---------------------------------------------


def _raw(sql: str, params: list | None = None) -> Callable[[], object]:
    def call():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    return call


def _shape(sql: str) -> str:
    """The statement with its literals blanked: equal shapes repeated mean a per-row query."""
    return re.sub(r"'[^']*'|\b\d+(\.\d+)?\b", "?", sql)


def _table(sql: str) -> str:
    found = re.search(r'FROM "?(\w+)"?', sql)
    return found.group(1) if found else "?"


def _plan(sql: str) -> list[str]:
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ANALYZE "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql)
        return [" ".join(str(v) for v in row) for row in cursor.fetchall()]


# -- the org --------------------------------------------------------------------------------


def _staff(org: Organization, broker) -> tuple[list, dict[int, int]]:
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
    """Generates engagements and their history and inserts them set-based, batch by batch."""

    def __init__(self, org, broker, agents, team_of, journey, pipeline, clients, seed: int):
        self.org_id = org.pk
        self.broker = broker
        self.agents, self.team_of = agents, team_of
        self.journey, self.pipeline = journey, pipeline
        self.phases = version_blueprint(journey).phases
        self.stages = [s.key for s in version_blueprint(pipeline).stages]
        self.weights = [PHASE_WEIGHTS.get(p.key, 1) for p in self.phases]
        self.clients = clients  # (contact id, name) in insertion order
        self.rng = random.Random(seed)
        self.now = timezone.now()
        self.made = 0
        self.rows: Counter[str] = Counter()

    def load(self, active: int, on_batch: Callable[[int], None]) -> None:
        statuses = [ACTIVE] * active + [
            self.rng.choice((EngagementStatus.WON, EngagementStatus.LOST))
            for _ in range(_with_closed(active) - active)
        ]
        self.rng.shuffle(statuses)
        for start in range(0, len(statuses), BATCH):
            batch = statuses[start : start + BATCH]
            with transaction.atomic():
                self._batch(batch)
            on_batch(len(batch))

    def _batch(self, statuses: list[str]) -> None:
        plans = [self._plan(status) for status in statuses]
        engagements = Engagement.objects.bulk_create([p["engagement"] for p in plans])
        children: dict[type, list] = defaultdict(list)
        for engagement, plan in zip(engagements, plans, strict=True):
            for model, row in plan["children"]:
                row.engagement_id = engagement.pk
                children[model].append(row)
        for model in (
            EngagementContact,
            PhaseVisit,
            StageVisit,
            StepCompletion,
            DeliverableRecord,
            GateDecision,
        ):
            model.objects.bulk_create(children[model], batch_size=2000)
            self.rows[model._meta.db_table] += len(children[model])
        self.rows[Engagement._meta.db_table] += len(engagements)

    def _ago(self, hours: float) -> datetime:
        return self.now - timedelta(hours=hours)

    def _plan(self, status: str) -> dict:
        """One engagement and every history row it would have by now."""
        rng, org_id, n = self.rng, self.org_id, self.made
        self.made += 1
        side = Side.BUY if rng.random() < 0.6 else Side.SELL
        k = rng.choices(range(len(self.phases)), self.weights)[0]
        phase = self.phases[k]
        # Windows of the phases visited so far: [start, end) each, the current one open.
        entered = self._ago(rng.uniform(0.25, 24 * 21))
        windows, end = [], entered
        for _ in range(k):
            start = end - timedelta(days=rng.uniform(1, 12))
            windows.insert(0, (start, end))
            end = start
        opened = end
        windows.append((entered, self.now))
        closed_at = None
        if status != ACTIVE:
            closed_at = entered + (self.now - entered) * rng.uniform(0.3, 0.9)
        agent = rng.choice(self.agents)
        contact_id, name = self.clients[n % len(self.clients)]
        known = [key for key in phase.sales_stages if key in self.stages]
        stage_key = rng.choice(known) if known else self.stages[0]
        stage_entered = entered
        if known and stage_key != known[0]:
            stage_entered = entered + (self.now - entered) * rng.uniform(0.05, 0.5)
        value = None if rng.random() < 0.12 else Decimal(rng.randrange(150, 1500) * 1000)
        engagement = Engagement(
            org_id=org_id,
            title=f"{name} ({Side(side).label.lower()})"[:200],
            side=side,
            agent=agent,
            team_id=self.team_of[agent.pk],
            journey=self.journey,
            pipeline=self.pipeline,
            phase_key=phase.key,
            phase_entered_at=entered,
            stage_key=stage_key,
            stage_entered_at=stage_entered,
            status=status,
            lost_reason="Went with another agent" if status == EngagementStatus.LOST else "",
            expected_value=value,
            opened_at=opened,
            closed_at=closed_at,
        )
        primary = EngagementContact(org_id=org_id, contact_id=contact_id, is_primary=True)
        children = [(EngagementContact, primary)]
        if rng.random() < 0.1 and len(self.clients) > 1:
            other = self.clients[(n + len(self.clients) // 2) % len(self.clients)][0]
            if other != contact_id:
                children.append(
                    (EngagementContact, EngagementContact(org_id=org_id, contact_id=other))
                )
        phase_visits = self._visits(PhaseVisit, [p.key for p in self.phases[: k + 1]], windows)
        s = self.stages.index(stage_key)
        stage_windows = [*_spread(opened, stage_entered, s), (stage_entered, self.now)]
        stage_visits = self._visits(StageVisit, self.stages[: s + 1], stage_windows)
        for visits in (phase_visits, stage_visits):
            for visit in visits:
                visit.entered_by = visit.exited_by = agent
            last = visits[-1]
            last.exited_by = None
            if closed_at is not None:
                last.exited_at, last.exited_by, last.exit = closed_at, agent, VisitExit.CLOSED
            children += [(type(v), v) for v in visits]
        for j, (start, stop) in enumerate(windows[:-1]):
            done = self.phases[j].steps_for(side)
            children += self._steps(self.phases[j].key, done, start, stop, agent)
        children += self._current(phase, side, entered, closed_at or self.now, agent)
        return {"engagement": engagement, "children": children}

    def _visits(self, model, keys: list[str], windows) -> list:
        """One visit per key, each left for the next (the last still open)."""
        last = len(keys) - 1
        return [
            model(
                org_id=self.org_id,
                key=key,
                entered_at=start,
                exited_at=None if i == last else stop,
                exit="" if i == last else VisitExit.ADVANCED,
            )
            for i, (key, (start, stop)) in enumerate(zip(keys, windows, strict=True))
        ]

    def _steps(self, phase_key: str, steps, start: datetime, stop: datetime, agent) -> list:
        rows = []
        for i, step in enumerate(steps):
            at = start + (stop - start) * (i + 1) / (len(steps) + 1)
            rows.append(
                (
                    StepCompletion,
                    StepCompletion(
                        org_id=self.org_id,
                        phase_key=phase_key,
                        step_key=step.key,
                        completed_at=at,
                        completed_by=agent,
                    ),
                )
            )
        return rows

    def _current(self, phase, side: str, entered: datetime, until: datetime, agent) -> list:
        """This phase so far: a prefix of its steps done (one undone once), some deliverables
        on file, now and then a gate decision."""
        rng, org_id = self.rng, self.org_id
        steps = phase.steps_for(side)
        done = steps[: rng.randint(0, len(steps))]
        rows = self._steps(phase.key, done, entered, until, agent)
        if done and rng.random() < 0.03:
            first = rows[0][1]
            rows.append(
                (
                    StepCompletion,
                    StepCompletion(
                        org_id=org_id,
                        phase_key=phase.key,
                        step_key=first.step_key,
                        completed_at=entered,
                        completed_by=agent,
                        undone_at=first.completed_at,
                        undone_by=agent,
                    ),
                )
            )
        outputs = phase.deliverables_for(side)
        if outputs and rng.random() < 0.3:
            for d in rng.sample(outputs, min(len(outputs), rng.randint(1, 3))):
                rows.append(
                    (
                        DeliverableRecord,
                        DeliverableRecord(
                            org_id=org_id,
                            phase_key=phase.key,
                            deliverable_key=d.key,
                            note="On file",
                            recorded_at=entered + (until - entered) * rng.random(),
                            recorded_by=agent,
                        ),
                    )
                )
        if rng.random() < 0.06:
            approved = rng.random() < 0.7
            rows.append(
                (
                    GateDecision,
                    GateDecision(
                        org_id=org_id,
                        phase_key=phase.key,
                        verdict=GateVerdict.APPROVED if approved else GateVerdict.REJECTED,
                        reason="" if approved else "Missing documents",
                        decided_at=entered + (until - entered) * rng.uniform(0.5, 1),
                        decided_by=self.broker,
                    ),
                )
            )
        return rows


def _spread(start: datetime, stop: datetime, parts: int) -> list[tuple[datetime, datetime]]:
    step = (stop - start) / max(parts, 1)
    return [(start + step * i, start + step * (i + 1)) for i in range(parts)]


def _with_closed(active: int) -> int:
    return active + round(active * CLOSED_SHARE)


# -- (a) the board --------------------------------------------------------------------------


def _aggregate_sql(column: str) -> str:
    """The raw aggregate behind the column counts and totals."""
    return (
        f"SELECT {column}, COUNT(id), SUM(expected_value) FROM journeys_engagement "
        f"WHERE org_id = %s AND status = %s GROUP BY {column}"
    )


def _board_checks(client: Client, url: str) -> dict:
    """Query count, repeated statement shapes and the total count the page shows."""
    page = {}

    def call():
        page["html"] = timing.get_ok(client, url)().content.decode()

    statements = timing.captured(call)
    shapes = Counter(_shape(sql) for sql in statements)
    return {
        "queries": len(statements),
        "repeated_statements": sum(n for n in shapes.values() if n > 1),
        "engagements_shown_in_counts": sum(
            int(n) for n in re.findall(r'data-count="(\d+)"', page["html"])
        ),
        "cards_shown": page["html"].count('class="board-card"'),
        "statements": statements,
    }


def _board_figures(client: Client, broker, by: str, n: int) -> dict:
    """The page, the raw aggregate (baseline) and `board_get` alone (the page less it is
    middleware, the other reads and the template)."""
    url = URLS[by]
    product = timing.timed(timing.get_ok(client, url), n=n)
    base = timing.timed(_raw(_aggregate_sql(f"{by}_key"), [broker.org_id, ACTIVE]), n=n)
    selector = timing.timed(lambda: board_get(actor=broker, by=by), n=n)
    return {
        "url": url,
        **product,
        "baseline_raw_aggregate": base,
        "ratio_p50": round(product["p50_ms"] / max(base["p50_ms"], 0.01), 1),
        "ratio_p95": round(product["p95_ms"] / max(base["p95_ms"], 0.01), 1),
        "board_get_only": selector,
        "page_less_board_get_p50_ms": round(product["p50_ms"] - selector["p50_ms"], 2),
    }


def _statement_costs(statements: list[str]) -> list[dict]:
    """Each SELECT of the page replayed alone: where the database time goes."""
    costs = []
    for sql in statements:
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        figure = timing.timed(_raw(sql), n=STATEMENT_REPEATS, warmup=3)
        costs.append({"table": _table(sql), "p50_ms": figure["p50_ms"], "sql": sql[:240]})
    return sorted(costs, key=lambda c: -c["p50_ms"])


def _board_plans(statements: list[str]) -> dict:
    """Plans of the page's two engagement reads: the aggregate and the windowed cards."""
    plans = {}
    for sql in statements:
        if _table(sql) != "journeys_engagement":
            continue
        if "GROUP BY" in sql:
            plans["aggregate"] = {"sql": sql, "plan": _plan(sql)}
        elif "ROW_NUMBER" in sql.upper():
            plans["cards_window"] = {"sql": sql, "plan": _plan(sql)}
    return plans


# -- (b) the engine -------------------------------------------------------------------------


def _states_load(org_id: int) -> list[tuple[int, object, PhaseState]]:
    """Every active engagement's current-phase state, in five queries whatever the count."""
    rows = list(
        Engagement.objects.filter(org_id=org_id, status=ACTIVE).values_list(
            "id", "side", "phase_key", "phase_entered_at", "journey_id"
        )
    )
    current = {
        "org_id": org_id,
        "engagement__status": ACTIVE,
        "phase_key": F("engagement__phase_key"),
    }
    completed: dict[int, dict] = defaultdict(dict)
    steps = StepCompletion.objects.filter(**current, undone_at__isnull=True)
    for eid, key, at in steps.values_list("engagement_id", "step_key", "completed_at"):
        completed[eid][key] = at
    delivered: dict[int, set] = defaultdict(set)
    records = DeliverableRecord.objects.filter(**current)
    for eid, key in records.values_list("engagement_id", "deliverable_key"):
        delivered[eid].add(key)
    verdicts: dict[int, str] = {}
    gates = GateDecision.objects.filter(
        **current, decided_at__gte=F("engagement__phase_entered_at")
    ).order_by("engagement_id", "-decided_at", "-id")
    for eid, verdict in gates.values_list("engagement_id", "verdict"):
        verdicts.setdefault(eid, verdict)  # the latest decision since the phase was entered
    versions = TemplateVersion.objects.filter(org_id=org_id, pk__in={r[4] for r in rows})
    blueprints = {v.pk: version_blueprint(v) for v in versions}
    empty: dict = {}
    return [
        (
            eid,
            blueprints[journey_id],
            PhaseState(
                side=side,
                phase_key=phase_key,
                entered_at=entered,
                completed=completed.get(eid, empty),
                delivered=frozenset(delivered.get(eid, ())),
                is_approved=verdicts.get(eid) == GateVerdict.APPROVED,
            ),
        )
        for eid, side, phase_key, entered, journey_id in rows
    ]


def _engine(org: Organization, seed: int) -> dict:
    org = Organization.objects.get(pk=org.pk)  # its current config stamp
    calendar, now = org_calendar(org), timezone.now()

    def load():
        return _states_load(org.pk)

    def load_and_evaluate():
        return [(eid, phase_evaluate(bp, state, calendar, now)) for eid, bp, state in load()]

    load_and_evaluate()  # warm: blueprint parsed, calendar built
    base_runs, product_runs = [], []
    for _ in range(ENGINE_ROUNDS):
        started = time.perf_counter()
        states = load()
        base_runs.append(time.perf_counter() - started)
        started = time.perf_counter()
        evaluations = load_and_evaluate()
        product_runs.append(time.perf_counter() - started)
    queries = len(timing.captured(load))
    count = len(states)
    base, product = statistics.median(base_runs), statistics.median(product_runs)
    blocked = sum(1 for _, e in evaluations if e.blockers)
    overdue = sum(1 for _, e in evaluations if e.overdue)

    # The per-engagement path, as the engagement page and API run it.
    ids = random.Random(seed).sample([eid for eid, _, _ in states], min(SAMPLE, count))
    sample = list(
        Engagement.objects.filter(org_id=org.pk, pk__in=ids).select_related("journey", "org")
    )
    engagement_evaluate(sample[0], now)  # warm
    started = time.perf_counter()
    single = {e.pk: engagement_evaluate(e, now) for e in sample}
    single_seconds = time.perf_counter() - started
    counted = sample[:20]
    statements = timing.captured(lambda: [engagement_evaluate(e, now) for e in counted])
    per_each = len(statements) / len(counted)
    by_id = dict(evaluations)
    return {
        "engagements": count,
        "set_based": {
            "queries": queries,
            "rounds": ENGINE_ROUNDS,
            "load_and_evaluate_seconds": round(product, 3),
            "states_per_second": round(count / product),
            "baseline_load_only_seconds": round(base, 3),
            "baseline_states_per_second": round(count / base),
            "ratio_to_baseline": round(product / base, 2),
            "evaluate_only_states_per_second": round(count / max(product - base, 1e-9)),
            "evaluate_us_each": round((product - base) / count * 1e6, 1),
            "blocked": blocked,
            "with_overdue_steps": overdue,
        },
        "per_engagement_evaluate": {
            "sample": len(sample),
            "queries_each": per_each,
            "seconds": round(single_seconds, 3),
            "states_per_second": round(len(sample) / single_seconds),
            "ms_each": round(single_seconds / len(sample) * 1000, 3),
            "matches_set_based": all(single[pk] == by_id[pk] for pk in single),
        },
        "set_based_speedup_vs_per_engagement": round(
            (count / product) / (len(sample) / single_seconds), 1
        ),
    }


# -- the run --------------------------------------------------------------------------------


def run(scale: int = 10_000, seed: int = 42) -> dict:
    """Time the board at scale/10 and `scale` engagements, then the engine at `scale`."""
    load_before = os.getloadavg()[0]
    small = max(scale // 10, 1)
    org, broker = scratch_org("board")
    try:
        started = time.perf_counter()
        agents, team_of = _staff(org, broker)
        journey = template_in_use(org=org, kind=TemplateKind.JOURNEY)
        pipeline = template_in_use(org=org, kind=TemplateKind.PIPELINE)
        rows = people(scale, seed=seed, owners=len(agents))
        # Two loads, each under its own bar: nothing redraws while requests are timed.
        with progress_bar() as bar:
            task = bar.add_task("clients", total=scale)
            contacts_insert(org, [a.pk for a in agents], rows, lambda n: bar.advance(task, n))
            clients = [
                (pk, f"{first} {last}")
                for pk, first, last in Contact.objects.filter(org=org)
                .order_by("pk")
                .values_list("pk", "first_name", "last_name")
            ]
            loader = Loader(org, broker, agents, team_of, journey, pipeline, clients, seed)
            task = bar.add_task(f"engagements ({small:,})", total=_with_closed(small))
            loader.load(small, lambda n: bar.advance(task, n))
        load_seconds = time.perf_counter() - started
        timing.analyze()
        client = timing.session_client(broker)
        for url in URLS.values():
            timing.get_ok(client, url)()  # warm the per-process caches
        checks_small = {by: _board_checks(client, url) for by, url in URLS.items()}
        figures_small = {by: _board_figures(client, broker, by, SMALL_REQUESTS) for by in URLS}
        started = time.perf_counter()
        with progress_bar() as bar:
            task = bar.add_task(f"engagements (to {scale:,})", total=_with_closed(scale - small))
            loader.load(scale - small, lambda n: bar.advance(task, n))
        load_seconds += time.perf_counter() - started
        timing.analyze()
        checks = {by: _board_checks(client, url) for by, url in URLS.items()}
        figures = {by: _board_figures(client, broker, by, timing.REQUESTS) for by in URLS}
        costs = {by: _statement_costs(checks[by]["statements"]) for by in URLS}
        plans = {by: _board_plans(checks[by]["statements"]) for by in URLS}
        engine = _engine(org, seed)
    finally:
        scratch_drop(org)

    def counts(found: dict) -> dict:
        return {by: {k: v for k, v in c.items() if k != "statements"} for by, c in found.items()}

    constant = all(checks_small[by]["queries"] == checks[by]["queries"] for by in URLS)
    worst_p95 = max(f["p95_ms"] for f in figures.values())
    return {
        "scenario": "board",
        "database": connection.vendor,
        "engagements_active": scale,
        "engagements_closed": loader.made - scale,
        "agents": len(agents),
        "teams": TEAMS,
        "clients": len(clients),
        "rows_loaded": dict(loader.rows),
        "load_seconds": round(load_seconds, 1),
        # Other work on the machine inflates wall-clock latency; say how busy it was.
        "machine_load_avg_1m": {"before": load_before, "after": os.getloadavg()[0]},
        "cpus": os.cpu_count(),
        "requests_each": timing.REQUESTS,
        "board": figures,
        "board_at_scale_div_10": {
            by: {"engagements_active": small, "requests": SMALL_REQUESTS, **f}
            for by, f in figures_small.items()
        },
        "query_counts": {"at_scale_div_10": counts(checks_small), "at_scale": counts(checks)},
        "query_count_constant": constant,
        "board_statements_by_cost": costs,
        "plans": plans,
        "engine": engine,
        "targets": {"board_p95_ms": TARGET_P95_MS, "board_queries": "constant in scale"},
        "meets_targets": {
            "board_p95": worst_p95 < TARGET_P95_MS,
            "board_query_count_constant": constant,
            "board_counts_every_engagement": all(
                c["engagements_shown_in_counts"] == scale for c in checks.values()
            ),
            "engine_matches_per_engagement_path": engine["per_engagement_evaluate"][
                "matches_set_based"
            ],
        },
    }
