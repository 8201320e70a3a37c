"""API: the org's settings, offices, teams, members, invitations and each member's notifications."""

from __future__ import annotations

from datetime import datetime

from ninja import Query, Router, Schema, Status
from pydantic import EmailStr

from rallypoynt.core.api.schemas import ERRORS
from rallypoynt.core.api.types import Id, Int64, LocalTime, PageLimit, PositiveInt16
from rallypoynt.core.errors import NotFound
from rallypoynt.core.pagination import paginate
from rallypoynt.orgs import selectors, services

router = Router(tags=["organization"])


class OrganizationOut(Schema):
    id: Int64
    name: str
    slug: str
    branding_name: str
    time_zone: str
    holiday_country: str
    holiday_subdivision: str


class OrganizationPatch(Schema):
    name: str | None = None
    branding_name: str | None = None
    time_zone: str | None = None
    holiday_country: str | None = None
    holiday_subdivision: str | None = None


@router.get("/organization", response={200: OrganizationOut, **ERRORS})
def organization_get_endpoint(request):
    return request.auth.org


@router.patch("/organization", response={200: OrganizationOut, **ERRORS})
def organization_patch_endpoint(request, payload: OrganizationPatch):
    values = payload.dict(exclude_unset=True)
    return services.organization_update(actor=request.auth, **values)


class HoursOut(Schema):
    weekday: PositiveInt16
    opens_at: LocalTime
    closes_at: LocalTime


@router.get("/organization/business-hours", response={200: list[HoursOut], **ERRORS})
def business_hours_get_endpoint(request):
    hours = selectors.business_hours_of(org=request.auth.org)
    return [
        {"weekday": day, "opens_at": start, "closes_at": end}
        for day, intervals in sorted(hours.items())
        for start, end in intervals
    ]


class OfficeOut(Schema):
    id: Int64
    name: str
    address: str
    phone: str


class OfficeIn(Schema):
    name: str
    address: str = ""
    phone: str = ""


@router.get("/offices", response={200: list[OfficeOut], **ERRORS})
def office_list_endpoint(request):
    return list(selectors.office_list(actor=request.auth))


@router.post("/offices", response={201: OfficeOut, **ERRORS})
def office_create_endpoint(request, payload: OfficeIn):
    return Status(201, services.office_create(actor=request.auth, **payload.dict()))


class TeamOut(Schema):
    id: Int64
    name: str
    office_id: Int64 | None
    lead_member_ids: list[Int64]

    @staticmethod
    def resolve_lead_member_ids(team) -> list[int]:
        return [m.membership_id for m in team.lead_members]


class TeamIn(Schema):
    name: str
    office_id: Int64 | None = None


@router.get("/teams", response={200: list[TeamOut], **ERRORS})
def team_list_endpoint(request):
    return list(selectors.team_list(actor=request.auth))


@router.post("/teams", response={201: TeamOut, **ERRORS})
def team_create_endpoint(request, payload: TeamIn):
    team = services.team_create(actor=request.auth, **payload.dict())
    team.lead_members = []
    return Status(201, team)


class TeamMemberIn(Schema):
    is_lead: bool = False


class TeamMemberOut(Schema):
    team_id: Int64
    membership_id: Int64
    is_lead: bool


@router.put("/teams/{team_id}/members/{member_id}", response={200: TeamMemberOut, **ERRORS})
def team_member_set_endpoint(request, team_id: Int64, member_id: Int64, payload: TeamMemberIn):
    """Put a member on a team, or make them (or stop them being) its lead. An office manager
    reaches the teams and members of their office; others answer 404 like missing ones."""
    return services.team_member_add(
        actor=request.auth, team_id=team_id, membership_id=member_id, is_lead=payload.is_lead
    )


@router.delete("/teams/{team_id}/members/{member_id}", response={204: None, **ERRORS})
def team_member_remove_endpoint(request, team_id: Int64, member_id: Int64):
    services.team_member_remove(actor=request.auth, team_id=team_id, membership_id=member_id)
    return Status(204, None)


class MemberOut(Schema):
    id: Int64
    user_id: Int64
    email: str
    name: str
    title: str
    office_id: Int64 | None
    is_active: bool
    roles: list[str]
    team_ids: list[Int64]
    created_at: datetime

    @staticmethod
    def resolve_email(m) -> str:
        return m.user.email

    @staticmethod
    def resolve_name(m) -> str:
        return m.user.get_full_name()

    @staticmethod
    def resolve_roles(m) -> list[str]:
        return [r.role for r in m.role_assignments.all()]

    @staticmethod
    def resolve_team_ids(m) -> list[int]:
        return [t.team_id for t in m.team_memberships.all()]


