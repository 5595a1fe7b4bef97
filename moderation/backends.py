from accounts.backends import UsernameOrEmailBackend

from .selectors import user_is_frozen


class FrozenUserBackend(UsernameOrEmailBackend):
    """Lets a frozen user log in on the web (and keep the session) so they can read and
    appeal the decision; ModerationMiddleware keeps them to those pages. Listed after the
    accounts backend, it is asked only when that one refused. Everything else that checks
    `is_active` (API tokens, the password grant, API sessions) still refuses them."""

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) or user_is_frozen(user)
