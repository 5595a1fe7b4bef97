"""The per-process memo of the server's state: what every request reads (IP blocks,
self-destruct, the server's settings, published announcements, the domain rules every
received activity and delivery checks) costs no query, and a change
counts at once here and within a second in every other process."""

import time

import pytest
from django.core.cache import cache
from django.test import Client

from accounts.models import SiteSettings
from config import server_state
from moderation.blocks import (
    allowlist_mode_set,
    domain_allow_create,
    domain_block_create,
    domain_policy,
    ip_block_create,
    ip_is_denied,
)
from moderation.models import IPBlock

pytestmark = pytest.mark.django_db


def test_a_warm_memo_asks_the_database_nothing(django_assert_num_queries):
    SiteSettings.current()  # the row exists on a running server
    ip_is_denied("203.0.113.9")
    SiteSettings.shown()

    with django_assert_num_queries(0):
        assert not ip_is_denied("203.0.113.9")
        assert SiteSettings.shown().pk == 1


def test_a_change_made_here_counts_at_once_and_starts_a_generation_on_commit(
    django_capture_on_commit_callbacks,
):
    assert not ip_is_denied("203.0.113.9")
    before = cache.get(server_state.GENERATION_KEY)

    with django_capture_on_commit_callbacks(execute=True):
        ip_block_create(ip="203.0.113.0/24", severity="no_access", by=None)

    assert ip_is_denied("203.0.113.9")
    assert cache.get(server_state.GENERATION_KEY) not in (None, before)


def test_another_process_change_counts_here_within_a_second(monkeypatch):
    assert not ip_is_denied("203.0.113.9")
    # Another process blocks the network: the row arrives without a signal here, and its
    # commit starts a new generation in the shared cache.
    IPBlock.objects.bulk_create([IPBlock(ip="203.0.113.0/24", severity="no_access")])
    cache.set(server_state.GENERATION_KEY, "another process's generation")

    assert not ip_is_denied("203.0.113.9")  # this process has not looked yet
    later = time.monotonic() + 1.5
    monkeypatch.setattr(server_state._generation, "clock", lambda: later)
    assert ip_is_denied("203.0.113.9")


def test_a_new_server_name_is_on_the_next_page(client):
    assert "Pouet Test" not in client.get("/about").content.decode()

    settings_row = SiteSettings.current()
    settings_row.name = "Pouet Test"
    settings_row.save()

    assert "Pouet Test" in Client().get("/about").content.decode()


def test_domain_rules_cost_no_query_and_each_change_counts_at_once(
    django_assert_num_queries, django_capture_on_commit_callbacks,
):
    assert not domain_policy("bad.example").refused
    with django_assert_num_queries(0):
        assert not domain_policy("social.bad.example").refused

    before = cache.get(server_state.GENERATION_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        domain_block_create(domain="bad.example", by=None)
    assert domain_policy("social.bad.example").refused
    assert cache.get(server_state.GENERATION_KEY) not in (None, before)

    with django_capture_on_commit_callbacks(execute=True):
        allowlist_mode_set(enabled=True, by=None)
    assert domain_policy("friends.example").refused
    with django_capture_on_commit_callbacks(execute=True):
        domain_allow_create(domain="friends.example", by=None)
    assert not domain_policy("social.friends.example").refused
