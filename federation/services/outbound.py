"""What local actions tell other servers. The services of accounts and statuses call
these from their on-commit hooks (or, when rows are about to vanish, inside their
transaction); each builds one activity and its deliveries.

Changes that come *from* another server (inbox processing) run under `inbound()`, so they
never echo back as activities of our own."""

import contextvars
import time
from contextlib import contextmanager

from django.db import transaction

from accounts.models import Account, Block, Follow, FollowRequest
from accounts.selectors import account_ids_blocked_either_way
from federation.activitypub import activities as render
from federation.activitypub.notes import audience, render_vote
from federation.models import Tombstone
from federation.services.delivery import INBOX_FIELDS, deliveries_create, inboxes_for
from statuses.models import Favourite, Status, Visibility

_inbound = contextvars.ContextVar("federation_inbound", default=False)


@contextmanager
def inbound():
    token = _inbound.set(True)
    try:
        yield
    finally:
        _inbound.reset(token)


def suppressed() -> bool:
    return _inbound.get()


def remote_followers(account: Account):
    """Accepted followers on other servers (requests pending are not followers), with only
    what `inboxes_for` reads: a post to thousands of them built every Account whole."""
    return Account.objects.filter(
        following_set__target_account=account, domain__isnull=False, suspended_at__isnull=True,
    ).only(*INBOX_FIELDS)


def status_recipients(status: Status) -> set[str]:
    """Inboxes a status goes to: followers unless direct, mentioned accounts, and the
    author replied to when the post is public or unlisted. Never an account blocked either
    way, whatever the status's mentions say."""
    blocked = set(account_ids_blocked_either_way(status.account))
    accounts = []
    if status.visibility != Visibility.DIRECT:
        accounts += list(remote_followers(status.account))
    accounts += [m.account for m in status.mentions.select_related("account")]
    if status.in_reply_to_account_id and status.visibility in (Visibility.PUBLIC, Visibility.UNLISTED):
        accounts.append(status.in_reply_to_account)
    return inboxes_for(a for a in accounts if a.pk not in blocked)


def _status(status_id: int) -> Status | None:
    return (
        Status.objects.select_related("account", "reblog__account", "in_reply_to__account",
                                      "in_reply_to_account", "poll")
        .prefetch_related("mentions__account", "tags", "media")
        .filter(pk=status_id, account__domain__isnull=True).first()
    )


# --- on-commit tasks: the rows exist ------------------------------------------------------


def publish_local(*, kind: str, object_id: int) -> None:
    """Entry point of the `publish` task (may run twice: deliveries are unique)."""
    handler = {
        "status": _publish_status,
        "status_update": _publish_status_update,
        "follow": _publish_follow,
        "favourite": _publish_favourite,
        "profile": _publish_profile,
        "move": _publish_move,
        "block": _publish_block,
        "poll_vote": _publish_poll_vote,
    }[kind]
    handler(object_id)


def _publish_status(status_id: int) -> None:
    status = _status(status_id)
    if status is None:
        return
    if status.reblog_id:
        inboxes = inboxes_for(remote_followers(status.account)) | inboxes_for([status.reblog.account])
        deliveries_create(activity=render.render_announce(status), signer=status.account, inboxes=inboxes)
        return
    deliveries_create(activity=render.render_create(status), signer=status.account,
                      inboxes=status_recipients(status))


def _publish_status_update(status_id: int) -> None:
    status = _status(status_id)
    if status is None or status.reblog_id:
        return
    deliveries_create(activity=render.render_update_note(status), signer=status.account,
                      inboxes=status_recipients(status))


def _publish_follow(request_id: int) -> None:
    request = FollowRequest.objects.select_related("account", "target_account").filter(
        pk=request_id, account__domain__isnull=True, target_account__domain__isnull=False,
    ).first()
    if request is None:
        return
    if not request.uri:
        uri = f"{request.account.activitypub_id}#follows/{request.pk}"
        FollowRequest.objects.filter(pk=request.pk, uri__isnull=True).update(uri=uri)
        request.refresh_from_db(fields=["uri"])
    activity = render.render_follow(
        follow_id=request.uri, actor=request.account.activitypub_id, target=request.target_account.uri,
    )
    deliveries_create(activity=activity, signer=request.account,
                      inboxes=inboxes_for([request.target_account]))


def _like_id(favourite: Favourite) -> str:
    return f"{favourite.account.activitypub_id}#likes/{favourite.pk}"


def _publish_favourite(favourite_id: int) -> None:
    favourite = Favourite.objects.select_related("account", "status__account").filter(
        pk=favourite_id, account__domain__isnull=True,
    ).first()
    if favourite is None or favourite.status.account.is_local:
        return
    activity = render.render_like(like_id=_like_id(favourite), actor=favourite.account.activitypub_id,
                                  object_id=favourite.status.activitypub_id)
    deliveries_create(activity=activity, signer=favourite.account,
                      inboxes=inboxes_for([favourite.status.account]))


def _publish_profile(account_id: int) -> None:
    from federation.views.documents import actor_document

    account = Account.objects.filter(pk=account_id, domain__isnull=True).first()
    if account is None:
        return
    # Nanoseconds: two changes within a second (two featured tags added) are two Updates;
    # a stamp in seconds gave both one activity id, and the second was dropped as a repeat.
    activity = render.render_update_actor(actor_document=actor_document(account), stamp=time.time_ns())
    deliveries_create(activity=activity, signer=account, inboxes=inboxes_for(remote_followers(account)))


