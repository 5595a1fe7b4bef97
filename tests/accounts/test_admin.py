"""The admin pages for people and server settings."""

import pytest

from accounts.models import RegistrationMode, ServerRule, SiteSettings, User
from tests.factories import make_local_account, make_remote_account


@pytest.mark.django_db
def test_server_settings_are_one_row_edited_in_place(admin_client):
    listing = admin_client.get("/admin/accounts/sitesettings/")
    assert listing.status_code == 302
    change_url = listing["Location"]

    response = admin_client.post(change_url, {
        "name": "Bakers' corner", "description": "Bread people.", "contact_email": "mod@example.com",
        "registration_mode": RegistrationMode.APPROVAL,
    }, follow=True)

    assert response.status_code == 200
    site = SiteSettings.current()
    assert (site.name, site.registration_mode) == ("Bakers' corner", RegistrationMode.APPROVAL)
    assert SiteSettings.objects.count() == 1
    assert admin_client.get("/admin/accounts/sitesettings/add/").status_code == 403


@pytest.mark.django_db
def test_server_rules_are_listed_in_order(admin_client):
    ServerRule.objects.create(text="Second rule", position=2)
    ServerRule.objects.create(text="First rule", position=1)

    page = admin_client.get("/admin/accounts/serverrule/").content.decode()

    assert page.index("First rule") < page.index("Second rule")


@pytest.mark.django_db
def test_user_admin_filters_pending_and_unconfirmed(admin_client):
    make_local_account("waiting", approved=False)
    make_local_account("unconfirmed", confirmed=False)
    make_local_account("regular")

    pending = admin_client.get("/admin/accounts/user/?approved__exact=0").content.decode()
    unconfirmed = admin_client.get("/admin/accounts/user/?confirmed=no").content.decode()

    assert "waiting" in pending and "regular" not in pending
    assert "unconfirmed" in unconfirmed and "regular" not in unconfirmed
    # People are created by signing up or by `manage.py accounts create`, with their Account.
    assert admin_client.get("/admin/accounts/user/add/").status_code == 403


@pytest.mark.django_db
def test_username_cannot_be_changed_in_the_admin(admin_client):
    user = make_local_account("alice").user

    page = admin_client.get(f"/admin/accounts/user/{user.pk}/change/").content.decode()

    assert 'name="username"' not in page and "alice" in page
    assert User.objects.get(pk=user.pk).username == "alice"


@pytest.mark.django_db
def test_account_admin_searches_by_username_and_domain_and_hides_private_keys(admin_client):
    alice = make_local_account("alice")
    alice.private_key = "-----BEGIN PRIVATE KEY----- secret"
    alice.save()
    make_remote_account("rita", "social.example")

    by_domain = admin_client.get("/admin/accounts/account/?q=social.example").content.decode()
    by_name = admin_client.get("/admin/accounts/account/?q=alice").content.decode()
    detail = admin_client.get(f"/admin/accounts/account/{alice.pk}/change/").content.decode()

    assert "rita@social.example" in by_domain and "alice" not in by_domain
    assert "alice" in by_name and "rita" not in by_name
    assert "secret" not in detail
