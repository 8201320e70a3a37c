"""Routing rules' conditions: the facts of a lead and which rules they meet (pure, no I/O)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from rallypoynt.leads.models import LeadInquiry, RoutingRule


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


# Matching ------------------------------------------------------------------------------------


def _fold(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def postal_code_key(text: str) -> str:
    return re.sub(r"\s+", "", str(text)).upper()


def language_code(text: str) -> str:
    """Primary language subtag: 'es-MX' and 'ES' both read as 'es'."""
    return str(text).strip().lower().replace("_", "-").split("-")[0]


@dataclass(frozen=True)
class LeadFacts:
    """What routing rules look at, taken from the inquiry and, when missing, its contact."""

    source: str = ""
    lead_type: str = ""
    postal_code: str = ""
    city: str = ""
    price: Decimal | None = None
    language: str = ""

    @classmethod
    def of(cls, inquiry: LeadInquiry) -> LeadFacts:
        prop = inquiry.property or {}
        contact = inquiry.contact
        return cls(
            source=inquiry.source,
            lead_type=inquiry.lead_type,
            postal_code=str(prop.get("postal_code") or contact.postal_code or ""),
            city=str(prop.get("city") or contact.city or ""),
            price=inquiry.price,
            language=inquiry.language or contact.language,
        )


def _money(value: Decimal) -> str:
    return f"${value:,.0f}"


def price_range_text(rule: RoutingRule) -> str:
    """The rule's price bounds as text; callers ask only when it has at least one."""
    if rule.price_min is not None and rule.price_max is not None:
        return f"{_money(rule.price_min)}-{_money(rule.price_max)}"
    if rule.price_min is not None:
        return f"at least {_money(rule.price_min)}"
    assert rule.price_max is not None, "price_range_text of a rule without a price bound"
    return f"at most {_money(rule.price_max)}"


def rule_match(rule: RoutingRule, facts: LeadFacts) -> list[str] | None:
    """The conditions the lead met (empty: the rule takes any lead), or None if one failed."""
    met: list[str] = []
    if rule.sources:
        if _fold(facts.source) not in {_fold(s) for s in rule.sources}:
            return None
        met.append(f"source {facts.source}")
    if rule.lead_types:
        if facts.lead_type not in rule.lead_types:
            return None
        met.append(f"type {facts.lead_type}")
    if rule.postal_codes:
        code = postal_code_key(facts.postal_code)
        # A rule's entry may be a prefix ("803" covers 80301-80310).
        if not code or not any(code.startswith(postal_code_key(p)) for p in rule.postal_codes):
            return None
        met.append(f"ZIP {code}")
    if rule.cities:
        if _fold(facts.city) not in {_fold(c) for c in rule.cities}:
            return None
        met.append(f"city {facts.city}")
    if rule.price_min is not None or rule.price_max is not None:
        price = facts.price
        if price is None:
            return None
        if (rule.price_min is not None and price < rule.price_min) or (
            rule.price_max is not None and price > rule.price_max
        ):
            return None
        met.append(f"price {_money(price)} in {price_range_text(rule)}")
    if rule.languages:
        if not facts.language or language_code(facts.language) not in {
            language_code(x) for x in rule.languages
        }:
            return None
        met.append(f"language {language_code(facts.language)}")
    return met


def matched_text(rule: RoutingRule, met: list[str]) -> str:
    return f'rule "{rule.name}" matched ({", ".join(met) or "any lead"})'
