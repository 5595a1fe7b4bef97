"""Review: ways out that show what the visibility rule (statuses/permissions.py) hides.

Each test is written from a user's point of view and fails while the leak is there."""

import pytest
from django.utils import timezone

from accounts.models import Account
from accounts.services import block_create, follow_request
from statuses.models import Visibility
from statuses.services import media_create, reblog_create, status_create, status_edit
from tests.factories import image_file, make_remote_account

pytestmark = pytest.mark.django_db


def _limit(account):
    """What moderation's "limit" does to an account (moderation/services.py::_limit)."""
    Account.objects.filter(pk=account.pk).update(silenced_at=timezone.now())
    account.refresh_from_db()


# --- 1. a boost carries a limited (silenced) author's post to everyone --------------------


def test_boost_does_not_show_a_limited_authors_post_to_non_followers(alice, bob, carol, dave, anon,
                                                                     api_for, client):
    """carol is limited: only her followers (bob) may see her posts. bob boosts one; dave
    and anonymous visitors must not read it through the boost, since the post itself
    answers 404 to them."""
    follow_request(follower=bob, target=carol)
    post = status_create(author=carol, text="limited words", visibility=Visibility.PUBLIC)
    _limit(carol)
    boost = reblog_create(account=bob, status=post)

    # The post itself: a 404 for dave and for visitors, as the rule says.
    assert api_for(dave).get(f"/api/v1/statuses/{post.pk}").status_code == 404
    assert anon.get(f"/api/v1/statuses/{post.pk}").status_code == 404

    # Through the boost: the same post must stay hidden.
    for who, api in (("dave", api_for(dave)), ("anonymous", anon)):
        response = api.get(f"/api/v1/statuses/{boost.pk}")
        assert response.status_code == 404, f"{who} reads carol's post through bob's boost"
    listed = anon.get(f"/api/v1/accounts/{bob.pk}/statuses").json()
    assert all(s["reblog"] is None for s in listed), "bob's boost shows carol's post to visitors"
    page = client.get("/@bob")
    assert b"limited words" not in page.content, "bob's profile shows carol's post to visitors"


# --- 2. statuses_count counts direct messages ------------------------------------------


def test_statuses_count_does_not_reveal_direct_messages(alice, bob, anon, client):
    """alice's direct message to bob is nobody else's business; the API's statuses_count
    tells anyone she sent one (the web profile leaves direct posts out, as Mastodon)."""
    status_create(author=alice, text="@bob our secret", visibility=Visibility.DIRECT)

    page = client.get("/@alice")
    assert page.context["posts_count"] == 0  # the web page: direct posts not counted

    account = anon.get(f"/api/v1/accounts/{alice.pk}").json()
    assert account["statuses_count"] == 0, "the API counts alice's direct message"
    looked_up = anon.get("/api/v1/accounts/lookup", {"acct": "alice"}).json()
    assert looked_up["statuses_count"] == 0


def test_last_status_at_does_not_reveal_a_direct_message(alice, bob, anon):
    """Mastodon updates last_status_at only for non-direct posts; here a direct message
    to bob shows everyone the day alice last wrote to someone in private."""
    status_create(author=alice, text="@bob our secret", visibility=Visibility.DIRECT)
    account = anon.get(f"/api/v1/accounts/{alice.pk}").json()
    assert account["last_status_at"] is None, "last_status_at dates alice's direct message"


# --- 3. hashtags used only in followers-only / direct posts --------------------------------


def test_hashtag_used_only_in_a_direct_message_answers_like_an_unknown_one(alice, bob, carol,
                                                                           client_for, api_for):
    """alice tells bob, in a direct message, about #surprisepartyforcarol. carol must not be
    able to learn the word: the tag must answer exactly like a tag nobody ever used."""
    status_create(author=alice, text="@bob #surprisepartyforcarol on friday",
                  visibility=Visibility.DIRECT)
    web, api = client_for(carol), api_for(carol)

    assert web.get("/tags/neverusedanywhere").status_code == 404  # the baseline
    assert web.get("/tags/surprisepartyforcarol").status_code == 404, "tag page exists"
    assert api.get("/api/v1/tags/neverusedanywhere").status_code == 404
    assert api.get("/api/v1/tags/surprisepartyforcarol").status_code == 404, "tag API answers"
    # Prefix search enumerates words of other people's direct messages.
    found = api.get("/api/v2/search", {"q": "#surp", "type": "hashtags"}).json()["hashtags"]
    assert found == [], f"search lists a hashtag only used in a direct message: {found}"


