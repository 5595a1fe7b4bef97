"""Drive a live Pouet with a real client library: every JSON answer it receives is
recorded and checked against the contract of the operation it matched."""

import re
from functools import cache
from urllib.parse import urlparse

import requests

from tests.api.contract import assert_matches_contract, contract


@cache
def _templates() -> list[tuple[re.Pattern, str]]:
    compiled = []
    for template in contract()["paths"]:
        pattern = re.sub(r"\{[^}]+\}", "[^/]+", template)
        compiled.append((re.compile(f"^{pattern}$"), template))
    # Literal paths before templated ones (/accounts/lookup before /accounts/{id}).
    compiled.sort(key=lambda item: (item[1].count("{"), -len(item[1])))
    return compiled


def operation_path(path: str) -> str | None:
    for pattern, template in _templates():
        if pattern.match(path):
            return template
    return None


class RecordingSession(requests.Session):
    """A requests session that keeps every response, for contract checks at the end."""

    def __init__(self):
        super().__init__()
        self.seen: list[requests.Response] = []
        self.hooks["response"].append(lambda response, *a, **k: self.seen.append(response))

    def check_contract(self) -> set[str]:
        checked = set()
        for response in self.seen:
            if "json" not in response.headers.get("Content-Type", ""):
                continue
            path = urlparse(response.url).path.rstrip("/") or "/"
            template = operation_path(path)
            assert template is not None, f"{path} is not in the contract"
            method = response.request.method.lower()
            assert_matches_contract(response, template, method)
            checked.add(f"{method.upper()} {template}")
        return checked
