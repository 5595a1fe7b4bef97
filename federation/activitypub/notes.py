"""Notes: remote ones (Note, Question, Article, Page) parsed into RemoteNote with
sanitized HTML; local statuses rendered with Mastodon's addressing for each visibility."""

from dataclasses import dataclass, field
from datetime import datetime
from html import unescape

import nh3

from statuses.html import sanitize_html

from .common import (
    CONTEXT,
    PUBLIC,
    PUBLIC_ALIASES,
    ParseError,
    absolute_media_url,
    as_list,
    id_of,
    ids_of,
    is_url,
    iso,
    language_text,
    local_web_base,
    parse_datetime,
    require_url,
    text,
    type_of,
    types_of,
)

NOTE_TYPES = ("Note", "Question", "Article", "Page")
ATTACHMENTS_MAX = 4
TAGS_MAX = 50
MENTIONS_MAX = 100


@dataclass
class RemoteAttachment:
    url: str
    media_type: str = ""
    description: str = ""
    blurhash: str = ""
    width: int | None = None
    height: int | None = None
    focus: tuple[float, float] = (0.0, 0.0)


@dataclass
class RemotePoll:
    options: list[str]
    multiple: bool = False
    end_time: datetime | None = None
    tallies: list[int] = field(default_factory=list)
    voters_count: int | None = None
    closed: bool = False


@dataclass
class RemoteNote:
    id: str
    type: str
    attributed_to: str
    content: str = ""  # sanitized HTML
    language: str = ""
    summary: str = ""  # plain text
    sensitive: bool = False
    in_reply_to: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    url: str = ""
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)  # actor ids
    hashtags: list[str] = field(default_factory=list)
    attachments: list[RemoteAttachment] = field(default_factory=list)
    name: str = ""  # a poll vote is a Note whose name is the option chosen
    poll: RemotePoll | None = None

    @property
    def is_vote(self) -> bool:
        return bool(self.name and self.in_reply_to and not self.content and self.type == "Note")

    @property
    def audience(self) -> list[str]:
        return self.to + self.cc


def plain_text(html: str) -> str:
    """Text of an HTML fragment, for fields we keep as text (content warnings)."""
    return unescape(nh3.clean(html, tags=set())).strip()


def _attachment(item) -> RemoteAttachment | None:
    if not isinstance(item, dict):
        return None
    url = item.get("url")
    if not isinstance(url, str):
        url = id_of(url)
    if not is_url(url):
        return None
    focus = item.get("focalPoint")
    try:
        focus = (float(focus[0]), float(focus[1])) if isinstance(focus, list) and len(focus) == 2 else (0, 0)
    except (TypeError, ValueError):
        focus = (0.0, 0.0)

    def dimension(value):
        return value if isinstance(value, int) and 0 < value < 100_000 else None

    return RemoteAttachment(
        url=url,
        media_type=text(item.get("mediaType"), limit=100),
        description=text(item.get("name") or item.get("summary"), limit=1500),
        blurhash=text(item.get("blurhash"), limit=100),
        width=dimension(item.get("width")),
        height=dimension(item.get("height")),
        focus=(max(-1.0, min(1.0, focus[0])), max(-1.0, min(1.0, focus[1]))),
    )


POLL_OPTIONS_MAX = 20


def _poll(data: dict) -> RemotePoll | None:
    multiple = "anyOf" in data and "oneOf" not in data
    options, tallies = [], []
    for item in as_list(data.get("anyOf" if multiple else "oneOf"))[:POLL_OPTIONS_MAX]:
        if isinstance(item, dict) and isinstance(item.get("name"), str) and item["name"].strip():
            options.append(item["name"].strip()[:200])
            replies = item.get("replies")
            count = replies.get("totalItems") if isinstance(replies, dict) else None
            tallies.append(count if isinstance(count, int) and count >= 0 else 0)
    if len(options) < 2:
        return None
    voters = data.get("votersCount")
    return RemotePoll(
        options=options, multiple=multiple, tallies=tallies,
        end_time=parse_datetime(data.get("endTime")) or parse_datetime(data.get("closed")),
        voters_count=voters if isinstance(voters, int) and voters >= 0 else None,
        closed="closed" in data,
    )


