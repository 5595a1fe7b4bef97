"""The operator's housekeeping commands: domains purge, accounts rotate-keys and cull,
media remove and usage, statuses remove, feeds clear, cache recount."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import Account
from federation import http
from moderation.models import AuditLogEntry
from statuses.models import Bookmark, Favourite, MediaAttachment, Mention, Status
from statuses.services import status_create
from tests.factories import make_remote_account

pytestmark = pytest.mark.django_db

OLD = timezone.now() - timedelta(days=60)


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def remote_status(account, text="Hello", created_at=None, **kwargs) -> Status:
    status = Status.objects.create(
        account=account, content=f"<p>{text}</p>", uri=f"{account.uri}/statuses/{text}", **kwargs,
    )
    if created_at:
        Status.objects.filter(pk=status.pk).update(created_at=created_at)
    return status


def cached_media(account, status=None, created_at=None) -> MediaAttachment:
    media = MediaAttachment.objects.create(
        account=account, status=status, remote_url=f"{account.uri}/media/1.png",
    )
    media.file.save("cached.png", ContentFile(b"x" * 1000))
    if created_at:
        MediaAttachment.objects.filter(pk=media.pk).update(created_at=created_at)
    return MediaAttachment.objects.get(pk=media.pk)


# --- domains purge --------------------------------------------------------------------------


def test_domains_purge_deletes_the_domains_accounts_and_posts_only(alice):
    spammer = make_remote_account("spam", "spam.example")
    neighbour = make_remote_account("kim", "fine.example")
    remote_status(spammer, "Buy")
    media = cached_media(spammer)
    storage, name = media.file.storage, media.file.name
    remote_status(neighbour, "Hi")

    assert "Would delete 1 accounts and 1 statuses" in run("domains", "purge", "spam.example", "--dry-run")
    assert Account.objects.filter(domain="spam.example").exists()

    run("domains", "purge", "SPAM.example")

    assert not Account.objects.filter(domain="spam.example").exists()
    assert not Status.objects.filter(account__domain="spam.example").exists()
    assert not storage.exists(name)
    assert Status.objects.filter(account=neighbour).exists() and Account.objects.filter(pk=alice.pk).exists()
    assert AuditLogEntry.objects.filter(action="domain.purge", target_repr="spam.example").exists()


def test_domains_purge_refuses_a_malformed_domain():
    make_remote_account("kim", "fine.example")
    with pytest.raises(CommandError):
        run("domains", "purge", "fine.example", "not a domain")
    assert Account.objects.filter(domain="fine.example").exists()


# --- accounts rotate-keys and cull ----------------------------------------------------------


def test_accounts_rotate_keys_one_or_all(alice, bob, monkeypatch):
    monkeypatch.setattr("accounts.keys.generate_key_pair", lambda: ("NEW PRIVATE", "NEW PUBLIC"))

    run("accounts", "rotate-keys", "alice")
    assert Account.objects.get(pk=alice.pk).public_key == "NEW PUBLIC"
    assert Account.objects.get(pk=bob.pk).public_key != "NEW PUBLIC"

    run("accounts", "rotate-keys", "--all")
    assert Account.objects.get(pk=bob.pk).private_key == "NEW PRIVATE"
    assert AuditLogEntry.objects.filter(action="account.rotate_keys").count() == 3


def test_accounts_rotate_keys_bad_input(alice, monkeypatch):
    monkeypatch.setattr("accounts.keys.generate_key_pair", lambda: ("NEW PRIVATE", "NEW PUBLIC"))
    make_remote_account("kim", "fine.example")
    for args in ((), ("alice", "--all"), ("nobody",), ("kim@fine.example",)):
        with pytest.raises(CommandError):
            run("accounts", "rotate-keys", *args)
    assert Account.objects.get(pk=alice.pk).public_key != "NEW PUBLIC"


def test_accounts_cull_deletes_only_accounts_their_server_says_are_gone(monkeypatch):
    gone = make_remote_account("gone", "a.example")
    remote_status(gone, "Bye")
    present = make_remote_account("here", "b.example")
    unreachable = make_remote_account("maybe", "down.example")

    def fake_request(method, url, **kwargs):
        if "down.example" in url:
            raise http.RemoteFetchError("timeout")
        return http.Response(status=410 if "a.example" in url else 200)

    monkeypatch.setattr(http, "request", fake_request)
    monkeypatch.setattr("federation.services.actors.signing_identity", lambda account: ("key", "pem"))

    assert "Would delete 1 remote accounts" in run("accounts", "cull", "--dry-run")
    assert Account.objects.filter(pk=gone.pk).exists()

    out = run("accounts", "cull")

    assert "@gone@a.example: gone" in out and "no answer, kept" in out
    assert not Account.objects.filter(pk=gone.pk).exists()
    assert not Status.objects.filter(uri__contains="a.example").exists()
    assert Account.objects.filter(pk__in=[present.pk, unreachable.pk]).count() == 2


# --- media ----------------------------------------------------------------------------------


def test_media_remove_drops_old_cached_remote_files_only(alice):
    kim = make_remote_account("kim", "fine.example")
    old = cached_media(kim, created_at=OLD)
    recent = cached_media(kim)
    storage, old_name = old.file.storage, old.file.name

    assert "Would remove 1 cached files" in run("media", "remove", "--days", "30", "--dry-run")
    assert storage.exists(old_name)

    run("media", "remove", "--days", "30")

    assert not storage.exists(old_name)
    old.refresh_from_db()
    assert not old.file and old.remote_url  # shown from, or fetched again from, its server
    assert MediaAttachment.objects.get(pk=recent.pk).file


def test_media_remove_refuses_a_bad_number_of_days():
    with pytest.raises(CommandError):
        run("media", "remove", "--days", "0")


def test_media_usage_counts_files_and_bytes():
    kim = make_remote_account("kim", "fine.example")
    cached_media(kim)

    out = run("media", "usage")

    assert "cached remote media: 1 files, 1000 B" in out and "local media: 0 files" in out


# --- statuses remove ------------------------------------------------------------------------


def test_statuses_remove_keeps_what_local_accounts_refer_to(alice):
    kim = make_remote_account("kim", "fine.example")
    plain = remote_status(kim, "plain", created_at=OLD)
    recent = remote_status(kim, "recent")
    bookmarked = remote_status(kim, "bookmarked", created_at=OLD)
    Bookmark.objects.create(account=alice, status=bookmarked)
    favourited = remote_status(kim, "favourited", created_at=OLD)
    Favourite.objects.create(account=alice, status=favourited)
    replied = remote_status(kim, "replied", created_at=OLD)
    status_create(author=alice, text="Indeed", in_reply_to=replied)
    boosted = remote_status(kim, "boosted", created_at=OLD)
    Status.objects.create(account=alice, reblog=boosted)
    mentioning = remote_status(kim, "mentioning", created_at=OLD)
    Mention.objects.create(status=mentioning, account=alice)

    assert "Would remove 1 remote statuses" in run("statuses", "remove", "--days", "30", "--dry-run")
    run("statuses", "remove", "--days", "30")

    remaining = set(Status.objects.filter(account=kim).values_list("pk", flat=True))
    assert plain.pk not in remaining
    assert {recent.pk, bookmarked.pk, favourited.pk, replied.pk, boosted.pk, mentioning.pk} <= remaining


def test_statuses_remove_refuses_a_bad_number_of_days():
    with pytest.raises(CommandError):
        run("statuses", "remove", "--days", "-3")


# --- feeds clear, cache recount ---------------------------------------------------------------


def test_feeds_clear_without_redis_says_so(settings):
    settings.REDIS_URL = ""
    assert "nothing to clear" in run("feeds", "clear")


def test_cache_recount_says_there_is_nothing_cached():
    assert "Nothing to recount" in run("cache", "recount")
