"""The mechanisms issue 6's speed depends on, guarded without timing anything: one POST per
shared inbox however many followers share it, a private key parsed once per process, a
rebuilt home feed that gives the same page as the feed kept live by fan-out; and on the way
out, slow servers handed over, failing hosts resting, bodies and signers loaded once, one
connection per host."""

import json
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from requests.structures import CaseInsensitiveDict

from accounts.services import follow_request
from federation import http, sending, signatures
from federation.models import Delivery
from federation.services.delivery import deliveries_attempt, delivery_attempt
from statuses.feeds import feed_key, feed_rebuild, redis_client
from statuses.selectors import timeline_home
from statuses.services import reblog_create, status_create
from tests.factories import FIXED_PRIVATE_KEY, make_local_account, make_remote_account


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_one_post_per_shared_inbox_for_many_followers(alice, network, on_commit):
    for i in range(25):
        follow_request(follower=make_remote_account(f"big{i}", "big.example"), target=alice)
    for i in range(5):
        follow_request(follower=make_remote_account(f"small{i}", "small.example"), target=alice)
    network.sent.clear()

    with on_commit():
        status = status_create(author=alice, text="to thirty followers on two servers")

    urls = sorted(p["url"] for p in network.posts())
    assert urls == ["https://big.example/inbox", "https://small.example/inbox"]
    assert Delivery.objects.filter(activity_id__startswith=status.activitypub_id).count() == 2


def test_a_private_key_is_parsed_once_per_process(alice, network, monkeypatch):
    parsed = []
    real_loader = signatures.serialization.load_pem_private_key

    def counting_loader(*args, **kwargs):
        parsed.append(1)
        return real_loader(*args, **kwargs)

    monkeypatch.setattr(signatures.serialization, "load_pem_private_key", counting_loader)
    signatures.load_private_key.cache_clear()  # as a fresh process
    try:
        for i in range(5):
            signatures.sign_request(
                method="POST", url=f"https://remote{i}.example/inbox", headers={}, body=b"{}",
                key_id="https://pouet.test/users/alice#main-key", private_key_pem=FIXED_PRIVATE_KEY,
            )
        # Deliveries as the worker makes them, each signed with alice's key.
        alice.private_key = FIXED_PRIVATE_KEY
        alice.save(update_fields=["private_key"])
        rows = Delivery.objects.bulk_create([
            Delivery(activity_id="https://pouet.test/a/1", activity={"id": "https://pouet.test/a/1"},
                     inbox_url=f"https://server{i}.example/inbox", signer=alice)
            for i in range(5)
        ])
        for row in rows:
            assert delivery_attempt(delivery_id=row.pk) == "done"
        assert len(network.posts()) == 5
        assert len(parsed) == 1
    finally:
        signatures.load_private_key.cache_clear()  # no counting loader's key outlives the test


def _home_pages(viewer) -> list[list[int]]:
    first = [s.id for s in timeline_home(viewer=viewer, limit=4)]
    second = [s.id for s in timeline_home(viewer=viewer, max_id=first[-1], limit=4)]
    return [first, second]


