"""Settings for etphone, read from the environment (or an optional .env file)."""

import os
import re
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)

# A development key is only acceptable while DEBUG is on; production must bring its own.
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "Set the DJANGO_SECRET_KEY environment variable (or DJANGO_DEBUG=true for local work)."
        )
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# HTTPS. Production defaults are strict; behind a proxy that terminates TLS, name the header it
# sets (e.g. HTTP_X_FORWARDED_PROTO) so Django, and the Twilio signature check, see https.
if proxy_ssl_header := env("DJANGO_SECURE_PROXY_SSL_HEADER", default=""):
    SECURE_PROXY_SSL_HEADER = (proxy_ssl_header, "https")
USE_X_FORWARDED_HOST = env.bool("DJANGO_USE_X_FORWARDED_HOST", default=False)
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
# Webhooks (/ivr/) never reach SecurityMiddleware (ivr.middleware.WebhookMiddleware answers
# them first), so they are never redirected: Twilio would have nothing to say to the caller.
# A load balancer checks health over plain http. Twilio fetches a recording at the URL we gave.
SECURE_REDIRECT_EXEMPT = [r"^health", r"^recordings/"]
SESSION_COOKIE_SECURE = env.bool("DJANGO_SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("DJANGO_CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "simple_history",
    "import_export",
    "directory",
    "ivr",
    "simulator",
    "calllog",
    "voicemail",
    "texts",
    "debugger",
    "metrics",
]

