"""What search asks federation: turn `@user@domain` or a pasted profile or post URL into
an Account or a Status, fetching (signed, by the instance actor) what we do not hold. The
caller still checks what the viewer may see (statuses.permissions)."""

import re

from accounts.models import Account
from config.errors import ApplicationError
from federation.activitypub.actors import ACTOR_TYPES, parse_actor
from federation.activitypub.common import is_url, types_of
from federation.activitypub.notes import NOTE_TYPES
from federation.services.actors import (
    account_by_uri,
    account_resolve_acct,
    actor_upsert_remote,
    fetch_object,
)
from federation.services.statuses import status_by_uri, status_fetch_remote
from statuses.models import Status

ACCT_RE = re.compile(r"^@?(?P<username>[\w.-]+)@(?P<domain>[\w.-]+(?::\d+)?)$")


def resolve(query: str) -> Account | Status | None:
    """None when nothing usable is found (unreachable servers and refusals included)."""
    query = query.strip()
    try:
        match = ACCT_RE.match(query)
        if match:
            return account_resolve_acct(f"{match['username']}@{match['domain']}")
        if not is_url(query):
            return None
        known = account_by_uri(query) or status_by_uri(query)
        if known is not None:
            return known
        data = fetch_object(query)
        kinds = set(types_of(data))
        if kinds & set(ACTOR_TYPES):
            return actor_upsert_remote(parse_actor(data))
        if kinds & set(NOTE_TYPES) and isinstance(data.get("id"), str):
            return status_fetch_remote(data["id"])
    except ApplicationError:
        return None
    return None
