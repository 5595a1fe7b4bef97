"""Every change to people and their relationships, whoever asks for it (web, API, inbox,
manage.py). Refusals are ApplicationError subclasses; side effects run on commit."""

import re
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import ApplicationError, NotFoundError

from .domain_blocks import is_domain_blocked_either_way
from .images import ImageInvalidError, process_image
from .keys import generate_key_pair
from .mail import CONFIRMATION_MAX_AGE, CONFIRMATION_SALT
from .models import (
    DISPLAY_NAME_MAX_LENGTH,
    FIELD_NAME_MAX_LENGTH,
    FIELD_VALUE_MAX_LENGTH,
    FIELDS_MAX,
    NOTE_MAX_LENGTH,
    USERNAME_MAX_LENGTH,
    Account,
    AccountDomainBlock,
    Block,
    Follow,
    FollowRequest,
    KeyPair,
    Mute,
    Notification,
    NotificationType,
    RegistrationMode,
    SiteSettings,
    User,
)

USERNAME_RE = re.compile(r"^[a-z0-9_]+$", re.IGNORECASE)
# Names that would impersonate the server or collide with its paths.
RESERVED_USERNAMES = {
    "admin", "administrator", "root", "support", "help", "inbox", "outbox", "webmaster",
    "postmaster", "hostmaster", "abuse", "security", "staff", "moderator", "mod", "system",
    "owner", "everyone", "all", "instance", "actor", "api", "about", "settings", "users",
    "mastodon", "pouet", "noreply", "no_reply", "info", "contact", "null", "undefined",
}
AVATAR_SIZE = (400, 400)
HEADER_SIZE = (1500, 500)
# Ranks and permissions of the roles: moderation/roles.py.
ROLE_GROUPS = {"owner": "Owner", "admin": "Admin", "moderator": "Moderator"}


class UsernameError(ApplicationError):
    pass


class RegistrationClosedError(ApplicationError):
    status_code = 403


class ConfirmationLinkError(ApplicationError):
    pass


class FollowError(ApplicationError):
    pass


class ProfileError(ApplicationError):
    pass


# --- sign-up and operators' accounts ----------------------------------------------------


def username_validate(username: str, *, allow_reserved: bool = False) -> None:
    if not username:
        raise UsernameError(_("Choose a username."), field="username")
    if len(username) > USERNAME_MAX_LENGTH:
        raise UsernameError(
            _("A username has at most %(n)d characters.") % {"n": USERNAME_MAX_LENGTH},
            field="username",
        )
    if not USERNAME_RE.match(username):
        raise UsernameError(
            _("Use only letters, digits and underscores in your username."), field="username",
        )
    if username.lower() in RESERVED_USERNAMES and not allow_reserved:
        raise UsernameError(_("This username is reserved."), field="username")
    taken = Account.objects.annotate(lower=Lower("username")).filter(
        lower=username.lower(), domain__isnull=True,
    )
    if taken.exists():
        raise UsernameError(_("This username is taken."), field="username")


@transaction.atomic
def account_create_local(
    *,
    username: str,
    email: str,
    password: str,
    confirmed: bool = False,
    approved: bool = True,
    role: str | None = None,
    reason: str = "",
    locale: str = "",
    allow_reserved: bool = False,
) -> Account:
    """Create a User and its Account. Keys are made by a task; the confirmation mail is sent
    on commit unless `confirmed`."""
    username = username.strip()
    email = User.objects.normalize_email(email.strip())
    username_validate(username, allow_reserved=allow_reserved)
    if User.objects.filter(email__iexact=email).exists():
        raise ApplicationError(_("This e-mail address is already in use."), field="email")
    try:
        validate_password(password, User(username=username, email=email))
    except ValidationError as error:
        raise ApplicationError(" ".join(error.messages), field="password") from None
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                username=username,
                email=email,
                password=password,
                email_confirmed_at=timezone.now() if confirmed else None,
                approved=approved,
                signup_reason=reason,
                locale=locale,
            )
            account = Account.objects.create(username=username, user=user)
    except IntegrityError:
        raise UsernameError(_("This username is taken."), field="username") from None
    if role:
        user_role_set(user=user, role=role)

    from .tasks import account_generate_keys, send_confirmation_email

    transaction.on_commit(lambda: account_generate_keys.send(account.pk))
    if not confirmed:
        transaction.on_commit(lambda: send_confirmation_email.send(user.pk))
    return account


