"""The statuses services: posting (mentions, tags, replies), edits and their history,
deletion and what goes with it, boosts, favourites, bookmarks, pins."""

from pathlib import Path

import pytest
from django.conf import settings

from accounts.models import Notification, NotificationType
from accounts.services import block_create, follow_request, mute_create
from config.errors import ApplicationError, ForbiddenError, NotFoundError
from statuses.models import (
    Bookmark,
    Favourite,
    MediaAttachment,
    Mention,
    Poll,
    PollVote,
    Status,
    StatusEdit,
    StatusPin,
    Tag,
    Visibility,
)
from statuses.polls import poll_create
from statuses.selectors import account_pinned_statuses, viewer_state
from statuses.services import (
    PINS_MAX,
    bookmark_create,
    favourite_create,
    favourite_remove,
    media_create,
    pin_create,
    pin_remove,
    reblog_create,
    reblog_remove,
    status_create,
    status_delete,
    status_edit,
)
from tests.factories import image_file, make_remote_account

pytestmark = pytest.mark.django_db


def notifications_of(account, type=None):
    queryset = Notification.objects.filter(account=account)
    if type:
        queryset = queryset.filter(type=type)
    return list(queryset.order_by("id"))


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- posting ------------------------------------------------------------------------------


def test_mentions_are_stored_and_notified_once_per_account(alice, bob, carol):
    status = status_create(author=alice, text="@bob @BOB @carol and @nobody")
    assert {m.account for m in status.mentions.all()} == {bob, carol}
    for account in (bob, carol):
        assert [(n.type, n.status, n.from_account) for n in notifications_of(account)] == [
            (NotificationType.MENTION, status, alice),
        ]


def test_mentioning_oneself_does_not_notify(alice):
    status_create(author=alice, text="Note to @alice")
    assert notifications_of(alice) == []


@pytest.mark.parametrize("who_blocks", ["author", "mentioned"])
def test_mention_across_a_block_is_dropped(alice, bob, who_blocks):
    if who_blocks == "author":
        block_create(account=alice, target=bob)
    else:
        block_create(account=bob, target=alice)
    status = status_create(author=alice, text="Hey @bob", visibility=Visibility.DIRECT)
    assert not status.mentions.exists()
    assert notifications_of(bob) == []


def test_mention_by_a_muted_account_is_stored_but_not_notified(alice, bob):
    mute_create(account=bob, target=alice)
    status = status_create(author=alice, text="Hey @bob")
    assert status.mentions.filter(account=bob).exists()
    assert notifications_of(bob) == []


def test_mute_that_keeps_notifications_still_notifies(alice, bob):
    mute_create(account=bob, target=alice, hide_notifications=False)
    status_create(author=alice, text="Hey @bob")
    assert [n.type for n in notifications_of(bob)] == [NotificationType.MENTION]


def test_remote_mention_is_stored_without_a_notification(alice):
    carol = make_remote_account("carol", "example.social")
    status = status_create(author=alice, text="Hello @carol@example.social")
    assert status.mentions.filter(account=carol).exists()
    assert not Notification.objects.exists()  # remote people are told by their server


def test_hashtags_are_one_tag_whatever_the_case(alice, bob):
    first = status_create(author=alice, text="#Cats are great")
    second = status_create(author=bob, text="so are #CATS and #cats")
    assert Tag.objects.count() == 1
    tag = Tag.objects.get()
    assert tag.name == "Cats"  # the first spelling stays
    assert set(tag.statuses.all()) == {first, second}


def test_reply_records_the_thread(alice, bob):
    parent = status_create(author=alice, text="Question?")
    reply = status_create(author=bob, text="@alice Answer", in_reply_to=parent)
    assert reply.in_reply_to == parent and reply.in_reply_to_account == alice


def test_reply_to_a_boost_replies_to_the_boosted_post(alice, bob, carol):
    post = status_create(author=alice, text="Original")
    boost = reblog_create(account=bob, status=post)
    reply = status_create(author=carol, text="Reply", in_reply_to=boost)
    assert reply.in_reply_to == post and reply.in_reply_to_account == alice


