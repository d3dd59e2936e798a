"""Start-up checks: an operator learns about a missing or unsafe setting before a caller does."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from directory.fields import to_e164

# How the auth token scripts/local-env makes for `make run` and `make call` begins.
LOCAL_TOKEN_PREFIX = "local-development-only-"


@register(Tags.security, "etphone")
def check_twilio_validation(app_configs, **kwargs):
    messages = []
    if not settings.TWILIO_VALIDATE_SIGNATURES:
        messages.append(
            Warning(
                "Twilio signature validation is off (TWILIO_VALIDATE_SIGNATURES=false): "
                "anyone who finds the webhook URLs can drive calls and read the directory.",
                hint="Use this only for local work; set TWILIO_AUTH_TOKEN and remove the switch.",
                id="ivr.W001",
            )
        )
    if settings.TWILIO_AUTH_TOKEN.startswith(LOCAL_TOKEN_PREFIX) and not settings.DEBUG:
        messages.append(
            Error(
                "TWILIO_AUTH_TOKEN is the local development token `make run` made: Twilio "
                "never signs with it, so every call would be refused.",
                hint="Set TWILIO_AUTH_TOKEN to your Twilio account's auth token.",
                id="ivr.E003",
            )
        )
    if settings.TWILIO_AUTH_TOKEN:
        return messages
    if not settings.DEBUG:
        # Whatever the switch says: production never runs without a way to check Twilio.
        messages.append(
            Error(
                "TWILIO_AUTH_TOKEN is not set: the phone tree cannot check that requests come "
                "from Twilio.",
                hint="Set TWILIO_AUTH_TOKEN to your Twilio account's auth token.",
                id="ivr.E001",
            )
        )
    elif settings.TWILIO_VALIDATE_SIGNATURES:
        messages.append(
            Warning(
                "TWILIO_AUTH_TOKEN is not set: every webhook request will be refused with 403.",
                hint="Set TWILIO_AUTH_TOKEN, or TWILIO_VALIDATE_SIGNATURES=false for local work.",
                id="ivr.W002",
            )
        )
    return messages


@register("etphone")
def check_operator_number(app_configs, **kwargs):
    if not settings.OPERATOR_NUMBER:
        return []
    try:
        valid = to_e164(settings.OPERATOR_NUMBER) == settings.OPERATOR_NUMBER
    except Exception:
        valid = False
    if valid:
        return []
    return [
        Error(
            f"OPERATOR_NUMBER {settings.OPERATOR_NUMBER!r} is not a phone number in E.164 form.",
            hint="Write it with its country code and no spaces, e.g. +19295566487.",
            id="ivr.E002",
        )
    ]


@register("etphone")
def check_renamed_settings(app_configs, **kwargs):
    """A setting under the name it had before: still read, and the operator told once."""
    return [
        Warning(
            f"{old} is now called {new}: the old name is still read, for now.",
            hint=f"Rename it in the environment (or .env) to {new}.",
            id="ivr.W003",
        )
        for old, new in settings.RENAMED_SETTINGS_READ.items()
    ]
