from django import template

from accounts import selectors

register = template.Library()


@register.inclusion_tag("accounts/_relationship_buttons.html", takes_context=True)
def relationship_buttons(context, account, relationship=None, compact=False, removable=False):
    """Follow / unfollow / requested / block / mute buttons for the logged-in user and
    `account`; each is a POST form that comes back to this page. Lists pass the
    `relationship` they fetched in one batch (accounts.selectors.relationships) and ask for
    the `compact` form: the main button only, without the "More" menu; the viewer's own
    followers list adds a "Remove" button (`removable`)."""
    request = context["request"]
    viewer = getattr(request.user, "account", None) if request.user.is_authenticated else None
    if viewer is not None and relationship is None:
        relationship = selectors.relationship(viewer=viewer, target=account)
    return {
        "account": account,
        "viewer": viewer,
        "rel": relationship,
        "compact": compact,
        "removable": removable,
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }
