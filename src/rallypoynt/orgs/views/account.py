"""Profile and API token pages (login, logout and reset use Django's views)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from rallypoynt.accounts import selectors, services
from rallypoynt.accounts.forms import ProfileForm, TokenForm
from rallypoynt.core.errors import ServiceError
from rallypoynt.orgs.decorators import member_required
from rallypoynt.orgs.selectors import calendar_feed_active, memberships_of_user


@login_required
def profile_view(request: HttpRequest) -> HttpResponse:
    """Name, phone and the zone times are shown in; the seats and calendar feed."""
    user = request.user
    member = request.membership
    initial = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone": user.phone,
        "time_zone": user.time_zone,
    }
    form = ProfileForm(
        request.POST or None, initial=initial, org_zone=member.org.time_zone if member else ""
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update_profile(user=user, **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Profile saved.")
            return redirect("account:profile")
    context = {
        "form": form,
        "seats": memberships_of_user(user=user) if member else [],
        "calendar_feed": calendar_feed_active(actor=member) if member else None,
    }
    return render(request, "accounts/profile.html", context)


@login_required
@member_required
def token_list_view(request: HttpRequest) -> HttpResponse:
    """The member's API tokens; creating one shows its secret this once."""
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _, secret = services.api_token_create(
                actor=request.membership, name=form.cleaned_data["name"]
            )
            form = TokenForm()
        except ServiceError as exc:
            form.add_error(None, exc.message)
    context = {
        "form": form,
        "secret": secret,
        "tokens": selectors.api_token_list(actor=request.membership),
    }
    return render(request, "accounts/tokens.html", context)


@login_required
@member_required
@require_POST
def token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    """Revoke one of the member's tokens; the message names it."""
    try:
        token = services.api_token_revoke(actor=request.membership, token_id=token_id)
        messages.success(request, f"Token “{token.name}” revoked.")
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("account:tokens")
