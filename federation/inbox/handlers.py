"""One handler per (activity type, object type). Each checks the origin rule (the signer
may only touch its own objects, on its own host), then calls the domain services under
`inbound()`, so nothing echoes back. Unknown combinations are ignored."""

import logging

from django.utils import timezone

from accounts.domain_blocks import is_domain_blocked_either_way
from accounts.models import Account, Block, Follow, FollowRequest
from accounts.services import (
    block_create,
    block_remove,
    follow_accept,
    follow_reject,
    follow_request,
    is_blocked_either_way,
    unfollow,
)
from federation.activitypub.actors import ACTOR_TYPES, parse_actor
from federation.activitypub.common import id_of, local_base
from federation.activitypub.notes import NOTE_TYPES, parse_note
from federation.services.actors import (
    account_by_uri,
    actor_resolve,
    actor_upsert_remote,
    fetch_object,
    local_username_from_uri,
)
from federation.services.outbound import follow_answered, inbound
from federation.services.statuses import (
    OriginError,
    check_origin,
    favourite_receive,
    note_is_relevant,
    pin_receive,
    pin_remove_remote,
    poll_vote_receive,
    reblog_receive,
    status_by_uri,
    status_delete_remote,
    status_update_remote,
    status_upsert_remote,
)
from statuses.models import Favourite, Status

logger = logging.getLogger(__name__)

HANDLERS = {}
ANY = "*"  # any object type, and bare IRIs


def handles(activity_type: str, *object_types: str):
    def register(function):
        for object_type in object_types or (ANY,):
            HANDLERS[(activity_type, object_type)] = function
        return function
    return register


def dispatch(activity, actor: Account) -> bool:
    """Run the handler for this activity; False when nobody handles it."""
    handler = HANDLERS.get((activity.type, activity.object_type)) or HANDLERS.get((activity.type, ANY))
    if handler is None:
        logger.info("ignored %s (%s) from %s", activity.type, activity.object_type, actor.uri)
        return False
    handler(activity, actor)
    return True


def _local_account(uri: str | None) -> Account | None:
    if not local_username_from_uri(uri or ""):
        return None
    account = account_by_uri(uri)
    return account if account is not None and not account.is_suspended else None


def _inner_actor_is(activity, actor: Account) -> None:
    """An embedded activity (in Undo, Accept…) must be the signer's own."""
    inner = activity.embedded
    if inner is not None and "actor" in inner and id_of(inner["actor"]) != actor.uri:
        raise OriginError("The embedded activity belongs to someone else.")


# --- follows ------------------------------------------------------------------------------


@handles("Follow")
def handle_follow(activity, actor: Account) -> None:
    target = _local_account(activity.object_id)
    if target is None:
        return
    if is_blocked_either_way(actor, target) or is_domain_blocked_either_way(actor, target):
        follow_answered(request_uri=activity.id, follower=actor, target=target, accepted=False)
        return
    if Follow.objects.filter(account=actor, target_account=target).exists():
        # interop(mastodon): a repeated Follow means the peer lost our Accept: say it again.
        follow_answered(request_uri=activity.id, follower=actor, target=target, accepted=True)
        return
    with inbound():
        result = follow_request(follower=actor, target=target)
    model = Follow if isinstance(result, Follow) else FollowRequest
    if not model.objects.filter(uri=activity.id).exists():
        model.objects.filter(pk=result.pk).update(uri=activity.id)
    if model is Follow:
        follow_answered(request_uri=activity.id, follower=actor, target=target, accepted=True)


def _our_follow_request(activity, actor: Account) -> tuple[FollowRequest | None, Account | None]:
    """The request of ours an Accept or Reject answers, in any of the shapes seen: the
    Follow's id alone, or the Follow embedded with bare ids or with full objects."""
    inner = activity.embedded
    if inner is not None and inner.get("type") not in (None, "Follow"):
        return None, None
    follow_id = activity.object_id
    follower = None
    if inner is not None:
        if id_of(inner.get("object")) not in (None, actor.uri):
            raise OriginError("An actor can only answer follows of itself.")
        follower = _local_account(id_of(inner.get("actor")))
    if follower is None and follow_id and follow_id.startswith(local_base()):
        follower = _local_account(follow_id.split("#", 1)[0])
    request = None
    if follow_id:
        request = FollowRequest.objects.filter(uri=follow_id, target_account=actor).first()
    if request is None and follower is not None:
        request = FollowRequest.objects.filter(account=follower, target_account=actor).first()
    return request, follower