def test_content_warning_makes_a_post_sensitive(alice):
    status = status_create(author=alice, text="Spoilers", spoiler_text="  Film ending  ")
    assert status.spoiler_text == "Film ending" and status.sensitive


def test_posting_records_the_last_status_time(alice):
    assert alice.last_status_at is None
    status_create(author=alice, text="Hello")
    alice.refresh_from_db()
    assert alice.last_status_at is not None


def test_media_are_attached_in_the_given_order(alice):
    first, second = (media_create(account=alice, file=image_file()) for _ in range(2))
    status = status_create(author=alice, text="Two", media_ids=[second.pk, first.pk])
    assert list(status.media.all()) == [second, first]


def test_media_are_re_encoded_with_dimensions_and_blurhash(alice):
    media = media_create(account=alice, file=image_file(size=(3000, 1500)), description=" alt ")
    assert (media.width, media.height) == (1920, 960)
    assert media.blurhash and media.description == "alt"
    assert media.file.name.endswith(".jpg") and media.mime_type == "image/jpeg"


# --- edits --------------------------------------------------------------------------------


def test_edit_keeps_every_version(alice):
    status = status_create(author=alice, text="First #old", spoiler_text="cw")
    status_edit(status=status, by=alice, text="Second #new")
    status_edit(status=status, by=alice, text="Third #new", spoiler_text="new cw")
    status.refresh_from_db()
    assert status.text == "Third #new" and status.spoiler_text == "new cw" and status.edited_at
    history = list(status.edits.values_list("text", "spoiler_text"))
    assert history == [("First #old", "cw"), ("Second #new", ""), ("Third #new", "new cw")]
    assert list(status.tags.values_list("name", flat=True)) == ["new"]
    assert "Third" in status.content and "First" not in status.content


def test_edit_updates_mentions_and_notifies_only_the_newly_mentioned(alice, bob, carol):
    status = status_create(author=alice, text="Hi @bob")
    status_edit(status=status, by=alice, text="Hi @bob and @carol")
    status_edit(status=status, by=alice, text="Hi @bob and @carol!")
    assert len(notifications_of(bob, NotificationType.MENTION)) == 1
    assert len(notifications_of(carol, NotificationType.MENTION)) == 1
    status_edit(status=status, by=alice, text="Hi @carol")
    assert list(status.mentions.values_list("account", flat=True)) == [carol.pk]


def test_edit_that_removes_a_mention_hides_a_direct_post_and_its_notification(alice, bob):
    from statuses.permissions import is_visible_to
    from statuses.selectors import notifications_list

    status = status_create(author=alice, text="Psst @bob", visibility=Visibility.DIRECT)
    assert is_visible_to(status, bob) and notifications_list(viewer=bob)
    status_edit(status=status, by=alice, text="Psst, nobody")
    assert not is_visible_to(status, bob)
    assert notifications_list(viewer=bob) == []


def test_edit_tells_people_who_boosted_once_per_edit(alice, bob, carol):
    status = status_create(author=alice, text="Boost me")
    reblog_create(account=bob, status=status)
    status_edit(status=status, by=alice, text="Boost me, edited")
    first = notifications_of(bob, NotificationType.UPDATE)
    status_edit(status=status, by=alice, text="Boost me, edited again")
    second = notifications_of(bob, NotificationType.UPDATE)
    assert len(first) == len(second) == 1
    assert second[0].pk > first[0].pk  # a fresh notification, so it is unread again
    assert notifications_of(carol) == []


def test_edit_of_image_descriptions_is_in_the_history(alice):
    media = media_create(account=alice, file=image_file(), description="before")
    status = status_create(author=alice, text="Picture", media_ids=[media.pk])
    status_edit(status=status, by=alice, text="Picture", media_descriptions={media.pk: "after"})
    media.refresh_from_db()
    assert media.description == "after"
    assert list(status.edits.values_list("media_descriptions", flat=True)) == [["before"], ["after"]]


