"""What callers hear said: the directions to the extraction point and the prompts, in each
language, with the demo's words for a prompt staff have not written."""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..fields import recording_field, text_field, voice_field
from .languages import Language


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

    # The values are data (in databases, fixtures and staff's exported files): the planet
    # directory's keep the name it had before December 2026 ("planet_menu_...").

    DIRECTIONS_UNAVAILABLE = "directions_unavailable", _("No directions in use")
    DIRECTORY_INTRO = "planet_menu_intro", _("Planet directory: introduction")
    PLANET_OPTION = "planet_option", _("Planet directory: one line per planet")
    DIRECTORY_BACK = "planet_menu_back", _("Planet directory: press star to go back")
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
    DIRECTORY_MORE = "planet_menu_more", _("Planet directory: more planets than are read")
    DIRECTORY_FINISH = (
        "planet_menu_finish",
        _("Planet directory: end an extension with the hash key"),
    )
    HANG_UP = "hang_up", _("Goodbye when a caller chooses to end the call")
    TEXT_SENT = "text_sent", _("Text message: said once it is on its way")


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
    OPTIONAL = (Key.DIRECTORY_INTRO,)

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
            "Only the planet directory introduction may be left empty."
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
                {"text": ValidationError(_("Only the planet directory introduction may be empty."))}
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


# What the caller hears when staff have not (yet) written a prompt: the demo's words.
PROMPT_DEFAULTS = {
    Prompt.Key.DIRECTIONS_UNAVAILABLE: (
        "Directions to the extraction point are not available right now. Please call again later."
    ),
    Prompt.Key.DIRECTORY_INTRO: "",
    Prompt.Key.PLANET_OPTION: "To call {planet}, press {key}.",
    Prompt.Key.DIRECTORY_BACK: "To go back to the main menu, press the star key.",
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
    Prompt.Key.HANG_UP: "Thank you for calling the E T Phone Home Service. Goodbye.",
    Prompt.Key.TEXT_SENT: "We have sent you a text message.",
    Prompt.Key.DIRECTORY_MORE: "Or say the planet's name, or enter its extension.",
    Prompt.Key.DIRECTORY_FINISH: "After the extension, press the hash key.",
}
# The voice and language of those words, and of a line with no language yet.
DEFAULT_VOICE = "alice"
DEFAULT_LANGUAGE_CODE = "en-GB"
