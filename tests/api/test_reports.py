"""POST /api/v1/reports: the web form's service behind Mastodon's endpoint."""

import pytest

from accounts.models import ServerRule
from moderation.models import Report
from statuses.models import Visibility
from statuses.services import status_create
from tests.api.contract import assert_matches_contract
from tests.factories import make_remote_account

pytestmark = pytest.mark.django_db


def test_report_with_posts_and_rules_returns_the_report_entity(alice, bob, api_for):
    post = status_create(author=bob, text="Nonsense", visibility=Visibility.PUBLIC)
    rule = ServerRule.objects.create(text="No spam")

    response = api_for(alice).post("/api/v1/reports", {
        "account_id": str(bob.pk), "status_ids": [str(post.pk)], "rule_ids": [str(rule.pk)],
        "comment": "Please look", "category": "spam",
    }, format="json")

    assert response.status_code == 200, response.content
    assert_matches_contract(response, "/api/v1/reports", "post")
    body = response.json()
    # Rules cited make it a rule violation, as Mastodon does.
    assert body["category"] == "violation" and body["comment"] == "Please look"
    assert body["status_ids"] == [str(post.pk)] and body["rule_ids"] == [str(rule.pk)]
    assert body["target_account"]["id"] == str(bob.pk) and body["action_taken"] is False
    report = Report.objects.get(pk=body["id"])
    assert report.account == alice and list(report.statuses.all()) == [post]


def test_report_as_form_data_defaults_to_other(alice, bob, api_for):
    post = status_create(author=bob, text="Hmm", visibility=Visibility.PUBLIC)
    response = api_for(alice).post(
        "/api/v1/reports", {"account_id": str(bob.pk), "status_ids[]": [str(post.pk)]},
    )
    assert response.status_code == 200, response.content
    assert response.json()["category"] == "other"
    assert response.json()["forwarded"] is False


def test_report_of_a_remote_account_may_be_forwarded(alice, api_for):
    remote = make_remote_account("mallory", "spam.example")
    response = api_for(alice).post(
        "/api/v1/reports", {"account_id": str(remote.pk), "category": "spam", "forward": True},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["forwarded"] is True


def test_report_of_a_post_the_reporter_cannot_see_changes_nothing(alice, bob, api_for):
    secret = status_create(author=bob, text="Followers only", visibility=Visibility.PRIVATE)
    response = api_for(alice).post(
        "/api/v1/reports", {"account_id": str(bob.pk), "status_ids": [str(secret.pk)]}, format="json",
    )
    assert response.status_code == 422
    assert_matches_contract(response, "/api/v1/reports", "post")
    assert not Report.objects.exists()


def test_report_of_another_accounts_post_is_refused(alice, bob, carol, api_for):
    carols = status_create(author=carol, text="Mine", visibility=Visibility.PUBLIC)
    response = api_for(alice).post(
        "/api/v1/reports", {"account_id": str(bob.pk), "status_ids": [str(carols.pk)]}, format="json",
    )
    assert response.status_code == 422
    assert not Report.objects.exists()


@pytest.mark.parametrize("payload", [
    {"category": "nonsense"},
    {"category": "violation"},  # no rule cited
    {"rule_ids": ["999999"]},
    {"rule_ids": ["abc"]},
    {"status_ids": ["not-an-id"]},
    {"comment": "x" * 1001},
])
def test_report_with_bad_input_is_422_and_stores_nothing(alice, bob, api_for, payload):
    response = api_for(alice).post(
        "/api/v1/reports", {"account_id": str(bob.pk), **payload}, format="json",
    )
    assert response.status_code == 422, response.content
    assert "error" in response.json()
    assert not Report.objects.exists()


def test_report_of_a_missing_or_suspended_account_is_404(alice, bob, api_for):
    api = api_for(alice)
    assert api.post("/api/v1/reports", {"account_id": "999999"}, format="json").status_code == 404
    assert api.post("/api/v1/reports", {}, format="json").status_code == 404
    bob.suspended_at = bob.created_at
    bob.save()
    assert api.post("/api/v1/reports", {"account_id": str(bob.pk)}, format="json").status_code == 404
    assert not Report.objects.exists()


def test_report_needs_the_write_reports_scope(alice, bob, api_for, anon):
    assert api_for(alice, scopes="read").post(
        "/api/v1/reports", {"account_id": str(bob.pk)}, format="json",
    ).status_code == 403
    assert anon.post("/api/v1/reports", {"account_id": str(bob.pk)}, format="json").status_code == 401
    assert api_for(alice, scopes="write:reports").post(
        "/api/v1/reports", {"account_id": str(bob.pk)}, format="json",
    ).status_code == 200
