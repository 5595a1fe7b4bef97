"""Activities: any incoming one parsed into Activity (its object kept as given, an IRI or
an embedded object); the ones we send rendered as Mastodon sends them."""

import hashlib
from dataclasses import dataclass, field

from .common import (
    CONTEXT,
    PUBLIC,
    ParseError,
    id_of,
    ids_of,
    is_url,
    iso,
    require_url,
    type_of,
)
from .notes import audience, followers_url, render_note


@dataclass
class Activity:
    id: str
    type: str
    actor: str
    object: object = None  # an IRI, an embedded dict, or None
    target: str | None = None
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    raw: dict = field(default_factory=dict)

    @property
    def object_id(self) -> str | None:
        return id_of(self.object)

    @property
    def object_type(self) -> str | None:
        """The embedded object's type; None when the object is a bare IRI."""
        return type_of(self.object)

    @property
    def embedded(self) -> dict | None:
        return self.object if isinstance(self.object, dict) else None


def parse_activity(data) -> Activity:
    """Strict on id, type and actor (all activities we act on have them)."""
    if not isinstance(data, dict):
        raise ParseError("An activity must be an object.")
    activity_id = require_url(data.get("id"), "The activity id")
    kind = type_of(data)
    if not kind:
        raise ParseError("The activity has no type.")
    actor = id_of(data.get("actor"))
    require_url(actor, "The activity actor")
    obj = data.get("object")
    if isinstance(obj, list):
        # interop(mastodon): Flag lists several objects; the rest take one.
        obj = obj if kind == "Flag" else (obj[0] if obj else None)
    if obj is not None and not isinstance(obj, (str, dict, list)):
        raise ParseError("Unusable activity object.")
    target = id_of(data.get("target"))
    return Activity(
        id=activity_id, type=kind, actor=actor, object=obj,
        target=target if is_url(target) else None,
        to=ids_of(data.get("to")), cc=ids_of(data.get("cc")), raw=data,
    )


# --- rendering ----------------------------------------------------------------------------


def _activity(activity_id: str, kind: str, actor: str, obj, **extra) -> dict:
    return {"@context": CONTEXT, "id": activity_id, "type": kind, "actor": actor, "object": obj,
            **extra}


def render_create(status) -> dict:
    note = render_note(status)
    return _activity(
        f"{status.activitypub_id}/activity", "Create", status.account.activitypub_id, note,
        published=note["published"], to=note["to"], cc=note["cc"],
    )


def render_update_note(status) -> dict:
    note = render_note(status)
    # Microseconds: two edits within a second are two activities, not one delivered twice.
    stamp = int(status.edited_at.timestamp() * 1_000_000) if status.edited_at else 0
    return _activity(
        f"{status.activitypub_id}#updates/{stamp}", "Update", status.account.activitypub_id, note,
        published=note.get("updated") or note["published"], to=note["to"], cc=note["cc"],
    )


def render_delete_note(*, uri: str, author_id: str, to: list[str], cc: list[str]) -> dict:
    return _activity(
        f"{uri}#delete", "Delete", author_id,
        {"id": uri, "type": "Tombstone", "atomUri": uri}, to=to, cc=cc,
    )


def render_announce(reblog) -> dict:
    original = reblog.reblog
    to, cc = audience(visibility=reblog.visibility, author=reblog.account, mentioned=[])
    cc = [original.account.activitypub_id] + [c for c in cc if c != original.account.activitypub_id]
    return _activity(
        reblog.activitypub_id, "Announce", reblog.account.activitypub_id,
        original.activitypub_id, published=iso(reblog.created_at), to=to, cc=cc,
    )


def render_undo(activity: dict, *, actor: str) -> dict:
    inner = {k: v for k, v in activity.items() if k != "@context"}
    return _activity(f"{inner['id']}/undo", "Undo", actor, inner,
                     to=inner.get("to", []), cc=inner.get("cc", []))


def render_follow(*, follow_id: str, actor: str, target: str) -> dict:
    return _activity(follow_id, "Follow", actor, target)


def render_accept_follow(*, follow_id: str, follower: str, target: str) -> dict:
    """interop(mastodon): the Follow embedded with bare ids; every peer reads this shape."""
    follow = {"id": follow_id, "type": "Follow", "actor": follower, "object": target}
    return _activity(f"{target}#accepts/follows/{_tail(follow_id)}", "Accept", target, follow)


def render_reject_follow(*, follow_id: str, follower: str, target: str) -> dict:
    follow = {"id": follow_id, "type": "Follow", "actor": follower, "object": target}
    return _activity(f"{target}#rejects/follows/{_tail(follow_id)}", "Reject", target, follow)


def _tail(uri: str) -> str:
    """A short, stable suffix for ids derived from another server's id."""
    return hashlib.sha256(uri.encode()).hexdigest()[:16]


def render_like(*, like_id: str, actor: str, object_id: str) -> dict:
    return _activity(like_id, "Like", actor, object_id)


def render_block(*, block_id: str, actor: str, target: str) -> dict:
    return _activity(block_id, "Block", actor, target)


def render_update_actor(*, actor_document: dict, stamp: int) -> dict:
    inner = {k: v for k, v in actor_document.items() if k != "@context"}
    return _activity(
        f"{inner['id']}#updates/{stamp}", "Update", inner["id"], inner,
        to=[PUBLIC], cc=[inner["followers"]] if "followers" in inner else [],
    )


def render_delete_actor(account) -> dict:
    return _activity(
        f"{account.activitypub_id}#delete", "Delete", account.activitypub_id,
        account.activitypub_id, to=[PUBLIC], cc=[followers_url(account)],
    )


def render_move(*, move_id: str, actor: str, target: str, followers: str) -> dict:
    """The actor moved to `target` (Mastodon's account migration), to its followers."""
    return _activity(move_id, "Move", actor, actor, target=target, to=[followers])
