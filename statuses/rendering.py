"""Local text to stored HTML: resolves @mentions to known accounts and #tags to tag pages."""

from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Lower

from accounts.models import Account

from .text import mentioned_accts, render_text


def _tag_url(name: str) -> str:
    return f"{settings.LOCAL_SCHEME}://{settings.LOCAL_DOMAIN}/tags/{name}"


def accounts_for_mentions(accts: list[str]) -> dict[str, Account]:
    """Known accounts for `user` / `user@domain` handles (lowercased keys), in one query.
    A handle naming our own domain is a local account."""
    if not accts:
        return {}
    local_domain = settings.LOCAL_DOMAIN.lower()
    query = Q()
    for acct in accts:
        username, _sep, domain = acct.partition("@")
        if not domain or domain == local_domain:
            query |= Q(lower_username=username.lower(), domain__isnull=True)
        else:
            query |= Q(lower_username=username.lower(), domain__iexact=domain)
    found = {}
    for account in Account.objects.annotate(lower_username=Lower("username")).filter(query):
        found[account.acct.lower()] = account
        if account.is_local:
            found[f"{account.username}@{local_domain}".lower()] = account
    return {acct: found[acct] for acct in accts if acct in found}


def render_status_text(text: str) -> tuple[str, list[Account]]:
    """HTML for a local status and the accounts it mentions."""
    mentioned = accounts_for_mentions(mentioned_accts(text))
    html = render_text(
        text,
        mention_url=lambda acct: mentioned[acct.lower()].profile_url
        if acct.lower() in mentioned else None,
        tag_url=_tag_url,
    )
    return html, list({a.pk: a for a in mentioned.values()}.values())


def render_bio(text: str) -> str:
    return render_status_text(text)[0] if text else ""
