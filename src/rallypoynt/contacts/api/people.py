"""API: contacts, touchpoints, the merged timeline, relations, consent, tasks, smart lists.

Every endpoint acts as `request.auth` (the caller's Membership): selectors scope reads to
what that member may see, services check writes. Lists are keyset-paginated.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from ninja import Query, Router, Status

from rallypoynt.contacts.api import schemas as s
from rallypoynt.contacts.filters import NUMBER_BOUNDS, ContactFilters
from rallypoynt.contacts.selectors import (
    contact_get,
    contact_timeline,
    custom_fields_of,
    task_list,
    touchpoint_list,
)
from rallypoynt.contacts.selectors import lists as selectors_lists
from rallypoynt.contacts.selectors import relations as selectors_relations
from rallypoynt.contacts.services import lists, relations
from rallypoynt.contacts.services.activity import (
    TouchpointIn,
    task_complete,
    task_create,
    task_update,
    touchpoint_log,
)
from rallypoynt.contacts.services.consent import contact_consent_set
from rallypoynt.contacts.services.custom_fields import custom_field_create
from rallypoynt.contacts.services.people import (
    ContactData,
    contact_create,
    contact_delete,
    contact_for_update,
    contact_update,
)
from rallypoynt.core.api.schemas import ERRORS
from rallypoynt.core.api.types import Int64
from rallypoynt.core.errors import NotFound, ValidationFailed
from rallypoynt.core.pagination import paginate

router = Router(tags=["contacts"])


def _visible_contact(request: HttpRequest, contact_id: int):
    contact = contact_get(actor=request.auth, contact_id=contact_id)
    if contact is None:
        raise NotFound("No such contact.")
    return contact


def _limit(request: HttpRequest, default: int = 50) -> int:
    raw = request.GET.get("limit", default)
    try:
        return int(raw)
    except (TypeError, ValueError):
        return 0  # paginate refuses it with the usual field error


# Contacts ----------------------------------------------------------------------------------


@router.get(
    "/contacts",
    response={200: s.ContactPage, **ERRORS},
    openapi_extra={
        "parameters": [
            {"in": "query", "name": name, "required": False, "schema": schema}
            for name, schema in [
                ("q", {"type": "string"}),
                ("stage", {"type": "string"}),
                ("source", {"type": "string"}),
                ("tag", {"type": "string"}),
                ("cursor", {"type": "string"}),
                ("limit", {"type": "integer", "minimum": 1, "maximum": 200}),
                *(
                    (key, {"type": "integer", "minimum": 0, "maximum": bound})
                    for key, bound in NUMBER_BOUNDS.items()
                ),
            ]
        ]
    },
)
def contacts_list_endpoint(request):
    """Visible contacts, newest first; filter by q (name, e-mail or phone), stage, source,
    owner_id, tag, no_touchpoint_days, created_within_days."""
    filters = ContactFilters.from_dict(request.GET.dict())
    return selectors_lists.contact_page(
        actor=request.auth, filters=filters, cursor=request.GET.get("cursor"), limit=_limit(request)
    )


@router.post("/contacts", response={201: s.ContactDetailOut, **ERRORS})
def contacts_create_endpoint(request, payload: s.ContactIn):
    values = s.channels_typed(payload.dict())
    owner_id = values.pop("owner_id") or request.auth.pk
    contact = contact_create(
        actor=request.auth,
        org_id=request.auth.org_id,
        owner_id=owner_id,
        data=ContactData(**values),
    )
    # Answer from the new row itself: no re-read, the caller may not even see it any more.
    selectors_lists.contact_rows_attach(contacts=[contact])
    if contact.owner_id == request.auth.pk:
        request.auth.user = request.user
        contact.owner = request.auth
    return Status(201, contact)


@router.get("/contacts/{contact_id}", response={200: s.ContactDetailOut, **ERRORS})
def contacts_get_endpoint(request, contact_id: Int64):
    return _visible_contact(request, contact_id)


@router.patch("/contacts/{contact_id}", response={200: s.ContactDetailOut, **ERRORS})
def contacts_patch_endpoint(request, contact_id: Int64, payload: s.ContactPatch):
    changes = s.channels_typed(payload.dict(exclude_unset=True))
    if changes.get("custom", {}) is None:
        changes["custom"] = {}
    contact_update(actor=request.auth, contact_id=contact_id, changes=changes)
    return _visible_contact(request, contact_id)


@router.delete("/contacts/{contact_id}", response={204: None, **ERRORS})
def contacts_delete_endpoint(request, contact_id: Int64):
    contact_delete(actor=request.auth, contact_id=contact_id)
    return Status(204, None)


@router.put("/contacts/{contact_id}/consent", response={200: s.ContactDetailOut, **ERRORS})
def contacts_consent_endpoint(request, contact_id: Int64, payload: s.ConsentIn):
    with transaction.atomic():
        contact = contact_for_update(actor=request.auth, contact_id=contact_id)
        contact_consent_set(
            actor=request.auth,
            contact=contact,
            email=payload.email_consent,
            sms=payload.sms_consent,
            do_not_contact=payload.is_do_not_contact,
        )
    return _visible_contact(request, contact_id)


# Touchpoints and timeline ------------------------------------------------------------------


@router.get("/contacts/{contact_id}/touchpoints", response={200: s.TouchpointPage, **ERRORS})
def touchpoints_list_endpoint(request, contact_id: Int64, page: Query[s.PageQuery]):
    _visible_contact(request, contact_id)
    qs = touchpoint_list(actor=request.auth, contact_id=contact_id)
    return paginate(qs, cursor=page.cursor, limit=page.limit, ordering=("-occurred_at", "-id"))


@router.post("/contacts/{contact_id}/touchpoints", response={201: s.TouchpointOut, **ERRORS})
def touchpoints_create_endpoint(request, contact_id: Int64, payload: s.TouchpointCreate):
    touchpoint = touchpoint_log(
        actor=request.auth, contact_id=contact_id, data=TouchpointIn(**payload.dict())
    )
    return Status(201, touchpoint)


def _timeline_entry(item) -> dict:
    row = item.obj
    if item.kind == "touchpoint":
        fields = s.TouchpointOut.model_validate(row).model_dump()
    else:
        fields = item.source.data(row)
    return {
        "kind": item.kind,
        "id": row.pk,
        "at": item.at,
        "title": item.source.title(row),
        "data": fields,
    }


@router.get("/contacts/{contact_id}/timeline", response={200: s.TimelinePage, **ERRORS})
def timeline_get_endpoint(request, contact_id: Int64, page: Query[s.PageQuery]):
    """Touchpoints, lead inquiries and tasks of the contact, newest first."""
    _visible_contact(request, contact_id)
    result = contact_timeline(
        actor=request.auth, contact_id=contact_id, cursor=page.cursor, limit=page.limit
    )
    return {
        "items": [_timeline_entry(i) for i in result["items"]],
        "next_cursor": result["next_cursor"],
    }


# Relationships and collaborators -----------------------------------------------------------


def _relation_out(view) -> dict:
    return {
        "id": view.id,
        "kind": view.kind,
        "label": view.label,
        "is_outgoing": view.is_outgoing,
        "other_id": view.other.pk,
        "other_name": view.other.full_name,
    }


@router.get(
    "/contacts/{contact_id}/relationships", response={200: list[s.RelationshipOut], **ERRORS}
)
def relationships_list_endpoint(request, contact_id: Int64):
    _visible_contact(request, contact_id)
    views = selectors_relations.relationship_list(actor=request.auth, contact_id=contact_id)
    return [_relation_out(v) for v in views]


@router.post("/contacts/{contact_id}/relationships", response={201: s.RelationshipOut, **ERRORS})
def relationships_create_endpoint(request, contact_id: Int64, payload: s.RelationshipIn):
    row = relations.relationship_add(actor=request.auth, contact_id=contact_id, **payload.dict())
    view = next(
        v
        for v in selectors_relations.relationship_list(actor=request.auth, contact_id=contact_id)
        if v.id == row.pk
    )
    return Status(201, _relation_out(view))


@router.delete(
    "/contacts/{contact_id}/relationships/{relationship_id}", response={204: None, **ERRORS}
)
def relationships_delete_endpoint(request, contact_id: Int64, relationship_id: Int64):
    ids = {
        v.id
        for v in selectors_relations.relationship_list(actor=request.auth, contact_id=contact_id)
    }
    if relationship_id not in ids:
        raise NotFound("No such relationship.")
    relations.relationship_remove(actor=request.auth, relationship_id=relationship_id)
    return Status(204, None)


def _collaborator_out(row) -> dict:
    user = row.membership.user
    return {
        "membership_id": row.membership_id,
        "name": user.get_full_name() or user.email,
        "added_at": row.created_at,
    }


@router.get(
    "/contacts/{contact_id}/collaborators", response={200: list[s.CollaboratorOut], **ERRORS}
)
def collaborators_list_endpoint(request, contact_id: Int64):
    _visible_contact(request, contact_id)
    rows = selectors_relations.collaborator_list(actor=request.auth, contact_id=contact_id)
    return [_collaborator_out(r) for r in rows]


@router.post("/contacts/{contact_id}/collaborators", response={201: s.CollaboratorOut, **ERRORS})
def collaborators_create_endpoint(request, contact_id: Int64, payload: s.CollaboratorIn):
    row = relations.collaborator_add(
        actor=request.auth, contact_id=contact_id, membership_id=payload.membership_id
    )
    return Status(201, _collaborator_out(row))


@router.delete(
    "/contacts/{contact_id}/collaborators/{membership_id}", response={204: None, **ERRORS}
)
def collaborators_delete_endpoint(request, contact_id: Int64, membership_id: Int64):
    relations.collaborator_remove(
        actor=request.auth, contact_id=contact_id, membership_id=membership_id
    )
    return Status(204, None)


# Tasks -------------------------------------------------------------------------------------


@router.get("/tasks", response={200: s.TaskPage, **ERRORS})
def tasks_list_endpoint(request, query: Query[s.TaskQuery]):
    """The caller's tasks (or a scoped colleague's, or a contact's), soonest due first."""
    qs = task_list(
        actor=request.auth,
        status=query.status,
        due=query.due,
        contact_id=query.contact_id,
        assignee_id=query.assignee_id,
    )
    return paginate(qs, cursor=query.cursor, limit=query.limit, ordering=("due_sort", "id"))


