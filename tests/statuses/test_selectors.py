"""statuses_by_id: a page's statuses with everything the pages and the API read, loaded in a
fixed number of statements, and nothing read afterwards goes back to the database."""

import pytest

from statuses.selectors import statuses_by_id
from statuses.services import media_create, reblog_create, status_create
from tests.factories import image_file

pytestmark = pytest.mark.django_db


def test_a_page_with_attachments_mentions_tags_and_a_boost(alice, bob, carol, django_assert_num_queries):
    first, second = (media_create(account=alice, file=image_file(), description=d) for d in ("one", "two"))
    pictured = status_create(author=alice, text="Hi @bob #tea #cake", media_ids=[second.pk, first.pk])
    plain = status_create(author=carol, text="Nothing attached")
    boost = reblog_create(account=bob, status=pictured)

    with django_assert_num_queries(4):
        loaded = statuses_by_id([plain.pk, boost.pk, pictured.pk])
    with django_assert_num_queries(0):
        shown = loaded[pictured.pk]
        assert [m.description for m in shown.media.all()] == ["two", "one"]
        assert [m.account.username for m in shown.mentions.all()] == ["bob"]
        assert sorted(t.name for t in shown.tags.all()) == ["cake", "tea"]
        assert shown.account.username == "alice"
        boosted = loaded[boost.pk].reblog
        assert boosted.account.username == "alice"
        assert [m.description for m in boosted.media.all()] == ["two", "one"]
        assert sorted(t.name for t in boosted.tags.all()) == ["cake", "tea"]
        assert list(loaded[plain.pk].media.all()) == []
        assert not loaded[plain.pk].mentions.exists()

    # A further query on a loaded relation never answers with another status's rows.
    assert list(loaded[plain.pk].media.filter(description="one")) == []
    assert statuses_by_id([]) == {}
