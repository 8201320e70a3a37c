"""Every page is ordered by a unique key: the primary key breaks ties when a list leaves it out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from rallypoynt.accounts.models import User
from rallypoynt.accounts.tests.factories import UserFactory
from rallypoynt.core.pagination import decode_cursor, paginate

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("ordering", "tiebreak"), [(("-date_joined",), "-id"), (("date_joined",), "id")]
)
def test_ordering_without_the_id_gets_it_as_tie_breaker(ordering, tiebreak):
    same = timezone.now() - timedelta(days=1)
    UserFactory.create_batch(7, date_joined=same)
    qs = User.objects.all()
    seen, cursor = [], None
    while True:
        page = paginate(qs, cursor=cursor, limit=2, ordering=ordering)
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
        assert len(decode_cursor(cursor)) == 2
    assert seen == list(qs.order_by(*ordering, tiebreak))
