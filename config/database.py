"""Production database and storage layout, read from the environment by settings.py:
a connection pool, a read replica for anonymous readers, S3-compatible media storage.
Pure functions of the environment so that each layout can be tested without a server."""

from contextlib import contextmanager
from contextvars import ContextVar

import environ

REPLICA = "replica"

# Set for the duration of a request whose reads may go to the replica.
_reads_from_replica: ContextVar[bool] = ContextVar("reads_from_replica", default=False)


def database_settings(env: environ.Env, default_url: str) -> dict:
    databases = {"default": env.db("DATABASE_URL", default=default_url)}
    default = databases["default"]
    default["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=0)
    if default["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets the web process read while a task writes.
        default.setdefault("OPTIONS", {}).update(
            {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"}
        )
        return databases
    if env.bool("DB_PREPARED_STATEMENTS", default=True):
        # Timeline and notification queries carry the whole visibility rule: PostgreSQL
        # spent ~6 ms planning each for ~1 ms of execution. Server-side parameters let
        # psycopg prepare a statement seen 5 times on a connection and reuse its plan.
        default.setdefault("OPTIONS", {}).update({"server_side_binding": True, "prepare_threshold": 5})
    pool_size = env.int("DB_POOL_MAX_SIZE", default=0)
    if pool_size:
        # psycopg's pool inside each process: connections are reused across requests and
        # threads without PgBouncer; Django requires persistent connections off with it.
        default["CONN_MAX_AGE"] = 0
        default.setdefault("OPTIONS", {})["pool"] = {
            "min_size": min(env.int("DB_POOL_MIN_SIZE", default=2), pool_size),
            "max_size": pool_size,
            "timeout": env.float("DB_POOL_TIMEOUT", default=10.0),
        }
    replica_url = env("DATABASE_REPLICA_URL", default="")
    if replica_url:
        replica = environ.Env.db_url_config(replica_url)
        replica["CONN_MAX_AGE"] = default["CONN_MAX_AGE"]
        if "pool" in default.get("OPTIONS", {}):
            replica.setdefault("OPTIONS", {})["pool"] = dict(default["OPTIONS"]["pool"])
        # The tests create no second database: the replica is the default one there.
        replica["TEST"] = {"MIRROR": "default"}
        databases[REPLICA] = replica
    return databases


def storage_settings(env: environ.Env) -> dict:
    """The default (media) storage: the local disk, or an S3-compatible bucket."""
    if env("MEDIA_STORAGE", default="filesystem") != "s3":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    options = {
        "bucket_name": env("S3_BUCKET"),
        "endpoint_url": env("S3_ENDPOINT_URL", default=None),
        "region_name": env("S3_REGION", default=None),
        "access_key": env("S3_ACCESS_KEY_ID", default=None),
        "secret_key": env("S3_SECRET_ACCESS_KEY", default=None),
        # Media are public: served from the bucket's own domain or a CDN, unsigned URLs.
        "custom_domain": env("S3_CUSTOM_DOMAIN", default=None),
        "querystring_auth": False,
        "default_acl": env("S3_ACL", default="public-read") or None,
        "file_overwrite": False,
    }
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {key: value for key, value in options.items() if value is not None},
    }


class ReplicaRouter:
    """Reads go to the replica only inside `reads_from_replica()`; writes, migrations and
    every other read stay on the primary, so nobody misses what they have just written."""

    def db_for_read(self, model, **hints):
        return REPLICA if _reads_from_replica.get() else None

    def db_for_write(self, model, **hints):
        return None

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, **hints):
        return db != REPLICA


@contextmanager
def reads_from_replica():
    token = _reads_from_replica.set(True)
    try:
        yield
    finally:
        _reads_from_replica.reset(token)


class AnonymousReadsFromReplicaMiddleware:
    """Anonymous GETs (profile and status pages opened from links, ActivityPub fetches by
    other servers) are the surge's bulk and have written nothing a lagging replica could
    miss; everyone logged in reads from the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        anonymous = (
            request.method in ("GET", "HEAD")
            and "Authorization" not in request.headers
            and not request.user.is_authenticated
        )
        if not anonymous:
            return self.get_response(request)
        with reads_from_replica():
            return self.get_response(request)