@router.post("/tasks", response={201: s.TaskOut, **ERRORS})
def tasks_create_endpoint(request, payload: s.TaskIn):
    task = task_create(actor=request.auth, **payload.dict())
    return Status(201, task)


@router.patch("/tasks/{task_id}", response={200: s.TaskOut, **ERRORS})
def tasks_patch_endpoint(request, task_id: Int64, payload: s.TaskPatch):
    """Change a task's fields, and/or complete (is_done true) or reopen (false) it."""
    changes = payload.dict(exclude_unset=True, exclude={"is_done"})
    with transaction.atomic():
        task = None
        if changes:
            task = task_update(actor=request.auth, task_id=task_id, changes=changes)
        if payload.is_done is not None:
            task = task_complete(actor=request.auth, task_id=task_id, is_done=payload.is_done)
        if task is None:
            raise ValidationFailed("Nothing to change.", fields={"__all__": ["empty request"]})
    return task


# Smart lists -------------------------------------------------------------------------------


def _smart_list_out(request, row, *, with_count: bool = False) -> dict:
    out = {
        "id": row.pk,
        "name": row.name,
        "filters": row.filters,
        "is_shared": row.is_shared,
        "position": row.position,
        "owner_id": row.owner_id,
        "is_mine": row.owner_id == request.auth.pk,
    }
    if with_count:
        out["count"], out["count_is_capped"] = selectors_lists.smart_list_count(
            actor=request.auth, smart_list=row
        )
    return out