MIDDLEWARE = [
    # Twilio's webhooks (/ivr/) go to their view from here: they need none of what follows
    # (Security's headers are for browsers, and its HTTPS redirect skips /ivr/).
    "ivr.middleware.WebhookMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ivr.middleware.StaffLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Whoever is signed in is recorded with each directory change they make (history).
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "etphone.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "etphone.wsgi.application"

# SQLite on one machine by default; DATABASE_URL (postgres://...) for several app servers.
# An empty DATABASE_URL (as in .env.example) means the default too.
DATABASE_URL = env("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
# How long a request may wait for the database before it gives up (the caller then hears the
# apology): well under the 15 s Twilio waits for a webhook. Webhooks only read (the call log is
# written behind them, see CALL_LOG_SPOOL_DIR), so in practice they never wait this long.
DATABASE_TIMEOUT = env.float("DATABASE_TIMEOUT", default=1.5)
if not 0 < DATABASE_TIMEOUT < 15:
    raise ImproperlyConfigured("DATABASE_TIMEOUT must be more than 0 and less than 15 seconds.")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several workers write at once (admin edits, the call log's writers): WAL lets readers go on
    # during a write, IMMEDIATE takes the write lock up front instead of failing mid-transaction
    # with "database is locked", and the timeout makes a writer wait its turn.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": DATABASE_TIMEOUT,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A server that does not answer (down, or its network gone) fails a connection attempt
    # after this long (libpq's minimum is 2 s), and a kept connection's unanswered query too.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        connect_timeout=max(2, round(DATABASE_TIMEOUT)),
        tcp_user_timeout=int(DATABASE_TIMEOUT * 1000),
    )
# Keep connections between requests (opening one costs more than a webhook's queries).
# Health checks would cost PostgreSQL a "SELECT 1" on every request; without them a connection
# the database dropped fails one request (that caller hears the apology) and is then replaced.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DATABASE_CONN_HEALTH_CHECKS", default=False)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

TIME_ZONE = env("DJANGO_TIME_ZONE", default="UTC")
USE_I18N = True
# The admin and the staff pages follow the browser's language, or the one chosen in the admin's
# header; English when neither is one of these. What callers hear is data, not translated here.
LANGUAGE_CODE = "en-us"
LANGUAGES = [("en", _("English")), ("ja", _("Japanese"))]
# Each app keeps its catalogue in <app>/locale/; this one holds the project templates' strings.
# The directory's import (directory/resources.py) is one transaction: all rows or none.
IMPORT_EXPORT_USE_TRANSACTIONS = True

LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
# The health checks and the recordings (cached for ever) need no language. The webhooks answer
# in the default language without reaching StaffLocaleMiddleware (ivr.middleware).
LOCALE_MIDDLEWARE_EXEMPT = [r"^health", r"^recordings/"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Uploaded files (the prompts' recordings) on this server's disk by default. With several app
# servers, point the "recordings" storage at shared object storage (docs/deploying.md).
# Empty (as in .env.example) means media/ next to manage.py; an absolute path is kept as it is.
MEDIA_ROOT = BASE_DIR / (env("DJANGO_MEDIA_ROOT", default="") or "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Names are the content's hash, so the same content may be written again in place.
    "recordings": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        # Stored as recordings/<hash>.<kind> and so linked from the admin at /recordings/...
        "OPTIONS": {"allow_overwrite": True, "base_url": "/"},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The admin's path, e.g. "staff-only/"; a less guessable path keeps scanners off the login page.
ADMIN_URL = env("DJANGO_ADMIN_URL", default="admin/")
if not ADMIN_URL.endswith("/") or ADMIN_URL.startswith("/"):
    raise ImproperlyConfigured(
        "DJANGO_ADMIN_URL must look like 'admin/': no leading slash, one trailing."
    )

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Twilio. Requests to /ivr/ must carry X-Twilio-Signature made with this account's auth token.
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN", default="")
# Only for local work without Twilio: switching the check off warns at every start.
TWILIO_VALIDATE_SIGNATURES = env.bool("TWILIO_VALIDATE_SIGNATURES", default=True)
# The scheme and host Twilio uses to reach us ("https://ivr.example.com"), when a proxy hides it.
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="").rstrip("/")
# A person callers are put through to when something breaks on our side (E.164), if any.
OPERATOR_NUMBER = env("OPERATOR_NUMBER", default="")

# Twilio's REST API (twilio_api/: connecting a number, recordings). Only the commands that talk
# to it need these. The account, and either the auth token above or an API key and its secret.
TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID", default="")
TWILIO_API_KEY = env("TWILIO_API_KEY", default="")
TWILIO_API_SECRET = env("TWILIO_API_SECRET", default="")
# Where the REST API is; tests point it at a fake Twilio on loopback.
TWILIO_API_BASE_URL = env("TWILIO_API_BASE_URL", default="https://api.twilio.com").rstrip("/")
# Seconds to wait for Twilio's answer before giving up.
TWILIO_API_TIMEOUT = env.float("TWILIO_API_TIMEOUT", default=10.0)
if TWILIO_API_TIMEOUT <= 0:
    raise ImproperlyConfigured("TWILIO_API_TIMEOUT must be more than 0 seconds.")
# A messaging service (MG...) that sends the texts callers ask for, from its own numbers; empty:
# texts are sent from the number the caller called, which must then be able to send SMS.
TWILIO_MESSAGING_SERVICE_SID = env("TWILIO_MESSAGING_SERVICE_SID", default="").strip()
if TWILIO_MESSAGING_SERVICE_SID and not re.fullmatch(
    r"MG[0-9a-fA-F]{32}", TWILIO_MESSAGING_SERVICE_SID
):
    raise ImproperlyConfigured(
        f"TWILIO_MESSAGING_SERVICE_SID {TWILIO_MESSAGING_SERVICE_SID!r} is not a messaging "
        "service SID: those are 'MG' and 32 hexadecimal digits (Messaging > Services in the "
        "Twilio console)."
    )

# What callers hear when something on our side breaks (a setting: the database may be down).
IVR_APOLOGY = env("IVR_APOLOGY", default="We are sorry, something went wrong on our side.")
IVR_VOICE = env("IVR_VOICE", default="alice")
IVR_LANGUAGE = env("IVR_LANGUAGE", default="en-GB")

# The phone tree.
# How many times a caller may press nothing or a wrong key before we say goodbye.
IVR_MAX_ATTEMPTS = env.int("IVR_MAX_ATTEMPTS", default=3)
if IVR_MAX_ATTEMPTS < 1:
    raise ImproperlyConfigured("IVR_MAX_ATTEMPTS must be 1 or more.")
# With more active planets than this, the planet directory reads only the first ones, then "or
# say the planet's name, or enter its extension".
# Settings read under the name they had before (December 2026), by their old name: each
# still read when the new name is not set, and named by a start-up warning (ivr.checks).
RENAMED_SETTINGS_READ = {
    old: new
    for old, new in [("IVR_PLANET_MENU_READS", "IVR_PLANET_DIRECTORY_READS")]
    if old in os.environ and new not in os.environ
}
IVR_PLANET_DIRECTORY_READS = env.int(
    "IVR_PLANET_MENU_READS"
    if "IVR_PLANET_MENU_READS" in RENAMED_SETTINGS_READ
    else "IVR_PLANET_DIRECTORY_READS",
    default=9,
)
if IVR_PLANET_DIRECTORY_READS < 1:
    raise ImproperlyConfigured(
        "IVR_PLANET_DIRECTORY_READS (IVR_PLANET_MENU_READS before) must be 1 or more, e.g. 9."
    )
# How sure (0 to 1) both Twilio's recognition and our match of a planet's name must be to dial
# it at once; below it the caller is asked "Did you say ...?" first.
try:
    SPEECH_CONFIDENCE = float(env("SPEECH_CONFIDENCE", default="0.7"))
except ValueError:
    SPEECH_CONFIDENCE = -1.0
if not 0 <= SPEECH_CONFIDENCE <= 1:
    raise ImproperlyConfigured("SPEECH_CONFIDENCE must be a number from 0 to 1, e.g. 0.7.")
# Where each server process keeps call-log entries until its writer thread has put them in the
# database (calllog/spool.py): on a local disk of each app server, writable by the server.
# One directory per database: a process adopts the files it finds there as its own database's.
CALL_LOG_SPOOL_DIR = BASE_DIR / (env("CALL_LOG_SPOOL_DIR", default="") or "spool")
# /metrics, for Prometheus: off (404) unless a token is set; scrapes send it as a bearer token.
METRICS_TOKEN = env("METRICS_TOKEN", default="").strip()
# Where each worker of the production server keeps its counts (scripts/serve sets it): read by
# prometheus_client itself, before the first metric is made.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)  # empty in .env: one process's counts
elif not os.path.isdir(os.environ["PROMETHEUS_MULTIPROC_DIR"]):
    raise ImproperlyConfigured(
        f"PROMETHEUS_MULTIPROC_DIR {os.environ['PROMETHEUS_MULTIPROC_DIR']!r} is not a "
        "directory: create it (writable by the server), or unset it."
    )
# How long the call log keeps calls; `manage.py purge_calls` deletes older ones.
CALL_LOG_RETENTION_DAYS = env.int("CALL_LOG_RETENTION_DAYS", default=90)
# Voicemail: the longest message a caller may leave, in seconds, and whether Twilio transcribes
# messages (English only, and charged per minute).
VOICEMAIL_MAX_SECONDS = env.int("VOICEMAIL_MAX_SECONDS", default=120)
if not 1 <= VOICEMAIL_MAX_SECONDS <= 3600:
    raise ImproperlyConfigured("VOICEMAIL_MAX_SECONDS must be from 1 to 3600 seconds.")
VOICEMAIL_TRANSCRIBE = env.bool("VOICEMAIL_TRANSCRIBE", default=False)

# Recorded prompts: the largest upload staff may make, in megabytes, and the longest, in seconds.
RECORDING_MAX_MEGABYTES = env.float("RECORDING_MAX_MEGABYTES", default=5.0)
if RECORDING_MAX_MEGABYTES <= 0:
    raise ImproperlyConfigured("RECORDING_MAX_MEGABYTES must be more than 0, e.g. 5.")
RECORDING_MAX_SECONDS = env.int("RECORDING_MAX_SECONDS", default=120)
if RECORDING_MAX_SECONDS < 1:
    raise ImproperlyConfigured("RECORDING_MAX_SECONDS must be 1 or more, e.g. 120.")

# Email: notices of new voicemails to planets' contacts. EMAIL_URL is e.g.
# smtp+tls://user:password@smtp.example.com:587; unset or empty, notices are printed to the console.
vars().update(env.email_url_config(env("EMAIL_URL", default="") or "consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="etphone@localhost")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

# Numbers staff type without a +country code are read in this region (ISO 3166 code).
PHONE_NUMBER_DEFAULT_REGION = env("PHONE_NUMBER_DEFAULT_REGION", default="US")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "()": "etphone.logformat.OneLineFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        }
    },
    "filters": {"wrong_host": {"()": "etphone.logformat.WrongHostInOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        # The twilio client logs every request's headers at INFO; its errors are reported anyway.
        "twilio.http_client": {"level": "WARNING"},
        "django.security.DisallowedHost": {"filters": ["wrong_host"]},
    },
}
