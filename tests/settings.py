"""Settings for the test suite: the project's own, with fast hashing and no secrets needed."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-not-secret")

from etphone.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The manifest needs collectstatic; tests render pages without it.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files from the apps' folders, as in development, without collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# Requests in tests are signed with this token, as Twilio signs them with the account's.
TWILIO_AUTH_TOKEN = "test-auth-token"
TWILIO_VALIDATE_SIGNATURES = True
PUBLIC_BASE_URL = ""
OPERATOR_NUMBER = ""
# The test client speaks plain http unless a test asks for https.
SECURE_SSL_REDIRECT = False
# The call log is written in the request, so a test sees it at once; the spool (what servers
# use) has tests of its own, in-process and on the real server.
CALL_LOG_SPOOL_DIR = None
# Uploaded recordings go to a folder of the run's own, never the checkout's media/.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="etphone-media-"))
