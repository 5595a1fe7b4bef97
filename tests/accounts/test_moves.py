"""Account migration from the settings pages: aliases ("Moving from a different account")
and the move itself ("Move to a different account"), and what followers and other servers
see. Only outbound HTTP is faked (tests.federation.conftest.FakeNetwork)."""

import pytest

from accounts.models import AccountAlias, Follow, FollowRequest
from accounts.services import follow_request
from federation import http
from federation.models import Delivery
from tests.factories import PASSWORD, make_local_account, make_remote_account
from tests.federation.conftest import FakeNetwork, ap_get, signed_post
from tests.federation.test_resolve import actor_document

NEW = "https://new.example/users/alice"
WEBFINGER = "https://new.example/.well-known/webfinger?resource=acct:alice@new.example"


@pytest.fixture(autouse=True)
def _local_domain(settings):
    settings.LOCAL_DOMAIN = "pouet.test"
    settings.ALLOWED_HOSTS = ["pouet.test", "testserver"]


@pytest.fixture
def network(monkeypatch):
    fake = FakeNetwork()
    monkeypatch.setattr(http, "transport", fake)
    return fake


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def new_account_online(network, **extra):
    """alice@new.example, found through WebFinger; `extra` goes into its actor document."""
    network.add(WEBFINGER, {"subject": "acct:alice@new.example", "links": [
        {"rel": "self", "type": "application/activity+json", "href": NEW}]})
    network.add(NEW, actor_document(NEW, "alice", **extra))


def errors_of(response) -> str:
    return response.content.decode()


# --- aliases ------------------------------------------------------------------------------


def test_an_alias_is_added_through_webfinger_and_shown_in_the_actor_document(
    alice, client_for, network, on_commit, client,
):
    new_account_online(network)
    with on_commit():
        response = client_for(alice).post("/settings/aliases", {"acct": "@alice@new.example"})
    assert response.status_code == 302
    page = client_for(alice).get("/settings/aliases").content.decode()
    assert "@alice@new.example" in page
    assert ap_get(client, "/users/alice").json()["alsoKnownAs"] == [NEW]

    alias = AccountAlias.objects.get(account=alice)
    client_for(alice).post(f"/settings/aliases/{alias.pk}/remove")
    assert not AccountAlias.objects.exists()
    assert "alsoKnownAs" not in ap_get(client, "/users/alice").json()


def test_an_alias_that_cannot_be_found_is_a_form_error(alice, client_for, network):
    response = client_for(alice).post("/settings/aliases", {"acct": "ghost@nowhere.example"})
    assert response.status_code == 400
    assert "No account @ghost@nowhere.example could be found." in errors_of(response)
    response = client_for(alice).post("/settings/aliases", {"acct": "alice"})
    assert response.status_code == 400 and "This is the account you are using." in errors_of(response)
    assert not AccountAlias.objects.exists()


def test_someone_elses_alias_cannot_be_removed(alice, bob, client_for, network):
    alias = AccountAlias.objects.create(account=bob, acct="bob@new.example", uri="https://new.example/users/bob")
    client_for(alice).post(f"/settings/aliases/{alias.pk}/remove")
    assert AccountAlias.objects.filter(pk=alias.pk).exists()


# --- moving away --------------------------------------------------------------------------


