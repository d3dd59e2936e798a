"""The data staff edit in the admin: languages, planets, directions, prompts and their words."""

import re
import zoneinfo
from functools import partial

import holidays
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Length
from django.db.models.lookups import Exact, GreaterThanOrEqual, LessThanOrEqual
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .fields import PhoneNumberField
from .recordings import recording_name, recordings_storage, validate_recording

DIGITS = "0123456789"
# Every key of a phone's keypad.
PHONE_KEYS = DIGITS + "*#"
# The main menu's own keys (1 directions, 2 planets): a language's welcome key must differ.
MAIN_MENU_KEYS = ("1", "2")
# A planet's extension: 1 to 4 digits, pressed at the planet menu.
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


class PlanetManager(models.Manager):
    def get_by_natural_key(self, name):
        return self.get(name=name)


class Planet(models.Model):
    """A destination in the planet menu: an extension the caller enters and a number we dial."""

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
        # reads them all. Each is a permission of its own on top of those (README: Permissions).
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


phrase_field = partial(
    models.CharField,
    _("phrase"),
    max_length=100,
)


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


class MenuChoice(models.TextChoices):
    """The main menu's choices a caller can name."""

    DIRECTIONS = "directions", _("Directions (key 1)")
    PLANETS = "planets", _("Planet menu (key 2)")


class MenuAliasManager(models.Manager):
    def get_by_natural_key(self, language, phrase):
        return self.get(language__code=language, phrase=phrase)


class MenuAlias(models.Model):
    """Words that pick a main-menu choice when said in one language."""

    Choice = MenuChoice

    language = models.ForeignKey(
        Language,
        on_delete=models.CASCADE,
        related_name="menu_aliases",
        verbose_name=_("language"),
    )
    choice = models.CharField(
        _("choice"),
        max_length=16,
        choices=MenuChoice.choices,
        help_text=_("What the words pick at the main menu."),
    )
    phrase = phrase_field(help_text=_("Words a caller may say for it, e.g. “directions”."))

    objects = MenuAliasManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["language", "choice", "phrase"]
        verbose_name = _("main menu word")
        verbose_name_plural = _("main menu words")
        constraints = [
            # One phrase picks one choice: the same words for both would be a coin toss.
            models.UniqueConstraint(
                fields=["language", "phrase"],
                name="%(app_label)s_%(class)s_unique_phrase",
                violation_error_message=_("These words already pick a choice in this language."),
            ),
            models.CheckConstraint(
                condition=Q(choice__in=MenuChoice.values),
                name="%(app_label)s_%(class)s_choice_is_known",
                violation_error_message=_("Choose one of the listed choices."),
            ),
        ]

    def __str__(self):
        return self.phrase

    def natural_key(self):
        return (self.language.code, self.phrase)

    natural_key.dependencies = ["directory.language"]


class DirectionsManager(models.Manager):
    def get_by_natural_key(self, name, language):
        return self.get(name=name, language__code=language)


