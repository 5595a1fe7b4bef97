"""Changing or resetting a password ends every app's access at once (issue 4)."""

import re
from urllib.parse import urlparse

from django.urls import reverse

from tests.factories import PASSWORD

VERIFY = "/api/v1/accounts/verify_credentials"


def test_password_change_ends_every_app_token(client, alice, api_for):
    app = api_for(alice)
    assert app.get(VERIFY).status_code == 200
    client.force_login(alice.user)

    client.post(reverse("accounts:password_change"), {
        "old_password": PASSWORD,
        "new_password1": "a new long secret 42",
        "new_password2": "a new long secret 42",
    })

    response = app.get(VERIFY)
    assert response.status_code == 401
    assert "error" in response.json()


def test_password_reset_ends_every_app_token(client, alice, api_for, mailoutbox):
    app = api_for(alice)
    client.post(reverse("accounts:password_reset"), {"email": "alice@example.com"})
    url = re.search(r"https?://\S+/auth/password/reset/\S+", mailoutbox[0].body).group(0)
    form_page = client.get(urlparse(url).path, follow=True)

    client.post(form_page.redirect_chain[-1][0], {
        "new_password1": "brand new secret 77", "new_password2": "brand new secret 77",
    })

    assert app.get(VERIFY).status_code == 401


def test_a_wrong_old_password_keeps_the_tokens(client, alice, api_for):
    app = api_for(alice)
    client.force_login(alice.user)

    client.post(reverse("accounts:password_change"), {
        "old_password": "not it", "new_password1": "x new long 42", "new_password2": "x new long 42",
    })

    assert app.get(VERIFY).status_code == 200
