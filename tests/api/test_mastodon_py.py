"""Acceptance: Mastodon.py (the library bots and many apps use) through a whole session
against a live server, each response checked against Mastodon's contract."""

import json
import queue
import re
import threading
import time
from datetime import timedelta
from html import unescape

import pytest
from django.utils import timezone
from mastodon import Mastodon, MastodonAPIError, MastodonNotFoundError, StreamListener

from statuses.feeds import redis_client
from statuses.models import Poll
from statuses.streaming import broker
from tests.api.contract import assert_matches_schema
from tests.api.live import RecordingSession
from tests.factories import PASSWORD, image_file

SCOPES = ["read", "write", "follow", "push"]


def consent_through_the_web(base: str, url: str, username: str) -> str:
    """A person's browser: the consent page asks to log in, then to authorize; the
    out-of-band page shows the code."""
    browser = RecordingSession()
    page = browser.get(url)
    assert "/auth/sign_in" in page.url
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    page = browser.post(page.url, data={
        "csrfmiddlewaretoken": csrf, "username": username, "password": PASSWORD,
    }, headers={"Referer": page.url})
    assert "/oauth/authorize" in page.url, page.url
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    form = {name: unescape(value) for name, value in form.items()}
    form["allow"] = "true"
    shown = browser.post(page.url, data=form, headers={"Referer": page.url})
    assert shown.status_code == 200
    return re.search(r'id="oauth-code" type="text" readonly value="([^"]+)"', shown.text).group(1)


class Session:
    """Alice logged in through the consent page, Bob (and anyone else) with a password grant;
    all clients share one recorder, so every JSON answer any of them gets is contract-checked."""

    def __init__(self, base: str):
        self.base = base
        self.recorder = RecordingSession()
        self.client_id, self.client_secret = Mastodon.create_app(
            "Acceptance", scopes=SCOPES, redirect_uris="urn:ietf:wg:oauth:2.0:oob",
            api_base_url=base, session=self.recorder,
        )
        self.alice = self._client()
        url = self.alice.auth_request_url(scopes=SCOPES, allow_http=True)
        self.alice.log_in(code=consent_through_the_web(base, url, "alice"), scopes=SCOPES, allow_http=True)
        self.bob = self.client_for("bob")

    def _client(self) -> Mastodon:
        return Mastodon(client_id=self.client_id, client_secret=self.client_secret, api_base_url=self.base,
                        session=self.recorder, version_check_mode="none")

    def client_for(self, username: str) -> Mastodon:
        client = self._client()
        client.log_in(username=username, password=PASSWORD, scopes=SCOPES, allow_http=True)
        return client


@pytest.fixture
def session(live_server, settings, alice, bob):
    settings.LOCAL_DOMAIN = live_server.url.split("://", 1)[1]
    settings.LOCAL_SCHEME = "http"
    return Session(live_server.url)


@pytest.mark.django_db(transaction=True)
def test_a_whole_session_with_mastodon_py(session, alice, bob):
    api, bob_api = session.alice, session.bob
    assert api.account_verify_credentials()["username"] == "alice"

    relationship = bob_api.account_follow(alice.pk)
    assert relationship["following"] is True

    media = api.media_post(image_file().read(), mime_type="image/png", description="A blue square")
    post = api.status_post("Hello from #mastodonpy", media_ids=[media["id"]])
    assert post["media_attachments"][0]["description"] == "A blue square"
    reply = bob_api.status_reply(post, "Nice square")
    assert reply["in_reply_to_id"] == post["id"]

    assert bob_api.status_reblog(post["id"])["reblog"]["id"] == post["id"]
    assert bob_api.status_favourite(post["id"])["favourited"] is True
    assert bob_api.status_bookmark(post["id"])["bookmarked"] is True
    assert [s["id"] for s in bob_api.bookmarks()] == [post["id"]]

    for n in range(3):
        api.status_post(f"more #mastodonpy {n}")
    home = bob_api.timeline_home(limit=2)
    assert len(home) == 2
    older = bob_api.fetch_next(home)
    assert older and older[0]["id"] < home[-1]["id"]
    assert len(api.timeline_public(limit=40)) >= 5
    tagged = api.timeline_hashtag("mastodonpy", limit=40)
    assert post["id"] in [s["id"] for s in tagged]

    types = {n["type"] for n in api.notifications()}
    assert {"follow", "reblog", "favourite", "mention"} <= types

    context = api.status_context(post["id"])
    assert [s["id"] for s in context["descendants"]] == [reply["id"]]

    edited = api.status_update(post["id"], "Hello again from #mastodonpy")
    assert "again" in edited["content"]
    assert len(api.status_history(post["id"])) == 2

    bob_api.account_unfollow(alice.pk)
    assert api.account_relationships(bob.pk)[0]["followed_by"] is False

    deleted = api.status_delete(post["id"])
    assert deleted["text"] == "Hello again from #mastodonpy"
    assert post["id"] not in [s["id"] for s in api.timeline_public(limit=40)]

    checked = session.recorder.check_contract()
    assert len(checked) >= 20, checked