@handles("Accept")
def handle_accept(activity, actor: Account) -> None:
    request, _follower = _our_follow_request(activity, actor)
    if request is None:
        return  # accepted already, or not ours
    uri = request.uri
    with inbound():
        follow = follow_accept(follow_request=request)
    if uri and not Follow.objects.filter(uri=uri).exists():
        Follow.objects.filter(pk=follow.pk, uri__isnull=True).update(uri=uri)


@handles("Reject")
def handle_reject(activity, actor: Account) -> None:
    request, follower = _our_follow_request(activity, actor)
    with inbound():
        if request is not None:
            follow_reject(follow_request=request)
        elif follower is not None:
            # A Reject after the Accept: the remote account removed us from its followers.
            unfollow(follower=follower, target=actor)
        elif activity.object_id:
            follow = Follow.objects.filter(uri=activity.object_id, target_account=actor).first()
            if follow is not None:
                unfollow(follower=follow.account, target=actor)


# --- undo ---------------------------------------------------------------------------------


@handles("Undo")
def handle_undo(activity, actor: Account) -> None:
    _inner_actor_is(activity, actor)
    inner_type, inner_id, inner = activity.object_type, activity.object_id, activity.embedded
    target_id = id_of(inner.get("object")) if inner else None
    with inbound():
        if inner_type in ("Follow", None):
            follow = (Follow.objects.filter(uri=inner_id, account=actor).first()
                      or FollowRequest.objects.filter(uri=inner_id, account=actor).first())
            target = follow.target_account if follow else _local_account(target_id)
            if target is not None and (follow or inner_type == "Follow"):
                unfollow(follower=actor, target=target)
                return
        if inner_type in ("Like", None):
            favourites = Favourite.objects.filter(account=actor, uri=inner_id)
            if not favourites.exists() and target_id:
                favourites = Favourite.objects.filter(account=actor, status=status_by_uri(target_id))
            if favourites.exists() or inner_type == "Like":
                favourites.delete()
                return
        if inner_type in ("Announce", None):
            reblog = Status.objects.filter(uri=inner_id, account=actor, reblog__isnull=False).first()
            if reblog is not None:
                from statuses.services import status_delete

                status_delete(status=reblog, by=actor)
                return
        if inner_type in ("Block", None):
            block = Block.objects.filter(uri=inner_id, account=actor).first()
            target = block.target_account if block else _local_account(target_id)
            if target is not None:
                block_remove(account=actor, target=target)


# --- notes --------------------------------------------------------------------------------


def _audience_is_local(activity) -> bool:
    return any(local_username_from_uri(uri) for uri in activity.to + activity.cc)


@handles("Create", *NOTE_TYPES, ANY)
def handle_create_note(activity, actor: Account) -> None:
    data = activity.embedded
    if data is None:
        object_id = activity.object_id
        if not object_id or status_by_uri(object_id):
            return
        check_origin(object_id, actor)
        follows = Follow.objects.filter(target_account=actor, account__domain__isnull=True).exists()
        if not follows and not _audience_is_local(activity):
            return  # unsolicited: dropped without fetching
        data = fetch_object(object_id)
    elif data.get("type") not in NOTE_TYPES:
        return
    note = parse_note(data)
    if note.attributed_to != actor.uri:
        raise OriginError("A Create must come from the note's author.")
    check_origin(note.id, actor)
    if note.is_vote:
        poll_vote_receive(note=note, voter=actor)
        return
    if not note_is_relevant(note, actor):
        return
    status_upsert_remote(note=note, author=actor)


@handles("Update", *NOTE_TYPES)
def handle_update_note(activity, actor: Account) -> None:
    note = parse_note(activity.embedded)
    if note.attributed_to != actor.uri:
        raise OriginError("Only the author can update a note.")
    status_update_remote(note=note, author=actor)


@handles("Update", *ACTOR_TYPES)
def handle_update_actor(activity, actor: Account) -> None:
    remote = parse_actor(activity.embedded)
    if remote.id != actor.uri:
        raise OriginError("An actor can only update itself.")
    actor_upsert_remote(remote)


@handles("Delete")
def handle_delete(activity, actor: Account) -> None:
    object_id = activity.object_id
    if not object_id:
        return
    if object_id == actor.uri:
        account_delete_remote(actor)
        return
    status_delete_remote(uri=object_id, actor=actor)


def account_delete_remote(actor: Account) -> None:
    """The actor deleted itself: its posts and relationships go; the row stays, suspended,
    so its uri cannot be reused to impersonate it."""
    with inbound():
        Follow.objects.filter(account=actor).delete()
        Follow.objects.filter(target_account=actor).delete()
        FollowRequest.objects.filter(account=actor).delete()
        FollowRequest.objects.filter(target_account=actor).delete()
        Status.objects.filter(account=actor).delete()
        Account.objects.filter(pk=actor.pk).update(suspended_at=timezone.now())