def test_edit_adds_removes_and_reorders_attachments(alice):
    first, second, third = (media_create(account=alice, file=image_file()) for _ in range(3))
    status = status_create(author=alice, text="Pictures", media_ids=[first.pk, second.pk])
    status_edit(status=status, by=alice, text="Pictures", media_ids=[third.pk, first.pk])
    assert list(status.media.values_list("pk", flat=True)) == [third.pk, first.pk]
    second.refresh_from_db()
    assert second.status_id is None  # free again, as an upload not yet posted
    history = list(status.edits.values_list("media_ids", flat=True))
    assert history == [[first.pk, second.pk], [third.pk, first.pk]]
    # Without media_ids the attachments stay; an empty list removes them all.
    status_edit(status=status, by=alice, text="Pictures, again")
    assert list(status.media.values_list("pk", flat=True)) == [third.pk, first.pk]
    status_edit(status=status, by=alice, text="No pictures", media_ids=[])
    assert not status.media.exists()


def test_edit_refuses_media_of_someone_else_or_of_another_post_and_changes_nothing(alice, bob):
    mine = media_create(account=alice, file=image_file())
    status = status_create(author=alice, text="Picture", media_ids=[mine.pk])
    bobs = media_create(account=bob, file=image_file())
    posted = media_create(account=alice, file=image_file())
    status_create(author=alice, text="Other", media_ids=[posted.pk])
    for media_ids in ([bobs.pk], [mine.pk, posted.pk], [999_999]):
        with pytest.raises(ApplicationError):
            status_edit(status=status, by=alice, text="Changed", media_ids=media_ids)
    status.refresh_from_db()
    assert status.text == "Picture" and not status.edited_at and not status.edits.exists()
    assert list(status.media.values_list("pk", flat=True)) == [mine.pk]
    bobs.refresh_from_db()
    assert bobs.status_id is None


def test_edit_refuses_five_attachments_and_an_empty_post(alice):
    status = status_create(author=alice, text="Text")
    media = [media_create(account=alice, file=image_file()) for _ in range(5)]
    with pytest.raises(ApplicationError):
        status_edit(status=status, by=alice, text="Many", media_ids=[m.pk for m in media])
    pictured = status_create(author=alice, text="", media_ids=[media[0].pk])
    with pytest.raises(ApplicationError):
        status_edit(status=pictured, by=alice, text="", media_ids=[])
    assert not MediaAttachment.objects.filter(status=status).exists()
    assert list(pictured.media.all()) == [media[0]] and not StatusEdit.objects.exists()


def test_edit_replaces_the_poll_and_resets_votes_only_when_options_change(alice, bob):
    status = status_create(author=alice, text="Tea or coffee?")
    poll = poll_create(status=status, options=["tea", "coffee"], expires_in=3600)
    PollVote.objects.create(poll=poll, account=bob, choice=0)

    status_edit(status=status, by=alice, text="Tea or coffee??",
                poll={"options": ["tea", "coffee"], "expires_in": 7200})
    assert PollVote.objects.filter(poll=poll).count() == 1  # same options: votes stand
    status_edit(status=status, by=alice, text="Tea, coffee or water?",
                poll={"options": [" tea", "coffee", "water "], "expires_in": 7200, "multiple": True})
    poll = Poll.objects.get(status=status)
    assert poll.options == ["tea", "coffee", "water"] and poll.multiple
    assert not PollVote.objects.filter(poll=poll).exists()
    assert list(status.edits.values_list("poll_options", flat=True)) == [
        ["tea", "coffee"], ["tea", "coffee"], ["tea", "coffee", "water"],
    ]
    status_edit(status=status, by=alice, text="No poll after all", poll=None)
    assert not Poll.objects.filter(status=status).exists()


