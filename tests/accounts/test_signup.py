"""Sign-up through the web pages, as a visitor does it: form, mail, link, log in."""

import re
from urllib.parse import urlparse

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Account, RegistrationMode, ServerRule, SiteSettings, User
from moderation.models import IPBlock, IPBlockSeverity
from tests.factories import PASSWORD, make_local_account

SIGNUP = "/auth/sign_up"
LOGIN = "/auth/sign_in"


def signup_data(**overrides):
    data = {
        "username": "zoe", "email": "zoe@example.com", "password": PASSWORD, "agreement": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def confirmation_path(message) -> str:
    url = re.search(r"https?://\S+/auth/confirm/\S+", message.body).group(0)
    return urlparse(url).path


def set_registration_mode(mode):
    site = SiteSettings.current()
    site.registration_mode = mode
    site.save()


@pytest.fixture
def post_signup(client, django_capture_on_commit_callbacks):
    """POST the sign-up form and run what the service schedules on commit (the mail)."""

    def post(**overrides):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(SIGNUP, signup_data(**overrides))

    return post


@pytest.mark.django_db
def test_signup_page_lists_the_server_rules(client):
    ServerRule.objects.create(text="No hate speech", hint="Be kind to each other.", position=1)
    ServerRule.objects.create(text="Tag sensitive posts", position=2)

    page = client.get(SIGNUP).content.decode()

    assert "No hate speech" in page and "Be kind to each other." in page
    assert page.index("No hate speech") < page.index("Tag sensitive posts")
    assert "I accept the server rules" in page
    assert 'name="reason"' not in page  # only asked on approval-mode servers


@pytest.mark.django_db
def test_signup_confirm_then_log_in(client, post_signup, mailoutbox):
    response = post_signup()

    assert response.status_code == 302
    done = client.get(response["Location"]).content.decode()
    assert "zoe@example.com" in done and "Check your inbox" in done
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["zoe@example.com"]

    confirmed = client.get(confirmation_path(mailoutbox[0]))
    assert confirmed.status_code == 200
    assert "Your e-mail address is confirmed" in confirmed.content.decode()
    assert reverse("accounts:login") in confirmed.content.decode()

    login = client.post(LOGIN, {"username": "zoe", "password": PASSWORD})
    assert login.status_code == 302 and login["Location"] == reverse("statuses:home")
    assert client.get(reverse("statuses:home")).context["user"].username == "zoe"
    assert Account.objects.get(username="zoe").user.email == "zoe@example.com"


@pytest.mark.django_db
def test_login_refused_until_the_address_is_confirmed(client, post_signup, mailoutbox):
    post_signup()

    refused = client.post(LOGIN, {"username": "zoe", "password": PASSWORD})

    page = refused.content.decode()
    assert "Confirm your e-mail address first" in page
    assert "Send the confirmation link again" in page
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_resend_mails_a_new_link_only_after_the_password_was_given(
    client, post_signup, mailoutbox, django_capture_on_commit_callbacks,
):
    post_signup()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:confirm_resend"))
    assert len(mailoutbox) == 1  # nobody proved they own the account yet

    client.post(LOGIN, {"username": "zoe@example.com", "password": PASSWORD})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:confirm_resend"), follow=True)

    assert "a new link is on its way" in response.content.decode()
    assert len(mailoutbox) == 2 and mailoutbox[1].to == ["zoe@example.com"]
    client.get(confirmation_path(mailoutbox[1]))
    assert client.post(LOGIN, {"username": "zoe", "password": PASSWORD}).status_code == 302


@pytest.mark.django_db
def test_bad_confirmation_link_is_a_clear_400(client):
    response = client.get("/auth/confirm/not-a-real-token")

    assert response.status_code == 400
    assert "This confirmation link is not valid." in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("admin", "This username is reserved."),
        ("Support", "This username is reserved."),
        ("ALICE", "This username is taken."),
        ("zoé!", "Use only letters, digits and underscores in your username."),
        ("a" * 31, "Ensure this value has at most 30 characters"),
    ],
)
def test_signup_refuses_bad_usernames_and_creates_nothing(client, alice, username, message):
    users_before = User.objects.count()

    response = client.post(SIGNUP, signup_data(username=username))

    assert response.status_code == 400
    assert message in str(response.context["form"].errors["username"])
    assert message in response.content.decode()
    assert User.objects.count() == users_before


