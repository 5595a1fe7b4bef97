"""Instance-level controls: domain blocks and the allowlist (whom we federate with), e-mail
domain, IP and username blocks (who may sign up, or reach us at all), and the registration
mode. Writes check the actor's permission and are audit-logged; the `domain_policy`,
`registration_screen` and `ip_is_denied` checks are what federation, sign-up and the
middleware call."""

import ipaddress
import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.domain_blocks import DomainInvalidError, domain_normalize
from accounts.models import Account, Follow, FollowRequest, RegistrationMode, SiteSettings, User
from config import server_state
from config.errors import ApplicationError, NotFoundError

from .audit import SWEEP, audit_log, staff_require
from .models import (
    AuditLogEntry,
    DomainAllow,
    DomainBlock,
    DomainBlockSeverity,
    EmailDomainBlock,
    IPBlock,
    IPBlockSeverity,
    ModerationSettings,
    UsernameBlock,
)
from .roles import ROLES

# Open sign-ups switch to approval when no moderator has acted or logged in for this long.
UNWATCHED_AFTER = timedelta(days=7)


class IPInvalidError(ApplicationError):
    pass


class RegistrationBlockedError(ApplicationError):
    status_code = 403


# --- domains ------------------------------------------------------------------------------


def _domain_and_parents(domain: str) -> list[str]:
    """"a.b.example" → ["a.b.example", "b.example", "example"]: a block covers subdomains."""
    labels = domain.lower().split(":")[0].rstrip(".").split(".")
    return [".".join(labels[i:]) for i in range(len(labels))]


def _accounts_on(domain: str):
    return Account.objects.filter(Q(domain__iexact=domain) | Q(domain__iendswith=f".{domain}"))


def _most_specific_in(rows: dict, domain: str):
    """The row for the domain itself, else for its nearest parent, from rows by domain."""
    return next((rows[d] for d in _domain_and_parents(domain) if d in rows), None)


def _most_specific(model, domain: str):
    found = model.objects.filter(domain__in=_domain_and_parents(domain))
    return _most_specific_in({row.domain: row for row in found}, domain)


@dataclass(frozen=True)
class DomainPolicy:
    """What we do with a remote domain. `refused`: drop its activities and fetch nothing."""

    refused: bool = False
    limited: bool = False
    reject_media: bool = False
    reject_reports: bool = False


@dataclass(frozen=True)
class _DomainRules:
    blocks: dict[str, DomainBlock]
    allowed: dict[str, DomainAllow]
    allowlist_mode: bool


def _domain_rules() -> _DomainRules:
    """Every domain block and allow (a few thousand rows on a busy server), memoized per
    process under the server state's generation (config/server_state.py): the inbox, its
    worker and every delivery ask for a domain's policy, and a new block must count at once."""
    return server_state.remembered("domain_rules", lambda: _DomainRules(
        blocks={block.domain: block for block in DomainBlock.objects.all()},
        allowed={allow.domain: allow for allow in DomainAllow.objects.all()},
        allowlist_mode=ModerationSettings.current().allowlist_mode,
    ))


def domain_policy(domain: str | None) -> DomainPolicy:
    """The policy for a remote domain (None is us): the most specific block for it or a
    parent domain, and the allowlist when limited federation is on."""
    if not domain:
        return DomainPolicy()
    rules = _domain_rules()
    block = _most_specific_in(rules.blocks, domain)
    allowed = not rules.allowlist_mode or _most_specific_in(rules.allowed, domain) is not None
    if block is None:
        return DomainPolicy(refused=not allowed)
    return DomainPolicy(
        refused=block.severity == DomainBlockSeverity.SUSPEND or not allowed,
        limited=block.severity == DomainBlockSeverity.LIMIT,
        reject_media=block.reject_media or block.severity == DomainBlockSeverity.SUSPEND,
        reject_reports=block.reject_reports or block.severity == DomainBlockSeverity.SUSPEND,
    )


def account_apply_domain_policy(*, account: Account) -> Account:
    """Give a newly known remote account the suspension or limit of its domain's block
    (federation calls this when it creates one). The block's creation time is the stamp,
    so lifting the block lifts exactly what it imposed."""
    if account.is_local:
        return account
    block = _most_specific_in(_domain_rules().blocks, account.domain)
    if block is None:
        return account
    field = {DomainBlockSeverity.SUSPEND: "suspended_at", DomainBlockSeverity.LIMIT: "silenced_at"}.get(
        block.severity
    )
    if field and getattr(account, field) is None:
        Account.objects.filter(pk=account.pk).update(**{field: block.created_at})
        setattr(account, field, block.created_at)
    return account


