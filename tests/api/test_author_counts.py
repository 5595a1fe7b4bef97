"""Status authors' counts on API pages, memoized per process: a change made here shows at once,
one made elsewhere within AUTHOR_COUNTS_TTL, and the viewer's own counts are always fresh."""

import time

import pytest

from accounts.api import serializers
from accounts.models import Follow
from accounts.services import follow_request
from statuses.models import Status
from statuses.services import status_create

pytestmark = pytest.mark.django_db


def _bobs_counts(page: list[dict]) -> tuple[int, int]:
    bob = next(s["account"] for s in page if s["account"]["username"] == "bob")
    return bob["statuses_count"], bob["followers_count"]


def test_a_change_made_here_shows_at_once(alice, bob, carol, api_for):
    status_create(author=bob, text="first")
    api = api_for(alice)
    assert _bobs_counts(api.get(f"/api/v1/accounts/{bob.pk}/statuses").json()) == (1, 0)

    status_create(author=bob, text="second")
    follow_request(follower=carol, target=bob)

    assert _bobs_counts(api.get(f"/api/v1/accounts/{bob.pk}/statuses").json()) == (2, 1)


def test_another_process_change_shows_within_the_ttl(alice, bob, carol, api_for, monkeypatch):
    status_create(author=bob, text="first")
    api = api_for(alice)
    assert _bobs_counts(api.get(f"/api/v1/accounts/{bob.pk}/statuses").json()) == (1, 0)

    # Another process's follow: the row arrives without a signal here.
    Follow.objects.bulk_create([Follow(account=carol, target_account=bob)])
    assert _bobs_counts(api.get(f"/api/v1/accounts/{bob.pk}/statuses").json()) == (1, 0)

    later = time.monotonic() + serializers.AUTHOR_COUNTS_TTL + 1
    monkeypatch.setattr(serializers._author_counts, "clock", lambda: later)
    assert _bobs_counts(api.get(f"/api/v1/accounts/{bob.pk}/statuses").json()) == (1, 1)


def test_the_viewers_own_counts_are_always_fresh(bob, carol, api_for):
    status_create(author=bob, text="first")
    api = api_for(bob)
    assert _bobs_counts(api.get(f"/api/v1/accounts/{bob.pk}/statuses").json()) == (1, 0)

    Status.objects.bulk_create([Status(account=bob, text="from another process", content="<p>x</p>")])
    Follow.objects.bulk_create([Follow(account=carol, target_account=bob)])

    assert _bobs_counts(api.get(f"/api/v1/accounts/{bob.pk}/statuses").json()) == (2, 1)
