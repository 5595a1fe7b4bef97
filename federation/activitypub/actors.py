"""Actors: remote ones parsed into RemoteActor, local accounts and the instance actor
rendered as Mastodon renders them."""

from dataclasses import dataclass, field
from datetime import datetime
from html import escape

from statuses.html import sanitize_html

from .common import (
    CONTEXT,
    ParseError,
    as_list,
    host_of,
    id_of,
    ids_of,
    is_url,
    iso,
    local_base,
    parse_datetime,
    require_url,
    text,
    types_of,
)

ACTOR_TYPES = ("Person", "Service", "Application", "Group", "Organization")
FIELDS_MAX = 16
USERNAME_MAX = 255


@dataclass
class RemoteActor:
    id: str
    type: str
    username: str
    display_name: str = ""
    summary_html: str = ""
    url: str = ""
    inbox: str = ""
    shared_inbox: str = ""
    outbox: str = ""
    followers: str = ""
    following: str = ""
    featured: str = ""
    featured_tags: str = ""
    public_key_id: str = ""
    public_key_pem: str = ""
    locked: bool = False
    bot: bool = False
    discoverable: bool = False
    avatar_url: str = ""
    header_url: str = ""
    fields: list[dict] = field(default_factory=list)
    also_known_as: list[str] = field(default_factory=list)
    moved_to: str = ""
    published: datetime | None = None

    @property
    def domain(self) -> str:
        return host_of(self.id)


def _image_url(value) -> str:
    for item in as_list(value):
        if isinstance(item, str) and is_url(item):
            return item
        if isinstance(item, dict):
            url = item.get("url")
            found = id_of(url) if not isinstance(url, str) else url
            if is_url(found):
                return found
    return ""


def _public_key(data: dict, key_id: str | None) -> tuple[str, str]:
    keys = [k for k in as_list(data.get("publicKey")) if isinstance(k, dict)]
    for key in keys:
        if key_id is None or key.get("id") == key_id:
            pem = key.get("publicKeyPem")
            if isinstance(pem, str) and "PUBLIC KEY" in pem:
                return key.get("id") or "", pem
    return "", ""


def _fields(value) -> list[dict]:
    fields = []
    for item in as_list(value):
        if isinstance(item, dict) and "PropertyValue" in types_of(item):
            name, content = text(item.get("name"), limit=255), text(item.get("value"), limit=2048)
            if name or content:
                fields.append({"name": name, "value": sanitize_html(content)})
    return fields[:FIELDS_MAX]


def parse_actor(data, *, key_id: str | None = None) -> RemoteActor:
    """Strict on id, type and preferredUsername; everything else is optional."""
    if not isinstance(data, dict):
        raise ParseError("An actor must be an object.")
    actor_id = require_url(data.get("id"), "The actor id")
    kind = next((t for t in types_of(data) if t in ACTOR_TYPES), None)
    if kind is None:
        raise ParseError("Not an actor type.")
    username = data.get("preferredUsername")
    if not isinstance(username, str) or not username.strip() or len(username) > USERNAME_MAX:
        raise ParseError("The actor has no usable preferredUsername.")
    endpoints = data.get("endpoints") if isinstance(data.get("endpoints"), dict) else {}
    key_id_found, pem = _public_key(data, key_id)

    def url_or_blank(value) -> str:
        found = id_of(value)
        return found if is_url(found) else ""

    url = data.get("url")
    profile = url if isinstance(url, str) else next(
        (u for u in ids_of(url) if is_url(u)), ""
    )
    return RemoteActor(
        id=actor_id,
        type=kind,
        username=username.strip(),
        display_name=text(data.get("name"), limit=2048).strip(),
        summary_html=sanitize_html(text(data.get("summary"), limit=20_000)),
        url=profile if is_url(profile) else "",
        inbox=url_or_blank(data.get("inbox")),
        shared_inbox=url_or_blank(endpoints.get("sharedInbox")),
        outbox=url_or_blank(data.get("outbox")),
        followers=url_or_blank(data.get("followers")),
        following=url_or_blank(data.get("following")),
        featured=url_or_blank(data.get("featured")),
        featured_tags=url_or_blank(data.get("featuredTags")),
        public_key_id=key_id_found,
        public_key_pem=pem,
        locked=data.get("manuallyApprovesFollowers") is True,
        bot=kind in ("Service", "Application"),
        discoverable=data.get("discoverable") is True,
        avatar_url=_image_url(data.get("icon")),
        header_url=_image_url(data.get("image")),
        fields=_fields(data.get("attachment")),
        also_known_as=[u for u in ids_of(data.get("alsoKnownAs")) if is_url(u)][:20],
        moved_to=url_or_blank(data.get("movedTo")),
        published=parse_datetime(data.get("published")),
    )


