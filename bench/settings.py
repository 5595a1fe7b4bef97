"""Production settings plus what the benchmarks need: a URL for the floor views, the test
client's host name, and static files collected outside the checkout."""

import os
import tempfile

from config.settings import *  # noqa: F403
from config.settings import ALLOWED_HOSTS

ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
# The manifest storage of production needs collectstatic; collect into a scratch folder so a
# benchmark never writes into the checkout.
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT", os.path.join(tempfile.gettempdir(), "pouet-bench-static"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
# Plain static storage: a page referencing a static file that work in progress has not
# written yet still renders (the manifest storage of production raises); the URL lookup
# costs about the same.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Clients of a benchmark send thousands of API requests a minute from one address; the limit
# is still counted (same cost per request) but never reached.
API_RATE_LIMIT = 10**9
