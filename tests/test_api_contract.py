"""The OpenAPI document tells the truth: every operation declares the error answers any call can
get, every input number is bounded, and each schema component is the model it is named after."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from ninja.constants import NOT_SET

from rallypoynt.api.api import api
from rallypoynt.core.api.schemas import COMMON_ERROR_CODES

REF = "#/components/schemas/{model}"
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def doc() -> dict:
    return api.get_openapi_schema()


def operations(doc: dict) -> Iterator[tuple[str, dict]]:
    for path, methods in doc["paths"].items():
        for method, operation in methods.items():
            if method in METHODS:
                yield f"{method.upper()} {path}", operation


def resolve(doc: dict, schema: dict) -> dict:
    ref = schema.get("$ref", "")
    return doc["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref else schema


def test_every_operation_declares_its_success_and_the_common_errors(doc):
    for label, operation in operations(doc):
        responses = {int(code): body for code, body in operation["responses"].items()}
        assert any(200 <= code < 300 for code in responses), label
        missing = set(COMMON_ERROR_CODES) - set(responses)
        assert not missing, (label, missing)
        for code, body in responses.items():
            if code < 400:
                continue
            # The one error shape: {"error": {"code", "message", "fields"}} (a few add keys).
            schema = resolve(doc, body["content"]["application/json"]["schema"])
            error = resolve(doc, schema["properties"]["error"])
            assert {"code", "message", "fields"} <= set(error["required"]), (label, code)


def test_file_answers_are_documented_as_their_media_type(doc):
    files = {
        "GET /api/v1/contacts/export.csv": "text/csv",
        "GET /api/v1/contacts/export.vcf": "text/vcard",
        "GET /api/v1/members/{member_id}/commission-statement.csv": "text/csv",
        "GET /api/v1/journey-templates/{template_id}/versions/{number}/export.yaml": (
            "application/yaml"
        ),
    }
    found = dict(operations(doc))
    for label, media_type in files.items():
        responses = {int(code): body for code, body in found[label]["responses"].items()}
        assert list(responses[200]["content"]) == [media_type], label


def _numbers(doc: dict, schema: Any, where: str, seen: frozenset = frozenset()) -> Iterator:
    """(where, schema) of every integer or number schema reachable from `schema`."""
    if isinstance(schema, list):
        for item in schema:
            yield from _numbers(doc, item, where, seen)
        return
    if not isinstance(schema, dict):
        return
    ref = schema.get("$ref")
    if ref:
        if ref not in seen:
            yield from _numbers(doc, resolve(doc, schema), f"{where}>{ref}", seen | {ref})
        return
    if schema.get("type") in ("integer", "number"):
        yield where, schema
    for key in ("properties", "additionalProperties", "items", "anyOf", "oneOf", "allOf"):
        value = schema.get(key)
        if key == "properties" and value:
            for name, item in value.items():
                yield from _numbers(doc, item, f"{where}.{name}", seen)
        elif value:
            yield from _numbers(doc, value, where, seen)


def _bounded(schema: dict, parent: dict) -> bool:
    def has(key: str) -> bool:
        return key in schema or key in parent

    return (has("minimum") or has("exclusiveMinimum")) and (
        has("maximum") or has("exclusiveMaximum")
    )


def _inputs(doc: dict) -> Iterator[tuple[str, dict]]:
    for label, operation in operations(doc):
        for parameter in operation.get("parameters", []):
            yield f"{label} {parameter['in']}:{parameter['name']}", parameter["schema"]
        for media_type, body in operation.get("requestBody", {}).get("content", {}).items():
            yield f"{label} body({media_type})", body.get("schema", {})


def _parents(schema: Any, parent: dict | None = None) -> Iterator[tuple[dict, dict]]:
    # A Money or Percent field keeps its bounds beside its anyOf [number, string].
    if isinstance(schema, dict):
        for key in ("anyOf", "oneOf"):
            for item in schema.get(key, []):
                yield item, schema
        for value in schema.values():
            yield from _parents(value, schema)
    elif isinstance(schema, list):
        for item in schema:
            yield from _parents(item, parent)


def test_every_number_an_operation_takes_is_bounded(doc):
    parents = {id(child): parent for child, parent in _parents(doc)}
    numbers = [
        (path, number)
        for where, schema in _inputs(doc)
        for path, number in _numbers(doc, schema, where)
    ]
    unbounded = [path for path, n in numbers if not _bounded(n, parents.get(id(n), {}))]
    assert len(numbers) > 100 and not unbounded


def _without_defaults(schema: Any) -> Any:
    # ninja drops `"default": null` and wraps a lone `$ref` beside other keys in allOf.
    if isinstance(schema, list):
        return [_without_defaults(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    schema = {k: _without_defaults(v) for k, v in schema.items() if k != "default"}
    if len(schema.get("allOf", ())) == 1:
        return {**schema.pop("allOf")[0], **schema}
    return schema


def test_each_component_is_the_model_named_so(doc):
    """Two schemas of one name (two `CloseIn`s) would share a component: one documented wrong."""
    components = doc["components"]["schemas"]
    wrong = set()
    for _, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                models = [(m, "validation") for m in operation.models]
                models += [
                    (m, "serialization")
                    for m in operation.response_models.values()
                    if m not in (None, NOT_SET)
                ]
                for model, mode in models:
                    defs = model.model_json_schema(ref_template=REF, mode=mode).get("$defs", {})
                    for name, schema in defs.items():
                        if _without_defaults(components.get(name)) != _without_defaults(schema):
                            wrong.add(name)
    assert not wrong
