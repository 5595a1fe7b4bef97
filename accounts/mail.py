"""E-mail we send people: confirmation links (password reset uses Django's own views)."""

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import SiteSettings, User

CONFIRMATION_SALT = "accounts.email-confirmation"
CONFIRMATION_MAX_AGE = 3 * 24 * 3600


def confirmation_token(user: User) -> str:
    return signing.dumps({"user": user.pk, "email": user.email}, salt=CONFIRMATION_SALT)


def confirmation_url(user: User) -> str:
    path = reverse("accounts:confirm_email", args=[confirmation_token(user)])
    return f"{settings.LOCAL_SCHEME}://{settings.LOCAL_DOMAIN}{path}"


def confirmation_email_send(*, user_id: int) -> None:
    """Mail the confirmation link; quietly nothing if the user is gone or already confirmed."""
    user = User.objects.filter(pk=user_id, email_confirmed_at__isnull=True).first()
    if user is None:
        return
    with translation.override(user.locale or settings.LANGUAGE_CODE):
        context = {"user": user, "url": confirmation_url(user), "site": SiteSettings.current()}
        subject = render_to_string("accounts/email/confirm_subject.txt", context).strip()
        body = render_to_string("accounts/email/confirm_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
