"""Review fixtures: API clients with real OAuth tokens (as tests/api/conftest.py), and a
fake network so that deliveries run in-process never leave the machine."""

from datetime import timedelta

import pytest
from django.utils import timezone
from oauth2_provider.models import AccessToken
from oauthlib.common import generate_token
from requests.structures import CaseInsensitiveDict
from rest_framework.test import APIClient

from accounts.api.apps import app_create


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def api_for(db):
    application, _secret = app_create(
        name="Review client", redirect_uris=["urn:ietf:wg:oauth:2.0:oob"],
        scopes=["read", "write", "follow", "push"],
    )

    def make(account=None) -> APIClient:
        token = AccessToken.objects.create(
            user=account.user if account is not None else None, application=application,
            token=generate_token(), scope="read write follow push",
            expires=timezone.now() + timedelta(days=1),
        )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.token}")
        return client

    return make


@pytest.fixture
def anon():
    return APIClient()


class _Network:
    """Records every request federation.http makes; POSTs answer 202, the rest 404."""

    def __init__(self):
        self.sent = []

    def __call__(self, method, url, headers, body, *, max_bytes, deadline):
        from federation import http

        self.sent.append({"method": method, "url": url, "body": body})
        return http.Response(202 if method == "POST" else 404, CaseInsensitiveDict(), b"", url)

    def posts_to(self, url):
        import json

        return [json.loads(s["body"]) for s in self.sent if s["method"] == "POST" and s["url"] == url]


@pytest.fixture
def network(monkeypatch):
    from federation import http

    fake = _Network()
    monkeypatch.setattr(http, "transport", fake)
    return fake
