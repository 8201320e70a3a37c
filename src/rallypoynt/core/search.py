"""Word-prefix search: the terms the search tables hold and how a typed query meets them.

Each app keeps a table of (org, term, row) written only by database triggers (created in its
migrations), so bulk loads, imports, merges and raw SQL keep it right. A term is a
*word suffix* of a normalised text: "12 elm st" gives "12 elm st", "elm st" and "st"; a
person's name also gives "last first". A query matches a row when its normalised text is a
prefix of one of the row's terms, so "elm", "12 el", "smith jo" and "john smi" all find what
they start, and a prefix is a range of one B-tree: the first N matches cost the same at any
table size (docs/search.md).

The normalisation is written twice and kept equal by a test on each database: here (queries,
and SQLite's triggers, which call these functions registered on every connection) and in
SQL (`core/migrations/0003_search_functions.py`, PostgreSQL's triggers).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Func

MAX_TERM = 100  # characters of normalised text kept (a term column's size)
MAX_WORDS = 8  # word suffixes taken from the first this many words
PHONE_TAILS = (10, 7, 4)  # a number's last digits also stored: "(303) 555-9007", "555 9007"
# Rows read per branch for each row wanted: a row matching through two of its terms counts once.
OVERFETCH = 3
# The highest code point: `prefix + TOP` is above every term that starts with `prefix`.
TOP = "\U0010ffff"

_COMBINING = re.compile("[\u0300-\u036f]")
_APOSTROPHES = re.compile("['\u2019\u2018`]")
# Letters NFKD does not take apart, spelled as PostgreSQL's unaccent does; a final sigma as
# any other (lower() in PostgreSQL knows no word ends).
_FOLD_MULTI = (
    ("æ", "ae"),
    ("Æ", "ae"),
    ("œ", "oe"),
    ("Œ", "oe"),
    ("ß", "ss"),
    ("þ", "th"),
    ("Þ", "th"),
)
_FOLD_FROM, _FOLD_TO = "øØđĐłŁðÐıħĦŧŦ\u03c2", "ooddllddihhtt\u03c3"  # final sigma: sigma
_FOLD = str.maketrans(_FOLD_FROM, _FOLD_TO)
_SEPARATORS = re.compile(r"[\W_]+")
_NOT_DIGIT = re.compile(r"[^0-9]")
_DIGITS_AND_SPACES = re.compile(r"[0-9 ]+")


def search_normalize(text: str | None) -> str:
    """Lower case, accents and apostrophes off, anything but letters and digits a single
    space, at most MAX_TERM characters: "O'Brien, José" -> "obrien jose"."""
    text = unicodedata.normalize("NFKD", text or "")
    text = _APOSTROPHES.sub("", _COMBINING.sub("", text).lower())
    for letter, spelled in _FOLD_MULTI:
        text = text.replace(letter, spelled)
    text = _SEPARATORS.sub(" ", text.translate(_FOLD)).strip()
    return text[:MAX_TERM].strip()


def search_phrases(text: str | None) -> list[str]:
    """The word suffixes of the normalised text, longest first."""
    words = search_normalize(text).split()
    return [" ".join(words[i:]) for i in range(min(len(words), MAX_WORDS))]


def search_name_terms(first: str | None, last: str | None) -> list[str]:
    """A person's terms: the word suffixes of "first last", and each word suffix of the last
    name followed by the first ("garcia jose" and "lopez garcia jose" for José López García)."""
    first, last = first or "", last or ""
    terms = search_phrases(f"{first} {last}")
    given = search_normalize(first)
    if given:
        terms += [f"{tail} {given}"[:MAX_TERM].strip() for tail in search_phrases(last)]
    return list(dict.fromkeys(terms))


def search_digits(number: str | None) -> list[str]:
    """A phone number's terms: all its digits, and its last 10, 7 and 4 when longer."""
    digits = _NOT_DIGIT.sub("", number or "")[:MAX_TERM]
    if not digits:
        return []
    tails = [digits[-n:] for n in PHONE_TAILS if len(digits) > n]
    return list(dict.fromkeys([digits, *tails]))


def search_pattern(prefix: str) -> str | None:
    """For a query of several words, a LIKE pattern of terms holding a word starting with
    each, in order ("jo smi" -> "jo% smi%": John Smith, Joe Bob Smithers); None for one word.
    Normalised text holds neither % nor _, so nothing needs escaping."""
    words = prefix.split()
    if len(words) < 2:
        return None
    return "% ".join(words) + "%"


