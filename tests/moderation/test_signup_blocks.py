"""Who may sign up and who may reach us: e-mail domain, username and IP blocks, the
approval queue, and open sign-ups closing themselves when nobody watches."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import RegistrationMode, SiteSettings, User
from accounts.services import signup
from moderation.blocks import (
    IPInvalidError,
    RegistrationBlockedError,
    email_domain_block_create,
    ip_block_create,
    ip_block_remove,
    username_block_create,
)
from moderation.models import AuditLogEntry, IPBlock
from moderation.services import moderation_sweep
from tests.factories import PASSWORD

from .pages import text_of

pytestmark = pytest.mark.django_db


def _signup(username="zoe", email="zoe@example.com", ip=None):
    return signup(username=username, email=email, password=PASSWORD, agreement=True, ip=ip)


def test_a_blocked_email_domain_and_its_subdomains_cannot_sign_up(client):
    email_domain_block_create(domain="spam.example", by=None)

    for email in ("zoe@spam.example", "zoe@mail.SPAM.example"):
        with pytest.raises(RegistrationBlockedError):
            _signup(email=email)
    response = client.post("/auth/sign_up", {
        "username": "zoe", "email": "zoe@spam.example", "password": PASSWORD, "agreement": "on",
    })
    assert "Sign-ups with this e-mail provider are not accepted." in text_of(response)
    assert not User.objects.exists()


def test_an_address_whose_mail_servers_are_blocked_cannot_sign_up(monkeypatch):
    email_domain_block_create(domain="throwaway-mail.example", by=None)
    monkeypatch.setattr(
        "moderation.blocks.mx_hosts",
        lambda domain: ["mx1.throwaway-mail.example"] if domain == "fresh-name.example" else [],
    )

    with pytest.raises(RegistrationBlockedError):
        _signup(email="zoe@fresh-name.example")
    assert _signup(email="zoe@elsewhere.example").user.approved


def test_an_unresolvable_domain_is_judged_by_its_name(monkeypatch):
    import dns.resolver

    def no_dns(*args, **kwargs):
        raise dns.resolver.NoNameservers()

    monkeypatch.setattr(dns.resolver, "resolve", no_dns)
    email_domain_block_create(domain="spam.example", by=None)

    assert _signup(email="zoe@unknown.example").user.approved


def test_an_email_domain_may_be_allowed_with_approval(db):
    email_domain_block_create(domain="throwaway.example", allow_with_approval=True, by=None)

    account = _signup(email="zoe@throwaway.example")

    assert not account.user.approved


def test_blocked_words_in_usernames_are_refused_however_written(db):
    username_block_create(username="official", by=None)
    username_block_create(username="pouetbot", exact=True, by=None)

    for name in ("official", "the_Official_news", "off_icial"):
        with pytest.raises(RegistrationBlockedError):
            _signup(username=name, email=f"{name}@example.com")
    with pytest.raises(RegistrationBlockedError):
        _signup(username="pouet_bot", email="x@example.com")
    assert _signup(username="pouetbotfan", email="fan@example.com").user.approved


def test_ip_blocks_require_approval_or_refuse_sign_ups(db):
    ip_block_create(ip="192.0.2.0/24", severity="sign_up_requires_approval", by=None)
    ip_block_create(ip="198.51.100.7", severity="sign_up_block", by=None)

    assert not _signup(ip="192.0.2.55").user.approved
    with pytest.raises(RegistrationBlockedError):
        _signup(username="yan", email="yan@example.com", ip="198.51.100.7")
    assert _signup(username="xi", email="xi@example.com", ip="203.0.113.1").user.approved


def test_a_no_access_block_refuses_every_request_until_it_expires(monkeypatch):
    ip_block_create(ip="203.0.113.0/24", severity="no_access", by=None, duration=timedelta(hours=1))

    assert Client(REMOTE_ADDR="203.0.113.9").get("/about").status_code == 403
    assert Client(REMOTE_ADDR="192.0.2.1").get("/about").status_code == 200

    later = timezone.now() + timedelta(hours=2)
    monkeypatch.setattr("moderation.blocks.timezone.now", lambda: later)
    assert Client(REMOTE_ADDR="203.0.113.9").get("/about").status_code == 200
    assert moderation_sweep(now=later)["ip_blocks_expired"] == 1


def test_removing_a_no_access_block_lets_the_network_in_at_once():
    ip_block_create(ip="203.0.113.0/24", severity="no_access", by=None)
    assert Client(REMOTE_ADDR="203.0.113.9").get("/about").status_code == 403

    ip_block_remove(ip="203.0.113.0/24", by=None)

    assert Client(REMOTE_ADDR="203.0.113.9").get("/about").status_code == 200


@pytest.mark.parametrize("ip", ["300.1.1.1", "10.0.0.0/33", "example.com", ""])
def test_malformed_ips_are_refused(ip):
    with pytest.raises(IPInvalidError):
        ip_block_create(ip=ip, severity="no_access", by=None)
    assert not IPBlock.objects.exists()


def test_a_moderator_approves_and_rejects_from_the_queue(moderator, client_for):
    site = SiteSettings.current()
    site.registration_mode = RegistrationMode.APPROVAL
    site.save()
    zoe = signup(username="zoe", email="zoe@example.com", password=PASSWORD, agreement=True, reason="Hi")
    yan = signup(username="yan", email="yan@example.com", password=PASSWORD, agreement=True, reason="Spam")
    client = client_for(moderator)

    assert "Sign-ups to approve 2" in text_of(client.get("/admin/"))
    client.post("/admin/moderation/pendingsignup/", {"action": "approve", "_selected_action": [zoe.user_id]})
    client.post("/admin/moderation/pendingsignup/", {"action": "reject", "_selected_action": [yan.user_id]})

    assert User.objects.get(username="zoe").approved
    assert not User.objects.filter(username="yan").exists()
    assert list(AuditLogEntry.objects.order_by("id").values_list("action", "actor_name")) == [
        ("signup.approve", "mia"), ("signup.reject", "mia"),
    ]


def test_open_sign_ups_switch_to_approval_after_a_week_without_moderators(moderator):
    User.objects.filter(pk=moderator.user_id).update(last_login=timezone.now())

    assert moderation_sweep(now=timezone.now() + timedelta(days=6))["registrations_closed"] == 0
    assert SiteSettings.current().registration_mode == RegistrationMode.OPEN

    assert moderation_sweep(now=timezone.now() + timedelta(days=8))["registrations_closed"] == 1
    assert SiteSettings.current().registration_mode == RegistrationMode.APPROVAL
    entry = AuditLogEntry.objects.get(action="registrations.set")
    assert entry.actor_name == "sweep" and "7 days" in entry.reason


def test_a_moderators_action_counts_as_watching(moderator, bob):
    from moderation.services import account_action

    User.objects.filter(pk=moderator.user_id).update(last_login=timezone.now() - timedelta(days=30))
    account_action(account=bob, action="warn", by=moderator.user)

    assert moderation_sweep(now=timezone.now() + timedelta(days=3))["registrations_closed"] == 0
    assert SiteSettings.current().registration_mode == RegistrationMode.OPEN
