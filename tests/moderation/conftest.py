"""Staff personas: olga the owner, adam an admin, mia and max moderators."""

import pytest

from tests.factories import make_local_account


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
