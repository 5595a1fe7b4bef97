"""Template helpers for statuses: the status card, short times, avatars, icons."""

import functools
import hashlib
import re
from html import unescape
from urllib.parse import urlsplit

from django import template
from django.core.cache import caches
from django.core.exceptions import ObjectDoesNotExist
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import urlencode
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

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


def _own_avatar(account) -> str:
    """The account's avatar, uploaded here or on its server; "" when it has none."""
    return account.avatar.url if account.avatar else _remote_image(account, "avatar_url")


@register.filter
def avatar_url(account) -> str:
    return _own_avatar(account) or static("images/avatar.svg")


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


# The card's action URLs, per status: reversed once per page with this stand-in id, then
# filled in by string formatting (a page of 20 cards would otherwise reverse ~80 URLs).
_ID_STAND_IN = 918273645546372819
_ACTION_URLS = ("reblog", "unreblog", "favourite", "unfavourite", "bookmark", "unbookmark",
                "pin", "unpin", "edit", "delete")
_CARD_ICONS = ("reply", "boost", "star", "bookmark", "pin", "edit", "trash", *VISIBILITY_ICONS.values())


def _card_labels() -> dict:
    """The card's fixed texts, translated once per page rather than once per card."""
    return {
        "edited": _("edited"),
        "reply": _("Reply"),
        "boost": _("Boost"),
        "undo_boost": _("Undo boost"),
        "cannot_boost": _("This post cannot be boosted: only its audience may see it."),
        "cannot_boost_hidden": _("Boost (not possible: only its audience may see this post)"),
        "favourite": _("Favourite"),
        "remove_favourite": _("Remove from favourites"),
        "bookmark": _("Bookmark"),
        "remove_bookmark": _("Remove bookmark"),
        "more": _("More"),
        "more_actions": _("More actions"),
        "pin": _("Pin on profile"),
        "unpin": _("Unpin from profile"),
        "edit": _("Edit"),
        "delete": _("Delete"),
        "replies": _("Replies"),
        "boosts": _("Boosts"),
        "favourites": _("Favourites"),
    }


# Per language and script prefix: what every card shows the same on every page. Static URLs
# go in, so a change of static storage (tests switch it) empties it.
_card_constants: dict[tuple[str, str], dict] = {}


@receiver(setting_changed)
def _forget_card_constants(*, setting, **kwargs) -> None:
    if setting in ("STORAGES", "STATIC_URL"):
        _card_constants.clear()


def _constants() -> dict:
    key = (get_language(), get_script_prefix())
    constants = _card_constants.get(key)
    if constants is None:
        constants = _card_constants[key] = {
            "labels": _card_labels(),
            "icons": {name: icon(name) for name in _CARD_ICONS},
            "urls": {
                name: reverse(f"statuses:{name}", kwargs={"status_id": _ID_STAND_IN}).replace(
                    str(_ID_STAND_IN), "{}")
                for name in _ACTION_URLS
            },
            "compose_url": reverse("statuses:compose"),
            "default_avatar": static("images/avatar.svg"),
        }
    return constants


