"""E-mail about moderation decisions, in the recipient's language."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.models import SiteSettings

from .models import AccountStrike


def strike_email(*, strike_id: int) -> None:
    """Mail the strike's reason and where to appeal; nothing if the account has no login."""
    strike = AccountStrike.objects.select_related("account__user").filter(pk=strike_id).first()
    if strike is None or strike.account.user is None:
        return
    user = strike.account.user
    with translation.override(user.locale or settings.LANGUAGE_CODE):
        context = {
            "strike": strike,
            "site": SiteSettings.current(),
            "url": f"{settings.LOCAL_SCHEME}://{settings.LOCAL_DOMAIN}{reverse('moderation:strikes')}",
        }
        subject = render_to_string("moderation/email/strike_subject.txt", context).strip()
        body = render_to_string("moderation/email/strike_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
