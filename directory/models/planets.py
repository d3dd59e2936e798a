"""The planets callers reach: their extensions and numbers, opening hours and closures, and
how each is said and heard in each language."""

import zoneinfo

import holidays
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Length
from django.db.models.lookups import Exact, GreaterThanOrEqual, LessThanOrEqual
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..fields import DIGITS, PhoneNumberField, phrase_field
from .languages import Language

# A planet's extension: 1 to 4 digits, pressed at the planet directory.
EXTENSION_LENGTH = 4
extension_validator = RegexValidator(
    rf"^[0-9]{{1,{EXTENSION_LENGTH}}}$",
    _("An extension is 1 to 4 digits, e.g. 3 or 204."),
    code="extension",
)


def is_extension(field_name: str) -> Q:
    """1 to 4 characters, each a digit, said portably: SQLite has no regular expressions of
    its own, so the digits are trimmed away (TRIM(x, '0123456789')) and nothing may be left."""
    length = Length(field_name)
    digits_removed = Func(F(field_name), Value(DIGITS), function="TRIM")
    return Q(
        GreaterThanOrEqual(length, 1),
        LessThanOrEqual(length, EXTENSION_LENGTH),
        Exact(digits_removed, ""),
    )


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(zone)s” is not a time zone. Use a name such as Europe/London or Asia/Tokyo."),
            code="time_zone",
            params={"zone": value},
        )


def validate_holidays_country(value: str) -> None:
    if value and value not in holidays.list_supported_countries():
        raise ValidationError(
            _(
                "No public holidays are known for “%(country)s”. "
                "Use a country code such as GB or JP."
            ),
            code="holidays_country",
            params={"country": value},
        )


class PlanetManager(models.Manager):
    def get_by_natural_key(self, name):
        return self.get(name=name)


class Planet(models.Model):
    """A destination in the planet directory: an extension the caller enters, a number we dial."""

    name = models.CharField(
        _("name"),
        max_length=100,
        unique=True,
        help_text=_("How staff refer to it, e.g. Dagobah."),
    )
    key = models.CharField(
        _("extension"),
        max_length=EXTENSION_LENGTH,
        validators=[extension_validator],
        help_text=_(
            "The digits the caller enters to be connected, 1 to 4, e.g. 3 or 204. No active "
            "planet's extension may start with another's."
        ),
    )
    phone_number = PhoneNumberField(
        _("number to dial"),
        help_text=_("With its country code, e.g. +17262043675. Stored in E.164."),
    )
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Only active planets are offered to callers."),
    )
    position = models.PositiveSmallIntegerField(
        _("order"),
        default=0,
        help_text=_("Planets are read in increasing order, e.g. 10, 20, 30."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text=_("Where its opening hours are kept, e.g. Europe/London or Asia/Tokyo."),
    )
    holidays_country = models.CharField(
        _("closed on the public holidays of"),
        max_length=8,
        blank=True,
        validators=[validate_holidays_country],
        help_text=_("A country code, e.g. GB or JP; empty to open on public holidays."),
    )
    takes_voicemail = models.BooleanField(
        _("voicemail"),
        default=True,
        help_text=_(
            "When the planet is busy, does not answer or is closed, callers may leave a message."
        ),
    )
    contact_email = models.EmailField(
        _("contact email"),
        blank=True,
        help_text=_(
            "Who hears of each new message, e.g. crew@dagobah.example. "
            "The notice links to the inbox, never the audio."
        ),
    )

    objects = PlanetManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "key", "name"]
        verbose_name = _("planet")
        verbose_name_plural = _("planets")
        # The admin's import writes planets with their names, aliases and hours; its export
        # reads them all. Each is a permission of its own on top of those
        # (docs/staff/permissions.md).
        permissions = [
            ("import_planet", _("Can import planets")),
            ("export_planet", _("Can export planets")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(is_active=True),
                name="%(app_label)s_%(class)s_unique_active_key",
                violation_error_message=_("Another active planet already uses this extension."),
            ),
            # Prefixes (12 after 1) cannot be a portable constraint; clean() refuses them.
            models.CheckConstraint(
                condition=is_extension("key"),
                name="%(app_label)s_%(class)s_key_is_an_extension",
                violation_error_message=_("An extension is 1 to 4 digits, e.g. 3 or 204."),
            ),
            models.CheckConstraint(
                condition=Q(phone_number__startswith="+"),
                name="%(app_label)s_%(class)s_phone_number_e164",
                violation_error_message=_("The number must be in E.164 form, e.g. +17262043675."),
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)

    def clean(self):
        # The database constraint only says "violated"; staff need to know which planet clashes,
        # and no constraint can see that one extension starts with another.
        if not (self.is_active and self.key and self.key.isdigit()):
            return
        prefixes = [self.key[:length] for length in range(1, len(self.key) + 1)]
        clashes = Planet.objects.filter(
            Q(key__in=prefixes) | Q(key__startswith=self.key), is_active=True
        ).exclude(pk=self.pk)
        clash = clashes.order_by("position", "key").first()
        if clash is None:
            return
        params = {"key": self.key, "other": clash.key, "planet": clash.name}
        if clash.key == self.key:
            code, message = (
                "key_in_use",
                _(
                    "Extension %(key)s is already used by the active planet “%(planet)s”. "
                    "Choose another extension, or deactivate “%(planet)s” first."
                ),
            )
        elif self.key.startswith(clash.key):
            code, message = (
                "key_extends_another",
                _(
                    "%(key)s starts with %(other)s, the extension of “%(planet)s”: a caller who "
                    "enters %(other)s reaches “%(planet)s” and never this planet."
                ),
            )
        else:
            code, message = (
                "key_starts_another",
                _(
                    "%(other)s, the extension of “%(planet)s”, starts with %(key)s: a caller who "
                    "enters %(key)s would never reach “%(planet)s”."
                ),
            )
        raise ValidationError({"key": ValidationError(message, code, params)})


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHours(models.Model):
    """One weekly opening of a planet, in its time zone. A planet with none is always open."""

    planet = models.ForeignKey(
        Planet, on_delete=models.CASCADE, related_name="opening_hours", verbose_name=_("planet")
    )
    weekday = models.PositiveSmallIntegerField(
        _("day"), choices=Weekday.choices, help_text=_("The day it opens, e.g. Monday.")
    )
    opens = models.TimeField(_("opens"), help_text=_("In the planet's time zone, e.g. 09:00."))
    closes = models.TimeField(
        _("closes"),
        help_text=_(
            "e.g. 17:00. At or before the opening time means the next day: 22:00 to 02:00 "
            "runs past midnight, 00:00 to 00:00 is the whole day."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["planet", "weekday", "opens"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday__lte=6),
                name="%(app_label)s_%(class)s_weekday_monday_to_sunday",
                violation_error_message=_("The day must be Monday to Sunday."),
            ),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class Closure(models.Model):
    """Days a planet is closed whatever its weekly hours say: a holiday, a refit."""

    planet = models.ForeignKey(
        Planet, on_delete=models.CASCADE, related_name="closures", verbose_name=_("planet")
    )
    first_day = models.DateField(_("first day"), help_text=_("e.g. 2026-12-24."))
    last_day = models.DateField(
        _("last day"), help_text=_("The last day closed, e.g. 2026-12-26; the same for one day.")
    )
    reason = models.CharField(
        _("reason"), max_length=100, blank=True, help_text=_("For staff, e.g. Annual refit.")
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["planet", "first_day"]
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=models.F("first_day")),
                name="%(app_label)s_%(class)s_last_day_not_before_first",
                violation_error_message=_("The last day cannot be before the first day."),
            ),
        ]

    def __str__(self):
        return f"{self.first_day}–{self.last_day}"


