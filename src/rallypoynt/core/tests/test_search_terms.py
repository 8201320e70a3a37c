"""The search terms (core/search.py): one normalisation for what is stored and what is typed,
equal on each database to what its triggers store."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from rallypoynt.core.search import (
    prefix_range,
    search_digits,
    search_name_terms,
    search_normalize,
    search_phrases,
    search_prefix,
)

# Names and text a CRM meets: accents, letters NFKD keeps whole, apostrophes both ways,
# ligatures, full-width forms, other scripts, emoji, control characters and long strings.
HARD = [
    "José García",
    "Zoë O\u2019Brien",
    "O'Neil",
    "Søren Kierkegaard",
    "ÆRØSKØBING",
    "Straße",
    "Łódź",
    "İstanbul",
    "Dvořák",
    "Nguyễn Văn Minh",
    "François",
    "\ufb01nn",
    "\uff2a\uff4f\uff48\uff4e",
    "王小明",
    "Дмитрий Шостакович",
    "ΣΊΣΥΦΟΣ",
    "Mary-Kate",
    "a_b",
    "  spaces\t\nand tabs  ",
    "12 Elm St.",
    "jsmith@gmail.com",
    "+1 (303) 555-9007",
    "😀 smile",
    "Þór",
    "\u00a0nbsp",
    "x" * 150,
    "a " * 80,
    "",
]


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("José García", "jose garcia"),
        ("Zoë O\u2019Brien", "zoe obrien"),
        ("Søren", "soren"),
        ("Straße", "strasse"),
        ("Łódź", "lodz"),
        ("\uff2a\uff4f\uff48\uff4e", "john"),
        ("Mary-Kate  Smith", "mary kate smith"),
        ("jsmith@gmail.com", "jsmith gmail com"),
        ("😀", ""),
        ("ΣΊΣΥΦΟΣ", "σισυφοσ"),
    ],
)
def test_text_is_lower_case_without_accents_apostrophes_or_punctuation(typed, normal):
    assert search_normalize(typed) == normal


def test_a_text_gives_its_word_suffixes_and_a_name_its_reverse_too():
    assert search_phrases("12 Elm St.") == ["12 elm st", "elm st", "st"]
    assert search_name_terms("John", "Smith") == ["john smith", "smith", "smith john"]
    assert search_name_terms("", "Smith") == ["smith"]
    assert len(search_phrases("a b c d e f g h i j")) == 8
    assert all(len(term) <= 100 for term in search_phrases("word " * 60))


def test_a_phone_gives_its_digits_and_its_last_ten_seven_and_four():
    assert search_digits("+13035559007") == ["13035559007", "3035559007", "5559007", "9007"]
    assert search_digits("555") == ["555"]
    assert search_digits("no digits") == []


@pytest.mark.parametrize(
    ("typed", "prefix"),
    [
        ("(303) 555-9007", "3035559007"),
        ("+1 303 555 9007", "13035559007"),
        ("555 9007", "5559007"),
        ("12 Elm", "12 elm"),
        ("Smith, John", "smith john"),
        ("!!!", ""),
        ("", ""),
    ],
)
def test_a_query_without_letters_looks_up_its_digits_alone(typed, prefix):
    assert search_prefix(typed) == prefix


def test_a_prefix_range_holds_every_term_that_starts_with_it_and_no_other():
    low, high = prefix_range("smith")
    inside = ["smith", "smith john", "smithers", "smith\U0010fffe"]
    assert all(low <= term < high for term in inside)
    assert not any(low <= term < high for term in ["smit", "smiti", "smitg zz", "tom"])


def _db_terms(function: str, *args: str) -> list[str]:
    marks = ", ".join(["%s"] * len(args))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT {function}({marks})", list(args))
            return sorted(row[0] for row in cursor.fetchall())
        cursor.execute(f"SELECT {function}({marks})", list(args))
        return sorted(json.loads(cursor.fetchone()[0]))


@pytest.mark.django_db
@pytest.mark.parametrize("text", HARD)
def test_the_database_stores_exactly_the_terms_a_query_is_normalised_to(text):
    with connection.cursor() as cursor:
        cursor.execute("SELECT rp_search_norm(%s)", [text])
        assert cursor.fetchone()[0] == search_normalize(text)
    assert _db_terms("rp_search_phrases", text) == sorted(search_phrases(text))
    assert _db_terms("rp_search_name_terms", text, "Smith") == sorted(
        search_name_terms(text, "Smith")
    )
    assert _db_terms("rp_search_digits", text) == sorted(search_digits(text))
