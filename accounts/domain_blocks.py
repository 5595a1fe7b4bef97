"""A user's blocks of whole remote domains (Mastodon's user domain blocks) and the domain
name rule they share with the instance-level blocks in moderation.blocks. What a block
hides is decided by the visibility rule (statuses/permissions.py) and the notification
selector, which read `domains_blocked_by`."""

import re

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from config.errors import ApplicationError

from .models import Account, AccountDomainBlock, Notification

LABEL_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


class DomainInvalidError(ApplicationError):
    pass


def domain_normalize(domain: str) -> str:
    """A domain as stored and compared: lower case, IDNA (punycode), no trailing dot; a
    leading "*." is accepted since blocks always cover subdomains."""
    value = domain.strip().lower().rstrip(".").removeprefix("*.")
    try:
        value = value.encode("idna").decode("ascii")
    except UnicodeError:
        raise DomainInvalidError(_("“%(domain)s” is not a domain name.") % {"domain": domain}) from None
    labels = value.split(".")
    if len(value) > 253 or len(labels) < 2 or not all(LABEL_RE.match(label) for label in labels):
        raise DomainInvalidError(_("“%(domain)s” is not a domain name.") % {"domain": domain})
    return value


def is_domain_blocked_either_way(a: Account, b: Account) -> bool:
    """Whether either account's user blocks the other's domain (follows are refused)."""
    return (
        b.domain is not None and AccountDomainBlock.objects.filter(account=a, domain=b.domain).exists()
    ) or (
        a.domain is not None and AccountDomainBlock.objects.filter(account=b, domain=a.domain).exists()
    )


@transaction.atomic
def account_domain_block_create(*, account: Account, domain: str) -> AccountDomainBlock:
    """Hide `domain` from `account`: ends follows and follow requests both ways with its
    accounts (Undo / Reject federated on commit by `unfollow`) and drops the notifications
    they sent. Blocking a domain twice is one block."""
    from .services import unfollow

    domain = domain_normalize(domain)
    if domain == settings.LOCAL_DOMAIN.split(":")[0].lower():
        raise DomainInvalidError(_("This is our own domain."), field="domain")
    block, _created = AccountDomainBlock.objects.get_or_create(account=account, domain=domain)
    on_domain = Account.objects.filter(domain=domain)
    followed = on_domain.filter(
        Q(follower_set__account=account) | Q(follow_requests_received__account=account)
    ).distinct()
    followers = on_domain.filter(
        Q(following_set__target_account=account) | Q(follow_requests_sent__target_account=account)
    ).distinct()
    for target in list(followed):
        unfollow(follower=account, target=target)
    for follower in list(followers):
        unfollow(follower=follower, target=account)
    Notification.objects.filter(account=account, from_account__domain=domain).delete()
    return block


def account_domain_block_remove(*, account: Account, domain: str) -> None:
    """Show `domain` again; what the block ended (follows, notifications) stays ended."""
    AccountDomainBlock.objects.filter(account=account, domain=domain_normalize(domain)).delete()