def test_hashtag_used_only_in_a_followers_only_post_is_not_searchable_by_strangers(alice, dave,
                                                                                   anon):
    status_create(author=alice, text="#myprivatediagnosis", visibility=Visibility.PRIVATE)
    found = anon.get("/api/v2/search", {"q": "myprivate", "type": "hashtags"}).json()["hashtags"]
    assert found == [], f"visitors find a hashtag of a followers-only post: {found}"


# --- 4. trends read statuses by hand, without the rule -----------------------------------


def test_trending_tags_leave_out_limited_authors(alice, carol, anon):
    """carol is limited: her posts are not shown to visitors, so her hashtags must not
    trend for them either (statuses/api/discovery.py::trends_tags filters by hand)."""
    _limit(carol)
    status_create(author=carol, text="buy now #limitedspam", visibility=Visibility.PUBLIC)
    names = [t["name"] for t in anon.get("/api/v1/trends/tags").json()]
    assert "limitedspam" not in names, "a limited account's hashtag trends for everyone"


# --- 5. an edit mentions someone across a block, and federates to them ---------------------


def test_edit_does_not_deliver_a_private_post_to_a_blocked_remote_account(
    alice, network, settings, django_capture_on_commit_callbacks,
):
    """status_create drops mentions of people blocked either way; status_edit does not:
    the edited followers-only post is delivered to the blocked account's server."""
    settings.LOCAL_DOMAIN = "pouet.test"
    mallory = make_remote_account("mallory", "evil.example")
    block_create(account=alice, target=mallory)

    with django_capture_on_commit_callbacks(execute=True):
        created = status_create(author=alice, text="hi @mallory@evil.example",
                                visibility=Visibility.PRIVATE)
    assert not created.mentions.exists()  # create: the blocked account is not mentioned
    assert network.posts_to("https://evil.example/inbox") == []

    with django_capture_on_commit_callbacks(execute=True):
        status = status_create(author=alice, text="for my followers", visibility=Visibility.PRIVATE)
    with django_capture_on_commit_callbacks(execute=True):
        status_edit(status=status, by=alice, text="for my followers, not @mallory@evil.example")
    delivered = [(a["type"], a["object"]["content"]) for a in network.posts_to("https://evil.example/inbox")]
    assert delivered == [], f"the private post went to the blocked account's server: {delivered}"
    assert not status.mentions.filter(account=mallory).exists(), "the edit mentions mallory"


# --- 6. media files of private posts: no check, predictable address ------------------------


def test_media_of_a_direct_message_cannot_be_found_by_guessing(alice, bob, carol, client, settings):
    """Files live at /media/media/<account id>/<media id>/original.jpg and are served to
    anyone. Media ids are milliseconds << 16 | a process-wide counter, so carol, uploading
    one image just before and one just after alice, brackets alice's id and finds the
    photo alice sent bob in a direct message in a few hundred requests."""
    from django.urls import resolve

    # config/urls.py binds /media/ to MEDIA_ROOT when the URLconf is first imported (an
    # earlier test's tmp dir): store the files where that route serves them.
    settings.MEDIA_ROOT = resolve("/media/x").kwargs["document_root"]
    before = media_create(account=carol, file=image_file(name="a.png"))
    secret = media_create(account=alice, file=image_file(color=(200, 10, 10), name="b.png"))
    status_create(author=alice, text="@bob just for you", visibility=Visibility.DIRECT,
                  media_ids=[secret.pk])
    after = media_create(account=carol, file=image_file(name="c.png"))

    # What carol knows: her two ids and alice's public account id; nothing else.
    found, requests = None, 0
    for millis in range(before.pk >> 16, (after.pk >> 16) + 1):
        for sequence in range((before.pk & 0xFFFF) + 1, (after.pk & 0xFFFF)):
            candidate = (millis << 16) | sequence
            requests += 1
            response = client.get(f"/media/media/{alice.pk}/{candidate}/original.jpg")
            if response.status_code == 200:
                found = candidate
                break
        if found:
            break
    assert found is None, (
        f"a stranger found the image of alice's direct message in {requests} guesses "
        f"(media id {found})"
    )
