"""Who may do what, and the record of what staff did. Every staff write calls
`staff_require` first and `audit_log` last; `by=None` is the operator at the console."""

from django.utils.translation import gettext as _

from accounts.models import Account, User
from config.errors import ForbiddenError

from .models import AuditLogEntry

# How the periodic sweep signs the audit log.
SWEEP = "sweep"


def staff_require(by: User | None, permission: str) -> None:
    """Raise ForbiddenError unless `by` holds the permission; None is the console operator,
    who may do anything."""
    if by is not None and not by.has_perm(permission):
        raise ForbiddenError(_("You do not have the permission to do this."))


def audit_log(
    *, by: User | None, action: str, target, reason: str = "", details: dict | None = None,
    actor_name: str = "manage.py",
) -> AuditLogEntry:
    """Record a staff action. `target` is a model instance (or a string, e.g. a domain);
    `actor_name` names who acted when no user did (the console, the periodic sweep)."""
    if isinstance(target, str):
        target_type, target_id, target_repr = "text", "", target
    else:
        target_type = target._meta.model_name
        target_id = str(target.pk)
        target_repr = f"@{target.acct}" if isinstance(target, Account) else str(target)
    return AuditLogEntry.objects.create(
        actor=by, actor_name=by.get_username() if by else actor_name, action=action,
        target_type=target_type, target_id=target_id, target_repr=target_repr[:300],
        reason=reason, details=details or {},
    )