def _block_apply(block: DomainBlock) -> None:
    accounts = _accounts_on(block.domain)
    if block.severity == DomainBlockSeverity.SUSPEND:
        accounts.filter(suspended_at__isnull=True).update(suspended_at=block.created_at)
        # Sever follows both ways between our people and theirs. Home feeds need no
        # cleaning: the visibility rule already hides suspended authors.
        remote = accounts.values("pk")
        for model in (Follow, FollowRequest):
            model.objects.filter(Q(account__in=remote) | Q(target_account__in=remote)).delete()
    elif block.severity == DomainBlockSeverity.LIMIT:
        accounts.filter(silenced_at__isnull=True).update(silenced_at=block.created_at)


def _block_undo(block: DomainBlock) -> None:
    accounts = _accounts_on(block.domain)
    accounts.filter(suspended_at=block.created_at).update(suspended_at=None)
    accounts.filter(silenced_at=block.created_at).update(silenced_at=None)


@transaction.atomic
def domain_block_create(
    *,
    domain: str,
    by: User | None,
    severity: str = DomainBlockSeverity.SUSPEND,
    reject_media: bool = False,
    reject_reports: bool = False,
    private_comment: str = "",
    public_comment: str = "",
    obfuscate: bool = False,
) -> DomainBlock:
    """Block a domain and its subdomains, or change an existing block. Suspend: its accounts
    are hidden everywhere, follows with them severed, its activities refused; limit: its
    accounts are seen only by their followers."""
    domain = domain_normalize(domain)
    existing = DomainBlock.objects.filter(domain=domain).first()
    staff_require(by, "moderation.change_domainblock" if existing else "moderation.add_domainblock")
    if severity not in DomainBlockSeverity.values:
        raise ApplicationError(_("Unknown severity."), field="severity")
    if domain == settings.LOCAL_DOMAIN.split(":")[0].lower():
        raise DomainInvalidError(_("This is our own domain."), field="domain")
    block = existing or DomainBlock(domain=domain)
    if existing:
        _block_undo(existing)
    block.severity, block.reject_media, block.reject_reports = severity, reject_media, reject_reports
    block.private_comment, block.public_comment = private_comment.strip(), public_comment.strip()
    block.obfuscate = obfuscate
    block.save()
    _block_apply(block)
    audit_log(
        by=by, action="domain_block.update" if existing else "domain_block.create", target=block,
        reason=block.private_comment,
        details={"severity": severity, "reject_media": reject_media, "reject_reports": reject_reports},
    )
    return block


@transaction.atomic
def domain_block_remove(*, domain: str, by: User | None) -> None:
    """Lift a block and what it imposed (not the suspensions moderators made one by one).
    Severed follows stay severed."""
    staff_require(by, "moderation.delete_domainblock")
    block = DomainBlock.objects.filter(domain=domain_normalize(domain)).first()
    if block is None:
        raise NotFoundError(_("“%(domain)s” is not blocked.") % {"domain": domain})
    _block_undo(block)
    block.delete()
    audit_log(by=by, action="domain_block.remove", target=block.domain)


@transaction.atomic
def domain_allow_create(*, domain: str, by: User | None) -> DomainAllow:
    staff_require(by, "moderation.add_domainallow")
    allow, created = DomainAllow.objects.get_or_create(domain=domain_normalize(domain))
    if created:
        audit_log(by=by, action="domain_allow.create", target=allow)
    return allow


@transaction.atomic
def domain_allow_remove(*, domain: str, by: User | None) -> None:
    staff_require(by, "moderation.delete_domainallow")
    deleted, _rows = DomainAllow.objects.filter(domain=domain_normalize(domain)).delete()
    if not deleted:
        raise NotFoundError(_("“%(domain)s” is not on the allowlist.") % {"domain": domain})
    audit_log(by=by, action="domain_allow.remove", target=domain_normalize(domain))


@transaction.atomic
def allowlist_mode_set(*, enabled: bool, by: User | None) -> ModerationSettings:
    """Limited federation: when on, only allowlisted domains federate with us."""
    staff_require(by, "moderation.change_moderationsettings")
    row = ModerationSettings.current()
    row.allowlist_mode = enabled
    row.save(update_fields=["allowlist_mode"])
    audit_log(by=by, action="federation.allowlist_mode", target=row, details={"enabled": enabled})
    return row


# --- e-mail domains -----------------------------------------------------------------------


