"""Duplicate candidates: exact e-mail/phone matches and fuzzy name + address, scoped to the actor.

Exact matches come from one set-based GROUP BY per channel that returns each shared value with
its contacts. Fuzzy matches compare names with rapidfuzz only inside small blocks (area + sound
of the last name, area + house number), so 100,000 contacts cost a few hundred thousand
comparisons instead of five billion.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations

from django.db import connection
from django.db.models import Field, Model, Q, QuerySet
from rapidfuzz import fuzz

from rallypoynt.contacts.models import Contact, ContactEmail, ContactPhone
from rallypoynt.contacts.selectors.people import contact_queryset, with_related
from rallypoynt.core.models import Event
from rallypoynt.orgs.models import Membership
from rallypoynt.orgs.permissions import visibility_for

DISMISSED_KIND = "contact.duplicate_dismissed"
# A name at least this similar (token-sorted ratio, 0-100) counts as "the same person".
NAME_MIN = 85
# Street names (after normalising "Street" to "st" etc.) at least this similar are one street.
STREET_MIN = 80
# An e-mail or number shared by more contacts than this is a shared line or inbox (an office
# switchboard, a family address), not a duplicate by itself: only same-name members pair up.
MAX_SHARED = 8
SCORE_EMAIL = 100
SCORE_PHONE = 95
# Shared channel but clearly different names (spouses sharing a phone): still shown, lower.
NAMES_DIFFER_PENALTY = 25
NAMES_DIFFER_BELOW = 50
POSTAL_DIFFER_PENALTY = 15
DEFAULT_LIMIT = 200
MAX_LIMIT = 500

STREET_WORDS = {
    "street": "st",
    "avenue": "ave",
    "av": "ave",
    "boulevard": "blvd",
    "drive": "dr",
    "court": "ct",
    "lane": "ln",
    "road": "rd",
    "place": "pl",
    "circle": "cir",
    "parkway": "pkwy",
    "terrace": "ter",
    "highway": "hwy",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
    "apartment": "#",
    "apt": "#",
    "unit": "#",
    "suite": "#",
    "ste": "#",
}
DIRECTIONS = frozenset({"n", "s", "e", "w", "ne", "nw", "se", "sw"})
_NON_WORD = re.compile(r"[^a-z0-9# ]+")
_SOUNDEX = str.maketrans("bfpvcgjkqsxzdtlmnr", "111122222222334556")


@dataclass
class DuplicatePair:
    """Two visible contacts that look like one person; `keep` is the older (suggested to keep)."""

    keep_id: int
    other_id: int
    score: int
    reasons: list[str] = field(default_factory=list)
    keep: Contact | None = None
    other: Contact | None = None


@dataclass(slots=True)
class _Person:
    """A contact's name and street, normalised for comparison."""

    pk: int
    name: str
    swapped: str
    label: str
    street: str
    house: str
    postal: str
    address: str


class _People:
    """The visible contacts' raw columns, normalised lazily: most are never compared."""

    def __init__(self, visible: QuerySet[Contact]) -> None:
        rows = visible.values_list("pk", "first_name", "last_name", "street", "city", "postal_code")
        self.raw = {pk: rest for pk, *rest in rows.iterator(chunk_size=10000)}
        self._done: dict[int, _Person] = {}

    def __contains__(self, pk: int) -> bool:
        return pk in self.raw

    def __getitem__(self, pk: int) -> _Person:
        person = self._done.get(pk)
        if person is None:
            first, last, street, _, postal = self.raw[pk]
            house, rest = _house_split(street_normalize(street))
            label = f"{first} {last}".strip()
            postal = postal.strip()[:5]
            address = " ".join(street.split())
            name, swapped = name_key(first, last), name_key(last, first)
            person = _Person(pk, name, swapped, label, rest, house, postal, address)
            self._done[pk] = person
        return person

    def plain_name(self, pk: int) -> str:
        """A cheap exact-name key (no accent folding) for splitting very shared values."""
        first, last = self.raw[pk][:2]
        return " ".join(sorted(f"{first} {last}".lower().split()))