def parse_featured_tags(data, *, limit: int) -> tuple[list[str], str]:
    """An actor's `featuredTags` collection: (hashtag names without the #, at most `limit`,
    from the items embedded here or in an embedded first page; the first page's URL when
    it must be fetched, else "")."""
    if not isinstance(data, dict):
        raise ParseError("A collection must be an object.")
    items = data.get("orderedItems", data.get("items"))
    first = data.get("first")
    if items is None and isinstance(first, dict):
        items = first.get("orderedItems", first.get("items"))
    names = []
    for item in as_list(items):
        if isinstance(item, dict) and "Hashtag" in types_of(item):
            name = text(item.get("name"), limit=101).strip().removeprefix("#")
            if name and name.lower() not in {n.lower() for n in names}:
                names.append(name)
    next_page = first if items is None and isinstance(first, str) and is_url(first) else ""
    return names[:limit], next_page


# --- rendering ----------------------------------------------------------------------------


def actor_id(account) -> str:
    return account.activitypub_id


def key_id(account) -> str:
    return f"{account.activitypub_id}#main-key"


def shared_inbox_url() -> str:
    return f"{local_base()}/inbox"


def instance_actor_id() -> str:
    return f"{local_base()}/actor"


def _field_value_html(value: str) -> str:
    if is_url(value):
        link = escape(value)
        return f'<a href="{link}" rel="me nofollow noopener noreferrer" target="_blank">{link}</a>'
    return escape(value)


def _image(url: str, media_type: str = "") -> dict:
    image = {"type": "Image", "url": url}
    if media_type:
        image["mediaType"] = media_type
    return image


def render_actor(account, *, avatar_url: str = "", header_url: str = "", also_known_as=(),
                 moved_to: str = "") -> dict:
    """A local account as Person (Service for bots), with Mastodon's fields and context;
    `also_known_as` and `moved_to` are the ids of its other accounts (account migration)."""
    base = actor_id(account)
    document = {
        "@context": CONTEXT,
        "id": base,
        "type": "Service" if account.bot else "Person",
        "following": f"{base}/following",
        "followers": f"{base}/followers",
        "inbox": f"{base}/inbox",
        "outbox": f"{base}/outbox",
        "featured": f"{base}/collections/featured",
        "featuredTags": f"{base}/collections/tags",
        "preferredUsername": account.username,
        "name": account.display_name,
        "summary": account.note_html or "",
        "url": account.profile_url,
        "manuallyApprovesFollowers": account.locked,
        "discoverable": account.discoverable,
        "indexable": account.discoverable,
        "published": iso(account.created_at.replace(hour=0, minute=0, second=0, microsecond=0)),
        "memorial": False,
        "publicKey": {"id": key_id(account), "owner": base, "publicKeyPem": account.public_key},
        "tag": [],
        "attachment": [
            {"type": "PropertyValue", "name": f.get("name", ""),
             "value": _field_value_html(f.get("value", ""))}
            for f in account.fields or []
        ],
        "endpoints": {"sharedInbox": shared_inbox_url()},
    }
    if also_known_as:
        document["alsoKnownAs"] = list(also_known_as)
    if moved_to:
        document["movedTo"] = moved_to
    if avatar_url:
        document["icon"] = _image(avatar_url)
    if header_url:
        document["image"] = _image(header_url)
    return document


def render_featured_tag(*, name: str, href: str) -> dict:
    """One item of an actor's `featuredTags` collection, as Mastodon renders it."""
    return {"type": "Hashtag", "href": href, "name": f"#{name}"}


def render_instance_actor(*, public_key: str, domain: str) -> dict:
    """The server's own Application actor. interop(activityrelay): relays accept only an
    Application; Mastodon names it after the domain."""
    base = instance_actor_id()
    return {
        "@context": CONTEXT,
        "id": base,
        "type": "Application",
        "inbox": f"{base}/inbox",
        "outbox": f"{base}/outbox",
        "preferredUsername": domain,
        "url": f"{local_base()}/about",
        "manuallyApprovesFollowers": True,
        "publicKey": {"id": f"{base}#main-key", "owner": base, "publicKeyPem": public_key},
        "endpoints": {"sharedInbox": shared_inbox_url()},
    }
