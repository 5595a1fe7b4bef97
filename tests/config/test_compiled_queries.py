"""config.compiled_queries: a query compiled once per shape answers every caller as the
ORM would, and a query that depends on more than its values is never reused."""

import pytest
from django.utils import timezone

from accounts.models import Account
from accounts.services import block_create, follow_request
from config import compiled_queries
from statuses.models import Status, Visibility
from statuses.permissions import visible_statuses
from statuses.services import reblog_create, status_create

pytestmark = pytest.mark.django_db

builds = []


def _visible_among(*, viewer_id, ids):
    builds.append(viewer_id)
    return visible_statuses(Account(pk=viewer_id)).filter(id__in=ids).order_by("-id").values_list("id")


def _posted_before_now(*, account_id):
    builds.append(account_id)
    return Status.objects.filter(account_id=account_id, created_at__lte=timezone.now()).values_list("id")


def test_compiled_once_then_each_viewer_gets_what_the_rule_gives(alice, bob, carol, dave):
    follow_request(follower=bob, target=alice)
    block_create(account=alice, target=dave)
    posts = [
        status_create(author=alice, text="For everyone"),
        status_create(author=alice, text="For followers", visibility=Visibility.PRIVATE),
        status_create(author=alice, text="@carol just for you", visibility=Visibility.DIRECT),
    ]
    ids = [post.pk for post in posts]
    builds.clear()

    for viewer in (alice, bob, carol, dave, alice, bob):
        rows = compiled_queries.rows(_visible_among, viewer_id=viewer.pk, ids=ids)
        expected = list(visible_statuses(viewer).filter(id__in=ids).order_by("-id").values_list("id"))
        assert rows == expected
    # The two stand-in builds, then only the stored SQL.
    assert len(builds) == 2
    assert [row for (row,) in compiled_queries.rows(_visible_among, viewer_id=bob.pk, ids=ids)] == [
        posts[1].pk, posts[0].pk,
    ]
    assert compiled_queries.rows(_visible_among, viewer_id=dave.pk, ids=ids) == []
    assert compiled_queries.count(_visible_among, viewer_id=carol.pk, ids=ids) == 2


def test_a_query_holding_the_time_of_its_build_is_built_on_each_call(alice, bob):
    post = status_create(author=alice, text="Now")
    builds.clear()
    assert compiled_queries.rows(_posted_before_now, account_id=alice.pk) == [(post.pk,)]
    assert compiled_queries.rows(_posted_before_now, account_id=bob.pk) == []
    later = status_create(author=bob, text="Later")
    assert compiled_queries.rows(_posted_before_now, account_id=bob.pk) == [(later.pk,)]
    # Two stand-in builds told it apart, then a fresh build for each of the three calls.
    assert len(builds) == 2 + 3


def _authored(*, ids):
    builds.append(len(ids))
    return Status.objects.filter(id__in=ids).select_related("account", "reblog__account").defer(
        "account__private_key")


def test_instances_are_the_orms_with_their_related_rows_and_lists_share_a_shape(alice, bob):
    posts = [status_create(author=alice, text=f"Post {n}") for n in range(7)]
    boost = reblog_create(account=bob, status=posts[0])
    ids = [post.pk for post in posts] + [boost.pk]
    builds.clear()

    # 5, 6, 7 and 8 ids are one shape (rounded up to 8 by repeating the last id).
    for size in (5, 6, 7, 8):
        made = compiled_queries.instances(_authored, ids=ids[:size])
        expected = list(_authored(ids=ids[:size]))
        assert sorted(s.pk for s in made) == sorted(s.pk for s in expected)
    assert builds == [8, 8, 5, 6, 7, 8]  # two stand-in builds of 8 ids, then each `expected`

    by_pk = {s.pk: s for s in compiled_queries.instances(_authored, ids=ids)}
    assert by_pk[posts[3].pk].text == "Post 3"
    assert by_pk[posts[3].pk].account.username == "alice"
    assert by_pk[boost.pk].reblog.account.username == "alice"
    assert by_pk[boost.pk].created_at == Status.objects.get(pk=boost.pk).created_at
    assert "private_key" in by_pk[boost.pk].account.get_deferred_fields()
