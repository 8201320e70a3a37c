"""Tasks: my open tasks soonest first, completing from the page and the API, and scope."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from rallypoynt.api.tests.helpers import ApiClient
from rallypoynt.contacts.models import Task
from rallypoynt.contacts.selectors import task_list
from rallypoynt.contacts.tests.factories import ContactFactory, TaskFactory
from rallypoynt.core.errors import PermissionDenied, ValidationFailed
from rallypoynt.core.testing import count_queries
from rallypoynt.orgs.tests.brokerage import build_brokerage

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return build_brokerage()


def task_for(member, **values) -> Task:
    contact = ContactFactory(org=member.org, owner=member)
    return TaskFactory(contact=contact, assignee=member, **values)


def browser(member) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def test_open_tasks_come_soonest_due_first_and_undated_last(org):
    now = timezone.now()
    later = task_for(org.ben, due_at=now + timedelta(days=2))
    undated = task_for(org.ben)
    soon = task_for(org.ben, due_at=now + timedelta(hours=1))
    task_for(org.ben, due_at=now, completed_at=now)
    task_for(org.maria, due_at=now)
    assert list(task_list(actor=org.ben).order_by("due_sort", "id")) == [soon, later, undated]


def test_overdue_and_today_filters(org):
    now = timezone.now()
    late = task_for(org.ben, due_at=now - timedelta(days=1))
    task_for(org.ben, due_at=now + timedelta(days=3))
    assert list(task_list(actor=org.ben, due="overdue")) == [late]
    with pytest.raises(ValidationFailed):
        task_list(actor=org.ben, due="someday")
    with pytest.raises(ValidationFailed):
        task_list(actor=org.ben, status="maybe")


def test_a_lead_sees_team_tasks_but_an_agent_not_a_colleagues(org):
    mine = task_for(org.maria)
    assert list(task_list(actor=org.chris, assignee_id=org.maria.pk)) == [mine]
    with pytest.raises(PermissionDenied):
        task_list(actor=org.ben, assignee_id=org.maria.pk)


def test_api_lists_creates_and_completes_my_tasks(org):
    contact = ContactFactory(org=org.org, owner=org.ben)
    client = ApiClient(org.ben)
    due = (timezone.now() + timedelta(days=1)).isoformat()
    made = client.post(
        "/api/v1/tasks", {"title": "Call back", "contact_id": contact.pk, "due_at": due}
    )
    assert made.status_code == 201, made.content
    task_id = made.json()["id"]
    assert made.json()["assignee_id"] == org.ben.pk
    listed = client.get("/api/v1/tasks").json()
    assert [t["id"] for t in listed["items"]] == [task_id]
    done = client.patch(f"/api/v1/tasks/{task_id}", {"is_done": True})
    assert done.status_code == 200 and done.json()["is_done"] is True
    assert client.get("/api/v1/tasks").json()["items"] == []
    assert [t["id"] for t in client.get("/api/v1/tasks?status=done").json()["items"]] == [task_id]


def test_api_refuses_bad_tasks_and_other_peoples_tasks(org):
    client = ApiClient(org.ben)
    assert client.post("/api/v1/tasks", {"title": "  "}).status_code == 422
    hidden = ContactFactory(org=org.org, owner=org.maria)
    assert client.post("/api/v1/tasks", {"title": "x", "contact_id": hidden.pk}).status_code == 404
    theirs = task_for(org.maria)
    assert client.patch(f"/api/v1/tasks/{theirs.pk}", {"is_done": True}).status_code == 404
    assert client.get(f"/api/v1/tasks?assignee_id={org.maria.pk}").status_code == 403
    other = build_brokerage("Other Realty")
    assert (
        ApiClient(other.broker).patch(f"/api/v1/tasks/{theirs.pk}", {"is_done": True}).status_code
        == 404
    )
    theirs.refresh_from_db()
    assert theirs.completed_at is None


def test_api_task_pages_keep_their_order_across_cursors(org):
    now = timezone.now()
    for i in range(5):
        task_for(org.ben, due_at=now + timedelta(hours=i))
    task_for(org.ben)
    client = ApiClient(org.ben)
    seen, cursor = [], ""
    while True:
        body = client.get(f"/api/v1/tasks?limit=2{'&cursor=' + cursor if cursor else ''}").json()
        seen += [t["due_at"] for t in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 6 and seen[-1] is None
    assert seen[:5] == sorted(seen[:5])


def test_tasks_page_lists_mine_and_completes_over_htmx(org):
    task = task_for(org.ben, title="Send CMA")
    task_for(org.maria, title="Not mine")
    client = browser(org.ben)
    page = client.get("/contacts/tasks/").content.decode()
    assert "Send CMA" in page and "Not mine" not in page
    response = client.post(
        f"/contacts/tasks/{task.pk}/complete/", {"is_done": "1"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "task-done" in response.content.decode()
    task.refresh_from_db()
    assert task.completed_at is not None
    assert (
        browser(org.ben).post(f"/contacts/tasks/{task_for(org.maria).pk}/complete/").status_code
        == 404
    )


@pytest.mark.query_guard("contacts:tasks")
def test_tasks_page_query_count_is_constant(org):
    task_for(org.ben)
    client = browser(org.ben)
    client.get("/contacts/tasks/")
    few = count_queries(lambda: client.get("/contacts/tasks/"))
    for _ in range(20):
        task_for(org.ben)
    assert count_queries(lambda: client.get("/contacts/tasks/")) == few


def test_task_form_adds_a_task_and_returns_to_the_contact(org):
    contact = ContactFactory(org=org.org, owner=org.ben)
    response = browser(org.ben).post(
        "/contacts/tasks/new/",
        {"title": "Follow up", "contact_id": contact.pk, "next": f"/contacts/{contact.pk}/"},
    )
    assert response.status_code == 302 and response["Location"] == f"/contacts/{contact.pk}/"
    assert Task.objects.get().contact == contact
    evil = browser(org.ben).post(
        "/contacts/tasks/new/", {"title": "x", "next": "https://evil.test/"}
    )
    assert evil["Location"] == "/contacts/tasks/"


def test_task_patch_changes_fields_and_completes_in_one_call(brokerage):
    from rallypoynt.api.tests.helpers import ApiClient
    from rallypoynt.contacts.tests.factories import TaskFactory

    task = TaskFactory(
        contact__org=brokerage.org, contact__owner=brokerage.ben, assignee=brokerage.ben
    )
    api = ApiClient(brokerage.ben)
    response = api.patch(f"/api/v1/tasks/{task.pk}", {"title": "Call back", "is_done": True})
    assert response.status_code == 200
    task.refresh_from_db()
    assert task.title == "Call back" and task.completed_at is not None
    bad = api.patch(f"/api/v1/tasks/{task.pk}", {"title": "  "})
    assert bad.status_code == 422 and "title" in bad.json()["error"]["fields"]
    stranger = ApiClient(brokerage.maria).patch(f"/api/v1/tasks/{task.pk}", {"title": "Mine"})
    assert stranger.status_code == 404
    task.refresh_from_db()
    assert task.title == "Call back"
