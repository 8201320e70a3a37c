"""API: the header search across contacts, deals and engagements, mounted by rallypoynt.api.

It answers what `/search/` shows, from the same selectors: only rows the caller may see,
at most `limit` of each kind, best match first."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from rallypoynt.core.api.schemas import ERRORS
from rallypoynt.core.api.types import Int64
from rallypoynt.core.errors import ValidationFailed
from rallypoynt.core.search import MAX_TERM, search_prefix
from rallypoynt.web.forms import NOTHING_TO_FIND
from rallypoynt.web.selectors import search_results

router = Router(tags=["search"])
MAX_LIMIT = 50


class SearchQuery(Schema):
    q: Annotated[
        str,
        Field(
            min_length=1,
            max_length=MAX_TERM,
            description="A word start of a name (either order), e-mail address, phone number "
            "(any format), street, MLS number or engagement title.",
        ),
    ]
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = 10


class ContactHit(Schema):
    id: Int64
    name: str
    email: str | None
    phone: str | None
    stage: str


class DealHit(Schema):
    id: Int64
    street: str
    city: str
    state: str
    mls_number: str
    status: str


class EngagementHit(Schema):
    id: Int64
    title: str
    side: str
    status: str
    agent_id: Int64


class SearchOut(Schema):
    q: str
    contacts: list[ContactHit]
    deals: list[DealHit]
    engagements: list[EngagementHit]


@router.get("/search", response={200: SearchOut, **ERRORS})
def search_endpoint(request: HttpRequest, query: Query[SearchQuery]):
    """Contacts, deals and engagements you may see matching `q`, at most `limit` of each."""
    q = query.q.strip()
    if not search_prefix(q):
        raise ValidationFailed("Nothing to search for.", fields={"q": [NOTHING_TO_FIND]})
    found = search_results(actor=request.auth, text=q, limit=query.limit)
    return {
        "q": q,
        "contacts": [
            {
                "id": c.pk,
                "name": c.full_name,
                "email": c.primary_email,
                "phone": c.primary_phone,
                "stage": c.stage,
            }
            for c in found.contacts
        ],
        "deals": [
            {
                "id": d.pk,
                "street": d.street,
                "city": d.city,
                "state": d.state,
                "mls_number": d.mls_number,
                "status": d.status,
            }
            for d in found.deals
        ],
        "engagements": [
            {
                "id": e.pk,
                "title": e.title,
                "side": e.side,
                "status": e.status,
                "agent_id": e.agent_id,
            }
            for e in found.engagements
        ],
    }
