from .models import SiteSettings


def site(request):
    """The server's name for every page, and the unread count for the navigation."""
    context = {"site": SiteSettings.shown()}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and hasattr(user, "account"):
        from statuses.selectors import notifications_unread_count

        context["unread_notifications"] = notifications_unread_count(viewer=user.account)
    return context
