"""Domain blocks by severity, the allowlist, and the public list on /about."""

import pytest
from django.test import Client

from accounts.models import Follow
from accounts.services import follow_request
from moderation.blocks import (
    DomainInvalidError,
    account_apply_domain_policy,
    allowlist_mode_set,
    domain_allow_create,
    domain_block_create,
    domain_block_remove,
    domain_policy,
)
from moderation.models import AuditLogEntry, DomainBlock, StrikeAction
from moderation.services import account_action
from statuses.models import Status, Visibility
from tests.factories import make_remote_account

from .pages import text_of

pytestmark = pytest.mark.django_db


def _remote_post(account, text):
    return Status.objects.create(
        account=account, content=f"<p>{text}</p>", visibility=Visibility.PUBLIC,
        uri=f"https://{account.domain}/statuses/{abs(hash(text))}",
    )


def test_suspending_a_domain_hides_its_accounts_severs_follows_and_refuses_it(alice, client_for):
    troll = make_remote_account("troll", "bad.example")
    sub = make_remote_account("other", "social.bad.example")
    _remote_post(troll, "Remote spam")
    follow_request(follower=alice, target=troll)
    Follow.objects.create(account=alice, target_account=troll)
    Follow.objects.create(account=sub, target_account=alice)

    domain_block_create(domain="bad.example", severity="suspend", by=None, private_comment="Nazis")

    troll.refresh_from_db()
    sub.refresh_from_db()
    assert troll.is_suspended and sub.is_suspended
    assert not Follow.objects.exists()
    assert "Remote spam" not in text_of(client_for(alice).get("/public"))
    assert client_for(alice).get("/@troll@bad.example").status_code == 404
    assert domain_policy("bad.example").refused and domain_policy("cdn.social.bad.example").refused
    assert not domain_policy("notbad.example").refused
    assert AuditLogEntry.objects.get().reason == "Nazis"


def test_limiting_a_domain_shows_its_accounts_only_to_their_followers(alice, bob, client_for):
    loud = make_remote_account("loud", "noisy.example")
    _remote_post(loud, "Remote shouting")
    Follow.objects.create(account=bob, target_account=loud)

    domain_block_create(domain="noisy.example", severity="limit", by=None)

    assert "Remote shouting" not in text_of(client_for(alice).get("/public"))
    assert "Remote shouting" not in text_of(Client().get("/public"))
    assert "Remote shouting" in text_of(client_for(bob).get("/home"))
    assert domain_policy("noisy.example").limited and not domain_policy("noisy.example").refused


def test_a_block_of_severity_none_only_rejects_media(alice, client_for):
    artist = make_remote_account("artist", "pics.example")
    _remote_post(artist, "Remote drawing")

    domain_block_create(domain="pics.example", severity="none", reject_media=True, by=None)

    artist.refresh_from_db()
    assert artist.silenced_at is None and not artist.is_suspended
    assert "Remote drawing" in text_of(client_for(alice).get("/public"))
    policy = domain_policy("pics.example")
    assert policy.reject_media and not policy.refused and not policy.reject_reports


def test_unblocking_lifts_what_the_block_imposed_but_not_individual_suspensions(alice, moderator):
    troll = make_remote_account("troll", "bad.example")
    spammer = make_remote_account("spammer", "bad.example")
    account_action(account=spammer, action=StrikeAction.SUSPEND, by=moderator.user)
    domain_block_create(domain="bad.example", severity="suspend", by=None)

    domain_block_remove(domain="bad.example", by=None)

    troll.refresh_from_db()
    spammer.refresh_from_db()
    assert not troll.is_suspended and spammer.is_suspended
    assert not domain_policy("bad.example").refused


def test_changing_a_blocks_severity_swaps_its_effect(alice):
    troll = make_remote_account("troll", "bad.example")
    domain_block_create(domain="bad.example", severity="limit", by=None)

    domain_block_create(domain="BAD.example.", severity="suspend", by=None)

    troll.refresh_from_db()
    assert troll.is_suspended and troll.silenced_at is None
    assert DomainBlock.objects.get().severity == "suspend"


def test_accounts_first_seen_after_the_block_get_its_policy(db):
    domain_block_create(domain="bad.example", severity="limit", by=None)
    newcomer = make_remote_account("newcomer", "bad.example")

    account_apply_domain_policy(account=newcomer)

    newcomer.refresh_from_db()
    assert newcomer.silenced_at == DomainBlock.objects.get().created_at


@pytest.mark.parametrize("domain", ["not a domain", "localhost", "-bad-.example", "a..b", ""])
def test_malformed_domains_are_refused(domain):
    with pytest.raises(DomainInvalidError):
        domain_block_create(domain=domain, severity="suspend", by=None)
    assert not DomainBlock.objects.exists()


def test_our_own_domain_cannot_be_blocked(settings):
    settings.LOCAL_DOMAIN = "pouet.example"

    with pytest.raises(DomainInvalidError):
        domain_block_create(domain="pouet.example", severity="suspend", by=None)


def test_allowlist_mode_refuses_every_domain_not_listed(db):
    domain_allow_create(domain="friends.example", by=None)
    assert not domain_policy("strangers.example").refused

    allowlist_mode_set(enabled=True, by=None)

    assert domain_policy("strangers.example").refused
    assert not domain_policy("friends.example").refused
    assert not domain_policy("social.friends.example").refused
    assert not domain_policy(None).refused  # ourselves


def test_about_lists_rules_and_blocked_domains_with_public_comments(db):
    from accounts.models import ServerRule

    ServerRule.objects.create(text="No hate speech")
    domain_block_create(
        domain="bad.example", severity="suspend", public_comment="Hate speech", private_comment="Secret",
        by=None,
    )
    domain_block_create(domain="verysecret.example", severity="limit", obfuscate=True, by=None)
    domain_block_create(domain="harmless.example", severity="none", by=None)

    page = text_of(Client().get("/about"))

    assert "No hate speech" in page
    assert "bad.example Suspended Hate speech" in page
    assert "Secret" not in page
    assert "verysecret.example" not in page
    assert "verys*****.***mple" in page  # as Mastodon obfuscates
    assert "harmless.example" not in page


def test_admins_block_a_domain_from_the_admin(admin_account, client_for):
    troll = make_remote_account("troll", "bad.example")

    response = client_for(admin_account).post("/admin/moderation/domainblock/add/", {
        "domain": "Bad.Example", "severity": "suspend", "public_comment": "Spam",
    })

    assert response.status_code == 302
    troll.refresh_from_db()
    assert troll.is_suspended
    assert AuditLogEntry.objects.get(action="domain_block.create").actor_name == "adam"


def test_the_admin_form_refuses_a_malformed_domain(admin_account, client_for):
    response = client_for(admin_account).post(
        "/admin/moderation/domainblock/add/", {"domain": "not a domain", "severity": "suspend"},
    )

    assert response.status_code == 200
    assert "is not a domain name" in text_of(response)
    assert not DomainBlock.objects.exists()
