"""The deal page's offer form parsed into offer terms, as the service takes them."""

from __future__ import annotations

from datetime import date

import pytest
from django.http import QueryDict
from django.utils import timezone

from rallypoynt.core.errors import ValidationFailed
from rallypoynt.transactions.forms import date_or_none, offer_terms_from_post
from rallypoynt.transactions.services.offers import terms_clean


def _post(**fields: str) -> QueryDict:
    data = QueryDict(mutable=True)
    data.update(fields)
    return data


def test_the_filled_form_gives_the_terms_the_service_takes():
    terms = offer_terms_from_post(
        _post(
            price="640000",
            earnest_money="10000",
            closing_on="2027-02-26",
            inspection_days="10",
            financing_days="21",
            appraisal_days="",
            buyer_name="not a term",
        )
    )
    assert terms == {
        "price": "640000",
        "earnest_money": "10000",
        "closing_on": date(2027, 2, 26),
        "contingencies": [{"kind": "inspection", "days": 10}, {"kind": "financing", "days": 21}],
    }
    assert terms_clean(terms, now=timezone.now())["contingencies"][0]["day_type"] == "calendar"


def test_blank_fields_are_left_out_or_none():
    terms = offer_terms_from_post(_post(earnest_money="", closing_on="26/02/2027"))
    assert terms == {"price": None, "earnest_money": None, "closing_on": None, "contingencies": []}
    assert date_or_none("") is None and date_or_none("2027-02-30") is None


def test_days_that_are_not_a_number_are_named_not_a_server_error():
    with pytest.raises(ValidationFailed) as caught:
        offer_terms_from_post(_post(price="1", appraisal_days="ten"))
    assert set(caught.value.fields) == {"appraisal_days"}