def user_role_set(*, user: User, role: str) -> None:
    if role not in ROLE_GROUPS:
        raise ApplicationError(_("Unknown role: %(role)s") % {"role": role})
    group, _created = Group.objects.get_or_create(name=ROLE_GROUPS[role])
    user.groups.add(group)
    user.is_staff = True
    user.is_superuser = role in ("owner", "admin")
    user.save(update_fields=["is_staff", "is_superuser"])


def signup(
    *, username: str, email: str, password: str, agreement: bool, reason: str = "",
    locale: str = "", ip: str | None = None,
) -> Account:
    """A visitor's sign-up, under the server's registration mode, rules and blocklists."""
    # Moderation keeps the e-mail domain, username and IP blocklists; imported here because
    # moderation depends on accounts, never the other way round at import time.
    from moderation.blocks import registration_screen

    site = SiteSettings.current()
    if site.registration_mode == RegistrationMode.CLOSED:
        raise RegistrationClosedError(_("This server is not accepting new accounts."))
    if not agreement:
        raise ApplicationError(_("You must accept the server rules."), field="agreement")
    needs_approval = site.registration_mode == RegistrationMode.APPROVAL
    if needs_approval and not reason.strip():
        raise ApplicationError(
            _("Tell the moderators why you want to join."), field="reason",
        )
    needs_approval = registration_screen(email=email, username=username, ip=ip) or needs_approval
    return account_create_local(
        username=username, email=email, password=password, approved=not needs_approval,
        reason=reason.strip(), locale=locale,
    )


def email_confirm(*, token: str) -> User:
    try:
        data = signing.loads(token, salt=CONFIRMATION_SALT, max_age=CONFIRMATION_MAX_AGE)
    except signing.SignatureExpired:
        raise ConfirmationLinkError(_("This confirmation link has expired.")) from None
    except signing.BadSignature:
        raise ConfirmationLinkError(_("This confirmation link is not valid.")) from None
    user = User.objects.filter(pk=data.get("user"), email=data.get("email")).first()
    if user is None:
        raise ConfirmationLinkError(_("This confirmation link is not valid."))
    if user.email_confirmed_at is None:
        user.email_confirmed_at = timezone.now()
        user.save(update_fields=["email_confirmed_at"])
    return user


def email_confirmation_resend(*, user: User) -> None:
    """Send the confirmation link again (on commit); nothing if the address is confirmed."""
    if user.is_confirmed:
        return
    from .tasks import send_confirmation_email

    transaction.on_commit(lambda: send_confirmation_email.send(user.pk))


def user_tokens_revoke(*, user: User) -> None:
    """End every Mastodon app's access of this user (tokens and pending authorisation codes):
    after a password change or reset, or a suspension."""
    from django.apps import apps

    if not apps.is_installed("oauth2_provider"):
        return
    from oauth2_provider.models import (
        get_access_token_model,
        get_grant_model,
        get_refresh_token_model,
    )

    get_refresh_token_model().objects.filter(user=user).delete()
    get_access_token_model().objects.filter(user=user).delete()
    get_grant_model().objects.filter(user=user).delete()


def user_approve(*, user: User) -> None:
    User.objects.filter(pk=user.pk).update(approved=True)


