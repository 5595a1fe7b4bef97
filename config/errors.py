"""The domain errors every way in (web form, API, inbox, command) renders its own way."""

from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    """A refusal a user or peer should see: the message is shown as it is."""

    status_code = 422

    def __init__(self, message: str = "", *, field: str | None = None):
        super().__init__(message or self.default_message)
        self.message = message or self.default_message
        self.field = field

    default_message = _("This action is not allowed.")


class NotFoundError(ApplicationError):
    """The thing does not exist, or the viewer may not know that it does."""

    status_code = 404
    default_message = _("Not found.")


class ForbiddenError(ApplicationError):
    status_code = 403
    default_message = _("You are not allowed to do this.")


class RateLimitedError(ApplicationError):
    status_code = 429
    default_message = _("Too many requests, try again later.")
