"""`manage.py self_destruct` (tootctl's) and the scheduling of the moderation sweep."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import Account
from accounts.services import follow_request
from federation import http
from federation.models import Delivery
from moderation.models import AccountStrike, AuditLogEntry, SelfDestruct
from moderation.services import account_action
from moderation.tasks import moderation_sweep as moderation_sweep_task
from tests.factories import make_remote_account
from tests.federation.conftest import FakeNetwork

pytestmark = pytest.mark.django_db

AP = "application/activity+json"


@pytest.fixture
def peers():
    """Three servers: two accounts behind one shared inbox, one without a shared inbox."""
    accounts = [
        make_remote_account("ann", "one.example"),
        make_remote_account("ben", "one.example"),
        make_remote_account("cat", "two.example"),
        make_remote_account("dan", "three.example"),
    ]
    Account.objects.filter(pk=accounts[3].pk).update(shared_inbox_url="")
    return accounts


def self_destruct(*args) -> str:
    out = StringIO()
    call_command("self_destruct", *args, stdout=out)
    return out.getvalue()


def test_without_the_flag_it_refuses_and_changes_nothing(alice, peers, client):
    with pytest.raises(CommandError, match="--yes-i-am-sure"):
        self_destruct()

    assert not SelfDestruct.objects.exists()
    assert not Delivery.objects.exists()
    assert not AuditLogEntry.objects.filter(action="server.self_destruct").exists()
    assert client.get("/about").status_code == 200


def test_one_delete_per_local_actor_per_shared_inbox(alice, bob, peers):
    follow_request(follower=peers[0], target=alice)

    self_destruct("--yes-i-am-sure")

    inboxes = {"https://one.example/inbox", "https://two.example/inbox",
               "https://three.example/users/dan/inbox"}
    for account in (alice, bob):
        sent = Delivery.objects.filter(signer=account)
        assert sorted(sent.values_list("inbox_url", flat=True)) == sorted(inboxes)
        assert {d.activity["type"] for d in sent} == {"Delete"}
        assert {d.activity["object"] for d in sent} == {account.activitypub_id}
    row = SelfDestruct.objects.get()
    assert (row.actors, row.deliveries) == (2, 6)
    assert AuditLogEntry.objects.filter(action="server.self_destruct").count() == 1

    # Run again (say, after an interruption): nothing sent twice.
    self_destruct("--yes-i-am-sure")
    assert Delivery.objects.count() == 6
    assert SelfDestruct.objects.count() == 1


def test_the_deletes_reach_the_peers_after_commit(
    alice, peers, monkeypatch, django_capture_on_commit_callbacks,
):
    network = FakeNetwork()
    monkeypatch.setattr(http, "transport", network)

    with django_capture_on_commit_callbacks(execute=True):
        self_destruct("--yes-i-am-sure")

    sent = {(p["url"], p["json"]["type"]) for p in network.posts()}
    assert ("https://one.example/inbox", "Delete") in sent
    assert ("https://two.example/inbox", "Delete") in sent


def test_a_suspended_peer_is_not_told(alice, peers):
    make_remote_account("gone", "gone.example", suspended_at=timezone.now())

    self_destruct("--yes-i-am-sure")

    assert not Delivery.objects.filter(inbox_url__contains="gone.example").exists()


def test_after_self_destruct_everything_is_gone_but_actors_and_webfinger(alice, client_for, client):
    logged_in = client_for(alice)
    assert logged_in.get("/home").status_code == 200

    self_destruct("--yes-i-am-sure")

    for path in ["/", "/about", "/home", "/@alice", "/public/local", "/admin/", "/users/alice/outbox",
                 "/nodeinfo/2.0", "/no-such-page"]:
        assert logged_in.get(path).status_code == 410, path
        assert client.get(path).status_code == 410, path
    api = client.get("/api/v1/instance")
    assert api.status_code == 410 and api.json() == {"error": "Gone"}
    assert client.post("/inbox", data="{}", content_type=AP).status_code == 410
    assert client.post("/users/alice/inbox", data="{}", content_type=AP).status_code == 410

    # What peers need to verify the Deletes' signatures still answers.
    actor = client.get("/users/alice", HTTP_ACCEPT=AP)
    assert actor.status_code == 200 and actor.json()["publicKey"]["publicKeyPem"]
    assert client.get("/actor", HTTP_ACCEPT=AP).status_code == 200
    finger = client.get("/.well-known/webfinger", {"resource": f"acct:alice@{alice_domain()}"})
    assert finger.status_code == 200


def alice_domain():
    from django.conf import settings

    return settings.LOCAL_DOMAIN


# --- the sweep's scheduling ---------------------------------------------------------------


def test_the_sweep_actor_runs_the_sweep_and_is_idempotent(alice, bob, moderator):
    account_action(account=bob, action="limit", by=moderator.user, duration=timedelta(days=7))
    AccountStrike.objects.filter(account=bob).update(ends_at=timezone.now() - timedelta(minutes=1))

    moderation_sweep_task()
    bob.refresh_from_db()
    assert bob.silenced_at is None
    assert AuditLogEntry.objects.filter(action="account.unlimit", actor_name="sweep").count() == 1

    moderation_sweep_task.send()  # the inline broker runs it at once: a second run lifts nothing
    assert AuditLogEntry.objects.filter(action="account.unlimit", actor_name="sweep").count() == 1


def test_the_sweep_command_reports_what_it_did(db):
    out = StringIO()
    call_command("moderation", "sweep", stdout=out)
    assert "lifted: 0" in out.getvalue()
