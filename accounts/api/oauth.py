"""OAuth 2 as Mastodon speaks it, on django-oauth-toolkit: every app may use the
authorization-code (PKCE S256 when a challenge is sent), client-credentials and password
grants; the scopes an app may ask for are those it registered; `urn:ietf:wg:oauth:2.0:oob`
shows the code on a page instead of redirecting; tokens carry Mastodon's `created_at`."""

import hashlib
import json
from urllib.parse import parse_qs, urlparse

from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse, QueryDict
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.http import OAuth2ResponseRedirect
from oauth2_provider.models import get_access_token_model
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import BaseScopes
from oauth2_provider.views import AuthorizationView, RevokeTokenView, TokenView

from .scopes import ALL_SCOPES, DEFAULT_SCOPES, GRANULAR, scopes_parse

OOB_REDIRECT_URI = "urn:ietf:wg:oauth:2.0:oob"
# Never redirect a browser holding a fresh code to a scheme that runs code.
FORBIDDEN_REDIRECT_SCHEMES = {"javascript", "data", "vbscript", "file", "blob"}
GRANT_TYPES = ("authorization_code", "client_credentials", "password", "refresh_token")


def registered_scopes(application) -> list[str]:
    registration = getattr(application, "registration", None)
    return scopes_parse(registration.scopes) if registration else list(DEFAULT_SCOPES)


class AppScopes(BaseScopes):
    """An app may ask for the scopes it registered, and the granular scopes under a
    registered top-level one (an app registered for `read` may ask for `read:statuses`)."""

    def get_all_scopes(self):
        return ALL_SCOPES

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        if application is None:
            return list(ALL_SCOPES)
        registered = registered_scopes(application)
        granular = [s for s in GRANULAR if s.split(":", 1)[0] in registered]
        return registered + granular

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        return list(DEFAULT_SCOPES)


class MastodonValidator(OAuth2Validator):
    def validate_grant_type(self, client_id, grant_type, client, request, *args, **kwargs):
        return grant_type in GRANT_TYPES

    def validate_response_type(self, client_id, response_type, client, request, *args, **kwargs):
        return response_type == "code"

    def validate_user(self, username, password, client, request, *args, **kwargs):
        if not super().validate_user(username, password, client, request, *args, **kwargs):
            return False
        account = getattr(request.user, "account", None)
        return account is not None and not account.is_suspended


def _redirect_scheme_allowed(uri: str) -> bool:
    scheme = urlparse(uri).scheme.lower()
    return bool(scheme) and scheme not in FORBIDDEN_REDIRECT_SCHEMES


class AuthorizeView(AuthorizationView):
    """The consent page: log in if needed, then authorize or deny."""

    template_name = "oauth2_provider/authorize.html"

    def get(self, request, *args, **kwargs):
        if request.GET.get("code_challenge") and request.GET.get("code_challenge_method") != "S256":
            return render(
                request, self.template_name,
                {"error": {"error": "invalid_request",
                           "description": "Only the S256 code challenge method is supported."}},
                status=400,
            )
        return super().get(request, *args, **kwargs)

    def redirect(self, redirect_to, application):
        if redirect_to.startswith(OOB_REDIRECT_URI):
            query = parse_qs(urlparse(redirect_to).query)
            return render(self.request, "oauth2_provider/authorized-oob.html", {
                "application": application,
                "code": query.get("code", [""])[0],
                "error": query.get("error", [""])[0],
            })
        if not _redirect_scheme_allowed(redirect_to):
            return HttpResponseBadRequest(_("This redirect URI is not allowed."))
        return OAuth2ResponseRedirect(redirect_to, [urlparse(redirect_to).scheme])


def _json_body_as_form(request) -> None:
    """interop(Mastodon clients): some send the token request as JSON; the library reads
    form fields, so hand it the same fields as a form."""
    if request.content_type != "application/json":
        return
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return
    if not isinstance(data, dict):
        return
    form = QueryDict(mutable=True)
    for key, value in data.items():
        if isinstance(value, list):
            value = " ".join(str(v) for v in value)
        form[key] = "" if value is None else str(value)
    request._post = form


@method_decorator(csrf_exempt, name="dispatch")
class MastodonTokenView(TokenView):
    def post(self, request, *args, **kwargs):
        _json_body_as_form(request)
        if request.POST.get("grant_type") == "client_credentials" and not request.POST.get("scope"):
            # Mastodon grants an app-only token `read` when no scope is asked for.
            form = request.POST.copy()
            form["scope"] = " ".join(DEFAULT_SCOPES)
            request._post = form
        response = super().post(request, *args, **kwargs)
        if response.status_code == 200:
            body = json.loads(response.content)
            checksum = hashlib.sha256(body.get("access_token", "").encode()).hexdigest()
            token = get_access_token_model().objects.filter(token_checksum=checksum).first()
            if token is not None:
                body["created_at"] = int(token.created.timestamp())
            response.content = json.dumps(body)
        return response


@method_decorator(csrf_exempt, name="dispatch")
class MastodonRevokeView(RevokeTokenView):
    def post(self, request, *args, **kwargs):
        _json_body_as_form(request)
        response = super().post(request, *args, **kwargs)
        if response.status_code == 200:
            # Mastodon answers an empty JSON object.
            return JsonResponse({})
        return response


def _base_url() -> str:
    return f"{settings.LOCAL_SCHEME}://{settings.LOCAL_DOMAIN}"


def authorization_server_metadata(request):
    """RFC 8414 metadata, as Mastodon publishes it."""
    base = _base_url()
    return JsonResponse({
        "issuer": f"{base}/",
        "service_documentation": "https://docs.joinmastodon.org/",
        "authorization_endpoint": f"{base}/oauth/authorize",
        "token_endpoint": f"{base}/oauth/token",
        "app_registration_endpoint": f"{base}/api/v1/apps",
        "revocation_endpoint": f"{base}/oauth/revoke",
        "userinfo_endpoint": f"{base}/oauth/userinfo",
        "scopes_supported": list(ALL_SCOPES),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "code_challenge_methods_supported": ["S256"],
        "grant_types_supported": list(GRANT_TYPES[:3]),
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
    })


