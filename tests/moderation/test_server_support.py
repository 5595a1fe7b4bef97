"""The "support this server" text and funding goal: set by admins, shown on the landing page."""

from decimal import Decimal

import pytest
from django.test import Client

from config.errors import ForbiddenError
from moderation.models import AuditLogEntry, ServerSupport
from moderation.server import ServerSupportError, server_support_update

pytestmark = pytest.mark.django_db


def test_the_landing_page_shows_the_funding_goal_once_set(admin_account):
    assert 'id="support"' not in Client().get("/").content.decode()

    server_support_update(
        by=admin_account.user, text="Hosting costs money.", goal_amount=Decimal("120"),
        raised_amount=Decimal("30"), currency="eur", link="https://example.org/give",
    )

    page = Client().get("/").content.decode()
    assert "Hosting costs money." in page and "120 EUR" in page and "30 EUR raised" in page
    assert 'href="https://example.org/give"' in page and 'value="25"' in page
    assert AuditLogEntry.objects.filter(action="server.support_update").exists()


def test_an_admin_edits_it_in_the_admin(client_for, admin_account):
    client = client_for(admin_account)
    url = f"/admin/moderation/serversupport/{ServerSupport.current().pk}/change/"

    response = client.post(url, {"text": "Help us", "goal_amount": "50", "currency": "usd", "link": ""})

    assert response.status_code == 302
    row = ServerSupport.current()
    assert (row.text, row.goal_amount, row.currency) == ("Help us", Decimal("50"), "USD")
    bad = client.post(url, {"text": "Help us", "goal_amount": "50", "currency": "dollars", "link": ""})
    assert bad.status_code == 200 and ServerSupport.current().currency == "USD"


def test_moderators_cannot_change_it_and_bad_input_changes_nothing(moderator, admin_account):
    with pytest.raises(ForbiddenError):
        server_support_update(by=moderator.user, text="Mine now")
    with pytest.raises(ServerSupportError):
        server_support_update(by=admin_account.user, text="x", currency="€")
    with pytest.raises(ServerSupportError):
        server_support_update(by=admin_account.user, text="x", goal_amount=Decimal("-1"))
    assert ServerSupport.current().text == ""
