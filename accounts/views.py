"""Web pages for people: sign-up and log-in, settings, the lists of followers and of
follow requests, and the actions behind the relationship buttons. Each view parses input,
calls accounts.services or accounts.selectors, and renders or redirects back."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.messages.views import SuccessMessageMixin
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.errors import ApplicationError, NotFoundError

from . import moves, selectors, services
from .domain_blocks import account_domain_block_create, account_domain_block_remove
from .forms import (
    AliasForm,
    DomainBlockForm,
    LoginForm,
    MoveForm,
    PreferencesForm,
    ProfileForm,
    SignupForm,
    add_service_error,
)
from .models import FollowRequest, RegistrationMode, ServerRule, SiteSettings, User

# Who proved their password at log-in but has not confirmed their address yet: the only
# person "send the link again" mails, so it cannot be aimed at someone else's inbox.
RESEND_SESSION_KEY = "accounts.confirmation_resend_user"


def _viewer(request):
    return getattr(request.user, "account", None) if request.user.is_authenticated else None


def _redirect_back(request, fallback: str):
    """To the safe `next` field, else the referring page, else `fallback`."""
    for target in (request.POST.get("next"), request.META.get("HTTP_REFERER")):
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure(),
        ):
            return redirect(target)
    return redirect(fallback)


def _max_id(request) -> int | None:
    try:
        return int(request.GET["max_id"])
    except (KeyError, ValueError):
        return None


def _set_language_cookie(response, locale: str) -> None:
    # The cookie keeps the language after log-out, and LocaleMiddleware reads it.
    if locale:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, locale, max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE, secure=settings.LANGUAGE_COOKIE_SECURE,
        )


# --- sign-up, confirmation, log-in ----------------------------------------------------------


def signup(request):
    if request.user.is_authenticated:
        return redirect("statuses:home")
    mode = SiteSettings.current().registration_mode
    if mode == RegistrationMode.CLOSED:
        return render(request, "accounts/signup_closed.html", status=403 if request.method == "POST" else 200)
    form = SignupForm(request.POST or None, needs_approval=mode == RegistrationMode.APPROVAL)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.signup(
                **form.cleaned_data, locale=get_language(), ip=request.META.get("REMOTE_ADDR"),
            )
        except services.RegistrationClosedError:
            return render(request, "accounts/signup_closed.html", status=403)
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            request.session["signup"] = {"email": account.user.email, "pending": not account.user.approved}
            return redirect("accounts:signup_done")
    context = {"form": form, "rules": ServerRule.objects.all()}
    return render(request, "accounts/signup.html", context, status=400 if form.errors else 200)


def signup_done(request):
    done = request.session.get("signup", {})
    context = {"email": done.get("email"), "needs_approval": done.get("pending", False)}
    return render(request, "accounts/signup_done.html", context)


def confirm_email(request, token):
    try:
        user = services.email_confirm(token=token)
    except ApplicationError as error:
        return render(request, "accounts/confirm_email.html", {"error": error.message}, status=400)
    return render(request, "accounts/confirm_email.html", {"confirmed_user": user})


@require_POST
def confirm_resend(request):
    user = User.objects.filter(pk=request.session.pop(RESEND_SESSION_KEY, None)).first()
    if user is not None:
        services.email_confirmation_resend(user=user)
    messages.success(request, _("If your address still needs confirming, a new link is on its way."))
    return redirect("accounts:login")


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        _set_language_cookie(response, form.get_user().locale)
        return response

    def form_invalid(self, form):
        unconfirmed = form.has_error(NON_FIELD_ERRORS, "unconfirmed")
        if unconfirmed:
            self.request.session[RESEND_SESSION_KEY] = form.get_user().pk
        return self.render_to_response(self.get_context_data(form=form, offer_resend=unconfirmed))


class PasswordChangeView(SuccessMessageMixin, auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change")
    success_message = gettext_lazy("Your password has been changed.")
    extra_context = {"settings_tab": "password"}

    def form_valid(self, form):
        # Django ends the other sessions itself (the session hash changes); apps' tokens too.
        services.user_tokens_revoke(user=form.user)
        return super().form_valid(form)


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset_body.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    @property
    def extra_email_context(self):
        # Links in mail use the configured domain, never the Host header of the request.
        return {
            "site": SiteSettings.current(),
            "base_url": f"{settings.LOCAL_SCHEME}://{settings.LOCAL_DOMAIN}",
        }


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        services.user_tokens_revoke(user=form.user)
        return super().form_valid(form)


# --- settings ----------------------------------------------------------------------------------


@login_required
def profile_edit(request):
    account = request.user.account
    form = ProfileForm(request.POST or None, request.FILES or None, initial=ProfileForm.initial_for(account))
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(account=account, **form.service_kwargs())
        except ApplicationError as error:
            add_service_error(form, error)
            account.refresh_from_db()  # the page shows what is stored, not the refused edit
        else:
            messages.success(request, _("Your profile has been saved."))
            return redirect("accounts:profile_edit")
    from statuses.forms import FeaturedTagForm  # statuses owns hashtags
    from statuses.tag_selectors import featured_tags_of

    context = {
        "form": form, "account": account, "settings_tab": "profile",
        "featured_tags": featured_tags_of(account=account), "featured_form": FeaturedTagForm(),
    }
    return render(request, "accounts/profile_edit.html", context, status=400 if form.errors else 200)


@login_required
def preferences(request):
    user = request.user
    initial = {"locale": user.locale or get_language(), "default_visibility": user.default_visibility}
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.preferences_update(user=user, **form.cleaned_data)
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Your preferences have been saved."))
            response = redirect("accounts:preferences")
            _set_language_cookie(response, user.locale)
            return response
    context = {"form": form, "settings_tab": "preferences"}
    return render(request, "accounts/preferences.html", context, status=400 if form.errors else 200)


@login_required
def aliases(request):
    """"Moving from a different account": the other accounts named as this one's aliases."""
    account = request.user.account
    form = AliasForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            moves.alias_create(account=account, acct=form.cleaned_data["acct"])
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Alias added: that account can now move here."))
            return redirect("accounts:aliases")
    context = {"form": form, "aliases": account.aliases.all(), "settings_tab": "migration"}
    return render(request, "accounts/aliases.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def alias_remove(request, alias_id):
    moves.alias_remove(account=request.user.account, alias_id=alias_id)
    messages.success(request, _("Alias removed."))
    return redirect("accounts:aliases")


@login_required
def migration(request):
    """"Move to a different account": the new account must name this one as an alias."""
    account = request.user.account
    form = MoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            target = moves.account_move(account=account, acct=form.cleaned_data["acct"],
                                        password=form.cleaned_data["current_password"])
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Your account has moved to @%(acct)s.") % {"acct": target.full_acct})
            return redirect("accounts:migration")
    context = {"form": form, "moved_to": account.moved_to_account, "settings_tab": "migration"}
    return render(request, "accounts/migration.html", context, status=400 if form.errors else 200)


@login_required
def follow_requests(request):
    page = selectors.follow_requests_list(account=request.user.account, max_id=_max_id(request))
    context = {"page": page, "settings_tab": "follow_requests"}
    return render(request, "accounts/follow_requests.html", context)


@login_required
@require_POST
def follow_request_accept(request, request_id):
    follow_request = get_object_or_404(
        FollowRequest.objects.select_related("account"), pk=request_id,
        target_account=request.user.account,
    )
    services.follow_accept(follow_request=follow_request)
    messages.success(request, _("@%(acct)s now follows you.") % {"acct": follow_request.account.acct})
    return _redirect_back(request, reverse("accounts:follow_requests"))


@login_required
@require_POST
def follow_request_reject(request, request_id):
    follow_request = get_object_or_404(
        FollowRequest.objects.select_related("account"), pk=request_id,
        target_account=request.user.account,
    )
    services.follow_reject(follow_request=follow_request)
    message = _("You declined the request of @%(acct)s.")
    messages.success(request, message % {"acct": follow_request.account.acct})
    return _redirect_back(request, reverse("accounts:follow_requests"))


RELATIONSHIP_LISTERS = {
    "blocks": selectors.blocks_list, "mutes": selectors.mutes_list, "domains": selectors.domain_blocks_page,
}


def _relationships_page(request, *, kind: str, form=None, status: int = 200):
    page = RELATIONSHIP_LISTERS[kind](account=request.user.account, max_id=_max_id(request))
    context = {
        "page": page, "kind": kind, "settings_tab": "relationships",
        "domain_form": form or DomainBlockForm(),
    }
    return render(request, "accounts/relationships.html", context, status=status)


@login_required
def relationships(request):
    kind = request.GET.get("kind")
    return _relationships_page(request, kind=kind if kind in RELATIONSHIP_LISTERS else "blocks")


@login_required
@require_POST
def domain_block_add(request):
    form = DomainBlockForm(request.POST)
    if form.is_valid():
        try:
            block = account_domain_block_create(
                account=request.user.account, domain=form.cleaned_data["domain"],
            )
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("%(domain)s is blocked.") % {"domain": block.domain})
            return redirect(f"{reverse('accounts:relationships')}?kind=domains")
    return _relationships_page(request, kind="domains", form=form, status=400)