@pytest.mark.django_db(transaction=True)
def test_lists_with_mastodon_py(session, bob):
    api, bob_api = session.alice, session.bob
    api.account_follow(bob.pk)
    friends = api.list_create("Friends", replies_policy="list")
    assert friends["title"] == "Friends" and friends["replies_policy"] == "list"
    api.list_accounts_add(friends, [bob.pk])
    assert [a["acct"] for a in api.list_accounts(friends)] == ["bob"]
    assert [item["id"] for item in api.account_lists(bob.pk)] == [friends["id"]]

    posts = [bob_api.status_post(f"for my lists {n}") for n in range(3)]
    page = api.timeline_list(friends, limit=2)
    assert [s["id"] for s in page] == [posts[2]["id"], posts[1]["id"]]
    assert [s["id"] for s in api.fetch_next(page)] == [posts[0]["id"]]

    renamed = api.list_update(friends, "Close friends", replies_policy="none", exclusive=True)
    assert renamed["title"] == "Close friends"
    assert (renamed["replies_policy"], renamed["exclusive"]) == ("none", True)
    assert [item["title"] for item in api.lists()] == ["Close friends"]
    api.list_accounts_delete(friends, [bob.pk])
    assert api.list_accounts(friends) == []
    assert api.timeline_list(friends) == []
    api.list_delete(friends)
    assert api.lists() == []
    with pytest.raises(MastodonNotFoundError):
        api.list(friends)
    # Bob cannot read Alice's lists: the same 404 as a list that never existed.
    with pytest.raises(MastodonNotFoundError):
        bob_api.timeline_list(friends)

    checked = session.recorder.check_contract()
    assert {"POST /api/v1/lists", "GET /api/v1/timelines/list/{list_id}", "PUT /api/v1/lists/{id}",
            "GET /api/v1/lists/{id}/accounts"} <= checked, checked


