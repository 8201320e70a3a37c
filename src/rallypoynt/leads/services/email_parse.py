"""Reading lead e-mails: RELM 1.0 meta tags and plain-text layouts into a LeadIn (pure, no I/O).

The Real Estate Lead Metadata Specification 1.0 puts `<meta name="lead_…">` tags in the HTML
part; portals that do not use it send "Name:", "Email:", "Phone:" lines.
"""

from __future__ import annotations

import email
import email.policy
import logging
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from email.message import EmailMessage, MIMEPart
from email.utils import parseaddr
from html.parser import HTMLParser
from typing import Any

from rallypoynt.contacts.choices import Channel, LeadType
from rallypoynt.contacts.services import email_normalize, phone_normalize
from rallypoynt.core.errors import ValidationFailed
from rallypoynt.leads.services.intake import MAX_PRICE, LeadIn

logger = logging.getLogger(__name__)

LEAD_EMAIL_MAX_BYTES = 10 * 1024 * 1024
KEPT_FOR_REVIEW = "kept_for_review"

# The form fields a lead e-mail fills, in the order the review page shows them.
PROPERTY_FIELDS = ("address", "city", "state", "postal_code", "mls_number", "price")
FIELDS = (
    *("first_name", "last_name", "email", "phone", "type", "source", "message", "timeframe"),
    *PROPERTY_FIELDS,
    "language",
)

# RELM 1.0 meta names -> our field; earlier names win when a message carries both.
RELM_NAMES = {
    "source": ("lead_source",),
    "type": ("lead_type",),
    "name": ("lead_name",),
    "first_name": ("lead_first_name",),
    "last_name": ("lead_last_name",),
    "email": ("lead_email",),
    "phone": ("lead_phone",),
    "message": ("lead_message", "lead_comments"),
    "address": ("lead_property_address",),
    "city": ("lead_property_city",),
    "state": ("lead_property_state",),
    "postal_code": ("lead_property_zip", "lead_property_postal_code"),
    "mls_number": ("lead_mls", "lead_property_mls"),
    "price": ("lead_price", "lead_property_price", "lead_max_price"),
    "timeframe": ("lead_time_frame", "lead_timeframe"),
    "language": ("lead_language",),
}

# Plain-text labels (lower case, "mls #" written "mls#") -> our field.
TEXT_LABELS = {
    **dict.fromkeys(("name", "full name", "contact name", "lead name", "your name"), "name"),
    **dict.fromkeys(("first name", "first"), "first_name"),
    **dict.fromkeys(("last name", "last", "surname"), "last_name"),
    **dict.fromkeys(("email", "e-mail", "email address", "e-mail address"), "email"),
    **dict.fromkeys(
        ("phone", "phone number", "telephone", "tel", "mobile", "cell", "cell phone"), "phone"
    ),
    **dict.fromkeys(("message", "comments", "comment", "inquiry", "question"), "message"),
    **dict.fromkeys(("property", "address", "property address", "listing address"), "address"),
    "city": "city",
    "state": "state",
    **dict.fromkeys(("zip", "zip code", "postal code"), "postal_code"),
    **dict.fromkeys(("mls#", "mls", "mls number", "mls id", "listing id"), "mls_number"),
    **dict.fromkeys(
        ("price", "list price", "listing price", "max price", "budget", "price range"), "price"
    ),
    **dict.fromkeys(("timeframe", "time frame", "timeline", "moving timeframe"), "timeframe"),
    **dict.fromkeys(("type", "lead type", "inquiry type"), "type"),
    **dict.fromkeys(("source", "lead source"), "source"),
    **dict.fromkeys(("language", "preferred language"), "language"),
}
LABEL_RE = re.compile(r"^\s*(?P<label>[A-Za-z][A-Za-z #\-]{0,30}?)\s*:\s*(?P<value>.*)$")
CITY_STATE_ZIP_RE = re.compile(
    r"^(?P<street>.+?),\s*(?P<city>[^,]+?),?\s+(?P<state>[A-Za-z]{2})\.?\s+"
    r"(?P<zip>\d{5}(?:-\d{4})?)$"
)
PRICE_RE = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*([kKmM])?")
TYPE_WORDS = {
    LeadType.SELLER: ("sell", "seller", "selling", "listing", "valuation", "home value"),
    LeadType.RENTER: ("rent", "renter", "rental", "tenant", "lease"),
    LeadType.BUYER: ("buy", "buyer", "buying", "purchase", "home search"),
}
LANGUAGES = {
    "english": "en",
    "spanish": "es",
    "español": "es",
    "french": "fr",
    "german": "de",
    "portuguese": "pt",
    "chinese": "zh",
    "mandarin": "zh",
    "vietnamese": "vi",
    "korean": "ko",
    "russian": "ru",
}
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class LeadEmailParse:
    """What a message said: the fields found and the lead, or the reason there is none."""

    subject: str = ""
    sender: str = ""
    message_id: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    lead: LeadIn | None = None
    reason: str = ""


