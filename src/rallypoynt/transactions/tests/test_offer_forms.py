"""The deal page's offer form parsed into offer terms, as the service takes them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import timezone

from rallypoynt.transactions.forms import OfferForm
from rallypoynt.transactions.services.offers import terms_clean


def test_the_filled_form_gives_the_terms_the_service_takes():
    form = OfferForm(
        {
            "buyer_name": "The Lees",
            "price": "$640,000",
            "earnest_money": "10000",
            "closing_on": "2027-02-26",
            "inspection_days": "10",
            "financing_days": "21",
            "appraisal_days": "",
        }
    )
    assert form.is_valid(), form.errors
    arguments = form.arguments()
    assert arguments == {
        "buyer_name": "The Lees",
        "terms": {
            "price": Decimal(640000),
            "earnest_money": Decimal(10000),
            "closing_on": date(2027, 2, 26),
            "contingencies": [
                {"kind": "inspection", "days": 10},
                {"kind": "financing", "days": 21},
            ],
        },
    }
    clean = terms_clean(arguments["terms"], now=timezone.now())
    assert clean["contingencies"][0]["day_type"] == "calendar"


def test_blank_optional_fields_are_none_and_left_out():
    form = OfferForm({"buyer_name": "A", "price": "1", "earnest_money": "", "closing_on": ""})
    assert form.is_valid(), form.errors
    terms = form.arguments()["terms"]
    assert terms["earnest_money"] is None and terms["closing_on"] is None
    assert terms["contingencies"] == []


def test_days_and_dates_that_do_not_parse_are_named_not_a_server_error():
    form = OfferForm(
        {"price": "1", "appraisal_days": "ten", "closing_on": "2027-02-30", "inspection_days": "-1"}
    )
    assert not form.is_valid()
    assert set(form.errors) == {"appraisal_days", "closing_on", "inspection_days"}
    assert "Enter a whole number of days from 0 to 365." in form.errors["appraisal_days"]
