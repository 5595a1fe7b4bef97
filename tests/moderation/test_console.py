"""The moderation console beyond reports: an account's page, the audit log, the dashboard."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import ServerRule
from accounts.services import follow_request
from moderation.models import AccountNote, AuditLogEntry
from moderation.reports import report_create
from moderation.services import account_action
from statuses.models import Visibility
from statuses.services import status_create

from .pages import text_of

pytestmark = pytest.mark.django_db


def test_the_account_page_shows_public_and_reported_posts_but_no_other_private_ones(
    alice, bob, moderator, client_for,
):
    follow_request(follower=alice, target=bob)
    status_create(author=bob, text="Public hello", visibility=Visibility.PUBLIC)
    reported = status_create(author=bob, text="Reported private", visibility=Visibility.PRIVATE)
    status_create(author=bob, text="Unreported private", visibility=Visibility.PRIVATE)
    status_create(author=bob, text="Direct to @alice", visibility=Visibility.DIRECT)
    report_create(reporter=alice, target=bob, category="spam", status_ids=[reported.pk])

    page = text_of(client_for(moderator).get(f"/admin/moderation/moderatedaccount/{bob.pk}/change/"))

    assert "Public hello" in page and "Reported private" in page
    assert "Unreported private" not in page and "Direct to" not in page


def test_acting_and_undoing_from_the_account_page(alice, bob, moderator, client_for):
    client = client_for(moderator)
    base = f"/admin/moderation/moderatedaccount/{bob.pk}"

    client.post(f"{base}/action/", {"action": "suspend", "reason": "Ban evasion", "notify": ""})
    assert client_for(alice).get("/@bob").status_code == 404
    assert "Suspended since" in text_of(client.get(f"{base}/change/"))

    client.post(f"{base}/undo/", {"undo": "unsuspend"})
    assert client_for(alice).get("/@bob").status_code == 200
    client.post(f"{base}/note/", {"text": "Was a mix-up"})
    assert AccountNote.objects.get().text == "Was a mix-up"
    assert "Was a mix-up" in text_of(client.get(f"{base}/change/"))


def test_the_audit_log_records_and_finds_actions_and_cannot_be_edited(bob, carol, moderator, client_for):
    account_action(account=bob, action="warn", by=moderator.user, reason="Tone it down")
    account_action(account=carol, action="limit", by=moderator.user, reason="Spam links")
    client = client_for(moderator)

    found = text_of(client.get("/admin/moderation/auditlogentry/?q=spam"))
    assert "@carol" in found and "account.limit" in found and "mia" in found
    assert "@bob" not in found
    entry = AuditLogEntry.objects.get(action="account.warn")
    delete = client.post(f"/admin/moderation/auditlogentry/{entry.pk}/delete/", {"post": "yes"})
    assert delete.status_code == 403
    assert client.get("/admin/moderation/auditlogentry/add/").status_code == 403
    assert AuditLogEntry.objects.count() == 2


def test_changes_made_in_other_admin_pages_are_in_the_audit_log(admin_account, client_for):
    client_for(admin_account).post("/admin/accounts/serverrule/add/", {"text": "Be kind", "position": "1"})

    assert ServerRule.objects.filter(text="Be kind").exists()
    entry = AuditLogEntry.objects.get()
    assert (entry.actor_name, entry.action, entry.target_repr) == ("adam", "admin.serverrule.add", "Be kind")


def test_the_dashboard_counts(alice, bob, moderator, client_for):
    status_create(author=alice, text="One")
    status_create(author=bob, text="Two")
    report_create(reporter=alice, target=bob, category="spam")

    page = client_for(moderator).get("/admin/moderation/report/dashboard/")

    assert page.status_code == 200
    dashboard = page.context["dashboard"]
    assert dashboard.open_reports == 1
    assert dashboard.days[-1].posts == 2 and dashboard.days[-1].signups == 3  # alice, bob, mia
    assert "Open reports 1" in text_of(page)


def test_the_dashboard_is_for_staff_with_the_permission(alice, client_for):
    alice.user.is_staff = True
    alice.user.save()

    assert client_for(alice).get("/admin/moderation/report/dashboard/").status_code == 403


def test_the_dashboard_shows_the_queue_backlog(moderator, client_for):
    from federation.models import Delivery, InboxActivity

    an_hour_ago = timezone.now() - timedelta(hours=1)
    Delivery.objects.create(activity_id="https://x/1", activity={}, inbox_url="https://a.example/inbox",
                            created_at=an_hour_ago)
    Delivery.objects.create(activity_id="https://x/1", activity={}, inbox_url="https://b.example/inbox")
    Delivery.objects.create(activity_id="https://x/2", activity={}, inbox_url="https://b.example/inbox",
                            state=Delivery.State.DONE)
    InboxActivity.objects.create(activity_id="https://c.example/1", type="Create", payload={})

    page = client_for(moderator).get("/admin/moderation/report/dashboard/")

    dashboard = page.context["dashboard"]
    assert (dashboard.pending_deliveries, dashboard.pending_inbox) == (2, 1)
    assert dashboard.oldest_pending_delivery == an_hour_ago
    assert "Deliveries waiting 2 (oldest 1 hour ago)" in text_of(page)