def text_clean(value: Any, limit: int | None = None) -> str:
    """Text without NUL and control characters (PostgreSQL refuses NUL), trimmed."""
    text = CONTROL_RE.sub("", str(value or "")).strip()
    return text[:limit] if limit else text


def price_parse(raw: Any) -> Decimal | None:
    """A price from "$450,000", "450k", "1.2M" or a number; a range gives its top; else None.

    Out of range (negative, not finite, over 14 digits) is None too, never a wrong number.
    """
    if raw is None or raw == "":
        return None
    if isinstance(raw, int | float | Decimal):
        candidates = [Decimal(str(raw))]
    elif (plain := _plain_number(str(raw))) is not None:
        candidates = [plain]
    else:
        candidates = []
        for digits, suffix in PRICE_RE.findall(str(raw)):
            try:
                value = Decimal(digits.replace(",", ""))
            except InvalidOperation:
                continue
            candidates.append(value * {"k": 1000, "m": 1_000_000}.get(suffix.lower(), 1))
    if not candidates:
        return None
    value = max(candidates)
    if not value.is_finite() or value < 0 or value > MAX_PRICE:
        return None
    return value.quantize(Decimal("0.01"))


def _plain_number(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace("$", "").replace(",", "").strip())
    except InvalidOperation:
        return None


def lead_type_of(raw: str) -> str:
    """Map "Buyer", "Seller", "Rental", "Home valuation"… to a LeadType (buyer if unsure)."""
    text = raw.strip().lower()
    if text in LeadType.values:
        return text
    for lead_type, words in TYPE_WORDS.items():
        if any(word in text for word in words):
            return lead_type
    return LeadType.BUYER


def language_of(raw: str) -> str:
    """A short language code: "Spanish" -> "es"; codes up to 10 characters pass through."""
    text = raw.strip().lower()
    if text in LANGUAGES:
        return LANGUAGES[text]
    return text if len(text) <= 10 else ""


def name_split(name: str) -> tuple[str, str]:
    """("Mary Ann", "Smith") from "Mary Ann Smith" or "Smith, Mary Ann"."""
    name = " ".join(name.split())
    if "," in name:
        last, first = (part.strip() for part in name.split(",", 1))
        return first, last
    if " " not in name:
        return name, ""
    first, last = name.rsplit(" ", 1)
    return first, last