@transaction.atomic
def email_domain_block_create(
    *, domain: str, by: User | None, allow_with_approval: bool = False,
) -> EmailDomainBlock:
    staff_require(by, "moderation.add_emaildomainblock")
    block, _created = EmailDomainBlock.objects.update_or_create(
        domain=domain_normalize(domain), defaults={"allow_with_approval": allow_with_approval},
    )
    audit_log(by=by, action="email_domain_block.create", target=block,
              details={"allow_with_approval": allow_with_approval})
    return block


@transaction.atomic
def email_domain_block_remove(*, domain: str, by: User | None) -> None:
    staff_require(by, "moderation.delete_emaildomainblock")
    normalized = domain_normalize(domain)
    deleted, _rows = EmailDomainBlock.objects.filter(domain=normalized).delete()
    if not deleted:
        raise NotFoundError(_("“%(domain)s” is not blocked.") % {"domain": domain})
    audit_log(by=by, action="email_domain_block.remove", target=normalized)


# --- IP ranges ----------------------------------------------------------------------------


def ip_network_normalize(value: str) -> str:
    """"192.0.2.7" → "192.0.2.7/32"; "192.0.2.7/24" → "192.0.2.0/24"."""
    try:
        return str(ipaddress.ip_network(value.strip(), strict=False))
    except ValueError:
        raise IPInvalidError(
            _("“%(ip)s” is not an IP address or range (CIDR).") % {"ip": value}, field="ip",
        ) from None


@transaction.atomic
def ip_block_create(
    *, ip: str, severity: str, by: User | None, comment: str = "",
    duration: timedelta | None = None,
) -> IPBlock:
    staff_require(by, "moderation.add_ipblock")
    network = ip_network_normalize(ip)
    if severity not in IPBlockSeverity.values:
        raise ApplicationError(_("Unknown severity."), field="severity")
    if duration is not None and duration <= timedelta(0):
        raise ApplicationError(_("A duration must be positive."), field="duration")
    block, _created = IPBlock.objects.update_or_create(
        ip=network,
        defaults={
            "severity": severity, "comment": comment.strip(),
            "expires_at": timezone.now() + duration if duration else None,
        },
    )
    audit_log(by=by, action="ip_block.create", target=block, reason=block.comment,
              details={"severity": severity, "expires_at": block.expires_at and block.expires_at.isoformat()})
    return block


@transaction.atomic
def ip_block_remove(*, ip: str, by: User | None) -> None:
    staff_require(by, "moderation.delete_ipblock")
    network = ip_network_normalize(ip)
    deleted, _rows = IPBlock.objects.filter(ip=network).delete()
    if not deleted:
        raise NotFoundError(_("“%(ip)s” is not blocked.") % {"ip": network})
    audit_log(by=by, action="ip_block.remove", target=network)


def ip_blocks_expire(*, now) -> int:
    deleted, _rows = IPBlock.objects.filter(expires_at__lte=now).delete()
    return deleted


def _matching(blocks, ip: str | None) -> list:
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return []
    return [b for b in blocks if address in ipaddress.ip_network(b.ip)]


def _no_access_blocks() -> list[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, object]]:
    return [
        (ipaddress.ip_network(network), expires_at)
        for network, expires_at in IPBlock.objects.filter(severity=IPBlockSeverity.NO_ACCESS)
        .values_list("ip", "expires_at")
    ]


def ip_is_denied(ip: str | None) -> bool:
    """Whether an unexpired "no access" block covers this address. Every request asks: the
    table of a few rows is memoized per generation of the server's state, so a new or
    lifted block counts at once (config/server_state.py)."""
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return False
    now = timezone.now()
    return any(
        address in network and IPBlock.unexpired(expires_at, now)
        for network, expires_at in server_state.remembered("ip_blocks", _no_access_blocks)
    )


# --- usernames ----------------------------------------------------------------------------


def _username_key(value: str) -> str:
    # "Ad_Min" must not get past a block on "admin".
    return re.sub(r"[_.\-]", "", value.lower())


@transaction.atomic
def username_block_create(
    *, username: str, by: User | None, exact: bool = False, allow_with_approval: bool = False,
) -> UsernameBlock:
    staff_require(by, "moderation.add_usernameblock")
    word = username.strip().lower()
    if not _username_key(word):
        raise ApplicationError(_("Give a word to block."), field="username")
    block, _created = UsernameBlock.objects.update_or_create(
        username=word, defaults={"exact": exact, "allow_with_approval": allow_with_approval},
    )
    audit_log(by=by, action="username_block.create", target=block,
              details={"exact": exact, "allow_with_approval": allow_with_approval})
    return block