def test_feed_rebuild_gives_the_same_page_as_the_live_feed(alice, bob, carol, on_commit):
    stranger = make_local_account("stranger")
    quiet = make_local_account("quiet")
    follow_request(follower=alice, target=bob)
    follow_request(follower=alice, target=carol)
    follow_request(follower=alice, target=quiet, show_reblogs=False)
    with on_commit():
        status_create(author=alice, text="my first post")
    timeline_home(viewer=alice)  # the feed exists from here on: fan-out keeps it live
    client = redis_client()
    with on_commit():
        bob_post = status_create(author=bob, text="bob speaks")
        status_create(author=stranger, text="nobody here follows me")
        stranger_post = status_create(author=stranger, text="a post to boost")
        reblog_create(account=carol, status=stranger_post)
        reblog_create(account=quiet, status=stranger_post)  # boosts hidden by alice
        status_create(author=carol, text="a reply to bob", in_reply_to=bob_post)
        status_create(author=bob, text="a reply to a stranger", in_reply_to=stranger_post)
        for i in range(4):
            status_create(author=carol, text=f"carol {i}")
        status_create(author=alice, text="my second post")

    live = _home_pages(alice)
    if client is not None:
        live_ids = client.zrevrange(feed_key(alice.pk), 0, -1)
        assert len(live_ids) > 8  # fan-out wrote the live feed: a rebuild is not a first read
        client.delete(feed_key(alice.pk))
        assert feed_rebuild(account=alice) > 8
    else:
        assert feed_rebuild(account=alice) == 0  # no Redis: the page is a query either way
    rebuilt = _home_pages(alice)

    assert rebuilt == live
    assert len(live[0]) == 4 and len(live[1]) == 4


# --- delivery: slow and dead servers never hold the threads that serve healthy ones ----------


def _deliveries(signer, *inboxes):
    return Delivery.objects.bulk_create([
        Delivery(activity_id="https://pouet.test/a/2", activity={"id": "https://pouet.test/a/2"},
                 inbox_url=inbox, signer=signer)
        for inbox in inboxes
    ])


@pytest.fixture
def quick_handoff(monkeypatch, settings):
    # Hand-over is for dramatiq workers; the tests run tasks in-process otherwise.
    settings.TASKS_INLINE = False
    monkeypatch.setattr(sending, "HANDOFF_AFTER", 0.05)


def test_in_process_tasks_never_hand_a_delivery_over(monkeypatch, settings):
    """A command running tasks in-process may exit right after: the POST's outcome must be
    recorded before `send_together` returns, however slow the server."""
    settings.TASKS_INLINE = True
    monkeypatch.setattr(sending, "HANDOFF_AFTER", 0.01)
    settled = sending.send_together([(lambda: time.sleep(0.1) or "answered", lambda future: future.result())])
    assert settled == ["answered"]


def test_one_outcome_failing_to_record_leaves_none_of_its_batch_unrecorded(settings):
    settings.TASKS_INLINE = True
    recorded = []

    def broken(future):
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        sending.send_together([(lambda: "first", broken),
                               (lambda: "second", lambda future: recorded.append(future.result()))])
    assert recorded == ["second"]


@pytest.mark.django_db(transaction=True)  # the settler thread records with its own connection
def test_a_slow_server_is_handed_over_and_a_healthy_one_goes_on(alice, network, quick_handoff, monkeypatch):
    release = threading.Event()

    def slow(method, url, headers, body):
        release.wait(5)
        return http.Response(202, CaseInsensitiveDict(), b"", url)

    network.add("https://slow.example/inbox", slow)
    to_slow, to_healthy = _deliveries(alice, "https://slow.example/inbox", "https://healthy.example/inbox")

    started = time.monotonic()
    assert delivery_attempt(delivery_id=to_slow.pk) == "handed over"
    monkeypatch.setattr(sending, "HANDOFF_AFTER", 60)  # the healthy one answers however loaded we are
    assert delivery_attempt(delivery_id=to_healthy.pk) == "done"
    assert time.monotonic() - started < 4  # the slow answer (5 s away) held neither
    assert Delivery.objects.get(pk=to_slow.pk).state == "sending"

    release.set()
    assert sending.wait_for_handed_over(10)
    slow_row = Delivery.objects.get(pk=to_slow.pk)
    assert (slow_row.state, slow_row.last_status) == ("done", 202)
    assert len(network.posts("https://slow.example/inbox")) == 1