@pytest.mark.django_db(transaction=True)
def test_filters_v2_with_mastodon_py(session, bob):
    api, bob_api = session.alice, session.bob
    api.account_follow(bob.pk)
    spoilers = api.create_filter_v2(
        "Spoilers", ["home", "public"], "warn",
        keywords_attributes=[{"keyword": "spoiler", "whole_word": True}],
    )
    assert [k["keyword"] for k in spoilers["keywords"]] == ["spoiler"]
    crypto = api.create_filter_v2("Crypto", ["home"], "hide", expires_in=3600)
    assert crypto["expires_at"] is not None
    api.add_filter_keyword_v2(crypto, "coin")
    assert [k["keyword"] for k in api.filter_keywords_v2(crypto)] == ["coin"]

    warned = bob_api.status_post("A spoiler about the ending")
    hidden = bob_api.status_post("Buy my coin")
    plain = bob_api.status_post("Nice weather")
    home = {s["id"]: s for s in api.timeline_home()}
    assert hidden["id"] not in home
    assert home[plain["id"]]["filtered"] == []
    match = home[warned["id"]]["filtered"][0]
    assert match["filter"]["title"] == "Spoilers" and match["keyword_matches"] == ["spoiler"]
    # "hide" is for home only: the public timeline still shows it.
    assert hidden["id"] in [s["id"] for s in api.timeline_public()]

    by_status = api.add_filter_status_v2(spoilers, plain["id"])
    assert api.filter_status_v2(by_status)["status_id"] == plain["id"]
    assert [item["status_id"] for item in api.filter_statuses_v2(spoilers)] == [plain["id"]]
    home = {s["id"]: s for s in api.timeline_home()}
    assert home[plain["id"]]["filtered"][0]["status_matches"] == [plain["id"]]
    assert api.status(plain["id"])["filtered"][0]["status_matches"] == [plain["id"]]
    api.delete_filter_status_v2(by_status)
    assert api.filter_statuses_v2(spoilers) == []

    renamed = api.update_filter_v2(spoilers, title="Plot twists", context=["home"])
    assert (renamed["title"], renamed["context"]) == ("Plot twists", ["home"])
    assert [f["title"] for f in api.filters_v2()] == ["Plot twists", "Crypto"]
    api.delete_filter_keyword_v2(api.filter_v2(crypto)["keywords"][0])
    assert hidden["id"] in [s["id"] for s in api.timeline_home()]
    api.delete_filter_v2(crypto)
    assert [f["title"] for f in api.filters_v2()] == ["Plot twists"]
    with pytest.raises(MastodonNotFoundError):
        bob_api.filter_v2(spoilers)

    checked = session.recorder.check_contract()
    assert {"POST /api/v2/filters", "PUT /api/v2/filters/{id}", "GET /api/v2/filters/{filter_id}/keywords",
            "POST /api/v2/filters/{filter_id}/statuses", "GET /api/v2/filters/statuses/{id}",
            "DELETE /api/v2/filters/statuses/{id}"} <= checked, checked