def preferences_update(*, user: User, locale: str, default_visibility: str) -> None:
    """The user's interface language (applied from the next request) and the visibility
    the compose form starts with."""
    from statuses.models import Visibility

    if locale and locale not in dict(settings.LANGUAGES):
        raise ApplicationError(_("Unknown language."), field="locale")
    if default_visibility not in Visibility.values:
        raise ApplicationError(_("Unknown visibility."), field="default_visibility")
    User.objects.filter(pk=user.pk).update(locale=locale, default_visibility=default_visibility)
    user.locale, user.default_visibility = locale, default_visibility


# Keys one refill makes at most (8 s of CPU): the sweep queues a refill every minute, so a
# drained pool fills back over a few minutes instead of holding a core for one.
KEY_POOL_REFILL_MAX = 100


def key_pool_refill(*, limit: int = KEY_POOL_REFILL_MAX) -> int:
    """Make key pairs until the pool holds KEY_POOL_SIZE, at most `limit` now. Returns how
    many were made. Two refills at once may overshoot the size by a few: harmless."""
    made = 0
    while made < limit and KeyPair.objects.count() < settings.KEY_POOL_SIZE:
        private, public = generate_key_pair()
        KeyPair.objects.create(private_key=private, public_key=public)
        made += 1
    return made


def _key_pair_from_pool() -> tuple[str, str] | None:
    with transaction.atomic():
        # SKIP LOCKED: concurrent sign-ups each take a different pair without waiting.
        pair = KeyPair.objects.select_for_update(skip_locked=True).order_by("pk").first()
        if pair is None:
            return None
        pair.delete()
    return pair.private_key, pair.public_key


def account_keys_ensure(*, account_id: int) -> None:
    account = Account.objects.filter(pk=account_id, domain__isnull=True).first()
    if account is None or account.private_key:
        return
    private, public = _key_pair_from_pool() or generate_key_pair()
    # Conditional: a concurrent run that got there first keeps its keys.
    Account.objects.filter(pk=account_id, private_key="").update(
        private_key=private, public_key=public,
    )


# --- profile ------------------------------------------------------------------------------


def _fields_clean(fields: list[dict]) -> list[dict]:
    cleaned = [
        {"name": f.get("name", "").strip(), "value": f.get("value", "").strip()}
        for f in fields
        if f.get("name", "").strip() or f.get("value", "").strip()
    ]
    if len(cleaned) > FIELDS_MAX:
        raise ProfileError(_("At most %(n)d profile fields.") % {"n": FIELDS_MAX}, field="fields")
    for field in cleaned:
        if len(field["name"]) > FIELD_NAME_MAX_LENGTH or len(field["value"]) > FIELD_VALUE_MAX_LENGTH:
            raise ProfileError(_("A profile field is too long."), field="fields")
    return cleaned


@transaction.atomic
def profile_update(
    *,
    account: Account,
    display_name: str | None = None,
    note: str | None = None,
    fields: list[dict] | None = None,
    locked: bool | None = None,
    bot: bool | None = None,
    discoverable: bool | None = None,
    avatar=None,
    header=None,
) -> Account:
    """Change what is given and leave the rest; images are checked and re-encoded first so a
    bad file changes nothing."""
    from statuses.rendering import render_bio  # statuses owns text rendering

    if display_name is not None:
        if len(display_name) > DISPLAY_NAME_MAX_LENGTH:
            raise ProfileError(
                _("A display name has at most %(n)d characters.") % {"n": DISPLAY_NAME_MAX_LENGTH},
                field="display_name",
            )
        account.display_name = display_name.strip()
    if note is not None:
        if len(note) > NOTE_MAX_LENGTH:
            raise ProfileError(
                _("A bio has at most %(n)d characters.") % {"n": NOTE_MAX_LENGTH}, field="note",
            )
        account.note = note.strip()
        account.note_html = render_bio(account.note)
    if fields is not None:
        account.fields = _fields_clean(fields)
    for name, value in (("locked", locked), ("bot", bot), ("discoverable", discoverable)):
        if value is not None:
            setattr(account, name, value)
    images = {}
    for name, upload, size in (("avatar", avatar, AVATAR_SIZE), ("header", header, HEADER_SIZE)):
        if upload is not None:
            try:
                images[name] = process_image(upload, max_size=size, crop=True)
            except ImageInvalidError as error:
                # Say which upload was refused, so a form can show it next to that field.
                raise ImageInvalidError(error.message, field=name) from None
    for name, image in images.items():
        getattr(account, name).save(
            f"{name}.{image.extension}", ContentFile(image.data), save=False,
        )
    account.save()
    if account.is_local:
        from federation.services.outbound import publish_on_commit

        publish_on_commit("profile", account.pk)  # Update(Person) to followers' servers
    if locked is False:
        # Unlocking accepts everyone who was waiting, as Mastodon does.
        for request in FollowRequest.objects.filter(target_account=account):
            follow_accept(follow_request=request)
    return account