@login_required
@require_POST
def domain_block_remove(request):
    try:
        account_domain_block_remove(account=request.user.account, domain=request.POST.get("domain", ""))
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect(f"{reverse('accounts:relationships')}?kind=domains")


# --- people lists -----------------------------------------------------------------------------


def _people_page(request, acct: str, lister, kind: str):
    try:
        account = selectors.account_get_by_acct(acct=acct)
    except NotFoundError:
        raise Http404 from None
    viewer = _viewer(request)
    page = lister(viewer=viewer, account=account, max_id=_max_id(request))
    # One batch of relationship queries for the whole page, not one per row.
    known = selectors.relationships(viewer=viewer, targets=page.items) if viewer else {}
    rows = [(person, known.get(person.pk)) for person in page.items]
    context = {
        "account": account, "page": page, "rows": rows, "kind": kind,
        "own_followers": kind == "followers" and viewer == account,
    }
    return render(request, "accounts/people.html", context)


def followers(request, acct):
    return _people_page(request, acct, selectors.followers_list, "followers")


def following(request, acct):
    return _people_page(request, acct, selectors.following_list, "following")


# --- relationship actions (the buttons of relationship_buttons) --------------------------------


def _follow(viewer, target) -> str:
    if isinstance(services.follow_request(follower=viewer, target=target), FollowRequest):
        return _("You asked to follow @%(acct)s. They will decide.")
    return _("You now follow @%(acct)s.")