@pytest.mark.django_db(transaction=True)
def test_in_a_batch_a_slow_server_holds_none_of_the_healthy_ones(alice, network, quick_handoff):
    release = threading.Event()
    # Each server answers only once all four POSTs are in flight: they must go out together.
    all_in_flight = threading.Barrier(4)

    def slow(method, url, headers, body):
        all_in_flight.wait(timeout=2)
        release.wait(5)
        return http.Response(202, CaseInsensitiveDict(), b"", url)

    def healthy(method, url, headers, body):
        all_in_flight.wait(timeout=2)
        return http.Response(202, CaseInsensitiveDict(), b"", url)

    network.add("https://slow.example/inbox", slow)
    healthy_inboxes = [f"https://healthy{n}.example/inbox" for n in range(3)]
    for url in healthy_inboxes:
        network.add(url, healthy)
    rows = _deliveries(alice, "https://slow.example/inbox", *healthy_inboxes)

    outcomes = deliveries_attempt(delivery_ids=[row.pk for row in rows])
    assert [outcomes[row.pk] for row in rows] == ["handed over", "done", "done", "done"]

    release.set()
    assert sending.wait_for_handed_over(10)
    assert Delivery.objects.get(pk=rows[0].pk).state == "done"


@pytest.mark.django_db(transaction=True)
def test_a_handed_over_transient_failure_is_retried_with_the_same_backoff(alice, network, quick_handoff,
                                                                            monkeypatch):
    from federation.tasks import deliver

    enqueued = []
    monkeypatch.setattr(deliver, "send_with_options", lambda **kwargs: enqueued.append(kwargs))

    def slow_then_unavailable(method, url, headers, body):
        time.sleep(0.3)
        return http.Response(503, CaseInsensitiveDict(), b"busy", url)

    network.add("https://slow.example/inbox", slow_then_unavailable)
    (row,) = _deliveries(alice, "https://slow.example/inbox")
    assert delivery_attempt(delivery_id=row.pk) == "handed over"
    assert sending.wait_for_handed_over(10)

    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_status) == ("pending", 1, 503)
    wait = row.next_attempt_at - timezone.now()
    assert timedelta(seconds=25) < wait <= timedelta(seconds=30)  # the first backoff step
    assert enqueued == [{"args": (row.pk,), "delay": 30_000}]


def test_a_failing_host_rests_without_holding_up_a_healthy_one(alice, network):
    network.add("https://down.example/inbox", 503)
    rows = _deliveries(alice, *[f"https://down.example/inbox?{n}" for n in range(8)],
                       "https://healthy.example/inbox")
    for n in range(8):
        network.add(f"https://down.example/inbox?{n}", 503)
    outcomes = [delivery_attempt(delivery_id=row.pk) for row in rows]

    assert outcomes == ["retry"] * 8 + ["done"]
    # Five failures in a row open the breaker: the other three were not sent, only retried later.
    assert len([p for p in network.posts() if "down.example" in p["url"]]) == sending.BREAKER_THRESHOLD
    rested = Delivery.objects.get(pk=rows[7].pk)
    assert rested.state == "pending" and rested.attempts == 1 and rested.next_attempt_at > timezone.now()
    assert "resting" in rested.last_error


def test_the_breaker_lets_one_try_through_after_its_cool_off():
    now = [0.0]
    breaker = sending.HostBreaker(threshold=2, cool_off=60, clock=lambda: now[0])
    breaker.failed("down.example")
    assert breaker.allows("down.example")
    breaker.failed("down.example")
    assert not breaker.allows("down.example") and breaker.allows("healthy.example")
    now[0] = 61
    assert breaker.allows("down.example")  # one try decides
    breaker.failed("down.example")
    assert not breaker.allows("down.example")
    now[0] = 122
    assert breaker.allows("down.example")
    breaker.succeeded("down.example")
    breaker.failed("down.example")
    assert breaker.allows("down.example")


