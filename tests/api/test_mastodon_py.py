"""Acceptance: Mastodon.py (the library bots and many apps use) through a whole session
against a live server, each response checked against Mastodon's contract."""

import re
from html import unescape

import pytest
from mastodon import Mastodon

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


@pytest.mark.django_db(transaction=True)
def test_a_whole_session_with_mastodon_py(live_server, settings, alice, bob):
    base = live_server.url
    settings.LOCAL_DOMAIN = base.split("://", 1)[1]
    settings.LOCAL_SCHEME = "http"
    session = RecordingSession()

    client_id, client_secret = Mastodon.create_app(
        "Acceptance", scopes=SCOPES, redirect_uris="urn:ietf:wg:oauth:2.0:oob",
        api_base_url=base, session=session,
    )
    api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=base,
                   session=session, version_check_mode="none")
    code = consent_through_the_web(base, api.auth_request_url(scopes=SCOPES, allow_http=True), "alice")
    api.log_in(code=code, scopes=SCOPES, allow_http=True)
    assert api.account_verify_credentials()["username"] == "alice"

    # Bob, with a password-grant token, is the other side of the conversation.
    bob_api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=base,
                       session=session, version_check_mode="none")
    bob_api.log_in(username="bob", password=PASSWORD, scopes=SCOPES, allow_http=True)

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

    checked = session.check_contract()
    assert len(checked) >= 20, checked
