"""The production WSGI application on the benchmark settings (which add the floor views)."""

import os
import sys

from django.core.wsgi import get_wsgi_application

# The benchmarks run in the tests' virtualenv, where pytest brings Pygments. A production
# install has none (nothing Pouet depends on needs it), but DRF imports it when present, for
# the browsable API Pouet does not serve: 1 MB per web worker that production does not pay.
sys.modules.setdefault("pygments", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
application = get_wsgi_application()