def test_edit_refuses_a_bad_poll_or_a_poll_with_attachments(alice):
    status = status_create(author=alice, text="Tea or coffee?")
    poll_create(status=status, options=["tea", "coffee"], expires_in=3600)
    media = media_create(account=alice, file=image_file())
    with pytest.raises(ApplicationError):
        status_edit(status=status, by=alice, text="Q", poll={"options": ["only"], "expires_in": 3600})
    with pytest.raises(ApplicationError):
        status_edit(status=status, by=alice, text="Q", media_ids=[media.pk])
    with pytest.raises(ApplicationError):
        status_edit(status=status, by=alice, text="Q", media_ids=[media.pk],
                    poll={"options": ["a", "b"], "expires_in": 3600})
    assert Poll.objects.get(status=status).options == ["tea", "coffee"]
    assert not status.media.exists() and not status.edits.exists()


def test_an_edit_adding_images_stays_sensitive_when_moderators_said_so(alice):
    from moderation.models import AccountModerationState

    status = status_create(author=alice, text="Text first")
    AccountModerationState.objects.create(account=alice, force_sensitive=True)
    media = media_create(account=alice, file=image_file())
    status_edit(status=status, by=alice, text="Now a picture", media_ids=[media.pk], sensitive=False)
    status.refresh_from_db()
    assert status.sensitive


def test_only_the_author_may_edit_and_a_boost_cannot_be_edited(alice, bob):
    status = status_create(author=alice, text="Mine")
    boost = reblog_create(account=bob, status=status)
    with pytest.raises(NotFoundError):
        status_edit(status=status, by=bob, text="Hijacked")
    with pytest.raises(NotFoundError):
        status_edit(status=boost, by=bob, text="Edited boost")
    assert not StatusEdit.objects.exists()


# --- deletion -----------------------------------------------------------------------------


def test_delete_takes_everything_attached_with_it(alice, bob, carol):
    media = media_create(account=alice, file=image_file())
    status = status_create(author=alice, text="Hello @bob #gone", media_ids=[media.pk])
    status_edit(status=status, by=alice, text="Hello @bob #gone, edited")
    boost = reblog_create(account=carol, status=status)
    status_edit(status=status, by=alice, text="Hello @bob #gone, edited twice")
    favourite_create(account=bob, status=status)
    bookmark_create(account=bob, status=status)
    pin_create(account=alice, status=status)
    assert {n.type for n in Notification.objects.all()} == {
        NotificationType.MENTION, NotificationType.REBLOG, NotificationType.FAVOURITE,
        NotificationType.UPDATE,
    }
    assert stored_files()

    status_delete(status=status, by=alice)

    for model in (Status, Mention, MediaAttachment, Favourite, Bookmark, StatusPin, StatusEdit,
                  Notification):
        assert not model.objects.exists(), model.__name__
    assert not Status.objects.filter(pk=boost.pk).exists()
    assert stored_files() == []
    assert Tag.objects.filter(name="gone").exists()  # a tag outlives its posts


def test_delete_keeps_the_replies(alice, bob):
    parent = status_create(author=alice, text="Parent")
    reply = status_create(author=bob, text="Reply", in_reply_to=parent)
    status_delete(status=parent, by=alice)
    reply.refresh_from_db()
    assert reply.in_reply_to is None and reply.in_reply_to_account == alice


def test_only_the_author_may_delete(alice, bob):
    status = status_create(author=alice, text="Mine")
    with pytest.raises(NotFoundError):
        status_delete(status=status, by=bob)
    assert Status.objects.filter(pk=status.pk).exists()


def test_unboost_deletes_the_boost_only(alice, bob):
    status = status_create(author=alice, text="Boost me")
    boost = reblog_create(account=bob, status=status)
    reblog_remove(account=bob, status=status)
    assert not Status.objects.filter(pk=boost.pk).exists()
    assert Status.objects.filter(pk=status.pk).exists()
    reblog_remove(account=bob, status=status)  # nothing to undo is not an error


# --- boosts, favourites, bookmarks --------------------------------------------------------


def test_boost_is_idempotent_and_notifies_once(alice, bob):
    status = status_create(author=alice, text="Boost me")
    first = reblog_create(account=bob, status=status)
    again = reblog_create(account=bob, status=status)
    assert first == again and Status.objects.filter(reblog=status).count() == 1
    assert [(n.type, n.status) for n in notifications_of(alice)] == [(NotificationType.REBLOG, status)]


