"""Vocabulary shared by the parse and render modules."""

import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings

from config.errors import ApplicationError

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
# interop(fedify, pleroma): the public audience is also written compacted.
PUBLIC_ALIASES = {PUBLIC, "as:Public", "Public"}
AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
SECURITY_CONTEXT = "https://w3id.org/security/v1"
# The terms Mastodon defines, so JSON-LD readers (Fedify) see our extensions.
TOOT_TERMS = {
    "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
    "sensitive": "as:sensitive",
    "Hashtag": "as:Hashtag",
    "toot": "http://joinmastodon.org/ns#",
    "featured": {"@id": "toot:featured", "@type": "@id"},
    "featuredTags": {"@id": "toot:featuredTags", "@type": "@id"},
    "alsoKnownAs": {"@id": "as:alsoKnownAs", "@type": "@id"},
    "movedTo": {"@id": "as:movedTo", "@type": "@id"},
    "schema": "http://schema.org#",
    "PropertyValue": "schema:PropertyValue",
    "value": "schema:value",
    "discoverable": "toot:discoverable",
    "indexable": "toot:indexable",
    "memorial": "toot:memorial",
    "Emoji": "toot:Emoji",
    "blurhash": "toot:blurhash",
    "focalPoint": {"@container": "@list", "@id": "toot:focalPoint"},
    "votersCount": "toot:votersCount",
}
CONTEXT = [AS_CONTEXT, SECURITY_CONTEXT, TOOT_TERMS]
MAX_TEXT_LENGTH = 100_000


class ParseError(ApplicationError):
    """A document lacks what we need from it, or has it in an unusable form."""

    status_code = 400
    default_message = "Unusable ActivityPub document."


def as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def id_of(value) -> str | None:
    """The id of a value that is either an IRI or an object with an id (or a Link)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        found = value.get("id") or value.get("href")
        return found if isinstance(found, str) else None
    if isinstance(value, list) and value:
        return id_of(value[0])
    return None


def ids_of(value) -> list[str]:
    return [i for i in (id_of(v) for v in as_list(value)) if i]


def type_of(value) -> str | None:
    """The first type of an object (types may be arrays: ["Person", "vcard:individual"])."""
    if not isinstance(value, dict):
        return None
    for item in as_list(value.get("type")):
        if isinstance(item, str):
            return item
    return None


def types_of(value) -> list[str]:
    if not isinstance(value, dict):
        return []
    return [t for t in as_list(value.get("type")) if isinstance(t, str)]


def is_url(value) -> bool:
    if not isinstance(value, str) or len(value) > 2048:
        return False
    parts = urlsplit(value)
    return parts.scheme in ("https", "http") and bool(parts.hostname)


def require_url(value, what: str) -> str:
    if not is_url(value):
        raise ParseError(f"{what} must be an absolute http(s) URL.")
    return value


def host_of(url: str | None) -> str:
    """The host (with port) of a URL, lowercased: origins are compared on this."""
    if not url:
        return ""
    try:
        return (urlsplit(url).netloc or "").lower()
    except ValueError:
        return ""


def text(value, *, limit: int = MAX_TEXT_LENGTH) -> str:
    return value[:limit] if isinstance(value, str) else ""


def language_text(data: dict, key: str) -> tuple[str, str]:
    """(text, language) from `key` or, when absent, the first entry of `keyMap`."""
    value = data.get(key)
    mapping = data.get(f"{key}Map")
    if isinstance(value, str):
        language = next(iter(mapping), "") if isinstance(mapping, dict) else ""
        return text(value), language if isinstance(language, str) else ""
    if isinstance(mapping, dict):
        for language, item in mapping.items():
            if isinstance(item, str):
                return text(item), language[:10]
    return "", ""


_FRACTION_RE = re.compile(r"(\.\d{6})\d+")


def parse_datetime(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    # interop(fedify): nanosecond precision; Python takes microseconds.
    cleaned = _FRACTION_RE.sub(r"\1", value.strip()).replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_base() -> str:
    """The base of our ActivityPub ids (always https, as Account.activitypub_id)."""
    return f"https://{settings.LOCAL_DOMAIN}"


def local_web_base() -> str:
    """The base of our web pages and media URLs."""
    return f"{settings.LOCAL_SCHEME}://{settings.LOCAL_DOMAIN}"


def absolute_media_url(url: str) -> str:
    return url if url.startswith(("http://", "https://")) else local_web_base() + url
