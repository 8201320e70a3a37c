"""Every list page and every list endpoint has a query-count guard (docs/conventions.md): a test
marked `@pytest.mark.query_guard(target, ...)` that counts its queries at a few rows and again
at more (core.testing.assert_queries_flat does both).

A target is named the way the URLconf and the OpenAPI name it: a page by its URL name
("contacts:list"), an endpoint by method and OpenAPI path
("GET /api/v1/contacts/{contact_id}/touchpoints").

What is a list:
- An endpoint: a GET operation of the OpenAPI whose 200 response is a JSON array or a page of
  `items`, found from the schema; plus the downloads of rows in LIST_DOWNLOADS, whose bodies
  the schema does not describe.
- A page: one that shows rows of a table that grows with use, an index page or a record's
  page listing its children (a deal's parties, a contact's timeline). A URL's name cannot tell
  that, so every named page outside the admin and the API is declared here, in LIST_PAGES or
  in NOT_LIST_PAGES with the reason; a new URL fails the check until it is declared.

The guards are found by reading the test modules (ast), so the check needs no other test to run
and sees every module whether or not it was selected."""

from __future__ import annotations

import ast

from django.urls import URLPattern, URLResolver, get_resolver

from rallypoynt.api.api import api
from rallypoynt.core.testing import PROJECT_ROOT, project_test_files

LIST_PAGES: dict[str, str] = {
    "account:profile": "the user's seats, one per org",
    "account:tokens": "the member's API tokens",
    "orgs:hours": "the org's closures",
    "orgs:offices": "offices",
    "orgs:teams": "teams with their leads",
    "orgs:members": "members with roles and teams, open invitations",
    "orgs:audit": "audit entries",
    "notifications:list": "the member's notifications",
    "contacts:list": "contacts",
    "contacts:detail": "a contact's journeys, deals, tasks, relations and timeline",
    "contacts:timeline": "older entries of a contact's timeline",
    "contacts:tasks": "the member's tasks",
    "contacts:smart_lists": "saved lists with their counts",
    "contacts:smart_list": "the contacts of a saved list",
    "leads:review_queue": "lead e-mails waiting for review",
    "leads:routing": "routing rules",
    "leads:pond": "unclaimed leads",
    "contacts:import": "recent import jobs",
    "contacts:export_csv": "every visible contact, as CSV",
    "contacts:export_vcf": "every visible contact, as vCards",
    "contacts:duplicates": "likely duplicate pairs",
    "journeys:board": "engagement cards by stage or phase",
    "journeys:engagement": "an engagement's clients, steps, deals and handoffs",
    "journeys:lost_reasons": "the org's lost reasons",
    "journeys:templates": "journey templates with their versions",
    "transactions:list": "deals and this week's deadlines",
    "transactions:detail": "a deal's deadlines, offers, parties and engagements",
    "transactions:contacts_csv": "a deal's parties, as CSV",
    "transactions:manage_checklists": "a deal's checklist items",
    "transactions:manage_issues": "a deal's issues",
    "transactions:manage_progress": "a deal's progress updates",
    "transactions:manage_walkthrough": "a deal's walk-through reports",
    "transactions:commission": "a deal's commissions and their splits",
    "transactions:commission_statement": "a member's commissions in a period",
    "transactions:commission_plans": "split plans and who is on which",
    "calendar:feed": "the member's deadlines and tasks, as iCalendar",
    "web:home": "my day: tasks, leads waiting, new leads",
    "web:search": "contacts, deals and engagements matching a search",
    "web:search_suggest": "the header search's matches, as JSON",
}

