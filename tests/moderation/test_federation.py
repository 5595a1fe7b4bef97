"""What moderation tells other servers: a forwarded report's Flag, a suspended local
account's Delete, and the Update that brings it back."""

import pytest

from accounts.services import follow_request
from federation import http
from federation.models import Delivery
from moderation.reports import report_create, report_forward_deliver
from moderation.services import account_action, account_suspension_deliver, account_unsuspend
from tests.factories import make_remote_account
from tests.federation.conftest import FakeNetwork

pytestmark = pytest.mark.django_db


@pytest.fixture
def network(monkeypatch):
    """Other servers, answering 202 to every POST (federation.http's transport is the
    process boundary)."""
    fake = FakeNetwork()
    monkeypatch.setattr(http, "transport", fake)
    return fake


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_the_flag_the_delete_and_the_update_reach_the_other_servers(
    alice, bob, moderator, network, on_commit,
):
    troll = make_remote_account("troll", "bad.example")
    friend = make_remote_account("friend", "good.example")
    follow_request(follower=friend, target=bob)

    with on_commit():
        report_create(reporter=alice, target=troll, category="spam", forward=True)
    with on_commit():
        account_action(account=bob, action="suspend", by=moderator.user)
    with on_commit():
        account_unsuspend(account=bob, by=moderator.user)

    sent = [(p["url"], p["json"]["type"]) for p in network.posts()]
    assert ("https://bad.example/inbox", "Flag") in sent
    assert {("https://bad.example/inbox", "Delete"), ("https://good.example/inbox", "Delete")} <= set(sent)
    assert ("https://good.example/inbox", "Update") in sent  # back: the follower's server refetches


def test_a_forwarded_report_is_delivered_once_as_a_flag_from_the_instance_actor(alice, settings):
    troll = make_remote_account("troll", "bad.example")
    report = report_create(reporter=alice, target=troll, category="spam", comment="Spam", forward=True)

    report_forward_deliver(report_id=report.pk)
    report_forward_deliver(report_id=report.pk)

    delivery = Delivery.objects.get()
    assert delivery.inbox_url == "https://bad.example/inbox" and delivery.signer is None
    assert delivery.activity["type"] == "Flag"
    assert delivery.activity["actor"] == f"https://{settings.LOCAL_DOMAIN}/actor"
    report.refresh_from_db()
    assert report.forwarded_at is not None


def test_a_report_not_asked_to_be_forwarded_stays_here(alice):
    troll = make_remote_account("troll", "bad.example")
    report = report_create(reporter=alice, target=troll, category="spam")

    report_forward_deliver(report_id=report.pk)

    assert not Delivery.objects.exists()


def test_suspending_a_local_account_tells_every_known_server_once(bob, moderator):
    make_remote_account("one", "a.example")
    make_remote_account("two", "a.example")  # same shared inbox
    make_remote_account("three", "b.example")
    account_action(account=bob, action="suspend", by=moderator.user)

    account_suspension_deliver(account_id=bob.pk)

    deliveries = Delivery.objects.order_by("inbox_url")
    assert [d.inbox_url for d in deliveries] == ["https://a.example/inbox", "https://b.example/inbox"]
    activity = deliveries[0].activity
    assert activity["type"] == "Delete" and activity["object"] == bob.activitypub_id
    assert deliveries[0].signer == bob


def test_a_remote_account_suspension_is_not_announced(moderator):
    troll = make_remote_account("troll", "bad.example")
    make_remote_account("one", "a.example")
    account_action(account=troll, action="suspend", by=moderator.user)

    account_suspension_deliver(account_id=troll.pk)

    assert not Delivery.objects.exists()