def search_prefix(text: str | None) -> str:
    """What a typed query looks up: its normalised text, or its digits alone when it has no
    letters ("(303) 555-9007" -> "3035559007"); "" when nothing in it can match."""
    normal = search_normalize(text)
    if normal and _DIGITS_AND_SPACES.fullmatch(normal):
        return normal.replace(" ", "")
    return normal


def prefix_range(prefix: str) -> tuple[str, str]:
    """The half-open range of terms that start with `prefix` (byte order, "C" collation)."""
    return prefix, prefix + TOP


def _as_json(values: list[str]) -> str:
    return json.dumps(values, ensure_ascii=False)


# SQLite's triggers call these; PostgreSQL has its own SQL functions of the same names.
SQLITE_FUNCTIONS: dict[str, tuple[int, Any]] = {
    "rp_search_norm": (1, search_normalize),
    "rp_search_phrases": (1, lambda text: _as_json(search_phrases(text))),
    "rp_search_name_terms": (2, lambda first, last: _as_json(search_name_terms(first, last))),
    "rp_search_digits": (1, lambda number: _as_json(search_digits(number))),
}


def sqlite_functions_register(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Give a new SQLite connection the functions the search triggers call (a connection
    without them cannot write contacts, deals or engagements: it fails, never goes stale)."""
    if connection.vendor != "sqlite":
        return
    raw = connection.connection
    for name, (arity, function) in SQLITE_FUNCTIONS.items():
        raw.create_function(name, arity, function, deterministic=True)


class Like(Func):
    """`term LIKE pattern` as a filter (`search_pattern`'s patterns need no escaping)."""

    arg_joiner = " LIKE "
    template = "%(expressions)s"
    output_field = BooleanField()


@dataclass(frozen=True)
class TermBranch:
    """One part of a reader's scope in a term table (alias `t`): a condition such as
    "t.owner_id = %s" with its parameters."""

    where: str
    params: tuple[Any, ...] = ()


# Branches per statement: SQLite takes at most 500 SELECTs in one compound statement.
BRANCHES_PER_STATEMENT = 100


def term_matches(
    *,
    table: str,
    column: str,
    org_id: int,
    prefix: str,
    limit: int,
    branches: list[TermBranch],
) -> list[int]:
    """The first `limit` distinct rows (`column` of `table`) with a term starting with
    `prefix`, in term order, across the branches of the reader's scope; then, for a query of
    several words that found fewer, rows whose terms hold a word starting with each word in
    order ("jo smi": John Smith).

    Each branch reads one range of one index, cut at `limit * OVERFETCH` rows, so the first
    pass costs the number of branches (a reader's owners), not the size of the table. The
    second reads the first word's range until enough terms pass the pattern."""
    if not prefix or limit < 1 or not branches:
        return []
    found = _term_rows(table, column, org_id, prefix, None, limit, branches)
    pattern = search_pattern(prefix)
    if pattern and len(found) < limit:
        first_word = prefix.split()[0]
        more = _term_rows(table, column, org_id, first_word, pattern, limit, branches)
        found = list(dict.fromkeys(found + more))
    return found[:limit]


def _term_rows(
    table: str,
    column: str,
    org_id: int,
    prefix: str,
    pattern: str | None,
    limit: int,
    branches: list[TermBranch],
) -> list[int]:
    low, high = prefix_range(prefix)
    cut = limit * OVERFETCH
    like = " AND t.term LIKE %s" if pattern else ""
    rows: list[tuple[str, int]] = []
    for start in range(0, len(branches), BRANCHES_PER_STATEMENT):
        parts, params = [], []
        for n, branch in enumerate(branches[start : start + BRANCHES_PER_STATEMENT]):
            parts.append(
                f"SELECT b{n}.term, b{n}.row_id FROM (SELECT t.term AS term, t.{column} AS row_id "
                f"FROM {table} AS t WHERE t.org_id = %s AND t.term >= %s "
                f"AND t.term < %s{like} AND {branch.where} ORDER BY t.term, t.{column} LIMIT %s"
                f") AS b{n}"
            )
            params += [org_id, low, high, *([pattern] if pattern else []), *branch.params, cut]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            rows += cursor.fetchall()
    rows.sort()
    return list(dict.fromkeys(row_id for _, row_id in rows))[:limit]
