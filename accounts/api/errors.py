"""The API's one error mapping: every refusal leaves as Mastodon's `{"error": "…"}` with
its 4xx. Domain errors (ApplicationError) carry their own status code and message."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import set_rollback

from config.errors import ApplicationError, NotFoundError

INVALID_TOKEN = "The access token is invalid"
NOT_FOUND = "Record not found"


def _flatten(detail) -> str:
    if isinstance(detail, dict):
        return ", ".join(f"{key} {_flatten(value)}" for key, value in detail.items())
    if isinstance(detail, list):
        return ", ".join(_flatten(item) for item in detail)
    return str(detail)


def exception_handler(exc, context):
    headers = {}
    if isinstance(exc, NotFoundError | Http404):
        # Mastodon's one answer for anything missing or hidden: a client cannot tell them apart.
        status, message = 404, NOT_FOUND
    elif isinstance(exc, ApplicationError):
        status, message = exc.status_code, exc.message
    elif isinstance(exc, DjangoPermissionDenied):
        status, message = 403, "This action is not allowed"
    elif isinstance(exc, exceptions.ValidationError):
        # Mastodon answers invalid parameters with 422 and one sentence.
        status, message = 422, f"Validation failed: {_flatten(exc.detail)}"
    elif isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        status, message = 401, INVALID_TOKEN
        headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    elif isinstance(exc, exceptions.APIException):
        status, message = exc.status_code, _flatten(exc.detail)
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
    else:
        return None
    set_rollback()
    return Response({"error": message}, status=status, headers=headers)
