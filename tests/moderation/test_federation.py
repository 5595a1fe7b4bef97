"""What moderation tells other servers: a forwarded report's Flag, a suspended local
account's Delete, and the Update that brings it back."""

from io import StringIO

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


# --- a new key pair is announced ----------------------------------------------------------


# A second fixed key pair, the one `accounts rotate-keys` hands out in these tests.
ROTATED_PRIVATE_KEY = """-----BEGIN PRIVATE KEY-----
MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQC1lIdv9dOp3VLs
LOgewItxBJfjlBbZCs0lPHwUQ0qak+z24dScNECnL0VJUdrL83X8K67BLI/h1q0e
xiuapJyVrReUNN6/cW5YhlfrC3KMOa+ZnwPYFAYRI9tjpqQv2oiZP8rwLvctRuGk
VWOrJ2sFEK0Jg50EXFzZ7HPOHMk+68qF3JqRuMsNykg9Yn5iNFbrTQMOmSoN7ODH
or0PJoSkkUpYxrcdVogwqTOZd2RpCECA0ZWqZPSQjcsVqC4xgwZErMTMd7C8kbGY
0gn9M52ObgQZ0SmuJ2JjIGzE1E9zKsNLgo1ApsXSUh/Ui0anghb+UheaBvradK5K
0Ngkog5xAgMBAAECggEAPLb00G1wwGAWXY0ocjvshDZGeVynhRw0+yntzTKw693h
gq2BU1evdJd8QediUwbNoSuUC9iUJa4MBfm6U8ON7ghKFY7WGkpZ3LTTCe8ydovF
WQcQGHydiLamIXxzcuLOAPwRJd12XcfRJAs/P9f202M/kKpW4sHldCK5mCYM7oIF
6uyHk5H6awcvarirViAiNRcy8+RIKL/ucx6zLDqssax2w6r/PQJyjCfTSe9L7qpn
VuTqhj+ff69k0l+PHjmSY35s3Owwrk9UQYXdfBGKA10Gh9DPvAHgDxsDJouejanv
/G2ToToO87tWtk1qpxUkdFNp/Kj8InrvFhRUHRo4DwKBgQDa9umVLsYRf6pG5Wu3
D4saaMUOEOL+vheEiVCoLo9+KlnkitZMXPR8S9xQhLbzD4A/6l0qLAN308d3m1zk
0Z+KPgwkT6Vtfc2Kex1DlI3I3HLiE6Rc+zfMa06i5fqMlO+oBU8UXlVTVWL1wXMq
m8peaAzcZRCY7DfVvsX4zYyySwKBgQDUSuOMPutXfPHrUtWeI6zcHdwoGZythbkK
RKaTgKafP6I4qBvaVbowT+Y3A+whWYz6mNi+GOacJ0EW4+RKLWVABlxl65AjwWvA
iRgghVzSRbWB9gOu5Mnu2ODKnhSw/yhU0qIaVe+GLNZGn91FrnXVHBS8Alll8yG7
AhlSOAWsswKBgFKXb+PlkLBpB0FWqBqUslNz0WBM3lJYQWaspM/LQDTGpMGf3NVQ
+qcntiJo7Nkhr65sKFgP4f8A0uw6nf9xUkxCuzG3GR8DpNPnPFKRZimtfWfpIMYx
vApPL4oiVS9RvlQSLJHyQxz7yCgKn/YibWLOvIslU+1arHTjUKlYXwmhAoGAAkb3
X+bA4YRel/aggfzB+u57ERcNPjNEA98upkBoCSdGlzL+cX4f7Cq/PnHVU5pBT+LZ
2FguCRjGsvco2L7Z6jDnRtSbDDcj78HIt3iWwU6sHsPD0Fl17RD4gFPnxupFxXso
7/1h/191wPYwCnJPo0SU2FtyGAzenMHuAZrGPM8CgYBrSf3xHwYbVVHT59Jt4bqL
ZSWi5M3DEhKuKPEMvnCMUukQQNvrspAmipLOvPzY4Lbu3n1DSUXAjyJz6eK/lSmg
b35zHHl2k3kG+cnuHi08iETAEhvpqxPU0f1odatsbJKJ3rv0XtjX/5XBJnJFYevT
3mmlyFs/B2kGEJNnU264YQ==
-----END PRIVATE KEY-----
"""
ROTATED_PUBLIC_KEY = """-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtZSHb/XTqd1S7CzoHsCL
cQSX45QW2QrNJTx8FENKmpPs9uHUnDRApy9FSVHay/N1/CuuwSyP4datHsYrmqSc
la0XlDTev3FuWIZX6wtyjDmvmZ8D2BQGESPbY6akL9qImT/K8C73LUbhpFVjqydr
BRCtCYOdBFxc2exzzhzJPuvKhdyakbjLDcpIPWJ+YjRW600DDpkqDezgx6K9DyaE
pJFKWMa3HVaIMKkzmXdkaQhAgNGVqmT0kI3LFaguMYMGRKzEzHewvJGxmNIJ/TOd
jm4EGdEpridiYyBsxNRPcyrDS4KNQKbF0lIf1ItGp4IW/lIXmgb62nSuStDYJKIO
cQIDAQAB
-----END PUBLIC KEY-----
"""


