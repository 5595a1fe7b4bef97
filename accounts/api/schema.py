"""An OpenAPI 3.1 description of Pouet's own client API, generated from its routes: each
operation with its path parameters, the scopes it needs, and, where Mastodon documents the
same operation, Mastodon's response schema (Pouet's responses are tested against it)."""

import json
import re
from functools import cache
from pathlib import Path

from django.conf import settings
from django.http import JsonResponse

from .scopes import ALL_SCOPES
from .serializers import base_url

CONTRACT_FILE = Path("shared") / "contracts" / "mastodon-api.openapi.json"
ROUTE_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")


@cache
def _contract() -> dict:
    # The brief's shared/ folder sits beside the checkout (or beside the folder of worktrees).
    for folder in Path(settings.BASE_DIR).resolve().parents:
        try:
            return json.loads((folder / CONTRACT_FILE).read_text())
        except FileNotFoundError:
            continue
        except (OSError, ValueError):
            break
    return {"paths": {}, "components": {"schemas": {}}}


def _template(route: str) -> str:
    return "/" + ROUTE_PARAMETER.sub(r"{\1}", route).rstrip("/")


def _match_contract(path: str) -> str | None:
    """The contract's path for ours, whatever the parameter names (`{account_id}` ~ `{id}`)."""
    shape = re.sub(r"\{[^}]+\}", "{}", path)
    for candidate in _contract()["paths"]:
        if re.sub(r"\{[^}]+\}", "{}", candidate) == shape:
            return candidate
    return None


def _without_examples(response: dict) -> dict:
    response = dict(response)
    if "content" in response:
        response["content"] = {
            kind: {k: v for k, v in body.items() if k != "examples"}
            for kind, body in response["content"].items()
        }
    return response


def _operation(path: str, method: str, permission) -> dict:
    scope = getattr(permission, "read_scope" if method == "get" else "write_scope", None)
    public = getattr(permission, "public", True) and method == "get"
    operation: dict = {"operationId": f"{method}{path.replace('/', '_').replace('{', '').replace('}', '')}"}
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in re.findall(r"\{(\w+)\}", path)
    ]
    if parameters:
        operation["parameters"] = parameters
    if permission is not None:
        operation["security"] = [{"OAuth2": [scope] if scope else []}]
        if public:
            operation["security"].append({})
    documented = _match_contract(path)
    contract_operation = _contract()["paths"].get(documented, {}).get(method) if documented else None
    if contract_operation:
        operation["summary"] = contract_operation.get("summary", "")
        operation["responses"] = {
            code: _without_examples(response)
            for code, response in contract_operation["responses"].items()
            if code in ("200", "202", "401", "403", "404", "422", "429")
        }
        operation["x-mastodon-operation"] = contract_operation.get("operationId")
    else:
        operation["responses"] = {"200": {"description": "OK"}}
    return operation


def openapi_document() -> dict:
    from config.api_urls import routes

    paths: dict = {}
    for route in routes:
        pattern = str(route.pattern)
        view_class = getattr(route.callback, "cls", None)
        if not pattern.startswith("api/") or view_class is None:
            continue
        path = _template(pattern)
        permission = next(iter(getattr(view_class, "permission_classes", [])), None)
        methods = [m for m in view_class.http_method_names if m not in ("options", "head")]
        paths[path] = {method: _operation(path, method, permission) for method in methods}
    base = base_url()
    return {
        "openapi": "3.1.0",
        "info": {"title": f"{settings.SITE_NAME} client API (Mastodon-compatible)", "version": "1"},
        "servers": [{"url": base}],
        "paths": paths,
        "components": {
            "schemas": _contract().get("components", {}).get("schemas", {}),
            "headers": _contract().get("components", {}).get("headers", {}),
            "securitySchemes": {"OAuth2": {"type": "oauth2", "flows": {
                "authorizationCode": {
                    "authorizationUrl": f"{base}/oauth/authorize", "tokenUrl": f"{base}/oauth/token",
                    "scopes": {name: str(text) for name, text in ALL_SCOPES.items()},
                },
                "clientCredentials": {
                    "tokenUrl": f"{base}/oauth/token",
                    "scopes": {name: str(text) for name, text in ALL_SCOPES.items()},
                },
            }}},
        },
    }


def openapi_view(request):
    return JsonResponse(openapi_document())
