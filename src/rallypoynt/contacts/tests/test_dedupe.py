"""Duplicate detection: exact e-mail/phone, fuzzy name + address, scope and dismissals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from rallypoynt.contacts.models import Contact
from rallypoynt.contacts.selectors import (
    MAX_SHARED,
    duplicate_candidates,
    name_key,
    soundex,
    street_normalize,
)
from rallypoynt.contacts.services.dedupe import duplicate_dismiss
from rallypoynt.contacts.tests.factories import ContactFactory
from rallypoynt.core.errors import NotFound, ValidationFailed
from rallypoynt.core.models import AuditEntry
from rallypoynt.orgs.tests.brokerage import build_brokerage, fresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def firm():
    return build_brokerage()


@pytest.fixture
def other():
    return build_brokerage("Other Realty")


def person(owner, first="Ana", last="Ruiz", days_ago=0, **values) -> Contact:
    contact = ContactFactory(org=owner.org, owner=owner, first_name=first, last_name=last, **values)
    if days_ago:
        Contact.objects.filter(pk=contact.pk).update(
            created_at=timezone.now() - timedelta(days=days_ago)
        )
    return contact


def pair_ids(pairs) -> set[tuple[int, int]]:
    return {(p.keep_id, p.other_id) for p in pairs}


def test_same_email_pairs_two_contacts_older_one_suggested_to_keep(firm):
    old = person(firm.ben, emails=["ana@x.com"], days_ago=30)
    new = person(firm.ben, emails=["ana@x.com"], phones=["+13035550101"])
    [pair] = duplicate_candidates(actor=firm.ben)
    assert (pair.keep_id, pair.other_id) == (old.pk, new.pk)
    assert pair.score == 100
    assert "same e-mail ana@x.com" in pair.reasons
    assert "same name (Ana Ruiz)" in pair.reasons
    assert pair.keep.emails.all()[0].address == "ana@x.com"


def test_same_phone_pairs_two_contacts_and_says_how_alike_the_names_are(firm):
    a = person(firm.ben, first="Jonathan", last="Smith", phones=["+13035550111"])
    b = person(firm.ben, first="Jonathon", last="Smith", phones=["+13035550111"])
    [pair] = duplicate_candidates(actor=firm.ben)
    assert {pair.keep_id, pair.other_id} == {a.pk, b.pk}
    assert pair.score == 95
    assert pair.reasons[0] == "same phone +13035550111"
    assert pair.reasons[1].startswith("name 93% similar (Jonathan Smith / Jonathon Smith)")


def test_a_shared_phone_with_clearly_different_names_scores_lower_and_says_why(firm):
    person(firm.ben, first="Ana", last="Ruiz", phones=["+13035550112"])
    person(firm.ben, first="Bob", last="Okafor", phones=["+13035550112"])
    [pair] = duplicate_candidates(actor=firm.ben)
    assert pair.score == 70
    assert "but names differ (Ana Ruiz / Bob Okafor)" in pair.reasons


def test_close_name_at_the_same_street_address_is_a_fuzzy_match(firm):
    a = person(
        firm.ben, first="Jonathan", last="Smith", street="12 Elm Street", postal_code="80202"
    )
    b = person(firm.ben, first="Jonathon", last="Smith", street="12 elm st.", postal_code="80202")
    [pair] = duplicate_candidates(actor=firm.ben)
    assert {pair.keep_id, pair.other_id} == {a.pk, b.pk}
    assert pair.reasons == [
        "name 93% similar (Jonathan Smith / Jonathon Smith) and same street (12 Elm Street)"
    ]
    assert 90 <= pair.score < 100


def test_swapped_first_and_last_name_and_a_street_typo_still_match(firm):
    person(firm.ben, first="Ana", last="Ruiz", street="400 Maple Avenue", postal_code="80210")
    person(firm.ben, first="Ruiz", last="Ana", street="400 Mapel Ave", postal_code="80210")
    [pair] = duplicate_candidates(actor=firm.ben)
    assert pair.reasons[0].startswith("same name (Ana Ruiz) and street")


def test_a_first_name_typo_that_would_change_the_word_order_still_matches(firm):
    person(firm.ben, first="Spencer", last="Shelton", street="1444 Chavez Rd", postal_code="80003")
    person(firm.ben, first="Sencer", last="Shelton", street="1444 Chavez Rd", postal_code="80003")
    [pair] = duplicate_candidates(actor=firm.ben)
    assert pair.reasons[0].startswith("name 97% similar (Spencer Shelton / Sencer Shelton)")


def test_a_last_name_typo_that_changes_its_sound_is_found_through_the_house_number(firm):
    assert soundex("katz") != soundex("catz")
    person(firm.ben, first="Maria", last="Katz", street="77 Oak Ct", postal_code="80302")
    person(firm.ben, first="Maria", last="Catz", street="77 Oak Court", postal_code="80302")
    assert len(duplicate_candidates(actor=firm.ben)) == 1


def test_similar_names_at_other_addresses_or_other_houses_are_not_paired(firm):
    person(firm.ben, first="Ana", last="Ruiz", street="12 Elm St", postal_code="80202")
    person(firm.ben, first="Ana", last="Ruiz", street="14 Elm St", postal_code="80202")
    person(firm.ben, first="Ana", last="Ruiz", street="12 Oak St", postal_code="80202")
    person(firm.ben, first="Ana", last="Ruiz")  # no address: only a shared channel can pair it
    assert duplicate_candidates(actor=firm.ben) == []


def test_the_same_name_and_street_address_in_another_postal_code_scores_lower_and_says_so(firm):
    person(firm.ben, first="Ana", last="Ruiz", street="12 Elm St", postal_code="80202")
    person(firm.ben, first="Ana", last="Ruiz", street="12 Elm St", postal_code="80302")
    person(firm.ben, first="Bo", last="Li", street="7 Oak Ln", city="Golden")
    person(firm.ben, first="Bo", last="Li", street="7 Oak Lane", postal_code="80401")
    same_town, other_town = duplicate_candidates(actor=firm.ben)
    assert same_town.score == 100 and same_town.reasons == [
        "same name (Bo Li) and same street (7 Oak Ln)"
    ]
    assert other_town.score == 85
    assert other_town.reasons == [
        "same name (Ana Ruiz) and same street (12 Elm St), but postal codes differ (80202 / 80302)"
    ]


def test_different_people_at_one_address_are_not_paired(firm):
    person(firm.ben, first="Ana", last="Ruiz", street="12 Elm St", postal_code="80202")
    person(firm.ben, first="Luis", last="Ruiz", street="12 Elm St", postal_code="80202")
    assert duplicate_candidates(actor=firm.ben) == []


def test_a_widely_shared_number_only_pairs_people_of_the_same_name(firm):
    office_line = "+13035550199"
    for i in range(MAX_SHARED + 2):
        person(firm.ben, first=f"Client{i}", last=f"Family{i}", phones=[office_line])
    a = person(firm.ben, first="Ana", last="Ruiz", phones=[office_line])
    b = person(firm.ben, first="Ana", last="Ruiz", phones=[office_line])
    assert pair_ids(duplicate_candidates(actor=firm.ben)) == {(a.pk, b.pk)}


def test_several_signals_for_one_pair_give_one_pair_with_every_reason(firm):
    person(
        firm.ben,
        emails=["a@x.com"],
        phones=["+13035550120"],
        street="1 Elm St",
        postal_code="80202",
    )
    person(
        firm.ben,
        emails=["a@x.com"],
        phones=["+13035550120"],
        street="1 Elm St",
        postal_code="80202",
    )
    [pair] = duplicate_candidates(actor=firm.ben)
    assert pair.score == 100
    assert pair.reasons[:2] == ["same e-mail a@x.com", "same phone +13035550120"]
    assert pair.reasons[2].startswith("same name (Ana Ruiz) and same street")


def test_pairs_come_best_first_and_respect_limit_and_min_score(firm):
    person(firm.ben, first="Ana", last="Ruiz", phones=["+13035550130"])
    person(firm.ben, first="Bob", last="Okafor", phones=["+13035550130"])
    person(firm.ben, first="Cy", last="Young", emails=["cy@x.com"])
    person(firm.ben, first="Cy", last="Young", emails=["cy@x.com"])
    scores = [p.score for p in duplicate_candidates(actor=firm.ben)]
    assert scores == [100, 70]
    assert len(duplicate_candidates(actor=firm.ben, limit=1)) == 1
    assert [p.score for p in duplicate_candidates(actor=firm.ben, min_score=80)] == [100]


def test_another_orgs_contacts_never_pair_with_ours_or_show(firm, other):
    mine = person(firm.ben, emails=["ana@x.com"], street="12 Elm St", postal_code="80202")
    person(other.ben, emails=["ana@x.com"], street="12 Elm St", postal_code="80202")
    person(other.broker, emails=["ana@x.com"])
    for actor in (firm.ben, firm.broker):
        assert duplicate_candidates(actor=actor) == []
    [pair] = duplicate_candidates(actor=other.broker)
    assert mine.pk not in (pair.keep_id, pair.other_id)


def test_an_agent_sees_no_pair_that_involves_a_contact_outside_their_scope(firm):
    ben_own = person(firm.ben, emails=["ana@x.com"], street="12 Elm St", postal_code="80202")
    person(firm.maria, emails=["ana@x.com"], street="12 Elm St", postal_code="80202")
    assert duplicate_candidates(actor=firm.ben) == []
    assert duplicate_candidates(actor=firm.maria) == []
    # Chris leads Maria's team but not Ben: still nothing. The broker sees the whole org.
    assert duplicate_candidates(actor=fresh(firm.chris)) == []
    [pair] = duplicate_candidates(actor=fresh(firm.broker))
    assert ben_own.pk in (pair.keep_id, pair.other_id)


def test_a_team_lead_sees_pairs_among_the_team_members_contacts(firm):
    a = person(firm.maria, emails=["ana@x.com"])
    b = person(firm.chris, emails=["ana@x.com"])
    assert pair_ids(duplicate_candidates(actor=fresh(firm.chris))) == {(a.pk, b.pk)}


def test_a_dismissed_pair_is_not_suggested_again_and_the_dismissal_is_audited(firm):
    a = person(firm.ben, emails=["ana@x.com"])
    b = person(firm.ben, emails=["ana@x.com"])
    duplicate_dismiss(actor=firm.ben, first_id=b.pk, second_id=a.pk)
    duplicate_dismiss(actor=firm.ben, first_id=a.pk, second_id=b.pk)  # twice is harmless
    assert duplicate_candidates(actor=firm.ben) == []
    assert AuditEntry.objects.filter(action="contact.duplicate_dismiss").count() == 1


def test_nobody_dismisses_a_pair_they_cannot_see(firm, other):
    a = person(firm.ben, emails=["ana@x.com"])
    b = person(firm.maria, emails=["ana@x.com"])
    theirs = person(other.ben, emails=["ana@x.com"])
    with pytest.raises(NotFound):
        duplicate_dismiss(actor=firm.ben, first_id=a.pk, second_id=b.pk)
    with pytest.raises(NotFound):
        duplicate_dismiss(actor=firm.broker, first_id=a.pk, second_id=theirs.pk)
    with pytest.raises(ValidationFailed):
        duplicate_dismiss(actor=firm.ben, first_id=a.pk, second_id=a.pk)
    assert len(duplicate_candidates(actor=firm.broker)) == 1


def test_normalising_helpers():
    assert street_normalize("12 Elm Street, Apt. 4") == "12 elm st # 4"
    assert street_normalize("400 North Maple Avenue") == "400 n maple ave"
    assert name_key("José-Luis", "Núñez") == "jose luis nunez"
    assert soundex("smith") == soundex("smyth") == "S530"
    assert soundex("ashcraft") == "A261"
    assert soundex("tymczak") == "T522"
    assert soundex("") == ""
