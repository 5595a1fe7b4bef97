"""Federation fixtures: a fake network in place of federation.http.transport (the process
boundary), fixture documents from ../shared/fixtures, signed inbox requests."""

import json
from pathlib import Path

import pytest
from requests.structures import CaseInsensitiveDict

from federation import http

# The project brief's ../shared, found upwards (the repository may be a worktree deeper down).
_HERE = Path(__file__).resolve()
SHARED = next((p / "shared" for p in _HERE.parents if (p / "shared" / "fixtures").is_dir()),
              _HERE.parents[3] / "shared")
FIXTURES = SHARED / "fixtures"


def fixture(name: str):
    return json.loads((FIXTURES / name).read_text())


class FakeNetwork:
    """Maps URLs to answers and records what was sent. An answer is a dict (JSON, 200),
    an int (that status, empty body), or a http.Response."""

    def __init__(self):
        self.routes = {}
        self.sent = []

    def add(self, url, answer):
        self.routes[url] = answer

    def __call__(self, method, url, headers, body, *, max_bytes, deadline):
        self.sent.append({"method": method, "url": url, "headers": CaseInsensitiveDict(headers),
                          "body": body})
        answer = self.routes.get(url)
        if method == "POST" and answer is None:
            answer = 202
        if answer is None:
            return http.Response(404, CaseInsensitiveDict(), b"", url)
        if isinstance(answer, http.Response):
            return answer
        if isinstance(answer, int):
            return http.Response(answer, CaseInsensitiveDict(), b"", url)
        if callable(answer):
            return answer(method, url, headers, body)
        payload = json.dumps(answer).encode()
        if len(payload) > max_bytes:
            raise http.RemoteFetchError("too big", transient=False)
        return http.Response(
            200, CaseInsensitiveDict({"Content-Type": "application/activity+json"}), payload, url,
        )

    def posts(self, url=None):
        return [
            {**s, "json": json.loads(s["body"])}
            for s in self.sent
            if s["method"] == "POST" and (url is None or s["url"] == url)
        ]


@pytest.fixture
def network(monkeypatch):
    fake = FakeNetwork()
    monkeypatch.setattr(http, "transport", fake)
    return fake


@pytest.fixture(autouse=True)
def _local_domain(settings):
    settings.LOCAL_DOMAIN = "pouet.test"
    settings.ALLOWED_HOSTS = ["pouet.test", "testserver"]
    settings.ALLOW_PRIVATE_ADDRESSES = False


def _signed_headers(method, path, body, key_id, private_key):
    from federation.signatures import sign_request
    from tests.factories import FIXED_PRIVATE_KEY

    headers = sign_request(
        method=method, url=f"https://pouet.test{path}", headers={}, body=body, key_id=key_id,
        private_key_pem=private_key or FIXED_PRIVATE_KEY,
    )
    return {k: v for k, v in headers.items() if k != "Content-Type"}


def signed_post(client, path, activity, *, key_id, private_key=None, body=None):
    body = body if body is not None else json.dumps(activity).encode()
    headers = _signed_headers("POST", path, body, key_id, private_key)
    return client.generic("POST", path, body, content_type="application/activity+json",
                          headers=headers, secure=True)


def signed_get(client, path, *, key_id, private_key=None):
    headers = _signed_headers("GET", path, None, key_id, private_key)
    return client.get(path, headers={**headers, "Accept": "application/activity+json"}, secure=True)


def ap_get(client, path):
    return client.get(path, headers={"Accept": "application/activity+json", "Host": "pouet.test"},
                      secure=True)


@pytest.fixture
def remote_carol(db):
    from tests.factories import make_remote_account

    return make_remote_account("carol", "remote.example",
                               followers_url="https://remote.example/users/carol/followers")


def key_of(account):
    return f"{account.uri}#main-key"