@pytest.mark.django_db
def test_signup_refuses_an_address_already_in_use(client, alice):
    response = client.post(SIGNUP, signup_data(email="ALICE@example.com"))

    assert response.status_code == 400
    assert "This e-mail address is already in use." in response.context["form"].errors["email"]
    assert not User.objects.filter(username="zoe").exists()


@pytest.mark.django_db
def test_signup_requires_accepting_the_rules_and_a_real_password(client):
    response = client.post(SIGNUP, signup_data(agreement=None, password="password"))

    errors = response.context["form"].errors
    assert "You must accept the server rules." in errors["agreement"]
    assert not User.objects.exists()

    response = client.post(SIGNUP, signup_data(password="password"))
    assert "This password is too common." in response.context["form"].errors["password"][0]
    assert not User.objects.exists()


@pytest.mark.django_db
def test_approval_mode_asks_for_a_reason_and_waits_for_the_admin(
    client, post_signup, mailoutbox, admin_client,
):
    set_registration_mode(RegistrationMode.APPROVAL)
    assert 'name="reason"' in client.get(SIGNUP).content.decode()

    without_reason = post_signup()
    assert without_reason.status_code == 400
    assert "This field is required." in without_reason.context["form"].errors["reason"]
    assert not User.objects.filter(username="zoe").exists()

    done = post_signup(reason="I run the local bakery.")
    assert done.status_code == 302
    assert "The moderators will also review your request" in client.get(done["Location"]).content.decode()
    client.get(confirmation_path(mailoutbox[0]))
    user = User.objects.get(username="zoe")
    assert user.signup_reason == "I run the local bakery." and not user.approved

    pending = client.post(LOGIN, {"username": "zoe", "password": PASSWORD})
    assert "waiting for approval by the moderators" in pending.content.decode()

    approved = admin_client.post(
        "/admin/accounts/user/",
        {"action": "approve", "_selected_action": [user.pk]},
        follow=True,
    )
    assert "1 account approved." in approved.content.decode()
    assert client.post(LOGIN, {"username": "zoe", "password": PASSWORD}).status_code == 302


@pytest.mark.django_db
def test_closed_mode_shows_a_clear_page_and_creates_nothing(client):
    set_registration_mode(RegistrationMode.CLOSED)

    page = client.get(SIGNUP)
    assert "Sign-ups are closed" in page.content.decode()
    assert 'name="username"' not in page.content.decode()

    refused = client.post(SIGNUP, signup_data())
    assert refused.status_code == 403
    assert not User.objects.exists()


@pytest.mark.django_db
def test_signup_without_csrf_token_is_refused():
    browser = Client(enforce_csrf_checks=True)

    response = browser.post(SIGNUP, signup_data())

    assert response.status_code == 403
    assert not User.objects.exists()


@pytest.mark.django_db
def test_signup_form_with_its_csrf_token_is_accepted():
    browser = Client(enforce_csrf_checks=True)
    browser.get(SIGNUP)  # sets the CSRF cookie, as a browser loading the form does

    token = browser.cookies["csrftoken"].value
    response = browser.post(SIGNUP, {**signup_data(), "csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert User.objects.filter(username="zoe").exists()


@pytest.mark.django_db
def test_logged_in_user_visiting_sign_up_goes_home(client_for):
    alice = make_local_account("alice")

    response = client_for(alice).get(SIGNUP)

    assert response.status_code == 302 and response["Location"] == reverse("statuses:home")


@pytest.mark.django_db
def test_signup_from_a_network_under_approval_waits_for_the_moderators(client, post_signup):
    IPBlock.objects.create(ip="127.0.0.1/32", severity=IPBlockSeverity.APPROVAL)

    response = post_signup()

    assert not User.objects.get(username="zoe").approved
    assert "The moderators will also review your request" in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_signup_from_a_blocked_network_is_refused_with_a_message(client):
    IPBlock.objects.create(ip="127.0.0.0/8", severity=IPBlockSeverity.SIGN_UP_BLOCK)

    response = client.post(SIGNUP, signup_data())

    assert response.status_code == 400
    assert "Sign-ups from your network are not accepted." in response.content.decode()
    assert not User.objects.exists()
