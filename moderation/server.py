"""Server settings kept by moderation: the "support this server" text and funding goal."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from config.errors import ApplicationError

from .audit import audit_log, staff_require
from .models import ServerSupport


class ServerSupportError(ApplicationError):
    pass


@transaction.atomic
def server_support_update(
    *, by: User | None, text: str, goal_amount: Decimal | None = None,
    raised_amount: Decimal | None = None, currency: str = "EUR", link: str = "",
) -> ServerSupport:
    """Change what the landing page says about funding the server (admins only)."""
    staff_require(by, "moderation.change_serversupport")
    currency = (currency or "").strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise ServerSupportError(_("A currency is a three-letter code such as EUR."), field="currency")
    for name, amount in (("goal_amount", goal_amount), ("raised_amount", raised_amount)):
        if amount is not None and amount < 0:
            raise ServerSupportError(_("An amount cannot be negative."), field=name)
    row = ServerSupport.current()
    row.text, row.goal_amount, row.raised_amount = text.strip(), goal_amount, raised_amount
    row.currency, row.link = currency, link.strip()
    row.save()
    audit_log(by=by, action="server.support_update", target=row, details={
        "goal": str(goal_amount) if goal_amount is not None else None, "currency": currency,
    })
    return row
