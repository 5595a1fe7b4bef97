"""Idempotency-Key for posting: a client retrying a post (a flaky network) gets the status
it already made instead of a duplicate, for a day, as Mastodon does."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Account
from statuses.models import IdempotencyKey, Status
from statuses.services import status_create

KEY_LIFETIME = timedelta(hours=24)
KEY_MAX_LENGTH = 255


def status_create_idempotent(*, author: Account, key: str | None, **kwargs) -> Status:
    """`status_create`, once per (author, key) and day; without a key, always."""
    key = (key or "").strip()[:KEY_MAX_LENGTH]
    if not key:
        return status_create(author=author, **kwargs)
    cutoff = timezone.now() - KEY_LIFETIME
    existing = IdempotencyKey.objects.filter(
        account=author, key=key, created_at__gte=cutoff,
    ).select_related("status").first()
    if existing is not None:
        return existing.status
    with transaction.atomic():
        IdempotencyKey.objects.filter(account=author, key=key, created_at__lt=cutoff).delete()
        try:
            with transaction.atomic():
                status = status_create(author=author, **kwargs)
                IdempotencyKey.objects.create(account=author, key=key, status=status)
        except IntegrityError:
            # The same request, racing: the unique key kept one; its status is the answer
            # (the savepoint rolled our copy and its side effects back).
            return IdempotencyKey.objects.select_related("status").get(account=author, key=key).status
    return status
