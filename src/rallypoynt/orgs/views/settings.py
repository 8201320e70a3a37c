"""Org settings pages: general, hours, offices, teams, members, invitations, the audit log;
accepting an invitation and switching the org a session works in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from rallypoynt.core.errors import ServiceError
from rallypoynt.core.pagination import paginate
from rallypoynt.core.web import form_run, run_service
from rallypoynt.orgs import forms, selectors, services
from rallypoynt.orgs.decorators import action_required, member_required
from rallypoynt.orgs.middleware import SESSION_ORG_KEY
from rallypoynt.orgs.permissions import can

TABS = [
    ("general", "General", "orgs:settings"),
    ("hours", "Business hours", "orgs:hours"),
    ("offices", "Offices", "orgs:offices"),
    ("teams", "Teams", "orgs:teams"),
    ("members", "Members", "orgs:members"),
    ("audit", "Audit log", "orgs:audit"),
]
AUDIT_PAGE_SIZE = 50


def _render(request, template: str, tab: str, context: dict, status: int = 200) -> HttpResponse:
    tabs = [t for t in TABS if t[0] != "audit" or can(request.membership, "org.view_audit")]
    context.update(tabs=tabs, tab=tab, can_manage=can(request.membership, "org.change_settings"))
    return render(request, template, context, status=status)


@login_required
@member_required
def settings_general_view(request: HttpRequest) -> HttpResponse:
    """The org's name, branding, time zone and holiday calendar; managers save them."""
    org = request.membership.org
    initial = {f: getattr(org, f) for f in services.SETTINGS_FIELDS}
    form = forms.OrganizationForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not can(request.membership, "org.change_settings"):
            return render(request, "web/forbidden.html", status=403)
        if form.is_valid() and form_run(
            form,
            lambda: services.organization_update(actor=request.membership, **form.cleaned_data),
        ):
            messages.success(request, "Settings saved.")
            return redirect("orgs:settings")
    return _render(request, "orgs/general.html", "general", {"form": form})


@login_required
@member_required
def settings_hours_view(request: HttpRequest) -> HttpResponse:
    """The weekly business hours, closures and coming holidays; managers save the hours."""
    actor = request.membership
    hours = selectors.business_hours_of(org=actor.org)
    form = forms.HoursForm(request.POST or None, hours=hours)
    closure_form = forms.ClosureForm(prefix="closure")
    if request.method == "POST":
        if not can(actor, "org.change_settings"):
            return render(request, "web/forbidden.html", status=403)
        if form.is_valid():
            week = form.week()
            if not form.errors and form_run(
                form, lambda: services.business_hours_set(actor=actor, week=week)
            ):
                messages.success(request, "Business hours saved.")
                return redirect("orgs:hours")
    calendar = selectors.calendar_for_org(org=actor.org)
    context = {
        "form": form,
        "closure_form": closure_form,
        "closures": selectors.closure_list(actor=actor),
        "upcoming_holidays": selectors.upcoming_holidays(calendar=calendar),
    }
    return _render(request, "orgs/hours.html", "hours", context)


@login_required
@action_required("org.change_settings")
@require_POST
def closure_add_view(request: HttpRequest) -> HttpResponse:
    """Mark a day the org is closed."""
    form = forms.ClosureForm(request.POST, prefix="closure")
    if form.is_valid() and form_run(
        form, lambda: services.closure_add(actor=request.membership, **form.cleaned_data)
    ):
        messages.success(request, "Closure added.")
    else:
        messages.error(
            request,
            "Could not add the closure: "
            + "; ".join(e for errs in form.errors.values() for e in errs),
        )
    return redirect("orgs:hours")


@login_required
@action_required("org.change_settings")
@require_POST
def closure_remove_view(request: HttpRequest, closure_id: int) -> HttpResponse:
    """Open again on a day the org had marked closed."""
    run_service(
        request,
        lambda: services.closure_remove(actor=request.membership, closure_id=closure_id),
        "Closure removed.",
    )
    return redirect("orgs:hours")


@login_required
@member_required
def office_list_view(request: HttpRequest) -> HttpResponse:
    """The org's offices; managers add one."""
    actor = request.membership
    form = forms.OfficeForm(request.POST or None)
    if request.method == "POST":
        if not can(actor, "org.manage_offices"):
            return render(request, "web/forbidden.html", status=403)
        if form.is_valid() and form_run(
            form, lambda: services.office_create(actor=actor, **form.cleaned_data)
        ):
            messages.success(request, "Office added.")
            return redirect("orgs:offices")
    context = {
        "form": form,
        "offices": selectors.office_list(actor=actor),
        "can_edit": can(actor, "org.manage_offices"),
    }
    return _render(request, "orgs/offices.html", "offices", context)


@login_required
@member_required
def team_list_view(request: HttpRequest) -> HttpResponse:
    """The org's teams with their leads; managers add a team."""
    actor = request.membership
    office_rows = list(selectors.office_list(actor=actor))
    form = forms.TeamForm(request.POST or None, offices=office_rows)
    if request.method == "POST":
        if not can(actor, "org.manage_teams"):
            return render(request, "web/forbidden.html", status=403)
        if form.is_valid() and form_run(
            form, lambda: services.team_create(actor=actor, **form.cleaned_data)
        ):
            messages.success(request, "Team added.")
            return redirect("orgs:teams")
    members = list(selectors.member_list(actor=actor))
    context = {
        "form": form,
        "teams": selectors.team_list(actor=actor),
        "member_form": forms.TeamMemberForm(members=members),
        "can_edit": can(actor, "org.manage_teams"),
    }
    return _render(request, "orgs/teams.html", "teams", context)