def _publish_move(account_id: int) -> None:
    account = Account.objects.select_related("moved_to_account").filter(
        pk=account_id, domain__isnull=True, moved_to_account__isnull=False,
    ).first()
    if account is None:
        return
    actor = account.activitypub_id
    # One id per move, so a second run of the task adds no deliveries.
    activity = render.render_move(
        move_id=f"{actor}#moves/{account.moved_to_account_id}", actor=actor,
        target=account.moved_to_account.activitypub_id, followers=f"{actor}/followers",
    )
    deliveries_create(activity=activity, signer=account, inboxes=inboxes_for(remote_followers(account)))


def _block_id(block: Block) -> str:
    return f"{block.account.activitypub_id}#blocks/{block.pk}"


def _publish_block(block_id: int) -> None:
    block = Block.objects.select_related("account", "target_account").filter(
        pk=block_id, account__domain__isnull=True, target_account__domain__isnull=False,
    ).first()
    if block is None:
        return
    activity = render.render_block(block_id=_block_id(block), actor=block.account.activitypub_id,
                                   target=block.target_account.uri)
    deliveries_create(activity=activity, signer=block.account, inboxes=inboxes_for([block.target_account]))


def _publish_poll_vote(vote_id: int) -> None:
    """A local vote in a remote poll: one Create(Note) per option chosen, to the poll's
    author, as Mastodon sends them."""
    from statuses.models import PollVote

    vote = PollVote.objects.select_related("account", "poll__status__account").filter(
        pk=vote_id, account__domain__isnull=True, poll__status__account__domain__isnull=False,
    ).first()
    if vote is None:
        return
    status, voter = vote.poll.status, vote.account
    note = render_vote(vote_id=f"{voter.activitypub_id}#votes/{vote.pk}", voter_id=voter.activitypub_id,
                       poll_status=status, choice_name=vote.poll.options[vote.choice])
    activity = {"@context": render.CONTEXT, "id": f"{note['id']}/activity", "type": "Create",
                "actor": voter.activitypub_id, "object": note, "to": note["to"]}
    deliveries_create(activity=activity, signer=voter, inboxes=inboxes_for([status.account]))


def publish_on_commit(kind: str, object_id: int) -> None:
    """Schedule `publish` after the caller's transaction (nothing when inbound)."""
    if suppressed():
        return
    from federation.tasks import publish

    transaction.on_commit(lambda: publish.send(kind, object_id))


# --- inside the caller's transaction: the rows are about to go ---------------------------


def status_deleted(status: Status) -> None:
    """Before a local status is deleted: Delete (or Undo Announce for a boost) to everyone
    who received it; its id answers 410 from now on."""
    if suppressed() or not status.account.is_local:
        return
    Tombstone.objects.get_or_create(uri=status.activitypub_id)
    if status.reblog_id:
        announce = render.render_announce(status)
        inboxes = inboxes_for(remote_followers(status.account)) | inboxes_for([status.reblog.account])
        deliveries_create(activity=render.render_undo(announce, actor=status.account.activitypub_id),
                          signer=status.account, inboxes=inboxes)
        return
    mentioned = [m.account for m in status.mentions.select_related("account")]
    to, cc = audience(visibility=status.visibility, author=status.account, mentioned=mentioned)
    activity = render.render_delete_note(uri=status.activitypub_id, author_id=status.account.activitypub_id,
                                         to=to, cc=cc)
    deliveries_create(activity=activity, signer=status.account, inboxes=status_recipients(status))


def favourite_removed(favourite: Favourite) -> None:
    if suppressed() or not favourite.account.is_local or favourite.status.account.is_local:
        return
    like = render.render_like(like_id=_like_id(favourite), actor=favourite.account.activitypub_id,
                              object_id=favourite.status.activitypub_id)
    deliveries_create(activity=render.render_undo(like, actor=favourite.account.activitypub_id),
                      signer=favourite.account, inboxes=inboxes_for([favourite.status.account]))


def _follow_uri(follower: Account, target: Account) -> str | None:
    for model in (Follow, FollowRequest):
        row = model.objects.filter(account=follower, target_account=target).first()
        if row is not None:
            return row.uri or f"{follower.activitypub_id}#follows/{row.pk}"
    return None


def relationship_ending(*, follower: Account, target: Account) -> None:
    """Before a follow (or request) between a local and a remote account is removed:
    Undo(Follow) when ours, Reject(Follow) when theirs (Mastodon's "remove follower")."""
    if suppressed() or follower.is_local == target.is_local:
        return
    uri = _follow_uri(follower, target)
    if uri is None:
        return
    if follower.is_local:
        follow = render.render_follow(follow_id=uri, actor=follower.activitypub_id, target=target.uri)
        deliveries_create(activity=render.render_undo(follow, actor=follower.activitypub_id),
                          signer=follower, inboxes=inboxes_for([target]))
    else:
        follow_answered(request_uri=uri, follower=follower, target=target, accepted=False)


def follow_answered(*, request_uri: str | None, follower: Account, target: Account, accepted: bool) -> None:
    """Accept or Reject a remote account's Follow of a local account."""
    if suppressed() or follower.is_local or not target.is_local:
        return
    uri = request_uri or f"{follower.uri}#follows/unknown"
    make = render.render_accept_follow if accepted else render.render_reject_follow
    activity = make(follow_id=uri, follower=follower.uri, target=target.activitypub_id)
    deliveries_create(activity=activity, signer=target, inboxes=inboxes_for([follower]))


def block_removed(block: Block) -> None:
    if suppressed() or not block.account.is_local or block.target_account.is_local:
        return
    activity = render.render_block(block_id=_block_id(block), actor=block.account.activitypub_id,
                                   target=block.target_account.uri)
    deliveries_create(activity=render.render_undo(activity, actor=block.account.activitypub_id),
                      signer=block.account, inboxes=inboxes_for([block.target_account]))
