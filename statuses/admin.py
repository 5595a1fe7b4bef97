"""Moderators look at statuses here; they change them through moderation's actions, so
most fields are read-only (an edit here would bypass the services and federation)."""

from django.contrib import admin
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from .models import MediaAttachment, Status, StatusEdit, Tag


class MediaInline(admin.TabularInline):
    model = MediaAttachment
    fields = ["file", "description", "mime_type", "width", "height"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False


class EditInline(admin.TabularInline):
    model = StatusEdit
    fields = ["created_at", "text", "spoiler_text"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Status)
class StatusAdmin(admin.ModelAdmin):
    list_display = ["id", "account", "excerpt", "visibility", "is_reblog", "created_at"]
    list_filter = ["visibility", "sensitive", ("account__domain", admin.EmptyFieldListFilter)]
    search_fields = ["text", "content", "account__username", "account__domain", "uri"]
    list_select_related = ["account"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "id", "account", "text", "content", "spoiler_text", "visibility", "sensitive",
        "language", "in_reply_to", "in_reply_to_account", "reblog", "uri", "url", "tags",
        "created_at", "edited_at",
    ]
    inlines = [MediaInline, EditInline]

    @admin.display(description=_("text"))
    def excerpt(self, obj):
        return Truncator(strip_tags(obj.content) or obj.text).chars(80)

    @admin.display(boolean=True, description=_("boost"))
    def is_reblog(self, obj):
        return obj.reblog_id is not None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting here would skip status_delete (feeds, media files, federation).
        return False


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]