def duplicate_candidates(
    *, actor: Membership, limit: int = DEFAULT_LIMIT, min_score: int = 0
) -> list[DuplicatePair]:
    """Likely duplicate pairs among the contacts the actor sees, best first, with reasons."""
    limit = max(1, min(limit, MAX_LIMIT))
    pairs = duplicate_scores(actor=actor, min_score=min_score)[:limit]
    return _hydrate(contact_queryset(actor=actor), pairs)


def duplicate_scores(*, actor: Membership, min_score: int = 0) -> list[DuplicatePair]:
    """Every candidate pair the actor may see, ranked; `keep_id` is the lower id until hydrated."""
    visible = contact_queryset(actor=actor)
    people = _People(visible)
    pairs: dict[tuple[int, int], _Found] = {}
    restrict = None if visibility_for(actor).is_org_wide else people.raw.keys()
    for model, column, noun, score in (
        (ContactEmail, "address", "e-mail", SCORE_EMAIL),
        (ContactPhone, "number", "phone", SCORE_PHONE),
    ):
        groups = shared_values(model, column, org_id=actor.org_id, contact_ids=restrict)
        for value, ids in groups.items():
            for a, b in _group_pairs(ids, people):
                pairs.setdefault((a, b), _Found()).add(
                    score, f"same {noun} {value}", is_shared=True
                )
    for (a, b), (score, reason) in _fuzzy_pairs(people).items():
        pairs.setdefault((a, b), _Found()).add(score, reason, is_shared=False)
    dismissed = dismissed_pairs(org_id=actor.org_id)
    ranked = []
    for (a, b), found in pairs.items():
        if (a, b) in dismissed:
            continue
        score, reasons = found.judge(people[a], people[b])
        if score >= min_score:
            ranked.append(DuplicatePair(a, b, score, reasons))
    ranked.sort(key=lambda p: (-p.score, p.keep_id, p.other_id))
    return ranked


# One pass over the org's rows, grouped by the stored (normalised) value: a scan and a hash or
# sort are its only sensible plans, so no statistics can make it quadratic. A contact holds a
# value once (unique org+contact+value), so COUNT(*) counts contacts.
SHARED_SQL = {
    "postgresql": "SELECT {column}, array_agg(contact_id) FROM {table} WHERE org_id = %s "
    "GROUP BY {column} HAVING COUNT(*) > 1",
    "sqlite": "SELECT {column}, group_concat(contact_id) FROM {table} WHERE org_id = %s "
    "GROUP BY {column} HAVING COUNT(*) > 1",
}


def shared_values(
    model: type[Model], column: str, *, org_id: int, contact_ids: Container[int] | None = None
) -> dict[str, list[int]]:
    """{value: contact ids} for each value held by more than one contact of the org (of
    `contact_ids` only, when given)."""
    opts = model._meta
    field = opts.get_field(column)
    assert isinstance(field, Field) and field.column is not None, f"{column} is no column"
    sql = SHARED_SQL[connection.vendor].format(
        table=connection.ops.quote_name(opts.db_table),
        column=connection.ops.quote_name(field.column),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [org_id])
        rows = cursor.fetchall()
    groups: dict[str, list[int]] = {}
    for value, ids in rows:
        if isinstance(ids, str):  # SQLite's group_concat
            ids = [int(i) for i in ids.split(",")]
        if contact_ids is not None:
            # Filtered here, not joined in SQL: a join's plan would hang on the statistics.
            ids = [i for i in ids if i in contact_ids]
        if len(ids) > 1:
            groups[value] = sorted(ids)
    return groups