# --- relationships ------------------------------------------------------------------------


def is_blocked_either_way(a: Account, b: Account) -> bool:
    return Block.objects.filter(account=a, target_account=b).exists() or Block.objects.filter(
        account=b, target_account=a,
    ).exists()


@transaction.atomic
def follow_request(
    *, follower: Account, target: Account, show_reblogs: bool = True, notify: bool = False,
) -> Follow | FollowRequest:
    """Follow `target`, or ask to when it is locked or remote (the remote server answers)."""
    if follower.pk == target.pk:
        raise FollowError(_("You cannot follow yourself."))
    if target.is_suspended or follower.is_suspended:
        raise NotFoundError()
    if is_blocked_either_way(follower, target) or is_domain_blocked_either_way(follower, target):
        raise FollowError(_("You cannot follow this account."))
    existing = Follow.objects.filter(account=follower, target_account=target).first()
    if existing:
        Follow.objects.filter(pk=existing.pk).update(show_reblogs=show_reblogs, notify=notify)
        return existing
    if target.locked or not target.is_local:
        request, created = FollowRequest.objects.get_or_create(
            account=follower, target_account=target,
            defaults={"show_reblogs": show_reblogs, "notify": notify},
        )
        if created and target.is_local:
            notification_create(
                recipient=target, from_account=follower, type=NotificationType.FOLLOW_REQUEST,
            )
        if created and not target.is_local:
            from federation.services.outbound import publish_on_commit

            publish_on_commit("follow", request.pk)  # the Follow, sent once this commits
        return request
    return _follow_create(follower=follower, target=target, show_reblogs=show_reblogs, notify=notify)


def _follow_create(*, follower: Account, target: Account, show_reblogs=True, notify=False) -> Follow:
    follow, created = Follow.objects.get_or_create(
        account=follower, target_account=target,
        defaults={"show_reblogs": show_reblogs, "notify": notify},
    )
    FollowRequest.objects.filter(account=follower, target_account=target).delete()
    if created:
        notification_create(recipient=target, from_account=follower, type=NotificationType.FOLLOW)
        if follower.is_local:
            from statuses.tasks import feed_merge

            transaction.on_commit(lambda: feed_merge.send(follower.pk, target.pk))
    return follow


@transaction.atomic
def follow_accept(*, follow_request: FollowRequest) -> Follow:
    request = follow_request
    from federation.services.outbound import follow_answered

    follow_answered(request_uri=request.uri, follower=request.account,
                    target=request.target_account, accepted=True)
    Notification.objects.filter(
        account=request.target_account, from_account=request.account,
        type=NotificationType.FOLLOW_REQUEST,
    ).delete()
    return _follow_create(
        follower=request.account, target=request.target_account,
        show_reblogs=request.show_reblogs, notify=request.notify,
    )