class MemberPage(Schema):
    items: list[MemberOut]
    next_cursor: str | None


class MemberPatch(Schema):
    roles: list[str] | None = None
    title: str | None = None
    is_active: bool | None = None


class PageQuery(Schema):
    cursor: str | None = None
    limit: PageLimit = 50


@router.get("/members", response={200: MemberPage, **ERRORS})
def member_list_endpoint(request, page: Query[PageQuery]):
    qs = selectors.member_list(actor=request.auth, include_inactive=True)
    return paginate(qs, cursor=page.cursor, limit=page.limit, ordering=("id",))


@router.get("/members/{member_id}", response={200: MemberOut, **ERRORS})
def member_get_endpoint(request, member_id: Int64):
    member = selectors.member_get(actor=request.auth, membership_id=member_id)
    if member is None:
        raise NotFound("No such member.")
    return member


@router.patch("/members/{member_id}", response={200: MemberOut, **ERRORS})
def member_patch_endpoint(request, member_id: Int64, payload: MemberPatch):
    services.member_update(
        actor=request.auth, membership_id=member_id, **payload.dict(exclude_unset=True)
    )
    return selectors.member_get(actor=request.auth, membership_id=member_id)


class InvitationIn(Schema):
    email: EmailStr
    roles: list[str] = []
    office_id: Id | None = None
    team_id: Id | None = None


class InvitationOut(Schema):
    id: Int64
    email: str
    roles: list[str]
    expires_at: datetime


@router.get("/invitations", response={200: list[InvitationOut], **ERRORS})
def invitation_list_endpoint(request):
    return list(selectors.invitation_list(actor=request.auth))


@router.post("/invitations", response={201: InvitationOut, **ERRORS})
def invitation_create_endpoint(request, payload: InvitationIn):
    invitation, _ = services.invitation_create(
        actor=request.auth,
        accept_url_base=request.build_absolute_uri("/").rstrip("/"),
        **payload.dict(),
    )
    return Status(201, invitation)


class AuditOut(Schema):
    id: Int64
    at: datetime
    actor_id: Int64 | None
    action: str
    object_type: str
    object_id: Int64 | None
    object_repr: str
    changes: dict


class AuditPage(Schema):
    items: list[AuditOut]
    next_cursor: str | None


class AuditQuery(PageQuery):
    object_type: str = ""
    action: str = ""


@router.get("/audit", response={200: AuditPage, **ERRORS}, summary="The org's audit log")
def audit_list_endpoint(request, query: Query[AuditQuery]):
    qs = selectors.audit_list(
        actor=request.auth, object_type=query.object_type, action=query.action
    )
    return paginate(qs, cursor=query.cursor, limit=query.limit, ordering=("-at", "-id"))


class NotificationOut(Schema):
    id: Int64
    kind: str
    title: str
    body: str
    link: str
    read_at: datetime | None
    created_at: datetime


class NotificationPage(Schema):
    items: list[NotificationOut]
    next_cursor: str | None


class NotificationQuery(Schema):
    unread: bool = False
    cursor: str | None = None
    limit: PageLimit = 50


class MarkedOut(Schema):
    marked: Int64


@router.get("/notifications", response={200: NotificationPage, **ERRORS})
def notifications_endpoint(request, query: Query[NotificationQuery]):
    """The caller's own notifications, newest first."""
    qs = selectors.notification_list(actor=request.auth, unread_only=query.unread)
    return paginate(qs, cursor=query.cursor, limit=query.limit, ordering=("-created_at", "-id"))


@router.post("/notifications/read-all", response={200: MarkedOut, **ERRORS})
def notifications_read_all_endpoint(request):
    if not selectors.notification_list(actor=request.auth, unread_only=True).exists():
        return {"marked": 0}
    return {"marked": services.notification_mark_read(actor=request.auth)}


@router.post("/notifications/{notification_id}/read", response={200: NotificationOut, **ERRORS})
def notification_mark_endpoint(request, notification_id: Int64):
    """Mark one read; reading one already read is fine."""
    return services.notification_read(actor=request.auth, notification_id=notification_id)
