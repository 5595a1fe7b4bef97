"""What a client learns about the server before logging in: Mastodon's Instance (v2) and
V1Instance, and the server rules."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from rest_framework.decorators import api_view
from rest_framework.response import Response

from accounts.api.serializers import AccountOutput, base_url
from accounts.models import (
    DISPLAY_NAME_MAX_LENGTH,
    FIELD_NAME_MAX_LENGTH,
    FIELD_VALUE_MAX_LENGTH,
    FIELDS_MAX,
    NOTE_MAX_LENGTH,
    Account,
    RegistrationMode,
    ServerRule,
    SiteSettings,
)
from statuses.models import MEDIA_DESCRIPTION_MAX_CHARS, MEDIA_MAX_PER_STATUS, STATUS_MAX_CHARS, Status
from statuses.polls import POLL_MAX_SECONDS, POLL_MIN_SECONDS, POLL_OPTION_MAX_CHARS, POLL_OPTIONS_MAX
from statuses.services import PINS_MAX

# Clients read the Mastodon version to decide which features to use.
VERSION = "4.3.0 (compatible; Pouet 0.1.0)"
IMAGE_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"]
IMAGE_SIZE_LIMIT = 16 * 1024 * 1024
IMAGE_MATRIX_LIMIT = 40_000_000


def _rules() -> list[dict]:
    return [{"id": str(r.pk), "text": r.text, "hint": r.hint} for r in ServerRule.objects.all()]


def _contact_account() -> Account | None:
    return (
        Account.objects.local().not_suspended()
        .filter(user__is_superuser=True, user__is_active=True).order_by("pk").first()
    )


def _limits() -> dict:
    return {
        "statuses": {
            "max_characters": STATUS_MAX_CHARS, "max_media_attachments": MEDIA_MAX_PER_STATUS,
            "characters_reserved_per_url": 23,
        },
        "media_attachments": {
            "supported_mime_types": IMAGE_TYPES, "image_size_limit": IMAGE_SIZE_LIMIT,
            "image_matrix_limit": IMAGE_MATRIX_LIMIT, "video_size_limit": 0,
            "video_frame_rate_limit": 0, "video_matrix_limit": 0,
            "description_limit": MEDIA_DESCRIPTION_MAX_CHARS,
        },
        "polls": {
            "max_options": POLL_OPTIONS_MAX, "max_characters_per_option": POLL_OPTION_MAX_CHARS,
            "min_expiration": POLL_MIN_SECONDS, "max_expiration": POLL_MAX_SECONDS,
        },
    }


def _streaming_url() -> str:
    scheme = "wss" if settings.LOCAL_SCHEME == "https" else "ws"
    return f"{scheme}://{settings.LOCAL_DOMAIN}"


def _contact_email(site: SiteSettings) -> str:
    # Mastodon documents an address as always present; the sender address is the fallback.
    return site.contact_email or settings.DEFAULT_FROM_EMAIL


def _languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


@api_view(["GET"])
def instance_v2(request):
    site = SiteSettings.current()
    contact = _contact_account()
    active = Account.objects.local().filter(
        last_status_at__gte=timezone.now() - timedelta(days=30),
    ).count()
    configuration = _limits()
    configuration["accounts"] = {
        "max_featured_tags": 0, "max_pinned_statuses": PINS_MAX,
        "max_display_name_length": DISPLAY_NAME_MAX_LENGTH, "max_note_length": NOTE_MAX_LENGTH,
        "max_profile_fields": FIELDS_MAX, "profile_field_name_limit": FIELD_NAME_MAX_LENGTH,
        "profile_field_value_limit": FIELD_VALUE_MAX_LENGTH,
    }
    configuration["urls"] = {
        "streaming": _streaming_url(), "status": None, "about": f"{base_url()}/about",
        "privacy_policy": None, "terms_of_service": None,
    }
    configuration["vapid"] = {"public_key": ""}
    configuration["translation"] = {"enabled": False}
    return Response({
        "domain": settings.LOCAL_DOMAIN,
        "title": site.name,
        "version": VERSION,
        "source_url": getattr(settings, "SOURCE_URL", "") or f"{base_url()}/",
        "description": site.description,
        "usage": {"users": {"active_month": active}},
        "thumbnail": {"url": f"{base_url()}/headers/original/missing.png", "blurhash": None,
                      "versions": {}},
        "icon": [],
        "languages": _languages(),
        "configuration": configuration,
        "registrations": {
            "enabled": site.registration_mode != RegistrationMode.CLOSED,
            "approval_required": site.registration_mode == RegistrationMode.APPROVAL,
            "reason_required": site.registration_mode == RegistrationMode.APPROVAL,
            "message": None, "url": None, "min_age": None,
        },
        "api_versions": {"mastodon": 2},
        "contact": {
            "email": _contact_email(site),
            "account": AccountOutput(contact).data if contact else None,
        },
        "rules": _rules(),
    })


@api_view(["GET"])
def instance_v1(request):
    site = SiteSettings.current()
    contact = _contact_account()
    configuration = _limits()
    configuration["accounts"] = {"max_featured_tags": 0}
    return Response({
        "uri": settings.LOCAL_DOMAIN,
        "title": site.name,
        "short_description": site.description,
        "description": site.description,
        "email": _contact_email(site),
        "version": VERSION,
        "urls": {"streaming_api": _streaming_url()},
        "stats": {
            "user_count": Account.objects.local().not_suspended().count(),
            "status_count": Status.objects.local().filter(reblog__isnull=True).count(),
            "domain_count": Account.objects.remote().values("domain").distinct().count(),
        },
        "thumbnail": f"{base_url()}/headers/original/missing.png",
        "languages": _languages(),
        "registrations": site.registration_mode != RegistrationMode.CLOSED,
        "approval_required": site.registration_mode == RegistrationMode.APPROVAL,
        "invites_enabled": False,
        "configuration": configuration,
        "contact_account": AccountOutput(contact).data if contact else None,
        "rules": _rules(),
    })


@api_view(["GET"])
def instance_rules(request):
    return Response(_rules())