class Directions(models.Model):
    """A version of the directions to the extraction point; at most one per language in use."""

    language = models.ForeignKey(
        Language, on_delete=models.CASCADE, related_name="+", verbose_name=_("language")
    )
    name = models.CharField(
        _("version"),
        max_length=100,
        help_text=_("A name for this version, e.g. “Bike route, winter”."),
    )
    text = text_field()
    voice = voice_field()
    recording = recording_field()
    in_use = models.BooleanField(
        _("in use"),
        default=False,
        editable=False,
        help_text=_(
            "Callers who press 1 hear the version in use in their language. "
            "Switch with the list's action."
        ),
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    objects = DirectionsManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["language", "-in_use", "name"]
        verbose_name = _("extraction instructions")
        verbose_name_plural = _("extraction instructions")
        constraints = [
            models.UniqueConstraint(
                fields=["language", "name"],
                name="%(app_label)s_%(class)s_unique_name",
                violation_error_message=_("This language already has a version of this name."),
            ),
            models.UniqueConstraint(
                fields=["language"],
                condition=Q(in_use=True),
                name="%(app_label)s_%(class)s_one_in_use_per_language",
                violation_error_message=_(
                    "Only one version of the directions can be in use per language."
                ),
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name, self.language.code)

    natural_key.dependencies = ["directory.language"]


class PromptKey(models.TextChoices):
    """The moments in a call at which the caller hears a prompt."""

    GREETING = "greeting", _("Greeting (main menu)")
    THANK_YOU = "thank_you", _("Thank-you after the directions")
    DIRECTIONS_UNAVAILABLE = "directions_unavailable", _("No directions in use")
    PLANET_MENU_INTRO = "planet_menu_intro", _("Planet menu: introduction")
    PLANET_OPTION = "planet_option", _("Planet menu: one line per planet")
    PLANET_MENU_BACK = "planet_menu_back", _("Planet menu: press star to go back")
    RETURNING_TO_MENU = "returning_to_menu", _("Returning to the main menu")
    NO_INPUT = "no_input", _("Caller pressed nothing")
    INVALID_KEY = "invalid_key", _("Caller pressed a key not on the menu")
    GOODBYE = "goodbye", _("Goodbye after too many attempts")
    DIAL_FAILED = "dial_failed", _("Planet could not be reached")
    DIAL_COMPLETED = "dial_completed", _("Goodbye after a connected call")
    LANGUAGE_OPTION = "language_option", _("Greeting: how to choose this language")
    PLANET_CLOSED = "planet_closed", _("Planet chosen while it is closed")
    PLANET_OPENS = "planet_opens", _("When a closed planet opens next")
    NOT_UNDERSTOOD = "not_understood", _("Caller said words we did not understand")
    CONFIRM_PLANET = "confirm_planet", _("Did the caller say this planet?")
    VOICEMAIL_OFFER = "voicemail_offer", _("Voicemail: offer to leave a message")
    VOICEMAIL_RECORD = "voicemail_record", _("Voicemail: before the beep")
    VOICEMAIL_SAVED = "voicemail_saved", _("Voicemail: goodbye after a message")
    PLANET_MENU_MORE = "planet_menu_more", _("Planet menu: more planets than are read")
    PLANET_MENU_FINISH = "planet_menu_finish", _("Planet menu: end an extension with the hash key")


class PromptManager(models.Manager):
    def get_by_natural_key(self, key):
        return self.get(key=key)


class Prompt(models.Model):
    """A moment in the call at which the caller hears a sentence, in each language."""

    Key = PromptKey

    # Placeholders staff may use in a prompt's text, per prompt.
    PLACEHOLDERS = {
        Key.PLANET_OPTION: ("{planet}", "{key}"),
        Key.DIAL_FAILED: ("{planet}",),
        Key.LANGUAGE_OPTION: ("{key}",),
        Key.PLANET_CLOSED: ("{planet}",),
        Key.PLANET_OPENS: ("{opens}", "{planet}"),
        Key.CONFIRM_PLANET: ("{planet}",),
        Key.VOICEMAIL_OFFER: ("{planet}",),
    }
    # The prompts that may be left empty (a menu without an introduction).
    OPTIONAL = (Key.PLANET_MENU_INTRO,)

    key = models.CharField(
        _("moment"),
        max_length=32,
        unique=True,
        choices=Key.choices,
        help_text=_("When in the call this sentence is spoken."),
    )

    objects = PromptManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["key"]
        verbose_name = _("prompt")
        verbose_name_plural = _("prompts")
        constraints = [
            models.CheckConstraint(
                condition=Q(key__in=PromptKey.values),
                name="%(app_label)s_%(class)s_key_is_known",
                violation_error_message=_("Choose one of the listed moments."),
            ),
        ]

    def __str__(self):
        return self.get_key_display()

    def natural_key(self):
        return (self.key,)


class PromptTextManager(models.Manager):
    def get_by_natural_key(self, prompt, language):
        return self.get(prompt__key=prompt, language__code=language)


class PromptText(models.Model):
    """A prompt's words in one language."""

    prompt = models.ForeignKey(
        Prompt, on_delete=models.CASCADE, related_name="texts", verbose_name=_("prompt")
    )
    language = models.ForeignKey(
        Language, on_delete=models.CASCADE, related_name="+", verbose_name=_("language")
    )
    text = models.TextField(
        _("text"),
        blank=True,
        help_text=_(
            "What the caller hears, e.g. “Returning to the main menu.” "
            "Only the planet menu introduction may be left empty."
        ),
    )
    voice = voice_field()
    recording = recording_field()

    objects = PromptTextManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["prompt", "language"]
        verbose_name = _("translation")
        verbose_name_plural = _("translations")
        constraints = [
            models.UniqueConstraint(
                fields=["prompt", "language"],
                name="%(app_label)s_%(class)s_one_per_language",
                violation_error_message=_("This prompt already has a text in this language."),
            ),
        ]

    def __str__(self):
        return f"{self.prompt} ({self.language.code})"

    def natural_key(self):
        return (*self.prompt.natural_key(), *self.language.natural_key())

    natural_key.dependencies = ["directory.prompt", "directory.language"]

    def clean(self):
        key = self.prompt.key if self.prompt_id else ""
        if not self.text and key not in Prompt.OPTIONAL:
            raise ValidationError(
                {"text": ValidationError(_("Only the planet menu introduction may be empty."))}
            )
        allowed = Prompt.PLACEHOLDERS.get(key, ())
        unknown = sorted(set(re.findall(r"\{[^{}]*\}", self.text)) - set(allowed))
        if unknown:
            if allowed:
                message = _("Unknown placeholder %(unknown)s. This prompt can use %(allowed)s.")
            else:
                message = _("Unknown placeholder %(unknown)s. It has none.")
            params = {"unknown": ", ".join(unknown), "allowed": ", ".join(allowed)}
            raise ValidationError({"text": ValidationError(message, "unknown_placeholder", params)})
        # A recording says the same words on every call: it cannot say a planet or a key.
        if self.recording and re.search(r"\{[^{}]*\}", self.text):
            message = _(
                "A text with a placeholder such as {planet} cannot have a recording: a "
                "recording cannot say the filled-in value. Remove the recording, or write the "
                "text without placeholders."
            )
            raise ValidationError({"recording": ValidationError(message, "recording_placeholder")})


class Revision(models.Model):
    """One row whose token changes, in the same transaction, with any change to the directory.

    Database triggers (directory/triggers.py) set a new random token on every insert, update
    or delete of the directory's tables, whoever makes it: the admin, loaddata, a shell, raw
    SQL. Each process keeps the directory it read with the token it read it at, and reads it
    again only when the token differs. Random rather than counted: a rolled-back change must
    never give the token back a value that names other data.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    token = models.BigIntegerField(_("token"), default=0)

    class Meta:
        verbose_name = _("directory revision")
        verbose_name_plural = _("directory revisions")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="%(app_label)s_%(class)s_one_row"),
        ]

    def __str__(self):
        return str(self.token)


# What the caller hears when staff have not (yet) written a prompt: the demo's words.
PROMPT_DEFAULTS = {
    Prompt.Key.GREETING: (
        "Thanks for calling the E T Phone Home Service. Please press 1 for directions. "
        "Press 2 for a list of planets to call."
    ),
    Prompt.Key.THANK_YOU: (
        "Thank you for calling the E T Phone Home Service - "
        "the adventurous alien's first choice in intergalactic travel."
    ),
    Prompt.Key.DIRECTIONS_UNAVAILABLE: (
        "Directions to the extraction point are not available right now. Please call again later."
    ),
    Prompt.Key.PLANET_MENU_INTRO: "",
    Prompt.Key.PLANET_OPTION: "To call {planet}, press {key}.",
    Prompt.Key.PLANET_MENU_BACK: "To go back to the main menu, press the star key.",
    Prompt.Key.RETURNING_TO_MENU: "Returning to the main menu.",
    Prompt.Key.NO_INPUT: "Sorry, we did not hear a key press.",
    Prompt.Key.INVALID_KEY: "Sorry, that key is not on the menu.",
    Prompt.Key.GOODBYE: "We did not get a choice from you. Goodbye, and safe travels.",
    Prompt.Key.DIAL_FAILED: "We could not reach {planet}.",
    Prompt.Key.DIAL_COMPLETED: "Thank you for calling the E T Phone Home Service. Goodbye.",
    Prompt.Key.LANGUAGE_OPTION: "For English, press {key}.",
    Prompt.Key.PLANET_CLOSED: "{planet} is closed now.",
    Prompt.Key.PLANET_OPENS: "It opens {opens}.",
    Prompt.Key.NOT_UNDERSTOOD: "Sorry, we did not understand that.",
    Prompt.Key.CONFIRM_PLANET: "Did you say {planet}? Say yes or press 1; say no or press 2.",
    Prompt.Key.VOICEMAIL_OFFER: "To leave a message for {planet}, press 1 or say 'message'.",
    Prompt.Key.VOICEMAIL_RECORD: (
        "Please leave your message after the tone. Press the pound key when you are done."
    ),
    Prompt.Key.VOICEMAIL_SAVED: (
        "Thank you, your message has been recorded. Goodbye, and safe travels."
    ),
    Prompt.Key.PLANET_MENU_MORE: "Or say the planet's name, or enter its extension.",
    Prompt.Key.PLANET_MENU_FINISH: "After the extension, press the hash key.",
}
# The voice and language of those words, and of a line with no language yet.
DEFAULT_VOICE = "alice"
DEFAULT_LANGUAGE_CODE = "en-GB"
