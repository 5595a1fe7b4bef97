"""The admin for people and server settings. Changes that have rules go through
accounts.services; moderation (suspensions, reports) comes with moderation/."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import Account, ServerRule, SiteSettings, User


class ConfirmedFilter(admin.SimpleListFilter):
    title = _("e-mail confirmed")
    parameter_name = "confirmed"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(email_confirmed_at__isnull=self.value() == "no")
        return queryset


class SingleRowAdmin(admin.ModelAdmin):
    """Settings kept in one row, made on first use (the model's `current()`): nothing to add
    or delete, and the list is that row's form."""

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        opts = self.model._meta
        return redirect(f"admin:{opts.app_label}_{opts.model_name}_change", self.model.current().pk)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "approved", "is_confirmed", "is_staff", "date_joined"]
    list_filter = ["approved", ConfirmedFilter, "is_staff", "is_superuser", "is_active"]
    search_fields = ["username", "email"]
    ordering = ["-date_joined"]
    actions = ["approve"]
    # The username is also the Account's and its ActivityPub address: it never changes.
    readonly_fields = ["username", "email_confirmed_at", "signup_reason", "last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Sign-up"), {"fields": ["email", "email_confirmed_at", "approved", "signup_reason"]}),
        (_("Preferences"), {"fields": ["locale", "default_visibility"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]

    @admin.display(boolean=True, description=_("e-mail confirmed"))
    def is_confirmed(self, user):
        return user.is_confirmed

    def has_add_permission(self, request):
        # A user without its Account would break every page: people are created by signing
        # up or with `manage.py accounts create`, which make both.
        return False

    @admin.action(description=_("Approve the selected sign-ups"), permissions=["change"])
    def approve(self, request, queryset):
        pending = list(queryset.filter(approved=False))
        for user in pending:
            services.user_approve(user=user)
        self.message_user(
            request,
            ngettext("%(n)d account approved.", "%(n)d accounts approved.", len(pending))
            % {"n": len(pending)},
            messages.SUCCESS,
        )


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    """Read-only for now: profiles are edited by their owners, and suspending or silencing
    belongs to moderation, which records who did it and why."""

    list_display = ["acct", "display_name", "domain", "locked", "bot", "created_at", "suspended_at"]
    list_filter = ["locked", "bot"]
    search_fields = ["username", "domain", "display_name"]
    ordering = ["-created_at"]
    # The private key never leaves the server, not even to an admin page.
    exclude = ["private_key"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SiteSettings)
class SiteSettingsAdmin(SingleRowAdmin):
    fields = ["name", "description", "contact_email", "registration_mode"]


@admin.register(ServerRule)
class ServerRuleAdmin(admin.ModelAdmin):
    list_display = ["text", "position"]
    list_editable = ["position"]
    ordering = ["position", "id"]
