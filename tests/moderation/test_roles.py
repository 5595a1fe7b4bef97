"""Roles: the groups the data migration makes, and who gets a 403 where."""

import pytest
from django.contrib.auth.models import Group

from accounts.models import SiteSettings
from config.errors import ForbiddenError
from moderation.models import AuditLogEntry, DomainBlock, StrikeAction
from moderation.services import account_action, user_role_change
from tests.factories import make_local_account


@pytest.mark.django_db
def test_roles_are_groups_with_explicit_permissions():
    moderator = {p.codename for p in Group.objects.get(name="Moderator").permissions.all()}
    admin = {p.codename for p in Group.objects.get(name="Admin").permissions.all()}

    assert {"view_report", "change_report", "take_action", "change_appeal", "view_auditlogentry"} <= moderator
    assert not {"change_sitesettings", "add_domainblock", "add_ipblock", "change_group"} & moderator
    assert {"change_sitesettings", "add_domainblock", "add_ipblock", "add_emaildomainblock"} <= admin
    assert Group.objects.filter(name="Owner").exists()


ADMIN_ONLY_PAGES = [
    "/admin/accounts/sitesettings/{site}/change/",
    "/admin/accounts/serverrule/add/",
    "/admin/auth/group/",
    "/admin/moderation/domainblock/add/",
    "/admin/moderation/emaildomainblock/",
    "/admin/moderation/ipblock/",
    "/admin/moderation/usernameblock/",
    "/admin/moderation/moderationsettings/",
    "/admin/moderation/serversupport/",
]
MODERATOR_PAGES = [
    "/admin/",
    "/admin/moderation/report/",
    "/admin/moderation/report/dashboard/",
    "/admin/moderation/moderatedaccount/",
    "/admin/moderation/appeal/",
    "/admin/moderation/auditlogentry/",
    "/admin/moderation/pendingsignup/",
    "/admin/moderation/domainblock/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("page", ADMIN_ONLY_PAGES)
def test_moderator_gets_403_on_admin_only_pages(client_for, moderator, admin_account, page):
    url = page.format(site=SiteSettings.current().pk)

    assert client_for(moderator).get(url).status_code == 403
    assert client_for(admin_account).get(url, follow=True).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("page", MODERATOR_PAGES)
def test_moderator_reaches_the_moderation_pages(client_for, moderator, page):
    assert client_for(moderator).get(page).status_code == 200


@pytest.mark.django_db
def test_moderator_sees_domain_blocks_but_cannot_change_them(client_for, moderator):
    block = DomainBlock.objects.create(domain="spam.example")

    page = client_for(moderator).post(
        f"/admin/moderation/domainblock/{block.pk}/change/", {"domain": "spam.example", "severity": "none"},
    )

    assert page.status_code == 403
    assert DomainBlock.objects.get().severity == "limit"


@pytest.mark.django_db
def test_a_moderator_cannot_act_against_another_moderator(moderator, other_moderator):
    with pytest.raises(ForbiddenError):
        account_action(account=other_moderator, action=StrikeAction.SUSPEND, by=moderator.user)

    other_moderator.refresh_from_db()
    assert other_moderator.suspended_at is None
    assert not AuditLogEntry.objects.exists()


@pytest.mark.django_db
def test_a_user_without_a_role_cannot_take_actions(alice, bob):
    with pytest.raises(ForbiddenError):
        account_action(account=bob, action=StrikeAction.LIMIT, by=alice.user)

    bob.refresh_from_db()
    assert bob.silenced_at is None


@pytest.mark.django_db
def test_roles_are_given_only_below_ones_own(admin_account, moderator, owner, alice):
    user_role_change(user=alice.user, role="moderator", by=admin_account.user)
    assert alice.user.has_perm("moderation.take_action")

    with pytest.raises(ForbiddenError):
        user_role_change(user=alice.user, role="admin", by=admin_account.user)
    with pytest.raises(ForbiddenError):
        user_role_change(user=admin_account.user, role=None, by=moderator.user)

    user_role_change(user=admin_account.user, role=None, by=owner.user)
    admin_account.user.refresh_from_db()
    assert not admin_account.user.is_staff
    assert list(AuditLogEntry.objects.values_list("action", "actor_name")) == [
        ("user.role", "olga"), ("user.role", "adam"),
    ]


@pytest.mark.django_db
def test_a_new_moderator_reaches_the_queue_from_the_admin_page(client_for, owner):
    newcomer = make_local_account("nina")
    client_for(owner).post(f"/admin/moderation/moderatedaccount/{newcomer.pk}/role/", {"role": "moderator"})

    assert client_for(newcomer).get("/admin/moderation/report/").status_code == 200