class _LeadHtml(HTMLParser):
    """Collects `lead_*` meta tags and the visible text, one line per block element."""

    BLOCKS = frozenset(
        {"br", "p", "div", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6"}
    )
    HIDDEN = frozenset({"script", "style", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            values = {k.lower(): v or "" for k, v in attrs}
            name = values.get("name", "").strip().lower()
            if name.startswith("lead_"):
                self.meta.setdefault(name, values.get("content", ""))
        elif tag in self.HIDDEN:
            self._hidden += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self._hidden = max(self._hidden - 1, 0)
        elif tag in ("td", "th"):
            self.parts.append("\t")
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            # Source line breaks are not rendered: collapse them as a browser would.
            self.parts.append(re.sub(r"\s+", " ", data))

    @property
    def text(self) -> str:
        return "".join(self.parts)


def _label_field(line: str) -> tuple[str, str] | None:
    match = LABEL_RE.match(line)
    if match is None:
        return None
    label = " ".join(match["label"].lower().split()).replace(" #", "#")
    key = TEXT_LABELS.get(label)
    return (key, match["value"].strip()) if key else None


def text_fields(text: str) -> dict[str, str]:
    """Fields from "Label: value" lines; a message runs on until a blank line or a label."""
    lines = text.splitlines()
    found: dict[str, str] = {}
    i = 0
    while i < len(lines):
        hit = _label_field(lines[i])
        i += 1
        if hit is None:
            continue
        key, value = hit
        if key == "message":
            block = [value] if value else []
            while i < len(lines) and _label_field(lines[i]) is None:
                if not lines[i].strip() and block:
                    break
                if lines[i].strip():
                    block.append(lines[i].strip())
                i += 1
            value = "\n".join(block)
        elif not value:
            # Some portals put the value on the line after its label.
            while i < len(lines) and not lines[i].strip():
                i += 1
            if i < len(lines) and _label_field(lines[i]) is None:
                value = lines[i].strip()
                i += 1
        if value:
            found.setdefault(key, value)
    return found


def relm_fields(meta: dict[str, str]) -> dict[str, str]:
    """Our fields from RELM meta tags (blank tags count as absent)."""
    found = {}
    for key, names in RELM_NAMES.items():
        for name in names:
            if meta.get(name, "").strip():
                found[key] = meta[name].strip()
                break
    return found


def _part_text(part: MIMEPart | None) -> str:
    if part is None:
        return ""
    try:
        text: str = part.get_content()
    except (LookupError, ValueError, UnicodeError, AssertionError):
        # Unknown charset or broken transfer encoding: keep what the bytes say.
        payload = part.get_payload(decode=True)
        # decode=True gives bytes, or None for a multipart.
        return payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""
    return text


def _fields_tidy(found: dict[str, str]) -> dict[str, str]:
    fields = {k: text_clean(v) for k, v in found.items() if text_clean(v)}
    if "name" in fields:
        first, last = name_split(fields.pop("name"))
        fields.setdefault("first_name", first)
        fields.setdefault("last_name", last)
    if "email" in fields:
        address = fields["email"].removeprefix("mailto:")
        if "<" in address:  # "Jane Doe <jane@example.com>"
            address = parseaddr(address)[1] or address
        fields["email"] = address
    place = CITY_STATE_ZIP_RE.match(fields.get("address", ""))
    if place and not fields.get("city"):
        fields["address"] = place["street"]
        fields.setdefault("city", place["city"])
        fields.setdefault("state", place["state"].upper())
        fields.setdefault("postal_code", place["zip"])
    return {k: fields[k] for k in FIELDS if fields.get(k)}


def lead_from_fields(fields: dict[str, str], *, raw: dict[str, Any] | None = None) -> LeadIn:
    """A LeadIn for the e-mail channel from parsed (or corrected) form fields."""
    price = price_parse(fields.get("price"))
    prop = {k: text_clean(fields.get(k), 200) for k in PROPERTY_FIELDS if k != "price"}
    if price is not None:
        prop["price"] = str(price)
    return LeadIn(
        source=text_clean(fields.get("source"), 100),
        lead_type=lead_type_of(fields.get("type", "")),
        first_name=text_clean(fields.get("first_name"), 100),
        last_name=text_clean(fields.get("last_name"), 100),
        emails=[fields["email"].strip()] if fields.get("email", "").strip() else [],
        phones=[fields["phone"].strip()] if fields.get("phone", "").strip() else [],
        message=text_clean(fields.get("message")),
        timeframe=text_clean(fields.get("timeframe"), 100),
        property={k: v for k, v in prop.items() if v},
        language=language_of(fields.get("language", "")),
        channel=Channel.EMAIL,
        raw=raw or {},
    )


def lead_problem(lead: LeadIn) -> str:
    """Why this lead cannot be taken in (no way to reach the person, a bad address), or ""."""
    if not lead.emails and not lead.phones:
        return "No e-mail address or phone number found in the message."
    for address in lead.emails:
        try:
            email_normalize(address)
        except ValidationFailed:
            return f"Invalid e-mail address {address!r}."
    for number in lead.phones:
        try:
            phone_normalize(number)
        except ValidationFailed:
            return f"Invalid phone number {number!r}."
    return ""


def message_read(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)


def _inquiry_raw(parsed: LeadEmailParse) -> dict[str, Any]:
    return {
        "subject": parsed.subject,
        "from": parsed.sender,
        "message_id": parsed.message_id,
        "fields": parsed.fields,
    }


def raw_text(raw: bytes) -> str:
    """The message as text for the review queue: UTF-8, else Latin-1 (lossless), no NUL."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return text.replace("\x00", "\ufffd")


def lead_email_parse(raw: bytes) -> LeadEmailParse:
    """Parse a raw message: RELM meta tags first, then "Label: value" lines."""
    try:
        message = message_read(raw)
        parsed = LeadEmailParse(
            subject=text_clean(message.get("subject", ""), 300),
            sender=text_clean(message.get("from", ""), 300),
            message_id=text_clean(message.get("message-id", "")),
        )
        html_part = message.get_body(preferencelist=("html",))
        plain = _part_text(message.get_body(preferencelist=("plain",)))
    except Exception as exc:
        # The stdlib parser has known crashes on hostile headers; such a message is still kept.
        logger.warning("unreadable lead e-mail: %r", exc)
        return LeadEmailParse(reason=f"The message could not be read ({type(exc).__name__}).")
    html = _LeadHtml()
    if html_part is not None:
        html.feed(_part_text(html_part))
        html.close()
    found = text_fields(plain or html.text)
    found.update(relm_fields(html.meta))
    parsed.fields = _fields_tidy(found)
    sender_domain = parseaddr(parsed.sender)[1].rpartition("@")[2]
    source = parsed.fields.get("source") or sender_domain
    lead = lead_from_fields({**parsed.fields, "source": source}, raw=_inquiry_raw(parsed))
    parsed.reason = lead_problem(lead)
    parsed.lead = None if parsed.reason else lead
    return parsed
