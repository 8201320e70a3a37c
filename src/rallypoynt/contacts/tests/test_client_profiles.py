"""Client profiles: a buyer's or seller's structured needs, validated and bounded, recorded with
an audit entry and an event, completed once; the page form and the API; nobody outside the
contact's scope sees or changes one (the same 404 as a missing contact)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from rallypoynt.api.tests.helpers import ApiClient
from rallypoynt.contacts.models import ClientProfile
from rallypoynt.contacts.services.profiles import ProfileData, client_profile_set
from rallypoynt.contacts.services.relations import collaborator_add
from rallypoynt.contacts.tests.factories import (
    BUYER_ESSENTIALS,
    SELLER_ESSENTIALS,
    ContactFactory,
    profile_for,
)
from rallypoynt.core.errors import NotFound, ValidationFailed
from rallypoynt.core.models import AuditEntry, Event
from rallypoynt.core.testing import assert_queries_flat, client_for, page, rows_snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 1_000_000


@pytest.fixture
def contact(brokerage):
    return ContactFactory(org=brokerage.org, owner=brokerage.ben, first_name="Nora")


def kinds(contact) -> list[str]:
    rows = Event.objects.filter(subject_type="contacts.contact", subject_id=contact.pk)
    return list(
        rows.filter(kind__startswith="contact.profile")
        .order_by("pk")
        .values_list("kind", flat=True)
    )


# The service ---------------------------------------------------------------------------------


def test_a_profile_is_stored_tidy_with_an_audit_entry_and_an_event(brokerage, contact):
    profile = profile_for(
        brokerage.ben,
        contact,
        price_min=D(400000),
        areas=[" Highlands ", "highlands", "80211", ""],
        property_types=["townhouse", "single_family"],
        bedrooms_min=3,
        bathrooms_min=D("2.5"),
        must_haves=["Garage", "  Yard  "],
    )
    assert profile.areas == ["Highlands", "80211"]
    assert profile.property_types == ["single_family", "townhouse"]  # in the choices' order
    assert profile.must_haves == ["Garage", "Yard"]
    assert profile.completed_at is None and profile.essentials_missing() == [
        "top price",
        "timeframe",
    ]
    entry = AuditEntry.objects.get(action="contact.profile_update")
    assert entry.changes["side"] == "buy" and "areas" in entry.changes
    event = Event.objects.get(kind="contact.profile_updated")
    assert event.payload["side"] == "buy" and "bedrooms_min" in event.payload["fields"]
    assert (event.subject_type, event.subject_id) == ("contacts.contact", contact.pk)


def test_a_buyer_profile_is_completed_once_when_its_essentials_are_first_there(brokerage, contact):
    profile_for(brokerage.ben, contact, price_max=D(550000))
    assert kinds(contact) == ["contact.profile_updated"]
    done = profile_for(brokerage.ben, contact, **BUYER_ESSENTIALS)
    assert done.completed_at is not None
    completed = Event.objects.get(kind="contact.profile_completed")
    assert completed.payload == {"side": "buy"}
    # Later edits (even dropping an essential, then restoring it) complete nothing again.
    profile_for(brokerage.ben, contact, **{**BUYER_ESSENTIALS, "areas": []})
    profile_for(brokerage.ben, contact, **BUYER_ESSENTIALS, bedrooms_min=4)
    assert kinds(contact).count("contact.profile_completed") == 1


def test_a_seller_profile_is_complete_with_a_price_and_a_timeframe(brokerage, contact):
    assert profile_for(brokerage.ben, contact, "sell", timeframe="now").completed_at is None
    profile = profile_for(brokerage.ben, contact, "sell", **SELLER_ESSENTIALS)
    assert profile.completed_at is not None and profile.essentials_missing() == []
    assert Event.objects.get(kind="contact.profile_completed").payload == {"side": "sell"}
    # One profile per side: the buyer's is another row.
    profile_for(brokerage.ben, contact, "buy", **BUYER_ESSENTIALS)
    assert ClientProfile.objects.filter(contact=contact).count() == 2


def test_saving_the_same_profile_again_records_nothing(brokerage, contact):
    profile_for(brokerage.ben, contact, **BUYER_ESSENTIALS)
    before = Event.objects.count(), AuditEntry.objects.count()
    profile_for(brokerage.ben, contact, **BUYER_ESSENTIALS)
    assert (Event.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"price_min": D(600000), "price_max": D(500000)}, "price_max"),
        ({"price_max": D(-1)}, "price_max"),
        ({"price_max": D("1e15")}, "price_max"),
        ({"price_min": D("10.001")}, "price_min"),
        ({"price_min": D("NaN")}, "price_min"),
        ({"areas": [f"Area {n}" for n in range(21)]}, "areas"),
        ({"areas": ["x" * 101]}, "areas"),
        ({"areas": "Highlands"}, "areas"),
        ({"property_types": ["castle"]}, "property_types"),
        ({"bedrooms_min": 21}, "bedrooms_min"),
        ({"bedrooms_min": True}, "bedrooms_min"),
        ({"bathrooms_min": D("2.25")}, "bathrooms_min"),
        ({"bathrooms_min": D(21)}, "bathrooms_min"),
        ({"timeframe": "someday"}, "timeframe"),
        ({"preapproved_amount": D(500000)}, "preapproved_amount"),
        ({"lender": "First Bank"}, "lender"),
        ({"is_preapproved": True, "lender": "x" * 201}, "lender"),
        ({"motivation": "x" * 2001}, "motivation"),
        ({"must_haves": [f"Thing {n}" for n in range(21)]}, "must_haves"),
        ({"nice_to_haves": ["a\x00b"]}, "nice_to_haves"),
    ],
)
def test_a_bad_value_is_refused_naming_its_field_and_nothing_is_saved(
    brokerage, contact, values, field
):
    with pytest.raises(ValidationFailed) as refused:
        profile_for(brokerage.ben, contact, **values)
    assert field in refused.value.fields and refused.value.status == 422
    assert not ClientProfile.objects.exists() and not kinds(contact)


def test_an_unknown_side_is_refused(brokerage, contact):
    with pytest.raises(ValidationFailed) as refused:
        profile_for(brokerage.ben, contact, "rent")
    assert "side" in refused.value.fields


def test_someone_who_may_not_see_the_contact_finds_no_contact(brokerage, other, contact):
    for outsider in (brokerage.maria, other.broker):
        with pytest.raises(NotFound) as hidden:
            profile_for(outsider, contact, **BUYER_ESSENTIALS)
        with pytest.raises(NotFound) as missing:
            client_profile_set(
                actor=outsider, contact_id=contact.pk + 1000, side="buy", data=ProfileData()
            )
        assert hidden.value.message == missing.value.message
    assert not ClientProfile.objects.exists()


def test_a_collaborator_and_the_broker_may_fill_it_in(brokerage, contact):
    collaborator_add(actor=brokerage.ben, contact_id=contact.pk, membership_id=brokerage.maria.pk)
    profile_for(brokerage.maria, contact, price_max=D(500000))
    profile_for(brokerage.broker, contact, **BUYER_ESSENTIALS)
    assert ClientProfile.objects.get().completed_at is not None


# The API ---------------------------------------------------------------------------------------

BODY = {
    "price_min": "400000",
    "price_max": "550000.50",
    "areas": ["Highlands", "80211"],
    "property_types": ["single_family", "condominium"],
    "bedrooms_min": 3,
    "bathrooms_min": "2.5",
    "timeframe": "months_3",
    "is_preapproved": True,
    "preapproved_amount": "500000",
    "lender": "First Bank",
    "motivation": "Growing family",
    "must_haves": ["Garage"],
    "nice_to_haves": ["Mountain view"],
}


def test_the_api_puts_and_lists_a_contacts_profiles(brokerage, contact):
    api = ApiClient(brokerage.ben)
    url = f"/api/v1/contacts/{contact.pk}/profiles"
    assert api.get(url).json() == []
    put = api.put(f"{url}/buy", BODY)
    assert put.status_code == 200, put.content
    body = put.json()
    assert body["side"] == "buy" and body["is_complete"] and body["completed_at"]
    assert body["areas"] == ["Highlands", "80211"] and body["lender"] == "First Bank"
    api.put(f"{url}/sell", {"timeframe": "later"})
    listed = api.get(url).json()
    assert [p["side"] for p in listed] == ["buy", "sell"]
    assert listed[1]["is_complete"] is False and listed[1]["completed_at"] is None
    # A PUT is the whole profile: what is left out is cleared.
    cleared = api.put(f"{url}/buy", {"timeframe": "now"}).json()
    assert cleared["areas"] == [] and cleared["price_max"] is None and cleared["completed_at"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"price_min": "600000", "price_max": "500000"}, "price_max"),
        ({"price_max": "-5"}, "price_max"),
        ({"price_max": "1e30"}, "price_max"),
        ({"areas": [f"A{n}" for n in range(21)]}, "areas"),
        ({"areas": ["x" * 101]}, "areas.0"),
        ({"property_types": ["castle"]}, "property_types.0"),
        ({"bedrooms_min": 99}, "bedrooms_min"),
        ({"bathrooms_min": "2.25"}, "bathrooms_min"),
        ({"timeframe": "someday"}, "timeframe"),
        ({"lender": "First Bank"}, "lender"),
        ({"motivation": "x" * 2001}, "motivation"),
    ],
)
def test_the_api_refuses_bad_values_naming_the_field(brokerage, contact, body, field):
    api = ApiClient(brokerage.ben)
    response = api.put(f"/api/v1/contacts/{contact.pk}/profiles/buy", body)
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert field in error["fields"] or f"payload.{field}" in error["fields"], error
    assert not ClientProfile.objects.exists()


def test_the_api_refuses_an_unknown_side(brokerage, contact):
    api = ApiClient(brokerage.ben)
    response = api.put(f"/api/v1/contacts/{contact.pk}/profiles/rent", {})
    assert response.status_code == 422


def test_an_outsider_gets_the_404_of_a_missing_contact(brokerage, other, contact):
    profile_for(brokerage.ben, contact, **BUYER_ESSENTIALS)
    missing = contact.pk + 1000
    for outsider in (brokerage.maria, other.broker):
        api = ApiClient(outsider)
        for method, suffix, body in (("get", "", None), ("put", "/buy", BODY)):
            call = getattr(api, method)
            args = (body,) if body is not None else ()
            hidden = call(f"/api/v1/contacts/{contact.pk}/profiles{suffix}", *args)
            absent = call(f"/api/v1/contacts/{missing}/profiles{suffix}", *args)
            assert hidden.status_code == absent.status_code == 404
            assert hidden.json() == absent.json()
    assert ClientProfile.objects.get().lender == ""


@pytest.mark.query_guard("GET /api/v1/contacts/{contact_id}/profiles")
def test_the_profiles_endpoint_query_count_is_flat(brokerage, contact):
    api = ApiClient(brokerage.ben)
    profile_for(brokerage.ben, contact, **BUYER_ESSENTIALS)
    assert_queries_flat(
        lambda: api.get(f"/api/v1/contacts/{contact.pk}/profiles"),
        lambda: profile_for(brokerage.ben, contact, "sell", **SELLER_ESSENTIALS),
    )


# The page --------------------------------------------------------------------------------------

FORM = {
    "buy-price_min": "400,000",
    "buy-price_max": "$550,000",
    "buy-areas": "Highlands, Sloan's Lake\n80211",
    "buy-property_types": ["single_family", "townhouse"],
    "buy-bedrooms_min": "3",
    "buy-bathrooms_min": "2.5",
    "buy-timeframe": "months_3",
    "buy-is_preapproved": "on",
    "buy-preapproved_amount": "500000",
    "buy-lender": "First Bank",
    "buy-motivation": "Growing family",
    "buy-must_haves": "Garage\nYard",
    "buy-nice_to_haves": "",
}


def test_the_contact_page_form_saves_the_buyer_profile_and_shows_it(brokerage, contact):
    client = client_for(brokerage.ben)
    url = f"/contacts/{contact.pk}/profiles/buy/"
    response = client.post(url, FORM)
    assert response.status_code == 302
    assert response["Location"] == f"/contacts/{contact.pk}/#profile-buy"
    profile = ClientProfile.objects.get()
    assert profile.areas == ["Highlands", "Sloan's Lake", "80211"]
    assert profile.price_max == D(550000) and profile.bathrooms_min == D("2.5")
    assert profile.must_haves == ["Garage", "Yard"] and profile.completed_at
    html = page(client.get(f"/contacts/{contact.pk}/"))
    assert "$400,000 \u2013 $550,000" in html and "Sloan&#x27;s Lake" in html
    assert "Pre-approved up to $500,000 with First Bank" in html
    assert "Single-family home, Townhouse" in html and "Needs assessed" in html
    # The form opens with what is stored.
    assert 'name="buy-lender" value="First Bank"' in html


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("buy-price_max", "three"),
        ("buy-price_max", "1e3"),
        ("buy-price_max", "99999999999999999999"),
        ("buy-price_min", "600000"),  # above the top price
        ("buy-bedrooms_min", "-1"),
        ("buy-bathrooms_min", "2.25"),
        ("buy-timeframe", "someday"),
        ("buy-property_types", "castle"),
        ("buy-areas", "\n".join(f"Area {n}" for n in range(21))),
        ("buy-areas", "x" * 101),
    ],
)
def test_a_bad_form_value_is_a_form_error_and_saves_nothing(brokerage, contact, field, value):
    client = client_for(brokerage.ben)
    before = rows_snapshot([ClientProfile, Event])
    response = client.post(f"/contacts/{contact.pk}/profiles/buy/", {**FORM, field: value})
    assert response.status_code == 422
    assert "errorlist" in page(response) and 'id="profile-buy"' in page(response)
    assert rows_snapshot([ClientProfile, Event]) == before


def test_a_nul_in_the_form_is_a_400_and_saves_nothing(brokerage, contact):
    client = client_for(brokerage.ben)
    response = client.post(f"/contacts/{contact.pk}/profiles/buy/", {**FORM, "buy-lender": "\x00"})
    assert response.status_code == 400
    assert not ClientProfile.objects.exists()


def test_a_lender_without_pre_approval_is_a_form_error(brokerage, contact):
    client = client_for(brokerage.ben)
    data = {k: v for k, v in FORM.items() if k != "buy-is_preapproved"}
    response = client.post(f"/contacts/{contact.pk}/profiles/buy/", data)
    assert response.status_code == 422 and "Pre-approved" in page(response)
    assert not ClientProfile.objects.exists()


def test_the_page_form_is_refused_to_an_outsider_and_for_an_unknown_side(brokerage, contact):
    assert (
        client_for(brokerage.maria).post(f"/contacts/{contact.pk}/profiles/buy/", FORM).status_code
        == 404
    )
    response = client_for(brokerage.ben).post(f"/contacts/{contact.pk}/profiles/rent/", FORM)
    assert response.status_code == 404
    assert not ClientProfile.objects.exists()


def test_the_contact_page_shows_what_a_profile_still_lacks(brokerage, contact):
    profile_for(brokerage.ben, contact, "sell", price_min=D(700000))
    html = page(client_for(brokerage.ben).get(f"/contacts/{contact.pk}/"))
    assert "To complete it: timeframe." in html
    assert "Fill in the buyer profile" in html and "Edit the seller profile" in html
