import phonenumbers
from email_validator import validate_email

from rallypoynt.contacts.choices import Stage
from rallypoynt.demo.people import people


def test_same_seed_gives_the_same_people():
    assert people(300, seed=5, owners=3) == people(300, seed=5, owners=3)


def test_another_seed_gives_other_people():
    assert people(50, seed=5) != people(50, seed=6)


def test_a_larger_count_extends_a_smaller_one():
    assert people(500, seed=9)[:200] == people(200, seed=9)


def test_people_are_plausible_and_well_formed():
    rows = people(400, seed=3, owners=4)
    for row in rows:
        assert row.first_name and row.last_name
        assert row.stage in Stage.values
        assert len(row.postal_code) == 5
        assert {row.owner_index} <= {0, 1, 2, 3}
        for address in row.emails:
            validate_email(address, check_deliverability=False)
        for number, _kind in row.phones:
            parsed = phonenumbers.parse(number)
            assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == number
    assert len({r.source for r in rows}) >= 8
    assert len({(r.first_name, r.last_name) for r in rows}) > 350


def test_people_have_distinct_numbers_and_addresses_so_dedupe_finds_no_false_matches():
    rows = people(3000, seed=4)
    numbers = [number for row in rows for number, _ in row.phones]
    emails = [address for row in rows for address in row.emails]
    assert len(numbers) == len(set(numbers))
    assert len(emails) == len(set(emails))
