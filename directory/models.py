"""The data staff edit in the admin: planets, extraction instructions and prompts."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .fields import PhoneNumberField

DIGITS = "0123456789"

language_validator = RegexValidator(
    r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
    _("Enter a language tag such as en-GB or en-US."),
)


class Spoken(models.Model):
    """A sentence with the voice and language Twilio speaks it in."""

    text = models.TextField(
        _("text"),
        help_text=_("What the caller hears, written as it should be pronounced."),
    )
    voice = models.CharField(
        _("voice"),
        max_length=64,
        blank=True,
        default="alice",
        help_text=_("A Twilio voice, e.g. alice or Polly.Amy. Empty for Twilio's default."),
    )
    language = models.CharField(
        _("language"),
        max_length=35,
        blank=True,
        default="en-GB",
        validators=[language_validator],
        help_text=_("The language the voice speaks, e.g. en-GB. Empty for the voice's default."),
    )

    class Meta:
        abstract = True


class PlanetManager(models.Manager):
    def get_by_natural_key(self, name):
        return self.get(name=name)


class Planet(models.Model):
    """A destination in the planet menu: a key the caller presses and a number we dial."""

    name = models.CharField(
        _("name"),
        max_length=100,
        unique=True,
        help_text=_("How staff refer to it, e.g. Dagobah."),
    )
    spoken_name = models.CharField(
        _("spoken as"),
        max_length=200,
        help_text=_("What the voice reads in the menu, e.g. “the planet DuhGo bah”."),
    )
    key = models.CharField(
        _("key"),
        max_length=1,
        choices=[(digit, digit) for digit in DIGITS],
        help_text=_("The key the caller presses to be connected, e.g. 3."),
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
    takes_voicemail = models.BooleanField(
        _("voicemail"),
        default=True,
        help_text=_("When the planet is busy or does not answer, callers may leave a message."),
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

    class Meta:
        ordering = ["position", "key", "name"]
        verbose_name = _("planet")
        verbose_name_plural = _("planets")
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(is_active=True),
                name="%(app_label)s_%(class)s_unique_active_key",
                violation_error_message=_("Another active planet already uses this key."),
            ),
            models.CheckConstraint(
                condition=Q(key__in=list(DIGITS)),
                name="%(app_label)s_%(class)s_key_is_a_digit",
                violation_error_message=_("The key must be a single digit, 0 to 9."),
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
        # The database constraint only says "violated"; staff need to know which planet clashes.
        if not (self.is_active and self.key):
            return
        clash = Planet.objects.filter(is_active=True, key=self.key).exclude(pk=self.pk).first()
        if clash is not None:
            message = _(
                "Key %(key)s is already used by the active planet “%(planet)s”. "
                "Choose another key, or deactivate “%(planet)s” first."
            )
            params = {"key": self.key, "planet": clash.name}
            raise ValidationError({"key": ValidationError(message, "key_in_use", params)})


class DirectionsManager(models.Manager):
    def get_by_natural_key(self, name):
        return self.get(name=name)


class Directions(Spoken):
    """A version of the directions to the extraction point; at most one is in use."""

    name = models.CharField(
        _("version"),
        max_length=100,
        unique=True,
        help_text=_("A name for this version, e.g. “Bike route, winter”."),
    )
    in_use = models.BooleanField(
        _("in use"),
        default=False,
        editable=False,
        help_text=_("Callers who press 1 hear the version in use. Switch with the list's action."),
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    objects = DirectionsManager()

    class Meta:
        ordering = ["-in_use", "name"]
        verbose_name = _("extraction instructions")
        verbose_name_plural = _("extraction instructions")
        constraints = [
            models.UniqueConstraint(
                fields=["in_use"],
                condition=Q(in_use=True),
                name="%(app_label)s_%(class)s_one_in_use",
                violation_error_message=_("Only one version of the directions can be in use."),
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)


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
    VOICEMAIL_OFFER = "voicemail_offer", _("Voicemail: offer to leave a message")
    VOICEMAIL_RECORD = "voicemail_record", _("Voicemail: before the beep")
    VOICEMAIL_SAVED = "voicemail_saved", _("Voicemail: goodbye after a message")


class PromptManager(models.Manager):
    def get_by_natural_key(self, key):
        return self.get(key=key)


class Prompt(Spoken):
    """Every other sentence the caller hears, one row per moment in the call."""

    Key = PromptKey

    text = models.TextField(
        _("text"),
        blank=True,
        help_text=_(
            "What the caller hears, e.g. “Returning to the main menu.” "
            "Only the planet menu introduction may be left empty."
        ),
    )
    # Placeholders staff may use in a prompt's text, per prompt.
    PLACEHOLDERS = {
        Key.PLANET_OPTION: ("{planet}", "{key}"),
        Key.DIAL_FAILED: ("{planet}",),
        Key.VOICEMAIL_OFFER: ("{planet}",),
    }

    key = models.CharField(
        _("moment"),
        max_length=32,
        unique=True,
        choices=Key.choices,
        help_text=_("When in the call this sentence is spoken."),
    )

    objects = PromptManager()

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
            models.CheckConstraint(
                condition=Q(key="planet_menu_intro") | ~Q(text=""),
                name="%(app_label)s_%(class)s_text_required",
                violation_error_message=_("Only the planet menu introduction may be empty."),
            ),
        ]

    def __str__(self):
        return self.get_key_display()

    def natural_key(self):
        return (self.key,)

    def clean(self):
        allowed = self.PLACEHOLDERS.get(self.key, ())
        unknown = sorted(set(re.findall(r"\{[^{}]*\}", self.text)) - set(allowed))
        if unknown:
            if allowed:
                message = _("Unknown placeholder %(unknown)s. This prompt can use %(allowed)s.")
            else:
                message = _("Unknown placeholder %(unknown)s. It has none.")
            params = {"unknown": ", ".join(unknown), "allowed": ", ".join(allowed)}
            raise ValidationError({"text": ValidationError(message, "unknown_placeholder", params)})


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
    Prompt.Key.VOICEMAIL_OFFER: "To leave a message for {planet}, press 1 or say 'message'.",
    Prompt.Key.VOICEMAIL_RECORD: (
        "Please leave your message after the tone. Press the pound key when you are done."
    ),
    Prompt.Key.VOICEMAIL_SAVED: (
        "Thank you, your message has been recorded. Goodbye, and safe travels."
    ),
}
# The voicemail sentences in Japanese, for the per-language sentences (issue 12; wired at merge).
PROMPT_DEFAULTS_JA = {
    Prompt.Key.VOICEMAIL_OFFER: (
        "{planet}にメッセージを残すには、1を押すか、「メッセージ」とお話しください。"
    ),
    Prompt.Key.VOICEMAIL_RECORD: (
        "発信音のあとにメッセージをお話しください。終わりましたらシャープを押してください。"
    ),
    Prompt.Key.VOICEMAIL_SAVED: (
        "ありがとうございました。メッセージをお預かりしました。よい旅を。さようなら。"
    ),
}
