"""API fixtures: a registered app, real OAuth tokens (django-oauth-toolkit rows, as the
token endpoint makes them), and DRF clients carrying them."""

from datetime import timedelta

import pytest
from django.utils import timezone
from oauth2_provider.models import AccessToken
from oauthlib.common import generate_token
from rest_framework.test import APIClient

from accounts.api.apps import app_create

ALL = "read write follow push"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit windows live in the cache; each test starts with none spent."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def oauth_app(db):
    application, secret = app_create(
        name="Test client", redirect_uris=["https://client.example/callback",
                                           "urn:ietf:wg:oauth:2.0:oob"],
        scopes=["read", "write", "follow", "push"], website="https://client.example",
    )
    application.plain_secret = secret
    return application


@pytest.fixture
def token_for(oauth_app):
    def make(account=None, scopes: str = ALL) -> AccessToken:
        return AccessToken.objects.create(
            user=account.user if account is not None else None, application=oauth_app,
            token=generate_token(), scope=scopes, expires=timezone.now() + timedelta(days=1),
        )

    return make


@pytest.fixture
def api_for(token_for):
    """`api_for(alice)` → an APIClient with a token of alice; `api_for(None)` an app token."""

    def make(account=None, scopes: str = ALL) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(account, scopes).token}")
        return client

    return make


@pytest.fixture
def anon():
    return APIClient()