def _hashtag_name(item: dict) -> str:
    name = text(item.get("name"), limit=101).lstrip("#").strip()
    return name if name and len(name) <= 100 and all(c.isalnum() or c == "_" for c in name) else ""


def parse_note(data) -> RemoteNote:
    """Strict on id, type and attributedTo; content is sanitized here, once."""
    if not isinstance(data, dict):
        raise ParseError("A note must be an object.")
    note_id = require_url(data.get("id"), "The note id")
    kind = next((t for t in types_of(data) if t in NOTE_TYPES), None)
    if kind is None:
        raise ParseError("Not a note type.")
    author = next((a for a in ids_of(data.get("attributedTo")) if is_url(a)), None)
    if author is None:
        raise ParseError("The note has no author.")
    content, language = language_text(data, "content")
    if kind in ("Article", "Page") and isinstance(data.get("name"), str):
        # Mastodon shows the title of long-form posts above a link to them.
        content = f"<p><strong>{data['name'][:500]}</strong></p>{content}"
    summary, _lang = language_text(data, "summary")
    mentions, hashtags = [], []
    for item in as_list(data.get("tag")):
        if not isinstance(item, dict):
            continue
        kind_of_tag = type_of(item)
        if kind_of_tag == "Mention" and is_url(item.get("href")):
            mentions.append(item["href"])
        elif kind_of_tag == "Hashtag":
            name = _hashtag_name(item)
            if name:
                hashtags.append(name)
    url = data.get("url")
    url = url if isinstance(url, str) else next((u for u in ids_of(url) if is_url(u)), "")
    in_reply_to = id_of(data.get("inReplyTo"))
    attachments = [a for a in (_attachment(i) for i in as_list(data.get("attachment"))) if a]
    return RemoteNote(
        id=note_id,
        type=kind,
        attributed_to=author,
        content=sanitize_html(content),
        language=language,
        summary=plain_text(summary)[:1000],
        sensitive=data.get("sensitive") is True or bool(summary.strip()),
        in_reply_to=in_reply_to if is_url(in_reply_to) else None,
        published=parse_datetime(data.get("published")),
        updated=parse_datetime(data.get("updated")),
        url=url if is_url(url) else "",
        to=ids_of(data.get("to")),
        cc=ids_of(data.get("cc")),
        mentions=list(dict.fromkeys(mentions))[:MENTIONS_MAX],
        hashtags=list(dict.fromkeys(hashtags))[:TAGS_MAX],
        attachments=attachments[:ATTACHMENTS_MAX],
        name=text(data.get("name"), limit=200).strip() if kind == "Note" else "",
        poll=_poll(data) if kind == "Question" else None,
    )


def visibility_from_audience(to: list[str], cc: list[str], followers_url: str) -> str:
    """Mastodon's reading of addressing: Public in `to` is public, in `cc` unlisted; the
    author's followers collection makes it followers-only; anything else is direct."""
    if any(a in PUBLIC_ALIASES for a in to):
        return "public"
    if any(a in PUBLIC_ALIASES for a in cc):
        return "unlisted"
    if followers_url and followers_url in to + cc:
        return "private"
    return "direct"


# --- rendering ----------------------------------------------------------------------------


def followers_url(account) -> str:
    if account.is_local:
        return f"{account.activitypub_id}/followers"
    return account.followers_url


def audience(*, visibility: str, author, mentioned: list) -> tuple[list[str], list[str]]:
    """(to, cc) exactly as Mastodon addresses a status (ActivityPub::TagManager)."""
    mentions = [a.activitypub_id for a in mentioned]
    if visibility == "public":
        return [PUBLIC], [followers_url(author)] + mentions
    if visibility == "unlisted":
        return [followers_url(author)], [PUBLIC] + mentions
    if visibility == "private":
        return [followers_url(author)], mentions
    return mentions, []


