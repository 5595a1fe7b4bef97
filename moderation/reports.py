"""Reports: from local users (the web form, the API) and from other servers (Flag), the
moderators' handling of them (assignment, notes, resolution), forwarding as a Flag, and
moderators' notes on accounts."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Account, ServerRule, User
from config.errors import ApplicationError, NotFoundError
from statuses.models import Status
from statuses.permissions import visible_statuses

from .audit import audit_log, staff_require
from .models import COMMENT_MAX_LENGTH, AccountNote, Report, ReportCategory, ReportNote


class ReportInvalidError(ApplicationError):
    pass


def _report_statuses(*, reporter: Account, target: Account, status_ids) -> list[Status]:
    ids = {int(i) for i in status_ids}
    statuses = list(
        visible_statuses(reporter, Status.objects.filter(pk__in=ids, account=target, reblog__isnull=True))
    )
    # A post the reporter may not see is refused as if it did not exist.
    if len(statuses) != len(ids):
        raise ReportInvalidError(_("Some of these posts cannot be reported."), field="status_ids")
    return statuses


def _report_rules(*, category: str, rule_ids) -> list[ServerRule]:
    if category not in ReportCategory.values:
        raise ReportInvalidError(_("Choose a category."), field="category")
    if category != ReportCategory.VIOLATION:
        return []
    ids = {int(i) for i in rule_ids}
    rules = list(ServerRule.objects.filter(pk__in=ids))
    if not ids or len(rules) != len(ids):
        raise ReportInvalidError(_("Choose the rules that were broken."), field="rule_ids")
    return rules


@transaction.atomic
def report_create(
    *,
    reporter: Account,
    target: Account,
    category: str,
    status_ids=(),
    rule_ids=(),
    comment: str = "",
    forward: bool = False,
) -> Report:
    """A local user reports an account and some of its statuses (only ones they may see).
    A report about a remote account may be forwarded to its server (on commit)."""
    if reporter.pk == target.pk:
        raise ReportInvalidError(_("You cannot report yourself."))
    if target.is_suspended:
        raise NotFoundError()
    comment = comment.strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise ReportInvalidError(
            _("A comment has at most %(n)d characters.") % {"n": COMMENT_MAX_LENGTH}, field="comment",
        )
    rules = _report_rules(category=category, rule_ids=rule_ids)
    statuses = _report_statuses(reporter=reporter, target=target, status_ids=status_ids)
    report = Report.objects.create(
        account=reporter, target_account=target, category=category, comment=comment,
        forward=forward and not target.is_local,
    )
    report.statuses.set(statuses)
    report.rules.set(rules)
    if report.forward:
        from .tasks import report_forward

        transaction.on_commit(lambda: report_forward.send(report.pk))
    return report


@transaction.atomic
def report_create_remote(
    *, reporter: Account, target: Account, uri: str, comment: str = "", statuses=(),
) -> Report | None:
    """A report received as a Flag activity from another server (the inbox calls this).
    Returns None when the sender's domain is blocked with "reject reports"; a Flag received
    twice is one report."""
    from .blocks import domain_policy

    if domain_policy(reporter.domain).reject_reports:
        return None
    existing = Report.objects.filter(uri=uri).first()
    if existing is not None:
        return existing
    report = Report.objects.create(
        account=reporter, target_account=target, uri=uri,
        comment=comment.strip()[:COMMENT_MAX_LENGTH], category=ReportCategory.OTHER,
    )
    report.statuses.set([s for s in statuses if s.account_id == target.pk])
    return report


def report_flag_activity(report: Report) -> dict:
    """The Flag sent to the reported account's server: from the instance actor, so the
    reporter stays anonymous to the remote server (as Mastodon does)."""
    from federation.activitypub.actors import instance_actor_id
    from federation.activitypub.common import CONTEXT, local_base

    status_ids = [status.activitypub_id for status in report.statuses.select_related("account")]
    return {
        "@context": CONTEXT,
        "id": f"{local_base()}/reports/{report.pk}",
        "type": "Flag",
        "actor": instance_actor_id(),
        "content": report.comment,
        "object": [report.target_account.activitypub_id, *status_ids],
    }


@transaction.atomic
def report_forward_deliver(*, report_id: int) -> None:
    """Send a report's Flag to the reported account's server, once (the task calls this)."""
    from federation.services.delivery import deliveries_create

    report = Report.objects.select_related("target_account").filter(pk=report_id, forward=True).first()
    if report is None or report.target_account.is_local:
        return
    # Claim the report: a task run twice forwards once.
    if not Report.objects.filter(pk=report.pk, forwarded_at__isnull=True).update(forwarded_at=timezone.now()):
        return
    target = report.target_account
    deliveries_create(
        activity=report_flag_activity(report), signer=None,
        inboxes=[target.shared_inbox_url or target.inbox_url],
    )


@transaction.atomic
def report_assign(*, report: Report, by: User | None, to: User | None) -> Report:
    """Assign the report to a moderator (`to`), or unassign it (`to=None`)."""
    staff_require(by, "moderation.change_report")
    if to is not None and not to.has_perm("moderation.change_report"):
        raise ReportInvalidError(_("This person cannot handle reports."))
    report.assigned_to = to
    report.save(update_fields=["assigned_to"])
    audit_log(
        by=by, action="report.assign" if to else "report.unassign", target=report,
        details={"to": to.get_username() if to else None},
    )
    return report


@transaction.atomic
def report_note_add(*, report: Report, by: User | None, text: str) -> ReportNote:
    staff_require(by, "moderation.add_reportnote")
    if not text.strip():
        raise ApplicationError(_("Write a note."), field="text")
    note = ReportNote.objects.create(report=report, author=by, text=text.strip())
    audit_log(by=by, action="report.note", target=report, reason=note.text)
    return note


@transaction.atomic
def report_resolve(*, report: Report, by: User | None, reason: str = "") -> Report:
    staff_require(by, "moderation.change_report")
    if report.is_resolved:
        return report
    report.resolved_at, report.resolved_by = timezone.now(), by
    report.save(update_fields=["resolved_at", "resolved_by"])
    audit_log(by=by, action="report.resolve", target=report, reason=reason)
    return report


@transaction.atomic
def report_reopen(*, report: Report, by: User | None, reason: str = "") -> Report:
    staff_require(by, "moderation.change_report")
    if not report.is_resolved:
        return report
    report.resolved_at = report.resolved_by = None
    report.save(update_fields=["resolved_at", "resolved_by"])
    audit_log(by=by, action="report.reopen", target=report, reason=reason)
    return report


@transaction.atomic
def account_note_add(*, account: Account, by: User | None, text: str) -> AccountNote:
    staff_require(by, "moderation.add_accountnote")
    if not text.strip():
        raise ApplicationError(_("Write a note."), field="text")
    note = AccountNote.objects.create(account=account, author=by, text=text.strip())
    audit_log(by=by, action="account.note", target=account, reason=note.text)
    return note