class PlanetNameManager(models.Manager):
    def get_by_natural_key(self, planet, language):
        return self.get(planet__name=planet, language__code=language)


class PlanetName(models.Model):
    """How a planet is spoken in one language."""

    planet = models.ForeignKey(
        Planet, on_delete=models.CASCADE, related_name="names", verbose_name=_("planet")
    )
    language = models.ForeignKey(
        Language, on_delete=models.CASCADE, related_name="+", verbose_name=_("language")
    )
    spoken_name = models.CharField(
        _("spoken as"),
        max_length=200,
        help_text=_("What the voice reads in the menu, e.g. “the planet DuhGo bah”."),
    )

    objects = PlanetNameManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["planet", "language"]
        verbose_name = _("spoken name")
        verbose_name_plural = _("spoken names")
        constraints = [
            models.UniqueConstraint(
                fields=["planet", "language"],
                name="%(app_label)s_%(class)s_one_per_language",
                violation_error_message=_("This planet already has a name in this language."),
            ),
        ]

    def __str__(self):
        return self.spoken_name

    def natural_key(self):
        return (self.planet.name, self.language.code)

    natural_key.dependencies = ["directory.planet", "directory.language"]


class PlanetAliasManager(models.Manager):
    def get_by_natural_key(self, planet, language, phrase):
        return self.get(planet__name=planet, language__code=language, phrase=phrase)


class PlanetAlias(models.Model):
    """Another way callers say a planet in one language ("also heard as")."""

    planet = models.ForeignKey(
        Planet, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("planet")
    )
    language = models.ForeignKey(
        Language, on_delete=models.CASCADE, related_name="+", verbose_name=_("language")
    )
    phrase = phrase_field(
        help_text=_("Words a caller may say for this planet, e.g. “Yoda's swamp”."),
    )

    objects = PlanetAliasManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["planet", "language", "phrase"]
        verbose_name = _("also heard as")
        verbose_name_plural = _("also heard as")
        constraints = [
            models.UniqueConstraint(
                fields=["planet", "language", "phrase"],
                name="%(app_label)s_%(class)s_unique_phrase",
                violation_error_message=_("This planet already has this phrase in this language."),
            ),
        ]

    def __str__(self):
        return self.phrase

    def natural_key(self):
        return (self.planet.name, self.language.code, self.phrase)

    natural_key.dependencies = ["directory.planet", "directory.language"]
