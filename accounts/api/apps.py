"""POST /api/v1/apps and GET /api/v1/apps/verify_credentials."""

from urllib.parse import urlparse

from django.db import transaction
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import get_application_model
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response

from accounts.models import AppRegistration
from config.errors import ApplicationError

from .auth import scoped
from .inputs import StringOrListField
from .oauth import FORBIDDEN_REDIRECT_SCHEMES, OOB_REDIRECT_URI
from .scopes import ALL_SCOPES, DEFAULT_SCOPES
from .serializers import ApplicationOutput

APP_NAME_MAX = 60
REDIRECT_URIS_MAX = 20


class AppCreateInput(serializers.Serializer):
    client_name = serializers.CharField(max_length=APP_NAME_MAX)
    redirect_uris = StringOrListField()
    scopes = StringOrListField(required=False)
    website = serializers.URLField(max_length=2048, required=False, allow_blank=True)


class AppInvalidError(ApplicationError):
    pass


def _redirect_uri_valid(uri: str) -> bool:
    if uri == OOB_REDIRECT_URI:
        return True
    parsed = urlparse(uri)
    if not parsed.scheme or parsed.scheme.lower() in FORBIDDEN_REDIRECT_SCHEMES:
        return False
    # http(s) needs a host; an app's own scheme (com.example.app:/callback) need not.
    return bool(parsed.netloc) if parsed.scheme in ("http", "https") else True


@transaction.atomic
def app_create(*, name: str, redirect_uris: list[str], scopes: list[str], website: str = ""):
    """Register an OAuth client; returns (application, plain secret). The secret is stored
    hashed, so this is the only time it can be read."""
    if not redirect_uris or len(redirect_uris) > REDIRECT_URIS_MAX:
        raise AppInvalidError("Validation failed: Redirect URI must be present", field="redirect_uris")
    if not all(_redirect_uri_valid(uri) for uri in redirect_uris):
        raise AppInvalidError("Validation failed: Redirect URI must be an absolute URI.")
    scopes = scopes or list(DEFAULT_SCOPES)
    unknown = [s for s in scopes if s not in ALL_SCOPES]
    if unknown:
        raise AppInvalidError(f"Validation failed: Scopes {' '.join(unknown)} are not valid")
    Application = get_application_model()
    secret = generate_client_secret()
    application = Application.objects.create(
        name=name.strip(),
        redirect_uris=" ".join(redirect_uris),
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        client_secret=secret,
        skip_authorization=False,
    )
    AppRegistration.objects.create(application=application, scopes=" ".join(scopes), website=website)
    return application, secret


@api_view(["POST"])
def apps_create(request):
    data = AppCreateInput(data=request.data)
    data.is_valid(raise_exception=True)
    application, secret = app_create(
        name=data.validated_data["client_name"],
        redirect_uris=data.validated_data["redirect_uris"],
        scopes=data.validated_data.get("scopes") or [],
        website=data.validated_data.get("website", ""),
    )
    return Response(ApplicationOutput(application, context={"secret": secret}).data)


@api_view(["GET"])
@permission_classes([scoped(user=False)])
def apps_verify_credentials(request):
    return Response(ApplicationOutput(request.auth.application).data)
