"""The languages callers hear the line in, and our numbers with the language each starts in."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..fields import DIGITS, PhoneNumberField, language_validator

# The main menu's own keys (1 directions, 2 planets): a language's welcome key must differ.
MAIN_MENU_KEYS = ("1", "2")


class LanguageManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Language(models.Model):
    """A language callers can hear the line in; exactly one is the line's default."""

    code = models.CharField(
        _("code"),
        max_length=35,
        unique=True,
        validators=[language_validator],
        help_text=_("The language tag Twilio speaks, e.g. en-GB or ja-JP."),
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("Its name in its own words, e.g. 日本語.")
    )
    voice = models.CharField(
        _("voice"),
        max_length=64,
        blank=True,
        help_text=_(
            "The Twilio voice for this language, e.g. Polly.Mizuki. Empty for Twilio's default."
        ),
    )
    welcome_key = models.CharField(
        _("welcome key"),
        max_length=1,
        unique=True,
        choices=[(digit, digit) for digit in DIGITS if digit not in MAIN_MENU_KEYS],
        help_text=_("The key that chooses this language at the main menu, e.g. 9."),
    )
    is_default = models.BooleanField(
        _("default"),
        default=False,
        editable=False,
        help_text=_(
            "Callers of numbers not listed start in it, and hear its words where another "
            "language has none. Switch with the list's action."
        ),
    )
    position = models.PositiveSmallIntegerField(
        _("order"),
        default=0,
        help_text=_("Languages are offered in increasing order, e.g. 10, 20."),
    )

    objects = LanguageManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("language")
        verbose_name_plural = _("languages")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="%(app_label)s_%(class)s_one_default",
                violation_error_message=_("Only one language can be the default."),
            ),
            models.CheckConstraint(
                condition=Q(welcome_key__in=[d for d in DIGITS if d not in MAIN_MENU_KEYS]),
                name="%(app_label)s_%(class)s_welcome_key_free",
                violation_error_message=_(
                    "The welcome key must be a digit other than 1 and 2 (the main menu's)."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def natural_key(self):
        return (self.code,)


class CalledNumberManager(models.Manager):
    def get_by_natural_key(self, number):
        return self.get(number=number)


class CalledNumber(models.Model):
    """One of our Twilio numbers, tied to the language its callers start in."""

    number = PhoneNumberField(
        _("our number"),
        unique=True,
        help_text=_("A Twilio number callers dial (Twilio's To), e.g. +81335550100."),
    )
    language = models.ForeignKey(
        Language,
        on_delete=models.CASCADE,
        related_name="numbers",
        verbose_name=_("language"),
        help_text=_("Callers of this number start in this language."),
    )

    objects = CalledNumberManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["number"]
        verbose_name = _("called number")
        verbose_name_plural = _("called numbers")

    def __str__(self):
        return self.number

    def natural_key(self):
        return (self.number,)

    natural_key.dependencies = ["directory.language"]