def test_moving_to_a_remote_account_that_names_us(alice, bob, client_for, network, on_commit, client):
    new_account_online(network, alsoKnownAs=["https://pouet.test/users/alice"])
    follow_request(follower=bob, target=alice)
    for name in ("carol", "dan"):  # two followers on one server: one Move to its shared inbox
        follow_request(follower=make_remote_account(name, "remote.example"), target=alice)

    with on_commit():
        response = client_for(alice).post("/settings/migration",
                                          {"acct": "alice@new.example", "current_password": PASSWORD})
    assert response.status_code == 302

    alice.refresh_from_db()
    assert alice.moved_to_account.uri == NEW
    # bob, here, now asks to follow the new account (a Follow to its server) and left the old one.
    assert not Follow.objects.filter(account=bob, target_account=alice).exists()
    assert FollowRequest.objects.filter(account=bob, target_account__uri=NEW).exists()
    assert [p["json"]["type"] for p in network.posts("https://new.example/inbox")] == ["Follow"]
    # The followers' server is told, signed by alice.
    moves = [p for p in network.posts("https://remote.example/inbox") if p["json"]["type"] == "Move"]
    assert len(moves) == 1
    move = moves[0]["json"]
    assert (move["actor"], move["object"], move["target"]) == (
        "https://pouet.test/users/alice", "https://pouet.test/users/alice", NEW)
    assert 'keyId="https://pouet.test/users/alice#main-key"' in moves[0]["headers"]["Signature"]
    assert ap_get(client, "/users/alice").json()["movedTo"] == NEW
    profile = client.get("/@alice").content.decode()
    assert "has moved to" in profile and "@alice@new.example" in profile
    assert "Your account has moved to" in client_for(alice).get("/settings/migration").content.decode()


def test_moving_to_a_local_account_moves_local_followers(alice, bob, client_for, on_commit, network):
    alice2 = make_local_account("alice2")
    follow_request(follower=bob, target=alice)
    client_for(alice2).post("/settings/aliases", {"acct": "alice"})
    with on_commit():
        client_for(alice).post("/settings/migration", {"acct": "alice2", "current_password": PASSWORD})
    assert Follow.objects.filter(account=bob, target_account=alice2).exists()
    assert not Follow.objects.filter(account=bob, target_account=alice).exists()
    assert not Delivery.objects.exists()  # no remote follower: nothing to tell


@pytest.mark.parametrize("form, error", [
    ({"acct": "alice@new.example", "current_password": "wrong"}, "The password is not correct."),
    ({"acct": "nobody@nowhere.example", "current_password": PASSWORD},
     "No account @nobody@nowhere.example could be found."),
    ({"acct": "alice", "current_password": PASSWORD}, "You cannot move an account to itself."),
    ({"acct": "alice@new.example", "current_password": PASSWORD},
     "does not name this account as one of its aliases"),
])
def test_a_refused_move_is_a_form_error_and_changes_nothing(alice, bob, client_for, network, form, error):
    new_account_online(network)  # its alsoKnownAs does not name alice
    follow_request(follower=bob, target=alice)
    response = client_for(alice).post("/settings/migration", form)
    assert response.status_code == 400
    assert error in errors_of(response)
    alice.refresh_from_db()
    assert alice.moved_to_account is None
    assert Follow.objects.filter(account=bob, target_account=alice).exists()
    assert not [p for p in network.posts() if p["json"]["type"] == "Move"]


def test_the_migration_pages_need_a_login(db, client):
    for path in ("/settings/migration", "/settings/aliases"):
        assert client.get(path).status_code == 302


# --- a remote account moving here ---------------------------------------------------------


def test_a_remote_account_moving_to_a_local_one_brings_its_local_followers(
    bob, client_for, network, django_capture_on_commit_callbacks,
):
    carol = make_remote_account("carol", "remote.example")
    follow_request(follower=bob, target=carol)
    Follow.objects.create(account=bob, target_account=carol)
    carol2 = make_local_account("carol2")
    move = {"id": f"{carol.uri}#moves/1", "type": "Move", "actor": carol.uri, "object": carol.uri,
            "target": "https://pouet.test/users/carol2"}

    with django_capture_on_commit_callbacks(execute=True):
        signed_post(client_for(bob), "/inbox", move, key_id=f"{carol.uri}#main-key")
    assert Follow.objects.filter(account=bob, target_account=carol).exists()  # carol2 did not confirm

    AccountAlias.objects.create(account=carol2, acct="carol@remote.example", uri=carol.uri)
    with django_capture_on_commit_callbacks(execute=True):
        signed_post(client_for(bob), "/inbox", {**move, "id": f"{carol.uri}#moves/2"},
                    key_id=f"{carol.uri}#main-key")
    assert Follow.objects.filter(account=bob, target_account=carol2).exists()
    assert not Follow.objects.filter(account=bob, target_account=carol).exists()
    carol.refresh_from_db()
    assert carol.moved_to_account == carol2
