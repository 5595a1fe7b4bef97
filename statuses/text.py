"""Plain text → HTML for statuses and bios: URLs, @mentions and #hashtags become links, the
rest is escaped. Pure: the caller resolves mentions to profile URLs."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from linkify_it import LinkifyIt

from .html import sanitize_html

MENTION_RE = re.compile(
    r"(?<![\w/@.])@(?P<username>[a-z0-9_]{1,30})(?:@(?P<domain>[a-z0-9-]+(?:\.[a-z0-9-]+)+))?"
    r"(?![\w@])",
    re.IGNORECASE,
)
# A hashtag has at least one letter, so "#1" stays text; word characters in any script.
HASHTAG_RE = re.compile(r"(?<![\w/#&])#(?P<name>\w*[^\W\d_]\w*)", re.UNICODE)
# Mastodon counts every link as this many characters, whatever its length.
URL_PLACEHOLDER_LENGTH = 23
URL_DISPLAY_LENGTH = 30

_linkify = LinkifyIt(options={"fuzzy_link": False, "fuzzy_email": False, "fuzzy_ip": False})


@dataclass(frozen=True)
class Token:
    kind: str  # "text", "url", "mention", "hashtag"
    text: str
    value: str = ""  # url / "user" or "user@domain" / tag name


def _url_spans(text: str) -> list[tuple[int, int, str]]:
    matches = _linkify.match(text) or []
    return [
        (m.index, m.last_index, m.url)
        for m in matches
        if m.url.lower().startswith(("http://", "https://"))  # HTTPS://… is a link too
    ]


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    for start, end, url in _url_spans(text) + [(len(text), len(text), "")]:
        tokens.extend(_tokenize_words(text[position:start]))
        if url:
            tokens.append(Token("url", text[start:end], url))
        position = end
    return tokens


def _tokenize_words(chunk: str) -> list[Token]:
    pattern = re.compile(f"{MENTION_RE.pattern}|{HASHTAG_RE.pattern}", re.IGNORECASE | re.UNICODE)
    tokens, position = [], 0
    for match in pattern.finditer(chunk):
        if match.start() > position:
            tokens.append(Token("text", chunk[position:match.start()]))
        if match.group("username"):
            acct = match.group("username")
            if match.group("domain"):
                acct += "@" + match.group("domain").lower()
            tokens.append(Token("mention", match.group(0), acct))
        else:
            tokens.append(Token("hashtag", match.group(0), match.group("name")))
        position = match.end()
    if position < len(chunk):
        tokens.append(Token("text", chunk[position:]))
    return tokens


def mentioned_accts(text: str) -> list[str]:
    """Distinct `user` / `user@domain` handles in order of appearance."""
    seen: dict[str, None] = {}
    for token in tokenize(text):
        if token.kind == "mention":
            seen.setdefault(token.value.lower(), None)
    return list(seen)


def hashtags(text: str) -> list[str]:
    seen: dict[str, str] = {}
    for token in tokenize(text):
        if token.kind == "hashtag":
            seen.setdefault(token.value.lower(), token.value)
    return list(seen.values())


def text_length(text: str) -> int:
    """Length as Mastodon counts it: a link is 23 characters, a remote mention counts its
    username only."""
    length = 0
    for token in tokenize(text):
        if token.kind == "url":
            length += URL_PLACEHOLDER_LENGTH
        elif token.kind == "mention":
            length += 1 + len(token.value.split("@")[0])
        else:
            length += len(token.text)
    return length


def _render_url(url: str) -> str:
    shown = re.sub(r"^https?://(www\.)?", "", url, flags=re.IGNORECASE)
    if len(shown) > URL_DISPLAY_LENGTH:
        shown = (
            f'<span class="ellipsis">{escape(shown[:URL_DISPLAY_LENGTH])}</span>'
            f'<span class="invisible">{escape(shown[URL_DISPLAY_LENGTH:])}</span>'
        )
    else:
        shown = escape(shown)
    return f'<a href="{escape(url)}" rel="nofollow noopener noreferrer" translate="no">{shown}</a>'


def render_text(
    text: str,
    *,
    mention_url: Callable[[str], str | None],
    tag_url: Callable[[str], str],
) -> str:
    """Paragraphs on blank lines, <br> on single newlines; `mention_url(acct)` gives a profile
    URL, or None to leave an unknown handle as text."""
    paragraphs = re.split(r"\n\s*\n", text.strip().replace("\r\n", "\n"))
    rendered = []
    for paragraph in paragraphs:
        parts = []
        for token in tokenize(paragraph):
            if token.kind == "url":
                parts.append(_render_url(token.value))
            elif token.kind == "mention" and (url := mention_url(token.value)):
                username = token.value.split("@")[0]
                parts.append(
                    f'<span class="h-card" translate="no"><a href="{escape(url)}" '
                    f'class="u-url mention">@<span>{escape(username)}</span></a></span>'
                )
            elif token.kind == "hashtag":
                parts.append(
                    f'<a href="{escape(tag_url(token.value))}" class="mention hashtag" '
                    f'rel="tag">#<span>{escape(token.value)}</span></a>'
                )
            else:
                parts.append(escape(token.text).replace("\n", "<br>"))
        rendered.append(f"<p>{''.join(parts)}</p>")
    return sanitize_html("".join(rendered))
