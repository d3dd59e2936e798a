"""The languages callers hear the line in, and our numbers with the language each starts in."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..fields import PhoneNumberField, language_validator


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
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def natural_key(self):
        return (self.code,)


class CalledNumberManager(models.Manager):
    def get_by_natural_key(self, number):
        return self.get(number=number)


class CalledNumber(models.Model):
    """One of our Twilio numbers, with the language and the menu its callers start in."""

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
    entry_menu = models.ForeignKey(
        "directory.Menu",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="numbers",
        verbose_name=_("first menu"),
        help_text=_("The menu its callers hear first; empty for the menu where calls start."),
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

    natural_key.dependencies = ["directory.language", "directory.menu"]