def _card_page(context) -> dict:
    """What every card of a page shares (labels, icons, URL patterns, the CSRF field, the
    page's path), built by the first card and kept on the request for the others."""
    request = context["request"]
    key = get_language()
    cached = getattr(request, "_status_card_page", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    csrf_token = context.get("csrf_token")
    # As {% csrf_token %} renders it.
    if not csrf_token:
        csrf_input = ""
    elif csrf_token == "NOTPROVIDED":
        csrf_input = format_html("")
    else:
        csrf_input = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', csrf_token)
    full_path = request.get_full_path()
    page = {
        **_constants(),
        "csrf_input": csrf_input,
        "full_path": full_path,
        "delete_next": urlencode(full_path),
    }
    request._status_card_page = (key, page)
    return page


def _fragment_key(*shown) -> str:
    """The cache key of a card fragment: a digest of every value the fragment shows, plus
    the language it is written in. A fragment is a pure function of these, so an edit, a
    new display name or avatar, a changed description gives a new key, never a stale
    fragment; none of them is viewer-specific, so a key is shared safely. Which statuses a
    viewer gets at all was decided before (statuses.permissions)."""
    return hashlib.blake2b(repr((get_language(), *shown)).encode(), digest_size=16).hexdigest()


# Stands for the page's CSRF field in a cached card footer. Any `<` a value brings into the
# footer is escaped, so only the template itself can write this.
_CSRF_STAND_IN = "<csrf-input>"


def _cached_fragment(context, template_name: str, key: str, values: dict) -> str:
    """A fragment from the "fragments" cache, or rendered from its template and stored."""
    fragments = caches["fragments"]
    html = fragments.get(key)
    if html is None:
        html = context.template.engine.get_template(template_name).render(context.new(values))
        fragments.set(key, html)
    return html


def _card_actions(context, values: dict) -> str:
    """A card's footer: the viewer's buttons. Cached by every value it shows (none of them
    says who the viewer is), with the page's own CSRF field put in after."""
    page = values["page"]
    key = _fragment_key(
        "actions", values["card_id"], page["full_path"], values["logged_in"], values["own"],
        *(values[name] for name in _ACTION_STATE),
    )
    html = _cached_fragment(
        context, "statuses/_status_actions.html", key,
        {**values, "csrf_input": mark_safe(_CSRF_STAND_IN)},
    )
    return mark_safe(html.replace(_CSRF_STAND_IN, page["csrf_input"]))


@functools.lru_cache(maxsize=1024)
def _time_link_start(url: str, created_at, _language: str, _timezone: str) -> str:
    """The link and `<time>` element a post's time sits in: the same for every viewer
    reading in the same language and time zone (both in the key), so formatting the full
    date for the title happens once per post instead of once per card shown."""
    local = timezone.template_localtime(created_at)
    return format_html(
        '<a class="status-time" href="{}"><time datetime="{}" title="{}">', url, local.isoformat(),
        date_filter(local, "DATETIME_FORMAT"),
    )


def _card_time(status, label_edited: str) -> str:
    """The link to a post with its compact time: outside the cached head, since "5m" ages."""
    edited = format_html(
        '<span class="edited">*</span><span class="visually-hidden">{}</span>', label_edited,
    ) if status.edited_at else ""
    start = _time_link_start(
        status.get_absolute_url(), status.created_at, get_language(), timezone.get_current_timezone_name(),
    )
    return format_html("{}{}</time>{}</a>", mark_safe(start), short_time(status.created_at), edited)


_ACTION_STATE = (
    "visibility", "favourited", "reblogged", "bookmarked", "pinned", "favourites_count",
    "reblogs_count", "replies_count", "can_reblog", "can_pin",
)


@register.simple_tag(takes_context=True)
def status_card(context, status, focal=False, show_pinned=False):
    """A status (or a boost, shown as the post it boosts) with its buttons. Reads the page's
    `state` (statuses.selectors.viewer_state, computed once for the whole page). `focal` is
    the post a status page is about; `show_pinned` labels a profile's pinned posts.

    Put together from fragments: the head and the body, cached by digests of every value
    they show (nothing viewer-specific), the time, and the viewer's buttons. Assembling
    them here instead of in a card template halves what a card costs to render."""
    request = context["request"]
    state = context["state"]
    page = _card_page(context)
    urls = page["urls"]
    viewer = getattr(request.user, "account", None) if request.user.is_authenticated else None
    target = status.reblog if status.reblog_id else status
    pk = target.pk
    own = viewer is not None and target.account_id == viewer.pk
    favourited = pk in state.favourited
    reblogged = pk in state.reblogged
    bookmarked = pk in state.bookmarked
    pinned = pk in state.pinned
    boosted_by = status.account if status.reblog_id else None
    author_avatar = _own_avatar(target.account) or page["default_avatar"]
    media = list(target.media.all())
    visibility_icon = page["icons"][VISIBILITY_ICONS.get(target.visibility, "globe")]
    actions = {
        "page": page,
        "t": page["labels"],
        "icons": page["icons"],
        "visibility_icon": visibility_icon,
        "card_id": status.pk,
        "status": target,
        "logged_in": viewer is not None,
        "own": own,
        "visibility": target.visibility,
        "next": f"{page['full_path']}#status-{status.pk}",
        "favourited": favourited,
        "reblogged": reblogged,
        "bookmarked": bookmarked,
        "pinned": pinned,
        "boost_url": urls["unreblog" if reblogged else "reblog"].format(pk),
        "favourite_url": urls["unfavourite" if favourited else "favourite"].format(pk),
        "bookmark_url": urls["unbookmark" if bookmarked else "bookmark"].format(pk),
        "pin_url": urls["unpin" if pinned else "pin"].format(pk),
        "edit_url": urls["edit"].format(pk),
        "delete_url": urls["delete"].format(pk),
        "favourites_count": state.favourites_count.get(pk, 0),
        "reblogs_count": state.reblogs_count.get(pk, 0),
        "replies_count": state.replies_count.get(pk, 0),
        # As the service: public and unlisted posts, and one's own followers-only posts.
        "can_reblog": target.visibility in PUBLIC_VISIBILITIES
        or (own and target.visibility == Visibility.PRIVATE),
        "can_pin": own and target.visibility in PUBLIC_VISIBILITIES,
    }
    shown = {
        "t": page["labels"],
        "icons": page["icons"],
        "visibility_icon": visibility_icon,
        "status": target,
        "boosted_by": boosted_by,
        "author_avatar": author_avatar,
        "focal": focal,
        "show_pinned": show_pinned,
        "media": media,
    }
    head_key = _fragment_key(
        "head", status.pk, focal, show_pinned, target.visibility, target.in_reply_to_id,
        target.in_reply_to_account.acct if target.in_reply_to_account_id else None,
        target.account_id, target.account.name, target.account.acct, author_avatar,
        boosted_by and (boosted_by.pk, boosted_by.name, boosted_by.acct),
    )
    body_key = _fragment_key(
        "body", pk, target.content, target.spoiler_text, target.language, target.sensitive,
        [(m.pk, m.file.name, m.thumbnail.name, m.remote_url, m.width, m.height, m.description)
         for m in media],
    )
    return format_html(
        '<article class="status{}" id="status-{}">{}\n      {}\n    </span>\n  </header>\n'
        '{}{}\n  {}\n</article>',
        " focal" if focal else "", status.pk,
        mark_safe(_cached_fragment(context, "statuses/_status_head.html", head_key, shown)),
        "" if focal else _card_time(target, page["labels"]["edited"]),
        mark_safe(_cached_fragment(context, "statuses/_status_body.html", body_key, shown)),
        mark_safe(context.template.engine.get_template("statuses/_status_details.html").render(
            context.new(shown))) if focal else "",
        _card_actions(context, actions),
    )
