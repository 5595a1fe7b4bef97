from django.contrib.auth.management import create_permissions
from django.db import migrations

from moderation.roles import roles_sync


def create_roles(apps, schema_editor):
    # Permissions are normally made after all migrations (post_migrate); the groups need
    # them now, so make them for every app known at this point.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    roles_sync(apps)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Owner", "Admin", "Moderator"]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("moderation", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
