"""Mastodon's OAuth scopes. A token holding a top-level scope (`read`, `write`) holds every
granular scope under it (`read:statuses` …); the legacy `follow` scope holds the
relationship ones. Endpoints name the granular scope they need."""

from django.utils.translation import gettext_lazy as _

TOP_LEVEL = {
    "read": _("read all your account's data"),
    "write": _("modify all your account's data"),
    "follow": _("modify account relationships"),
    "push": _("receive your push notifications"),
    "profile": _("read only your account's profile information"),
}
GRANULAR = {
    "read:accounts": _("see accounts information"),
    "read:blocks": _("see your blocks"),
    "read:bookmarks": _("see your bookmarks"),
    "read:favourites": _("see your favourites"),
    "read:filters": _("see your filters"),
    "read:follows": _("see your follows"),
    "read:lists": _("see your lists"),
    "read:mutes": _("see your mutes"),
    "read:notifications": _("see your notifications"),
    "read:search": _("search on your behalf"),
    "read:statuses": _("see all posts"),
    "write:accounts": _("modify your profile"),
    "write:blocks": _("block accounts and domains"),
    "write:bookmarks": _("bookmark posts"),
    "write:conversations": _("mute and delete conversations"),
    "write:favourites": _("favourite posts"),
    "write:filters": _("create filters"),
    "write:follows": _("follow people"),
    "write:lists": _("create lists"),
    "write:media": _("upload media files"),
    "write:mutes": _("mute people and conversations"),
    "write:notifications": _("clear your notifications"),
    "write:reports": _("report other people"),
    "write:statuses": _("publish posts"),
}
ALL_SCOPES = {**TOP_LEVEL, **GRANULAR}
DEFAULT_SCOPES = ["read"]
# What the legacy `follow` scope stands for (Mastodon's doorkeeper configuration).
FOLLOW_IMPLIES = {
    "read:follows", "write:follows", "read:blocks", "write:blocks", "read:mutes", "write:mutes",
}


def scopes_parse(value) -> list[str]:
    """Scopes from a space- or plus-separated string or a list, deduplicated in order."""
    if isinstance(value, list | tuple):
        value = " ".join(str(v) for v in value)
    seen: dict[str, None] = {}
    for scope in str(value or "").replace("+", " ").split():
        seen.setdefault(scope, None)
    return list(seen)


def scope_granted(granted: set[str] | list[str], required: str) -> bool:
    """Whether a token with `granted` scopes may do what needs `required`."""
    granted = set(granted)
    if required in granted:
        return True
    top = required.split(":", 1)[0]
    if ":" in required and top in granted:
        return True
    return "follow" in granted and required in FOLLOW_IMPLIES