_FORM = "a form for one record, or its answer"
_ACTION = "an action (POST) that redirects"
_ONE = "one record's page"
NOT_LIST_PAGES: dict[str, str] = {
    **dict.fromkeys(
        [
            "accounts:login",
            "accounts:logout",
            "accounts:password_reset",
            "accounts:password_reset_done",
            "accounts:password_reset_confirm",
            "accounts:password_reset_complete",
            "accounts:password_change",
        ],
        "Django's login and password pages",
    ),
    **dict.fromkeys(
        [
            "account:token_revoke",
            "account:calendar_feed_create",
            "account:calendar_feed_revoke",
            "orgs:closure_add",
            "orgs:closure_remove",
            "orgs:team_member_add",
            "orgs:switch",
            "orgs:invitation_revoke",
            "contacts:delete",
            "contacts:touchpoint_log",
            "contacts:consent",
            "contacts:profile_save",
            "contacts:relationship_add",
            "contacts:relationship_remove",
            "contacts:collaborator_add",
            "contacts:collaborator_remove",
            "contacts:task_complete",
            "contacts:smart_list_delete",
            "leads:review_discard",
            "leads:routing_settings",
            "leads:routing_rule_delete",
            "leads:routing_rule_move",
            "leads:pond_claim",
            "contacts:import_run",
            "contacts:duplicate_dismiss",
            "journeys:move",
            "journeys:next_phase",
            "journeys:handoff_accept",
            "journeys:step_complete",
            "journeys:step_undo",
            "journeys:deliverable_record",
            "journeys:phase_advance",
            "journeys:phase_return",
            "journeys:gate_decide",
            "journeys:stage_change",
            "journeys:engagement_close",
            "journeys:engagement_hold",
            "journeys:engagement_upgrade",
            "journeys:template_copy",
            "journeys:draft_phase_move",
            "journeys:draft_phase_add",
            "journeys:draft_phase_remove",
            "journeys:draft_step_move",
            "journeys:draft_step_add",
            "journeys:draft_step_remove",
            "journeys:draft_step_update",
            "journeys:draft_gate_update",
            "journeys:draft",
            "journeys:publish",
            "transactions:deadline_add",
            "transactions:deadline_resolve",
            "transactions:deal_dates_amend",
            "transactions:offer_create",
            "transactions:offer_accept",
            "transactions:party_add",
            "transactions:party_remove",
            "transactions:deal_close",
            "transactions:deal_terminate",
            "transactions:checklist_item_mark",
            "transactions:checklist_item_add",
            "transactions:checklists_apply",
            "transactions:issue_raise",
            "transactions:issue_resolve",
            "transactions:issue_reopen",
            "transactions:progress_update_post",
            "transactions:walkthrough_record",
            "transactions:commission_set",
            "transactions:split_plan_create",
            "transactions:split_plan_update",
            "transactions:split_plan_assign",
            "notifications:read_all",
            "notifications:read",
        ],
        _ACTION,
    ),
    **dict.fromkeys(
        [
            "orgs:settings",
            "orgs:member_edit",
            "contacts:create",
            "contacts:edit",
            "contacts:task_create",
            "contacts:smart_list_create",
            "leads:routing_rule_create",
            "leads:routing_rule_edit",
            "journeys:new",
            "journeys:edit",
            "transactions:create",
            "invitation_accept",
        ],
        _FORM,
    ),
    **dict.fromkeys(
        [
            "leads:review_detail",
            "contacts:import_preview",
            "contacts:import_status",
            "contacts:merge",
            "journeys:version",
        ],
        _ONE,
    ),
    "contacts:relationship_pick": "at most 8 matches for the relationship picker",
    "leads:routing_preview": "where one lead would go",
    "old_lead_pages": "a redirect from the lead pages' old address",
    "notifications:badge": "a count",
    "web:healthz": "a probe",
}

# Downloads of rows: the OpenAPI does not describe their bodies, so the rule cannot see them.
LIST_DOWNLOADS = {
    "GET /api/v1/contacts/export.csv",
    "GET /api/v1/contacts/export.vcf",
    "GET /api/v1/members/{member_id}/commission-statement.csv",
}

# Lists known to have no guard yet: write one, mark it, and take the name out of here. Kept so
# the check still fails for any new list without one. Empty: every list has its guard.
NOT_YET_GUARDED: set[str] = set()

# Spellings of "this test counts queries" a guard must use.
COUNTERS = (
    "assert_queries_flat",
    "count_queries",
    "django_assert_num_queries",
    "django_assert_max_num_queries",
    "CaptureQueriesContext",
)


