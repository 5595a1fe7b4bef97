"""Log in and out, change and reset a password, through the web pages."""

import re
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD, make_local_account

LOGIN = "/auth/sign_in"


@pytest.mark.django_db
def test_login_with_username_or_email_case_insensitively(client, alice):
    for login in ("alice", "ALICE", "Alice@Example.com"):
        fresh = Client()
        response = fresh.post(LOGIN, {"username": login, "password": PASSWORD})
        assert response.status_code == 302, login
        assert fresh.get(reverse("statuses:home")).status_code == 200


@pytest.mark.django_db
def test_wrong_password_gives_the_normal_error(client, alice):
    response = client.post(LOGIN, {"username": "alice", "password": "not the password"})

    page = response.content.decode()
    assert "username or e-mail address and password do not match" in page
    assert "Confirm your e-mail" not in page
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_unconfirmed_user_with_a_wrong_password_learns_nothing(client):
    make_local_account("zoe", confirmed=False)

    response = client.post(LOGIN, {"username": "zoe", "password": "guess"})

    page = response.content.decode()
    assert "do not match" in page and "Confirm your e-mail" not in page


@pytest.mark.django_db
def test_login_follows_a_safe_next_only(client, alice):
    response = client.post(LOGIN, {"username": "alice", "password": PASSWORD, "next": "/settings/profile"})
    assert response["Location"] == "/settings/profile"

    other = Client()
    response = other.post(LOGIN, {"username": "alice", "password": PASSWORD, "next": "https://evil.example/"})
    assert response["Location"] == reverse("statuses:home")


@pytest.mark.django_db
def test_login_takes_the_users_language(client):
    make_local_account("zoe", locale="fr")

    response = client.post(LOGIN, {"username": "zoe", "password": PASSWORD})

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    page = client.get(reverse("accounts:preferences"))
    assert page["Content-Language"] == "fr"
    assert 'lang="fr"' in page.content.decode()


@pytest.mark.django_db
def test_logout_is_a_post(client_for, alice):
    client = client_for(alice)

    assert client.get(reverse("accounts:logout")).status_code == 405
    assert "_auth_user_id" in client.session

    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and response["Location"] == reverse("landing")
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_settings_pages_need_a_login(client):
    for name in ("profile_edit", "preferences", "password_change", "follow_requests", "relationships"):
        response = client.get(reverse(f"accounts:{name}"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login") + "?next=")


@pytest.mark.django_db
def test_password_change(client, alice):
    client.force_login(alice.user)

    wrong = client.post(reverse("accounts:password_change"), {
        "old_password": "nope",
        "new_password1": "a new long secret 42",
        "new_password2": "a new long secret 42",
    })
    assert "Your old password was entered incorrectly" in wrong.content.decode()

    response = client.post(reverse("accounts:password_change"), {
        "old_password": PASSWORD,
        "new_password1": "a new long secret 42",
        "new_password2": "a new long secret 42",
    }, follow=True)

    assert "Your password has been changed." in response.content.decode()
    assert response.context["user"].is_authenticated  # still logged in on this device
    assert Client().post(LOGIN, {"username": "alice", "password": "a new long secret 42"}).status_code == 302
    assert Client().post(LOGIN, {"username": "alice", "password": PASSWORD}).status_code == 200


@pytest.mark.django_db
def test_password_reset_by_email(client, alice, mailoutbox):
    response = client.post(reverse("accounts:password_reset"), {"email": "alice@example.com"}, follow=True)
    assert "Check your inbox" in response.content.decode()
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["alice@example.com"]

    url = re.search(r"https?://\S+/auth/password/reset/\S+", mailoutbox[0].body).group(0)
    assert url.startswith(f"{settings.LOCAL_SCHEME}://{settings.LOCAL_DOMAIN}/")
    form_page = client.get(urlparse(url).path, follow=True)
    assert "Choose a new password" in form_page.content.decode()

    done = client.post(form_page.redirect_chain[-1][0], {
        "new_password1": "brand new secret 77", "new_password2": "brand new secret 77",
    }, follow=True)
    assert "Your password has been changed" in done.content.decode()
    assert Client().post(LOGIN, {"username": "alice", "password": "brand new secret 77"}).status_code == 302


@pytest.mark.django_db
def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, mailoutbox):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"}, follow=True)

    assert "Check your inbox" in response.content.decode()
    assert mailoutbox == []


@pytest.mark.django_db
def test_password_reset_link_used_twice_is_refused(client, alice, mailoutbox):
    client.post(reverse("accounts:password_reset"), {"email": "alice@example.com"})
    path = urlparse(re.search(r"https?://\S+/auth/password/reset/\S+", mailoutbox[0].body).group(0)).path
    form_url = client.get(path, follow=True).redirect_chain[-1][0]
    client.post(form_url, {"new_password1": "brand new secret 77", "new_password2": "brand new secret 77"})

    again = Client().get(path, follow=True)

    assert "This link does not work" in again.content.decode()


@pytest.mark.django_db
def test_accounts_create_command_makes_an_admin_who_can_use_the_admin(client):
    call_command(
        "accounts", "create", "admin", "--email", "admin@example.com", "--password", PASSWORD,
        "--role", "admin", "--confirmed",
    )

    user = User.objects.get(username="admin")
    assert user.is_confirmed and user.is_staff and user.is_superuser and user.account
    response = client.post("/admin/login/?next=/admin/", {"username": "admin", "password": PASSWORD})
    assert response.status_code == 302
    admin_home = client.get("/admin/")
    assert admin_home.status_code == 200
    assert "Site administration" in admin_home.content.decode()
    # The same login works on the site's own log-in page.
    assert Client().post(LOGIN, {"username": "admin", "password": PASSWORD}).status_code == 302


@pytest.mark.django_db
def test_a_session_user_comes_with_its_account_and_a_deactivated_one_is_logged_out(alice):
    from django.contrib.auth import get_user
    from django.test import RequestFactory

    client = Client()
    client.force_login(alice.user)
    request = RequestFactory().get("/")
    request.session = client.session

    user = get_user(request)
    assert user.pk == alice.user.pk and user.account.username == "alice"
    assert "account" in user._state.fields_cache  # loaded with the user, no second query

    User.objects.filter(pk=alice.user.pk).update(is_active=False)
    assert not get_user(request).is_authenticated
    assert client.get(reverse("statuses:home")).status_code == 302