def _unfollow(viewer, target) -> str:
    services.unfollow(follower=viewer, target=target)
    return _("You no longer follow @%(acct)s.")


def _remove_follower(viewer, target) -> str:
    services.follower_remove(account=viewer, follower=target)
    return _("@%(acct)s no longer follows you.")


def _block(viewer, target) -> str:
    services.block_create(account=viewer, target=target)
    return _("You blocked @%(acct)s.")


def _unblock(viewer, target) -> str:
    services.block_remove(account=viewer, target=target)
    return _("You unblocked @%(acct)s.")


def _mute(viewer, target) -> str:
    services.mute_create(account=viewer, target=target)
    return _("You muted @%(acct)s: their posts and notifications are hidden from you.")


def _unmute(viewer, target) -> str:
    services.mute_remove(account=viewer, target=target)
    return _("You unmuted @%(acct)s.")


def _relationship_action(action):
    """A POST view that applies `action(viewer, target)` to the account at `acct`, tells
    the user what happened (or why not), and goes back where the button was."""

    @login_required
    @require_POST
    def view(request, acct):
        try:
            target = selectors.account_get_by_acct(acct=acct)
            message = action(request.user.account, target)
        except NotFoundError:
            raise Http404 from None
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, message % {"acct": target.acct})
        return _redirect_back(request, fallback=target.get_absolute_url())

    return view


follow = _relationship_action(_follow)
unfollow = _relationship_action(_unfollow)
remove_follower = _relationship_action(_remove_follower)
block = _relationship_action(_block)
unblock = _relationship_action(_unblock)
mute = _relationship_action(_mute)
unmute = _relationship_action(_unmute)
