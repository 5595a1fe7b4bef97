"""Web pages for hashtags one follows or features: follow buttons on a hashtag's page, and
the settings pages listing followed and featured hashtags. The same services as the API."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import add_service_error
from config.errors import ApplicationError, NotFoundError

from .forms import FeaturedTagForm
from .tag_selectors import featured_tag_suggestions, featured_tags_of, tag_follows_of
from .tag_services import featured_tag_create, featured_tag_delete, is_hashtag_name, tag_follow, tag_unfollow
from .views import _safe_next


def _hashtag_or_404(name: str) -> str:
    if not is_hashtag_name(name):
        raise Http404
    return name


@login_required
@require_POST
def follow(request, name):
    tag = tag_follow(account=request.user.account, name=_hashtag_or_404(name))
    messages.success(request, _("You follow #%(name)s: its public posts appear in your home timeline.")
                     % {"name": tag.name})
    return redirect(_safe_next(request, fallback=reverse("statuses:tag", args=[tag.name])))


@login_required
@require_POST
def unfollow(request, name):
    tag = tag_unfollow(account=request.user.account, name=_hashtag_or_404(name))
    messages.success(request, _("You no longer follow #%(name)s.") % {"name": tag.name})
    return redirect(_safe_next(request, fallback=reverse("statuses:tag", args=[tag.name])))


@login_required
def followed_tags(request):
    follows = list(tag_follows_of(account=request.user.account).order_by("tag__name"))
    return render(request, "statuses/followed_tags.html", {
        "follows": follows, "settings_tab": "followed_tags",
    })


@login_required
@require_http_methods(["GET", "POST"])
def featured_tags(request):
    """List, add (the form, or a suggestion's button) and remove featured hashtags; the
    profile settings page posts its form here too and comes back on success."""
    account = request.user.account
    form = FeaturedTagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            featured = featured_tag_create(account=account, name=form.cleaned_data["name"])
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            name = featured.tag.name
            messages.success(request, _("#%(name)s is featured on your profile.") % {"name": name})
            return redirect(_safe_next(request, fallback=reverse("statuses:featured_tags")))
    return render(request, "statuses/featured_tags.html", {
        "form": form, "featured_tags": featured_tags_of(account=account),
        "suggestions": featured_tag_suggestions(account=account), "settings_tab": "featured_tags",
    }, status=400 if form.errors else 200)


@login_required
@require_POST
def featured_tag_remove(request, featured_tag_id):
    try:
        featured_tag_delete(account=request.user.account, featured_tag_id=featured_tag_id)
    except NotFoundError:
        raise Http404 from None
    messages.success(request, _("The hashtag is no longer featured on your profile."))
    return redirect(_safe_next(request, fallback=reverse("statuses:featured_tags")))