def dismissed_pairs(*, org_id: int) -> set[tuple[int, int]]:
    """Pairs someone marked "not a duplicate" (recorded as domain events)."""
    payloads = Event.objects.filter(org_id=org_id, kind=DISMISSED_KIND).values_list(
        "payload", flat=True
    )
    return {tuple(sorted(p["pair"])) for p in payloads if len(p.get("pair", ())) == 2}


class _Found:
    """Evidence gathered for one pair across the passes."""

    __slots__ = ("is_named", "is_shared", "reasons", "score")

    def __init__(self) -> None:
        self.score = 0
        self.reasons: list[str] = []
        self.is_shared = False
        self.is_named = False

    def add(self, score: int, reason: str, *, is_shared: bool) -> None:
        self.score = max(self.score, score)
        self.reasons.append(reason)
        self.is_shared = self.is_shared or is_shared
        self.is_named = self.is_named or not is_shared

    def judge(self, a: _Person, b: _Person) -> tuple[int, list[str]]:
        """Final score and reasons: a shared channel with clearly different names scores lower."""
        if self.is_named or not (a.name and b.name):
            return self.score, self.reasons
        similarity = round(name_similarity(a, b))
        if similarity >= NAME_MIN:
            return self.score, [*self.reasons, _name_reason(similarity, a, b)]
        if similarity < NAMES_DIFFER_BELOW:
            note = f"but names differ ({a.label} / {b.label})"
            return self.score - NAMES_DIFFER_PENALTY, [*self.reasons, note]
        return self.score, self.reasons


def _fold(text: str) -> str:
    """Lower-case ASCII without accents or punctuation: 'José-Luis' -> 'jose luis'."""
    text = text or ""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(_NON_WORD.sub(" ", text.lower()).split())


def name_key(first: str, last: str) -> str:
    """Folded name: 'José-Luis', 'Núñez' -> 'jose luis nunez'."""
    return _fold(f"{first} {last}")


def name_similarity(a: _Person, b: _Person, cutoff: float = 0) -> float:
    """0-100, in either word order ('Ruiz Ana' is 'Ana Ruiz'); 0 below `cutoff`.

    Not token-sorted: a typo that changes the sort order ('Spencer' -> 'Sencer' before
    'Shelton') would compare the first name with the last name and miss the pair.
    """
    return max(
        fuzz.ratio(a.name, b.name, score_cutoff=cutoff),
        fuzz.ratio(a.name, b.swapped, score_cutoff=cutoff),
    )


def street_normalize(street: str) -> str:
    """'12 Elm Street, Apt. 4' -> '12 elm st # 4'."""
    return " ".join(STREET_WORDS.get(w, w) for w in _fold(street).replace("#", " # ").split())


@lru_cache(maxsize=20000)
def soundex(word: str) -> str:
    """American Soundex of the word's letters ('' for none): Smith and Smyth both S530."""
    letters = [c for c in word if "a" <= c <= "z"]
    if not letters:
        return ""
    digits = "".join(letters).translate(_SOUNDEX)
    code, last = letters[0].upper(), digits[0]
    for letter, digit in zip(letters[1:], digits[1:], strict=True):
        if digit.isdigit() and digit != last:
            code += digit
        if letter not in "hw":
            last = digit
    return (code + "000")[:4]


def _house_split(street_key: str) -> tuple[str, str]:
    """('12', 'elm st') from '12 elm st'; no house number gives ('', the whole street)."""
    house, _, rest = street_key.partition(" ")
    return (house, rest) if house.isdigit() else ("", street_key)


def _group_pairs(ids: list[int], people: _People) -> Iterable[tuple[int, int]]:
    """Pairs within one shared value; a very shared value only pairs people of the same name."""
    ids = [i for i in ids if i in people]
    if len(ids) <= MAX_SHARED:
        yield from combinations(ids, 2)
        return
    by_name: dict[str, list[int]] = defaultdict(list)
    for pk in ids:
        name = people.plain_name(pk)
        if name:
            by_name[name].append(pk)
    for same in by_name.values():
        # A star to the first keeps many copies of one lead linear, not quadratic.
        yield from ((same[0], other) for other in same[1:])


