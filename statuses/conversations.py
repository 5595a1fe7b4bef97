"""Direct-message threads as each local participant sees them (Mastodon's conversations):
kept up to date when a direct status is distributed (local or remote alike) and when one is
deleted; read through the visibility rule, so a thread shows only what its reader may see."""

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet

from accounts.models import Account
from config.errors import NotFoundError

from .models import AccountConversation, Status, Visibility
from .permissions import visible_statuses
from .threads import thread_root, thread_status_ids


def conversations_record(*, status: Status) -> None:
    """A direct status joins its thread's conversation for its author and each local account
    it mentions: the newest status becomes the last one, unread for all but its author.
    Safe to run twice (an older or the same status changes nothing)."""
    if status.visibility != Visibility.DIRECT or status.reblog_id:
        return
    people = [status.account, *Account.objects.filter(mentions__status=status)]
    local = [p for p in people if p.is_local]
    if not local:
        return
    root_id = thread_root(status)
    for account in local:
        with transaction.atomic():
            conversation = _conversation_locked(account=account, root_id=root_id)
            conversation.participants.add(*[p for p in people if p.pk != account.pk])
            if conversation.last_status_id is None or status.pk > conversation.last_status_id:
                conversation.last_status = status
                conversation.unread = account.pk != status.account_id
                conversation.save(update_fields=["last_status", "unread"])
    from .streaming.events import stream_conversation

    transaction.on_commit(lambda: stream_conversation(status.pk, [a.pk for a in local]))


def _conversation_locked(*, account: Account, root_id: int) -> AccountConversation:
    rows = AccountConversation.objects.select_for_update()
    found = rows.filter(account=account, root_id=root_id).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return AccountConversation.objects.create(account=account, root_id=root_id)
    except IntegrityError:  # made meanwhile by another worker
        return rows.get(account=account, root_id=root_id)


def conversations_status_removed(*, status: Status) -> None:
    """Before a direct status is deleted: conversations that ended on it end on the thread's
    previous direct status, or go when none is left. Inside the deleting transaction."""
    conversations = list(AccountConversation.objects.filter(last_status=status).select_related("account"))
    if not conversations:
        return
    thread = Status.objects.filter(
        pk__in=thread_status_ids(conversations[0].root_id), visibility=Visibility.DIRECT,
    ).exclude(pk=status.pk)
    for conversation in conversations:
        previous = visible_statuses(conversation.account, thread).order_by("-id").first()
        if previous is None:
            conversation.delete()
        else:
            conversation.last_status = previous
            conversation.save(update_fields=["last_status"])


def conversations_visible(*, viewer: Account) -> QuerySet:
    """The viewer's conversations whose last status it may (still) see."""
    return AccountConversation.objects.filter(account=viewer, last_status__isnull=False).filter(
        Exists(visible_statuses(viewer).filter(pk=OuterRef("last_status_id")))
    )


def access_conversation(*, viewer: Account, conversation_id) -> AccountConversation:
    found = conversations_visible(viewer=viewer).filter(
        pk=int(conversation_id) if str(conversation_id).isdigit() else 0,
    ).first()
    if found is None:
        raise NotFoundError()
    return found


def conversation_read(*, conversation: AccountConversation) -> AccountConversation:
    AccountConversation.objects.filter(pk=conversation.pk).update(unread=False)
    conversation.unread = False
    return conversation


def conversation_remove(*, conversation: AccountConversation) -> None:
    """Take a conversation off the list; a new direct status in the thread brings it back."""
    conversation.delete()