@router.get("/smart-lists", response={200: list[s.SmartListOut], **ERRORS})
def smart_lists_list_endpoint(request, counts: bool = False):
    """The caller's lists and those shared in the org; counts=true adds capped counts."""
    rows = selectors_lists.smart_list_visible(actor=request.auth)
    return [_smart_list_out(request, r, with_count=counts) for r in rows]


@router.post("/smart-lists", response={201: s.SmartListOut, **ERRORS})
def smart_lists_create_endpoint(request, payload: s.SmartListIn):
    row = lists.smart_list_create(actor=request.auth, **payload.dict())
    return Status(201, _smart_list_out(request, row))


@router.get("/smart-lists/{smart_list_id}", response={200: s.SmartListOut, **ERRORS})
def smart_lists_get_endpoint(request, smart_list_id: Int64):
    row = selectors_lists.smart_list_get(actor=request.auth, smart_list_id=smart_list_id)
    return _smart_list_out(request, row, with_count=True)


@router.patch("/smart-lists/{smart_list_id}", response={200: s.SmartListOut, **ERRORS})
def smart_lists_patch_endpoint(request, smart_list_id: Int64, payload: s.SmartListPatch):
    row = lists.smart_list_update(
        actor=request.auth, smart_list_id=smart_list_id, **payload.dict(exclude_unset=True)
    )
    return _smart_list_out(request, row)


@router.delete("/smart-lists/{smart_list_id}", response={204: None, **ERRORS})
def smart_lists_delete_endpoint(request, smart_list_id: Int64):
    lists.smart_list_delete(actor=request.auth, smart_list_id=smart_list_id)
    return Status(204, None)


@router.get("/smart-lists/{smart_list_id}/contacts", response={200: s.ContactPage, **ERRORS})
def smart_lists_contacts_endpoint(request, smart_list_id: Int64, page: Query[s.PageQuery]):
    row = selectors_lists.smart_list_get(actor=request.auth, smart_list_id=smart_list_id)
    filters = selectors_lists.smart_list_filters(smart_list=row)
    return selectors_lists.contact_page(
        actor=request.auth, filters=filters, cursor=page.cursor, limit=page.limit
    )


# Custom fields -----------------------------------------------------------------------------


@router.get("/custom-fields", response={200: list[s.CustomFieldOut], **ERRORS})
def custom_fields_list_endpoint(request):
    return list(custom_fields_of(actor=request.auth))


@router.post("/custom-fields", response={201: s.CustomFieldOut, **ERRORS})
def custom_fields_create_endpoint(request, payload: s.CustomFieldIn):
    """Add an org field (broker/owner or systems admin)."""
    return Status(201, custom_field_create(actor=request.auth, **payload.dict()))
