"""Shared fixtures: personas built through the services, a fixed key pair so no test waits
for RSA generation, tasks run in-process and raise, a clean Redis feed store per test."""

import pytest
from django.conf import settings

from tests.factories import FIXED_PRIVATE_KEY, FIXED_PUBLIC_KEY, make_local_account


@pytest.fixture(autouse=True)
def _tasks_raise():
    import dramatiq

    broker = dramatiq.get_broker()
    broker.raise_errors = True
    yield
    broker.raise_errors = False


@pytest.fixture(autouse=True)
def _fast_keys(monkeypatch):
    monkeypatch.setattr(
        "accounts.services.generate_key_pair", lambda: (FIXED_PRIVATE_KEY, FIXED_PUBLIC_KEY)
    )


@pytest.fixture(autouse=True)
def _clean_redis():
    """Each test starts with empty feeds (REDIS_URL points at a database for tests only)."""
    from statuses.feeds import redis_client

    client = redis_client()
    if client is not None:
        client.flushdb()
    yield
    if client is not None:
        client.flushdb()


@pytest.fixture(autouse=True)
def _fresh_federation_memos():
    """Each test starts as a fresh process: nothing memoized by an earlier test (whose rows
    were rolled back), no host resting after an earlier test's failures."""
    from federation import memo, sending

    memo.forget_all()
    sending.breaker.reset()
    yield


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Every persona has a password; the real hasher is slow on purpose, tests need not be."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _static_without_manifest(settings):
    """Pages render in tests without `collectstatic`: the manifest storage would need it."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def alice(db):
    return make_local_account("alice")


@pytest.fixture
def bob(db):
    return make_local_account("bob")


@pytest.fixture
def carol(db):
    return make_local_account("carol")


@pytest.fixture
def dave(db):
    return make_local_account("dave")


@pytest.fixture
def client_for(client):
    """A logged-in test client for an account: `client_for(alice)`."""
    from django.test import Client

    def make(account):
        logged_in = Client()
        logged_in.force_login(account.user)
        return logged_in

    return make


def pytest_report_header(config):
    return f"database: {settings.DATABASES['default']['ENGINE']}, redis: {bool(settings.REDIS_URL)}"