def _blocks(people: _People) -> list[list[int]]:
    """Contacts that could share an address: same house number and street start, or same
    house number, area and sound of the last name (a typo in the street's first letters)."""
    blocks: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for pk, (first, last, street, city, postal) in people.raw.items():
        if not street or not (first or last):
            continue
        house, _, rest = street.strip().partition(" ")
        area = postal.strip()[:5] or city.strip().lower()
        if house.isdigit():
            start = _street_start(rest)
            if start:
                blocks[("s", house, start)].append(pk)
            if area:
                blocks[("a", area, house, soundex(last.lower()))].append(pk)
        elif area:
            blocks[("n", area, soundex(last.lower()))].append(pk)
    return [ids for ids in blocks.values() if len(ids) > 1]


def _street_start(rest: str) -> str:
    """First three letters of the street's name, past any direction: 'N. Elm St' -> 'elm'."""
    for word in rest.lower().split():
        word = word.strip(".,#-")
        if word and STREET_WORDS.get(word, word) not in DIRECTIONS:
            return word[:3]
    return ""


def _fuzzy_pairs(people: _People) -> dict[tuple[int, int], tuple[int, str]]:
    """Pairs whose names and street addresses are both close, compared block by block."""
    found: dict[tuple[int, int], tuple[int, str]] = {}
    ratio = fuzz.ratio
    for ids in _blocks(people):
        for a_id, b_id in combinations(sorted(ids), 2):
            a, b = people[a_id], people[b_id]
            if a.house != b.house or (a_id, b_id) in found:
                continue
            name_score = name_similarity(a, b, cutoff=NAME_MIN)
            if not name_score:
                continue
            street_score = ratio(a.street, b.street, score_cutoff=STREET_MIN)
            if street_score:
                found[(a_id, b_id)] = _fuzzy_verdict(a, b, name_score, street_score)
    return found


def _fuzzy_verdict(
    a: _Person, b: _Person, name_score: float, street_score: float
) -> tuple[int, str]:
    score = round(0.6 * name_score + 0.4 * street_score)
    street = (
        f"same street ({a.address})"
        if street_score == 100
        else f"street {round(street_score)}% similar"
    )
    reason = f"{_name_reason(round(name_score), a, b)} and {street}"
    if a.postal and b.postal and a.postal != b.postal:
        # The same street address exists in many towns: a typo'd postal code, or two people.
        score -= POSTAL_DIFFER_PENALTY
        reason += f", but postal codes differ ({a.postal} / {b.postal})"
    return score, reason


def _name_reason(similarity: int, a: _Person, b: _Person) -> str:
    if similarity >= 100:
        return f"same name ({a.label})"
    return f"name {similarity}% similar ({a.label} / {b.label})"


def _hydrate(visible: QuerySet[Contact], pairs: list[DuplicatePair]) -> list[DuplicatePair]:
    """Attach full contacts in a constant number of queries; the older one is `keep`."""
    ids = {p.keep_id for p in pairs} | {p.other_id for p in pairs}
    contacts = with_related(visible.filter(pk__in=ids)).in_bulk() if ids else {}
    for pair in pairs:
        keep, other = contacts[pair.keep_id], contacts[pair.other_id]
        if (other.created_at, other.pk) < (keep.created_at, keep.pk):
            keep, other = other, keep
        pair.keep_id, pair.other_id, pair.keep, pair.other = keep.pk, other.pk, keep, other
    return pairs


def pair_visible(*, actor: Membership, first_id: int, second_id: int) -> bool:
    """True when the actor sees both contacts (always within their org)."""
    ids = {first_id, second_id}
    return len(ids) == 2 and contact_queryset(actor=actor).filter(Q(pk__in=ids)).count() == 2
