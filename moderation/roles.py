"""Staff roles, after Mastodon's. A Moderator handles reports, appeals, sign-ups and account
actions, and sees but cannot change domain blocks; server settings, rules, roles and the
blocklists are not theirs (403). An Admin runs the server; the Owner is the Admin no one
else may demote or act against.

Owner and Admin are Django superusers, so the admin pages other apps add later are theirs
without a migration here; what tells them apart is the rank: staff may act on, and give
roles to, only people ranked below them. The Moderator's permissions (and the Admin's, for
an admin made without superuser rights) are listed here, explicitly, and written to the
groups by a data migration and again after every `migrate`."""

OWNER, ADMIN, MODERATOR = "Owner", "Admin", "Moderator"
RANKS = {OWNER: 3, ADMIN: 2, MODERATOR: 1}


def _crud(app_label: str, model: str) -> list[tuple[str, str]]:
    return [(app_label, f"{verb}_{model}") for verb in ("view", "add", "change", "delete")]


MODERATOR_PERMISSIONS = [
    ("moderation", "view_dashboard"),
    ("moderation", "view_report"),
    ("moderation", "change_report"),
    ("moderation", "view_reportnote"),
    ("moderation", "add_reportnote"),
    ("moderation", "view_accountnote"),
    ("moderation", "add_accountnote"),
    ("moderation", "view_accountstrike"),
    ("moderation", "take_action"),
    ("moderation", "view_appeal"),
    ("moderation", "change_appeal"),
    ("moderation", "view_auditlogentry"),
    ("moderation", "view_moderatedaccount"),
    ("moderation", "view_pendingsignup"),
    ("moderation", "change_pendingsignup"),
    # Moderators see which domains are blocked (context for reports) but change none.
    ("moderation", "view_domainblock"),
    ("accounts", "view_account"),
    ("accounts", "view_serverrule"),
]

ADMIN_PERMISSIONS = MODERATOR_PERMISSIONS + [
    ("accounts", "view_sitesettings"),
    ("accounts", "change_sitesettings"),
    *_crud("accounts", "serverrule"),
    *_crud("moderation", "domainblock"),
    *_crud("moderation", "domainallow"),
    *_crud("moderation", "emaildomainblock"),
    *_crud("moderation", "ipblock"),
    *_crud("moderation", "usernameblock"),
    ("moderation", "view_moderationsettings"),
    ("moderation", "change_moderationsettings"),
    ("moderation", "view_serversupport"),
    ("moderation", "change_serversupport"),
    *_crud("moderation", "announcement"),
    ("accounts", "view_user"),
]

ROLES = {OWNER: ADMIN_PERMISSIONS, ADMIN: ADMIN_PERMISSIONS, MODERATOR: MODERATOR_PERMISSIONS}


def roles_sync(apps) -> None:
    """Make the three groups hold exactly their listed permissions (those that exist)."""
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for name, listed in ROLES.items():
        wanted = set(listed)
        group, _created = group_model.objects.get_or_create(name=name)
        candidates = permission_model.objects.filter(
            content_type__app_label__in={app_label for app_label, _codename in wanted},
        ).select_related("content_type")
        group.permissions.set(
            [p for p in candidates if (p.content_type.app_label, p.codename) in wanted]
        )


def user_rank(user) -> int:
    """3 owner, 2 admin, 1 moderator, 0 anyone else (a superuser without a role ranks as an
    admin)."""
    if user is None:
        return 0
    ranks = [RANKS[name] for name in user.groups.filter(name__in=RANKS).values_list("name", flat=True)]
    if user.is_superuser:
        ranks.append(RANKS[ADMIN])
    return max(ranks, default=0)
