"""What the operator's commands share: service refusals become CommandError, and several
arguments are one transaction, so a bad one changes nothing."""

from contextlib import contextmanager

from django.core.management.base import CommandError
from django.db import transaction

from config.errors import ApplicationError


@contextmanager
def all_or_nothing():
    try:
        with transaction.atomic():
            yield
    except ApplicationError as error:
        raise CommandError(error.message) from None
