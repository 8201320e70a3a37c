"""The API's JSON body parser: strict JSON only."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from ninja.parser import Parser


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def json_loads(raw: bytes | str) -> Any:
    """`json.loads` refusing NaN and Infinity: Python reads them, JSON (and jsonb) has none."""
    return json.loads(raw, parse_constant=_not_json)


class StrictJsonParser(Parser):
    """Reads request bodies with `json_loads`; ninja answers a body it cannot read with a 400."""

    def parse_body(self, request: HttpRequest) -> Any:
        return json_loads(request.body)
