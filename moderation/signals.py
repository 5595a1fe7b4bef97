from .models import AuditLogEntry


def admin_log_entry_copy(sender, instance, created, **kwargs):
    """Copy what staff change through other apps' admin pages (server settings, rules,
    users…) into the audit log, so it holds every staff action. Moderation's own pages
    write richer entries through the services and are skipped."""
    if not created or (instance.content_type and instance.content_type.app_label == "moderation"):
        return
    verb = {1: "add", 2: "change", 3: "delete"}.get(instance.action_flag, "change")
    model = instance.content_type.model if instance.content_type else "object"
    AuditLogEntry.objects.create(
        actor=instance.user, actor_name=instance.user.get_username(), action=f"admin.{model}.{verb}",
        target_type=model, target_id=instance.object_id or "", target_repr=instance.object_repr[:300],
        details={"change": instance.get_change_message()},
    )
