"""The pool of key pairs made ahead of sign-ups (issue 6): new accounts take a ready pair,
each pair goes to one account only, the pool is refilled by the sweep in bounded steps."""

import itertools

import pytest

from accounts.models import KeyPair
from accounts.services import account_create_local, key_pool_refill
from moderation.services import moderation_sweep
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def numbered_keys(monkeypatch):
    """Key pairs told apart by a number (RSA generation would make the tests slow)."""
    made = itertools.count(1)

    def generate():
        n = next(made)
        return f"private {n}", f"public {n}"

    monkeypatch.setattr("accounts.services.generate_key_pair", generate)
    return made


def sign_up(username, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        account = account_create_local(
            username=username, email=f"{username}@example.com", password=PASSWORD, confirmed=True,
        )
    account.refresh_from_db()
    return account


def test_new_accounts_take_ready_pairs_one_each(settings, numbered_keys, django_capture_on_commit_callbacks):
    settings.KEY_POOL_SIZE = 2
    assert key_pool_refill() == 2
    assert key_pool_refill() == 0  # full: nothing more to make

    zoe = sign_up("zoe", django_capture_on_commit_callbacks)
    yan = sign_up("yan", django_capture_on_commit_callbacks)
    assert {zoe.public_key, yan.public_key} == {"public 1", "public 2"}
    assert zoe.private_key == zoe.public_key.replace("public", "private")
    assert KeyPair.objects.count() == 0
    # The pool is empty: the next account's pair is made for it, as without a pool.
    xia = sign_up("xia", django_capture_on_commit_callbacks)
    assert xia.public_key == "public 3"


def test_a_refill_makes_a_bounded_number_at_a_time(settings, numbered_keys):
    settings.KEY_POOL_SIZE = 5
    assert key_pool_refill(limit=3) == 3
    assert key_pool_refill(limit=3) == 2
    assert KeyPair.objects.count() == 5


def test_the_sweep_refills_the_pool_only_when_one_is_wanted(settings, numbered_keys):
    settings.KEY_POOL_SIZE = 0
    moderation_sweep()
    assert KeyPair.objects.count() == 0
    settings.KEY_POOL_SIZE = 4
    moderation_sweep()  # tasks run in-process here: the refill it queues has run
    assert KeyPair.objects.count() == 4
