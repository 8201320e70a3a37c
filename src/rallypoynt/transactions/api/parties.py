"""API: the parties on a deal (its team contact list)."""

from __future__ import annotations

from ninja import Router, Schema, Status

from rallypoynt.core.api.schemas import ERRORS
from rallypoynt.core.api.types import Int64
from rallypoynt.core.errors import NotFound
from rallypoynt.transactions import selectors
from rallypoynt.transactions.services import parties

router = Router(tags=["parties"])


class PartyIn(Schema):
    role: str
    side: str = ""
    contact_id: Int64 | None = None
    member_id: Int64 | None = None
    name: str = ""
    company: str = ""
    email: str = ""
    phone: str = ""
    license_number: str = ""
    notes: str = ""


class PartyPatch(Schema):
    role: str | None = None
    side: str | None = None
    name: str | None = None
    company: str | None = None
    email: str | None = None
    phone: str | None = None
    license_number: str | None = None
    notes: str | None = None


class PartyOut(Schema):
    id: Int64
    deal_id: Int64
    role: str
    side: str
    contact_id: Int64 | None
    member_id: Int64 | None
    name: str
    company: str
    email: str
    phone: str
    license_number: str
    notes: str


def _deal(request, deal_id: Int64):
    deal = selectors.deal_get(actor=request.auth, deal_id=deal_id)
    if deal is None:
        raise NotFound("No such deal.")
    return deal


@router.get("/transactions/{deal_id}/parties", response={200: list[PartyOut], **ERRORS})
def party_list_endpoint(request, deal_id: Int64):
    """The team contact list: clients, agents on both sides, lender, title, inspector..."""
    return selectors.party_list(deal=_deal(request, deal_id))


@router.post("/transactions/{deal_id}/parties", response={201: PartyOut, **ERRORS})
def party_create_endpoint(request, deal_id: Int64, body: PartyIn):
    """Add a party: a contact (`contact_id`), a member (`member_id`: they will see the deal)
    or a named outsider such as the co-op agent, who never logs in."""
    party = parties.party_add(actor=request.auth, deal_id=deal_id, **body.dict())
    return Status(201, party)


@router.patch("/parties/{party_id}", response={200: PartyOut, **ERRORS})
def party_change_endpoint(request, party_id: Int64, body: PartyPatch):
    return parties.party_update(
        actor=request.auth, party_id=party_id, **body.dict(exclude_unset=True)
    )


@router.delete("/parties/{party_id}", response={204: None, **ERRORS})
def party_delete_endpoint(request, party_id: Int64):
    parties.party_remove(actor=request.auth, party_id=party_id)
    return Status(204, None)
