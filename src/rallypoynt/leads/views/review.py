"""Pages: the lead review queue, where unreadable lead e-mails are fixed into leads or discarded."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from rallypoynt.contacts.choices import LeadType
from rallypoynt.core.errors import NotFound, ServiceError, ValidationFailed
from rallypoynt.core.pagination import paginate
from rallypoynt.core.web import errors_to_form
from rallypoynt.leads.choices import ReviewStatus
from rallypoynt.leads.forms import ReviewTabForm
from rallypoynt.leads.selectors import review as selectors_review
from rallypoynt.leads.services import review
from rallypoynt.leads.services.email_parse import (
    LeadEmailParse,
    language_of,
    lead_email_parse,
    lead_from_fields,
    lead_type_of,
    price_parse,
)
from rallypoynt.orgs.decorators import member_required

PAGE_SIZE = 25
ORDERING = ("-received_at", "-id")
# Service error fields -> the fix form's fields.
ERROR_FIELDS = {
    "person.emails": "email",
    "person.phones": "phone",
    "property.price": "price",
    "first_name": "first_name",
    "last_name": "last_name",
    "language": "language",
    "source": "source",
    "type": "type",
}


class LeadFixForm(forms.Form):
    """The lead as a person reads it from the message; prefilled with what the parser found."""

    first_name = forms.CharField(max_length=100, required=False)
    last_name = forms.CharField(max_length=100, required=False)
    email = forms.CharField(label="E-mail", max_length=254, required=False)
    phone = forms.CharField(max_length=40, required=False)
    type = forms.ChoiceField(label="Lead type", choices=LeadType.choices)
    source = forms.CharField(max_length=100, required=False)
    message = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    timeframe = forms.CharField(max_length=100, required=False)
    address = forms.CharField(label="Property address", max_length=200, required=False)
    city = forms.CharField(max_length=100, required=False)
    state = forms.CharField(max_length=50, required=False)
    postal_code = forms.CharField(label="ZIP / postal code", max_length=20, required=False)
    mls_number = forms.CharField(label="MLS #", max_length=40, required=False)
    price = forms.CharField(max_length=40, required=False)
    language = forms.CharField(max_length=10, required=False, help_text="e.g. en, es")

    def clean_price(self) -> str:
        raw = self.cleaned_data["price"].strip()
        if raw and price_parse(raw) is None:
            raise forms.ValidationError("Enter a price such as 450000 or $450,000.")
        return raw

    def clean(self):
        data = super().clean()
        if not (data.get("email", "").strip() or data.get("phone", "").strip()):
            raise forms.ValidationError("A lead needs an e-mail address or a phone number.")
        return data


def _initial(parsed: LeadEmailParse, sender_domain: str) -> dict[str, str]:
    fields = dict(parsed.fields)
    fields["type"] = lead_type_of(fields.get("type", ""))
    fields["language"] = language_of(fields.get("language", ""))
    fields.setdefault("source", sender_domain)
    price = price_parse(fields.get("price"))
    fields["price"] = str(price) if price is not None else ""
    return fields


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "web/forbidden.html", status=403)


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "web/not_found.html", status=404)


@login_required
@member_required
def review_queue_view(request: HttpRequest) -> HttpResponse:
    actor = request.membership
    if not selectors_review.can_review(actor):
        return _forbidden(request)
    tab = ReviewTabForm(request.GET)
    # A tab that does not parse shows the open items (a filter, not a change).
    status = (tab.cleaned_data["status"] if tab.is_valid() else "") or ReviewStatus.OPEN
    items = selectors_review.review_item_list(actor=actor, status=status)
    try:
        page = paginate(items, cursor=request.GET.get("cursor"), limit=PAGE_SIZE, ordering=ORDERING)
    except ValidationFailed:
        page = paginate(items, cursor=None, limit=PAGE_SIZE, ordering=ORDERING)
    counts = selectors_review.review_item_counts(actor=actor)
    tabs = [(value, label, counts.get(value, 0)) for value, label in ReviewStatus.choices]
    context = {"page": page, "status": status, "tabs": tabs}
    return render(request, "leads/review_queue.html", context)


@login_required
@member_required
def review_detail_view(request: HttpRequest, item_id: int) -> HttpResponse:
    actor = request.membership
    if not selectors_review.can_review(actor):
        return _forbidden(request)
    try:
        item = selectors_review.review_item_get(actor=actor, item_id=item_id)
    except NotFound:
        return _not_found(request)
    parsed = lead_email_parse(item.raw.encode())
    sender_domain = item.sender.rpartition("@")[2].rstrip(">").strip()
    is_open = item.status == ReviewStatus.OPEN
    if request.method == "POST" and not is_open:
        messages.error(request, f"This item is already {item.get_status_display().lower()}.")
        return redirect("leads:review_detail", item_id=item.pk)
    form = LeadFixForm(
        request.POST if request.method == "POST" else None,
        initial=_initial(parsed, sender_domain),
    )
    if form.is_bound and form.is_valid():
        lead = lead_from_fields(form.cleaned_data, raw={"subject": item.subject})
        try:
            result = review.review_item_resolve(actor=actor, item_id=item.pk, lead=lead)
        except ServiceError as exc:
            errors_to_form(form, exc, ERROR_FIELDS)
        else:
            which = "an existing contact" if result.is_deduplicated else "a new contact"
            messages.success(request, f"Lead created: inquiry {result.inquiry.pk} for {which}.")
            return redirect("leads:review_queue")
    context = {"item": item, "form": form, "is_open": is_open, "parsed": parsed}
    return render(request, "leads/review_detail.html", context)


@login_required
@member_required
@require_POST
def review_discard_view(request: HttpRequest, item_id: int) -> HttpResponse:
    actor = request.membership
    if not selectors_review.can_review(actor):
        return _forbidden(request)
    try:
        review.review_item_discard(actor=actor, item_id=item_id)
    except NotFound:
        return _not_found(request)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("leads:review_detail", item_id=item_id)
    messages.success(request, "Message discarded.")
    return redirect("leads:review_queue")
