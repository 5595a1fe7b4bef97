"""Pouet settings: everything comes from the environment (or `.env`), with defaults that
give a working local instance: SQLite, tasks in-process, console e-mail."""

from pathlib import Path

import environ

from config.database import REPLICA, database_settings, storage_settings

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="insecure-dev-key-set-SECRET_KEY-in-production")
DEBUG = env.bool("DEBUG", default=False)
LOCAL_DOMAIN = env("LOCAL_DOMAIN", default="localhost:8000")
# Links we print (confirmation mails, ActivityPub ids) use https except on localhost.
LOCAL_SCHEME = env("LOCAL_SCHEME", default="http" if LOCAL_DOMAIN.startswith("localhost") else "https")
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[LOCAL_DOMAIN.split(":")[0], "localhost", "127.0.0.1", "[::1]"]
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[f"{LOCAL_SCHEME}://{LOCAL_DOMAIN}"])
SITE_NAME = env("SITE_NAME", default="Pouet")
# Federation: the outbound client refuses private/loopback addresses unless this is set (test
# labs only); AUTHORIZED_FETCH makes actor, object and collection documents need a signed GET.
ALLOW_PRIVATE_ADDRESSES = env.bool("ALLOW_PRIVATE_ADDRESSES", default=False)
AUTHORIZED_FETCH = env.bool("AUTHORIZED_FETCH", default=False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "oauth2_provider",
    "django_dramatiq",
    "accounts",
    "statuses",
    "federation",
    "moderation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.api.ratelimit.RateLimitMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "moderation.middleware.ModerationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.site",
            ],
        },
    },
]

# A connection pool (DB_POOL_MAX_SIZE) and a read replica (DATABASE_REPLICA_URL) when set:
# config/database.py.
DATABASES = database_settings(env, default_url=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
if REPLICA in DATABASES:
    DATABASE_ROUTERS = ["config.database.ReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
        "config.database.AnonymousReadsFromReplicaMiddleware",
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    # A session read is a Redis GET instead of a query on every logged-in request. Only with
    # a shared cache: a per-process cache would keep serving a session logged out elsewhere.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Rendered HTML fragments that are a pure function of their cache key (statuses_tags builds
# the key from every value the fragment shows; nothing viewer-specific goes in), kept in
# each process: a Redis round trip per fragment would cost what rendering it does. Kept
# compressed (config/cache.py): web workers stay under 100 MB.
CACHES["fragments"] = {
    "BACKEND": "config.cache.CompressedLocMemCache",
    "LOCATION": "fragments",
    "TIMEOUT": 3600,
    "OPTIONS": {"MAX_ENTRIES": env.int("FRAGMENT_CACHE_ENTRIES", default=3000)},
}

# Background work: a Redis broker in production; in-process when there is no Redis or when
# TASKS_INLINE is set (tests), so one command gives a working instance.
TASKS_INLINE = env.bool("TASKS_INLINE", default=not REDIS_URL)
DRAMATIQ_BROKER = {
    "BROKER": "config.broker.InlineBroker" if TASKS_INLINE else "dramatiq.brokers.redis.RedisBroker",
    "OPTIONS": {} if TASKS_INLINE else {"url": REDIS_URL},
    "MIDDLEWARE": [
        "dramatiq.middleware.AgeLimit",
        "dramatiq.middleware.TimeLimit",
        "dramatiq.middleware.Callbacks",
        "dramatiq.middleware.Retries",
        "django_dramatiq.middleware.DbConnectionsMiddleware",
    ],
}
DRAMATIQ_AUTODISCOVER_MODULES = ["tasks"]
# Key pairs made ahead of sign-ups (accounts.services.key_pool_refill, queued by the
# periodic sweep): a surge of sign-ups then costs no RSA generation (84 ms of CPU each).
# None in the embedded default, where tasks run in-process and no surge is expected.
KEY_POOL_SIZE = env.int("KEY_POOL_SIZE", default=0 if TASKS_INLINE else 1000)

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "accounts.backends.UsernameOrEmailBackend",
    "moderation.backends.FrozenUserBackend",
]
PASSWORD_HASHERS = [
    "accounts.hashers.OwaspArgon2PasswordHasher",
    # Still verifies (and upgrades on login) hashes made before Argon2 was the default.
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "statuses:home"
LOGOUT_REDIRECT_URL = "landing"

LANGUAGE_CODE = env("DEFAULT_LANGUAGE", default="en")
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    # Media on the local disk, or in an S3-compatible bucket (MEDIA_STORAGE=s3).
    "default": storage_settings(env),
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploads bigger than this are refused before Pillow sees them.
DATA_UPLOAD_MAX_MEMORY_SIZE = 16 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 16 * 1024 * 1024

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default=f"notifications@{LOCAL_DOMAIN.split(':')[0]}")

SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=LOCAL_SCHEME == "https")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # Django's own "django" logger has a console handler in DEBUG; one line per message.
    "loggers": {"django": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

# The Mastodon client API: OAuth 2 tokens (django-oauth-toolkit), JSON only, errors as
# {"error": …} (accounts/api/errors.py). Scopes are Mastodon's; `read` implies every read:*.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.api.auth.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": [],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "accounts.api.errors.exception_handler",
}
OAUTH2_PROVIDER = {
    "SCOPES_BACKEND_CLASS": "accounts.api.oauth.AppScopes",
    "OAUTH2_VALIDATOR_CLASS": "accounts.api.oauth.MastodonValidator",
    # Mastodon's tokens do not expire and its clients never refresh them.
    "ACCESS_TOKEN_EXPIRE_SECONDS": env.int("OAUTH_TOKEN_EXPIRE_SECONDS", default=10 * 365 * 24 * 3600),
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 600,
    # PKCE (S256) is checked when a client sends a challenge; Mastodon apps that predate it
    # still work without one.
    "PKCE_REQUIRED": False,
    "REQUEST_APPROVAL_PROMPT": "force",
}
# Seconds between heartbeat comments on streaming responses; each also re-checks the token.
STREAMING_HEARTBEAT_SECONDS = env.float("STREAMING_HEARTBEAT_SECONDS", default=15)
# Requests per 5 minutes per token (or per address without one) on the client API.
API_RATE_LIMIT = env.int("API_RATE_LIMIT", default=300)
# Named so that accounts.AppRegistration's migration can point at it (a swappable model).
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
