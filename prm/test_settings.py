"""Settings for the test suite: the production settings with test-only secrets and fast hashing."""

import atexit
import os
import shutil
import tempfile
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-0f4b6d8e2a1c3e5f7a9b0d2c4e6f8a1b3c5d7e9f")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("HTTPS", "false")

from prm.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WHITENOISE_USE_FINDERS = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WHITENOISE_AUTOREFRESH = True

# Tasks run in-process in tests, even when REDIS_URL points at a real broker: a test that needs a real worker
# is marked ``worker`` and switches eager mode off for its duration (tests/prm/test_worker.py).
CELERY_TASK_ALWAYS_EAGER = True
# With a shared Redis cache, a per-run key prefix keeps rate-limit counters and sessions of earlier runs out.
CACHES["default"]["KEY_PREFIX"] = f"test-{os.getpid()}"  # noqa: F405
# Under pytest-xdist (make test) each test process keeps its cache in a Redis database of its own, after the
# broker's: a test that clears the cache empties its database (FLUSHDB), never the other process's keys or the
# broker's queue.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if REDIS_URL and _XDIST_WORKER.startswith("gw"):  # noqa: F405
    _redis = urlsplit(REDIS_URL)  # noqa: F405
    _database = (int(_redis.path.lstrip("/") or 0) + 1 + int(_XDIST_WORKER[2:])) % 16
    CACHES["default"]["LOCATION"] = urlunsplit(_redis._replace(path=f"/{_database}"))  # noqa: F405

# Uploaded files of the run go to a directory of their own, removed when the run ends (never var/ of the checkout).
MEDIA_ROOT = tempfile.mkdtemp(prefix="prm-test-media-")
atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)
