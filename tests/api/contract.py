"""Checks a response against Mastodon's API contract (../shared/contracts, OpenAPI 3.1):
the JSON body must validate against the schema of its operation and status code."""

import json
from datetime import date, datetime
from functools import cache
from pathlib import Path
from urllib.parse import urlparse

from jsonschema import Draft202012Validator, FormatChecker


def _shared_contract() -> Path:
    # The brief's shared/ folder sits beside the checkout: /work/main, or a worktree one level deeper.
    for folder in Path(__file__).resolve().parents[2].parents:
        candidate = folder / "shared" / "contracts" / "mastodon-api.openapi.json"
        if candidate.exists():
            return candidate
    raise FileNotFoundError("shared/contracts/mastodon-api.openapi.json beside the checkout")


CONTRACT = _shared_contract()

formats = FormatChecker()


@formats.checks("date-time", raises=ValueError)
def _datetime(value):
    if not isinstance(value, str):
        return True
    datetime.fromisoformat(value.replace("Z", "+00:00"))
    return "T" in value


@formats.checks("date", raises=ValueError)
def _date(value):
    if isinstance(value, str):
        date.fromisoformat(value)
    return True


@formats.checks("uri")
def _uri(value):
    return not isinstance(value, str) or bool(urlparse(value).scheme)


@cache
def contract() -> dict:
    return json.loads(CONTRACT.read_text())


def _pointer(*parts: str) -> str:
    return "#/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


@cache
def _validator(path: str, method: str, status: str) -> Draft202012Validator:
    spec = contract()
    operation = spec["paths"][path][method]
    responses = operation["responses"]
    if status not in responses:
        raise AssertionError(f"{method.upper()} {path}: status {status} is not in the contract")
    content = responses[status].get("content", {}).get("application/json")
    if content is None:
        # The contract documents the status but no body schema (e.g. preferences, "Empty"):
        # any JSON body is accepted.
        return Draft202012Validator({})
    ref = _pointer("paths", path, method, "responses", status, "content", "application/json", "schema")
    # The whole document is the schema's home, so its "#/components/…" references resolve.
    return Draft202012Validator({**spec, "$ref": ref}, format_checker=formats)


def assert_matches_contract(response, path: str, method: str = "get") -> None:
    """`path` is the contract's template, e.g. "/api/v1/statuses/{id}"."""
    body = response.json()
    validator = _validator(path, method.lower(), str(response.status_code))
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    if errors:
        details = "\n".join(
            f"  at {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message[:300]}"
            for e in errors[:10]
        )
        where = f"{method.upper()} {path} {response.status_code}"
        raise AssertionError(f"{where} breaks the contract:\n{details}")


def assert_matches_schema(body, schema_name: str) -> None:
    """Check a value against one of the contract's component schemas (for the few places the
    contract's operation says something Mastodon does not do)."""
    validator = Draft202012Validator(
        {**contract(), "$ref": _pointer("components", "schemas", schema_name)}, format_checker=formats,
    )
    errors = list(validator.iter_errors(body))
    assert not errors, f"{schema_name}: {errors[0].message[:300]}"
