import base64
import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rallypoynt.accounts.models import User
from rallypoynt.accounts.tests.factories import UserFactory
from rallypoynt.api.tests.helpers import ApiClient
from rallypoynt.core.errors import ValidationFailed
from rallypoynt.core.pagination import MAX_LIMIT, decode_cursor, encode_cursor, paginate
from rallypoynt.orgs.models import Membership
from rallypoynt.orgs.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def raw_cursor(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def walk(qs, ordering, limit):
    """Every row, page by page; also returns the page sizes."""
    rows, sizes, cursor = [], [], None
    while True:
        page = paginate(qs, cursor=cursor, limit=limit, ordering=ordering)
        rows += page["items"]
        sizes.append(len(page["items"]))
        cursor = page["next_cursor"]
        if cursor is None:
            return rows, sizes


# cursors


@pytest.mark.parametrize(
    "values", [[1], [5, "b"], ["Smith", "Ann", 42], [None, 3], [1.5, -2], ["é ünïcode", 0]]
)
def test_cursor_round_trips(values):
    cursor = encode_cursor(values)
    assert "=" not in cursor and "+" not in cursor and "/" not in cursor
    assert decode_cursor(cursor) == values


def test_cursor_turns_other_values_into_strings():
    moment = timezone.now()
    assert decode_cursor(encode_cursor([moment, 7])) == [str(moment), 7]


@pytest.mark.parametrize(
    "cursor",
    [
        "%%%",
        "not base64!",
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        raw_cursor("just a string"),
        raw_cursor({"id": 1}),
        raw_cursor(5),
        raw_cursor([[1]]),
        raw_cursor([float("nan")]),
        raw_cursor(["nul\x00byte"]),
    ],
)
def test_malformed_cursor_is_a_validation_failure(cursor):
    with pytest.raises(ValidationFailed) as exc:
        decode_cursor(cursor)
    assert list(exc.value.fields) == ["cursor"]


@pytest.mark.parametrize(
    "values",
    [[1, 2], [], ["abc"], [None], ["2024-13-45"]],
)
def test_cursor_that_does_not_fit_the_ordering_is_a_validation_failure(values):
    UserFactory()
    ordering = ("-date_joined",) if values == ["2024-13-45"] else ("id",)
    with pytest.raises(ValidationFailed) as exc:
        paginate(User.objects.all(), cursor=raw_cursor(values), limit=5, ordering=ordering)
    assert list(exc.value.fields) == ["cursor"]


@pytest.mark.parametrize("limit", [0, -1, MAX_LIMIT + 1])
def test_limit_outside_bounds_is_a_validation_failure(limit):
    with pytest.raises(ValidationFailed) as exc:
        paginate(User.objects.all(), cursor=None, limit=limit)
    assert list(exc.value.fields) == ["limit"]


@pytest.mark.parametrize("limit", [1, MAX_LIMIT])
def test_limit_at_the_bounds_is_accepted(limit):
    UserFactory.create_batch(2)
    page = paginate(User.objects.all(), cursor=None, limit=limit)
    assert len(page["items"]) == min(limit, 2)


# ordering


def test_empty_queryset_is_one_empty_page():
    assert paginate(User.objects.none(), cursor=None, limit=5) == {
        "items": [],
        "next_cursor": None,
    }


def test_exactly_one_full_page_has_no_next_cursor():
    UserFactory.create_batch(5)
    page = paginate(User.objects.all(), cursor=None, limit=5)
    assert len(page["items"]) == 5 and page["next_cursor"] is None


def test_default_ordering_is_newest_id_first():
    users = UserFactory.create_batch(4)
    rows, sizes = walk(User.objects.all(), ("-id",), 3)
    assert rows == sorted(users, key=lambda u: -u.pk) and sizes == [3, 1]


@pytest.mark.parametrize(
    "ordering",
    [
        ("-last_name", "id"),
        ("last_name", "-id"),
        ("last_name", "-first_name", "id"),
        ("-last_name", "first_name", "-id"),
    ],
)
def test_walking_pages_with_ties_and_descending_fields_matches_order_by(ordering):
    names = ["Bo", "Al", "Bo", "Cy", "Al", "Bo", "Bo", "Cy", "Al", "Bo", "Dee"]
    for n, last in enumerate(names):
        UserFactory(last_name=last, first_name="Xy"[n % 2])
    qs = User.objects.all()
    for limit in (1, 2, 3, 4):
        rows, _ = walk(qs, ordering, limit)
        assert rows == list(qs.order_by(*ordering))


def test_equal_timestamps_paginate_by_the_tie_breaker():
    same = timezone.now() - timedelta(days=1)
    for _ in range(5):
        UserFactory(date_joined=same)
    UserFactory()
    qs = User.objects.all()
    rows, sizes = walk(qs, ("-date_joined", "id"), 2)
    assert rows == list(qs.order_by("-date_joined", "id")) and sizes == [2, 2, 2]


def test_ordering_across_a_relation():
    for last in ["Zu", "Ab", "Mo", "Ab"]:
        MembershipFactory(user=UserFactory(last_name=last))
    qs = Membership.objects.all()
    rows, _ = walk(qs, ("user__last_name", "id"), 1)
    assert rows == list(qs.order_by("user__last_name", "id"))


def test_rows_added_after_the_first_page_cause_no_duplicates():
    UserFactory.create_batch(6)
    first = paginate(User.objects.all(), cursor=None, limit=3, ordering=("-id",))
    UserFactory.create_batch(2)  # newer rows sort before the cursor
    second = paginate(User.objects.all(), cursor=first["next_cursor"], limit=3, ordering=("-id",))
    assert not {u.pk for u in first["items"]} & {u.pk for u in second["items"]}
    assert len(second["items"]) == 3 and second["next_cursor"] is None


def test_serialize_is_applied_to_each_row():
    users = UserFactory.create_batch(2)
    page = paginate(User.objects.all(), cursor=None, limit=5, ordering=("id",), serialize=str)
    assert page["items"] == [str(u) for u in users]


# through GET /api/v1/members


@pytest.fixture
def org_of_23():
    caller = MembershipFactory()
    MembershipFactory.create_batch(21, org=caller.org)
    MembershipFactory(org=caller.org, is_active=False)
    MembershipFactory.create_batch(3)  # another org
    return caller


def test_walking_all_member_pages_has_no_duplicates_or_gaps(org_of_23):
    api = ApiClient(org_of_23)
    seen, sizes, cursor = [], [], None
    while True:
        query = "?limit=5" + (f"&cursor={cursor}" if cursor else "")
        body = api.get(f"/api/v1/members{query}").json()
        seen += [m["id"] for m in body["items"]]
        sizes.append(len(body["items"]))
        cursor = body["next_cursor"]
        if cursor is None:
            break
    expected = list(Membership.objects.filter(org=org_of_23.org).order_by("id"))
    assert seen == [m.pk for m in expected]
    assert sizes == [5, 5, 5, 5, 3]


def test_member_list_query_count_does_not_grow_with_page_size(org_of_23):
    api = ApiClient(org_of_23)
    api.get("/api/v1/members?limit=1")  # first use of the token writes last_used_at
    counts = {}
    for limit in (5, 50):
        with CaptureQueriesContext(connection) as ctx:
            response = api.get(f"/api/v1/members?limit={limit}")
        assert response.status_code == 200
        counts[limit] = len(ctx.captured_queries)
    assert counts[5] == counts[50]
    assert counts[50] <= 8


@pytest.mark.parametrize(
    "query",
    ["cursor=%25%25%25", f"cursor={raw_cursor(['abc'])}", f"cursor={raw_cursor([1, 2])}"],
)
def test_bad_cursor_through_the_api_is_422(org_of_23, query):
    response = ApiClient(org_of_23).get(f"/api/v1/members?{query}")
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["cursor"]


@pytest.mark.parametrize("limit", [0, MAX_LIMIT + 1])
def test_limit_out_of_bounds_through_the_api_is_422(org_of_23, limit):
    response = ApiClient(org_of_23).get(f"/api/v1/members?limit={limit}")
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["limit"]
