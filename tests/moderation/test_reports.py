"""Reports: the web form (only posts the reporter may see), remote Flags, the moderators'
queue and report page (assign, notes, resolve, reopen, act), and the Flag we send."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import ServerRule
from accounts.services import follow_request
from moderation.models import AccountStrike, AuditLogEntry, DomainBlock, Report, ReportNote
from moderation.reports import (
    account_note_add,
    report_create,
    report_create_remote,
    report_flag_activity,
)
from statuses.models import Visibility
from statuses.services import status_create
from tests.factories import make_remote_account

from .pages import text_of

pytestmark = pytest.mark.django_db


def test_the_report_form_offers_only_posts_the_reporter_may_see(alice, bob, client_for):
    status_create(author=bob, text="Public nonsense", visibility=Visibility.PUBLIC)
    status_create(author=bob, text="Followers secret", visibility=Visibility.PRIVATE)
    status_create(author=bob, text="Direct secret @carol", visibility=Visibility.DIRECT)

    page = text_of(client_for(alice).get("/@bob/report"))

    assert "Public nonsense" in page
    assert "Followers secret" not in page and "Direct secret" not in page


def test_a_report_with_a_post_the_reporter_cannot_see_is_refused(alice, bob, client_for):
    secret = status_create(author=bob, text="Followers secret", visibility=Visibility.PRIVATE)

    response = client_for(alice).post(
        "/@bob/report", {"category": "spam", "status_ids": [str(secret.pk)]},
    )

    assert response.status_code == 400
    assert not Report.objects.exists()


def test_the_service_refuses_a_post_the_reporter_cannot_see(alice, bob):
    secret = status_create(author=bob, text="Followers secret", visibility=Visibility.PRIVATE)

    with pytest.raises(Exception, match="cannot be reported"):
        report_create(reporter=alice, target=bob, category="spam", status_ids=[secret.pk])

    assert not Report.objects.exists()


def test_a_follower_may_report_a_followers_only_post(alice, bob, client_for):
    follow_request(follower=alice, target=bob)
    post = status_create(author=bob, text="Followers rant", visibility=Visibility.PRIVATE)
    rule = ServerRule.objects.create(text="No harassment")

    client = client_for(alice)

    response = client.post("/@bob/report", {
        "category": "violation", "rule_ids": [str(rule.pk)], "status_ids": [str(post.pk)],
        "comment": "Aimed at me",
    })

    assert response.status_code == 302
    assert "the moderators will look at your report" in text_of(client.get(response["Location"]))
    report = Report.objects.get()
    assert (report.account, report.target_account, report.category, report.comment) == (
        alice, bob, "violation", "Aimed at me",
    )
    assert list(report.statuses.all()) == [post] and list(report.rules.all()) == [rule]


def test_breaking_rules_requires_naming_them(alice, bob, client_for):
    ServerRule.objects.create(text="Be kind")

    response = client_for(alice).post("/@bob/report", {"category": "violation"})

    assert response.status_code == 400
    assert "Choose the rules that were broken." in text_of(response)


def test_a_suspended_account_cannot_be_reported_through_its_page(alice, bob, moderator, client_for):
    from moderation.services import account_action

    account_action(account=bob, action="suspend", by=moderator.user)

    assert client_for(alice).get("/@bob/report").status_code == 404


def test_a_report_about_a_remote_account_waits_to_be_forwarded(alice):
    remote = make_remote_account("troll", "bad.example")

    report = report_create(reporter=alice, target=remote, category="spam", forward=True)

    assert report.forward and report.forwarded_at is None


def test_the_flag_names_the_instance_actor_not_the_reporter(alice, settings):
    remote = make_remote_account("troll", "bad.example")
    report = report_create(reporter=alice, target=remote, category="spam", comment="Spam", forward=True)

    flag = report_flag_activity(report)

    assert flag["type"] == "Flag"
    assert flag["actor"] == f"https://{settings.LOCAL_DOMAIN}/actor"
    assert flag["object"] == ["https://bad.example/users/troll"]
    assert flag["content"] == "Spam"
    assert "alice" not in str(flag)


def test_a_remote_flag_joins_the_queue_once(bob):
    actor = make_remote_account("instance", "other.example")
    flag = {"reporter": actor, "target": bob, "uri": "https://other.example/flags/1", "comment": "Bad"}

    first = report_create_remote(**flag)
    again = report_create_remote(**flag)

    assert first == again and Report.objects.count() == 1
    assert first.is_remote


def test_remote_flags_from_a_domain_rejecting_reports_are_dropped(bob):
    DomainBlock.objects.create(domain="other.example", severity="none", reject_reports=True)
    actor = make_remote_account("instance", "other.example")

    assert report_create_remote(reporter=actor, target=bob, uri="https://other.example/flags/2") is None
    assert not Report.objects.exists()


# --- the moderators' side -----------------------------------------------------------------


def _report(reporter, target, *, days_ago=0, **kwargs):
    report = report_create(reporter=reporter, target=target, category="spam", **kwargs)
    Report.objects.filter(pk=report.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    return report


def test_the_queue_lists_unresolved_first_then_oldest_first(
    alice, bob, carol, dave, moderator, client_for,
):
    resolved = _report(alice, bob, days_ago=10)
    Report.objects.filter(pk=resolved.pk).update(resolved_at=timezone.now())
    newer = _report(alice, carol, days_ago=1)
    older = _report(alice, dave, days_ago=3)

    page = client_for(moderator).get("/admin/moderation/report/").content.decode()

    positions = [page.index(f"/admin/moderation/report/{r.pk}/change/") for r in (older, newer, resolved)]
    assert positions == sorted(positions)
    index = text_of(client_for(moderator).get("/admin/"))
    assert "Open reports 2" in index


def test_the_report_page_shows_the_posts_as_they_look_and_the_history(
    alice, bob, carol, moderator, client_for,
):
    post = status_create(author=bob, text="Nasty **words**", spoiler_text="cw here")
    earlier = _report(carol, bob, days_ago=30)
    AccountStrike.objects.create(account=bob, action="warn", text="First warning")
    account_note_add(account=bob, by=moderator.user, text="Known troll")
    report = _report(alice, bob, status_ids=[post.pk], comment="Please look")

    page = text_of(client_for(moderator).get(f"/admin/moderation/report/{report.pk}/change/"))

    assert "Nasty" in page and "cw here" in page and "Please look" in page
    assert "First warning" in page and "Known troll" in page
    assert f"#{earlier.pk} @bob" in page


def test_a_moderator_assigns_notes_resolves_and_reopens(alice, bob, moderator, client_for):
    report = _report(alice, bob)
    client = client_for(moderator)
    base = f"/admin/moderation/report/{report.pk}"

    client.post(f"{base}/assign/", {"to": "me"})
    client.post(f"{base}/note/", {"text": "Looking into it"})
    client.post(f"{base}/resolve/")
    report.refresh_from_db()
    assert report.assigned_to == moderator.user and report.is_resolved
    assert ReportNote.objects.get().text == "Looking into it"

    client.post(f"{base}/resolve/", {"reopen": "1"})
    report.refresh_from_db()
    assert not report.is_resolved
    assert list(AuditLogEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "report.assign", "report.note", "report.resolve", "report.reopen",
    ]


def test_limiting_from_a_report_for_seven_days_resolves_it_and_the_user_sees_the_strike(
    alice, bob, moderator, client_for,
):
    post = status_create(author=bob, text="Spammy")
    report = _report(alice, bob, status_ids=[post.pk])

    client_for(moderator).post(f"/admin/moderation/report/{report.pk}/action/", {
        "action": "limit", "reason": "Repeated spam", "duration_days": "7",
        "status_ids": [str(post.pk)],
    })

    report.refresh_from_db()
    bob.refresh_from_db()
    strike = AccountStrike.objects.get()
    assert report.is_resolved and bob.silenced_at is not None
    assert strike.report == report and strike.ends_at > timezone.now() + timedelta(days=6)
    page = text_of(client_for(bob).get("/settings/strikes"))
    assert "Account limited" in page and "Repeated spam" in page and "Spammy" in page
    audit = text_of(client_for(moderator).get("/admin/moderation/auditlogentry/?q=spam"))
    assert "account.limit" in audit and "@bob" in audit


def test_a_moderator_cannot_act_on_a_staff_member_from_a_report(
    alice, other_moderator, moderator, client_for,
):
    report = _report(alice, other_moderator)

    response = client_for(moderator).post(
        f"/admin/moderation/report/{report.pk}/action/", {"action": "suspend", "reason": "x"},
    )

    assert response.status_code == 403
    other_moderator.refresh_from_db()
    assert not other_moderator.is_suspended and not AccountStrike.objects.exists()