@transaction.atomic
def follow_reject(*, follow_request: FollowRequest) -> None:
    from federation.services.outbound import follow_answered

    follow_answered(request_uri=follow_request.uri, follower=follow_request.account,
                    target=follow_request.target_account, accepted=False)
    Notification.objects.filter(
        account=follow_request.target_account, from_account=follow_request.account,
        type=NotificationType.FOLLOW_REQUEST,
    ).delete()
    follow_request.delete()


@transaction.atomic
def unfollow(*, follower: Account, target: Account) -> None:
    """Stop following (or withdraw a pending request); their posts leave my home feed."""
    from federation.services.outbound import relationship_ending

    relationship_ending(follower=follower, target=target)  # Undo(Follow) or Reject(Follow)
    FollowRequest.objects.filter(account=follower, target_account=target).delete()
    deleted, _rows = Follow.objects.filter(account=follower, target_account=target).delete()
    if deleted and follower.is_local:
        from statuses.tasks import feed_unmerge

        transaction.on_commit(lambda: feed_unmerge.send(follower.pk, target.pk))


def follower_remove(*, account: Account, follower: Account) -> None:
    unfollow(follower=follower, target=account)


@transaction.atomic
def block_create(*, account: Account, target: Account) -> Block:
    """Block: severs follows and requests both ways; each stops seeing the other."""
    if account.pk == target.pk:
        raise FollowError(_("You cannot block yourself."))
    block, created = Block.objects.get_or_create(account=account, target_account=target)
    if created:
        from federation.services.outbound import publish_on_commit

        publish_on_commit("block", block.pk)
    unfollow(follower=account, target=target)
    unfollow(follower=target, target=account)
    Notification.objects.filter(account=account, from_account=target).delete()
    return block


def block_remove(*, account: Account, target: Account) -> None:
    from federation.services.outbound import block_removed

    for block in Block.objects.filter(account=account, target_account=target).select_related(
        "account", "target_account",
    ):
        block_removed(block)
    Block.objects.filter(account=account, target_account=target).delete()


@transaction.atomic
def mute_create(
    *, account: Account, target: Account, hide_notifications: bool = True,
    duration: timedelta | None = None,
) -> Mute:
    if account.pk == target.pk:
        raise FollowError(_("You cannot mute yourself."))
    mute, _created = Mute.objects.update_or_create(
        account=account, target_account=target,
        defaults={
            "hide_notifications": hide_notifications,
            "expires_at": timezone.now() + duration if duration else None,
        },
    )
    return mute


def mute_remove(*, account: Account, target: Account) -> None:
    Mute.objects.filter(account=account, target_account=target).delete()


# --- notifications ------------------------------------------------------------------------


def notification_create(
    *, recipient: Account, from_account: Account, type: str, status=None,
) -> Notification | None:
    """Notify a local account, unless it would be about itself, from someone it blocks or
    mutes (muting with notifications hidden), from a domain it blocks, or about a thread it
    muted."""
    if not recipient.is_local or recipient.pk == from_account.pk:
        return None
    if Block.objects.filter(account=recipient, target_account=from_account).exists():
        return None
    if not from_account.is_local and AccountDomainBlock.objects.filter(
        account=recipient, domain=from_account.domain,
    ).exists():
        return None
    if Mute.objects.active().filter(
        account=recipient, target_account=from_account, hide_notifications=True,
    ).exists():
        return None
    if status is not None:
        # Imported here: statuses depends on accounts, not the other way round.
        from statuses.threads import is_thread_muted

        if is_thread_muted(account=recipient, status=status):
            return None
    notification, created = Notification.objects.get_or_create(
        account=recipient, from_account=from_account, type=type, status=status,
    )
    if created:
        from statuses.streaming.events import stream_notification

        transaction.on_commit(lambda: stream_notification(notification.pk))
    return notification


def notifications_mark_read(*, user: User, up_to_id: int) -> None:
    User.objects.filter(pk=user.pk, last_read_notification_id__lt=up_to_id).update(
        last_read_notification_id=up_to_id,
    )
