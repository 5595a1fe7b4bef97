"""Staff personas: olga the owner, adam an admin, mia and max moderators."""

import pytest
from django.core.cache import cache

from moderation.blocks import NO_ACCESS_CACHE_KEY
from tests.factories import make_local_account


@pytest.fixture(autouse=True)
def _no_cached_ip_blocks():
    """The middleware caches "no access" ranges; a test's rolled-back blocks must not
    outlive it."""
    yield
    cache.delete(NO_ACCESS_CACHE_KEY)


@pytest.fixture
def owner(db):
    return make_local_account("olga", role="owner")


@pytest.fixture
def admin_account(db):
    return make_local_account("adam", role="admin")


@pytest.fixture
def moderator(db):
    return make_local_account("mia", role="moderator")


@pytest.fixture
def other_moderator(db):
    return make_local_account("max", role="moderator")
