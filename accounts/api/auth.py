"""Who is calling: a bearer token (django-oauth-toolkit), the user behind it if any, and
whether its scopes allow the endpoint. Views read `viewer(request)`."""

from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.models import Account
from config.errors import ApplicationError, ForbiddenError

from .scopes import scope_granted


class UserRequiredError(ApplicationError):
    status_code = 422
    default_message = "This method requires an authenticated user"


class BearerTokenAuthentication(OAuth2Authentication):
    """A valid token of a usable login: a disabled user or a suspended account has no
    working token, whatever its expiry says."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            if request.META.get("HTTP_AUTHORIZATION", "").lower().startswith("bearer "):
                # A token was sent but is unknown, expired or revoked: say so, rather than
                # treating the call as anonymous.
                raise exceptions.AuthenticationFailed()
            return None
        user, token = result
        if user is not None:
            account = getattr(user, "account", None)
            if not user.is_active or account is None or account.is_suspended:
                raise exceptions.AuthenticationFailed()
        return result


def viewer(request) -> Account | None:
    """The account acting through the token, or None (anonymous, or an app-only token)."""
    user = getattr(request, "user", None)
    if request.auth is None or user is None or not user.is_authenticated:
        return None
    return user.account


def token_scopes(request) -> set[str]:
    token = request.auth
    return set(token.scope.split()) if token is not None else set()


def scoped(read: str | None = None, write: str | None = None, *, user: bool = True,
           public: bool = False) -> type[BasePermission]:
    """A permission class: GET/HEAD need the `read` scope, other methods the `write` one.
    `public` lets reads without a token through (public timelines, profiles); `user` refuses
    app-only tokens (client_credentials) with Mastodon's 422."""

    class Scoped(BasePermission):
        def has_permission(self, request, view):
            required = read if request.method in SAFE_METHODS else write
            if request.auth is None:
                # `public` opens reading only: a write always needs a token.
                if public and request.method in SAFE_METHODS:
                    return True
                raise exceptions.NotAuthenticated()
            if required and not scope_granted(token_scopes(request), required):
                raise ForbiddenError("This action is outside the authorized scopes")
            if user and viewer(request) is None:
                raise UserRequiredError()
            account_user = getattr(request.user, "account", None) and request.user
            if user and account_user and not account_user.is_confirmed:
                raise ForbiddenError("Your login is missing a confirmed e-mail address")
            if user and account_user and not account_user.approved:
                raise ForbiddenError("Your login is currently pending approval")
            return True

    # Read by the generated OpenAPI description (accounts/api/schema.py).
    Scoped.read_scope, Scoped.write_scope, Scoped.public, Scoped.user = read, write, public, user
    Scoped.__name__ = f"Scoped({read}, {write})"
    return Scoped
