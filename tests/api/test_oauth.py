import base64
import hashlib
from urllib.parse import parse_qs, urlparse

from rest_framework.test import APIClient

from tests.api.contract import assert_matches_contract
from tests.factories import PASSWORD

REDIRECT = "https://client.example/callback"


def pkce_pair():
    verifier = "v" * 20 + "-verifier-with-enough-entropy-0123456789"
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    return verifier, challenge.decode()


def authorize_params(app, **extra):
    return {"client_id": app.client_id, "redirect_uri": REDIRECT, "response_type": "code",
            "scope": "read write", "state": "xyz", **extra}


def test_apps_create_answers_a_credential_application(db):
    client = APIClient()
    response = client.post("/api/v1/apps", {
        "client_name": "Tusky", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
        "scopes": "read write:statuses", "website": "https://tusky.app",
    }, format="json")
    assert response.status_code == 200, response.content
    assert_matches_contract(response, "/api/v1/apps", "post")
    body = response.json()
    assert body["scopes"] == ["read", "write:statuses"]
    assert body["redirect_uris"] == ["urn:ietf:wg:oauth:2.0:oob"]
    assert body["client_secret"] and body["client_id"]


def test_apps_create_refuses_bad_input(db):
    client = APIClient()
    for payload in (
        {"client_name": "x", "redirect_uris": "javascript:alert(1)"},
        {"client_name": "x", "redirect_uris": REDIRECT, "scopes": "read admin:everything"},
        {"client_name": ["a", "b"], "redirect_uris": REDIRECT},
        {"redirect_uris": REDIRECT},
    ):
        response = client.post("/api/v1/apps", payload, format="json")
        assert response.status_code == 422, payload
        assert set(response.json()) == {"error"}


def test_authorization_code_flow_with_pkce(client, alice, oauth_app):
    verifier, challenge = pkce_pair()
    params = authorize_params(oauth_app, code_challenge=challenge, code_challenge_method="S256")

    response = client.get("/oauth/authorize", params)
    assert response.status_code == 302 and "next=" in response["Location"]  # log in first

    client.force_login(alice.user)
    page = client.get("/oauth/authorize", params)
    assert page.status_code == 200
    assert b"Test client" in page.content and b"Authorize" in page.content

    form = page.context["form"].initial
    decision = client.post("/oauth/authorize", {**{k: v for k, v in form.items() if v}, "allow": "true"})
    assert decision.status_code == 302
    location = urlparse(decision["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    query = parse_qs(location.query)
    assert query["state"] == ["xyz"]
    code = query["code"][0]

    api = APIClient()
    wrong = api.post("/oauth/token", {
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
        "client_id": oauth_app.client_id, "client_secret": oauth_app.plain_secret,
        "code_verifier": "not-the-verifier-not-the-verifier-not-the-verifier",
    })
    assert wrong.status_code == 400

    # The failed attempt spent nothing: oauthlib keeps the code until a valid exchange.
    decision = client.post("/oauth/authorize", {**{k: v for k, v in form.items() if v}, "allow": "true"})
    code = parse_qs(urlparse(decision["Location"]).query)["code"][0]
    token = api.post("/oauth/token", {
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
        "client_id": oauth_app.client_id, "client_secret": oauth_app.plain_secret,
        "code_verifier": verifier,
    })
    assert token.status_code == 200, token.content
    assert_matches_contract(token, "/oauth/token", "post")
    assert token.json()["scope"] == "read write"

    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token.json()['access_token']}")
    me = api.get("/api/v1/accounts/verify_credentials")
    assert me.status_code == 200
    assert me.json()["username"] == "alice"


def test_authorize_deny_redirects_with_access_denied(client, alice, oauth_app):
    client.force_login(alice.user)
    page = client.get("/oauth/authorize", authorize_params(oauth_app))
    form = page.context["form"].initial
    decision = client.post("/oauth/authorize", {k: v for k, v in form.items() if v})
    assert decision.status_code == 302
    assert parse_qs(urlparse(decision["Location"]).query)["error"] == ["access_denied"]


def test_authorize_refuses_unregistered_redirect_uri(client, alice, oauth_app):
    client.force_login(alice.user)
    for uri in ("https://evil.example/callback", REDIRECT + "?x=1", "https://client.example/callback/"):
        response = client.get("/oauth/authorize", authorize_params(oauth_app, redirect_uri=uri))
        assert response.status_code == 400, uri
        assert "Location" not in response


def test_authorize_refuses_scopes_beyond_the_app(client, alice, db):
    from accounts.api.apps import app_create

    app, _secret = app_create(name="Reader", redirect_uris=[REDIRECT], scopes=["read"])
    client.force_login(alice.user)
    response = client.get("/oauth/authorize", authorize_params(app, scope="read write"))
    assert response.status_code == 302
    assert parse_qs(urlparse(response["Location"]).query)["error"] == ["invalid_scope"]


def test_authorize_refuses_plain_pkce(client, alice, oauth_app):
    client.force_login(alice.user)
    response = client.get("/oauth/authorize", authorize_params(
        oauth_app, code_challenge="abc", code_challenge_method="plain"))
    assert response.status_code == 400


def test_out_of_band_code_is_shown(client, alice, oauth_app):
    client.force_login(alice.user)
    params = authorize_params(oauth_app, redirect_uri="urn:ietf:wg:oauth:2.0:oob")
    page = client.get("/oauth/authorize", params)
    form = page.context["form"].initial
    shown = client.post("/oauth/authorize", {**{k: v for k, v in form.items() if v}, "allow": "true"})
    assert shown.status_code == 200
    code = shown.context["code"]
    assert code and code.encode() in shown.content
    token = APIClient().post("/oauth/token", {
        "grant_type": "authorization_code", "code": code,
        "redirect_uri": "urn:ietf:wg:oauth:2.0:oob",
        "client_id": oauth_app.client_id, "client_secret": oauth_app.plain_secret,
    }, format="json")
    assert token.status_code == 200, token.content


def test_client_credentials_token_is_app_only(oauth_app):
    api = APIClient()
    token = api.post("/oauth/token", {
        "grant_type": "client_credentials", "client_id": oauth_app.client_id,
        "client_secret": oauth_app.plain_secret,
    })
    assert token.status_code == 200, token.content
    assert token.json()["scope"] == "read"
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token.json()['access_token']}")
    app = api.get("/api/v1/apps/verify_credentials")
    assert app.status_code == 200
    assert_matches_contract(app, "/api/v1/apps/verify_credentials")
    assert "client_secret" not in app.json()
    me = api.get("/api/v1/accounts/verify_credentials")
    assert me.status_code == 422
    assert me.json() == {"error": "This method requires an authenticated user"}


