"""Appeals: once per strike, seen by moderators, approved (the action undone) or rejected."""

import pytest

from config.errors import ForbiddenError
from moderation.models import AccountStrike, Appeal, AuditLogEntry, StrikeAction
from moderation.services import AppealError, account_action, appeal_approve, appeal_create, appeal_reject
from statuses.models import Visibility
from statuses.services import status_create

from .pages import text_of

pytestmark = pytest.mark.django_db


def _appeal(client, strike, text="It was a joke"):
    return client.post(f"/settings/strikes/{strike.pk}/appeal", {"text": text})


def test_a_user_appeals_a_strike_once(bob, moderator, client_for):
    strike = account_action(account=bob, action=StrikeAction.WARN, by=moderator.user, reason="Rude")
    client = client_for(bob)

    _appeal(client, strike)
    second = _appeal(client, strike, "Please")

    assert Appeal.objects.get().text == "It was a joke"
    assert "You have already appealed this decision." in text_of(client.get(second["Location"]))
    assert "Your appeal: Pending" in text_of(client.get("/settings/strikes"))


def test_nobody_appeals_someone_elses_strike(alice, bob, moderator, client_for):
    strike = account_action(account=bob, action=StrikeAction.WARN, by=moderator.user)

    assert _appeal(client_for(alice), strike).status_code == 404
    assert not Appeal.objects.exists()


def test_a_suspended_user_can_still_appeal(bob, moderator, client_for):
    strike = account_action(account=bob, action=StrikeAction.SUSPEND, by=moderator.user)

    _appeal(client_for(bob), strike)

    assert Appeal.objects.get().strike == strike


def test_approving_an_appeal_against_a_limit_lifts_it(alice, bob, moderator, client_for):
    status_create(author=bob, text="Fair comment", visibility=Visibility.PUBLIC)
    strike = account_action(account=bob, action=StrikeAction.LIMIT, by=moderator.user)
    _appeal(client_for(bob), strike)

    response = client_for(moderator).post("/admin/moderation/appeal/", {
        "action": "approve", "_selected_action": [str(Appeal.objects.get().pk)],
    })

    assert response.status_code == 302
    assert "Fair comment" in text_of(client_for(alice).get("/public/local"))
    strike.refresh_from_db()
    assert strike.overruled_at is not None
    assert "Reversed on appeal" in text_of(client_for(bob).get("/settings/strikes"))
    assert AuditLogEntry.objects.filter(action="appeal.approve", actor_name="mia").exists()


def test_approving_an_appeal_against_a_suspension_restores_the_account(alice, bob, moderator, client_for):
    strike = account_action(account=bob, action=StrikeAction.SUSPEND, by=moderator.user)
    appeal = appeal_create(strike=strike, user=bob.user, text="Hacked, now fixed")

    appeal_approve(appeal=appeal, by=moderator.user)

    assert client_for(alice).get("/@bob").status_code == 200


def test_rejecting_an_appeal_keeps_the_decision(bob, moderator, client_for):
    strike = account_action(account=bob, action=StrikeAction.LIMIT, by=moderator.user)
    appeal = appeal_create(strike=strike, user=bob.user, text="Unfair")

    appeal_reject(appeal=appeal, by=moderator.user, reason="Clear spam")

    bob.refresh_from_db()
    assert bob.silenced_at is not None
    assert "Your appeal: Rejected" in text_of(client_for(bob).get("/settings/strikes"))
    with pytest.raises(AppealError):
        appeal_approve(appeal=appeal, by=moderator.user)


def test_only_moderators_decide_appeals(alice, bob, moderator):
    strike = account_action(account=bob, action=StrikeAction.LIMIT, by=moderator.user)
    appeal = appeal_create(strike=strike, user=bob.user, text="Unfair")

    with pytest.raises(ForbiddenError):
        appeal_approve(appeal=appeal, by=alice.user)

    assert Appeal.objects.get().state == "pending"
    assert AccountStrike.objects.get().overruled_at is None
