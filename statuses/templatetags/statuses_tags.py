"""Template helpers for statuses: the status card, short times, avatars, icons."""

import re
from html import unescape
from urllib.parse import urlsplit

from django import template
from django.core.exceptions import ObjectDoesNotExist
from django.templatetags.static import static
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from statuses.models import Visibility
from statuses.permissions import PUBLIC_VISIBILITIES

register = template.Library()

VISIBILITY_ICONS = {
    Visibility.PUBLIC: "globe",
    Visibility.UNLISTED: "unlock",
    Visibility.PRIVATE: "lock",
    Visibility.DIRECT: "at",
}


@register.simple_tag
def icon(name: str, label: str = ""):
    """An icon from the sprite; decorative unless given a label."""
    if label:
        return format_html(
            '<svg class="icon" role="img" aria-label="{}"><use href="{}#{}"></use></svg>',
            label, static("icons.svg"), name,
        )
    return format_html(
        '<svg class="icon" aria-hidden="true" focusable="false"><use href="{}#{}"></use></svg>',
        static("icons.svg"), name,
    )


def _remote_image(account, field: str) -> str:
    """A remote actor's avatar or header as its origin URL (kept by federation's ActorInfo,
    read through the reverse relation, so no federation import): https only, since the
    URL comes from another server; "" for local accounts and when unknown."""
    if account.is_local:
        return ""
    try:
        url = getattr(account.actor_info, field)
    except ObjectDoesNotExist:
        return ""
    return url if url and urlsplit(url).scheme.lower() == "https" else ""


@register.filter
def remote_avatar_url(account) -> str:
    return "" if account.avatar else _remote_image(account, "avatar_url")


@register.filter
def avatar_url(account) -> str:
    if account.avatar:
        return account.avatar.url
    return _remote_image(account, "avatar_url") or static("images/avatar.svg")


@register.filter
def header_url(account) -> str:
    """The profile banner, or "" when there is none (the page shows a plain band)."""
    return account.header.url if account.header else _remote_image(account, "header_url")


@register.filter
def visibility_icon(visibility: str) -> str:
    return VISIBILITY_ICONS.get(visibility, "globe")


NOTIFICATION_ICONS = {
    "follow": "user-plus",
    "follow_request": "user-plus",
    "mention": "at",
    "reblog": "boost",
    "favourite": "star",
    "update": "edit",
}


@register.filter
def notification_icon(notification_type: str) -> str:
    return NOTIFICATION_ICONS.get(notification_type, "bell")


@register.filter
def plain_text(html: str) -> str:
    """Status HTML as one line of text (for excerpts and titles); escaped again on output."""
    spaced = re.sub(r"(?i)<br\s*/?>|</p>", " ", html or "")
    return " ".join(unescape(strip_tags(spaced)).split())


@register.filter
def short_time(value) -> str:
    """"now", "5m", "3h", "Mar 4", "Mar 4, 2023": the compact times of a timeline."""
    seconds = (timezone.now() - value).total_seconds()
    if seconds < 60:
        return pgettext("time", "now")
    if seconds < 3600:
        return _("%(n)dm") % {"n": seconds // 60}
    if seconds < 86400:
        return _("%(n)dh") % {"n": seconds // 3600}
    if value.year == timezone.now().year:
        return date_format(value, "M j")
    return date_format(value, "M j, Y")


@register.inclusion_tag("statuses/_status.html", takes_context=True)
def status_card(context, status, focal=False, show_pinned=False):
    """A status (or a boost, shown as the post it boosts) with its buttons. Reads the page's
    `state` (statuses.selectors.viewer_state, computed once for the whole page). `focal` is
    the post a status page is about; `show_pinned` labels a profile's pinned posts."""
    request = context["request"]
    state = context["state"]
    viewer = getattr(request.user, "account", None) if request.user.is_authenticated else None
    target = status.reblog if status.reblog_id else status
    own = viewer is not None and target.account_id == viewer.pk
    return {
        "request": request,
        "viewer": viewer,
        "card_id": status.pk,
        "status": target,
        "boosted_by": status.account if status.reblog_id else None,
        "focal": focal,
        "show_pinned": show_pinned,
        "own": own,
        "media": list(target.media.all()),
        "next": f"{request.get_full_path()}#status-{status.pk}",
        "favourited": target.pk in state.favourited,
        "reblogged": target.pk in state.reblogged,
        "bookmarked": target.pk in state.bookmarked,
        "pinned": target.pk in state.pinned,
        "favourites_count": state.favourites_count.get(target.pk, 0),
        "reblogs_count": state.reblogs_count.get(target.pk, 0),
        "replies_count": state.replies_count.get(target.pk, 0),
        # As the service: public and unlisted posts, and one's own followers-only posts.
        "can_reblog": target.visibility in PUBLIC_VISIBILITIES
        or (own and target.visibility == Visibility.PRIVATE),
        "can_pin": own and target.visibility in PUBLIC_VISIBILITIES,
    }
