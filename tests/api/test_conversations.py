"""Direct-message conversations: /api/v1/conversations, /:id (DELETE) and /:id/read."""

import pytest

from accounts.services import block_create
from statuses.models import AccountConversation
from statuses.services import status_create, status_delete
from tests.api.contract import assert_matches_contract


@pytest.fixture
def dm(django_capture_on_commit_callbacks):
    """Post a direct status and commit it: conversations are updated by the fan-out task,
    which runs once the post is committed."""

    def post(author, text, in_reply_to=None):
        with django_capture_on_commit_callbacks(execute=True):
            return status_create(author=author, text=text, visibility="direct", in_reply_to=in_reply_to)

    return post


def test_a_direct_thread_is_one_conversation_for_each_participant(dm, alice, bob, carol, api_for):
    first = dm(alice, "@bob hello")
    public = status_create(author=carol, text="not a conversation @bob")
    bobs = api_for(bob).get("/api/v1/conversations")
    assert bobs.status_code == 200
    assert_matches_contract(bobs, "/api/v1/conversations")
    [conversation] = bobs.json()
    assert conversation["unread"] is True
    assert [a["username"] for a in conversation["accounts"]] == ["alice"]
    assert conversation["last_status"]["id"] == str(first.pk)
    [alices] = api_for(alice).get("/api/v1/conversations").json()
    assert alices["unread"] is False and [a["username"] for a in alices["accounts"]] == ["bob"]
    assert api_for(carol).get("/api/v1/conversations").json() == []
    assert public.pk not in AccountConversation.objects.values_list("last_status", flat=True)

    reply = dm(bob, "@alice hi back", in_reply_to=first)
    [alices] = api_for(alice).get("/api/v1/conversations").json()
    assert alices["last_status"]["id"] == str(reply.pk) and alices["unread"] is True
    [bobs] = api_for(bob).get("/api/v1/conversations").json()
    assert bobs["id"] == conversation["id"] and bobs["last_status"]["id"] == str(reply.pk)
    assert bobs["unread"] is False  # answering is reading, as on Mastodon

    read = api_for(alice).post(f"/api/v1/conversations/{alices['id']}/read")
    assert read.status_code == 200
    assert_matches_contract(read, "/api/v1/conversations/{id}/read", "post")
    assert read.json()["unread"] is False and read.json()["id"] == alices["id"]
    assert api_for(alice).get("/api/v1/conversations").json()[0]["unread"] is False
    assert api_for(bob).get("/api/v1/conversations").json()[0]["unread"] is False


def test_removing_a_conversation_until_a_new_message(dm, alice, bob, api_for):
    first = dm(alice, "@bob hello")
    [conversation] = api_for(bob).get("/api/v1/conversations").json()
    removed = api_for(bob).delete(f"/api/v1/conversations/{conversation['id']}")
    assert removed.status_code == 200 and removed.json() == {}
    assert_matches_contract(removed, "/api/v1/conversations/{id}", "delete")
    assert api_for(bob).get("/api/v1/conversations").json() == []
    assert len(api_for(alice).get("/api/v1/conversations").json()) == 1  # only bob's went
    again = dm(alice, "@bob are you there?", in_reply_to=first)
    [back] = api_for(bob).get("/api/v1/conversations").json()
    assert back["last_status"]["id"] == str(again.pk) and back["unread"] is True


def test_others_conversations_are_404_and_untouched(dm, alice, bob, carol, api_for, anon):
    dm(alice, "@bob secret")
    [conversation] = api_for(bob).get("/api/v1/conversations").json()
    url = f"/api/v1/conversations/{conversation['id']}"
    missing = api_for(carol).post("/api/v1/conversations/123456/read")
    assert missing.status_code == 404
    for response in (api_for(carol).post(f"{url}/read"), api_for(carol).delete(url),
                     api_for(alice).post(f"{url}/read")):
        assert response.status_code == 404 and response.json() == missing.json()
    assert anon.get("/api/v1/conversations").status_code == 401
    assert api_for(bob, "read:accounts").get("/api/v1/conversations").status_code == 403
    assert api_for(bob, "read write:statuses").delete(url).status_code == 403
    assert api_for(bob, "read").post(f"{url}/read").status_code == 403
    [still] = api_for(bob).get("/api/v1/conversations").json()
    assert still["unread"] is True and still["id"] == conversation["id"]
    assert api_for(bob, "read:statuses write:conversations").post(f"{url}/read").status_code == 200


def test_what_the_reader_may_not_see_is_not_listed(dm, alice, bob, api_for):
    dm(alice, "@bob hello")
    block_create(account=bob, target=alice)
    assert api_for(bob).get("/api/v1/conversations").json() == []


def test_deleting_the_last_message_shows_the_one_before(dm, alice, bob, api_for):
    first = dm(alice, "@bob one")
    second = dm(bob, "@alice two", in_reply_to=first)
    status_delete(status=second, by=bob)
    [conversation] = api_for(alice).get("/api/v1/conversations").json()
    assert conversation["last_status"]["id"] == str(first.pk)
    status_delete(status=first, by=alice)
    assert api_for(alice).get("/api/v1/conversations").json() == []
    assert not AccountConversation.objects.exists()


def test_paged_by_last_status(dm, alice, bob, api_for):
    threads = [dm(alice, f"@bob thread {i}") for i in range(3)]
    dm(bob, "@alice newest in the first thread", in_reply_to=threads[0])
    api = api_for(bob)
    page = api.get("/api/v1/conversations", {"limit": 2})
    assert_matches_contract(page, "/api/v1/conversations")
    texts = [c["last_status"]["content"] for c in page.json()]
    assert "newest in the first thread" in texts[0] and "thread 2" in texts[1]
    last_id = page.json()[-1]["last_status"]["id"]
    assert f"max_id={last_id}" in page["Link"]
    rest = api.get("/api/v1/conversations", {"limit": 2, "max_id": last_id})
    assert ["thread 1" in c["last_status"]["content"] for c in rest.json()] == [True]
