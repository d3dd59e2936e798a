"""What an option says and hears in each language: its sentence, the words callers may say
for it, its message and the text it sends."""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..fields import phrase_field, recording_field, text_field, voice_field
from .languages import Language
from .menus import DIRECTIONS_PLACEHOLDER, TEXT_MESSAGE_LENGTH
from .options import Option


class OptionTextManager(models.Manager):
    def get_by_natural_key(self, menu, key, language):
        return self.get(option__menu__slug=menu, option__key=key, language__code=language)


class OptionText(models.Model):
    """How a menu reads an option out in one language."""

    option = models.ForeignKey(
        Option, on_delete=models.CASCADE, related_name="texts", verbose_name=_("option")
    )
    language = models.ForeignKey(
        Language, on_delete=models.CASCADE, related_name="+", verbose_name=_("language")
    )
    text = models.TextField(
        _("text"), help_text=_("The sentence read out, e.g. “For an operator, press {key}.”")
    )
    voice = voice_field()

    objects = OptionTextManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["option", "language"]
        verbose_name = _("option's sentence")
        verbose_name_plural = _("options' sentences")
        constraints = [
            models.UniqueConstraint(
                fields=["option", "language"],
                name="%(app_label)s_%(class)s_one_per_language",
                violation_error_message=_("This option already has a sentence in this language."),
            ),
        ]

    def __str__(self):
        return f"{self.option} ({self.language.code})"

    def natural_key(self):
        return (*self.option.natural_key(), *self.language.natural_key())

    natural_key.dependencies = ["directory.option", "directory.language"]

    def clean(self):
        unknown = sorted(set(re.findall(r"\{[^{}]*\}", self.text)) - {"{key}"})
        if unknown:
            message = _("Unknown placeholder %(unknown)s. This sentence can use {key}.")
            params = {"unknown": ", ".join(unknown)}
            raise ValidationError({"text": ValidationError(message, "unknown_placeholder", params)})


class OptionWordManager(models.Manager):
    def get_by_natural_key(self, menu, key, language, phrase):
        return self.get(
            option__menu__slug=menu, option__key=key, language__code=language, phrase=phrase
        )


class OptionWord(models.Model):
    """Words that choose an option when said in one language."""

    option = models.ForeignKey(
        Option, on_delete=models.CASCADE, related_name="words", verbose_name=_("option")
    )
    language = models.ForeignKey(
        Language, on_delete=models.CASCADE, related_name="+", verbose_name=_("language")
    )
    phrase = phrase_field(help_text=_("Words a caller may say for it, e.g. “opening times”."))

    objects = OptionWordManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["option", "language", "phrase"]
        verbose_name = _("option's words")
        verbose_name_plural = _("options' words")
        constraints = [
            models.UniqueConstraint(
                fields=["option", "language", "phrase"],
                name="%(app_label)s_%(class)s_unique_phrase",
                violation_error_message=_("The option already has these words in this language."),
            ),
        ]

    def __str__(self):
        return self.phrase

    def natural_key(self):
        return (*self.option.natural_key(), *self.language.natural_key(), self.phrase)

    natural_key.dependencies = ["directory.option", "directory.language"]

    def validate_unique(self, exclude=None):
        super().validate_unique(exclude)
        # Within a menu one phrase chooses one option: the same words for two would be a coin
        # toss. (Across a join, so the model says it, not a database constraint.)
        # On an option's add page the option is not saved yet: its menu is known all the same.
        try:
            option = self.option
        except Option.DoesNotExist:
            return
        if option.menu_id is None or not self.language_id:
            return
        others = OptionWord.objects.filter(
            option__menu_id=option.menu_id,
            language_id=self.language_id,
            phrase__iexact=self.phrase,
        )
        if option.pk is not None:
            others = others.exclude(option_id=option.pk)
        if others.exists():
            raise ValidationError(
                {"phrase": _("These words already choose another option of this menu.")},
                code="unique_in_menu",
            )