def page_patterns(patterns=None, namespace: str = "") -> list[tuple[str, str]]:
    """(URL name, route) of every page outside the admin and the API (unnamed: name "")."""
    found = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace]))
            if entry.namespace not in ("admin", "api"):
                found += page_patterns(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            name = ":".join(filter(None, [namespace, entry.name])) if entry.name else ""
            found.append((name, str(entry.pattern)))
    return found


def openapi_gets() -> dict[str, dict]:
    """Every GET operation of the API, "GET <path>" -> its OpenAPI operation."""
    paths = api.get_openapi_schema()["paths"]
    return {f"GET {path}": ops["get"] for path, ops in paths.items() if "get" in ops}


def answers_a_list(operation: dict, schemas: dict) -> bool:
    """The operation's 200 is a JSON array or a page of `items`."""
    responses = operation["responses"]
    # Ninja keys the schema's statuses by int (the JSON document by string).
    content = (responses.get(200) or responses.get("200") or {}).get("content", {})
    schema = content.get("application/json", {}).get("schema", {})
    while "$ref" in schema:
        schema = schemas[schema["$ref"].rpartition("/")[2]]
    return schema.get("type") == "array" or "items" in schema.get("properties", {})


def list_endpoints() -> set[str]:
    schemas = api.get_openapi_schema()["components"]["schemas"]
    found = {name for name, op in openapi_gets().items() if answers_a_list(op, schemas)}
    return found | LIST_DOWNLOADS


def _is_guard(node: ast.AST) -> bool:
    """`pytest.mark.query_guard(...)` (or `mark.query_guard(...)`)."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "query_guard"
        and isinstance(node.func.value, ast.Attribute)
        and node.func.value.attr == "mark"
    )


def guard_markers() -> list[tuple[str, ast.Call, ast.FunctionDef | None]]:
    """(file:line, marker, the test it decorates if any) for each marker in the test modules."""
    found = []
    for path in project_test_files():
        tree = ast.parse(path.read_text(), filename=str(path))
        decorated = {
            id(deco): node
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef)
            for deco in node.decorator_list
        }
        where = path.relative_to(PROJECT_ROOT)
        found += [
            (f"{where}:{node.lineno}", node, decorated.get(id(node)))
            for node in ast.walk(tree)
            if _is_guard(node)
        ]
    return found


def guarded() -> dict[str, list[str]]:
    """Each target a marker names -> where it is guarded."""
    found: dict[str, list[str]] = {}
    for where, marker, _ in guard_markers():
        for arg in marker.args:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.setdefault(arg.value, []).append(where)
    return found


def test_every_page_is_declared_a_list_or_not():
    names = {name for name, _ in page_patterns()}
    unnamed = sorted(route for name, route in page_patterns() if not name)
    assert not unnamed, f"name these URL patterns: {unnamed}"
    both = sorted(LIST_PAGES.keys() & NOT_LIST_PAGES.keys())
    assert not both, f"a list and not a list: {both}"
    undeclared = sorted(names - LIST_PAGES.keys() - NOT_LIST_PAGES.keys())
    assert not undeclared, f"declare in LIST_PAGES or NOT_LIST_PAGES: {undeclared}"
    gone = sorted((LIST_PAGES.keys() | NOT_LIST_PAGES.keys()) - names)
    assert not gone, f"no such page any more: {gone}"


def test_the_endpoint_rule_finds_lists_and_only_lists():
    found = list_endpoints()
    assert {"GET /api/v1/contacts", "GET /api/v1/offices", "GET /api/v1/handoffs"} <= found
    assert not found & {"GET /api/v1/me", "GET /api/v1/contacts/{contact_id}"}
    assert openapi_gets().keys() >= LIST_DOWNLOADS


def test_every_list_page_and_endpoint_has_a_query_count_guard():
    lists = LIST_PAGES.keys() | list_endpoints()
    unguarded = sorted(lists - guarded().keys() - NOT_YET_GUARDED)
    assert not unguarded, (
        "add a test marked @pytest.mark.query_guard(<name>) that counts the queries at a few "
        "rows and at more (see core.testing.assert_queries_flat), for:\n" + "\n".join(unguarded)
    )
    stale = sorted(NOT_YET_GUARDED & guarded().keys() | NOT_YET_GUARDED - lists)
    assert not stale, f"take these out of NOT_YET_GUARDED (guarded now, or no list): {stale}"


def test_guards_name_pages_and_endpoints_that_exist():
    # A wrong root would find no test modules, hence no guards, and let every check pass.
    assert "contacts:list" in guarded() and "GET /api/v1/contacts" in guarded()
    known = {name for name, _ in page_patterns()} | openapi_gets().keys()
    unknown = sorted(
        f"{where}: {target}"
        for target, places in guarded().items()
        for where in places
        if target not in known
    )
    assert not unknown, "no such URL name or GET endpoint:\n" + "\n".join(unknown)


def test_guards_are_tests_that_count_queries_with_literal_targets():
    wrong = []
    for where, marker, test in guard_markers():
        if not marker.args or not all(
            isinstance(a, ast.Constant) and isinstance(a.value, str) for a in marker.args
        ):
            wrong.append(f"{where}: name the targets as string literals (this check reads them)")
        if test is None or not any(word in ast.unparse(test) for word in COUNTERS):
            wrong.append(f"{where}: put the marker on a test that counts queries")
    assert not wrong, "\n".join(wrong)
