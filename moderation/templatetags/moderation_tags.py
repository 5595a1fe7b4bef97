from django import template

from accounts.models import User

from ..models import Appeal, AppealState, Report

register = template.Library()


@register.inclusion_tag("moderation/admin/_queue_counts.html", takes_context=True)
def moderation_queue_counts(context):
    """What is waiting for moderators, above the admin index's app list."""
    user = context["request"].user
    return {
        "can_see": user.has_perm("moderation.view_report"),
        "can_see_dashboard": user.has_perm("moderation.view_dashboard"),
        "open_reports": Report.objects.unresolved().count(),
        "pending_appeals": Appeal.objects.filter(state=AppealState.PENDING).count(),
        "pending_signups": User.objects.filter(approved=False, is_active=True).count(),
    }


@register.inclusion_tag("moderation/support.html")
def server_support():
    """The "support this server" box of the landing page; empty when no text is set."""
    from ..models import ServerSupport

    return {"support": ServerSupport.objects.filter(pk=1).exclude(text="").first()}


@register.inclusion_tag("moderation/_announcements.html", takes_context=True)
def current_announcements(context):
    """The home page's box: current announcements the signed-in user has not dismissed."""
    from ..announcements import announcements_undismissed

    request = context["request"]
    account = getattr(request.user, "account", None)
    return {
        "announcements": announcements_undismissed(account=account) if account is not None else [],
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }
