"""Settings for the test suite: the real settings, pointed at a throw-away data directory.

Tests run on a real SQLite file by default; ``KETNAV_TEST_DATABASE_URL`` switches the very same suite
to a real PostgreSQL server. This must run before ``ketnav.web.settings`` reads the environment.
"""

import os
import tempfile

os.environ["KETNAV_DATA_DIR"] = os.environ.get("KETNAV_TEST_DATA_DIR") or tempfile.mkdtemp(prefix="ketnav-test-")
# Load workers start these settings again in their own process: same directory, not one each.
os.environ["KETNAV_TEST_DATA_DIR"] = os.environ["KETNAV_DATA_DIR"]
os.environ.pop("KETNAV_MODE", None)
os.environ.pop("KETNAV_SECRET_KEY", None)
os.environ["KETNAV_DEBUG"] = "off"
if os.environ.get("KETNAV_TEST_DATABASE_URL"):
    os.environ["KETNAV_DATABASE_URL"] = os.environ["KETNAV_TEST_DATABASE_URL"]
else:
    os.environ.pop("KETNAV_DATABASE_URL", None)

from ketnav.web.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; only test users exist
# Columns in memory only: tests roll their transactions back, which reuses registry version numbers for
# other data. Tests of the store give a SearchIndex their own; `ketnav` subprocesses use the real setting.
KETNAV_COLUMN_STORE = None
