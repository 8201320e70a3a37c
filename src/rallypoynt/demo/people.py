"""Deterministic, realistic CRM people for the demo, tests and benchmarks."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from faker import Faker

from rallypoynt.contacts.choices import Stage

# Real places of one metro area (Denver, CO) so addresses, ZIPs and time zone agree.
PLACES = [
    ("Denver", "CO", "80202"),
    ("Denver", "CO", "80205"),
    ("Denver", "CO", "80210"),
    ("Denver", "CO", "80218"),
    ("Denver", "CO", "80220"),
    ("Aurora", "CO", "80012"),
    ("Aurora", "CO", "80016"),
    ("Lakewood", "CO", "80226"),
    ("Lakewood", "CO", "80228"),
    ("Littleton", "CO", "80120"),
    ("Englewood", "CO", "80113"),
    ("Arvada", "CO", "80003"),
    ("Westminster", "CO", "80031"),
    ("Thornton", "CO", "80229"),
    ("Boulder", "CO", "80302"),
    ("Boulder", "CO", "80304"),
    ("Golden", "CO", "80401"),
    ("Centennial", "CO", "80112"),
    ("Parker", "CO", "80134"),
    ("Highlands Ranch", "CO", "80129"),
    ("Broomfield", "CO", "80020"),
    ("Castle Rock", "CO", "80104"),
    ("Louisville", "CO", "80027"),
    ("Wheat Ridge", "CO", "80033"),
]
# Colorado first, then other US area codes: enough room for unique numbers at 150,000 people.
AREA_CODES = [
    "303",
    "720",
    "970",
    "719",
    "983",
    "505",
    "801",
    "307",
    "406",
    "208",
    "702",
    "480",
    "602",
    "520",
    "915",
    "806",
    "316",
    "402",
    "308",
    "605",
    "701",
    "612",
    "651",
    "414",
    "608",
    "312",
    "773",
    "313",
    "216",
    "412",
]
EMAIL_DOMAINS = ["example.com", "example.net", "example.org"]
SOURCE_WEIGHTS = {
    "Zillow": 18,
    "Realtor.com": 12,
    "Website": 16,
    "Referral": 14,
    "Open house": 8,
    "Sphere": 9,
    "Facebook ads": 7,
    "Google ads": 6,
    "Sign call": 4,
    "Past client": 6,
}
STAGE_WEIGHTS = {
    Stage.LEAD: 45,
    Stage.PROSPECT: 20,
    Stage.CLIENT: 8,
    Stage.PAST_CLIENT: 12,
    Stage.SPHERE: 15,
}
SOURCES, SOURCE_W = list(SOURCE_WEIGHTS), list(SOURCE_WEIGHTS.values())
STAGES, STAGE_W = list(STAGE_WEIGHTS), list(STAGE_WEIGHTS.values())
STREET_KINDS = ["St", "Ave", "Blvd", "Dr", "Ct", "Ln", "Way", "Pl", "Rd", "Cir"]


@dataclass(frozen=True, slots=True)
class Touch:
    """A past touchpoint: days after the contact was created, what, how it went."""

    after_days: int
    kind: str
    outcome: str
    summary: str


# (kind, outcome, summary) of everyday touchpoints, weighted toward calls and e-mails.
TOUCH_KINDS = [
    ("call", "connected", "Talked through timing and budget; wants to see homes next month."),
    ("call", "left_voicemail", "Left a voicemail about the new listings in their area."),
    ("call", "no_answer", "No answer; will try again tomorrow."),
    ("email", "sent", "Sent the monthly market update for their neighborhood."),
    ("email", "replied", "Replied with questions about the school district."),
    ("text", "replied", "Confirmed Saturday's showing by text."),
    ("meeting", "completed", "Buyer consultation at the office; pre-approval in progress."),
    ("note", "", "Prefers texts after 6 pm; two dogs, needs a fenced yard."),
]
TOUCH_WEIGHTS = [22, 12, 8, 20, 8, 10, 6, 6]


@dataclass(frozen=True, slots=True)
class PersonRow:
    """One generated contact with its addresses and numbers (E.164)."""

    first_name: str
    last_name: str
    stage: str
    source: str
    street: str
    city: str
    state: str
    postal_code: str
    birthday_on: date | None
    emails: tuple[str, ...]
    phones: tuple[tuple[str, str], ...]
    owner_index: int
    created_days_ago: int
    touches: tuple[Touch, ...] = ()


@lru_cache(maxsize=8)
def name_pools(seed: int) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """First names, last names and street names drawn once from Faker for a seed."""
    fake = Faker("en_US")
    fake.seed_instance(seed)
    firsts = tuple(sorted({fake.first_name() for _ in range(1500)}))
    lasts = tuple(sorted({fake.last_name() for _ in range(2500)}))
    streets = tuple(sorted({fake.street_name().rsplit(" ", 1)[0] for _ in range(600)}))
    return firsts, lasts, streets


TODAY = date(2026, 11, 1)


def people(count: int, *, seed: int = 42, owners: int = 1) -> list[PersonRow]:
    """`count` people, the same list for the same seed; a larger count extends a smaller one."""
    pools = name_pools(seed)
    rng = random.Random(seed)
    return [_person(rng, n, pools, owners) for n in range(count)]


def _person(rng: random.Random, n: int, pools, owners: int) -> PersonRow:
    firsts, lasts, streets = pools
    first, last = rng.choice(firsts), rng.choice(lasts)
    city, state, zip_code = rng.choice(PLACES)
    emails = [f"{first}.{last}{n}@{rng.choice(EMAIL_DOMAINS)}".lower()]
    if rng.random() < 0.15:
        emails.append(f"{first[0]}{last}.{n}@{rng.choice(EMAIL_DOMAINS)}".lower())
    phones = [(_fictional_phone(2 * n), "mobile")]
    if rng.random() < 0.2:
        phones.append((_fictional_phone(2 * n + 1), "home"))
    birthday = TODAY - timedelta(days=rng.randrange(22 * 365, 80 * 365))
    return PersonRow(
        first_name=first,
        last_name=last,
        stage=rng.choices(STAGES, STAGE_W)[0],
        source=rng.choices(SOURCES, SOURCE_W)[0],
        street=f"{rng.randrange(100, 9999)} {rng.choice(streets)} {rng.choice(STREET_KINDS)}",
        city=city,
        state=state,
        postal_code=zip_code,
        birthday_on=birthday if rng.random() < 0.6 else None,
        emails=tuple(emails),
        phones=tuple(phones),
        owner_index=rng.randrange(max(owners, 1)),
        created_days_ago=(created := rng.randrange(0, 730)),
        touches=_touches(rng, created),
    )


def _touches(rng: random.Random, created_days_ago: int) -> tuple[Touch, ...]:
    count = rng.choices((0, 1, 2, 3), (35, 35, 20, 10))[0]
    picks = rng.choices(TOUCH_KINDS, TOUCH_WEIGHTS, k=count)
    days = sorted(rng.randrange(0, created_days_ago + 1) for _ in picks)
    return tuple(
        Touch(d, kind, outcome, text) for d, (kind, outcome, text) in zip(days, picks, strict=True)
    )


def _fictional_phone(k: int) -> str:
    """The k-th demo number: the 555 exchange, which is not assigned to subscribers."""
    area = AREA_CODES[k % len(AREA_CODES)]
    return f"+1{area}555{(k // len(AREA_CODES)) % 10000:04d}"
