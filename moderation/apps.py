from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save
from django.utils.translation import gettext_lazy as _


def _roles_sync(sender, **kwargs):
    from django.apps import apps

    from .roles import roles_sync

    roles_sync(apps)


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = _("Moderation")

    def ready(self):
        from django.contrib.admin.models import LogEntry

        from config import server_state

        from .models import Announcement, DomainAllow, DomainBlock, IPBlock, ModerationSettings, SelfDestruct
        from .signals import admin_log_entry_copy

        # After every migrate (and test flush): permissions of models added since the data
        # migration join their roles too.
        post_migrate.connect(_roles_sync, dispatch_uid="moderation_roles_sync")
        post_save.connect(admin_log_entry_copy, sender=LogEntry, dispatch_uid="moderation_admin_log")
        server_state.watch(IPBlock, SelfDestruct, Announcement, DomainBlock, DomainAllow, ModerationSettings)