def test_rotate_keys_sends_an_update_signed_with_the_new_key(alice, network, on_commit, monkeypatch):
    from django.core.management import call_command

    from federation.activitypub.common import local_base
    from federation.signatures import check_signed_request, signature_matches

    monkeypatch.setattr("accounts.keys.generate_key_pair", lambda: (ROTATED_PRIVATE_KEY, ROTATED_PUBLIC_KEY))
    from tests.factories import FIXED_PRIVATE_KEY, FIXED_PUBLIC_KEY

    alice.private_key, alice.public_key = FIXED_PRIVATE_KEY, FIXED_PUBLIC_KEY
    alice.save()
    for name in ("friend", "pal"):  # two followers on one server: one Update to its shared inbox
        follow_request(follower=make_remote_account(name, "good.example"), target=alice)
    make_remote_account("stranger", "other.example")

    with on_commit():
        call_command("accounts", "rotate-keys", "alice", stdout=StringIO())

    updates = [p for p in network.posts() if p["json"]["type"] == "Update"]
    assert [p["url"] for p in updates] == ["https://good.example/inbox"]
    update = updates[0]
    assert update["json"]["object"]["publicKey"]["publicKeyPem"].strip() == ROTATED_PUBLIC_KEY.strip()
    headers = update["headers"]
    parsed = check_signed_request(method="POST", path="/inbox", headers=headers, body=update["body"])
    assert parsed.key_id == f"{local_base()}/users/alice#main-key"
    assert signature_matches(parsed, method="POST", path="/inbox", headers=headers,
                             public_key_pem=ROTATED_PUBLIC_KEY)
    assert not signature_matches(parsed, method="POST", path="/inbox", headers=headers,
                                 public_key_pem=FIXED_PUBLIC_KEY)


def test_a_deleted_account_tells_its_followers_servers_with_the_key_they_know(
    bob, network, on_commit, monkeypatch,
):
    from django.core.management import call_command

    from federation.signatures import check_signed_request, signature_matches
    from tests.factories import FIXED_PRIVATE_KEY, FIXED_PUBLIC_KEY

    bob.private_key, bob.public_key = FIXED_PRIVATE_KEY, FIXED_PUBLIC_KEY
    bob.save()
    follow_request(follower=make_remote_account("friend", "good.example"), target=bob)
    # Were the key dropped with the account, a new one would sign: peers could not verify it.
    rotated = (ROTATED_PRIVATE_KEY, ROTATED_PUBLIC_KEY)
    monkeypatch.setattr("accounts.services.generate_key_pair", lambda: rotated)

    with on_commit():
        call_command("accounts", "delete", "bob", stdout=StringIO())

    deletes = [p for p in network.posts("https://good.example/inbox") if p["json"]["type"] == "Delete"]
    assert len(deletes) == 1 and deletes[0]["json"]["object"] == deletes[0]["json"]["actor"]
    headers = deletes[0]["headers"]
    parsed = check_signed_request(method="POST", path="/inbox", headers=headers, body=deletes[0]["body"])
    assert signature_matches(parsed, method="POST", path="/inbox", headers=headers,
                             public_key_pem=FIXED_PUBLIC_KEY)