def test_password_grant_and_revoke(alice, oauth_app):
    api = APIClient()
    token = api.post("/oauth/token", {
        "grant_type": "password", "username": "alice@example.com", "password": PASSWORD,
        "client_id": oauth_app.client_id, "client_secret": oauth_app.plain_secret,
        "scope": "read",
    })
    assert token.status_code == 200, token.content
    access = token.json()["access_token"]
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    assert api.get("/api/v1/accounts/verify_credentials").status_code == 200

    revoked = APIClient().post("/oauth/revoke", {
        "token": access, "client_id": oauth_app.client_id, "client_secret": oauth_app.plain_secret,
    })
    assert revoked.status_code == 200
    gone = api.get("/api/v1/accounts/verify_credentials")
    assert gone.status_code == 401
    assert gone.json() == {"error": "The access token is invalid"}


def test_password_grant_refuses_a_wrong_password(alice, oauth_app):
    response = APIClient().post("/oauth/token", {
        "grant_type": "password", "username": "alice", "password": "nope",
        "client_id": oauth_app.client_id, "client_secret": oauth_app.plain_secret,
    })
    assert response.status_code == 400


def test_suspended_accounts_tokens_stop_working(alice, api_for):
    from django.utils import timezone

    api = api_for(alice)
    assert api.get("/api/v1/accounts/verify_credentials").status_code == 200
    alice.suspended_at = timezone.now()
    alice.save()
    assert api.get("/api/v1/accounts/verify_credentials").status_code == 401


def test_missing_token_is_401(db):
    response = APIClient().get("/api/v1/accounts/verify_credentials")
    assert response.status_code == 401
    assert response.json() == {"error": "The access token is invalid"}


def test_read_only_token_cannot_write(alice, bob, api_for):
    response = api_for(alice, "read").post(f"/api/v1/accounts/{bob.pk}/follow")
    assert response.status_code == 403
    assert response.json() == {"error": "This action is outside the authorized scopes"}


def test_granular_scopes(alice, bob, api_for):
    follows_only = api_for(alice, "write:follows")
    assert follows_only.post(f"/api/v1/accounts/{bob.pk}/follow").status_code == 200
    assert follows_only.post(f"/api/v1/accounts/{bob.pk}/block").status_code == 403
    assert api_for(alice, "follow").post(f"/api/v1/accounts/{bob.pk}/block").status_code == 200
    assert api_for(alice, "read:statuses").get("/api/v1/accounts/verify_credentials").status_code == 403


def test_authorization_server_metadata(db):
    response = APIClient().get("/.well-known/oauth-authorization-server")
    assert response.status_code == 200
    assert_matches_contract(response, "/.well-known/oauth-authorization-server")
    assert "S256" in response.json()["code_challenge_methods_supported"]


def test_unknown_api_path_is_json_404(db):
    response = APIClient().get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"error": "Record not found"}


def test_rate_limit_headers_and_429(alice, api_for, settings):
    settings.API_RATE_LIMIT = 3
    api = api_for(alice)
    first = api.get("/api/v1/accounts/verify_credentials")
    assert first["X-RateLimit-Limit"] == "3" and first["X-RateLimit-Remaining"] == "2"
    assert first["X-RateLimit-Reset"].endswith("Z")
    api.get("/api/v1/accounts/verify_credentials")
    api.get("/api/v1/accounts/verify_credentials")
    limited = api.get("/api/v1/accounts/verify_credentials")
    assert limited.status_code == 429
    assert_matches_contract(limited, "/api/v1/accounts/verify_credentials")
    assert int(limited["Retry-After"]) > 0
    # Another token has its own allowance.
    assert api_for(alice).get("/api/v1/accounts/verify_credentials").status_code == 200