@login_required
@action_required("org.manage_teams")
@require_POST
def team_member_add_view(request: HttpRequest, team_id: int) -> HttpResponse:
    """Put a member on a team (or make them its lead)."""
    members = selectors.member_list(actor=request.membership)
    form = forms.TeamMemberForm(request.POST, members=members)
    if form.is_valid() and form_run(
        form,
        lambda: services.team_member_add(
            actor=request.membership, team_id=team_id, **form.cleaned_data
        ),
    ):
        messages.success(request, "Team member saved.")
    else:
        messages.error(request, "Could not add that member.")
    return redirect("orgs:teams")


@login_required
@member_required
def member_list_view(request: HttpRequest) -> HttpResponse:
    """The org's members and open invitations; managers invite someone."""
    actor = request.membership
    office_rows = list(selectors.office_list(actor=actor))
    team_rows = list(selectors.team_list(actor=actor))
    form = forms.InvitationForm(request.POST or None, offices=office_rows, teams=team_rows)
    if request.method == "POST":
        if not can(actor, "org.manage_members"):
            return render(request, "web/forbidden.html", status=403)
        base = request.build_absolute_uri("/").rstrip("/")
        if form.is_valid() and form_run(
            form,
            lambda: services.invitation_create(
                actor=actor, accept_url_base=base, **form.cleaned_data
            ),
        ):
            messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
            return redirect("orgs:members")
    context = {
        "form": form,
        "members": selectors.member_list(actor=actor, include_inactive=True),
        "invitations": selectors.invitation_list(actor=actor),
        "can_edit": can(actor, "org.manage_members"),
    }
    return _render(request, "orgs/members.html", "members", context)


@login_required
@action_required("org.manage_members")
def member_edit_view(request: HttpRequest, member_id: int) -> HttpResponse:
    """A member's title, office, roles and whether their seat is active."""
    actor = request.membership
    member = selectors.member_get(actor=actor, membership_id=member_id)
    if member is None:
        return render(request, "web/not_found.html", status=404)
    office_rows = list(selectors.office_list(actor=actor))
    initial = {
        "title": member.title,
        "office_id": member.office_id,
        "is_active": member.is_active,
        "roles": [r.role for r in member.role_assignments.all()],
    }
    form = forms.MemberForm(request.POST or None, initial=initial, offices=office_rows)
    if (
        request.method == "POST"
        and form.is_valid()
        and form_run(
            form,
            lambda: services.member_update(
                actor=actor, membership_id=member.pk, **form.cleaned_data
            ),
        )
    ):
        messages.success(request, f"{member.user} updated.")
        return redirect("orgs:members")
    return _render(request, "orgs/member_edit.html", "members", {"form": form, "member": member})


@login_required
@action_required("org.manage_members")
@require_POST
def invitation_revoke_view(request: HttpRequest, invitation_id: int) -> HttpResponse:
    """Withdraw an open invitation (its link stops working)."""
    run_service(
        request,
        lambda: services.invitation_revoke(actor=request.membership, invitation_id=invitation_id),
        "Invitation revoked.",
    )
    return redirect("orgs:members")


def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    """The invited person sets their name and password and joins the org."""
    invitation = services.invitation_find(token=token)
    if invitation is None:
        return render(request, "orgs/invitation_invalid.html", status=404)
    form = forms.AcceptInvitationForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and form_run(form, lambda: _accept(request, token, form.cleaned_data))
    ):
        messages.success(request, f"Welcome to {invitation.org.display_name}.")
        return redirect("web:home")
    return render(request, "orgs/invitation_accept.html", {"form": form, "invitation": invitation})


def _accept(request: HttpRequest, token: str, data: dict) -> None:
    member = services.invitation_accept(token=token, **data)
    login(request, member.user, backend="rallypoynt.accounts.backends.EmailBackend")


@login_required
@action_required("org.view_audit")
def audit_list_view(request: HttpRequest) -> HttpResponse:
    """The org's audit log, newest first, filtered by object or action."""
    query = forms.AuditFilterForm(request.GET)
    if not query.is_valid():
        messages.error(request, "Unknown filter: showing every entry.")
    filters = query.cleaned_data if query.is_valid() else {}
    qs = selectors.audit_list(
        actor=request.membership,
        object_type=filters.get("object_type", ""),
        action=filters.get("action", ""),
    )
    try:
        page = paginate(
            qs, cursor=request.GET.get("cursor"), limit=AUDIT_PAGE_SIZE, ordering=("-at", "-id")
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("orgs:audit")
    status = 400 if query.errors else 200
    return _render(request, "orgs/audit.html", "audit", {"page": page}, status=status)


@login_required
@require_POST
def org_switch_view(request: HttpRequest) -> HttpResponse:
    """Make another of the user's seats the current one for this session."""
    organizations = selectors.organizations_of_user(user=request.user)
    form = forms.SwitchOrgForm(request.POST, organizations=organizations)
    if not form.is_valid():
        # Like an organization that does not exist: nothing changes.
        messages.error(request, "You have no seat in that organization.")
        return render(request, "web/not_found.html", status=404)
    request.session[SESSION_ORG_KEY] = form.cleaned_data["org_id"].pk
    return redirect("web:home")