def test_boost_of_a_boost_boosts_the_original(alice, bob, carol):
    status = status_create(author=alice, text="Boost me")
    boost = reblog_create(account=bob, status=status)
    carols = reblog_create(account=carol, status=boost)
    assert carols.reblog == status
    assert Notification.objects.filter(account=bob).count() == 0


def test_boost_has_the_visibility_of_the_post(alice):
    status = status_create(author=alice, text="Quiet", visibility=Visibility.UNLISTED)
    assert reblog_create(account=alice, status=status).visibility == Visibility.UNLISTED


def test_favourite_twice_or_again_after_undoing_notifies_once(alice, bob):
    status = status_create(author=alice, text="Star me")
    favourite_create(account=bob, status=status)
    favourite_create(account=bob, status=status)
    assert Favourite.objects.count() == 1
    favourite_remove(account=bob, status=status)
    assert not Favourite.objects.exists()
    favourite_create(account=bob, status=status)
    assert len(notifications_of(alice, NotificationType.FAVOURITE)) == 1


def test_favourite_of_a_boost_stars_the_original(alice, bob, carol):
    status = status_create(author=alice, text="Star me")
    boost = reblog_create(account=bob, status=status)
    assert favourite_create(account=carol, status=boost).status == status


def test_favourite_and_bookmark_need_to_see_the_post(alice, bob):
    hidden = status_create(author=alice, text="Followers", visibility=Visibility.PRIVATE)
    for service in (favourite_create, bookmark_create, reblog_create):
        with pytest.raises(NotFoundError):
            service(account=bob, status=hidden)
    assert not Favourite.objects.exists() and not Notification.objects.exists()


def test_bookmark_is_idempotent_and_private(alice, bob):
    status = status_create(author=alice, text="Keep me")
    assert bookmark_create(account=bob, status=status) == bookmark_create(account=bob, status=status)
    assert Bookmark.objects.count() == 1
    assert notifications_of(alice) == []


def test_favourite_by_someone_muted_is_not_notified(alice, bob):
    mute_create(account=alice, target=bob)
    status = status_create(author=alice, text="Star me")
    favourite_create(account=bob, status=status)
    assert Favourite.objects.count() == 1 and notifications_of(alice) == []


# --- pins ---------------------------------------------------------------------------------


@pytest.mark.parametrize("visibility", [Visibility.PUBLIC, Visibility.UNLISTED])
def test_pin_own_public_or_unlisted_post(alice, visibility):
    status = status_create(author=alice, text="Pinned", visibility=visibility)
    pin = pin_create(account=alice, status=status)
    assert pin_create(account=alice, status=status) == pin  # pinning twice is one pin
    assert account_pinned_statuses(viewer=None, account=alice) == [status]
    pin_remove(account=alice, status=status)
    assert account_pinned_statuses(viewer=None, account=alice) == []


@pytest.mark.parametrize("visibility", [Visibility.PRIVATE, Visibility.DIRECT])
def test_pin_of_a_private_or_direct_post_is_refused(alice, visibility):
    status = status_create(author=alice, text="Not for the profile", visibility=visibility)
    with pytest.raises(ApplicationError):
        pin_create(account=alice, status=status)
    assert not StatusPin.objects.exists()


def test_pin_of_someone_elses_post_or_of_a_boost_is_refused(alice, bob):
    status = status_create(author=alice, text="Alice's")
    boost = reblog_create(account=bob, status=status)
    for target in (status, boost):
        with pytest.raises(ForbiddenError):
            pin_create(account=bob, status=target)
    assert not StatusPin.objects.exists()


def test_at_most_five_pins(alice):
    statuses = [status_create(author=alice, text=f"Post {n}") for n in range(PINS_MAX + 1)]
    for status in statuses[:PINS_MAX]:
        pin_create(account=alice, status=status)
    with pytest.raises(ApplicationError):
        pin_create(account=alice, status=statuses[-1])
    pin_create(account=alice, status=statuses[0])  # an existing pin is not a sixth
    assert StatusPin.objects.count() == PINS_MAX