class AnnouncementManager(models.Manager):
    def get_by_natural_key(self, menu, key, language, position):
        return self.get(
            option__menu__slug=menu,
            option__key=key,
            language__code=language,
            position=position,
        )


class Announcement(models.Model):
    """One sentence of the message an option says, in one language."""

    option = models.ForeignKey(
        Option, on_delete=models.CASCADE, related_name="announcements", verbose_name=_("option")
    )
    language = models.ForeignKey(
        Language, on_delete=models.CASCADE, related_name="+", verbose_name=_("language")
    )
    position = models.PositiveSmallIntegerField(
        _("order"), default=0, help_text=_("Sentences are said in increasing order, e.g. 10.")
    )
    text = text_field(
        help_text=_(
            "What the caller hears, e.g. “We are open from nine to five.” A sentence that is "
            "just {directions} says the directions in use."
        )
    )
    voice = voice_field()
    recording = recording_field()

    objects = AnnouncementManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["option", "language", "position"]
        verbose_name = _("message sentence")
        verbose_name_plural = _("message sentences")
        constraints = [
            models.UniqueConstraint(
                fields=["option", "language", "position"],
                name="%(app_label)s_%(class)s_unique_position",
                violation_error_message=_("Another sentence has this order in this language."),
            ),
        ]

    def __str__(self):
        return f"{self.option} ({self.language.code}, {self.position})"

    def natural_key(self):
        return (*self.option.natural_key(), *self.language.natural_key(), self.position)

    natural_key.dependencies = ["directory.option", "directory.language"]

    def clean(self):
        unknown = sorted(set(re.findall(r"\{[^{}]*\}", self.text)) - {DIRECTIONS_PLACEHOLDER})
        if unknown:
            message = _("Unknown placeholder %(unknown)s. A message can use {directions}.")
            params = {"unknown": ", ".join(unknown)}
            raise ValidationError({"text": ValidationError(message, "unknown_placeholder", params)})
        if self.recording and DIRECTIONS_PLACEHOLDER in self.text:
            message = _(
                "The directions sentence cannot have a recording of its own: the directions "
                "in use have theirs."
            )
            raise ValidationError({"recording": ValidationError(message, "recording_placeholder")})


class TextMessageManager(models.Manager):
    def get_by_natural_key(self, menu, key, language):
        return self.get(option__menu__slug=menu, option__key=key, language__code=language)


class TextMessage(models.Model):
    """The text message an option sends the caller, in one language."""

    option = models.ForeignKey(
        Option, on_delete=models.CASCADE, related_name="text_messages", verbose_name=_("option")
    )
    language = models.ForeignKey(
        Language, on_delete=models.CASCADE, related_name="+", verbose_name=_("language")
    )
    text = models.TextField(
        _("text message"),
        max_length=TEXT_MESSAGE_LENGTH,
        help_text=_(
            "What the caller's phone receives, e.g. “Our opening times: 9 to 5.” {directions} "
            "is replaced by the directions in use."
        ),
    )

    objects = TextMessageManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["option", "language"]
        verbose_name = _("text message")
        verbose_name_plural = _("text messages")
        constraints = [
            models.UniqueConstraint(
                fields=["option", "language"],
                name="%(app_label)s_%(class)s_one_per_language",
                violation_error_message=_(
                    "This option already has a text message in this language."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.option} ({self.language.code})"

    def natural_key(self):
        return (*self.option.natural_key(), *self.language.natural_key())

    natural_key.dependencies = ["directory.option", "directory.language"]

    def clean(self):
        unknown = sorted(set(re.findall(r"\{[^{}]*\}", self.text)) - {DIRECTIONS_PLACEHOLDER})
        if unknown:
            message = _("Unknown placeholder %(unknown)s. A text message can use {directions}.")
            params = {"unknown": ", ".join(unknown)}
            raise ValidationError({"text": ValidationError(message, "unknown_placeholder", params)})
