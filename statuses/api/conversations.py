"""Direct-message conversations in Mastodon's client API: the list (paged by last status),
marking one read, and taking one off the list. Another account's conversation is a 404."""

from django.db.models import prefetch_related_objects
from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response

from accounts.api.auth import scoped, viewer
from accounts.api.paging import page_params, paginate, with_link
from accounts.api.serializers import AccountOutput, account_counts
from accounts.models import Account
from statuses.conversations import (
    access_conversation,
    conversation_read,
    conversation_remove,
    conversations_visible,
)
from statuses.models import AccountConversation
from statuses.selectors import statuses_by_id

from .serializers import statuses_data


def conversations_data(conversations: list[AccountConversation], viewer: Account) -> list[dict]:
    """Mastodon's Conversation entities: the other participants (not suspended) and the last
    status rendered for the viewer, in a fixed number of queries."""
    prefetch_related_objects(conversations, "participants")
    ids = [c.last_status_id for c in conversations]
    loaded = statuses_by_id(ids)
    statuses = [loaded[i] for i in ids if i in loaded]
    rendered = dict(zip([s.pk for s in statuses], statuses_data(statuses, viewer), strict=True))
    people = {
        c.pk: [a for a in c.participants.all() if not a.is_suspended] for c in conversations
    }
    counts = account_counts(list({a.pk: a for group in people.values() for a in group}.values()))
    return [
        {
            "id": str(c.pk), "unread": c.unread,
            "accounts": AccountOutput(people[c.pk], many=True, context={"counts": counts}).data,
            "last_status": rendered.get(c.last_status_id),
        }
        for c in conversations
    ]


@api_view(["GET"])
@permission_classes([scoped("read:statuses")])
def conversations(request):
    me = viewer(request)
    params = page_params(request, default=20, maximum=40)
    rows = paginate(conversations_visible(viewer=me), params, key="last_status_id")
    return with_link(
        Response(conversations_data(rows, me)), request, rows, key=lambda c: c.last_status_id,
    )


@api_view(["DELETE"])
@permission_classes([scoped(write="write:conversations")])
def conversation_detail(request, conversation_id):
    me = viewer(request)
    conversation_remove(conversation=access_conversation(viewer=me, conversation_id=conversation_id))
    return Response({})


@api_view(["POST"])
@permission_classes([scoped(write="write:conversations")])
def conversation_mark_read(request, conversation_id):
    me = viewer(request)
    conversation = access_conversation(viewer=me, conversation_id=conversation_id)
    return Response(conversations_data([conversation_read(conversation=conversation)], me)[0])