def test_an_activity_body_is_encoded_and_its_signer_loaded_once_per_process(alice, network):
    alice.private_key = FIXED_PRIVATE_KEY
    alice.save(update_fields=["private_key"])
    rows = _deliveries(alice, *[f"https://server{i}.example/inbox" for i in range(5)])
    with CaptureQueriesContext(connection) as queries:
        for row in rows:
            assert delivery_attempt(delivery_id=row.pk) == "done"
    bodies = {p["body"] for p in network.posts()}
    assert len(bodies) == 1 and json.loads(bodies.pop()) == {"id": "https://pouet.test/a/2"}
    # Per delivery: the claim and the outcome; once per process: the body and the signer.
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert len(reads) <= 2 + len(rows)  # the body, the signer, and a look at each new host


def test_the_http_client_reuses_its_connection_to_a_host(settings):
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    peers = []

    class Inbox(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            peers.append(self.client_address)
            self.send_response(202)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Inbox)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.ALLOW_PRIVATE_ADDRESSES = True
    try:
        for _ in range(3):
            answer = http.request("POST", f"http://127.0.0.1:{server.server_port}/inbox", body=b"{}")
            assert answer.status == 202
    finally:
        server.shutdown()
    assert len(peers) == 3 and len(set(peers)) == 1  # one TCP connection for the three


# --- the inbox's hot path: memoized per process, never less checked ------------------------

CAROL = "https://remote.example/users/carol"


def _like(n):
    return {"id": f"{CAROL}#likes/{n}", "type": "Like", "actor": CAROL,
            "object": "https://pouet.test/users/alice/statuses/1"}


@pytest.fixture
def inbox_post(client, django_capture_on_commit_callbacks, network):
    from tests.federation.conftest import signed_post

    def send(activity):
        with django_capture_on_commit_callbacks(execute=True):
            return signed_post(client, "/inbox", activity, key_id=f"{CAROL}#main-key")
    return send


def test_inbox_verifies_a_known_signer_without_the_database(inbox_post, client, alice, remote_carol):
    assert inbox_post(_like(1)).status_code == 202
    with CaptureQueriesContext(connection) as queries, patch_processing():
        assert inbox_post(_like(2)).status_code == 202
    sql = [q["sql"] for q in queries.captured_queries]
    assert not [s for s in sql if "accounts_account" in s or "moderation_domainblock" in s]
    assert len([s for s in sql if s.startswith("INSERT")]) == 1
    # The signature itself is still verified every time: a forged one from the known key fails.
    from tests.federation.conftest import _signed_headers

    body = json.dumps(_like(3)).encode()
    headers = _signed_headers("POST", "/inbox", body, f"{CAROL}#main-key", None)
    # A real signature by that key, over another request (another body, so another Digest).
    other = _signed_headers("POST", "/inbox", json.dumps(_like(4)).encode(), f"{CAROL}#main-key", None)
    headers["Signature"] = other["Signature"]
    response = client.generic("POST", "/inbox", body, content_type="application/activity+json",
                              headers=headers, secure=True)
    assert response.status_code == 401


def patch_processing():
    """The processing task left out, to count the accept path's own statements."""
    from unittest import mock

    return mock.patch("federation.tasks.process_inbox_activity.send")


def test_inbox_refuses_a_domain_blocked_after_its_policy_was_memoized(inbox_post, alice, remote_carol):
    from moderation.models import DomainBlock

    assert inbox_post(_like(1)).status_code == 202
    DomainBlock.objects.create(domain="remote.example", severity="suspend")
    assert inbox_post(_like(2)).status_code == 403


def test_the_worker_drops_an_activity_whose_signer_was_suspended_after_it_was_accepted(
        inbox_post, alice, remote_carol):
    from federation.inbox.process import inbox_activity_process
    from federation.models import InboxActivity

    with patch_processing():
        assert inbox_post(_like(1)).status_code == 202
    remote_carol.suspended_at = timezone.now()
    remote_carol.save(update_fields=["suspended_at"])
    row = InboxActivity.objects.get(activity_id=f"{CAROL}#likes/1")
    inbox_activity_process(inbox_activity_id=row.pk)
    row.refresh_from_db()
    assert row.state == "failed" and "refused" in row.error