@pytest.mark.django_db(transaction=True)
def test_polls_with_mastodon_py(session, carol):
    api, bob_api = session.alice, session.bob
    poll = api.make_poll(["Tea", "Coffee", "Water"], expires_in=3600, multiple=True)
    asked = api.status_post("What do you drink?", poll=poll)
    assert [o["title"] for o in asked["poll"]["options"]] == ["Tea", "Coffee", "Water"]
    assert asked["poll"]["multiple"] is True and asked["poll"]["expired"] is False

    voted = bob_api.poll_vote(asked["poll"], [0, 2])
    assert voted["own_votes"] == [0, 2] and voted["voted"] is True
    assert [o["votes_count"] for o in voted["options"]] == [1, 0, 1]
    assert voted["votes_count"] == 2 and voted["voters_count"] == 1
    with pytest.raises(MastodonAPIError):
        bob_api.poll_vote(asked["poll"], [1])  # one ballot per person

    seen = api.poll(asked["poll"])
    assert [o["votes_count"] for o in seen["options"]] == [1, 0, 1]
    assert bob_api.status(asked["id"])["poll"]["own_votes"] == [0, 2]

    hidden = api.status_post("Secret ballot", poll=api.make_poll(["Yes", "No"], 3600, hide_totals=True))
    after_vote = bob_api.poll_vote(hidden["poll"], 1)
    assert after_vote["own_votes"] == [1]
    # Totals stay hidden until the poll ends (its author sees them), then everyone sees them.
    assert [o["votes_count"] for o in after_vote["options"]] == [None, None]
    assert [o["votes_count"] for o in api.poll(hidden["poll"])["options"]] == [0, 1]
    Poll.objects.filter(pk=hidden["poll"]["id"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    ended = bob_api.poll(hidden["poll"])
    assert ended["expired"] is True and [o["votes_count"] for o in ended["options"]] == [0, 1]
    with pytest.raises(MastodonAPIError):
        session.client_for("carol").poll_vote(hidden["poll"], 0)  # too late

    checked = session.recorder.check_contract()
    assert {"POST /api/v1/statuses", "POST /api/v1/polls/{id}/votes", "GET /api/v1/polls/{id}"} <= checked


class Collector(StreamListener):
    """Keeps what a stream delivers as (event, Mastodon.py's object, the JSON as sent); `opened`
    is set by the server's first comment, sent once the subscription is in place."""

    def __init__(self):
        self.opened = threading.Event()
        self.events: queue.Queue = queue.Queue()
        self.raw = None

    def _dispatch_event(self, name, raw_payload, *args):
        # Mastodon.py hands the handlers objects (dates parsed, ids cast): keep the wire form too,
        # for the contract check.
        self.raw = json.loads(raw_payload) if raw_payload else None
        super()._dispatch_event(name, raw_payload, *args)

    def handle_heartbeat(self):
        self.opened.set()

    def on_update(self, status):
        self.events.put(("update", status, self.raw))

    def on_status_update(self, status):
        self.events.put(("status.update", status, self.raw))

    def on_notification(self, notification):
        self.events.put(("notification", notification, self.raw))

    def on_delete(self, status_id):
        self.events.put(("delete", status_id, self.raw))

    def next(self, seconds: float = 10) -> tuple[str, object, object]:
        return self.events.get(timeout=seconds)


def open_stream(start, *args, **kwargs) -> tuple[Collector, object]:
    collector = Collector()
    handle = start(*args, collector, run_async=True, timeout=10, **kwargs)
    assert collector.opened.wait(10), "the stream never opened"
    return collector, handle


def close_stream(handle) -> None:
    handle.close()
    handle.join(10)
    assert not handle.is_alive()


def wait_for_server_streams_to_end(local_domain: str, seconds: float = 10) -> None:
    """The server notices a closed stream at its next heartbeat, which reads the database:
    wait for that before the test's database goes away."""
    client = redis_client()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if client is None:
            still_open = bool(broker.local_hub.subscribers)
        else:
            still_open = bool(client.pubsub_channels(f"{local_domain}/*"))
        if not still_open:
            return
        time.sleep(0.1)
    raise AssertionError("the server kept streams open after their clients closed them")


@pytest.mark.django_db(transaction=True)
def test_streaming_with_mastodon_py(session, settings, alice, bob):
    settings.STREAMING_HEARTBEAT_SECONDS = 0.5  # the server notices a closed stream at a heartbeat
    api, bob_api = session.alice, session.bob
    bob_api.account_follow(alice.pk)
    api.account_follow(bob.pk)
    listed = api.list_create("Bob")
    api.list_accounts_add(listed, [bob.pk])
    home, home_handle = open_stream(bob_api.stream_user)
    public, public_handle = open_stream(bob_api.stream_public)
    tagged, tagged_handle = open_stream(bob_api.stream_hashtag, "streamed")
    in_list, list_handle = open_stream(api.stream_list, listed)
    handles = (home_handle, public_handle, tagged_handle, list_handle)
    try:
        posted = api.status_post("Live from #streamed")
        for stream in (home, public, tagged):
            event, status, sent = stream.next()
            assert (event, status["id"], status["account"]["acct"]) == ("update", posted["id"], "alice")
            assert_matches_schema(sent, "Status")

        own = bob_api.status_post("Streams work")
        api.status_favourite(own["id"])
        for stream in (home, public, in_list):  # Bob's own post: his home, public, Alice's list
            event, status, sent = stream.next()
            assert (event, status["id"]) == ("update", own["id"])
            assert_matches_schema(sent, "Status")
        event, notification, sent = home.next()
        assert (event, notification["type"], notification["account"]["acct"]) == ("notification", "favourite",
                                                                                   "alice")
        assert_matches_schema(sent, "Notification")

        api.status_update(posted, "Still live from #streamed")
        event, status, sent = home.next()
        assert (event, status["id"]) == ("status.update", posted["id"]) and "Still" in status["content"]
        assert_matches_schema(sent, "Status")
        for stream in (public, tagged):
            assert stream.next()[:2] == ("status.update", status)

        api.status_delete(posted)
        for stream in (home, public, tagged):
            event, _deleted, sent = stream.next()
            assert (event, str(sent)) == ("delete", str(posted["id"]))
    finally:
        for handle in handles:
            close_stream(handle)
        wait_for_server_streams_to_end(settings.LOCAL_DOMAIN)
    assert tagged.events.empty() and in_list.events.empty()  # nothing else was tagged, or by Bob
    session.recorder.check_contract()
