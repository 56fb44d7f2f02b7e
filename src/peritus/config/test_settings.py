"""Settings for the test suite: the real settings with only what tests need changed."""

from __future__ import annotations

import os

os.environ.setdefault("PERITUS_TESTING", "true")

from peritus.config.settings import *
from peritus.config.settings import DATABASES, VAR_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# PERITUS_TEST_DB_TAG keeps parallel test runs on one machine out of each other's databases.
_TAG = os.environ.get("PERITUS_TEST_DB_TAG", "")
(VAR_DIR / "test").mkdir(parents=True, exist_ok=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory:, so that threads in concurrency tests and the browser tests' live
    # server each get their own connection to the same database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test" / f"peritus-test{_TAG}.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["TEST"] = {"NAME": f"peritus_test{_TAG}"}
ACCOUNT_RATE_LIMITS = False  # rate limits have their own tests with the limiter switched on
PERITUS = {**PERITUS, "SIGNING_KEY_FILE": str(VAR_DIR / "test" / "signing-key.pem")}
