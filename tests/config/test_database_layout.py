"""The production layout read from the environment: pool, read replica, S3 media."""

import environ
import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory

from config.database import (
    REPLICA,
    AnonymousReadsFromReplicaMiddleware,
    ReplicaRouter,
    database_settings,
    reads_from_replica,
    storage_settings,
)
from tests.factories import make_local_account

PRIMARY = "postgres://pouet@db.internal:5432/pouet"


def env_with(monkeypatch, **values) -> environ.Env:
    for name in ("DATABASE_URL", "DATABASE_REPLICA_URL", "DB_POOL_MAX_SIZE", "DB_CONN_MAX_AGE",
                 "DB_PREPARED_STATEMENTS", "MEDIA_STORAGE", "S3_BUCKET", "S3_CUSTOM_DOMAIN",
                 "S3_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return environ.Env()


def test_the_embedded_default_is_sqlite_without_replica(monkeypatch):
    databases = database_settings(env_with(monkeypatch), default_url="sqlite:////tmp/x.sqlite3")
    assert list(databases) == ["default"]
    assert databases["default"]["ENGINE"] == "django.db.backends.sqlite3"


def test_postgresql_prepares_repeated_statements_unless_told_not_to(monkeypatch):
    default = database_settings(env_with(monkeypatch, DATABASE_URL=PRIMARY), default_url="")["default"]
    assert default["OPTIONS"] == {"server_side_binding": True, "prepare_threshold": 5}
    env = env_with(monkeypatch, DATABASE_URL=PRIMARY, DB_PREPARED_STATEMENTS="false")
    assert "server_side_binding" not in database_settings(env, default_url="")["default"].get("OPTIONS", {})
    sqlite = database_settings(env_with(monkeypatch), default_url="sqlite:////tmp/x.sqlite3")["default"]
    assert "server_side_binding" not in sqlite["OPTIONS"]


def test_a_pool_size_gives_each_process_a_psycopg_pool(monkeypatch):
    env = env_with(monkeypatch, DATABASE_URL=PRIMARY, DB_POOL_MAX_SIZE="12", DB_CONN_MAX_AGE="600")
    default = database_settings(env, default_url="")["default"]
    assert default["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 12, "timeout": 10.0}
    assert default["CONN_MAX_AGE"] == 0  # Django refuses persistent connections with a pool


def test_a_replica_url_adds_the_replica_mirrored_in_tests(monkeypatch):
    env = env_with(monkeypatch, DATABASE_URL=PRIMARY,
                   DATABASE_REPLICA_URL="postgres://pouet@replica.internal:5432/pouet")
    databases = database_settings(env, default_url="")
    assert databases[REPLICA]["HOST"] == "replica.internal"
    assert databases[REPLICA]["TEST"] == {"MIRROR": "default"}


def test_reads_go_to_the_replica_only_inside_the_context():
    router = ReplicaRouter()
    assert router.db_for_read(object) is None
    with reads_from_replica():
        assert router.db_for_read(object) == REPLICA
        assert router.db_for_write(object) is None
    assert router.db_for_read(object) is None
    assert router.allow_migrate(REPLICA, "statuses") is False


@pytest.mark.django_db
def test_only_anonymous_gets_read_from_the_replica():
    seen = []
    router = ReplicaRouter()
    middleware = AnonymousReadsFromReplicaMiddleware(
        lambda request: seen.append(router.db_for_read(object)) or HttpResponse()
    )
    factory = RequestFactory()
    anonymous_get = factory.get("/@alice")
    anonymous_get.user = AnonymousUser()
    logged_in_get = factory.get("/home")
    logged_in_get.user = make_local_account("alice").user
    app_get = factory.get("/api/v1/timelines/home", HTTP_AUTHORIZATION="Bearer x")
    app_get.user = AnonymousUser()
    anonymous_post = factory.post("/auth/sign_up")
    anonymous_post.user = AnonymousUser()
    for request in (anonymous_get, logged_in_get, app_get, anonymous_post):
        middleware(request)
    assert seen == [REPLICA, None, None, None]


def test_media_stay_on_disk_unless_s3_is_chosen(monkeypatch):
    assert storage_settings(env_with(monkeypatch))["BACKEND"].endswith("FileSystemStorage")


def test_s3_media_are_served_from_the_bucket_domain(monkeypatch):
    from django.utils.module_loading import import_string

    env = env_with(monkeypatch, MEDIA_STORAGE="s3", S3_BUCKET="pouet-media",
                   S3_ENDPOINT_URL="https://s3.example.net", S3_CUSTOM_DOMAIN="media.example.net")
    layout = storage_settings(env)
    storage = import_string(layout["BACKEND"])(**layout["OPTIONS"])
    assert storage.bucket_name == "pouet-media"
    assert storage.url("media_attachments/ab/cd.png") == "https://media.example.net/media_attachments/ab/cd.png"


def test_s3_without_a_bucket_is_a_clear_configuration_error(monkeypatch):
    with pytest.raises(environ.ImproperlyConfigured, match="S3_BUCKET"):
        storage_settings(env_with(monkeypatch, MEDIA_STORAGE="s3"))