def status_url(status) -> str:
    return local_web_base() + status.get_absolute_url()


def render_note(status) -> dict:
    """A local status as a Note. Reads status.mentions, tags, media and in_reply_to: the
    caller prefetches them."""
    author = status.account
    mentioned = [m.account for m in status.mentions.all()]
    to, cc = audience(visibility=status.visibility, author=author, mentioned=mentioned)
    tags = [
        {"type": "Mention", "href": a.activitypub_id, "name": f"@{a.full_acct}"} for a in mentioned
    ] + [
        {"type": "Hashtag", "href": f"{local_web_base()}/tags/{t.name}", "name": f"#{t.name}"}
        for t in status.tags.all()
    ]
    note = {
        "id": status.activitypub_id,
        "type": "Note",
        "summary": status.spoiler_text or None,
        "inReplyTo": status.in_reply_to.activitypub_id if status.in_reply_to_id else None,
        "published": iso(status.created_at),
        "url": status_url(status),
        "attributedTo": author.activitypub_id,
        "to": to,
        "cc": cc,
        "sensitive": status.sensitive,
        "content": status.content,
        "tag": tags,
        "attachment": [_render_media(m) for m in status.media.all()],
        "replies": {
            "id": f"{status.activitypub_id}/replies",
            "type": "Collection",
            "first": {
                "type": "CollectionPage",
                "partOf": f"{status.activitypub_id}/replies",
                "next": f"{status.activitypub_id}/replies?page=true",
                "items": [],
            },
        },
    }
    poll = _poll_of(status)
    if poll is not None:
        note.update(_render_poll(poll))
    if status.language:
        note["contentMap"] = {status.language: status.content}
    if status.edited_at:
        note["updated"] = iso(status.edited_at)
    return note


def _poll_of(status):
    from django.core.exceptions import ObjectDoesNotExist

    try:
        return status.poll
    except (ObjectDoesNotExist, AttributeError):
        return None


def _render_poll(poll) -> dict:
    """A local poll as Mastodon's Question: options as Notes with their vote counts."""
    from django.db.models import Count

    counts = dict(poll.votes.values_list("choice").annotate(n=Count("pk")))
    options = [
        {"type": "Note", "name": option, "replies": {"type": "Collection", "totalItems": counts.get(i, 0)}}
        for i, option in enumerate(poll.options)
    ]
    rendered = {
        "type": "Question",
        "anyOf" if poll.multiple else "oneOf": options,
        "votersCount": poll.votes.values("account").distinct().count(),
    }
    if poll.expires_at:
        rendered["endTime"] = iso(poll.expires_at)
        if poll.expired:
            rendered["closed"] = iso(poll.expires_at)
    return rendered


def render_vote(*, vote_id: str, voter_id: str, poll_status, choice_name: str) -> dict:
    """A vote in a remote poll, as Mastodon sends it: a Note named after the option."""
    return {
        "id": vote_id, "type": "Note", "attributedTo": voter_id, "name": choice_name,
        "inReplyTo": poll_status.activitypub_id, "to": [poll_status.account.activitypub_id],
    }


def _render_media(media) -> dict:
    url = media.remote_url or (absolute_media_url(media.file.url) if media.file else "")
    document = {
        "type": "Document",
        "mediaType": media.mime_type,
        "url": url,
        "name": media.description or None,
        "blurhash": media.blurhash or None,
        "focalPoint": [media.focus_x, media.focus_y],
    }
    if media.width and media.height:
        document["width"], document["height"] = media.width, media.height
    return document


def render_tombstone(uri: str) -> dict:
    return {"@context": CONTEXT, "id": uri, "type": "Tombstone"}


def with_context(document: dict) -> dict:
    return {"@context": CONTEXT, **document}
