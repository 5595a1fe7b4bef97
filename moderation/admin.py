"""The moderation console. Every change goes through moderation.services or
moderation.blocks, which check the moderator's permission and write the audit log; the
admin's own pages only parse and render. A refusal for lack of permission is a 403."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.admin import SingleRowAdmin
from config.errors import ApplicationError, ForbiddenError
from statuses.models import Status
from statuses.permissions import PUBLIC_VISIBILITIES

from . import announcements, blocks, reports, selectors, server, services
from .forms import ActionForm, NoteForm
from .models import (
    AccountStrike,
    Announcement,
    Appeal,
    AppealState,
    AuditLogEntry,
    DomainAllow,
    DomainBlock,
    EmailDomainBlock,
    IPBlock,
    ModeratedAccount,
    ModerationSettings,
    PendingSignup,
    Report,
    ServerSupport,
    UsernameBlock,
)

# The index shows the queue's counts and links the dashboard.
admin.site.index_template = "moderation/admin/index.html"


def _run(request, call, success: str) -> None:
    """Call a service for an admin page: a refusal for lack of permission is a 403, any
    other refusal a message on the page the moderator returns to."""
    try:
        call()
    except ForbiddenError:
        raise PermissionDenied from None
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)


def _statuses_for_display(queryset):
    return queryset.select_related("account").prefetch_related("media").order_by("-id")


# --- reports ------------------------------------------------------------------------------


class ResolvedFilter(admin.SimpleListFilter):
    title = gettext_lazy("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", _("Unresolved")), ("resolved", _("Resolved"))]

    def queryset(self, request, queryset):
        if self.value() in ("open", "resolved"):
            return queryset.filter(resolved_at__isnull=self.value() == "open")
        return queryset


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["__str__", "category", "account", "created_at", "assigned_to", "is_resolved"]
    list_filter = [ResolvedFilter, "category"]
    search_fields = ["target_account__username", "target_account__domain", "account__username", "comment"]
    list_select_related = ["target_account", "account", "assigned_to"]

    def get_queryset(self, request):
        return super().get_queryset(request).queue()

    def get_ordering(self, request):
        return []  # the queue's order: unresolved first, oldest first

    @admin.display(boolean=True, description=gettext_lazy("resolved"))
    def is_resolved(self, report):
        return report.is_resolved

    def has_add_permission(self, request):
        return False  # reports come from users and from other servers

    def has_delete_permission(self, request, obj=None):
        return False  # a report is part of an account's history

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("dashboard/", wrap(self.dashboard_view), name="moderation_dashboard"),
            path("<int:report_id>/assign/", wrap(self.assign_view), name="moderation_report_assign"),
            path("<int:report_id>/note/", wrap(self.note_view), name="moderation_report_note"),
            path("<int:report_id>/resolve/", wrap(self.resolve_view), name="moderation_report_resolve"),
            path("<int:report_id>/action/", wrap(self.action_view), name="moderation_report_action"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        report = get_object_or_404(
            Report.objects.select_related("account", "target_account", "assigned_to", "resolved_by"),
            pk=object_id,
        )
        if not self.has_view_permission(request, report):
            raise PermissionDenied
        # Moderators see the reported posts whatever their visibility: that is the report.
        statuses = list(_statuses_for_display(report.statuses.all()))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Report %(report)s") % {"report": report},
            "report": report,
            "reported_statuses": statuses,
            "history": selectors.account_history(account=report.target_account, exclude_report=report),
            "notes": report.notes.select_related("author"),
            "note_form": NoteForm(),
            "action_form": ActionForm(statuses=statuses),
        }
        return TemplateResponse(request, "moderation/admin/report.html", context)

    @staticmethod
    def _assign(request, report):
        to = request.user if request.POST.get("to") == "me" else None
        reports.report_assign(report=report, by=request.user, to=to)

    @staticmethod
    def _resolve(request, report):
        if request.POST.get("reopen"):
            reports.report_reopen(report=report, by=request.user)
        else:
            reports.report_resolve(report=report, by=request.user)

    @staticmethod
    def _note(request, report):
        form = NoteForm(request.POST)
        if not form.is_valid():
            raise ApplicationError(_("Write a note."))
        reports.report_note_add(report=report, by=request.user, text=form.cleaned_data["text"])

    @staticmethod
    def _action(request, report):
        form = ActionForm(request.POST, statuses=report.statuses.all())
        if not form.is_valid():
            raise ApplicationError(" ".join(e for errors in form.errors.values() for e in errors))
        services.account_action(
            account=report.target_account, by=request.user, report=report, **form.service_kwargs(),
        )

    def assign_view(self, request, report_id):
        return self._post(request, report_id, self._assign, _("Assignment changed."))

    def note_view(self, request, report_id):
        return self._post(request, report_id, self._note, _("Note added."))

    def resolve_view(self, request, report_id):
        return self._post(request, report_id, self._resolve, _("Report updated."))

    def action_view(self, request, report_id):
        return self._post(request, report_id, self._action, _("Action taken; the report is resolved."))

    def _post(self, request, report_id, call, success):
        report = get_object_or_404(Report, pk=report_id)
        if request.method == "POST":
            _run(request, lambda: call(request, report), success)
        return redirect("admin:moderation_report_change", report.pk)

    def dashboard_view(self, request):
        if not request.user.has_perm("moderation.view_dashboard"):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("Dashboard"),
            "dashboard": selectors.dashboard(),
        }
        return TemplateResponse(request, "moderation/admin/dashboard.html", context)


# --- accounts -----------------------------------------------------------------------------


class AccountStateFilter(admin.SimpleListFilter):
    title = gettext_lazy("moderation")
    parameter_name = "moderation"

    def lookups(self, request, model_admin):
        return [
            ("suspended", _("Suspended")), ("limited", _("Limited")), ("frozen", _("Frozen")),
            ("remote", _("Remote")), ("local", _("Local")),
        ]

    def queryset(self, request, queryset):
        return {
            "suspended": lambda: queryset.filter(suspended_at__isnull=False),
            "limited": lambda: queryset.filter(silenced_at__isnull=False),
            "frozen": lambda: queryset.filter(user__is_active=False),
            "remote": lambda: queryset.filter(domain__isnull=False),
            "local": lambda: queryset.filter(domain__isnull=True),
        }.get(self.value(), lambda: queryset)()


@admin.register(ModeratedAccount)
class ModeratedAccountAdmin(admin.ModelAdmin):
    """Accounts as moderators work on them: history, notes and actions on one page."""

    list_display = ["acct", "display_name", "created_at", "suspended_at", "silenced_at", "strikes_count"]
    list_filter = [AccountStateFilter]
    search_fields = ["username", "domain", "display_name", "user__email"]
    ordering = ["-created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_strikes=Count("strikes"))

    @admin.display(description=gettext_lazy("strikes"), ordering="n_strikes")
    def strikes_count(self, account):
        return account.n_strikes

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:account_id>/action/", wrap(self.action_view), name="moderation_account_action"),
            path("<int:account_id>/undo/", wrap(self.undo_view), name="moderation_account_undo"),
            path("<int:account_id>/note/", wrap(self.note_view), name="moderation_account_note"),
            path("<int:account_id>/role/", wrap(self.role_view), name="moderation_account_role"),
            *super().get_urls(),
        ]

    @staticmethod
    def moderation_statuses(account):
        """Public and unlisted posts, and any that were reported: moderators do not read
        followers-only or direct posts nobody reported."""
        reported = Report.statuses.through.objects.filter(report__target_account=account).values("status_id")
        return _statuses_for_display(
            Status.objects.filter(account=account, reblog__isnull=True).filter(
                Q(visibility__in=PUBLIC_VISIBILITIES) | Q(pk__in=reported)
            )
        )[:40]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        account = get_object_or_404(ModeratedAccount.objects.select_related("user"), pk=object_id)
        if not self.has_view_permission(request, account):
            raise PermissionDenied
        statuses = list(self.moderation_statuses(account))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"@{account.acct}",
            "account": account,
            "statuses": statuses,
            "history": selectors.account_history(account=account),
            "note_form": NoteForm(),
            "action_form": ActionForm(statuses=statuses),
            "roles": ["", *services.ROLE_GROUPS],
        }
        return TemplateResponse(request, "moderation/admin/account.html", context)

    def _post(self, request, account_id, call, success):
        account = get_object_or_404(ModeratedAccount.objects.select_related("user"), pk=account_id)
        if request.method == "POST":
            _run(request, lambda: call(account), success)
        return redirect("admin:moderation_moderatedaccount_change", account.pk)

    def action_view(self, request, account_id):
        def act(account):
            form = ActionForm(request.POST, statuses=self.moderation_statuses(account))
            if not form.is_valid():
                raise ApplicationError(" ".join(e for errors in form.errors.values() for e in errors))
            services.account_action(account=account, by=request.user, **form.service_kwargs())

        return self._post(request, account_id, act, _("Action taken."))

    def undo_view(self, request, account_id):
        undo = {
            "unsuspend": services.account_unsuspend,
            "unlimit": services.account_unlimit,
            "unfreeze": services.account_unfreeze,
        }

        def act(account):
            if request.POST.get("undo") not in undo:
                raise ApplicationError(_("Unknown action."))
            reason = request.POST.get("reason", "")
            undo[request.POST["undo"]](account=account, by=request.user, reason=reason)

        return self._post(request, account_id, act, _("Done."))

    def note_view(self, request, account_id):
        return self._post(
            request, account_id,
            lambda account: reports.account_note_add(
                account=account, by=request.user, text=request.POST.get("text", ""),
            ),
            _("Note added."),
        )

    def role_view(self, request, account_id):
        def act(account):
            if account.user is None:
                raise ApplicationError(_("Only local accounts have roles."))
            role = request.POST.get("role") or None
            services.user_role_change(user=account.user, role=role, by=request.user)

        return self._post(request, account_id, act, _("Role changed."))


@admin.register(AccountStrike)
class AccountStrikeAdmin(admin.ModelAdmin):
    """Strikes are made by actions and undone by appeals: here they are only read."""

    list_display = ["account", "action", "created_at", "created_by", "ends_at", "lifted_at", "overruled_at"]
    list_filter = ["action"]
    search_fields = ["account__username", "account__domain", "text"]
    list_select_related = ["account", "created_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    list_display = ["strike", "state", "created_at", "decided_by"]
    list_filter = ["state"]
    readonly_fields = ["strike", "strike_reason", "text", "state", "decided_by", "decided_at", "created_at"]
    fields = readonly_fields
    actions = ["approve", "reject"]
    list_select_related = ["strike__account", "decided_by"]

    def get_ordering(self, request):
        return ["-state", "created_at"]  # "pending" sorts before "approved" and "rejected"

    @admin.display(description=gettext_lazy("reason given"))
    def strike_reason(self, appeal):
        return appeal.strike.text

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _decide(self, request, queryset, service, done):
        decided = 0
        for appeal in queryset.filter(state=AppealState.PENDING).select_related("strike__account"):
            try:
                service(appeal=appeal, by=request.user)
            except ForbiddenError:
                raise PermissionDenied from None
            decided += 1
        self.message_user(request, done % {"n": decided}, messages.SUCCESS)

    @admin.action(description=gettext_lazy("Approve the selected appeals (reverses the decisions)"),
                  permissions=["change"])
    def approve(self, request, queryset):
        self._decide(request, queryset, services.appeal_approve, _("%(n)d appeals approved."))

    @admin.action(description=gettext_lazy("Reject the selected appeals"), permissions=["change"])
    def reject(self, request, queryset):
        self._decide(request, queryset, services.appeal_reject, _("%(n)d appeals rejected."))


@admin.register(PendingSignup)
class PendingSignupAdmin(admin.ModelAdmin):
    """The approval queue: oldest first."""

    list_display = ["username", "email", "signup_reason", "date_joined", "is_confirmed"]
    search_fields = ["username", "email", "signup_reason"]
    ordering = ["date_joined"]
    fields = readonly_fields = ["username", "email", "signup_reason", "date_joined"]
    actions = ["approve", "reject"]

    @admin.display(boolean=True, description=gettext_lazy("e-mail confirmed"))
    def is_confirmed(self, user):
        return user.is_confirmed

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _decide(self, request, queryset, call, done):
        users = list(queryset)
        for user in users:
            try:
                call(user)
            except ForbiddenError:
                raise PermissionDenied from None
        message = ngettext(done[0], done[1], len(users)) % {"n": len(users)}
        self.message_user(request, message, messages.SUCCESS)

    @admin.action(description=gettext_lazy("Approve the selected sign-ups"), permissions=["change"])
    def approve(self, request, queryset):
        self._decide(
            request, queryset, lambda user: services.signup_approve(user=user, by=request.user),
            ("%(n)d sign-up approved.", "%(n)d sign-ups approved."),
        )

    @admin.action(description=gettext_lazy("Reject the selected sign-ups (deletes them)"),
                  permissions=["change"])
    def reject(self, request, queryset):
        self._decide(
            request, queryset, lambda user: services.signup_reject(user=user, by=request.user),
            ("%(n)d sign-up rejected.", "%(n)d sign-ups rejected."),
        )


# --- the audit log ------------------------------------------------------------------------


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_name", "action", "target_repr", "reason"]
    list_filter = ["action"]
    search_fields = ["actor_name", "action", "target_repr", "reason"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- instance controls --------------------------------------------------------------------


class ServiceAdmin(admin.ModelAdmin):
    """A block list whose rows are written by a service: the form only validates."""

    exclude = ["created_at"]

    def save_model(self, request, obj, form, change):
        try:
            saved = self.service_save(request, obj)
        except ForbiddenError:
            raise PermissionDenied from None
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        try:
            self.service_delete(request, obj)
        except ForbiddenError:
            raise PermissionDenied from None

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class DomainForm(forms.ModelForm):
    def clean_domain(self):
        try:
            return blocks.domain_normalize(self.cleaned_data["domain"])
        except ApplicationError as error:
            raise forms.ValidationError(error.message) from None


@admin.register(DomainBlock)
class DomainBlockAdmin(ServiceAdmin):
    form = DomainForm
    list_display = ["domain", "severity", "reject_media", "reject_reports", "public_comment", "created_at"]
    list_filter = ["severity", "reject_media", "reject_reports"]
    search_fields = ["domain", "public_comment", "private_comment"]

    def get_readonly_fields(self, request, obj=None):
        return ["domain"] if obj else []

    def service_save(self, request, obj):
        return blocks.domain_block_create(
            domain=obj.domain, by=request.user, severity=obj.severity, reject_media=obj.reject_media,
            reject_reports=obj.reject_reports, private_comment=obj.private_comment,
            public_comment=obj.public_comment, obfuscate=obj.obfuscate,
        )

    def service_delete(self, request, obj):
        blocks.domain_block_remove(domain=obj.domain, by=request.user)


@admin.register(DomainAllow)
class DomainAllowAdmin(ServiceAdmin):
    form = DomainForm
    list_display = ["domain", "created_at"]
    search_fields = ["domain"]

    def has_change_permission(self, request, obj=None):
        return False

    def service_save(self, request, obj):
        return blocks.domain_allow_create(domain=obj.domain, by=request.user)

    def service_delete(self, request, obj):
        blocks.domain_allow_remove(domain=obj.domain, by=request.user)


@admin.register(EmailDomainBlock)
class EmailDomainBlockAdmin(ServiceAdmin):
    form = DomainForm
    list_display = ["domain", "allow_with_approval", "created_at"]
    search_fields = ["domain"]

    def service_save(self, request, obj):
        return blocks.email_domain_block_create(
            domain=obj.domain, by=request.user, allow_with_approval=obj.allow_with_approval,
        )

    def service_delete(self, request, obj):
        blocks.email_domain_block_remove(domain=obj.domain, by=request.user)


class IPBlockForm(forms.ModelForm):
    def clean_ip(self):
        try:
            return blocks.ip_network_normalize(self.cleaned_data["ip"])
        except ApplicationError as error:
            raise forms.ValidationError(error.message) from None


@admin.register(IPBlock)
class IPBlockAdmin(ServiceAdmin):
    form = IPBlockForm
    list_display = ["ip", "severity", "expires_at", "comment", "created_at"]
    list_filter = ["severity"]
    search_fields = ["ip", "comment"]

    def service_save(self, request, obj):
        duration = obj.expires_at - timezone.now() if obj.expires_at else None
        return blocks.ip_block_create(
            ip=obj.ip, severity=obj.severity, by=request.user, comment=obj.comment, duration=duration,
        )

    def service_delete(self, request, obj):
        blocks.ip_block_remove(ip=obj.ip, by=request.user)


@admin.register(UsernameBlock)
class UsernameBlockAdmin(ServiceAdmin):
    list_display = ["username", "exact", "allow_with_approval", "created_at"]
    search_fields = ["username"]

    def service_save(self, request, obj):
        return blocks.username_block_create(
            username=obj.username, by=request.user, exact=obj.exact,
            allow_with_approval=obj.allow_with_approval,
        )

    def service_delete(self, request, obj):
        blocks.username_block_remove(username=obj.username, by=request.user)


@admin.register(ModerationSettings)
class ModerationSettingsAdmin(SingleRowAdmin, ServiceAdmin):
    fields = ["allowlist_mode"]

    def service_save(self, request, obj):
        return blocks.allowlist_mode_set(enabled=obj.allowlist_mode, by=request.user)



class ServerSupportForm(forms.ModelForm):
    def clean_currency(self):
        currency = self.cleaned_data["currency"].strip().upper()
        if len(currency) != 3 or not currency.isalpha():
            raise forms.ValidationError(_("A currency is a three-letter code such as EUR."))
        return currency


@admin.register(ServerSupport)
class ServerSupportAdmin(SingleRowAdmin, ServiceAdmin):
    """Admins only: moderators hold no permission on it (roles.py), so they get a 403."""

    form = ServerSupportForm
    fields = ["text", "goal_amount", "raised_amount", "currency", "link"]

    def service_save(self, request, obj):
        return server.server_support_update(
            by=request.user, text=obj.text, goal_amount=obj.goal_amount,
            raised_amount=obj.raised_amount, currency=obj.currency, link=obj.link,
        )


class AnnouncementForm(forms.ModelForm):
    def clean(self):
        data = super().clean()
        try:
            data["text"] = announcements.announcement_validate(
                text=data.get("text", ""), starts_at=data.get("starts_at"), ends_at=data.get("ends_at"),
                all_day=data.get("all_day", False),
            )
        except ApplicationError as error:
            raise forms.ValidationError({error.field: error.message}) from None
        return data


@admin.register(Announcement)
class AnnouncementAdmin(ServiceAdmin):
    """Admins and the Owner only (roles.py); the service sanitizes the HTML and audit-logs."""

    form = AnnouncementForm
    fields = ["text", "starts_at", "ends_at", "all_day", "published"]
    list_display = ["__str__", "published", "starts_at", "ends_at", "updated_at"]
    list_filter = ["published"]
    search_fields = ["text"]

    def service_save(self, request, obj):
        return announcements.announcement_save(
            by=request.user, announcement=obj if obj.pk else None, text=obj.text,
            starts_at=obj.starts_at, ends_at=obj.ends_at, all_day=obj.all_day, published=obj.published,
        )

    def service_delete(self, request, obj):
        announcements.announcement_delete(by=request.user, announcement=obj)