# --- boosts, favourites, blocks -----------------------------------------------------------


@handles("Announce")
def handle_announce(activity, actor: Account) -> None:
    object_id = activity.object_id
    if not object_id:
        return
    target = status_by_uri(object_id)
    if target is None:
        followed = Follow.objects.filter(target_account=actor, account__domain__isnull=True).exists()
        if not followed or local_username_from_uri(object_id.split("/statuses/")[0]):
            return  # nobody here reads this booster, or a status of ours we do not have
        # Never trust an embedded copy from the booster: fetch the original from its host.
        note = parse_note(fetch_object(object_id))
        if note.id != object_id:
            raise OriginError("The boosted object has another id.")
        author = actor_resolve(note.attributed_to)
        target = status_upsert_remote(note=note, author=author)
        if target is None:
            return
    reblog_receive(activity_id=activity.id, actor=actor, target=target, to=activity.to, cc=activity.cc)


@handles("Like")
def handle_like(activity, actor: Account) -> None:
    target = status_by_uri(activity.object_id)
    if target is not None:
        favourite_receive(like_id=activity.id, actor=actor, target=target)


@handles("Block")
def handle_block(activity, actor: Account) -> None:
    target = _local_account(activity.object_id)
    if target is None:
        return
    with inbound():
        block = block_create(account=actor, target=target)
    if not Block.objects.filter(uri=activity.id).exists():
        Block.objects.filter(pk=block.pk, uri__isnull=True).update(uri=activity.id)


# --- featured (pinned) posts --------------------------------------------------------------


def _featured_status_uri(activity, actor: Account) -> str | None:
    """The status an Add/Remove puts in or takes out of the actor's own featured collection
    (None for other collections, such as featured hashtags); it must be on the actor's host."""
    featured = getattr(getattr(actor, "actor_info", None), "featured_url", "")
    if not featured or activity.target != featured or not activity.object_id:
        return None
    if activity.object_type not in (None, *NOTE_TYPES):
        return None
    check_origin(activity.object_id, actor)
    return activity.object_id


@handles("Add")
def handle_add(activity, actor: Account) -> None:
    uri = _featured_status_uri(activity, actor)
    if uri is not None:
        pin_receive(actor=actor, uri=uri)


@handles("Remove")
def handle_remove(activity, actor: Account) -> None:
    uri = _featured_status_uri(activity, actor)
    if uri is not None:
        pin_remove_remote(actor=actor, uri=uri)


# --- reports ------------------------------------------------------------------------------


@handles("Flag")
def handle_flag(activity, actor: Account) -> None:
    """A report from another server about our accounts (and their statuses), into
    moderation. Mastodon sends it from its instance actor, keeping the reporter anonymous."""
    try:
        from moderation.reports import report_create_remote
    except ImportError:  # before moderation split reports out of its services module
        from moderation.services import report_create_remote

    items = activity.object if isinstance(activity.object, list) else [activity.object]
    objects = [uri for uri in (id_of(o) for o in items) if uri]
    targets = {a.pk: a for a in (_local_account(uri) for uri in objects) if a is not None}
    statuses = [s for s in (status_by_uri(uri) for uri in objects) if s is not None and s.is_local]
    content = activity.raw.get("content")
    for target in targets.values():
        uri = activity.id if len(targets) == 1 else f"{activity.id}#{target.pk}"
        report_create_remote(
            reporter=actor, target=target, uri=uri,
            comment=content if isinstance(content, str) else "",
            statuses=[s for s in statuses if s.account_id == target.pk],
        )


# --- moves --------------------------------------------------------------------------------


@handles("Move")
def handle_move(activity, actor: Account) -> None:
    """The actor moved to `target`. Confirmed only when the new actor, fetched fresh (or
    ours), lists the old one in alsoKnownAs; then our local followers follow the new one."""
    from accounts.moves import also_known_as, followers_migrate
    from federation.models import ActorInfo
    from federation.services.actors import actor_fetch

    if activity.object_id != actor.uri or not activity.target:
        raise OriginError("An actor can only move itself.")
    new = actor_fetch(activity.target)
    if new.pk == actor.pk or actor.uri not in also_known_as(new):
        raise OriginError("The new account does not confirm the move (alsoKnownAs).")
    ActorInfo.objects.filter(account=actor).update(moved_to=new.uri or new.activitypub_id)
    Account.objects.filter(pk=actor.pk).update(moved_to_account=new)
    followers_migrate(old=actor, new=new)