@transaction.atomic
def username_block_remove(*, username: str, by: User | None) -> None:
    staff_require(by, "moderation.delete_usernameblock")
    word = username.strip().lower()
    deleted, _rows = UsernameBlock.objects.filter(username=word).delete()
    if not deleted:
        raise NotFoundError(_("“%(word)s” is not blocked.") % {"word": word})
    audit_log(by=by, action="username_block.remove", target=word)


# --- sign-up ------------------------------------------------------------------------------


def mx_hosts(domain: str) -> list[str]:
    """The mail servers of a domain, or none when it cannot be resolved in a few seconds
    (sign-up is not held up by a slow DNS)."""
    import dns.exception
    import dns.resolver

    try:
        answer = dns.resolver.resolve(domain, "MX", lifetime=3)
    except (dns.exception.DNSException, OSError):
        return []
    return [str(record.exchange).rstrip(".").lower() for record in answer]


def _email_domain_block(email: str) -> EmailDomainBlock | None:
    """The block for the address's domain, or for the domain of one of its mail servers:
    a throwaway service behind a fresh domain name still has the same MX (as Mastodon
    checks)."""
    domain = email.rpartition("@")[2].strip().lower()
    if not domain or not EmailDomainBlock.objects.exists():
        return None
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    block = _most_specific(EmailDomainBlock, domain)
    if block is None:
        for host in mx_hosts(domain):
            block = _most_specific(EmailDomainBlock, host)
            if block is not None:
                break
    return block


def _username_block(username: str) -> UsernameBlock | None:
    key = _username_key(username)
    for block in UsernameBlock.objects.all():
        word = _username_key(block.username)
        if (block.exact and key == word) or (not block.exact and word in key):
            return block
    return None


def registration_screen(*, email: str, username: str, ip: str | None = None) -> bool:
    """Check a sign-up against the e-mail domain, username and IP blocks. Raises
    RegistrationBlockedError; returns True when the sign-up may go on only with approval."""
    needs_approval = False
    email_block = _email_domain_block(email)
    if email_block is not None:
        if not email_block.allow_with_approval:
            raise RegistrationBlockedError(
                _("Sign-ups with this e-mail provider are not accepted."), field="email",
            )
        needs_approval = True
    username_block = _username_block(username)
    if username_block is not None:
        if not username_block.allow_with_approval:
            raise RegistrationBlockedError(_("This username is not available."), field="username")
        needs_approval = True
    severities = {b.severity for b in _matching(IPBlock.objects.active(), ip)}
    if severities & {IPBlockSeverity.SIGN_UP_BLOCK, IPBlockSeverity.NO_ACCESS}:
        raise RegistrationBlockedError(_("Sign-ups from your network are not accepted."))
    return needs_approval or IPBlockSeverity.APPROVAL in severities


@transaction.atomic
def registrations_set(*, mode: str, by: User | None) -> SiteSettings:
    """Open, approval-required or closed sign-ups."""
    staff_require(by, "accounts.change_sitesettings")
    if mode not in RegistrationMode.values:
        raise ApplicationError(_("Unknown registration mode."), field="registration_mode")
    site = SiteSettings.current()
    site.registration_mode = mode
    site.save(update_fields=["registration_mode"])
    audit_log(by=by, action="registrations.set", target=site, details={"mode": mode})
    return site


def _moderators_active_since(since) -> bool:
    staff = User.objects.filter(is_active=True).filter(
        Q(is_superuser=True) | Q(groups__name__in=list(ROLES))
    )
    return (
        staff.filter(last_login__gte=since).exists()
        or AuditLogEntry.objects.filter(actor__in=staff, created_at__gte=since).exists()
    )


@transaction.atomic
def registrations_auto_close(*, now) -> bool:
    """Open sign-ups that no moderator has watched (acted or logged in) for a week switch
    to approval-required, so nobody wakes up to a server full of spam (as Mastodon does)."""
    site = SiteSettings.current()
    if site.registration_mode != RegistrationMode.OPEN or _moderators_active_since(now - UNWATCHED_AFTER):
        return False
    site.registration_mode = RegistrationMode.APPROVAL
    site.save(update_fields=["registration_mode"])
    audit_log(
        by=None, actor_name=SWEEP, action="registrations.set", target=site,
        details={"mode": RegistrationMode.APPROVAL},
        reason=_("No moderator has been active for %(days)d days.") % {"days": UNWATCHED_AFTER.days},
    )
    return True
