"""The fields the directory's models share: phone numbers stored in E.164, a keypad's keys, a
language tag, a voice, a recording, a text, a phrase a caller may say; and a text made
storable in any database."""

import re
from functools import partial

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .recordings import recording_name, recordings_storage, validate_recording

# A phone number's shape in E.164 (+, a country code, up to 15 digits): what Twilio sends for a
# real caller or number, not a withheld one ("anonymous") nor a Twilio Client's ("client:…").
E164 = re.compile(r"\+[1-9][0-9]{6,14}")


def storable(value: str, max_length: int | None = None) -> str:
    """A text as every database stores it: no NUL characters (PostgreSQL refuses them), no lone
    surrogates (UTF-8 has none), at most max_length characters (PostgreSQL refuses more)."""
    value = value.replace("\x00", "")
    if not value.isascii():
        value = value.encode("utf-8", "ignore").decode("utf-8")
    return value[:max_length]


def masked(number: str) -> str:
    """A phone number with all but its last four digits hidden: enough to tell callers apart,
    not to call them back (for staff without the permission to see callers' numbers)."""
    return f"•••{number[-4:]}" if len(number) > 4 else "•" * len(number)


DIGITS = "0123456789"
# Every key of a phone's keypad.
PHONE_KEYS = DIGITS + "*#"


def to_e164(value: str, *, region: str | None = None) -> str:
    """Return value as an E.164 number ("+19295566487") or raise ValidationError."""
    region = region or settings.PHONE_NUMBER_DEFAULT_REGION
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _(
                "“%(value)s” is not a valid phone number. Enter it with its country code, "
                "for example +19295566487."
            ),
            code="invalid_phone_number",
            params={"value": value},
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class PhoneNumberField(models.CharField):
    """A CharField that accepts any dialable spelling and keeps the E.164 form."""

    description = _("Phone number in E.164 format")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 16)  # "+" and at most 15 digits
        super().__init__(*args, **kwargs)

    def clean(self, value, model_instance):
        # Normalise in clean(), not to_python(): lookups such as the admin's search for "929"
        # also go through to_python() and must not be validated as whole numbers.
        # Normalise before the length check: "+1 (726) 204-3675" is longer than its E.164 form.
        value = self.to_python(value)
        if value not in self.empty_values:
            value = to_e164(value)
        self.validate(value, model_instance)
        self.run_validators(value)
        return value


language_validator = RegexValidator(
    r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
    _("Enter a language tag such as en-GB or ja-JP."),
)
voice_field = partial(
    models.CharField,
    _("voice"),
    max_length=64,
    blank=True,
    help_text=_("A Twilio voice, e.g. Polly.Mizuki. Empty for the language's voice."),
)
recording_field = partial(
    models.FileField,
    _("recording"),
    blank=True,
    max_length=200,
    upload_to=recording_name,
    storage=recordings_storage,
    validators=[validate_recording],
    help_text=_(
        "Optional: an MP3 or WAV file callers hear instead of the voice reading the text, "
        "e.g. greeting.mp3. Should the file be lost, they hear the text."
    ),
)
text_field = partial(
    models.TextField,
    _("text"),
    help_text=_("What the caller hears, written as it should be pronounced."),
)

phrase_field = partial(
    models.CharField,
    _("phrase"),
    max_length=100,
)
