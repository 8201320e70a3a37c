"""A page request the server cannot store answers a readable 400 page, never Django's bare one."""

import pytest

from rallypoynt.contacts.models import Contact
from rallypoynt.core.testing import client_for


@pytest.mark.django_db
def test_a_nul_in_a_form_says_what_to_do_and_saves_nothing(brokerage):
    before = Contact.objects.count()
    answer = client_for(brokerage.ben).post("/contacts/new/", {"first_name": "Ann\x00"})
    assert answer.status_code == 400
    text = answer.content.decode()
    assert "We could not read that" in text and "Nothing was saved" in text
    assert Contact.objects.count() == before