def test_pinned_posts_follow_the_visibility_rule(alice, bob):
    status = status_create(author=alice, text="Pinned")
    pin_create(account=alice, status=status)
    block_create(account=alice, target=bob)
    assert account_pinned_statuses(viewer=bob, account=alice) == []
    assert account_pinned_statuses(viewer=None, account=alice) == [status]


# --- counts shown on a status ---------------------------------------------------------------


def test_counts_on_a_status(alice, bob, carol):
    status = status_create(author=alice, text="Count me")
    reblog_create(account=bob, status=status)
    favourite_create(account=bob, status=status)
    favourite_create(account=carol, status=status)
    status_create(author=carol, text="Reply", in_reply_to=status)
    state = viewer_state(viewer=bob, statuses=[status])
    assert state.reblogs_count[status.pk] == 1
    assert state.favourites_count[status.pk] == 2
    assert state.replies_count[status.pk] == 1
    assert state.favourited == {status.pk} and state.reblogged == {status.pk}


def test_what_a_viewer_did_to_a_page_takes_three_statements(alice, bob, carol):
    """viewer_state is read once per page: the counts in one statement, the viewer's own
    favourites, boosts, bookmarks and pins in another, whether they mute any thread in a
    third, however many statuses are shown."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    statuses = [status_create(author=bob, text=f"Post {n}") for n in range(3)]
    own = status_create(author=bob, text="Mine")
    favourite_create(account=bob, status=statuses[0])
    favourite_create(account=carol, status=statuses[0])
    reblog_create(account=bob, status=statuses[1])
    bookmark_create(account=bob, status=statuses[2])
    pin_create(account=bob, status=own)
    status_create(author=alice, text="Reply", in_reply_to=statuses[2])
    with CaptureQueriesContext(connection) as context:
        state = viewer_state(viewer=bob, statuses=[*statuses, own])
    assert len(context.captured_queries) == 3
    assert state.favourited == {statuses[0].pk} and state.reblogged == {statuses[1].pk}
    assert state.bookmarked == {statuses[2].pk} and state.pinned == {own.pk}
    assert state.favourites_count == {statuses[0].pk: 2}
    assert state.reblogs_count == {statuses[1].pk: 1} and state.replies_count == {statuses[2].pk: 1}
    with CaptureQueriesContext(connection) as context:
        anonymous = viewer_state(viewer=None, statuses=[*statuses, own])
    assert len(context.captured_queries) == 1
    assert anonymous.favourited == set() and anonymous.favourites_count == {statuses[0].pk: 2}


def test_replies_count_does_not_reveal_replies_hidden_from_the_viewer(alice, bob, carol):
    """A count is a way to learn that something exists: a followers-only or direct reply
    must not show in the count a stranger reads (Mastodon counts public and unlisted
    replies only)."""
    follow_request(follower=bob, target=carol)
    status = status_create(author=alice, text="Ask me anything")
    status_create(author=carol, text="Public answer", in_reply_to=status)
    status_create(author=carol, text="For my followers", in_reply_to=status,
                  visibility=Visibility.PRIVATE)
    status_create(author=carol, text="@bob psst", in_reply_to=status, visibility=Visibility.DIRECT)
    for viewer in (None, alice):
        assert viewer_state(viewer=viewer, statuses=[status]).replies_count[status.pk] == 1


@pytest.mark.parametrize("who_blocks", ["author", "mentioned"])
def test_edit_adding_a_mention_across_a_block_is_dropped(alice, bob, who_blocks):
    status = status_create(author=alice, text="Hello", visibility=Visibility.DIRECT)
    if who_blocks == "author":
        block_create(account=alice, target=bob)
    else:
        block_create(account=bob, target=alice)
    status_edit(status=status, by=alice, text="Hello @bob")
    assert not status.mentions.exists()
    assert notifications_of(bob) == []
