"""API: the org's list of reasons an engagement is lost (read by all, edited by managers)."""

from __future__ import annotations

from ninja import Field, Router, Schema

from rallypoynt.core.api.schemas import ERRORS
from rallypoynt.core.api.types import PositiveInt16
from rallypoynt.journeys import selectors
from rallypoynt.journeys.services.lost_reasons import lost_reason_save

router = Router(tags=["engagements"])


class LostReasonOut(Schema):
    key: str
    label: str
    position: PositiveInt16
    is_active: bool


class LostReasonIn(Schema):
    label: str = Field(..., min_length=1, max_length=80)
    is_active: bool = True
    position: int | None = Field(None, ge=0, le=1000)


@router.get("/lost-reasons", response={200: list[LostReasonOut], **ERRORS})
def lost_reason_list_endpoint(request):
    """The reasons to choose from when closing an engagement as lost, in order."""
    return list(selectors.lost_reason_list(actor=request.auth))


@router.put("/lost-reasons/{key}", response={200: LostReasonOut, **ERRORS})
def lost_reason_put_endpoint(request, key: str, body: LostReasonIn):
    """Add a reason under `key`, or rename, reorder or retire it (never deleted: lost
    engagements keep theirs). Team managers only."""
    return lost_reason_save(actor=request.auth, key=key, **body.dict())
