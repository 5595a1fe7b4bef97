"""Web pages: reporting an account, one's strikes and appeals, and the public /about page.
Thin: parse, call a selector or a service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.forms import add_service_error
from accounts.models import ServerRule
from accounts.selectors import account_get_by_acct
from config.errors import ApplicationError, NotFoundError

from . import announcements, reports, selectors, services
from .forms import AppealForm, ReportForm
from .models import AccountStrike


def _account_or_404(acct: str):
    try:
        return account_get_by_acct(acct=acct)
    except NotFoundError:
        raise Http404 from None


def _own_account_or_404(request):
    # An operator's superuser made with `createsuperuser` has no Account, hence no pages.
    account = getattr(request.user, "account", None)
    if account is None:
        raise Http404
    return account


@login_required
def report(request, acct):
    reporter = _own_account_or_404(request)
    target = _account_or_404(acct)
    statuses = selectors.report_candidate_statuses(reporter=reporter, target=target)
    form = ReportForm(request.POST or None, statuses=statuses, remote=not target.is_local)
    if request.method == "POST" and form.is_valid():
        try:
            reports.report_create(reporter=reporter, target=target, **form.service_kwargs())
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Thank you: the moderators will look at your report."))
            return redirect(target.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "moderation/report.html", {"target": target, "form": form}, status=status)


@login_required
def strikes(request):
    account = _own_account_or_404(request)
    context = {
        "strikes": selectors.strikes_of(account=account), "settings_tab": "strikes",
        "frozen": selectors.user_is_frozen(request.user),
    }
    return render(request, "moderation/strikes.html", context)


@login_required
@require_POST
def appeal(request, strike_id):
    strike = get_object_or_404(AccountStrike, pk=strike_id, account=_own_account_or_404(request))
    form = AppealForm(request.POST)
    if form.is_valid():
        try:
            services.appeal_create(strike=strike, user=request.user, text=form.cleaned_data["text"])
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your appeal has been sent to the moderators."))
    else:
        messages.error(request, _("Say why this decision should be reversed."))
    return redirect("moderation:strikes")


def about(request):
    context = {"rules": ServerRule.objects.all(), "domain_blocks": selectors.domain_blocks_public()}
    return render(request, "moderation/about.html", context)


@login_required
@require_POST
def announcement_dismiss(request, announcement_id):
    account = _own_account_or_404(request)
    try:
        announcement = announcements.access_announcement(announcement_id=announcement_id)
    except NotFoundError:
        raise Http404 from None
    announcements.announcement_dismiss(account=account, announcement=announcement)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "statuses:home"
    return redirect(back)
