"""API: who am I, and my API tokens."""

from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema, Status

from rallypoynt.accounts import selectors, services
from rallypoynt.core.api.schemas import ERRORS
from rallypoynt.core.api.types import Int64

router = Router(tags=["accounts"])


class UserOut(Schema):
    id: Int64
    email: str
    first_name: str
    last_name: str


class OrgOut(Schema):
    id: Int64
    name: str
    slug: str
    time_zone: str


class MeOut(Schema):
    user: UserOut
    org: OrgOut
    membership_id: Int64
    roles: list[str]
    office_id: Int64 | None


@router.get("/me", response={200: MeOut, **ERRORS}, summary="The caller, their org and roles")
def me_endpoint(request):
    m = request.auth
    return {
        "user": m.user,
        "org": m.org,
        "membership_id": m.pk,
        "roles": sorted(m.roles),
        "office_id": m.office_id,
    }


class TokenOut(Schema):
    id: Int64
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    token: str


class TokenIn(Schema):
    name: str


@router.get("/tokens", response={200: list[TokenOut], **ERRORS})
def token_list_endpoint(request):
    return list(selectors.api_token_list(actor=request.auth))


@router.post(
    "/tokens",
    response={201: TokenCreatedOut, **ERRORS},
    summary="Create a token (its secret is returned once)",
)
def token_create_endpoint(request, payload: TokenIn):
    token, secret = services.api_token_create(actor=request.auth, name=payload.name)
    return Status(201, {**TokenOut.from_orm(token).model_dump(), "token": secret})


@router.delete("/tokens/{token_id}", response={204: None, **ERRORS})
def token_revoke_endpoint(request, token_id: Int64):
    services.api_token_revoke(actor=request.auth, token_id=token_id)
    return Status(204, None)
