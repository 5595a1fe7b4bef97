"""Conversations kept by the fan-out task: idempotent, local participants only."""

from statuses.conversations import conversation_read, conversations_record
from statuses.models import AccountConversation, Mention, Status
from statuses.services import status_create
from tests.factories import make_remote_account


def test_recording_twice_changes_nothing(alice, bob):
    status = status_create(author=alice, text="@bob hi", visibility="direct")
    conversations_record(status=status)
    conversation = AccountConversation.objects.get(account=bob)
    conversation_read(conversation=conversation)
    conversations_record(status=status)  # the task delivered again
    conversation.refresh_from_db()
    assert conversation.unread is False and conversation.last_status == status
    assert AccountConversation.objects.count() == 2
    assert list(conversation.participants.all()) == [alice]


def test_an_older_status_does_not_replace_the_last_one(alice, bob):
    first = status_create(author=alice, text="@bob one", visibility="direct")
    second = status_create(author=alice, text="@bob two", visibility="direct", in_reply_to=first)
    conversations_record(status=second)
    conversations_record(status=first)  # late message
    assert AccountConversation.objects.get(account=bob).last_status == second


def test_a_remote_direct_status_reaches_local_recipients_only(alice):
    carol = make_remote_account("carol", "remote.example")
    status = Status.objects.create(account=carol, content="<p>hi</p>", visibility="direct",
                                   uri="https://remote.example/notes/1")
    Mention.objects.create(status=status, account=alice)
    conversations_record(status=status)
    conversation = AccountConversation.objects.get()
    assert conversation.account == alice and conversation.unread is True
    assert list(conversation.participants.all()) == [carol]


def test_other_visibilities_are_not_conversations(alice, bob):
    for visibility in ("public", "unlisted", "private"):
        conversations_record(status=status_create(author=alice, text="@bob hi", visibility=visibility))
    assert not AccountConversation.objects.exists()
