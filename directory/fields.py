"""A model field for phone numbers, stored in E.164."""

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


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
