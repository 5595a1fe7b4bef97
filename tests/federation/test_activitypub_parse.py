"""parse_* against real payloads from ../shared/fixtures."""

import pytest

from federation.activitypub.activities import parse_activity
from federation.activitypub.actors import parse_actor
from federation.activitypub.common import ParseError
from federation.activitypub.notes import parse_note, visibility_from_audience
from tests.federation.conftest import FIXTURES, fixture

ACTOR_FILES = sorted(p.relative_to(FIXTURES).as_posix() for p in FIXTURES.glob("*/actor-*.json"))


@pytest.mark.parametrize("name", ACTOR_FILES)
def test_parse_actor_fixtures(name):
    data = fixture(name)
    actor = parse_actor(data)
    assert actor.id == data["id"]
    assert actor.username
    if isinstance(data.get("publicKey"), dict):
        assert actor.public_key_pem.startswith("-----BEGIN")


def test_parse_actor_mastodon_fields():
    actor = parse_actor(fixture("mastodon/actor-person-gargron.json"))
    assert actor.username == "Gargron"
    assert actor.shared_inbox == "https://mastodon.social/inbox"
    assert actor.avatar_url.endswith(".png")
    assert actor.fields and actor.fields[0]["name"] == "Patreon"
    assert "target" not in actor.fields[0]["value"]  # sanitized
    assert actor.featured.endswith("/collections/featured")


def test_parse_actor_edge_cases():
    assert parse_actor(fixture("mastodon/actor-person-type-array.json")).type == "Person"
    assert parse_actor(fixture("mastodon/actor-service-bot.json")).bot
    takahe = parse_actor(fixture("takahe/actor-person-attachment-not-array.json"))
    assert len(takahe.fields) == 1
    relay = parse_actor(fixture("activityrelay/actor-application-relay.json"))
    assert relay.public_key_pem  # a key without the security context is still read


def test_parse_actor_strict_on_required():
    data = fixture("mastodon/actor-person-gargron.json")
    for key in ("id", "type", "preferredUsername"):
        broken = {k: v for k, v in data.items() if k != key}
        with pytest.raises(ParseError):
            parse_actor(broken)
    with pytest.raises(ParseError):
        parse_actor({**data, "type": "Note"})


NOTE_FILES = [
    "mastodon/object-note-attachment-counts.json",
    "mastodon/object-note-direct-message.json",
    "mastodon/object-note-todon-raw.json",
    "mastodon/object-note-with-language.json",
    "gotosocial/object-note-tags-emoji.json",
    "gotosocial/object-note-interaction-policy.json",
    "misskey/object-note-mfm.json",
    "misskey/object-note-quote.json",
    "pleroma/object-note-reply.json",
    "pleroma/object-note-emoji-in-summary.json",
    "owncast/object-note-attachment-not-array.json",
    "vernissage/object-note-exif.json",
]


@pytest.mark.parametrize("name", NOTE_FILES)
def test_parse_note_fixtures(name):
    data = fixture(name)
    note = parse_note(data)
    assert note.id == data["id"]
    assert "<script" not in note.content


def test_parse_note_mastodon_details():
    note = parse_note(fixture("mastodon/object-note-attachment-counts.json"))
    assert note.in_reply_to.endswith("113306824627995724")
    assert note.language == "en"
    attachment = note.attachments[0]
    assert attachment.blurhash and attachment.width and attachment.height
    assert visibility_from_audience(note.to, note.cc, "https://floss.social/users/kde/followers") == "public"


def test_parse_note_contentmap_only():
    activity = fixture("mastodon/activity-create-note-contentmap-only.json")
    note = parse_note(activity["object"])
    assert note.content


def test_parse_note_hashtags_and_mentions():
    note = parse_note(fixture("gotosocial/object-note-tags-emoji.json"))
    assert "welcome" in note.hashtags
    dm = parse_note(fixture("mastodon/object-note-direct-message.json"))
    assert dm.mentions
    assert visibility_from_audience(dm.to, dm.cc, "https://x/followers") == "direct"


def test_parse_note_sanitizes_hostile_html():
    note = parse_note({
        "id": "https://evil.example/n/1", "type": "Note", "attributedTo": "https://evil.example/u/x",
        "content": '<p onclick="x()">hi<script>alert(1)</script><a href="javascript:alert(1)">l</a>'
                   '<img src=x onerror=alert(1)></p>',
        "summary": "<b>cw</b> &amp; more",
    })
    assert "script" not in note.content and "javascript" not in note.content
    assert "onclick" not in note.content and "<img" not in note.content
    assert note.summary == "cw & more" and note.sensitive


def test_parse_note_refuses_known_bad_documents():
    for name in ("w3c-as2/object-note-contentmap.json", "w3c-as2/invalid-number-as-id.json"):
        with pytest.raises(ParseError):
            parse_note(fixture(name))


def test_parse_note_requires_author():
    with pytest.raises(ParseError):
        parse_note({"id": "https://a.example/n/1", "type": "Note", "content": "x"})


def test_visibility_from_audience_variants():
    followers = "https://a.example/users/u/followers"
    assert visibility_from_audience(["as:Public"], [], followers) == "public"
    assert visibility_from_audience([followers], ["Public"], followers) == "unlisted"
    assert visibility_from_audience([followers], [], followers) == "private"
    assert visibility_from_audience(["https://b.example/users/v"], [], followers) == "direct"


ACTIVITY_FILES = sorted(p.relative_to(FIXTURES).as_posix() for p in FIXTURES.glob("*/activity-*.json"))


@pytest.mark.parametrize("name", ACTIVITY_FILES)
def test_parse_activity_fixtures(name):
    data = fixture(name)
    try:
        activity = parse_activity(data)
    except ParseError:
        # Only documents lacking an id or actor may be refused.
        assert not isinstance(data.get("id"), str) or not data.get("actor")
        return
    assert activity.type
    assert activity.actor


def test_parse_activity_shapes():
    accept = parse_activity(fixture("mastodon/activity-accept-follow.json"))
    assert accept.object_type == "Follow" and accept.object_id
    undo = parse_activity(fixture("mastodon/activity-undo-like-object-iri.json"))
    assert undo.object_type is None and undo.object_id
    flag = parse_activity(fixture("mastodon/activity-flag.json"))
    assert isinstance(flag.object, list)
