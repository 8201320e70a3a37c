"""Reading import files: header auto-mapping and CSV decoding."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from rallypoynt.contacts.services.csv_import.vocabulary import (
    _DIGITS,
    _SQUEEZE,
    EMAIL_KINDS,
    EMAIL_LABELS,
    HEADER_ALIASES,
    IDENTITY_TARGETS,
    LABEL_SUFFIXES,
    PHONE_KINDS,
    PHONE_LABELS,
    TARGETS,
    Cell,
)
from rallypoynt.core.errors import ValidationFailed

# --- header mapping -------------------------------------------------------------------------


def header_target(header: str) -> str:
    """The target field another CRM's column header means, or "" when unknown."""
    key = _SQUEEZE.sub("", header.lower())
    return HEADER_ALIASES.get(key) or HEADER_ALIASES.get(_DIGITS.sub("", key), "")


def mapping_guess(headers: Iterable[str]) -> dict[str, str]:
    """Auto-map each header to a target ("" = not imported)."""
    return {h: header_target(h) for h in headers}


def unique_headers(raw: Iterable[str]) -> list[str]:
    """Headers made unique and non-blank, so a mapping can be keyed by header."""
    seen: dict[str, int] = {}
    headers = []
    for i, name in enumerate(raw, start=1):
        name = name.strip().lstrip("\ufeff") or f"Column {i}"
        seen[name] = seen.get(name, 0) + 1
        headers.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return headers


def mapping_clean(mapping: dict, headers: list[str]) -> dict[str, str]:
    """Validate a column mapping; every header is present, unknown targets are refused."""
    if not isinstance(mapping, dict):
        raise ValidationFailed("Invalid mapping.", fields={"mapping": ["an object"]})
    errors = [f"unknown column {k!r}" for k in mapping if k not in headers]
    errors += [f"{k!r}: unknown field {v!r}" for k, v in mapping.items() if v and v not in TARGETS]
    if errors:
        raise ValidationFailed("Invalid mapping.", fields={"mapping": errors})
    clean = {h: (mapping.get(h) or "") for h in headers}
    if not IDENTITY_TARGETS & set(clean.values()):
        raise ValidationFailed(
            "Map at least one column to a name, an e-mail address or a phone number.",
            fields={"mapping": ["no column gives a name, an e-mail address or a phone number"]},
        )
    return clean


# --- reading files --------------------------------------------------------------------------


def text_decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 as Excel writes it."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def csv_delimiter(text: str) -> str:
    """The separator the header line uses most: comma, or Excel's semicolon, tab or pipe.

    csv.Sniffer is not used: it takes a leading apostrophe in a value for a quote character.
    """
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in ",;\t|"}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def csv_reader(text: str) -> Iterator[list[str]]:
    return csv.reader(io.StringIO(text, newline=""), delimiter=csv_delimiter(text))


def csv_headers(text: str) -> list[str]:
    """The file's header row (made unique), or ValidationFailed when there is none."""
    first = next(csv_reader(text), None)
    if not first or not any(c.strip() for c in first):
        raise ValidationFailed("The file has no header row.", fields={"file": ["no header row"]})
    return unique_headers(first)


LABELLED_TARGETS = frozenset({*EMAIL_KINDS, *PHONE_KINDS})


def label_columns(headers: list[str], mapping: dict[str, str]) -> dict[int, int]:
    """{value column: its label column} for e-mail and phone columns such as Google's
    "Phone 1 - Value" beside "Phone 1 - Label"."""
    where = {_SQUEEZE.sub("", h.lower()): i for i, h in enumerate(headers)}
    pairs: dict[int, int] = {}
    for i, header in enumerate(headers):
        key = _SQUEEZE.sub("", header.lower())
        if mapping.get(header) not in LABELLED_TARGETS or not key.endswith("value"):
            continue
        stem = key.removesuffix("value")
        found = [where[stem + s] for s in LABEL_SUFFIXES if stem + s in where]
        if found:
            pairs[i] = found[0]
    return pairs


def label_target(target: str, label: str) -> str:
    """The e-mail or phone target a label names ("* Mobile" -> mobile_phone), else `target`."""
    words = EMAIL_LABELS if target in EMAIL_KINDS else PHONE_LABELS
    return words.get(_SQUEEZE.sub("", label.lower()), target)


def csv_cells(text: str, mapping: dict[str, str]) -> Iterator[tuple[int, list[Cell]]]:
    """(row number, cells) per non-blank data row; row 1 is the header, as spreadsheets count."""
    reader = csv_reader(text)
    headers = unique_headers(next(reader, []))
    plan = [(i, mapping[h], h) for i, h in enumerate(headers) if mapping.get(h)]
    labels = label_columns(headers, mapping)
    width = len(headers)
    for row_no, row in enumerate(reader, start=2):
        if len(row) < width:
            row += [""] * (width - len(row))
        if labels:
            cells = [
                (label_target(t, row[labels[i]]) if i in labels else t, h, v)
                for i, t, h in plan
                if (v := row[i].strip())
            ]
        else:
            cells = [(t, h, v) for i, t, h in plan if (v := row[i].strip())]
        if cells or any(v.strip() for v in row):
            yield row_no, cells


def csv_row_count(text: str) -> int:
    return sum(1 for row in csv_reader(text) if any(v.strip() for v in row)) - 1
