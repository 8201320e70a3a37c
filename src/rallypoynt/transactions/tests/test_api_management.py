"""Managing a deal through the API and the pages: checklists, templates, issues, progress
and the walk-through; outsiders get 404s; list pages and endpoints cost the same queries
however many rows they show."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rallypoynt.api.tests.helpers import ApiClient
from rallypoynt.core.testing import client_for, count_queries
from rallypoynt.orgs.tests.brokerage import org_today
from rallypoynt.transactions.models import ChecklistItem, Issue, ProgressUpdate, WalkthroughReport
from rallypoynt.transactions.services.checklists import (
    checklist_item_add,
    checklist_item_mark,
    checklists_apply,
)
from rallypoynt.transactions.services.issues import issue_raise, issue_resolve
from rallypoynt.transactions.tests.factories import deal_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(brokerage):
    today = org_today()
    return deal_for(
        brokerage.ben, accepted_on=today - timedelta(days=3), closing_on=today + timedelta(days=25)
    )


def test_checklists_through_the_api(brokerage, deal):
    api = ApiClient(brokerage.ben)
    url = f"/api/v1/transactions/{deal.pk}/checklists"
    assert api.get(url).json() == []
    groups = api.post(f"{url}/apply", {}).json()
    assert [g["kind"] for g in groups] == ["due_diligence", "pre_closing", "closing"]
    item = groups[0]["items"][0]
    assert item["key"] == "send-contract" and item["due_on"] and item["status"] == "open"

    marked = api.post(f"/api/v1/checklist-items/{item['id']}", {"status": "done"})
    assert marked.status_code == 200, marked.content
    assert marked.json()["status"] == "done" and marked.json()["done_by"]
    assert api.post(f"/api/v1/checklist-items/{item['id']}", {"status": "done"}).status_code == 409
    assert api.post(f"/api/v1/checklist-items/{item['id']}", {"status": "x"}).status_code == 422

    custom = api.post(
        f"/api/v1/transactions/{deal.pk}/checklist-items",
        {"kind": "closing", "title": "Book the movers", "due_on": str(org_today())},
    )
    assert custom.status_code == 201 and custom.json()["key"] == "custom-1"
    terminate = api.post(f"{url}/apply", {"kinds": ["termination"]}).json()
    assert terminate[-1]["kind"] == "termination"
    assert api.post(f"{url}/apply", {"kinds": ["nope"]}).status_code == 422

    soon = api.get("/api/v1/checklist-items?days=3").json()["items"]
    assert soon and all(row["deal_id"] == deal.pk for row in soon)
    assert soon[0]["property"].startswith("1550 Blake St")
    assert api.get("/api/v1/checklist-items?days=0").status_code == 422


def test_templates_through_the_api(brokerage):
    url = "/api/v1/checklist-templates"
    shipped = ApiClient(brokerage.ben).get(url).json()
    assert {"due_diligence", "pre_closing", "closing", "termination"} == {
        t["kind"] for t in shipped
    }
    body = {
        "kind": "due_diligence",
        "side": "buy",
        "state": "CO",
        "name": "Colorado buyers",
        "items": [{"key": "co-disclosure", "title": "Read the Colorado disclosure"}],
    }
    assert ApiClient(brokerage.ben)._send("put", url, body).status_code == 403
    # The org's templates are an org-wide setting: an office manager reads them only.
    assert ApiClient(brokerage.manager)._send("put", url, body).status_code == 403
    api = ApiClient(brokerage.broker)
    saved = api._send("put", url, body)
    assert saved.status_code == 200, saved.content
    assert saved.json()["items"][0] == {
        "key": "co-disclosure",
        "title": "Read the Colorado disclosure",
        "anchor": "",
        "days": 0,
        "day_type": "calendar",
        "role": "",
    }
    bad = api._send("put", url, {**body, "items": [{"key": "a", "title": "A", "days": "x"}]})
    assert bad.status_code == 422
    assert "items[0].days" in bad.json()["error"]["fields"]
    deal = deal_for(brokerage.ben, state="CO")
    groups = ApiClient(brokerage.ben).post(f"/api/v1/transactions/{deal.pk}/checklists/apply", {})
    assert [i["key"] for i in groups.json()[0]["items"]] == ["co-disclosure"]


def test_issues_through_the_api(brokerage, deal):
    api = ApiClient(brokerage.ben)
    url = f"/api/v1/transactions/{deal.pk}/issues"
    raised = api.post(url, {"title": "Appraisal low", "owner_id": brokerage.lead.pk})
    assert raised.status_code == 201, raised.content
    issue = raised.json()
    assert issue["status"] == "open" and issue["owner_id"] == brokerage.lead.pk
    assert api.post(url, {"title": "x", "owner_id": 999999}).status_code == 422
    one = f"/api/v1/issues/{issue['id']}"
    patched = api.patch(one, {"owner_id": None, "due_on": str(org_today())})
    assert patched.json()["owner_id"] is None and patched.json()["due_on"]
    assert patched.json()["title"] == "Appraisal low"
    assert api.post(f"{one}/resolve", {"resolution": ""}).status_code == 422
    resolved = api.post(f"{one}/resolve", {"resolution": "Seller credit of $4k"}).json()
    assert resolved["status"] == "resolved" and resolved["resolved_by"]
    assert api.post(f"{one}/reopen", {}).json()["status"] == "open"
    assert [i["id"] for i in api.get(url).json()] == [issue["id"]]


def test_progress_and_walkthrough_through_the_api(brokerage, deal):
    api = ApiClient(brokerage.ben)
    base = f"/api/v1/transactions/{deal.pk}"
    assert api.get(f"{base}/progress").json()["days_to_closing"] == 25
    posted = api.post(f"{base}/progress-updates", {"note": "All on track."})
    assert posted.status_code == 201 and posted.json()["snapshot"]["status"] == "offer"
    assert api.post(f"{base}/progress-updates", {"note": "x", "send": True}).status_code == 422
    assert len(api.get(f"{base}/progress-updates").json()) == 1

    report = api.post(
        f"{base}/walkthroughs",
        {
            "done_on": str(org_today()),
            "findings": [{"area": "Kitchen", "ok": True}, {"area": "Roof", "ok": False}],
        },
    )
    assert report.status_code == 201, report.content
    assert report.json()["is_ok"] is False
    assert Issue.objects.filter(deal=deal, title="Walk-through: Roof").exists()
    bad = api.post(f"{base}/walkthroughs", {"done_on": "2026-01-01", "findings": [{"ok": 1}]})
    assert bad.status_code == 422 and "findings[0].area" in bad.json()["error"]["fields"]
    assert len(api.get(f"{base}/walkthroughs").json()) == 1


def test_outsiders_get_404_from_every_endpoint_and_page(brokerage, other, deal):
    checklists_apply(deal=deal, kinds=["due_diligence"])
    item = ChecklistItem.objects.filter(deal=deal).first()
    issue = issue_raise(actor=brokerage.ben, deal_id=deal.pk, title="Roof")
    base = f"/api/v1/transactions/{deal.pk}"
    for outsider in (other.broker, brokerage.maria):
        api = ApiClient(outsider)
        for path in ("checklists", "issues", "progress", "progress-updates", "walkthroughs"):
            assert api.get(f"{base}/{path}").status_code == 404, path
        assert api.post(f"{base}/checklists/apply", {}).status_code == 404
        assert api.post(f"{base}/issues", {"title": "x"}).status_code == 404
        assert api.post(f"{base}/progress-updates", {"note": "x"}).status_code == 404
        assert api.post(f"/api/v1/checklist-items/{item.pk}", {"status": "done"}).status_code == 404
        assert api.get(f"/api/v1/issues/{issue.pk}").status_code == 404
        assert (
            api.post(f"/api/v1/issues/{issue.pk}/resolve", {"resolution": "x"}).status_code == 404
        )
        assert api.get("/api/v1/checklist-items?days=30").json()["items"] == []
        client = client_for(outsider)
        for page in ("checklists", "issues", "progress", "walkthrough"):
            assert client.get(f"/transactions/{deal.pk}/{page}/").status_code == 404, page
        answer = client.post(f"/transactions/{deal.pk}/checklists/mark/", {"item_id": item.pk})
        assert answer.status_code == 404
    item.refresh_from_db()
    assert item.status == "open" and Issue.objects.get(pk=issue.pk).status == "open"
    assert ApiClient().get(f"{base}/checklists").status_code == 401


def test_the_pages_show_and_change_the_deal(brokerage, deal):
    client = client_for(brokerage.ben)
    url = f"/transactions/{deal.pk}"
    client.post(f"{url}/checklists/apply/", {"kinds": ["due_diligence"]})
    page = client.get(f"{url}/checklists/").content.decode()
    assert "Due diligence schedule" in page and "Book the home inspection" in page
    # The contract was due out 2 days ago and is still open.
    assert '<span class="day-late">overdue</span>' in page
    item = ChecklistItem.objects.get(deal=deal, key="order-inspection")
    client.post(f"{url}/checklists/mark/", {"item_id": item.pk, "status": "done"})
    client.post(f"{url}/checklists/add/", {"kind": "closing", "title": "Flowers"})
    assert ChecklistItem.objects.get(pk=item.pk).status == "done"
    assert ChecklistItem.objects.filter(deal=deal, key="custom-1").exists()

    client.post(f"{url}/issues/raise/", {"title": "Survey fence", "owner_id": ""})
    issue = Issue.objects.get(deal=deal)
    assert "Survey fence" in client.get(f"{url}/issues/").content.decode()
    answer = client.post(f"{url}/issues/resolve/", {"issue_id": issue.pk})
    assert "say how it was resolved" in client.get(answer.url).content.decode()
    client.post(f"{url}/issues/resolve/", {"issue_id": issue.pk, "resolution": "OK"})
    assert Issue.objects.get(pk=issue.pk).status == "resolved"

    client.post(f"{url}/progress/post/", {"note": "Inspection done."})
    assert ProgressUpdate.objects.filter(deal=deal).count() == 1
    page = client.get(f"{url}/progress/").content.decode()
    assert "Inspection done." in page and "Where it stands" in page

    walk = {"done_on": str(org_today()), "area_0": "Kitchen", "ok_0": "1"}
    client.post(
        f"{url}/walkthrough/record/", {**walk, "area_1": "Roof", "ok_1": "0", "note_1": "Leak"}
    )
    assert WalkthroughReport.objects.get(deal=deal).is_ok is False
    assert "Problems found" in client.get(f"{url}/walkthrough/").content.decode()
    assert client.post(f"{url}/issues/explode/").status_code == 404


@pytest.mark.query_guard(
    "transactions:manage_checklists",
    "transactions:manage_issues",
    "GET /api/v1/transactions/{deal_id}/checklists",
    "GET /api/v1/transactions/{deal_id}/issues",
)
def test_lists_cost_the_same_queries_for_more_rows(brokerage, deal):
    api, client = ApiClient(brokerage.ben), client_for(brokerage.ben)

    def add_rows(n):
        for i in range(n):
            row = checklist_item_add(
                actor=brokerage.ben, deal_id=deal.pk, kind="closing", title=f"T{i}"
            )
            checklist_item_mark(actor=brokerage.ben, item_id=row.pk, status="done")
            issue = issue_raise(
                actor=brokerage.ben,
                deal_id=deal.pk,
                title=f"I{i}",
                owner_id=brokerage.lead.pk,
            )
            issue_resolve(actor=brokerage.ben, issue_id=issue.pk, resolution="done")

    urls = [
        (client, f"/transactions/{deal.pk}/checklists/"),
        (client, f"/transactions/{deal.pk}/issues/"),
        (api, f"/api/v1/transactions/{deal.pk}/checklists"),
        (api, f"/api/v1/transactions/{deal.pk}/issues"),
    ]
    add_rows(1)
    for who, url in urls:
        who.get(url)
    few = [count_queries(lambda who=who, url=url: who.get(url)) for who, url in urls]
    add_rows(4)
    more = [count_queries(lambda who=who, url=url: who.get(url)) for who, url in urls]
    assert more == few
