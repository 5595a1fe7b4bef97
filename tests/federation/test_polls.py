"""Polls over ActivityPub: Question in and out, votes in and out."""

import pytest

from federation.activitypub.notes import parse_note
from federation.services.outbound import publish_on_commit
from statuses.models import Poll, PollVote, Status
from statuses.polls import poll_create
from statuses.services import media_create, status_create, status_edit
from tests.factories import image_file
from tests.federation.conftest import ap_get, fixture, signed_post

CAROL = "https://remote.example/users/carol"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


@pytest.fixture
def post(client, django_capture_on_commit_callbacks, network):
    def send(activity):
        with django_capture_on_commit_callbacks(execute=True):
            return signed_post(client, "/inbox", activity, key_id=f"{CAROL}#main-key")
    return send


def test_parse_question_fixture():
    note = parse_note(fixture("mastodon/activity-create-question-poll.json")["object"])
    assert note.type == "Question" and not note.poll.multiple
    assert note.poll.options[1] == "Everyone knows that!" and note.poll.tallies[1] == 1
    assert note.poll.end_time is not None
    vote = parse_note(fixture("mastodon/activity-create-poll-vote.json")["object"])
    assert vote.is_vote and vote.name == "suya.."


def _question(tallies=(0, 0)):
    return {"id": f"{CAROL}/statuses/50", "type": "Question", "attributedTo": CAROL,
            "content": "<p>tea or coffee?</p>", "to": [PUBLIC], "cc": [],
            "endTime": "2099-01-01T00:00:00Z",
            "oneOf": [{"type": "Note", "name": n, "replies": {"type": "Collection", "totalItems": t}}
                      for n, t in zip(("tea", "coffee"), tallies, strict=True)]}


def test_remote_question_becomes_a_poll_and_updates_tallies(post, alice, remote_carol):
    from accounts.models import FollowRequest
    from accounts.services import follow_accept, follow_request

    follow_request(follower=alice, target=remote_carol)
    follow_accept(follow_request=FollowRequest.objects.get(account=alice))
    question = _question()
    post({"id": f"{question['id']}/activity", "type": "Create", "actor": CAROL, "object": question})
    poll = Poll.objects.get(status__uri=question["id"])
    assert poll.options == ["tea", "coffee"] and poll.tallies == [0, 0]
    post({"id": f"{question['id']}#updates/1", "type": "Update", "actor": CAROL, "object": _question((3, 1))})
    poll.refresh_from_db()
    assert poll.tallies == [3, 1]


def test_remote_votes_on_our_poll(post, alice, remote_carol):
    status = status_create(author=alice, text="tea or coffee?")
    poll_create(status=status, options=["tea", "coffee"], expires_in=3600)

    def vote(n, name):
        post({"id": f"{CAROL}#votes/{n}/activity", "type": "Create", "actor": CAROL,
              "object": {"id": f"{CAROL}#votes/{n}", "type": "Note", "attributedTo": CAROL, "name": name,
                         "inReplyTo": status.activitypub_id, "to": "https://pouet.test/users/alice"}})

    vote(1, "coffee")
    vote(1, "coffee")  # the same activity again
    vote(2, "tea")  # a second option in a one-choice poll
    assert list(PollVote.objects.values_list("choice", flat=True)) == [1]
    assert not Status.objects.filter(account=remote_carol).exists()


def test_our_poll_renders_as_a_question(client, alice, bob):
    status = status_create(author=alice, text="tea or coffee?")
    poll = poll_create(status=status, options=["tea", "coffee"], expires_in=3600, multiple=True)
    PollVote.objects.create(poll=poll, account=bob, choice=0)
    note = ap_get(client, f"/users/alice/statuses/{status.id}").json()
    assert note["type"] == "Question"
    assert [(o["name"], o["replies"]["totalItems"]) for o in note["anyOf"]] == [("tea", 1), ("coffee", 0)]
    assert note["votersCount"] == 1 and note["endTime"]


def test_our_vote_on_a_remote_poll_is_sent(alice, remote_carol, network, django_capture_on_commit_callbacks):
    status = remote_carol.statuses.create(uri=f"{CAROL}/statuses/51", content="<p>?</p>")
    poll = Poll.objects.create(status=status, options=["yes", "no"], tallies=[0, 0])
    with django_capture_on_commit_callbacks(execute=True):
        vote = PollVote.objects.create(poll=poll, account=alice, choice=1)
        publish_on_commit("poll_vote", vote.pk)
    sent = network.posts("https://remote.example/inbox")[0]["json"]
    assert sent["type"] == "Create"
    assert sent["object"]["name"] == "no" and sent["object"]["inReplyTo"] == status.uri


def test_an_edit_sends_the_new_poll_then_the_new_attachments(alice, remote_carol, network,
                                                             django_capture_on_commit_callbacks):
    status = status_create(author=alice, text="@carol@remote.example tea or coffee?")
    poll = poll_create(status=status, options=["tea", "coffee"], expires_in=3600)
    PollVote.objects.create(poll=poll, account=remote_carol, choice=0)
    with django_capture_on_commit_callbacks(execute=True):
        status_edit(status=status, by=alice, text="@carol@remote.example tea, coffee or water?",
                    poll={"options": ["tea", "coffee", "water"], "expires_in": 3600})
    update = network.posts("https://remote.example/inbox")[-1]["json"]
    assert update["type"] == "Update" and update["object"]["type"] == "Question"
    assert [(o["name"], o["replies"]["totalItems"]) for o in update["object"]["oneOf"]] == [
        ("tea", 0), ("coffee", 0), ("water", 0),
    ]

    media = media_create(account=alice, file=image_file(), description="a cup")
    with django_capture_on_commit_callbacks(execute=True):
        status_edit(status=status, by=alice, text="@carol@remote.example look", poll=None,
                    media_ids=[media.pk])
    note = network.posts("https://remote.example/inbox")[-1]["json"]["object"]
    assert note["type"] == "Note" and "oneOf" not in note
    assert [a["name"] for a in note["attachment"]] == ["a cup"]
