"""The operator's commands, in tootctl's spirit: each does its job, and bad input is a
CommandError that changes nothing."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import Account, RegistrationMode, SiteSettings, User
from moderation.models import (
    AccountStrike,
    AuditLogEntry,
    DomainBlock,
    EmailDomainBlock,
    IPBlock,
)
from moderation.services import account_action
from statuses.services import status_create
from tests.factories import make_local_account, make_remote_account

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


# --- domains ------------------------------------------------------------------------------


def test_domains_block_and_unblock():
    troll = make_remote_account("troll", "bad.example")

    run("domains", "block", "bad.example", "other.example", "--severity", "suspend",
        "--public-comment", "Spam")
    troll.refresh_from_db()
    assert troll.is_suspended
    assert set(DomainBlock.objects.values_list("domain", flat=True)) == {"bad.example", "other.example"}
    assert AuditLogEntry.objects.filter(actor_name="manage.py", action="domain_block.create").count() == 2

    run("domains", "unblock", "bad.example")
    troll.refresh_from_db()
    assert not troll.is_suspended


def test_domains_block_with_a_malformed_domain_changes_nothing():
    with pytest.raises(CommandError, match="is not a domain name"):
        run("domains", "block", "good.example", "not a domain")

    assert not DomainBlock.objects.exists()


def test_domains_unblock_of_an_unknown_domain_is_an_error():
    with pytest.raises(CommandError, match="is not blocked"):
        run("domains", "unblock", "never.example")


# --- e-mail domains -----------------------------------------------------------------------


def test_email_domain_blocks_add_list_remove():
    run("email_domain_blocks", "add", "spam.example", "junk.example", "--with-approval")
    assert run("email_domain_blocks", "list").splitlines() == [
        "junk.example (with approval)", "spam.example (with approval)",
    ]

    run("email_domain_blocks", "remove", "junk.example")
    assert list(EmailDomainBlock.objects.values_list("domain", flat=True)) == ["spam.example"]


def test_email_domain_blocks_bad_input_changes_nothing():
    with pytest.raises(CommandError):
        run("email_domain_blocks", "add", "spam.example", "@@@")
    with pytest.raises(CommandError, match="is not blocked"):
        run("email_domain_blocks", "remove", "unknown.example")
    assert not EmailDomainBlock.objects.exists()


# --- IP blocks ----------------------------------------------------------------------------


def test_ip_blocks_add_export_remove():
    run("ip_blocks", "add", "192.0.2.7/24", "2001:db8::1", "--severity", "no_access", "--duration", "3600")
    run("ip_blocks", "add", "198.51.100.0/24", "--severity", "sign_up_block")

    assert run("ip_blocks", "export").splitlines() == [
        "192.0.2.0/24 no_access", "198.51.100.0/24 sign_up_block", "2001:db8::1/128 no_access",
    ]
    assert run("ip_blocks", "export", "--format", "nginx").splitlines() == [
        "deny 192.0.2.0/24;", "deny 2001:db8::1/128;",
    ]
    assert IPBlock.objects.get(ip="192.0.2.0/24").expires_at < timezone.now() + timedelta(hours=2)

    run("ip_blocks", "remove", "192.0.2.0/24")
    assert not IPBlock.objects.filter(ip="192.0.2.0/24").exists()


def test_ip_blocks_add_with_a_malformed_cidr_changes_nothing():
    with pytest.raises(CommandError, match="not an IP address or range"):
        run("ip_blocks", "add", "192.0.2.0/24", "10.0.0.0/40", "--severity", "no_access")

    assert not IPBlock.objects.exists()


# --- registrations ------------------------------------------------------------------------


@pytest.mark.parametrize(("word", "mode"), [
    ("approved", RegistrationMode.APPROVAL),
    ("closed", RegistrationMode.CLOSED),
    ("open", RegistrationMode.OPEN),
])
def test_registrations_modes(word, mode):
    run("registrations", word)

    assert SiteSettings.current().registration_mode == mode
    assert AuditLogEntry.objects.get().details == {"mode": mode}


def test_registrations_refuses_an_unknown_mode():
    with pytest.raises(CommandError):
        run("registrations", "sometimes")
    assert SiteSettings.current().registration_mode == RegistrationMode.OPEN


# --- accounts -----------------------------------------------------------------------------


def test_accounts_suspend_and_unsuspend(bob):
    run("accounts", "suspend", "bob", "--reason", "Spam")
    bob.refresh_from_db()
    assert bob.is_suspended and AccountStrike.objects.get().text == "Spam"

    run("accounts", "unsuspend", "bob")
    bob.refresh_from_db()
    assert not bob.is_suspended


def test_accounts_suspend_of_an_unknown_account_changes_nothing(bob):
    with pytest.raises(CommandError, match="No account @nobody"):
        run("accounts", "suspend", "bob", "nobody")

    bob.refresh_from_db()
    assert not bob.is_suspended


def test_accounts_suspend_works_on_remote_accounts():
    troll = make_remote_account("troll", "bad.example")

    run("accounts", "suspend", "troll@bad.example")

    troll.refresh_from_db()
    assert troll.is_suspended


def test_accounts_delete_erases_now_and_dry_run_does_not(bob):
    status_create(author=bob, text="Bye")

    assert "Would erase @bob and its 1 posts" in run("accounts", "delete", "bob", "--dry-run")
    assert not Account.objects.get(pk=bob.pk).is_suspended

    run("accounts", "delete", "bob")
    bob.refresh_from_db()
    assert bob.is_suspended and bob.user_id is None and not bob.statuses.exists()
    assert AuditLogEntry.objects.filter(action="account.delete").exists()


def test_accounts_approve_one_or_all():
    zoe = make_local_account("zoe", approved=False)
    yan = make_local_account("yan", approved=False)

    run("accounts", "approve", "zoe")
    assert User.objects.get(pk=zoe.user_id).approved and not User.objects.get(pk=yan.user_id).approved

    run("accounts", "approve", "--all")
    assert User.objects.get(pk=yan.user_id).approved


def test_accounts_modify_role_confirmation_and_freeze():
    zoe = make_local_account("zoe", confirmed=False)

    run("accounts", "modify", "zoe", "--role", "moderator", "--confirm", "--disable")

    user = User.objects.get(pk=zoe.user_id)
    assert user.has_perm("moderation.take_action") is False  # frozen users have no permissions
    assert user.account.moderation_state.frozen_at is not None
    assert user.groups.filter(name="Moderator").exists() and user.is_confirmed and not user.is_active

    run("accounts", "modify", "zoe", "--enable", "--role", "user")
    user = User.objects.get(pk=zoe.user_id)
    assert user.is_active and not user.groups.exists() and not user.is_staff


def test_accounts_create_makes_an_owner():
    run("accounts", "create", "root", "--email", "root@example.com", "--password", "a long passphrase 9",
        "--role", "owner", "--confirmed")

    user = User.objects.get(username="root")
    assert user.is_superuser and user.groups.filter(name="Owner").exists()


# --- the sweep ----------------------------------------------------------------------------


def test_moderation_sweep_lifts_timed_limits(bob):
    account_action(account=bob, action="limit", by=None, duration=timedelta(days=7))
    AccountStrike.objects.update(ends_at=timezone.now() - timedelta(minutes=1))  # a week later

    assert "lifted: 1" in run("moderation", "sweep")
    bob.refresh_from_db()
    assert bob.silenced_at is None
